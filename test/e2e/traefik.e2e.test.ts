// The real Traefik (cluster/manifests/traefik.yaml) and the scenario it serves
// (cluster/scenario/traefik/: the guide's Ingress rules in namespace edge, a Gateway with
// HTTPRoutes in edge-gw): for every planted fault, what Traefik really answers to a request
// sent by `kdiag trace --probe` (from a probe pod, to Traefik's Service, with the URL's host
// and SNI name) equals the answer kdiag predicts from the hop where the request stops; a
// healthy host answers 200 from one of its Pods; `kdiag ingress` and `kdiag gateway` read
// the addresses and conditions Traefik wrote. Probe pods run in namespaces that enforce the
// restricted Pod Security profile and are gone afterwards.
import { kubectl, kubectlJson, runKdiag, waitFor, waitForRollout } from './support/cluster.js';

const TRAEFIK_IP = '10.96.0.80';

type Hop = { id: string; status: string; title: string; detail: string; items?: { status: string; text: string }[] };
type TraceReport = { stopsAt: string | null; hops: Hop[]; findings: { code: string; message: string }[] };

async function trace(url: string, extra: string[] = []): Promise<TraceReport> {
  const r = await runKdiag(['trace', url, '--probe', '-o', 'json', ...extra], { timeoutMs: 120_000 });
  if (r.code !== 0 && r.code !== 1) throw new Error(`kdiag trace ${url} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as TraceReport;
}

/** Runs `fn` over `items`, at most `n` at a time (probe pods on 2 shared cores). */
async function pool<T, R>(items: readonly T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

beforeAll(async () => {
  await waitForRollout('traefik', 'deploy/traefik');
  // Traefik writes the Ingress address and the Gateway's status once it has loaded them.
  await waitFor(
    async () =>
      (await kubectl(['-n', 'edge', 'get', 'ingress', 'api-ingress', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).stdout.trim() === TRAEFIK_IP,
    { timeoutMs: 60_000, intervalMs: 1000, description: 'Traefik publishes the Ingress address' },
  );
  await waitFor(
    async () =>
      (await kubectl(['-n', 'edge-gw', 'get', 'gateway', 'edge', '-o', 'jsonpath={.status.conditions[?(@.type=="Programmed")].status}'])).stdout.trim() ===
      'True',
    { timeoutMs: 60_000, intervalMs: 1000, description: 'Traefik programs the Gateway' },
  );
  await Promise.all([waitForRollout('edge', 'deploy/api-v1'), waitForRollout('edge-gw', 'deploy/web'), waitForRollout('edge-shared', 'deploy/shared-api')]);
});

// url, the hop kdiag stops at, the status Traefik answers (the prediction must say the same).
const INGRESS_CASES: [string, string | null, number][] = [
  ['https://api.edge.example.com/api/v1/users', null, 200],
  ['https://api.edge.example.com/missing', 'service', 404], // Service ghost-service does not exist
  ['https://api.edge.example.com/wrong-port', 'service', 404], // port 8080 is not a port of the Service
  ['https://api.edge.example.com/api/v2/orders', 'endpoints', 404], // the guide's selector mismatch
  ['https://expired.edge.example.com/', 'tls', 200], // expired certificate (still served)
  ['https://wrong.edge.example.com/', 'tls', 200], // certificate for another host: TRAEFIK DEFAULT CERT
];

const GATEWAY_CASES: [string, string | null, number][] = [
  ['https://www.gw.example.com/', null, 200],
  ['http://plain.gw.example.com/', null, 200],
  ['http://missing.gw.example.com/', 'service', 500], // BackendNotFound
  ['http://wrong-port.gw.example.com/', 'service', 500], // BackendNotFound (port)
  ['http://empty.gw.example.com/', 'endpoints', 503],
  ['http://shared.gw.example.com/', 'service', 500], // RefNotPermitted: no ReferenceGrant in edge-shared
  ['http://rpc.gw.example.com/', 'route', 404], // the only route is not admitted by its listener
  ['https://old.gw.example.com/', 'tls', 200], // expired listener certificate
  ['https://wrong.gw.example.com/', 'tls', 200], // listener certificate for www, not wrong
];

function checkAgreement(url: string, report: TraceReport, stop: string | null, status: number): Hop {
  const live = report.hops.find((h) => h.id === 'request');
  expect({ url, stopsAt: report.stopsAt }).toEqual({ url, stopsAt: stop });
  expect(live).toBeDefined();
  expect({ url, detail: live!.detail }).toEqual({
    url,
    detail: expect.stringMatching(new RegExp(`^HTTP ${status} from Traefik at traefik/traefik ${TRAEFIK_IP.replace(/\./g, '\\.')}:(80|443)`)),
  });
  // Prediction and observation agree: no KD6012, the hop says so.
  expect({ url, status: live!.status, findings: report.findings.filter((f) => f.code === 'KD6012').map((f) => f.message) }).toEqual({
    url,
    status: 'ok',
    findings: [],
  });
  expect(live!.detail).toMatch(/ — as predicted$/);
  return live!;
}

describe('what Traefik answers is what kdiag predicts', () => {
  test('Ingress: every planted fault and the healthy path', async () => {
    const reports = await pool(INGRESS_CASES, 3, ([url]) => trace(url));
    INGRESS_CASES.forEach(([url, stop, status], i) => checkAgreement(url, reports[i]!, stop, status));
    // The healthy path: answered by one of the Service's Pods, through a valid certificate.
    const ok = reports[0]!.hops.find((h) => h.id === 'request')!;
    expect(ok.detail).toMatch(
      /answered by pod api-v1-[a-z0-9]+-[a-z0-9]+; certificate CN = api\.edge\.example\.com \(SANs api\.edge\.example\.com\), expires \d{4}-\d\d-\d\d — as predicted$/,
    );
    // The certificates Traefik presented, as the probe saw them.
    expect(reports[4]!.hops.find((h) => h.id === 'request')!.detail).toContain(
      'certificate CN = expired.edge.example.com (SANs expired.edge.example.com), expires 2025-01-01 — expired 2025-01-01T00:00:00.000Z',
    );
    expect(reports[5]!.hops.find((h) => h.id === 'request')!.detail).toContain('certificate CN = TRAEFIK DEFAULT CERT');
  });

  test('Gateway API: every planted fault and the healthy paths', async () => {
    const reports = await pool(GATEWAY_CASES, 3, ([url]) => trace(url));
    GATEWAY_CASES.forEach(([url, stop, status], i) => checkAgreement(url, reports[i]!, stop, status));
    expect(reports[0]!.hops.find((h) => h.id === 'request')!.detail).toMatch(
      /\(SNI www\.gw\.example\.com\), answered by pod web-[a-z0-9]+-[a-z0-9]+; certificate CN = www\.gw\.example\.com/,
    );
    // Traefik's one proxy serves the Gateway: kdiag finds it as the data plane.
    expect(reports[1]!.hops.find((h) => h.id === 'gateway')!.detail).toContain(
      'class traefik (traefik.io/gateway-controller), listener http (HTTP 80, *.gw.example.com), 1/1 data-plane pod Ready',
    );
  });

  test('a host nothing serves: Traefik (--class traefik) answers 404, as kdiag predicts; also for a route no listener accepts', async () => {
    for (const url of ['http://unknown.edge.example.com/', 'http://app.other.example.org/']) {
      // No Ingress rule names these hosts and no Gateway listener serves them: said in Gateway API terms.
      checkAgreement(url, await trace(url, ['--class', 'traefik']), 'gateway', 404);
    }
  });

  test('a disagreement is a finding: the stand-in controller behind IngressClass nginx is not ingress-nginx', async () => {
    // The scenario's ingress-nginx is the test backend wearing ingress-nginx's labels: it
    // answers every request itself. kdiag predicts the api-server Pods; the probe sees otherwise.
    const report = await trace('http://api.example.com/api/v1/users');
    const live = report.hops.find((h) => h.id === 'request')!;
    expect(live.status).toBe('warn');
    expect(live.detail).toMatch(/^HTTP 200 from ingress-nginx at ingress-nginx\/ingress-nginx-controller \S+:80, answered by pod ingress-nginx-controller-/);
    expect(report.findings.find((f) => f.code === 'KD6012')!.message).toMatch(
      /^api\.example\.com: ingress-nginx answered HTTP 200 from pod ingress-nginx-controller-\S+, not what kdiag predicted$/,
    );
  });
});

describe('kdiag reads what Traefik wrote', () => {
  test('kdiag ingress: Traefik is the running controller, its address, and the controller-specific answers', async () => {
    const r = await runKdiag(['ingress', '-n', 'edge', '-o', 'json']);
    const report = JSON.parse(r.stdout) as {
      ingresses: { name: string; class: string; address: string[]; controller?: string }[];
      findings: { code: string; object: { name: string }; message: string; cause: string }[];
    };
    const by = (name: string) => report.ingresses.find((i) => i.name === name)!;
    expect(by('api-ingress')).toMatchObject({ class: 'traefik' });
    expect(JSON.stringify(by('api-ingress'))).toContain(TRAEFIK_IP);
    const codes = report.findings.map((f) => `${f.object.name}:${f.code}`);
    expect(codes).toEqual(expect.arrayContaining(['api-ingress:KD3008', 'api-ingress:KD3009', 'api-ingress:KD3010']));
    expect(report.findings.find((f) => f.code === 'KD3008')!.cause).toContain('Traefik answers 404 for');
    expect(report.findings.find((f) => f.code === 'KD3009')!.cause).toContain('(Traefik answers 404)');
    expect(codes).not.toContain('api-ingress:KD3004'); // the controller runs
    expect(codes.filter((c) => c.startsWith('expired-ingress:')).length).toBeGreaterThan(0);
    expect(codes.filter((c) => c.startsWith('mismatch-ingress:')).length).toBeGreaterThan(0);
  });

  test('kdiag gateway: the conditions and the address Traefik wrote', async () => {
    const r = await runKdiag(['gateway', '-n', 'edge-gw', '-o', 'json']);
    const report = JSON.parse(r.stdout) as {
      gateways: { name: string; addresses: string[]; status: string }[];
      findings: { code: string; object: { name: string }; cause: string }[];
    };
    expect(report.gateways.find((g) => g.name === 'edge')).toMatchObject({ addresses: [TRAEFIK_IP] });
    const codes = report.findings.filter((f) => f.code !== 'KD7001').map((f) => `${f.object.name}:${f.code}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'missing-backend-route:KD7015',
        'wrong-port-route:KD7016',
        'no-endpoints-route:KD7017',
        'cross-ns-route:KD7018',
        'hostname-route:KD7014',
        'unaccepted-route:KD7020',
      ]),
    );
    // Conditions written by Traefik, not by the test.
    const routes = await kubectlJson<{
      items: {
        metadata: { name: string };
        status: { parents: { controllerName: string; conditions: { type: string; status: string; reason: string }[] }[] };
      }[];
    }>(['-n', 'edge-gw', 'get', 'httproutes']);
    const cond = (name: string, type: string) =>
      routes.items.find((i) => i.metadata.name === name)!.status.parents[0]!.conditions.find((c) => c.type === type)!;
    expect(routes.items.every((i) => i.status.parents.every((p) => p.controllerName === 'traefik.io/gateway-controller'))).toBe(true);
    expect(cond('unaccepted-route', 'Accepted')).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
    expect(cond('hostname-route', 'Accepted')).toMatchObject({ status: 'False', reason: 'NoMatchingListenerHostname' });
    expect(cond('cross-ns-route', 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'RefNotPermitted' });
    expect(cond('missing-backend-route', 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'BackendNotFound' });
    expect(report.findings.find((f) => f.code === 'KD7020')!.cause).toContain('The controller agrees: Accepted=False reason NotAllowedByListeners');
    // Findings that depend on the implementation name it and its answer (measured, see controllers.ts).
    expect(report.findings.find((f) => f.code === 'KD7015')!.cause).toContain('(Traefik answers 500)');
    expect(report.findings.find((f) => f.code === 'KD7016')!.cause).toContain('(Traefik answers 500)');
    expect(report.findings.find((f) => f.code === 'KD7018')!.cause).toContain('(Traefik answers 500)');
    expect(report.findings.find((f) => f.code === 'KD7017')!.cause).toContain('Traefik answers 503 for requests routed to it.');
  });
});

test('probe pods are gone after the runs (where these tests ran them)', async () => {
  // The real request runs in the Ingress's or route's namespace (default for a host nothing
  // serves); the backend probe runs in the controller's namespace with its labels.
  for (const ns of ['edge', 'edge-gw', 'default', 'traefik', 'ingress-nginx']) {
    await waitFor(async () => (await kubectl(['get', 'pods,jobs', '-n', ns, '-l', 'app.kubernetes.io/managed-by=kdiag', '-o', 'name'])).stdout.trim() === '', {
      timeoutMs: 30_000,
      intervalMs: 1000,
      description: `no kdiag probe pods left in ${ns}`,
    });
  }
});
