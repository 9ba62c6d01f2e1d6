// kdiag netpol on the local cluster: the planted NetworkPolicy faults
// (cluster/scenario/netpol-faults.yaml) are reported, the guide's policies are clean, and
// `kdiag netpol explain` agrees with real connections: a probe pod carrying the source's
// labels in the source's namespace connects (allowed) or times out (denied). kube-router
// enforces NetworkPolicies here; when it is not running the test says so and compares
// explain's verdicts with the expected ones only.
import { join } from 'node:path';
import { IMAGES, REPO_ROOT, apply, deleteNamespace, ensureNamespace, kubectl, kubectlJson, runKdiag, waitFor, waitForRollout } from './support/cluster.js';

const NS = 'kdiag-e2e-netpol';

interface Finding {
  code: string;
  severity: string;
  object: { kind: string; namespace?: string; name: string };
  fix: string;
}

interface Triple {
  id: string;
  /** Namespace and labels of the probe pod (and of explain's --from). */
  from: { namespace: string; labels: Record<string, string> };
  to: { namespace: string; app: string };
  port: number;
  expected: 'allowed' | 'denied';
}

const PROBE = { app: 'kdiag-netpol-probe' };
const TRIPLES: Triple[] = [
  {
    id: 'nginx-api-8080',
    from: { namespace: 'ingress-nginx', labels: PROBE },
    to: { namespace: 'production', app: 'api-server' },
    port: 8080,
    expected: 'allowed',
  },
  {
    id: 'nginx-api-8443',
    from: { namespace: 'ingress-nginx', labels: PROBE },
    to: { namespace: 'production', app: 'api-server' },
    port: 8443,
    expected: 'denied',
  },
  {
    id: 'payment-auth',
    from: { namespace: 'payment-service', labels: { app: 'payment-api' } },
    to: { namespace: 'auth-service', app: 'auth-api' },
    port: 8080,
    expected: 'allowed',
  },
  {
    id: 'other-auth',
    from: { namespace: 'payment-service', labels: PROBE },
    to: { namespace: 'auth-service', app: 'auth-api' },
    port: 8080,
    expected: 'denied',
  },
  {
    id: 'payment-postgres',
    from: { namespace: 'payment-service', labels: { app: 'payment-api' } },
    to: { namespace: 'production', app: 'postgres' },
    port: 5432,
    expected: 'denied',
  },
  { id: 'outsider-api', from: { namespace: NS, labels: PROBE }, to: { namespace: 'production', app: 'api-server' }, port: 8080, expected: 'denied' },
  { id: 'outsider-payment', from: { namespace: NS, labels: PROBE }, to: { namespace: 'payment-service', app: 'payment-api' }, port: 8080, expected: 'allowed' },
  {
    id: 'api-postgres',
    from: { namespace: 'production', labels: { app: 'api-server' } },
    to: { namespace: 'production', app: 'postgres' },
    port: 5432,
    expected: 'denied',
  },
  {
    id: 'api-auth',
    from: { namespace: 'production', labels: { app: 'api-server' } },
    to: { namespace: 'auth-service', app: 'auth-api' },
    port: 8080,
    expected: 'denied',
  },
];

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** A running pod of `app` in `namespace`: its name and IP. */
async function target(namespace: string, app: string): Promise<{ name: string; ip: string }> {
  return waitFor(
    async () => {
      const list = await kubectlJson<{ items: { metadata: { name: string; deletionTimestamp?: string }; status: { phase?: string; podIP?: string } }[] }>([
        '-n',
        namespace,
        'get',
        'pods',
        '-l',
        `app=${app}`,
      ]);
      const pod = list.items.find((p) => p.status.phase === 'Running' && p.status.podIP && !p.metadata.deletionTimestamp);
      return pod ? { name: pod.metadata.name, ip: pod.status.podIP! } : undefined;
    },
    { timeoutMs: 180_000, description: `a running ${app} pod in ${namespace}` },
  );
}

/**
 * Runs one probe pod per source (restricted securityContext, never Ready so that a probe
 * carrying a Service's labels never becomes one of its endpoints) and returns, per triple,
 * whether a TCP connection was established. Allowed flows get three tries, in case the
 * enforcer has not yet added the new pod's address to its sets.
 */
async function probe(source: Triple['from'], triples: { id: string; ip: string; port: number }[]): Promise<Record<string, boolean>> {
  const name = `netpol-probe-${Math.random().toString(36).slice(2, 8)}`;
  const script = [
    'sleep 3',
    ...triples.map(
      (t) =>
        `ok=closed; for i in 1 2 3; do if timeout 6 nc -w 3 ${t.ip} ${t.port} </dev/null >/dev/null 2>&1; then ok=open; break; fi; sleep 1; done; echo "${t.id} $ok"`,
    ),
  ].join('\n');
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: source.namespace, labels: { ...source.labels, 'app.kubernetes.io/part-of': 'kdiag-e2e' } },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'probe',
          image: IMAGES.busybox,
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', script],
          readinessProbe: { exec: { command: ['false'] }, periodSeconds: 60 },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
          resources: { requests: { cpu: '5m', memory: '8Mi' }, limits: { memory: '32Mi' } },
        },
      ],
    },
  };
  await apply(JSON.stringify(pod));
  try {
    await waitFor(
      async () => {
        const r = await kubectl(['-n', source.namespace, 'get', 'pod', name, '-o', 'jsonpath={.status.phase}']);
        return r.stdout === 'Succeeded' || r.stdout === 'Failed';
      },
      { timeoutMs: 240_000, description: `probe pod ${source.namespace}/${name}` },
    );
    // Every triple prints one line; the log can lag the phase by a moment.
    const lines = await waitFor(
      async () => {
        const r = await kubectl(['-n', source.namespace, 'logs', name]);
        const got = r.stdout.split('\n').filter((l) => /^\S+ (open|closed)$/.test(l));
        return got.length === triples.length ? got : undefined;
      },
      { timeoutMs: 30_000, description: `the log of probe pod ${source.namespace}/${name}` },
    );
    return Object.fromEntries(lines.map((l) => l.split(' ')).map(([id, state]) => [id!, state === 'open']));
  } finally {
    await kubectl(['-n', source.namespace, 'delete', 'pod', name, '--wait=false', '--ignore-not-found']);
  }
}

async function enforcerRunning(): Promise<boolean> {
  const r = await kubectl(['-n', 'kube-system', 'get', 'daemonset', 'kube-router', '-o', 'jsonpath={.status.numberReady}']);
  return r.code === 0 && Number(r.stdout) > 0;
}

describe('kdiag netpol on the local cluster', () => {
  beforeAll(async () => {
    await apply((await import('node:fs')).readFileSync(join(REPO_ROOT, 'cluster', 'scenario', 'netpol-faults.yaml'), 'utf8'));
    await ensureNamespace(NS);
    for (const [ns, w] of [
      ['production', 'deploy/api-server'],
      ['production', 'deploy/postgres'],
      ['auth-service', 'deploy/auth-api'],
      ['payment-service', 'deploy/payment-api'],
      ['reports', 'deploy/report-runner'],
      ['sandbox', 'deploy/scratch'],
    ] as const) {
      await waitForRollout(ns, w);
    }
  });

  afterAll(async () => {
    await deleteNamespace(NS);
  });

  test("reports each planted fault with its fix, and nothing at warning or error on the guide's policies", async () => {
    const r = await runKdiag(['netpol', '-A', '-o', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: Finding[]; cni: { plugins: { name: string; enforces: boolean }[]; enforcing: boolean } };
    const has = (code: string, ns: string | undefined, name: string) =>
      report.findings.find((f) => f.code === code && f.object.namespace === ns && f.object.name === name);
    expect(has('KD4001', 'reports', 'report-runner-egress')?.fix).toContain('namespaceSelector: {}');
    expect(has('KD4003', 'reports', 'legacy-exporter')).toBeDefined();
    expect(has('KD4004', 'reports', 'allow-from-billing')).toBeDefined();
    expect(has('KD4008', undefined, 'sandbox')?.fix).toContain('name: default-deny-ingress');
    const guide = report.findings.filter(
      (f) =>
        f.severity !== 'info' &&
        f.object.kind === 'NetworkPolicy' &&
        ['production/default-deny-ingress', 'production/api-server-policy', 'auth-service/allow-from-payment'].includes(
          `${f.object.namespace}/${f.object.name}`,
        ),
    );
    expect(guide).toEqual([]);
    expect(report.cni.plugins.map((p) => p.name)).toContain('kube-router');
  });

  test('prints the production policies as a table', async () => {
    const r = await runKdiag(['netpol', '-n', 'production']);
    expect(r.stdout).toMatch(
      /^production\s+api-server-policy\s+app=api-server\s+2\s+Ingress,Egress\s+ns:ingress-nginx → TCP\/8080\s+pod:app=postgres → TCP\/5432$/m,
    );
    expect(r.stdout).toMatch(/^production\s+default-deny-ingress\s+<all>\s+\d+\s+Ingress\s+deny all\s+-$/m);
  });

  test('explain agrees with real connections from pods carrying the source labels', async () => {
    const targets = new Map<string, { name: string; ip: string }>();
    for (const t of TRIPLES) {
      const key = `${t.to.namespace}/${t.to.app}`;
      if (!targets.has(key)) targets.set(key, await target(t.to.namespace, t.to.app));
    }
    // The static part: explain's verdict for each triple (three at a time; a target pod
    // replaced meanwhile by another test's rollout is looked up again once).
    const verdicts: Record<string, string> = {};
    const explainOne = async (t: Triple): Promise<void> => {
      for (let attempt = 0; ; attempt++) {
        const dest = targets.get(`${t.to.namespace}/${t.to.app}`)!;
        const r = await runKdiag([
          'netpol',
          'explain',
          '--from',
          `${t.from.namespace}:${labelText(t.from.labels)}`,
          '--to',
          `${t.to.namespace}/${dest.name}`,
          '--port',
          String(t.port),
          '-o',
          'json',
        ]);
        if (r.code === 0) {
          verdicts[t.id] = (JSON.parse(r.stdout) as { verdict: string }).verdict;
          return;
        }
        if (attempt > 0) throw new Error(`kdiag netpol explain for ${t.id} exited ${r.code}: ${r.stderr}`);
        targets.set(`${t.to.namespace}/${t.to.app}`, await target(t.to.namespace, t.to.app));
      }
    };
    for (let i = 0; i < TRIPLES.length; i += 3) await Promise.all(TRIPLES.slice(i, i + 3).map(explainOne));
    expect(verdicts).toEqual(Object.fromEntries(TRIPLES.map((t) => [t.id, t.expected])));

    if (!(await enforcerRunning())) {
      console.warn("kube-router is not running: the cluster cannot enforce NetworkPolicies, so only explain's verdicts were compared (not real connections).");
      return;
    }
    // The dynamic part: one probe pod per distinct source, all in parallel.
    const sources = new Map<string, { from: Triple['from']; triples: Triple[] }>();
    for (const t of TRIPLES) {
      const key = `${t.from.namespace}|${labelText(t.from.labels)}`;
      if (!sources.has(key)) sources.set(key, { from: t.from, triples: [] });
      sources.get(key)!.triples.push(t);
    }
    const results = await Promise.all(
      [...sources.values()].map((s) =>
        probe(
          s.from,
          s.triples.map((t) => ({ id: t.id, ip: targets.get(`${t.to.namespace}/${t.to.app}`)!.ip, port: t.port })),
        ),
      ),
    );
    const real = Object.fromEntries(
      Object.entries(Object.assign({}, ...results) as Record<string, boolean>).map(([id, open]) => [id, open ? 'allowed' : 'denied']),
    );
    expect(real).toEqual(verdicts);
  }, 600_000);
});
