// Least privilege: kdiag run as service accounts bound to exactly deploy/rbac.yaml's roles.
import { join } from 'node:path';
import { kdiagBinary } from '../support/run.js';
import { apply, kubectl, REPO_ROOT, serviceAccountKubeconfig } from './support/cluster.js';

const NS = 'kdiag-e2e-rbac';
const outputs: string[] = [];

/** A kubeconfig for service account `sa`, in the production namespace by default. */
function kubeconfigFor(sa: string): Promise<{ file: string; token: string }> {
  return serviceAccountKubeconfig(NS, sa, 'production');
}

async function kdiagAs(file: string, args: string[]) {
  const r = await kdiagBinary([...args, '--kubeconfig', file], {}, 180_000);
  outputs.push(r.stdout, r.stderr);
  return r;
}

beforeAll(async () => {
  const roles = await kubectl(['apply', '-f', join(REPO_ROOT, 'deploy', 'rbac.yaml'), '-l', 'kdiag.dev/scope=cluster']);
  expect(roles.code).toBe(0);
  await apply(`
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader, namespace: ${NS}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: nobody, namespace: ${NS}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kdiag-e2e-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kdiag-read}
subjects: [{kind: ServiceAccount, name: reader, namespace: ${NS}}]
`);
});

afterAll(async () => {
  await kubectl(['delete', 'clusterrolebinding', 'kdiag-e2e-reader', '--ignore-not-found']);
  await kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
});

describe('least privilege', () => {
  test('with kdiag-read only, endpoints, services and check work', async () => {
    const { file, token } = await kubeconfigFor('reader');
    const endpoints = await kdiagAs(file, ['endpoints', '-n', 'production', '-o', 'json']);
    expect(endpoints.code).toBe(1);
    expect(JSON.parse(endpoints.stdout).findings.length).toBeGreaterThan(0);
    const services = await kdiagAs(file, ['services', '-n', 'production', '-o', 'json']);
    expect([0, 1]).toContain(services.code);
    const check = await kdiagAs(file, ['check', '-n', 'production', '-o', 'json']);
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout);
    expect(report.checks.filter((c: { status: string }) => c.status === 'skipped' || c.status === 'errored')).toEqual([]);
    // Probes need kdiag-probes: with kdiag-read only they are skipped with a finding naming the rule.
    const probes = await kdiagAs(file, ['check', '-n', 'production', '--probes', '-o', 'json']);
    const withProbes = JSON.parse(probes.stdout);
    expect(withProbes.checks.find((c: { id: string }) => c.id === 'probes').status).toBe('skipped');
    const missing = withProbes.findings.filter((f: { code: string }) => f.code === 'KD6001');
    expect(missing.map((f: { object: { name: string } }) => f.object.name)).toEqual(
      expect.arrayContaining(['create pods', 'delete pods', 'get pods/log', 'create jobs.batch']),
    );
    expect(missing[0].fix).toContain('kdiag-probes ClusterRole');
    expect(withProbes.checks.filter((c: { id: string; status: string }) => c.id !== 'probes' && c.status === 'skipped')).toEqual([]);
    for (const text of outputs) expect(text).not.toContain(token);
  });

  test('with no permissions at all, kdiag exits 2 naming the permission it lacked first', async () => {
    const { file, token } = await kdiagAsNobody();
    const r = await kdiagAs(file, ['endpoints', '-n', 'production']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^kdiag: you lack `list` on `(services|endpointslices\.discovery\.k8s\.io|pods)` in namespace production \(403 Forbidden\)/,
    );
    const check = await kdiagAs(file, ['check', '-n', 'production']);
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/kdiag: you lack `list` on `\S+` in namespace production \(and \d+ more permissions\), so no check can run/);
    expect(r.stderr + check.stderr + check.stdout).not.toContain(token);
  });
});

async function kdiagAsNobody() {
  return kubeconfigFor('nobody');
}
