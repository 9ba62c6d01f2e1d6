// --watch redraws when a watched kind changes (like kubectl get -w), and Ctrl-C ends it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { apply, deleteNamespace, ensureNamespace, kubeconfigPath, REPO_ROOT } from './support/cluster.js';

const NS = 'kdiag-e2e-watch';

beforeAll(async () => {
  await ensureNamespace(NS);
  await apply(`
apiVersion: v1
kind: Service
metadata: {name: first, namespace: ${NS}}
spec: {ports: [{port: 80}]}
`);
});
afterAll(async () => {
  await deleteNamespace(NS);
});

test('kdiag endpoints --watch re-renders when a Service appears, and exits 0 on SIGINT', async () => {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'run.js'), 'endpoints', '-n', NS, '--watch', '--kubeconfig', kubeconfigPath()], {
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const waitFor = async (pattern: RegExp, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!pattern.test(out)) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; output so far:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await waitFor(/first\s+ClusterIP\s+0\s+0\s+NO ENDPOINTS/);
  expect(out).not.toMatch(/second/);
  await apply(`
apiVersion: v1
kind: Service
metadata: {name: second, namespace: ${NS}}
spec: {ports: [{port: 80}]}
`);
  await waitFor(/--- \d{4}-\d\d-\d\dT[\d:.]+Z ---[\s\S]*second\s+ClusterIP/);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  expect(await exited).toBe(0);
});
