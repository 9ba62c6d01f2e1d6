// Helpers for end-to-end tests against kdiag's local cluster (see cluster/README.md).
// Every call targets the local cluster's API through its admin kubeconfig; pods
// created by tests only ever talk to cluster Services and Pods.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Kill the child after this long (default 120 s). */
  timeoutMs?: number;
  /** Written to the child's stdin. */
  input?: string;
  /** Extra environment variables. */
  env?: NodeJS.ProcessEnv;
}

/** Local images, built by cluster/up.sh and imported into containerd. */
export const IMAGES = {
  busybox: 'docker.io/library/busybox:1.36',
  curl: 'docker.io/curlimages/curl:8.11.1',
  backend: 'kdiag.local/backend:1.0',
} as const;

/** The admin kubeconfig of the local cluster: $KDIAG_E2E_KUBECONFIG, else the state dir's. */
export function kubeconfigPath(): string {
  if (process.env.KDIAG_E2E_KUBECONFIG) return process.env.KDIAG_E2E_KUBECONFIG;
  const state = process.env.KDIAG_STATE ?? '/var/lib/kdiag/cluster';
  return join(state, 'kubeconfig');
}

export function clusterAvailable(): boolean {
  return existsSync(kubeconfigPath());
}

function run(file: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        env: { ...process.env, NO_COLOR: '1', ...opts.env },
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 256 * 1024 * 1024,
        cwd: REPO_ROOT,
      },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) {
          const c = (error as { code?: unknown }).code;
          code = typeof c === 'number' ? c : 124; // 124: killed (timeout) or could not start
        }
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** `kubectl --kubeconfig <local cluster> ...args` */
export function kubectl(args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return run('kubectl', ['--kubeconfig', kubeconfigPath(), ...args], opts);
}

/** kubectl with `-o json`, parsed; throws with stderr when kubectl fails. */
export async function kubectlJson<T = any>(args: string[], opts: ExecOptions = {}): Promise<T> {
  const r = await kubectl([...args, '-o', 'json'], opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Stops or starts only the local cluster's kube-apiserver (the API server going away mid-run). */
export async function apiServer(action: 'stop' | 'start'): Promise<void> {
  const r = await run('bash', [join(REPO_ROOT, 'cluster', 'apiserver.sh'), action], { timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`cluster/apiserver.sh ${action} failed (${r.code}): ${r.stderr}${r.stdout}`);
  if (action === 'start') await freshCoreDns();
}

/**
 * The undo of an API-server stop is not complete while CoreDNS's log holds the watch errors it
 * wrote meanwhile: kdiag reads the last 15 minutes of that log and rightly reports them (KD5057:
 * an error for the first 3 minutes after the last one, then info) to every later test that probes
 * DNS. New CoreDNS pods start with a clean log; the old ones are waited for until they are gone.
 */
async function freshCoreDns(): Promise<void> {
  const r = await kubectl(['-n', 'kube-system', 'rollout', 'restart', 'deployment/coredns']);
  if (r.code !== 0) throw new Error(`restarting CoreDNS failed: ${r.stderr}`);
  await waitForRollout('kube-system', 'deployment/coredns');
  await waitFor(
    async () => {
      const pods = await kubectlJson<{ items: { metadata: { deletionTimestamp?: string } }[] }>(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns']);
      return pods.items.every((p) => !p.metadata.deletionTimestamp);
    },
    { timeoutMs: 120_000, intervalMs: 1_000, description: 'the old CoreDNS pods to be gone' },
  );
}

/** Applies a manifest given as text (YAML or JSON). */
export async function apply(manifest: string, opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await kubectl(['apply', '-f', '-'], { ...opts, input: manifest });
  if (r.code !== 0) throw new Error(`kubectl apply failed (${r.code}): ${r.stderr}`);
  return r;
}

/** The real kdiag binary (`node bin/run.js ...args --kubeconfig <local cluster>`), with this Node. */
export function runKdiag(args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return run(process.execPath, [join(REPO_ROOT, 'bin', 'run.js'), ...args, '--kubeconfig', kubeconfigPath()], {
    timeoutMs: 180_000,
    ...opts,
  });
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  description?: string;
}

/** Polls `check` until it returns a value other than undefined/false/null; returns that value. */
export async function waitFor<T>(check: () => Promise<T | undefined | false | null> | T | undefined | false | null, opts: WaitOptions = {}): Promise<T> {
  const timeout = opts.timeoutMs ?? 120_000;
  const interval = opts.intervalMs ?? 1_000;
  const end = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false && v !== null) return v as T;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= end) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${opts.description ?? 'condition'}${why}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits until a Deployment/StatefulSet/DaemonSet has rolled out. */
export async function waitForRollout(namespace: string, workload: string, timeoutMs = 180_000): Promise<void> {
  const r = await kubectl(['-n', namespace, 'rollout', 'status', workload, `--timeout=${Math.round(timeoutMs / 1000)}s`], {
    timeoutMs: timeoutMs + 10_000,
  });
  if (r.code !== 0) throw new Error(`rollout of ${namespace}/${workload} failed: ${r.stderr || r.stdout}`);
}

/**
 * Waits until a Service's ClusterIP answers HTTP from this machine (any status): kube-proxy has
 * programmed its rules. A Service created a moment ago is refused at its address until then, and
 * a probe that runs in that window rightly reports the Service path (KD5040). The address is the
 * local cluster's own; nothing leaves the machine.
 */
export async function waitForServiceAnswers(namespace: string, name: string, port = 80, timeoutMs = 60_000): Promise<void> {
  const ip = (await kubectl(['-n', namespace, 'get', 'service', name, '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
  if (!ip) throw new Error(`Service ${namespace}/${name} has no ClusterIP`);
  const answers = () =>
    new Promise<boolean>((resolve) => {
      const req = request({ host: ip, port, path: '/', timeout: 1_000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  await waitFor(answers, { timeoutMs, intervalMs: 250, description: `Service ${namespace}/${name} (${ip}:${port}) to answer` });
}

/**
 * Creates a namespace if it does not exist. A namespace still terminating from
 * an earlier run is waited for (up to 3 min) and then created anew.
 */
export async function ensureNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  await waitFor(
    async () => {
      const r = await kubectl(['get', 'namespace', name, '-o', 'jsonpath={.status.phase}']);
      return r.code !== 0 || r.stdout !== 'Terminating';
    },
    { timeoutMs: 180_000, intervalMs: 2_000, description: `namespace ${name} to finish terminating` },
  );
  const r = await kubectl(['create', 'namespace', name]);
  if (r.code !== 0 && !/AlreadyExists/.test(r.stderr)) throw new Error(r.stderr);
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  if (pairs.length > 0) {
    const l = await kubectl(['label', 'namespace', name, '--overwrite', ...pairs]);
    if (l.code !== 0) throw new Error(l.stderr);
  }
}

export async function deleteNamespace(name: string, wait = false): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--ignore-not-found', `--wait=${wait}`], { timeoutMs: 180_000 });
}

export interface PodRun extends ExecResult {
  /** The pod's final phase (Succeeded, Failed) or the last one seen. */
  phase: string;
  /** The pod's log. */
  log: string;
}

/**
 * Runs a one-shot pod (`restartPolicy: Never`) with `sh -c script` in `image`,
 * waits until it has finished, returns its phase and log, and deletes it.
 */
export async function runPod(
  namespace: string,
  name: string,
  script: string,
  opts: {
    image?: string;
    timeoutMs?: number;
    labels?: Record<string, string>;
    /** The container's securityContext. */
    securityContext?: Record<string, unknown>;
  } = {},
): Promise<PodRun> {
  const image = opts.image ?? IMAGES.busybox;
  await kubectl(['-n', namespace, 'delete', 'pod', name, '--ignore-not-found', '--grace-period=0', '--force']);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/part-of': 'kdiag-e2e', ...opts.labels } },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'main',
          image,
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', script],
          resources: { requests: { cpu: '5m', memory: '8Mi' }, limits: { memory: '64Mi' } },
          ...(opts.securityContext ? { securityContext: opts.securityContext } : {}),
        },
      ],
    },
  };
  await apply(JSON.stringify(pod));
  const phase = await waitFor(
    async () => {
      const r = await kubectl(['-n', namespace, 'get', 'pod', name, '-o', 'jsonpath={.status.phase}']);
      return r.stdout === 'Succeeded' || r.stdout === 'Failed' ? r.stdout : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 120_000, description: `pod ${namespace}/${name} to finish` },
  );
  const logs = await kubectl(['-n', namespace, 'logs', name]);
  await kubectl(['-n', namespace, 'delete', 'pod', name, '--wait=false']);
  return { ...logs, phase, log: logs.stdout };
}

/**
 * A Deployment of the local backend image (HTTP on 8080, every path answers, /health for the
 * readiness probe) with the label app=NAME, and a Service NAME port 80 → 8080 unless `service` is false.
 */
export function backendManifest(o: {
  namespace: string;
  name: string;
  replicas?: number;
  labels?: Record<string, string>;
  /** What the backend answers as its name (env NAME); default: the Deployment's name. */
  answerAs?: string;
  /** The Service's targetPort; default: the container port's name, http. */
  targetPort?: number | string;
  service?: boolean;
}): string {
  const labels = { app: o.name, ...o.labels };
  const labelText = Object.entries(labels)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${o.name}, namespace: ${o.namespace}}
spec:
  replicas: ${o.replicas ?? 2}
  selector: {matchLabels: {app: ${o.name}}}
  template:
    metadata: {labels: {${labelText}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: ${o.name}
        image: ${IMAGES.backend}
        imagePullPolicy: IfNotPresent
        env: [{name: NAME, value: ${o.answerAs ?? o.name}}, {name: HTTP_PORTS, value: "8080"}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 1}
        resources: {requests: {cpu: 5m, memory: 16Mi}, limits: {memory: 64Mi}}
`;
  if (o.service === false) return deployment;
  return `${deployment}---
apiVersion: v1
kind: Service
metadata: {name: ${o.name}, namespace: ${o.namespace}}
spec:
  selector: {app: ${o.name}}
  ports: [{name: http, port: 80, targetPort: ${o.targetPort ?? 'http'}}]
`;
}

/** A kubeconfig for ServiceAccount `sa` of `namespace` (a short-lived token from the TokenRequest API). */
export async function serviceAccountKubeconfig(namespace: string, sa: string, contextNamespace = namespace): Promise<{ file: string; token: string }> {
  const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const token = (await kubectl(['-n', namespace, 'create', 'token', sa, '--duration=15m'])).stdout.trim();
  if (token.length < 20) throw new Error(`could not create a token for ${namespace}/${sa}`);
  const admin = readFileSync(kubeconfigPath(), 'utf8');
  const server = /server: (\S+)/.exec(admin)![1];
  const ca = /certificate-authority-data: (\S+)/.exec(admin)?.[1];
  const file = join(mkdtempSync(join(tmpdir(), 'kdiag-sa-')), 'config');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
current-context: sa
clusters:
- name: local
  cluster:
    server: ${server}
    ${ca ? `certificate-authority-data: ${ca}` : 'insecure-skip-tls-verify: true'}
contexts:
- name: sa
  context: {cluster: local, user: sa, namespace: ${contextNamespace}}
users:
- name: sa
  user: {token: ${token}}
`,
  );
  return { file, token };
}
