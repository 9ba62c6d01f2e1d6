// kdiag inside the cluster: deploy/cronjob.yaml as shipped (in a namespace of its own), running
// kdiag's own image built from the single executable and imported into the cluster's containerd.
// A Job made from the CronJob must be admitted under the restricted Pod Security profile, run
// read-only, and log metrics that Prometheus's own checker (promtool) accepts.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { apply, kubectl, kubectlJson, REPO_ROOT, waitFor } from './support/cluster.js';

const NS = `kdiag-e2e-cron-${Math.random().toString(36).slice(2, 7)}`;
const BINDING = `${NS}-read`;
const CTR_SOCK = process.env.KDIAG_CTR_SOCK ?? '/run/kdiag/containerd.sock';
const SINGLE = join(REPO_ROOT, 'build', 'out', 'kdiag');

function exec(file: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: REPO_ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const c = (error as { code?: unknown } | null)?.code;
      resolve({ code: error ? (typeof c === 'number' ? c : 124) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Newest modification time under dist/ (the single executable is rebuilt when older). */
function newestDist(dir = join(REPO_ROOT, 'dist')): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (m, e) => Math.max(m, e.isDirectory() ? newestDist(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs),
    0,
  );
}

/** deploy/cronjob.yaml with its namespace and ClusterRoleBinding renamed for this test. */
function shippedManifest(): string {
  const docs = loadAll(readFileSync(join(REPO_ROOT, 'deploy', 'cronjob.yaml'), 'utf8')) as any[];
  for (const d of docs) {
    if (d.kind === 'Namespace') d.metadata.name = NS;
    else if (d.kind === 'ClusterRoleBinding') {
      d.metadata.name = BINDING;
      d.subjects[0].namespace = NS;
    } else d.metadata.namespace = NS;
  }
  return docs.map((d) => dump(d)).join('---\n');
}

let logText = '';

beforeAll(async () => {
  if (!existsSync(SINGLE) || statSync(SINGLE).mtimeMs < newestDist()) {
    const r = await exec(process.execPath, [join(REPO_ROOT, 'build', 'single', 'build.mjs')], 280_000);
    if (r.code !== 0) throw new Error(`build:single failed: ${r.stderr}`);
  }
  const image = await exec('bash', [join(REPO_ROOT, 'deploy', 'image', 'build.sh'), '--import', '--address', CTR_SOCK], 240_000);
  if (image.code !== 0) throw new Error(`deploy/image/build.sh failed: ${image.stderr}`);
  expect((await kubectl(['apply', '-f', join(REPO_ROOT, 'deploy', 'rbac.yaml'), '-l', 'kdiag.dev/scope=cluster'])).code).toBe(0);
  await apply(shippedManifest());
  // A planted fault in the test's namespace: a Service whose selector matches no pod.
  await apply(`
apiVersion: v1
kind: Service
metadata: {name: orphan, namespace: ${NS}}
spec: {selector: {app: nothing-here}, ports: [{port: 80}]}
`);
}, 600_000);

afterAll(async () => {
  await kubectl(['delete', 'clusterrolebinding', BINDING, '--ignore-not-found']);
  await kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
});

describe('deploy/cronjob.yaml on the local cluster', () => {
  test('the shipped objects are what the brief promises: restricted, read-only, no probes', () => {
    const docs = loadAll(readFileSync(join(REPO_ROOT, 'deploy', 'cronjob.yaml'), 'utf8')) as any[];
    const ns = docs.find((d) => d.kind === 'Namespace');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const binding = docs.find((d) => d.kind === 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kdiag-read' });
    const cron = docs.find((d) => d.kind === 'CronJob');
    const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.args).not.toContain('--probes');
    expect(container.args).toEqual(expect.arrayContaining(['-o', 'prometheus']));
    const rbac = loadAll(readFileSync(join(REPO_ROOT, 'deploy', 'rbac.yaml'), 'utf8')) as any[];
    const read = rbac.find((d) => d?.metadata?.name === 'kdiag-read');
    // Reads only; the one `create` is SelfSubjectAccessReview (asking what kdiag may read).
    for (const rule of read.rules as { resources: string[]; verbs: string[] }[]) {
      if (rule.resources.includes('selfsubjectaccessreviews')) expect(rule).toMatchObject({ resources: ['selfsubjectaccessreviews'], verbs: ['create'] });
      else expect(rule.verbs.every((v) => ['get', 'list', 'watch'].includes(v))).toBe(true);
      expect(rule.resources).not.toContain('secrets');
    }
  });

  test("a Job made from the CronJob runs kdiag's image and logs metrics promtool accepts", async () => {
    const created = await kubectl(['-n', NS, 'create', 'job', '--from=cronjob/kdiag', 'run-1']);
    expect(created).toMatchObject({ code: 0 });
    const job = await waitFor(
      async () => {
        const j = await kubectlJson(['-n', NS, 'get', 'job', 'run-1']);
        return (j.status?.succeeded ?? 0) + (j.status?.failed ?? 0) > 0 ? j : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 2_000, description: 'the kdiag Job to finish' },
    );
    const pods = await kubectlJson(['-n', NS, 'get', 'pods', '-l', 'job-name=run-1']);
    const pod = pods.items[0];
    expect(pod.spec.containers[0].image).toBe('kdiag.local/kdiag:0.1.0');
    expect(pod.spec.serviceAccountName).toBe('kdiag');
    // Exit 1: the shared cluster has findings (its planted faults, and ours); 2 would be kdiag failing.
    const exit = pod.status.containerStatuses[0].state.terminated.exitCode;
    expect([0, 1]).toContain(exit);
    expect(job.status.failed ?? 0).toBe(exit === 1 ? 1 : 0);
    const log = await kubectl(['-n', NS, 'logs', `job/run-1`]);
    expect(log.code).toBe(0);
    logText = log.stdout;
    const checked = spawnSync('promtool', ['check', 'metrics'], { input: logText, encoding: 'utf8' });
    expect({ code: checked.status, output: `${checked.stdout}${checked.stderr}` }).toEqual({ code: 0, output: '' });
    expect(logText).toMatch(/^kdiag_run_success\{cluster="local",context="inClusterContext"\} 1$/m);
    expect(logText).toMatch(
      new RegExp(
        `^kdiag_findings\\{cluster="local",context="inClusterContext",code="KD1001",check="endpoints",severity="error",namespace="${NS}",kind="Service"\\} 1$`,
        'm',
      ),
    );
    expect(logText).toMatch(/^kdiag_check_duration_seconds\{cluster="local",context="inClusterContext",check="endpoints"\} [\d.e-]+$/m);
    // Read-only: no Secrets, so no probe series and no permission finding for probes.
    expect(logText).not.toContain('kdiag_probe_');
  });
});

afterAll(() => {
  if (logText) process.stdout.write(`\n--- CronJob log (first lines) ---\n${logText.split('\n').slice(0, 12).join('\n')}\n`);
});
