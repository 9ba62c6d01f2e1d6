// What the Gateway API specification has a controller reject, found by kdiag from the objects
// alone, against the published Gateway API CRDs (v1.6.1, standard channel) on the local
// cluster: every object below passes the CRDs' own validation (they are applied, not faked),
// and no controller owns their GatewayClasses, so only kdiag judges them. KD7024–KD7027
// (listener protocol, certificateRef kind, backendRef kinds by group and kind from discovery),
// KD7031 (allowedRoutes.kinds), KD7032–KD7033 (parametersRef), and `kdiag trace` in Gateway API
// terms when no listener or no route rule takes the request.
import { apply, deleteNamespace, ensureNamespace, kubectl, runKdiag } from './support/cluster.js';

const NS = 'gws-spec';
const CLASSES = ['gws-ok', 'gws-params-missing', 'gws-params-unserved', 'gws-params-found'];
const NOW = new Date().toISOString();
const controllerName = 'kdiag.test/gws-controller';

type Finding = { code: string; object: { kind: string; namespace?: string; name: string }; message: string; cause: string };
type Hop = { id: string; status: string; title: string; detail: string; explanation?: string; items?: { text: string }[] };
type TraceReport = { mode: string; stopsAt: string | null; hops: Hop[] };

const gatewayClass = (name: string, parametersRef?: object) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name },
  spec: { controllerName, ...(parametersRef ? { parametersRef } : {}) },
});

const gateway = (name: string, className: string, listeners: object[], infrastructure?: object) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: NS },
  spec: { gatewayClassName: className, listeners, ...(infrastructure ? { infrastructure } : {}) },
});

const route = (name: string, gw: string, hostnames: string[], rules: object[]) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: NS },
  spec: { parentRefs: [{ name: gw }], hostnames, rules },
});

async function gatewayFindings(): Promise<Finding[]> {
  const r = await runKdiag(['gateway', '-n', NS, '-o', 'json']);
  if (r.code !== 0 && r.code !== 1) throw new Error(`kdiag gateway failed (${r.code}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
}

async function trace(url: string, ...flags: string[]): Promise<TraceReport> {
  const r = await runKdiag(['trace', url, ...flags, '-o', 'json']);
  if (r.code !== 0 && r.code !== 1) throw new Error(`kdiag trace failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as TraceReport;
}

beforeAll(async () => {
  await deleteNamespace(NS, true);
  await ensureNamespace(NS);
  await apply(`apiVersion: v1
kind: ConfigMap
metadata: {name: gws-params, namespace: ${NS}}
data: {replicas: "2"}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec:
  selector: {app: gws-web}
  ports: [{port: 80, targetPort: 8080}]
`);
  const objects = [
    gatewayClass('gws-ok'),
    gatewayClass('gws-params-missing', { group: '', kind: 'ConfigMap', name: 'gws-nope', namespace: NS }),
    gatewayClass('gws-params-unserved', { group: 'absent.kdiag.test', kind: 'Params', name: 'p' }),
    gatewayClass('gws-params-found', { group: '', kind: 'ConfigMap', name: 'gws-params', namespace: NS }),
    // Every listener fault the CRDs accept, on a Gateway whose infrastructure parameters are missing.
    gateway(
      'gws-faults',
      'gws-ok',
      [
        { name: 'tls-on-http', protocol: 'HTTP', port: 8081, allowedRoutes: { kinds: [{ kind: 'TLSRoute' }] } },
        { name: 'invalid-kind', protocol: 'HTTP', port: 8082, allowedRoutes: { kinds: [{ kind: 'InvalidRoute' }, { kind: 'HTTPRoute' }] } },
        { name: 'foreign-kind', protocol: 'HTTP', port: 8083, allowedRoutes: { kinds: [{ group: 'absent.kdiag.test', kind: 'FancyRoute' }] } },
        { name: 'odd', protocol: 'HTTP2', port: 8084 },
        {
          name: 'certs',
          protocol: 'HTTPS',
          port: 443,
          hostname: 'www.gws.kdiag.test',
          tls: { certificateRefs: [{ group: 'cert.kdiag.test', kind: 'Bundle', name: 'b' }] },
        },
      ],
      { parametersRef: { group: '', kind: 'ConfigMap', name: 'gws-missing' } },
    ),
    // Parameters that exist: nothing to report.
    gateway('gws-found', 'gws-params-found', [{ name: 'http', protocol: 'HTTP', port: 8090 }], {
      parametersRef: { group: '', kind: 'ConfigMap', name: 'gws-params' },
    }),
    // The Gateway `kdiag trace` reaches (status written below, as a controller would).
    gateway('gws-trace', 'gws-ok', [{ name: 'http', protocol: 'HTTP', port: 80, hostname: '*.gws.kdiag.test' }]),
    route(
      'gws-web',
      'gws-trace',
      ['app.gws.kdiag.test'],
      [
        { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'web', port: 80 }] },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/other' }, method: 'POST', headers: [{ name: 'X-Canary', value: 'yes' }] }],
          backendRefs: [{ name: 'web', port: 80 }],
        },
      ],
    ),
    route(
      'gws-backends',
      'gws-trace',
      ['kinds.gws.kdiag.test'],
      [
        { backendRefs: [{ group: 'absent.kdiag.test', kind: 'Bucket', name: 'b', port: 80 }] },
        { backendRefs: [{ group: 'gateway.networking.k8s.io', kind: 'NoSuchKind', name: 'nk', port: 80 }] },
        { backendRefs: [{ group: '', kind: 'ConfigMap', name: 'gws-params', port: 80 }] },
      ],
    ),
  ];
  await apply(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  const status = {
    addresses: [{ type: 'IPAddress', value: '192.0.2.77' }],
    conditions: ['Accepted', 'Programmed'].map((type) => ({ type, status: 'True', reason: type, message: '', lastTransitionTime: NOW, observedGeneration: 1 })),
  };
  const r = await kubectl(['-n', NS, 'patch', 'gateway', 'gws-trace', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
  if (r.code !== 0) throw new Error(r.stderr);
});

afterAll(async () => {
  if (process.env.KDIAG_E2E_KEEP) return;
  await kubectl(['delete', 'gatewayclass.gateway.networking.k8s.io', ...CLASSES, '--ignore-not-found', '--wait=false']);
  await deleteNamespace(NS);
});

describe('kdiag gateway: what the specification rejects, on objects the published CRDs accept', () => {
  let findings: Finding[] = [];
  beforeAll(async () => {
    findings = await gatewayFindings();
  });
  const of = (code: string, name?: string) => findings.filter((f) => f.code === code && (name === undefined || f.object.name === name));

  test('AllowedRoutes.kinds "MUST set the ResolvedRefs condition to False … with the InvalidRouteKinds reason": KD7031 per listener', () => {
    const messages = of('KD7031', 'gws-faults').map((f) => f.message);
    expect(messages).toEqual([
      'gws-faults: listener tls-on-http: allowedRoutes.kinds names TLSRoute, which it cannot carry',
      'gws-faults: listener invalid-kind: allowedRoutes.kinds names InvalidRoute, which it cannot carry',
      'gws-faults: listener foreign-kind: allowedRoutes.kinds names FancyRoute, which it cannot carry',
    ]);
    expect(of('KD7031', 'gws-faults')[1]!.cause).toContain('routes of kind HTTPRoute still attach');
    expect(of('KD7031', 'gws-faults')[2]!.cause).toContain('FancyRoute.absent.kdiag.test is not served by this cluster');
  });

  test('ProtocolType "domain-prefixed" (KD7024) and a certificateRef that is not a core Secret (KD7025)', () => {
    expect(of('KD7024', 'gws-faults').map((f) => f.message)).toEqual([
      'gws-faults: listener odd: protocol HTTP2 is neither a core protocol nor domain-prefixed',
    ]);
    expect(of('KD7025', 'gws-faults').map((f) => f.message)).toEqual([
      'gws-faults: listener certs: certificateRef Bundle.cert.kdiag.test/b is not a core Secret',
    ]);
  });

  test('BackendRef InvalidKind decided by group AND kind from discovery (KD7026), a served other kind is implementation-specific (KD7027)', () => {
    expect(of('KD7026', 'gws-backends').map((f) => f.message)).toEqual([
      'gws-backends: backendRef Bucket.absent.kdiag.test/b names a kind the cluster does not serve (rule 1)',
      'gws-backends: backendRef NoSuchKind.gateway.networking.k8s.io/nk names a kind the cluster does not serve (rule 2)',
    ]);
    expect(of('KD7026', 'gws-backends')[1]!.cause).toContain('lists group gateway.networking.k8s.io without kind NoSuchKind');
    expect(of('KD7027', 'gws-backends').map((f) => f.message)).toEqual([
      'gws-backends: backendRef ConfigMap/gws-params is an implementation-specific kind (rule 3)',
    ]);
  });

  test('ParametersReference "cannot be found … Accepted … False … InvalidParameters": KD7032 (GatewayClass), KD7033 (Gateway); none where the object exists', () => {
    expect(
      of('KD7032')
        .map((f) => f.object.name)
        .sort(),
    ).toEqual(['gws-params-missing', 'gws-params-unserved']);
    expect(of('KD7032', 'gws-params-missing')[0]!.message).toBe(
      `gws-params-missing: parametersRef does not resolve: ConfigMap gws-nope does not exist in namespace ${NS}`,
    );
    expect(of('KD7032', 'gws-params-unserved')[0]!.message).toContain('API discovery lists no group absent.kdiag.test');
    expect(of('KD7033').map((f) => f.message)).toEqual([
      `gws-faults: infrastructure.parametersRef does not resolve: ConfigMap gws-missing does not exist in namespace ${NS}`,
    ]);
    expect(findings.filter((f) => f.object.name === 'gws-found' || f.object.name === 'gws-params-found').map((f) => f.code)).not.toContain('KD7033');
    expect(of('KD7034')).toEqual([]);
  });
});

describe('kdiag trace in Gateway API terms', () => {
  test('the listener serves the host and no HTTPRoute rule matches: each route considered and the condition it fails (path, method, header)', async () => {
    const get = await trace('http://app.gws.kdiag.test/other');
    expect(get.mode).toBe('gateway');
    expect(get.stopsAt).toBe('route');
    const hop = get.hops.find((h) => h.id === 'route')!;
    expect(hop.detail).toBe('no HTTPRoute rule of listener http (HTTP 80, *.gws.kdiag.test) matches GET app.gws.kdiag.test/other');
    expect(hop.items!.map((i) => i.text)).toEqual([
      `HTTPRoute ${NS}/gws-backends: hostnames kinds.gws.kdiag.test do not match host app.gws.kdiag.test`,
      `HTTPRoute ${NS}/gws-web: rule 1 (PathPrefix /api): path /other is not PathPrefix /api; rule 2 (PathPrefix /other, POST, headers X-Canary=yes): method GET, the match wants POST`,
    ]);
    expect(JSON.stringify(get)).not.toContain('kubectl get ingress');
    const post = await trace('http://app.gws.kdiag.test/other', '-X', 'POST');
    expect(post.hops.find((h) => h.id === 'route')!.items!.map((i) => i.text)[1]).toContain('header X-Canary is absent, the match wants "yes"');
    const canary = await trace('http://app.gws.kdiag.test/other', '-X', 'POST', '-H', 'X-Canary: yes');
    // A rule matches: no controller wrote status for this parent (warn), and the route is no longer the stop.
    expect(canary.hops.find((h) => h.id === 'route')).toMatchObject({ status: 'warn' });
    expect(canary.hops.find((h) => h.id === 'route')!.detail).toContain(`${NS}/gws-web rule 2`);
  });

  test('no listener serves the host: the listeners considered and why, and that no Ingress names it either', async () => {
    const r = await trace('https://gws-nowhere.kdiag.test/');
    expect(r.mode).toBe('gateway');
    expect(r.stopsAt).toBe('gateway');
    const hop = r.hops[0]!;
    expect(hop.detail).toBe('no Gateway listener serves https gws-nowhere.kdiag.test on port 443');
    expect(hop.items!.map((i) => i.text)).toEqual(
      expect.arrayContaining([
        `Gateway ${NS}/gws-faults listener certs (HTTPS 443, www.gws.kdiag.test): hostname www.gws.kdiag.test does not match gws-nowhere.kdiag.test`,
        `Gateway ${NS}/gws-trace listener http (HTTP 80, *.gws.kdiag.test): port 80, not 443`,
      ]),
    );
    expect(hop.explanation).toContain('No Ingress rule names host gws-nowhere.kdiag.test either');
  });

  test('a host an Ingress rule names keeps the Ingress answer, also where no path matches', async () => {
    expect((await trace('https://api.edge.example.com/api/v1/users')).mode).toBe('ingress');
    const r = await trace('https://api.edge.example.com/nothing-here');
    expect(r.mode).toBe('ingress');
    expect(r.stopsAt).toBe('ingress-rule');
  });
});
