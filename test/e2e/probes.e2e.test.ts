// kdiag dns / connectivity / cleanup through the real binary against the local cluster,
// with the default images (busybox:1.36, curlimages/curl:8.11.1 imported locally).
// Own namespaces (a suffix per run): kdiag-e2e-probes-* (Pod Security "restricted" enforced, a backend and a
// Service without endpoints) and kdiag-e2e-lockdown-* (an egress deny-all policy). The
// guide's scenario (production, ingress-nginx) is applied by cluster/e2e.sh.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  IMAGES,
  REPO_ROOT,
  apiServer,
  apply,
  deleteNamespace,
  kubeconfigPath,
  kubectl,
  kubectlJson,
  runKdiag,
  waitFor,
  waitForRollout,
} from './support/cluster.js';

// A suffix per run: a previous run's namespaces may still be terminating.
const RUN = Math.random().toString(36).slice(2, 7);
const NS = `kdiag-e2e-probes-${RUN}`;
const LOCKDOWN = `kdiag-e2e-lockdown-${RUN}`;
const QUOTA = `kdiag-e2e-quota-${RUN}`;
const LIMITS = `kdiag-e2e-limits-${RUN}`;
const PROBES = 'app.kubernetes.io/managed-by=kdiag';

async function leftovers(namespace: string): Promise<string[]> {
  const r = await kubectl(['-n', namespace, 'get', 'jobs,pods', '-l', PROBES, '-o', 'name']);
  return r.stdout.split('\n').filter(Boolean);
}

/** Starts the real binary; `signalAfter` sends a signal once the probe pod exists. */
function startKdiag(args: string[]): {
  child: ReturnType<typeof spawn>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
} {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'run.js'), ...args, '--kubeconfig', kubeconfigPath()], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

beforeAll(async () => {
  await apply(`
apiVersion: v1
kind: Namespace
metadata:
  name: ${NS}
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
---
apiVersion: v1
kind: Namespace
metadata: {name: ${LOCKDOWN}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${QUOTA}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: no-pods, namespace: ${QUOTA}}
spec:
  hard: {pods: "0"}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${LIMITS}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: big-minimum, namespace: ${LIMITS}}
spec:
  limits:
  - type: Container
    min: {cpu: 100m}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: ${LOCKDOWN}}
spec:
  podSelector: {}
  policyTypes: [Egress]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      securityContext: {runAsNonRoot: true, runAsUser: 65534, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: web
        image: ${IMAGES.backend}
        imagePullPolicy: IfNotPresent
        env: [{name: NAME, value: web}, {name: HTTP_PORTS, value: "8080"}, {name: TCP_PORTS, value: "5432"}]
        ports: [{name: http, containerPort: 8080}, {name: pg, containerPort: 5432}]
        readinessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 1}
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}
        resources: {requests: {cpu: 5m, memory: 16Mi}, limits: {memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}, {name: postgres, port: 5432, targetPort: pg}]
---
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: ${NS}}
spec:
  selector: {app: nothing}
  ports: [{name: http, port: 80, targetPort: 8080}]
`);
  await waitForRollout(NS, 'deploy/web');
  // The EndpointSlice controller may lag behind the rollout on a busy cluster.
  await waitFor(
    async () => {
      const slices = await kubectlJson(['-n', NS, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
      return slices.items.some((s: { endpoints?: { conditions?: { ready?: boolean } }[] }) => (s.endpoints ?? []).some((e) => e.conditions?.ready));
    },
    { timeoutMs: 120_000, description: 'a ready endpoint of Service web' },
  );
});

afterAll(async () => {
  for (const ns of [NS, LOCKDOWN, QUOTA, LIMITS]) await deleteNamespace(ns);
});

describe('kdiag dns on the local cluster', () => {
  test('a Service resolves three ways to its ClusterIP, and the probe is gone afterwards', async () => {
    const svc = await kubectlJson(['-n', 'production', 'get', 'service', 'api-service']);
    const r = await runKdiag(['dns', 'api-service', '-n', 'production', '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.lookups.map((l: { status: string; answer: string; matches: boolean }) => [l.status, l.answer, l.matches])).toEqual([
      ['OK', svc.spec.clusterIP, true],
      ['OK', svc.spec.clusterIP, true],
      ['OK', svc.spec.clusterIP, true],
    ]);
    expect(report.resolvConf).toMatchObject({
      nameservers: ['10.96.0.10'],
      ndots: 5,
      search: ['production.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
    });
    expect(report.clusterDns.readyEndpoints).toBeGreaterThan(0);
    expect(await leftovers('production')).toEqual([]);
  });

  test('a headless Service answers the ready pod IPs; a StatefulSet pod name its IP', async () => {
    await waitForRollout('production', 'statefulset/redis');
    const headless = JSON.parse((await runKdiag(['dns', 'redis-headless', '-n', 'production', '-o', 'json'])).stdout);
    expect(headless.lookups.every((l: { matches: boolean }) => l.matches)).toBe(true);
    const pod = await kubectlJson(['-n', 'production', 'get', 'pod', 'redis-0']);
    const r = await runKdiag(['dns', 'redis-0.redis-headless.production.svc.cluster.local', '-n', 'production', '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.subject).toEqual({ kind: 'pod', hostname: 'redis-0', service: 'redis-headless', namespace: 'production' });
    expect(report.lookups.map((l: { answer: string }) => l.answer)).toEqual([pod.status.podIP, pod.status.podIP, pod.status.podIP]);
  });

  test('an absent name: NXDOMAIN with similar Service names, exit 1', async () => {
    const r = await runKdiag(['dns', 'api-servce', '-n', 'production']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/api-servce\.production\.svc\.cluster\.local\.\s+NXDOMAIN/);
    expect(r.stdout).toContain('ERROR   KD5001  Service production/api-servce');
    expect(r.stdout).toContain('Services with a similar name in production: api-service');
  });

  test('an egress NetworkPolicy without DNS: timeout naming the policy', async () => {
    // kube-router programs a new policy asynchronously: allow it a few attempts to take hold.
    let r = await runKdiag(['dns', `web.${NS}`, '-n', LOCKDOWN, '--settle', '5s', '-o', 'json']);
    for (let attempt = 0; attempt < 3 && r.code === 0; attempt++) r = await runKdiag(['dns', `web.${NS}`, '-n', LOCKDOWN, '--settle', '5s', '-o', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const f = report.findings.find((x: { code: string }) => x.code === 'KD5002');
    expect(f.cause).toContain(`NetworkPolicy ${LOCKDOWN}/deny-egress selects the probe pod`);
    expect(report.lookups.map((l: { status: string }) => l.status)).toContain('TIMEOUT');
  });
});

describe('kdiag connectivity on the local cluster', () => {
  test('HTTP to a live backend (in a restricted namespace) with a TCP check in the same pod', async () => {
    const r = await runKdiag(['connectivity', 'web', 'web:5432', '-n', NS, '--path', '/health', '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.targets.map((t: { target: string; mode: string; status: string }) => [t.target, t.mode, t.status])).toEqual([
      ['web', 'http', 'HTTP 200'],
      ['web:5432', 'tcp', 'CONNECTED'],
    ]);
    expect(report.targets[0].answeredBy).toMatch(/^web-/);
    expect(report.targets[0].timings.totalMs).toBeGreaterThan(0);
    expect(await leftovers(NS)).toEqual([]);
  });

  test("a Service without endpoints: the endpoints check's cause", async () => {
    const r = await runKdiag(['connectivity', 'empty', '-n', NS]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`KD5032  Service ${NS}/empty`);
    expect(r.stdout).toContain('selector app=nothing matches no pod');
  });

  test("blocked by the guide's default-deny-ingress policy: the explanation names it", async () => {
    const r = await runKdiag(['connectivity', 'api-service.production', '-n', NS, '-o', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.findings[0].code).toBe('KD5039');
    // kube-router drops or rejects denied packets: timeout or refused, the policy is named either way.
    expect(report.findings[0].message).toMatch(/(timed out|refused): blocked by NetworkPolicy .*production\/default-deny-ingress/);
  });

  test('probing as the ingress controller (--from-namespace/--from-labels) gets through the same policy', async () => {
    const r = await runKdiag([
      'connectivity',
      'api-service.production',
      '-n',
      'production',
      '--from-namespace',
      'ingress-nginx',
      '--from-labels',
      'app.kubernetes.io/name=ingress-nginx',
      '--path',
      '/health',
      '-o',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).targets[0].status).toBe('HTTP 200');
  });
});

describe('probe pods that cannot run fail fast with the reason', () => {
  test('an exhausted ResourceQuota: the dry run names it, nothing is created', async () => {
    const r = await runKdiag(['dns', 'kube-dns.kube-system', '-n', QUOTA]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`kdiag: the probe pod was rejected in namespace ${QUOTA} by a ResourceQuota:`);
    expect(r.stderr).toContain('exceeded quota: no-pods');
    expect(await leftovers(QUOTA)).toEqual([]);
  });

  test("a LimitRange whose minimum is above the probe's request", async () => {
    const r = await runKdiag(['connectivity', 'kube-dns.kube-system:53', '-n', LIMITS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`kdiag: the probe pod was rejected in namespace ${LIMITS} by a LimitRange:`);
    expect(await leftovers(LIMITS)).toEqual([]);
  });

  test('an image that is not there: ErrImagePull names it and --image, and the Job is deleted', async () => {
    // A registry on the node's loopback that refuses: the pull fails without leaving the machine.
    const r = await runKdiag(['dns', 'kube-dns.kube-system', '-n', NS, '--image', '127.0.0.1:1/no-such-image:1.0', '--timeout', '60s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kdiag: the probe image 127\.0\.0\.1:1\/no-such-image:1\.0 cannot be pulled on node \S+ \((ErrImagePull|ImagePullBackOff)/);
    expect(r.stderr).toContain('use --image');
    await waitFor(async () => (await leftovers(NS)).length === 0, { timeoutMs: 15_000, intervalMs: 500, description: 'the probe to be gone' });
  });
});

describe('nothing left behind', () => {
  test('Ctrl-C (SIGINT) during a probe: kdiag stops within 2 s and deletes the Job and pod', async () => {
    const { child, done } = startKdiag(['dns', `web.${NS}`, '-n', LOCKDOWN, '--settle', '10s']);
    await waitFor(async () => (await leftovers(LOCKDOWN)).some((o) => o.startsWith('pod/')), {
      timeoutMs: 60_000,
      intervalMs: 300,
      description: 'the probe pod',
    });
    const sent = Date.now();
    child.kill('SIGINT');
    const result = await done;
    expect(Date.now() - sent).toBeLessThan(2000);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('SIGINT received: deleting probe Job');
    await waitFor(async () => (await leftovers(LOCKDOWN)).length === 0, { timeoutMs: 15_000, intervalMs: 500, description: 'the probe to be gone' });
  });

  test('SIGTERM likewise', async () => {
    const { child, done } = startKdiag(['dns', `web.${NS}`, '-n', LOCKDOWN, '--settle', '10s']);
    await waitFor(async () => (await leftovers(LOCKDOWN)).some((o) => o.startsWith('pod/')), {
      timeoutMs: 60_000,
      intervalMs: 300,
      description: 'the probe pod',
    });
    child.kill('SIGTERM');
    expect((await done).code).toBe(143);
    await waitFor(async () => (await leftovers(LOCKDOWN)).length === 0, { timeoutMs: 15_000, intervalMs: 500, description: 'the probe to be gone' });
  });

  test('SIGKILL: the cluster removes the Job and pod on its own (deadline + ttlSecondsAfterFinished)', async () => {
    const { child, done } = startKdiag(['dns', `web.${NS}`, '-n', LOCKDOWN, '--settle', '10s', '--timeout', '20s']);
    await waitFor(async () => (await leftovers(LOCKDOWN)).some((o) => o.startsWith('pod/')), {
      timeoutMs: 60_000,
      intervalMs: 300,
      description: 'the probe pod',
    });
    child.kill('SIGKILL');
    await done;
    expect((await leftovers(LOCKDOWN)).length).toBeGreaterThan(0);
    // Documented bound: --timeout + 60 s (pod deadline --timeout + 30 s, then a 30 s TTL).
    await waitFor(async () => (await leftovers(LOCKDOWN)).length === 0, {
      timeoutMs: 100_000,
      intervalMs: 2000,
      description: 'the cluster to remove the probe',
    });
  });

  test('the API server stops in the middle of a probe: exit 2 naming the server and the Job; once it is back, the cluster removes the probe', async () => {
    const { done } = startKdiag(['dns', `web.${NS}`, '-n', LOCKDOWN, '--settle', '10s', '--timeout', '20s']);
    await waitFor(async () => (await leftovers(LOCKDOWN)).some((o) => o.startsWith('pod/')), {
      timeoutMs: 60_000,
      intervalMs: 300,
      description: 'the probe pod',
    });
    await apiServer('stop');
    let result: Awaited<typeof done>;
    try {
      result = await done;
    } finally {
      await apiServer('start');
    }
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot reach https:\/\/[\w.-]+:6443 \(connection refused\)/);
    // 20 s --timeout → a 50 s pod deadline, then the 30 s TTL.
    expect(result.stderr).toMatch(new RegExp(`could not delete the probe Job ${LOCKDOWN}/kdiag-dns-[0-9a-f]{6}; the cluster removes it within 80 s`));
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect((await leftovers(LOCKDOWN)).length).toBeGreaterThan(0);
    await waitFor(async () => (await leftovers(LOCKDOWN)).length === 0, {
      timeoutMs: 120_000,
      intervalMs: 2000,
      description: 'the cluster to remove the probe',
    });
  });

  test('the only node is tainted NoSchedule: exit 2 naming the taint at once, nothing left behind', async () => {
    const taint = 'kdiag.dev/e2e=maintenance:NoSchedule';
    const node = (await kubectl(['get', 'nodes', '-l', '!type', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout.trim();
    expect((await kubectl(['taint', 'node', node, taint])).code).toBe(0);
    let r: Awaited<ReturnType<typeof runKdiag>>;
    try {
      r = await runKdiag(['dns', `web.${NS}`, '-n', NS, '--timeout', '30s']);
    } finally {
      await kubectl(['taint', 'node', node, `${taint.split('=')[0]}:NoSchedule-`]);
    }
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the probe pod .+ cannot be scheduled: .*untolerated taint/);
    expect(r.stderr).toContain('--node-selector');
    await waitFor(async () => (await leftovers(NS)).length === 0, { timeoutMs: 15_000, intervalMs: 500, description: 'the probe to be gone' });
  });

  test('--keep leaves the probe; kdiag cleanup lists it (--dry-run) and deletes it', async () => {
    const kept = await runKdiag(['connectivity', 'web', '-n', NS, '--keep']);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(new RegExp(`Kept Job ${NS}/kdiag-conn-[0-9a-f]{6}`));
    const before = await leftovers(NS);
    expect(before.length).toBe(2);
    const job = await kubectlJson(['-n', NS, 'get', before.find((o) => o.startsWith('job'))!]);
    expect(job.spec.ttlSecondsAfterFinished).toBe(3600);
    const dry = await runKdiag(['cleanup', '-n', NS, '--dry-run', '-o', 'json']);
    expect(JSON.parse(dry.stdout).objects.map((o: { kind: string; action: string }) => [o.kind, o.action])).toEqual([
      ['Job', 'would delete'],
      ['Pod', 'would delete'],
    ]);
    expect(await leftovers(NS)).toEqual(before);
    const real = await runKdiag(['cleanup', '-n', NS]);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('2 object(s) deleted.');
    await waitFor(async () => (await leftovers(NS)).length === 0, { timeoutMs: 30_000, intervalMs: 500, description: 'cleanup' });
  });
});
