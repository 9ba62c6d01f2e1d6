// kdiag endpoints and kdiag services through the real binary against the local cluster's
// production scenario (cluster/scenario, planted faults in cluster/scenario/FAULTS.md).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from '../support/local-api.js';
import { kdiagBinary } from '../support/run.js';
import { kubeconfigPath, runKdiag } from './support/cluster.js';

interface Finding {
  code: string;
  severity: string;
  object: { kind: string; namespace?: string; name: string };
  message: string;
  cause: string;
  fix: string;
}

const byObject = (findings: Finding[]) => {
  const out: Record<string, string[]> = {};
  for (const f of findings) (out[f.object.name] ??= []).push(f.code);
  return out;
};

describe('kdiag endpoints on the local cluster', () => {
  let report: { findings: Finding[]; services: { name: string; ready: number; status: string; endpoints: { ports: string[] }[] }[] };
  let code: number;

  beforeAll(async () => {
    const r = await runKdiag(['endpoints', '-n', 'production', '-o', 'json']);
    code = r.code;
    report = JSON.parse(r.stdout);
  });

  test('reports exactly the planted endpoint faults, each with its cause, and exits 1', () => {
    expect(code).toBe(1);
    const found = byObject(report.findings);
    expect(found).toEqual({
      'api-v2-service': ['KD1001'],
      'orders-service': ['KD1002'],
      'worker-service': ['KD1002'],
      'metrics-service': ['KD1005'],
      'legacy-db': ['KD1006'],
      'cache-service': ['KD1008'],
    });
    const f = (name: string) => report.findings.find((x) => x.object.name === name)!;
    expect(f('api-v2-service').cause).toContain('app=api-v2-server');
    expect(f('orders-service').cause).toMatch(/running but not ready \(its readinessProbe fails\)/);
    expect(f('worker-service').cause).toMatch(/CrashLoopBackOff|exit code 1|Error/);
    expect(f('metrics-service').cause).toContain('"http-api"');
  });

  test('the real API lists the named-port pod in an EndpointSlice without ports, and kdiag does not count it', () => {
    const metrics = report.services.find((s) => s.name === 'metrics-service')!;
    expect(metrics.ready).toBe(0);
    expect(metrics.endpoints.length).toBeGreaterThan(0);
    expect(metrics.endpoints.every((e) => e.ports.length === 0)).toBe(true);
  });

  test('healthy Services have ready endpoints and no finding', () => {
    for (const name of ['api-service', 'api-v1-service', 'postgres', 'redis-headless']) {
      const s = report.services.find((x) => x.name === name)!;
      expect({ name, status: s.status, ready: s.ready >= 1 }).toEqual({ name, status: 'OK', ready: true });
    }
  });

  test('the table names the cause in the CAUSE column', async () => {
    const r = await runKdiag(['endpoints', '-n', 'production']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+SERVICE\s+TYPE\s+READY\s+NOT READY\s+STATUS\s+CAUSE$/);
    expect(r.stdout).toMatch(/production\s+api-v2-service\s+ClusterIP\s+0\s+0\s+NO ENDPOINTS\s+selector app=api-v2 matches no pod/);
  });

  test('one Service in detail, and a namespace that does not exist', async () => {
    const one = await runKdiag(['endpoints', 'api-service', '-n', 'production']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('Service:    production/api-service');
    expect(one.stdout).toMatch(/SELECTED PODS/);
    const missing = await runKdiag(['endpoints', '-n', 'no-such-namespace']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('kdiag: namespace no-such-namespace not found');
  });
});

describe('kdiag services on the local cluster', () => {
  test('reports the NodePort and the pending LoadBalancer in production', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdiag-e2e-'));
    const config = join(dir, 'kdiag.yaml');
    // No grace period: the scenario's LoadBalancer may be younger than the default 5 minutes.
    writeFileSync(config, 'thresholds:\n  addressGraceSeconds: 0\n');
    const r = await runKdiag(['services', '-n', 'production', '-o', 'json', '--config', config]);
    expect(r.code).toBe(1);
    const found = byObject(JSON.parse(r.stdout).findings);
    expect(found['api-nodeport']).toContain('KD2001');
    expect(found['api-public']).toContain('KD2002');
    expect(found['metrics-service']).toEqual(['KD2005']);
    expect(found['api-service']).toBeUndefined();
  });
});

describe('kdiag against a stopped API server address', () => {
  test('exits 2 with one sentence naming the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdiag-e2e-'));
    const kc = join(dir, 'config');
    const port = await closedPort();
    writeFileSync(kc, readFileSync(kubeconfigPath(), 'utf8').replace(/server: https:\/\/[^\s]+/, `server: https://127.0.0.1:${port}`));
    const r = await kdiagBinary(['endpoints', '-n', 'production', '--kubeconfig', kc]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`kdiag: cannot reach https://127.0.0.1:${port} (connection refused): is the cluster running and is --context right?`);
  });
});
