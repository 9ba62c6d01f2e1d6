import { describe, expect, it } from '@jest/globals';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const production = loadFixture('production.yaml');

describe('kdiag endpoints (against a fake API)', () => {
  it('reports exactly the broken Services with their causes and exits 1', async () => {
    fakeApi(production);
    const { stdout, code } = await kdiag(['endpoints', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.apiVersion).toBe('kdiag/v1');
    expect(report.kind).toBe('EndpointsReport');
    const byService = Object.fromEntries(report.findings.map((f: { object: { name: string }; code: string }) => [f.object.name, f.code]));
    expect(byService).toEqual({
      'api-v2-service': 'KD1001',
      'worker-service': 'KD1002',
      'search-service': 'KD1002',
      'metrics-service': 'KD1005',
      'orphan-service': 'KD1006',
      'cache-service': 'KD1008',
    });
    const v2 = report.findings.find((f: { object: { name: string } }) => f.object.name === 'api-v2-service');
    expect(v2.message).toBe('api-v2-service: selector app=api-v2 matches no pod');
    expect(v2.cause).toContain('app=api-v2-server (2 pods)');
    expect(v2.fix).toContain(`kubectl -n production patch service api-v2-service -p '{"spec":{"selector":{"app":"api-v2-server"}}}'`);
    const worker = report.findings.find((f: { object: { name: string } }) => f.object.name === 'worker-service');
    expect(worker.cause).toContain('CrashLoopBackOff');
    expect(worker.cause).toContain('7 restarts');
    expect(report.services).toHaveLength(14);
  });

  it('prints a table with the cause of each broken Service', async () => {
    fakeApi(production);
    const { stdout, code } = await kdiag(['endpoints', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+SERVICE\s+TYPE\s+READY\s+NOT READY\s+STATUS\s+CAUSE$/);
    expect(lines.find((l) => l.includes('api-v2-service'))).toMatch(
      /^production\s+api-v2-service\s+ClusterIP\s+0\s+0\s+NO ENDPOINTS\s+selector app=api-v2 matches no pod$/,
    );
    expect(lines.find((l) => l.includes(' api-service'))).toMatch(/^production\s+api-service\s+ClusterIP\s+2\s+0\s+OK$/);
    expect(lines.find((l) => l.includes('metrics-service'))).toMatch(/0\s+1\s+NO ENDPOINTS\s+targetPort "http-api" is not declared by the pods$/);
    expect(stdout).toContain('ERROR   KD1001  Service production/api-v2-service: selector app=api-v2 matches no pod');
    expect(stdout).toContain('5 error(s), 1 warning(s), 0 info');
  });

  it('exits 0 on a healthy namespace, and 1 with --fail-on warning when a warning exists', async () => {
    const healthy = production.filter(
      (o) =>
        !['api-v2-service', 'worker-service', 'search-service', 'metrics-service', 'orphan-service'].includes(o.metadata.name) &&
        !/^(api-v2-server|worker|search|metrics)/.test(o.metadata.name),
    );
    fakeApi(healthy);
    const ok = await kdiag(['endpoints', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(ok.code).toBe(0);
    const strict = await kdiag(['endpoints', '-n', 'production', '--fail-on', 'warning', '--kubeconfig', testKubeconfig()]);
    expect(strict.code).toBe(1);
  });

  it('shows pods, ports and endpoints for one Service', async () => {
    fakeApi(production);
    const { stdout, code } = await kdiag(['endpoints', 'metrics-service', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    expect(stdout).toContain('Service:    production/metrics-service');
    expect(stdout).toMatch(/10\.244\.0\.61\s+metrics-7f-a\s+true\s+<none>/);
    expect(stdout).toMatch(/<unnamed>\s+80\s+http-api\s+TCP\s+0/);
  });

  it('uses the context namespace when -n is not given, and lists all namespaces with -A', async () => {
    const api = fakeApi(production);
    await kdiag(['endpoints', '-o', 'json', '--kubeconfig', testKubeconfig({ namespace: 'production' })]);
    expect(api.count(/^\/api\/v1\/namespaces\/production\/services$/)).toBe(1);
    await kdiag(['endpoints', '-A', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(api.count(/^\/api\/v1\/services$/)).toBe(1);
    expect(api.count(/^\/apis\/discovery\.k8s\.io\/v1\/endpointslices$/)).toBe(1);
    expect(api.count(/^\/api\/v1\/pods$/)).toBe(1);
  });

  it('says when a namespace does not exist', async () => {
    fakeApi(production);
    const { stderr, code } = await kdiag(['endpoints', '-n', 'nowhere', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('kdiag: namespace nowhere not found');
  });

  it('names the missing permission on 403', async () => {
    fakeApi(production, { forbidden: ['endpointslices'] });
    const { stderr, code } = await kdiag(['endpoints', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      'kdiag: you lack `list` on `endpointslices.discovery.k8s.io` in namespace production (403 Forbidden): ask for a Role granting it, see deploy/rbac.yaml',
    );
  });
});
