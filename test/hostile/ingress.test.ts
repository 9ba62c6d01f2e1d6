// Hostile input for every Ingress rule: names, hosts, paths, annotation values, Secret and
// class names that would run a command, break YAML or drive the terminal if kdiag pasted them
// into a fix. For each value, a cluster where every Ingress code fires on objects carrying it;
// each finding must then pass expectSafeFindings (commands parse to their argv, manifests
// round-trip, no raw control character on screen).
import { describe, expect, it } from '@jest/globals';
import type { V1Ingress, V1Pod, V1Secret } from '@kubernetes/client-node';
import { analyzeIngresses, type CertManagerObjects } from '../../src/checks/ingress.js';
import { CODES } from '../../src/report/codes.js';
import { renderCommand } from '../../src/report/fix.js';
import type { Finding } from '../../src/report/types.js';
import { certFor, tlsSecret } from '../checks/ingress-certs.js';
import { fixtureSnapshot, type K8sObject } from '../support/fixtures.js';
import { expectSafeFindings, HOSTILE_STRINGS, shellArgv, YAML_SPECIAL } from '../support/hostile.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const NS = 'production';
const host = 'api.example.com';
const pairs = {
  good: certFor([host], NOW, -30, 300),
  expired: certFor([host], NOW, -60, -2),
  expiring: certFor([host], NOW, -60, 5),
  future: certFor([host], NOW, 2, 60),
  other: certFor(['other.example.com'], NOW, -1, 60),
};

/** Every Ingress code, except those listed with why they cannot carry a hostile value. */
const CANNOT_CARRY: Record<string, string> = {};
const INGRESS_CODES = Object.keys(CODES).filter((c) => CODES[c as keyof typeof CODES].check === 'ingress' && !(c in CANNOT_CARRY));

const svc = (name: string, ports: object[] = [{ port: 80, targetPort: 8080 }]): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: { selector: { app: 'none' }, ports },
});
const backend = (name: string, port: object = { number: 80 }) => ({ service: { name, port } });

function ingress(name: string, spec: object, annotations: Record<string, string> = {}, extra: object = {}): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: NS, annotations, creationTimestamp: '2026-01-01T00:00:00Z', ...extra },
    spec,
  };
}

/** A cluster in which every Ingress code fires on objects that carry `h`. */
function cluster(h: string): { objects: K8sObject[]; secrets: V1Secret[] } {
  const classes: K8sObject[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: `nginx${h}`, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'k8s.io/ingress-nginx' },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: `other${h}`, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: `example.com/${h}` },
    },
  ];
  const rules = (hostName: string, paths: object[]) => [{ host: hostName, http: { paths } }];
  const path = (p: string, pathType: string, b: object = backend(`svc${h}`)) => ({ path: p, pathType, backend: b });
  const objects: K8sObject[] = [
    ...classes,
    svc(`svc${h}`),
    svc(`named${h}`, [{ name: 'http', port: 80 }]),
    // KD3001 (class missing), KD3006 (no address), KD3008/KD3009/KD3010/KD3011, KD3012–KD3014.
    ingress(`a${h}`, {
      ingressClassName: `missing${h}`,
      rules: rules(`${h}.example.com`, [
        path(`/x${h}`, 'Prefix', backend(`ghost${h}`)),
        path('/port', 'Prefix', backend(`named${h}`, { name: `p${h}` })),
        path(`rel${h}`, 'Prefix'),
        path(`/(${h})`, 'Exact'),
        path(`/impl${h}`, 'ImplementationSpecific', { resource: { apiGroup: 'k8s.example.com', kind: `Bucket${h}`, name: `assets${h}` } }),
      ]),
    }),
    // KD3016 (legacy annotation), KD3001 as a warning; cert-manager KD3031/KD3033; nginx annotations KD3040–KD3043.
    ingress(
      `b${h}`,
      { rules: rules(host, [path('/', 'Prefix')]), tls: [{ hosts: [host], secretName: `missing${h}` }] },
      {
        'kubernetes.io/ingress.class': `x${h}`,
        'cert-manager.io/cluster-issuer': `issuer${h}`,
        'nginx.ingress.kubernetes.io/proxy-body-size': `10 MB${h}`,
        [`nginx.ingress.kubernetes.io/proxy-read-timout`]: h,
        'nginx.ingress.kubernetes.io/rewrite-target': `/$2${h}`,
      },
    ),
    // KD3007 (young), KD3029 (host without TLS), TLS Secrets KD3020–KD3028, KD3030 (unreadable).
    ingress(
      `c${h}`,
      {
        ingressClassName: `nginx${h}`,
        rules: [...rules(host, [path('/', 'Prefix')]), ...rules(`plain${h}.example.com`, [path('/', 'Prefix')])],
        tls: [
          { hosts: [host], secretName: `expired${h}` },
          { hosts: [host], secretName: `expiring${h}` },
          { hosts: [host], secretName: `future${h}` },
          { hosts: [`uncovered${h}.example.com`], secretName: `other${h}` },
          { hosts: [host], secretName: `mismatch${h}` },
          { hosts: [host], secretName: `nokey${h}` },
          { hosts: [host], secretName: `garbage${h}` },
          { hosts: [host], secretName: `unreadable${h}` },
          { hosts: [host], secretName: `opaque${h}` },
        ],
      },
      { 'nginx.org/client-max-body-size': h },
      { creationTimestamp: '2026-11-25T11:59:00Z' },
    ),
    // KD3015: the same host and path as c, in the same class, younger. KD3004/KD3005 via the classes' controllers.
    ingress(
      `d${h}`,
      { ingressClassName: `nginx${h}`, rules: rules(host, [path('/', 'Prefix')]) },
      { 'cert-manager.io/cluster-issuer': `ready${h}` },
      { creationTimestamp: '2026-06-01T00:00:00Z' },
    ),
    ingress(`e${h}`, { ingressClassName: `other${h}`, rules: rules(host, [path('/e', 'Exact')]) }),
    // KD3002 once no class is marked default.
    ingress(`f${h}`, { rules: rules(host, [path('/f', 'Exact')]) }),
    tlsSecret(NS, `expired${h}`, pairs.expired),
    tlsSecret(NS, `expiring${h}`, pairs.expiring),
    tlsSecret(NS, `future${h}`, pairs.future),
    tlsSecret(NS, `other${h}`, pairs.other),
    tlsSecret(NS, `mismatch${h}`, { crt: pairs.good.crt, key: pairs.other.key }),
    tlsSecret(NS, `nokey${h}`, { crt: pairs.good.crt }),
    tlsSecret(NS, `garbage${h}`, { crt: `not a certificate ${h}`, key: pairs.good.key }),
  ];
  const secrets: V1Secret[] = [tlsSecret(NS, `opaque${h}`, pairs.good, 'Opaque')];
  return { objects, secrets };
}

function certManager(h: string): CertManagerObjects {
  const notReady = { conditions: [{ type: 'Ready', status: 'False', reason: `Failing${h}`, message: h }] };
  return {
    clusterIssuers: [
      { metadata: { name: `ready${h}` }, status: notReady },
      { metadata: { name: `z${h}` }, status: notReady },
    ],
    issuers: [],
    certificates: [{ metadata: { name: `cert${h}`, namespace: NS }, spec: { secretName: `missing${h}` }, status: notReady }],
  };
}

function findingsFor(h: string): Finding[] {
  const { objects, secrets } = cluster(h);
  const ingresses: V1Ingress[] = objects.filter((o) => o.kind === 'Ingress');
  const inputs = {
    controllerPods: [] as V1Pod[],
    secrets,
    secretsLookedUp: true,
    secretErrors: { [`${NS}/unreadable${h}`]: `forbidden ${h}` },
    certManager: certManager(h),
    focus: ingresses,
  };
  const found = analyzeIngresses(fixtureSnapshot(objects), {}, inputs).findings;
  // Run-wide findings that need other inputs: Secrets not listable, cert-manager absent or forbidden, controller Pods not listable.
  const skipped = analyzeIngresses(
    fixtureSnapshot(objects, { unavailable: { tlssecrets: `secrets is forbidden ${h}` } }),
    {},
    {
      controllerPodsUnavailable: `pods ${h}`,
      certManager: { unavailable: { reason: 'absent', message: `absent ${h}` }, clusterIssuers: [], issuers: [], certificates: [] },
    },
  ).findings;
  const forbidden = analyzeIngresses(
    fixtureSnapshot(objects),
    {},
    { certManager: { unavailable: { reason: 'forbidden', message: `forbidden ${h}` }, clusterIssuers: [], issuers: [], certificates: [] } },
  ).findings;
  const noDefault = analyzeIngresses(fixtureSnapshot(objects.filter((o) => o.kind !== 'IngressClass')), {}, {}).findings;
  // From the other runs only what they add (each fix is parsed by bash: keep the list short).
  const only = (codes: string[], list: Finding[]) => list.filter((f) => codes.includes(f.code));
  return [...found, ...only(['KD3030', 'KD3034'], skipped), ...only(['KD3035'], forbidden), ...only(['KD3002'], noDefault)];
}

describe('Ingress rules on hostile input', () => {
  for (const h of [...new Set([...HOSTILE_STRINGS, ...YAML_SPECIAL])]) {
    it(`every code fires and every fix is safe: ${JSON.stringify(h)}`, () => {
      const findings = findingsFor(h);
      expect([...new Set(findings.map((f) => f.code))].sort()).toEqual(INGRESS_CODES.sort());
      expectSafeFindings(findings);
    }, 60_000);
  }

  it("the reproduced injection: KD3016's fix for ingress.class \"x'; echo PWNED; echo '\" parses to exactly the intended argv", () => {
    const evil = "x'; echo PWNED; echo '";
    const objects = [
      ingress(
        'evil',
        { rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('svc') }] } }] },
        { 'kubernetes.io/ingress.class': evil },
      ),
    ];
    const f = analyzeIngresses(fixtureSnapshot(objects), {}, {}).findings.find((x) => x.code === 'KD3016')!;
    const [patch, annotate] = f.remediation!.commands;
    expect(shellArgv(renderCommand(patch!))).toEqual([
      'kubectl',
      '-n',
      NS,
      'patch',
      'ingress',
      'evil',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { ingressClassName: evil } }),
    ]);
    expect(shellArgv(renderCommand(annotate!))).toEqual(['kubectl', '-n', NS, 'annotate', 'ingress', 'evil', 'kubernetes.io/ingress.class-']);
    expect(f.fix).not.toContain(`"${evil}"`);
  });
});
