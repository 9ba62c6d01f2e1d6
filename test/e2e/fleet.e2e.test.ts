// Many clusters at once on the local cluster: one kubeconfig with four contexts — the admin in
// namespace production, a ServiceAccount bound to kdiag-read in this test's namespace, a
// ServiceAccount with no rights (forbidden) and a server on a closed local port (unreachable).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { kdiagBinary } from '../support/run.js';
import { apply, kubeconfigPath, kubectl, REPO_ROOT } from './support/cluster.js';

const NS = `kdiag-e2e-fleet-${Math.random().toString(36).slice(2, 7)}`;
let kubeconfig = '';

async function token(sa: string): Promise<string> {
  const t = (await kubectl(['-n', NS, 'create', 'token', sa, '--duration=15m'])).stdout.trim();
  if (t.length < 20) throw new Error(`no token for ${sa}`);
  return t;
}

beforeAll(async () => {
  expect((await kubectl(['apply', '-f', join(REPO_ROOT, 'deploy', 'rbac.yaml'), '-l', 'kdiag.dev/scope=cluster'])).code).toBe(0);
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
metadata: {name: ${NS}-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kdiag-read}
subjects: [{kind: ServiceAccount, name: reader, namespace: ${NS}}]
---
apiVersion: v1
kind: Service
metadata: {name: orphan, namespace: ${NS}}
spec: {selector: {app: nothing-here}, ports: [{port: 80}]}
`);
  const admin = load(readFileSync(kubeconfigPath(), 'utf8')) as any;
  const cluster = admin.clusters[0];
  const adminUser = admin.users.find((u: { name: string }) => u.name === admin.contexts[0].context.user);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'admin',
    clusters: [cluster, { name: 'closed', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
    users: [adminUser, { name: 'reader', user: { token: await token('reader') } }, { name: 'nobody', user: { token: await token('nobody') } }],
    contexts: [
      { name: 'admin', context: { cluster: cluster.name, user: adminUser.name, namespace: 'production' } },
      { name: 'reader', context: { cluster: cluster.name, user: 'reader', namespace: NS } },
      { name: 'nobody', context: { cluster: cluster.name, user: 'nobody', namespace: NS } },
      { name: 'closed', context: { cluster: 'closed', user: 'reader', namespace: NS } },
    ],
  };
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'kdiag-fleet-')), 'config');
  writeFileSync(kubeconfig, dump(config));
});

afterAll(async () => {
  await kubectl(['delete', 'clusterrolebinding', `${NS}-reader`, '--ignore-not-found']);
  await kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
});

test('--all-contexts: each cluster reported, unreachable and forbidden ones do not stop the others', async () => {
  const r = await kdiagBinary(['check', '--all-contexts', '-o', 'json', '--kubeconfig', kubeconfig], {}, 240_000);
  expect(r.code).toBe(2);
  const report = JSON.parse(r.stdout);
  const byContext = Object.fromEntries(report.clusters.map((c: { context: string }) => [c.context, c]));
  expect(Object.keys(byContext)).toEqual(['admin', 'reader', 'nobody', 'closed']);
  expect(byContext.admin).toMatchObject({ status: 'findings', exitCode: 1 });
  expect(byContext.reader).toMatchObject({ status: 'findings', exitCode: 1 });
  expect(byContext.nobody).toMatchObject({ status: 'forbidden', exitCode: 2 });
  expect(byContext.closed).toMatchObject({ status: 'unreachable', exitCode: 2 });
  const codes = (ctx: string) =>
    report.findings
      .filter((f: { context: string }) => f.context === ctx)
      .map((f: { code: string; object: { namespace?: string; name: string } }) => `${f.code} ${f.object.namespace}/${f.object.name}`);
  expect(codes('reader')).toContain(`KD1001 ${NS}/orphan`);
  expect(codes('admin')).toContain('KD1001 production/api-v2-service');
  expect(codes('admin').some((c: string) => c.includes(NS))).toBe(false);
});

test('the table: one row per cluster, the reason for those kdiag could not diagnose', async () => {
  const r = await kdiagBinary(['check', '--context', 'reader,nobody,closed', '--only', 'endpoints', '--kubeconfig', kubeconfig], {}, 240_000);
  expect(r.code).toBe(2);
  const lines = r.stdout.split('\n');
  expect(lines[0]).toMatch(/^CONTEXT\s+STATUS\s+VERSION\s+ERRORS\s+WARNINGS\s+TIME$/);
  expect(lines[1]).toMatch(/^reader\s+findings\s+v1\.\d+\.\d+\s+1\s+\d+\s+[\d.]+s$/);
  expect(lines[2]).toMatch(/^nobody\s+forbidden\s+v1\.\d+\.\d+\s+\d+\s+\d+\s+[\d.]+s$/);
  expect(lines[3]).toMatch(/^closed\s+unreachable\s+-\s+0\s+0\s+[\d.]+s$/);
  expect(r.stdout).toMatch(/^closed: unreachable: .*127\.0\.0\.1:1/m);
  process.stdout.write(`\n--- kdiag check --context reader,nobody,closed --only endpoints ---\n${r.stdout.split('\n').slice(0, 12).join('\n')}\n`);
});
