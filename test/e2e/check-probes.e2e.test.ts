// kdiag check --probes on the local cluster: probes run, respect --concurrency and leave nothing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, runKdiag } from './support/cluster.js';

test('check --probes tests the Services of production from a probe pod and cleans up', async () => {
  const r = await runKdiag(['check', '-n', 'production', '--probes', '-o', 'json']);
  expect(r.code).toBe(1);
  const report = JSON.parse(r.stdout) as { checks: { id: string; status: string }[]; findings: { code: string; severity: string; object: { name: string } }[] };
  expect(report.checks.find((c) => c.id === 'probes')!.status).toMatch(/passed|failed/);
  // A Service without endpoints fails with the endpoints cause.
  const v2 = report.findings.find((f) => f.object.name === 'api-v2-service' && f.code.startsWith('KD50'));
  expect(v2).toBeDefined();
  // Under default-deny-ingress a label-less probe is refused by design: reported as info.
  expect(report.findings.filter((f) => f.code === 'KD5039').every((f) => f.severity === 'info')).toBe(true);
  expect(r.stderr).toMatch(/✓ Probes: \d+ Service\(s\) in 1 namespace\(s\), 1 probe pod\(s\), at most 1 at once/);
  const left = await kubectl(['get', 'pods,jobs', '-A', '-l', 'app.kubernetes.io/managed-by=kdiag', '-o', 'name']);
  expect(left.stdout.trim()).toBe('');
});

test('check --probes -A keeps at most --concurrency probe pods alive', async () => {
  // Probe the scenario's namespaces only: whatever else the cluster holds is silenced in .kdiag.yaml.
  const keep = ['production', 'payment-service', 'auth-service', 'ingress-nginx', 'kube-system'];
  const all = (await kubectl(['get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.split(/\s+/).filter(Boolean);
  const config = join(mkdtempSync(join(tmpdir(), 'kdiag-e2e-')), 'kdiag.yaml');
  writeFileSync(config, `ignore:\n  namespaces: [${all.filter((n) => !keep.includes(n)).join(', ')}]\n`);
  const r = await runKdiag(['check', '-A', '--probes', '--concurrency', '2', '--only', 'cluster-dns', '-o', 'json', '--config', config], {
    timeoutMs: 290_000,
  });
  expect([0, 1]).toContain(r.code);
  const m = /✓ Probes: \d+ Service\(s\) in (\d+) namespace\(s\), (\d+) probe pod\(s\), at most (\d+) at once/.exec(r.stderr);
  expect(m).not.toBeNull();
  expect(Number(m![2])).toBeGreaterThan(2);
  expect(Number(m![3])).toBeLessThanOrEqual(2);
  const left = await kubectl(['get', 'pods,jobs', '-A', '-l', 'app.kubernetes.io/managed-by=kdiag', '-o', 'name']);
  expect(left.stdout.trim()).toBe('');
});
