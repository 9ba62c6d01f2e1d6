import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expectValidReport } from '../support/contract.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const cluster = [...loadFixture('production.yaml'), ...loadFixture('kube-system.yaml')];

const codes = (report: { findings: { code: string; object: { name: string } }[] }) => report.findings.map((f) => `${f.object.name}:${f.code}`).sort();

describe('kdiag check (against a fake API)', () => {
  it('runs every check over one snapshot: each kind listed once', async () => {
    const api = fakeApi(cluster);
    const { stdout, code } = await kdiag(['check', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expectValidReport(report);
    expect(report.kind).toBe('CheckReport');
    expect(report.serverVersion).toBe('https://kdiag-test.invalid:6443 (v1.35.0)');
    expect(report.checks.map((c: { id: string; status: string }) => `${c.id}:${c.status}`)).toEqual(
      expect.arrayContaining(['endpoints:failed', 'service-types:failed', 'cluster-dns:passed']),
    );
    expect(codes(report)).toEqual(expect.arrayContaining(['api-v2-service:KD1001', 'public-lb:KD2002', 'web-nodeport:KD2001']));
    for (const path of [/\/namespaces\/production\/services$/, /\/namespaces\/production\/pods$/, /\/namespaces\/production\/endpointslices$/]) {
      expect(api.count(path)).toBe(1);
    }
  });

  it('prints the summary table, then the findings grouped by severity', async () => {
    fakeApi(cluster);
    const { stdout, stderr } = await kdiag(['check', '-n', 'production', '--only', 'endpoints,cluster-dns', '--kubeconfig', testKubeconfig()]);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^CHECK\s+STATUS\s+ERRORS\s+WARNINGS\s+TIME$/);
    expect(lines[1]).toMatch(/^endpoints\s+failed\s+5\s+1\s+\d+\.\d\ds$/);
    expect(lines[2]).toMatch(/^cluster-dns\s+passed\s+0\s+0\s+\d+\.\d\ds$/);
    expect(stdout.indexOf('ERROR   KD1001')).toBeLessThan(stdout.indexOf('WARNING KD1008'));
    expect(stderr).toMatch(/✓ Cluster reachable: https:\/\/kdiag-test\.invalid:6443 \(v1\.35\.0\)/);
    expect(stderr).toMatch(/✓ Permissions: \d+ allowed/);
  });

  it('turns a missing permission into a finding and skips only the checks that need it', async () => {
    fakeApi(cluster, { forbidden: ['endpointslices'] });
    const { stdout, code } = await kdiag(['check', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    const report = JSON.parse(stdout);
    const perm = report.findings.find((f: { code: string }) => f.code === 'KD6001');
    expect(perm.message).toBe('list endpointslices.discovery.k8s.io: not allowed in namespace production; skipped: endpoints, ingress');
    expect(perm.fix).toContain('rules:\n- apiGroups:\n  - discovery.k8s.io\n  resources:\n  - endpointslices\n  verbs:\n  - list');
    const status = Object.fromEntries(report.checks.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(status).toMatchObject({ endpoints: 'skipped', 'service-types': 'failed' });
    expect(code).toBe(1);
  });

  it('runs the ingress check without Secrets when kdiag may not read them', async () => {
    fakeApi(cluster, { forbidden: ['secrets'] });
    const { stdout } = await kdiag(['check', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    const report = JSON.parse(stdout);
    expect(report.checks.find((c: { id: string }) => c.id === 'ingress').status).not.toBe('skipped');
    expect(report.findings.filter((f: { code: string }) => f.code === 'KD6001')).toEqual([]);
  });

  it('exits 2 naming the first missing permission when no check can run', async () => {
    fakeApi(cluster, {
      forbidden: [
        'services',
        'endpointslices',
        'pods',
        'namespaces',
        'ingresses',
        'ingressclasses',
        'networkpolicies',
        'secrets',
        'daemonsets',
        'deployments',
        'nodes',
      ],
    });
    const { stderr, code } = await kdiag(['check', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /kdiag: you lack `list` on `services` in namespace production \(and \d+ more permissions\), so no check can run: bind the kdiag-read ClusterRole/,
    );
  });

  it('writes JUnit XML with one test case per check and object', async () => {
    fakeApi(cluster);
    const { stdout } = await kdiag(['check', '-n', 'production', '-o', 'junit', '--only', 'endpoints,cluster-dns', '--kubeconfig', testKubeconfig()]);
    expect(XMLValidator.validate(stdout)).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(stdout);
    const suites = xml.testsuites.testsuite;
    expect(suites.map((s: { name: string }) => s.name)).toEqual(['endpoints', 'cluster-dns']);
    const cases = suites[0].testcase as { name: string; failure?: { type: string } }[];
    expect(cases.find((c) => c.name === 'Service production/api-v2-service')!.failure!.type).toBe('KD1001');
    expect(cases.find((c) => c.name === 'Service production/cache-service')!.failure).toBeUndefined();
    expect(xml.testsuites.failures).toBe('5');
  });

  it('writes Markdown for an incident channel', async () => {
    fakeApi(cluster);
    const { stdout } = await kdiag(['check', '-n', 'production', '-o', 'markdown', '--only', 'endpoints', '--kubeconfig', testKubeconfig()]);
    expect(stdout).toContain('## kdiag check -n production');
    expect(stdout).toContain('| check | status | errors | warnings | time |');
    expect(stdout).toMatch(/\| Service endpoints \| failed \| 5 \| 1 \|/);
    expect(stdout).toContain('- **KD1001** `Service production/api-v2-service`: api-v2-service: selector app=api-v2 matches no pod');
  });

  it('honours .kdiag.yaml: silenced codes, objects and namespaces', async () => {
    fakeApi(cluster);
    const dir = mkdtempSync(join(tmpdir(), 'kdiag-cfg-'));
    const file = join(dir, 'kdiag.yaml');
    writeFileSync(
      file,
      'ignore:\n  codes: [KD2001, KD1008]\n  objects: [production/public-lb, "Service:production/metrics-service"]\nthresholds:\n  certWarnDays: 30\n',
    );
    const { stdout } = await kdiag(['check', '-n', 'production', '-o', 'json', '--config', file, '--kubeconfig', testKubeconfig()]);
    const found = codes(JSON.parse(stdout));
    expect(found).not.toContain('web-nodeport:KD2001');
    expect(found).not.toContain('cache-service:KD1008');
    expect(found.filter((c) => c.startsWith('public-lb') || c.startsWith('metrics-service'))).toEqual([]);
    expect(found).toContain('api-v2-service:KD1001');
  });

  it('reports the checks as errored and exits 2 when the API stops answering mid-run', async () => {
    fakeApi(cluster, { faults: [{ path: /\/(pods|services|endpointslices|ingresses|ingressclasses|namespaces)$/, statuses: Array(40).fill(503) }] });
    const { stdout, stderr, code } = await kdiag(['check', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    const report = JSON.parse(stdout);
    expect(report.serverVersion).toContain('v1.35.0');
    expect(report.checks.every((c: { status: string }) => c.status === 'errored')).toBe(true);
    expect(report.error).toMatch(/answered 503/);
    expect(stderr).toMatch(/kdiag: the API server at https:\/\/kdiag-test\.invalid:6443 answered 503/);
  });

  it('exits 0 on a healthy namespace', async () => {
    const healthy = loadFixture('kube-system.yaml');
    fakeApi(healthy);
    const { code } = await kdiag(['check', '-n', 'kube-system', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
  });

  it('rejects an unknown check id', async () => {
    const { stderr, code } = await kdiag(['check', '--only', 'endpoint', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^kdiag: unknown check "endpoint": checks are endpoints, service-types, /);
  });
});
