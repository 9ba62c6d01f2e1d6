// kdiag check and kdiag trace through the real binary on the local cluster's scenario.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { apply, backendManifest, deleteNamespace, kubectl, runKdiag, waitForRollout } from './support/cluster.js';

const HEALTHY = 'kdiag-e2e-healthy';
const config = join(mkdtempSync(join(tmpdir(), 'kdiag-e2e-')), 'kdiag.yaml');
// No grace period: the scenario's objects may be younger than the default 5 minutes.
writeFileSync(config, 'thresholds:\n  addressGraceSeconds: 0\n');

beforeAll(async () => {
  await apply(`apiVersion: v1
kind: Namespace
metadata: {name: ${HEALTHY}}
---
${backendManifest({ namespace: HEALTHY, name: 'web' })}`);
  await waitForRollout(HEALTHY, 'deploy/web');
});
afterAll(async () => {
  await deleteNamespace(HEALTHY);
});

interface Report {
  findings: { code: string; severity: string; object: { kind: string; namespace?: string; name: string } }[];
  checks: { id: string; status: string }[];
}

describe('kdiag check on the local cluster', () => {
  test('reports every planted fault in production and exits 1', async () => {
    const r = await runKdiag(['check', '-n', 'production', '-o', 'json', '--config', config]);
    expect(r.code).toBe(1);
    const report: Report = JSON.parse(r.stdout);
    const found = new Set(report.findings.map((f) => `${f.object.name}:${f.code}`));
    for (const expected of [
      'api-v2-service:KD1001',
      'orders-service:KD1002',
      'worker-service:KD1002',
      'metrics-service:KD1005',
      'legacy-db:KD1006',
      'cache-service:KD1008',
      'api-nodeport:KD2001',
      'api-public:KD2002',
    ]) {
      expect(found).toContain(expected);
    }
    // The Ingress sends /api/v2 to a Service without endpoints.
    expect(report.findings.some((f) => f.object.name === 'api-ingress' && f.severity === 'error')).toBe(true);
    // Healthy objects: no error or warning.
    const healthy = ['api-service', 'api-v1-service', 'postgres', 'redis-headless'];
    expect(report.findings.filter((f) => healthy.includes(f.object.name) && f.object.kind === 'Service' && f.severity !== 'info')).toEqual([]);
    expect(report.checks.find((c) => c.id === 'cluster-dns')!.status).toBe('passed');
    expect(report.checks.every((c) => c.status !== 'errored' && c.status !== 'skipped')).toBe(true);
  });

  test('exits 0 on a healthy namespace', async () => {
    const r = await runKdiag(['check', '-n', HEALTHY, '--config', config]);
    expect(r.stderr).toMatch(/✓ Cluster reachable: https:\/\/127\.0\.0\.1:\d+ \(v1\.35\.\d+\)/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^CHECK\s+STATUS\s+ERRORS\s+WARNINGS\s+TIME$/m);
  });

  test('JUnit output parses as JUnit XML with a failing case per broken object', async () => {
    const r = await runKdiag(['check', '-n', 'production', '-o', 'junit', '--only', 'endpoints', '--config', config]);
    expect(r.code).toBe(1);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.stdout);
    const cases = [xml.testsuites.testsuite.testcase].flat() as { name: string; failure?: { type: string } }[];
    expect(cases.find((c) => c.name === 'Service production/api-v2-service')!.failure!.type).toBe('KD1001');
  });
});

describe('kdiag trace on the local cluster', () => {
  test('a working URL: every hop on the request path is ✓, exit 0', async () => {
    const r = await runKdiag(['trace', 'https://api.example.com/api/v1/users', '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { stopsAt: string | null; hops: { id: string; status: string }[] };
    expect(report.stopsAt).toBeNull();
    expect(report.hops.filter((h) => h.id !== 'egress').map((h) => `${h.id}:${h.status}`)).toEqual([
      'load-balancer:ok',
      'controller:ok',
      'tls:ok',
      'ingress-rule:ok',
      'service:ok',
      'endpoints:ok',
      'network-policy:ok',
    ]);
    const text = await runKdiag(['trace', 'https://api.example.com/api/v1/users']);
    expect(text.stdout).toMatch(/✓ NetworkPolicy\s+ingress-nginx → api-server-\S+:8080 allowed \(by production\/api-server-policy\)/);
    expect(text.stdout).toMatch(/✓ cluster DNS kube-system\/coredns-\S+:53\/UDP allowed/);
  });

  test('a broken URL stops at the Pods hop with the endpoints cause, exit 1', async () => {
    const r = await runKdiag(['trace', 'https://api.example.com/api/v2/orders']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ Pods\s+no ready endpoint on port 80: selector app=api-v2 matches no pod/);
    expect(r.stdout).toMatch(
      /↳ traffic stops here: No Pod in namespace production has the labels app=api-v2\. Pods with the same label keys: app=api-v2-server/,
    );
    expect(r.stdout).toContain('The request stops at: Pods.');
  });

  test('--probe sends the request from a pod with the ingress controller labels and reports the answer', async () => {
    const ok = await runKdiag(['trace', 'https://api.example.com/api/v1/users', '--probe']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /✓ Live probe\s+HTTP 200 from a pod in ingress-nginx with the labels of .*app\.kubernetes\.io\/name=ingress-nginx.* → http:\/\/api-v1-service\.production\.svc\.cluster\.local:80\/api\/v1\/users \(answered by api-server-/,
    );
    const broken = await runKdiag(['trace', 'https://api.example.com/api/v2/orders', '--probe', '-o', 'json']);
    expect(broken.code).toBe(1);
    const report = JSON.parse(broken.stdout) as { hops: { id: string; status: string }[] };
    expect(report.hops.find((h) => h.id === 'probe')!.status).toBe('fail');
    const left = await kubectl(['get', 'pods,jobs', '-A', '-l', 'app.kubernetes.io/managed-by=kdiag', '-o', 'name']);
    expect(left.stdout.trim()).toBe('');
  });

  test('a URL for a Service starts there', async () => {
    const r = await runKdiag(['trace', 'http://api-service.production/health']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ Service production\/api-service/);
  });
});
