// A user whose only grants are deploy/rbac.yaml's namespace Roles in `production` (the guide's
// scenario): every command runs on what it may read, none stops on a cluster-scoped 403, and each
// says what it skipped. `check -n production` gives the admin's findings for every rule that needs
// only namespaced data, plus one line per missing permission.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { kdiagBinary } from '../support/run.js';
import {
  apply,
  backendManifest,
  deleteNamespace,
  ensureNamespace,
  kubectl,
  kubectlJson,
  REPO_ROOT,
  runKdiag,
  serviceAccountKubeconfig,
  waitFor,
  waitForRollout,
  waitForServiceAnswers,
} from './support/cluster.js';

const NS = 'production';
const READER = 'kdiag-e2e-nsonly-reader';
const PROBER = 'kdiag-e2e-nsonly-prober';
const ROLES = ['kdiag-namespace-read', 'kdiag-namespace-tls', 'kdiag-namespace-probes'];
const BINDINGS = [`${READER}-read`, `${READER}-tls`, `${PROBER}-read`, `${PROBER}-probes`];
const files: string[] = [];
const tokens: string[] = [];
let reader = '';
let prober = '';
/** GatewayClasses are read (and refused) only where the Gateway API is installed. */
let gatewayApi = false;

interface F {
  code: string;
  message: string;
  object: { kind: string; namespace?: string; name: string };
}
const key = (f: F) => `${f.code} ${f.object.kind} ${f.object.namespace ?? ''}/${f.object.name}: ${f.message}`;

/** Rules that need cluster-scoped data or other namespaces: IngressClasses, controller Pods, Namespace labels, kube-system, GatewayClasses. */
const CLUSTER_DATA_CODES = new Set([
  'KD3001',
  'KD3002',
  'KD3003',
  'KD3004',
  'KD3005',
  'KD4004',
  'KD4009',
  'KD4010',
  'KD4011',
  'KD6003',
  'KD6004',
  'KD6020',
  'KD6021',
  'KD7001',
  'KD7003',
  'KD7004',
  'KD7030',
]);

function binding(name: string, role: string, sa: string): string {
  return `---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${name}, namespace: ${NS}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${role}}
subjects: [{kind: ServiceAccount, name: ${sa}, namespace: ${NS}}]
`;
}

async function as(file: string, args: string[], timeoutMs = 180_000) {
  const r = await kdiagBinary([...args, '--kubeconfig', file], {}, timeoutMs);
  for (const t of tokens) expect(r.stdout + r.stderr).not.toContain(t);
  return r;
}

beforeAll(async () => {
  // The namespace's admin creates the Roles in the namespace, as the README says.
  const roles = await kubectl(['-n', NS, 'apply', '-f', join(REPO_ROOT, 'deploy', 'rbac.yaml'), '-l', 'kdiag.dev/scope=namespace']);
  expect(roles.stderr).toBe('');
  expect(roles.stdout.trim().split('\n').sort()).toEqual([...ROLES].sort().map((r) => expect.stringContaining(`role.rbac.authorization.k8s.io/${r}`)));
  await apply(`apiVersion: v1
kind: ServiceAccount
metadata: {name: ${READER}, namespace: ${NS}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${PROBER}, namespace: ${NS}}
${binding(`${READER}-read`, 'kdiag-namespace-read', READER)}${binding(`${READER}-tls`, 'kdiag-namespace-tls', READER)}${binding(`${PROBER}-read`, 'kdiag-namespace-read', PROBER)}${binding(`${PROBER}-probes`, 'kdiag-namespace-probes', PROBER)}`);
  for (const sa of [READER, PROBER]) {
    const { file, token } = await serviceAccountKubeconfig(NS, sa, NS);
    files.push(file);
    tokens.push(token);
  }
  [reader, prober] = files as [string, string];
  gatewayApi = (await kubectl(['get', 'crd', 'gateways.gateway.networking.k8s.io'])).code === 0;
});

afterAll(async () => {
  await kubectl(['-n', NS, 'delete', 'rolebinding', ...BINDINGS, '--ignore-not-found']);
  await kubectl(['-n', NS, 'delete', 'serviceaccount', READER, PROBER, '--ignore-not-found']);
  await kubectl(['-n', NS, 'delete', 'role', ...ROLES, '--ignore-not-found']);
  for (const f of files) rmSync(dirname(f), { recursive: true, force: true });
});

describe('with the namespace Roles of deploy/rbac.yaml only', () => {
  test('the Role really is namespace-only: cluster-scoped kinds and other namespaces are refused', async () => {
    const asReader = (args: string[]) =>
      new Promise<string>((resolve) => execFile('kubectl', ['--kubeconfig', reader, ...args], (_err, _out, stderr) => resolve(String(stderr))));
    for (const args of [
      ['get', 'namespaces'],
      ['get', 'ingressclasses'],
      ['-n', 'kube-system', 'get', 'pods'],
      ['-n', 'ingress-nginx', 'get', 'networkpolicies'],
    ]) {
      expect({ args, forbidden: /Forbidden/.test(await asReader(args)) }).toEqual({ args, forbidden: true });
    }
    expect(await asReader(['-n', NS, 'get', 'services'])).toBe('');
  });

  test('endpoints, services, ingress, gateway and netpol run and name what they skipped', async () => {
    const results = await Promise.all(
      ['endpoints', 'services', 'ingress', 'gateway', 'netpol'].map(async (command) => ({ command, r: await as(reader, [command, '-n', NS, '-o', 'json']) })),
    );
    const lines: Record<string, string[]> = {};
    for (const { command, r } of results) {
      expect({ command, code: r.code, stderr: r.stderr }).toEqual({ command, code: expect.any(Number), stderr: '' });
      expect({ command, code: r.code }).not.toEqual({ command, code: 2 });
      const report = JSON.parse(r.stdout);
      lines[command] = (report.findings as F[])
        .filter((f) => f.code === 'KD6006')
        .map((f) => f.object.name)
        .sort();
    }
    expect(lines).toEqual({
      endpoints: [],
      services: ['list namespaces (cluster scope)'],
      ingress: ['list ingressclasses.networking.k8s.io (cluster scope)', 'list pods (cluster scope)'],
      gateway: gatewayApi
        ? [
            'list gatewayclasses.gateway.networking.k8s.io (cluster scope)',
            'list ingressclasses.networking.k8s.io (cluster scope)',
            'list namespaces (cluster scope)',
          ]
        : [],
      // IngressClasses: which controller serves an Ingress (without them KD4009 asks every known controller).
      netpol: ['list ingressclasses.networking.k8s.io (cluster scope)', 'list namespaces (cluster scope)', 'list pods (cluster scope)'],
    });
    // The table output says it too, once per permission.
    const text = await as(reader, ['services', '-n', NS]);
    expect(text.stdout.match(/KD6006/g)).toHaveLength(1);
    expect(text.stdout).toContain('list namespaces at cluster scope: not allowed; not checked: service-types: Namespace labels');
  });

  test("check -n: the admin's findings for every rule that needs only namespaced data, plus one line per skipped part", async () => {
    let last: unknown;
    // Other suites may touch the scenario meanwhile: compare two runs taken side by side, once more if they differ.
    for (let attempt = 0; attempt < 2; attempt++) {
      const [admin, role] = await Promise.all([runKdiag(['check', '-n', NS, '-o', 'json']), as(reader, ['check', '-n', NS, '-o', 'json'])]);
      expect(role.code).toBe(admin.code);
      const a = JSON.parse(admin.stdout);
      const r = JSON.parse(role.stdout);
      const status = Object.fromEntries(r.checks.map((c: { id: string; status: string }) => [c.id, c.status]));
      expect(Object.entries(status).filter(([, s]) => s === 'skipped' || s === 'errored')).toEqual([['cluster-dns', 'skipped']]);
      const roleFindings = r.findings as F[];
      const adminKeys = new Set((a.findings as F[]).map(key));
      const roleKeys = new Set(roleFindings.map(key));
      const invented = roleFindings
        .filter((f) => f.code !== 'KD6006' && f.code !== 'KD6001')
        .map(key)
        .filter((k) => !adminKeys.has(k));
      const lost = (a.findings as F[])
        .filter((f) => !CLUSTER_DATA_CODES.has(f.code))
        .map(key)
        .filter((k) => !roleKeys.has(k));
      last = { invented, lost };
      if (invented.length || lost.length) continue;
      // One line per missing permission: the cluster-wide lists (nodes for the data plane), and the data plane's two kube-system lists.
      expect(
        roleFindings
          .filter((f) => f.code === 'KD6006')
          .map((f) => f.message.split(': not allowed')[0])
          .sort(),
      ).toEqual([
        'list daemonsets.apps in namespace kube-system',
        ...(gatewayApi ? ['list gatewayclasses.gateway.networking.k8s.io at cluster scope'] : []),
        'list ingressclasses.networking.k8s.io at cluster scope',
        'list namespaces at cluster scope',
        'list nodes at cluster scope',
        'list pods at cluster scope',
        'list pods in namespace kube-system',
      ]);
      // The data plane degrades to those lines: it runs, on nothing it may read.
      expect(r.dataplane).toEqual({ nodes: [], skipped: expect.arrayContaining(['nodes: forbidden', 'pods in kube-system: forbidden']) });
      expect(
        roleFindings
          .filter((f) => f.code === 'KD6001')
          .map((f) => f.message)
          .sort(),
      ).toEqual([
        'list endpointslices.discovery.k8s.io: not allowed in namespace kube-system; skipped: cluster-dns',
        'list pods: not allowed in namespace kube-system; skipped: cluster-dns',
        'list services: not allowed in namespace kube-system; skipped: cluster-dns',
      ]);
      // The planted faults of production that do not depend on their age are there (endpoints, Service types, the Ingress backend).
      expect(['KD1001', 'KD1005', 'KD1006', 'KD2001', 'KD3010'].filter((code) => ![...roleKeys].some((k) => k.startsWith(code)))).toEqual([]);
      return;
    }
    expect(last).toEqual({ invented: [], lost: [] });
  });

  test('netpol explain: a side in a namespace kdiag cannot read is UNKNOWN with what it would need', async () => {
    const args = [
      'netpol',
      'explain',
      '--from',
      'ingress-nginx:app.kubernetes.io/name=ingress-nginx',
      '--to',
      `${NS}/svc/api-service`,
      '--port',
      '80',
      '-o',
      'json',
    ];
    const admin = JSON.parse((await runKdiag(args)).stdout);
    expect(admin.verdict).toBe('allowed');
    const r = await as(reader, args);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.verdict).toBe('unknown');
    expect(report.needs).toEqual(['the NetworkPolicies of namespace ingress-nginx (list networkpolicies.networking.k8s.io in namespace ingress-nginx)']);
    // production's own side is decided: api-server-policy admits the namespace ingress-nginx by name.
    expect(report.connections.map((c: { ingress: { decidedBy?: { policy: string } } }) => c.ingress.decidedBy?.policy)).toEqual(
      report.connections.map(() => 'production/api-server-policy'),
    );
    // Inside the namespace kdiag decides as the admin does.
    const inside = ['netpol', 'explain', '--from', `${NS}:app=api-server`, '--to', `${NS}/svc/postgres`, '--port', '5432', '-o', 'json'];
    const [adminInside, roleInside] = await Promise.all([runKdiag(inside), as(reader, inside)]);
    expect(JSON.parse(roleInside.stdout).verdict).toBe(JSON.parse(adminInside.stdout).verdict);
    expect(JSON.parse(roleInside.stdout).verdict).toBe('denied');
  });

  test('trace: a Service URL needs only its namespace; a host URL searches the namespace and says what it could not', async () => {
    const svc = await as(reader, ['trace', `http://api-service.${NS}/`, '-o', 'json']);
    expect(svc.stderr).toBe('');
    expect(svc.code).toBe(0);
    const s = JSON.parse(svc.stdout);
    expect(s.mode).toBe('service');
    expect(s.hops.slice(0, 2).map((h: { id: string; status: string }) => `${h.id}:${h.status}`)).toEqual(['service:ok', 'endpoints:ok']);
    expect(s.notChecked).toEqual(expect.arrayContaining([expect.stringMatching(/^cluster DNS: egress to it was not checked/)]));

    const host = await as(reader, ['trace', 'https://api.example.com/api/v1/users', '-o', 'json']);
    expect(host.stderr).toBe('');
    expect(host.code).not.toBe(2);
    const h = JSON.parse(host.stdout);
    expect(Object.fromEntries(h.hops.map((x: { id: string; status: string }) => [x.id, x.status]))).toMatchObject({
      'ingress-rule': 'ok',
      controller: 'info',
      service: 'ok',
      endpoints: 'ok',
    });
    expect(h.notChecked).toEqual(
      expect.arrayContaining([
        'Ingresses of namespaces other than production were not searched (list ingresses.networking.k8s.io at cluster scope is not allowed)',
      ]),
    );
    const text = await as(reader, ['trace', 'https://nowhere.example.com/']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('no Ingress in namespace production serves host nowhere.example.com; Ingresses of other namespaces could not be searched');
    expect(text.stdout).toContain('Not checked:');
  });

  test('probes with create on pods and jobs in the namespace only: dns, connectivity and check --probes run there', async () => {
    const dns = await as(prober, ['dns', 'api-service', '-n', NS, '--image', 'docker.io/library/busybox:1.36', '-o', 'json']);
    expect(dns.code).toBe(0);
    const d = JSON.parse(dns.stdout);
    expect(JSON.stringify(d)).toContain('10.96.');
    const conn = await as(prober, ['connectivity', 'api-service', '-n', NS, '--image', 'docker.io/curlimages/curl:8.11.1', '-o', 'json']);
    // The scenario's default-deny blocks the probe: a finding (exit 1), not a failure of kdiag (exit 2).
    expect(conn.code).toBe(1);
    expect(JSON.parse(conn.stdout).findings.map((f: F) => f.code)).toContain('KD5039');
    const check = await as(
      prober,
      ['check', '-n', NS, '--probes', '--only', 'endpoints', '--curl-image', 'docker.io/curlimages/curl:8.11.1', '-o', 'json'],
      400_000,
    );
    const c = JSON.parse(check.stdout);
    expect(c.checks.find((x: { id: string }) => x.id === 'probes').status).not.toBe('skipped');
    // Without the probe Role, the probes are skipped with one line per missing permission, the rest runs.
    const without = JSON.parse((await as(reader, ['check', '-n', NS, '--probes', '--only', 'endpoints', '-o', 'json'])).stdout);
    expect(without.checks.map((x: { id: string; status: string }) => `${x.id}:${x.status}`)).toEqual(['endpoints:failed', 'probes:skipped']);
    expect(without.findings.filter((f: F) => f.code === 'KD6001').map((f: F) => f.object.name)).toEqual(
      expect.arrayContaining(['create pods', 'create jobs.batch']),
    );
  });
});

// A team that runs its own Gateway (class traefik, whose proxy runs in namespace traefik) in its
// namespace: the namespace Roles read the Gateway, the route and the backend, not the proxy's
// Pods or any other namespace's policies. Own namespace: ogtr-<run>.
describe('trace through a Gateway with the namespace Roles only', () => {
  const GNS = `ogtr-${Math.random().toString(36).slice(2, 7)}`;
  const HOST = `app.${GNS}.example`;
  let gwReader = '';

  beforeAll(async () => {
    if (!gatewayApi) return;
    await ensureNamespace(GNS);
    const roles = await kubectl(['-n', GNS, 'apply', '-f', join(REPO_ROOT, 'deploy', 'rbac.yaml'), '-l', 'kdiag.dev/scope=namespace']);
    expect(roles.stderr).toBe('');
    await apply(`apiVersion: v1
kind: ServiceAccount
metadata: {name: ${READER}, namespace: ${GNS}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${READER}-read, namespace: ${GNS}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: kdiag-namespace-read}
subjects: [{kind: ServiceAccount, name: ${READER}, namespace: ${GNS}}]
---
${backendManifest({ namespace: GNS, name: 'web', replicas: 1 })}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ${GNS}}
spec:
  gatewayClassName: traefik
  listeners: [{name: http, protocol: HTTP, port: 80, hostname: ${HOST}, allowedRoutes: {namespaces: {from: Same}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: ${GNS}}
spec:
  parentRefs: [{name: gw}]
  hostnames: [${HOST}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`);
    await waitForRollout(GNS, 'deployment/web');
    await waitForServiceAnswers(GNS, 'web');
    // Traefik programs the Gateway and gives it its address.
    await waitFor(
      async () => {
        const gw = await kubectlJson(['-n', GNS, 'get', 'gateway', 'gw', '-o', 'json']);
        return (
          (gw.status?.addresses ?? []).length > 0 &&
          (gw.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Programmed' && c.status === 'True')
        );
      },
      { timeoutMs: 120_000, intervalMs: 1_000, description: `Gateway ${GNS}/gw programmed` },
    );
    // And has accepted the route: until then kdiag's trace rightly stops at the route hop.
    await waitFor(
      async () => {
        const route = await kubectlJson(['-n', GNS, 'get', 'httproute', 'web', '-o', 'json']);
        const conditions: { type: string; status: string }[] = (route.status?.parents ?? []).flatMap((p: { conditions?: unknown[] }) => p.conditions ?? []);
        return ['Accepted', 'ResolvedRefs'].every((type) => conditions.some((c) => c.type === type && c.status === 'True'));
      },
      { timeoutMs: 120_000, intervalMs: 1_000, description: `HTTPRoute ${GNS}/web accepted by the Gateway` },
    );
    const { file, token } = await serviceAccountKubeconfig(GNS, READER, GNS);
    files.push(file);
    tokens.push(token);
    gwReader = file;
  });

  afterAll(async () => {
    if (gatewayApi) await deleteNamespace(GNS);
  });

  test('finds the Gateway in the namespace; the policy hop of the proxy it cannot read is undecided and names what it would need', async () => {
    if (!gatewayApi) return;
    const admin = JSON.parse((await runKdiag(['trace', `http://${HOST}/`, '-o', 'json'])).stdout);
    expect(admin.mode).toBe('gateway');
    // Every hop with its status, so that a failure shows where the admin's trace stopped.
    const adminHops = Object.fromEntries(admin.hops.map((h: { id: string; status: string; detail?: string }) => [h.id, `${h.status}: ${h.detail ?? ''}`]));
    expect(adminHops).toMatchObject({ 'network-policy': expect.stringMatching(/^(ok|fail): /) });

    const r = await as(gwReader, ['trace', `http://${HOST}/`, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).not.toBe(2);
    const t = JSON.parse(r.stdout);
    expect(t.mode).toBe('gateway');
    expect(Object.fromEntries(t.hops.map((h: { id: string; status: string }) => [h.id, h.status]))).toMatchObject({
      'load-balancer': 'ok',
      route: 'ok',
      service: 'ok',
      // One replica: a single ready endpoint is a warning.
      endpoints: expect.stringMatching(/^(ok|warn)$/),
      'network-policy': 'info',
    });
    expect(t.hops.find((h: { id: string }) => h.id === 'network-policy').detail).toMatch(
      new RegExp(`depends on objects kdiag cannot read \\(the data-plane Pods of Gateway ${GNS}/gw and their NetworkPolicies`),
    );
    expect(t.notChecked).toEqual(
      expect.arrayContaining([
        `Gateways of namespaces other than ${GNS} were not searched (list gateways.gateway.networking.k8s.io at cluster scope is not allowed)`,
        `NetworkPolicies of namespaces other than ${GNS} were not read (list networkpolicies.networking.k8s.io at cluster scope is not allowed): a side there is reported as undecided`,
      ]),
    );
  });
});
