import { describe, expect, it } from '@jest/globals';
import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import { analyzeIngresses, ingressCheck, type CertManagerObjects, type IngressInputs } from '../../src/checks/ingress.js';
import type { Finding } from '../../src/report/types.js';
import { find, fixtureSnapshot, loadFixture, variant, type K8sObject } from '../support/fixtures.js';
import { certFor, tlsSecret } from './ingress-certs.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const production = loadFixture('production.yaml');
const ingressObjects = loadFixture('ingress.yaml');
const apiTls = tlsSecret('production', 'api-tls-secret', certFor(['api.example.com'], NOW, -30, 335)) as unknown as K8sObject;
const wwwTls = tlsSecret('production', 'www-tls', certFor(['www.example.com', 'example.com'], NOW, -30, 200)) as unknown as K8sObject;
const all = [...production, ...ingressObjects, apiTls, wwwTls];

function run(objects: readonly K8sObject[] = all, inputs: IngressInputs = {}, options = {}, partial = {}) {
  return analyzeIngresses(fixtureSnapshot(objects, partial), options, inputs);
}
function byIngress(findings: readonly Finding[], min: 'error' | 'warning' | 'info' = 'warning'): Record<string, string[]> {
  const keep = min === 'info' ? ['error', 'warning', 'info'] : min === 'warning' ? ['error', 'warning'] : ['error'];
  const out: Record<string, string[]> = {};
  for (const f of findings.filter((x) => keep.includes(x.severity))) (out[f.object.name] ??= []).push(f.code);
  for (const k of Object.keys(out)) out[k]!.sort();
  return out;
}

const replace = (objects: readonly K8sObject[], kind: string, name: string, change: (o: any) => void) =>
  objects.map((o) => (o.kind === kind && o.metadata.name === name ? variant(o, change) : o));
const only = (name: string) => all.filter((o) => o.kind !== 'Ingress' || o.metadata.name === name);

describe('ingress check on the production layout', () => {
  it('reports exactly the planted faults (errors and warnings)', () => {
    expect(byIngress(run().findings)).toEqual({
      'api-ingress': ['KD3010'],
      'missing-class-ingress': ['KD3001', 'KD3006'],
      'shop-ingress': ['KD3008', 'KD3009', 'KD3010'],
      'tuned-ingress': ['KD3040', 'KD3040', 'KD3040', 'KD3041', 'KD3042', 'KD3043'],
      'web-copy-ingress': ['KD3015'],
    });
  });

  it('healthy: web-ingress has no finding at all, and its tree reaches ready endpoints', () => {
    const web = run().ingresses.find((i) => i.name === 'web-ingress')!;
    expect(web.findings).toEqual([]);
    expect(web.status).toBe('OK');
    expect(web.class).toBe('nginx');
    expect(web.controllerStatus).toBe('1/1 ready');
    expect(web.address).toEqual(['192.0.2.10']);
    expect(web.tls).toMatchObject({ status: 'ok', summary: 'ok', minDaysLeft: 200 });
    expect(web.backends).toEqual({ ready: 1, total: 1 });
    expect(web.tree.hosts).toEqual([
      {
        host: 'www.example.com',
        tls: expect.objectContaining({ secretName: 'www-tls', status: 'ok', summary: 'ok (expires in 200 d)' }),
        paths: [
          {
            path: '/',
            pathType: 'Prefix',
            backend: {
              backend: 'api-service:80',
              kind: 'service',
              service: 'api-service',
              port: '80',
              servicePort: 80,
              targetPort: '8080',
              status: 'OK',
              ready: 2,
              total: 2,
            },
          },
        ],
      },
    ]);
  });

  it("the guide's api-ingress: /api/v2's backend carries the endpoints cause", () => {
    const api = run().ingresses.find((i) => i.name === 'api-ingress')!;
    const f = api.findings.find((x) => x.code === 'KD3010')!;
    expect(f.message).toBe(
      'api-ingress: backend api-v2-service:80 has no ready endpoints (api.example.com/api/v2): api-v2-service: selector app=api-v2 matches no pod',
    );
    expect(f.cause).toContain('app=api-v2-server (2 pods)');
    expect(f.fix).toContain(`patch service api-v2-service`);
    expect(api.backends).toEqual({ ready: 1, total: 2 });
    const v2 = api.tree.hosts[0]!.paths[1]!;
    expect(v2.backend).toMatchObject({ status: 'NO ENDPOINTS', ready: 0, total: 0, cause: 'api-v2-service: selector app=api-v2 matches no pod' });
    expect(api.tree.hosts[0]!.tls?.summary).toBe('ok (expires in 335 d)');
  });

  it('broken backends: missing Service, missing port (with the ports that exist), not-ready Pods', () => {
    const shop = run().ingresses.find((i) => i.name === 'shop-ingress')!;
    const msg = Object.fromEntries(shop.findings.map((f) => [f.code, f]));
    expect(msg.KD3008!.message).toBe('shop-ingress: backend Service cart-service not found (shop.example.com/cart)');
    expect(msg.KD3009!.message).toBe('shop-ingress: backend api-service:8080: Service api-service has no port 8080 (shop.example.com/orders)');
    expect(msg.KD3009!.cause).toContain('has ports 80');
    expect(msg.KD3010!.cause).toContain('readiness');
    expect(shop.backends).toEqual({ ready: 0, total: 3 });
  });

  it('resolves a backend port by name', () => {
    const renamed = replace(only('web-ingress'), 'Service', 'api-service', (s) => (s.spec.ports[0].name = 'http'));
    const objs = replace(renamed, 'EndpointSlice', 'api-service-abcde', (s) => (s.ports[0].name = 'http'));
    const named = replace(objs, 'Ingress', 'web-ingress', (i) => (i.spec.rules[0].http.paths[0].backend.service.port = { name: 'http' }));
    expect(run(named).findings).toEqual([]);
    const wrong = replace(named, 'Ingress', 'web-ingress', (i) => (i.spec.rules[0].http.paths[0].backend.service.port = { name: 'https' }));
    expect(byIngress(run(wrong).findings)).toEqual({ 'web-ingress': ['KD3009'] });
  });

  it('reports a resource backend without crashing, and checks a defaultBackend', () => {
    const objs = replace(only('web-ingress'), 'Ingress', 'web-ingress', (i) => {
      i.spec.rules[0].http.paths.push({
        path: '/static',
        pathType: 'Prefix',
        backend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'assets' } },
      });
      i.spec.defaultBackend = { service: { name: 'missing-default', port: { number: 80 } } };
    });
    const r = run(objs);
    expect(byIngress(r.findings, 'info')).toEqual({ 'web-ingress': ['KD3008', 'KD3011'] });
    expect(r.ingresses[0]!.tree.defaultBackend).toMatchObject({ backend: 'missing-default:80', status: 'NO SERVICE' });
  });

  it('accepts ExternalName and headless Service backends', () => {
    const objs = replace(only('web-ingress'), 'Ingress', 'web-ingress', (i) => {
      i.spec.rules[0].http.paths.push(
        { path: '/db', pathType: 'Prefix', backend: { service: { name: 'external-db', port: { number: 5432 } } } },
        { path: '/cache', pathType: 'Prefix', backend: { service: { name: 'redis-headless', port: { number: 6379 } } } },
      );
    });
    const r = run(objs);
    expect(r.findings).toEqual([]);
    expect(r.ingresses[0]!.tree.hosts[0]!.paths.map((p) => p.backend.status)).toEqual(['OK', 'EXTERNAL', 'OK']);
  });

  it('exports a Check for kdiag check', () => {
    expect(ingressCheck.requires).toEqual(expect.arrayContaining(['ingresses', 'endpointslices']));
    // TLS Secrets and (cluster-scoped) IngressClasses are optional: without them the check still runs.
    expect(ingressCheck.optional).toEqual(['tlssecrets', 'ingressclasses']);
    expect(Object.keys(ingressCheck.skippedWithout ?? {})).toEqual(['ingressclasses', 'controller-pods']);
    expect(ingressCheck.run(fixtureSnapshot(all), {}).map((f) => f.code)).toContain('KD3010');
  });
});

describe('class and controller', () => {
  const web = only('web-ingress');
  const noClass = replace(web, 'Ingress', 'web-ingress', (i) => delete i.spec.ingressClassName);

  it('KD3002 no class and no default; the single default class is used', () => {
    expect(byIngress(run(noClass).findings)).toEqual({ 'web-ingress': ['KD3002'] });
    const withDefault = replace(noClass, 'IngressClass', 'nginx', (c) => (c.metadata.annotations = { 'ingressclass.kubernetes.io/is-default-class': 'true' }));
    const r = run(withDefault);
    expect(r.findings).toEqual([]);
    expect(r.ingresses[0]).toMatchObject({ class: 'nginx', classSource: 'default' });
  });

  it('KD3003 two default classes (once)', () => {
    const two = [
      ...replace(noClass, 'IngressClass', 'nginx', (c) => (c.metadata.annotations = { 'ingressclass.kubernetes.io/is-default-class': 'true' })),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: 'other', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
        spec: { controller: 'example.com/other' },
      },
    ];
    const r = run(two);
    expect(r.global.map((f) => f.code)).toEqual(['KD3003']);
    expect(r.global[0]!.message).toBe('other: 2 IngressClasses are marked default (nginx, other)');
  });

  it('legacy annotation: KD3016 info when the class exists, KD3001 as a warning when not', () => {
    const legacy = replace(noClass, 'Ingress', 'web-ingress', (i) => (i.metadata.annotations['kubernetes.io/ingress.class'] = 'nginx'));
    expect(byIngress(run(legacy).findings, 'info')).toEqual({ 'web-ingress': ['KD3016'] });
    const missing = replace(noClass, 'Ingress', 'web-ingress', (i) => (i.metadata.annotations['kubernetes.io/ingress.class'] = 'haproxy'));
    const f = run(missing).findings.find((x) => x.code === 'KD3001')!;
    expect(f.severity).toBe('warning');
  });

  it('KD3004 controller not running: no Pods, or Pods not Ready (with the reason)', () => {
    const noPods = web.filter((o) => !o.metadata.name.startsWith('ingress-nginx-controller'));
    const r = run(noPods);
    expect(byIngress(r.findings)).toEqual({ 'web-ingress': ['KD3004'] });
    expect(r.findings[0]!.cause).toContain('app.kubernetes.io/name=ingress-nginx,app.kubernetes.io/component=controller');
    const notReady = replace(web, 'Pod', 'ingress-nginx-controller-5f-a', (p) => {
      p.status.conditions = [{ type: 'Ready', status: 'False' }];
      p.status.containerStatuses = [
        { name: 'controller', ready: false, restartCount: 4, image: 'x', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } } },
      ];
    });
    const f = run(notReady).findings.find((x) => x.code === 'KD3004')!;
    expect(f.cause).toContain('ingress-nginx/ingress-nginx-controller-5f-a: Running: container controller: CrashLoopBackOff');
  });

  it('KD3005 when the controller cannot be told: unknown controller, or a namespaced snapshot without controller Pods', () => {
    const unknown = replace(web, 'IngressClass', 'nginx', (c) => (c.spec.controller = 'example.com/my-controller'));
    expect(byIngress(run(unknown).findings, 'info')).toEqual({ 'web-ingress': ['KD3005'] });
    const scoped = run(web, {}, {}, { namespace: 'production' });
    expect(byIngress(scoped.findings, 'info')).toEqual({ 'web-ingress': ['KD3005'] });
    const given = run(
      web,
      { controllerPods: web.filter((o) => o.kind === 'Pod' && o.metadata.namespace === 'ingress-nginx') as unknown as V1Pod[] },
      {},
      { namespace: 'production' },
    );
    expect(given.findings).toEqual([]);
  });
});

describe('address, paths, conflicts', () => {
  it('KD3007 for a young Ingress without address, KD3006 once the grace period is over', () => {
    const young = replace(only('web-ingress'), 'Ingress', 'web-ingress', (i) => {
      delete i.status;
      i.metadata.creationTimestamp = '2026-11-25T11:58:00Z';
    });
    expect(byIngress(run(young).findings, 'info')).toEqual({ 'web-ingress': ['KD3007'] });
    expect(byIngress(run(young, {}, { addressGraceSeconds: 60 }).findings, 'info')).toEqual({ 'web-ingress': ['KD3006'] });
  });

  it('KD3012 relative path, KD3013 regex under Prefix, KD3014 ImplementationSpecific', () => {
    const objs = replace(only('web-ingress'), 'Ingress', 'web-ingress', (i) => {
      const backend = i.spec.rules[0].http.paths[0].backend;
      i.spec.rules[0].http.paths.push(
        { path: 'api', pathType: 'Prefix', backend },
        { path: '/api/(v1|v2)', pathType: 'Prefix', backend },
        { path: '/legacy', pathType: 'ImplementationSpecific', backend },
      );
    });
    expect(byIngress(run(objs).findings, 'info')).toEqual({ 'web-ingress': ['KD3012', 'KD3013', 'KD3014'] });
  });

  it('KD3015 names the older Ingress that wins; Ingresses of other classes do not conflict', () => {
    const f = run().findings.find((x) => x.code === 'KD3015')!;
    expect(f.object.name).toBe('web-copy-ingress');
    expect(f.message).toBe('web-copy-ingress: www.example.com/ (Prefix) is also served by Ingress production/web-ingress');
    const otherClass = replace(all, 'Ingress', 'web-copy-ingress', (i) => (i.spec.ingressClassName = 'traefik'));
    expect(run(otherClass).findings.some((x) => x.code === 'KD3015')).toBe(false);
  });
});

describe('TLS on Ingresses', () => {
  const api = only('api-ingress');
  const without = (name: string) => api.filter((o) => !(o.kind === 'Secret' && o.metadata.name === name));
  const withSecret = (pair: { crt?: string; key?: string }, type?: string) => [
    ...without('api-tls-secret'),
    tlsSecret('production', 'api-tls-secret', pair, type) as unknown as K8sObject,
  ];
  const tlsCodes = (objs: readonly K8sObject[], inputs: IngressInputs = {}, options = {}) =>
    (byIngress(run(objs, inputs, options).findings, 'info')['api-ingress'] ?? []).filter((c) => c !== 'KD3010');

  it('expired, not yet valid, expiring soon, SAN mismatch, key mismatch', () => {
    expect(tlsCodes(withSecret(certFor(['api.example.com'], NOW, -60, -1)))).toEqual(['KD3024']);
    expect(tlsCodes(withSecret(certFor(['api.example.com'], NOW, 1, 60)))).toEqual(['KD3026']);
    expect(tlsCodes(withSecret(certFor(['api.example.com'], NOW, -60, 5)))).toEqual(['KD3025']);
    expect(tlsCodes(withSecret(certFor(['api.example.com'], NOW, -60, 20)), {}, { certWarnDays: 30 })).toEqual(['KD3025']);
    expect(tlsCodes(withSecret(certFor(['web.example.com'], NOW, -1, 60)))).toEqual(['KD3027']);
    expect(tlsCodes(withSecret(certFor(['*.example.com'], NOW, -1, 60)))).toEqual([]);
    const a = certFor(['api.example.com'], NOW, -1, 60);
    const b = certFor(['api.example.com'], NOW, -1, 60);
    expect(tlsCodes(withSecret({ crt: a.crt, key: b.key }))).toEqual(['KD3028']);
  });

  it('shows the problem in the TLS summary and the host tree', () => {
    const r = run(withSecret(certFor(['api.example.com'], NOW, -60, -4)));
    expect(r.ingresses[0]!.tls.summary).toBe('certificate expired 4 d ago');
    expect(r.ingresses[0]!.tree.hosts[0]!.tls).toMatchObject({ secretName: 'api-tls-secret', status: 'problem' });
    expect(JSON.stringify(r)).not.toContain('PRIVATE KEY');
  });

  it('KD3020 missing Secret; KD3021 a Secret of another type read by name', () => {
    expect(tlsCodes(without('api-tls-secret'))).toEqual(['KD3020']);
    expect(run(without('api-tls-secret')).findings.find((f) => f.code === 'KD3020')!.cause).toContain('a Secret of another type was not looked for');
    expect(tlsCodes(without('api-tls-secret'), { secretsLookedUp: true })).toEqual(['KD3020']);
    const opaque = tlsSecret('production', 'api-tls-secret', certFor(['api.example.com'], NOW, -1, 60), 'Opaque') as unknown as V1Secret;
    expect(tlsCodes(without('api-tls-secret'), { secrets: [opaque], secretsLookedUp: true })).toEqual(['KD3021']);
  });

  it('KD3030 once when Secrets cannot be listed, and per Secret that cannot be read', () => {
    const r = run(without('api-tls-secret'), {}, {}, { unavailable: { tlssecrets: 'you lack `list` on `secrets` (403 Forbidden)' } });
    expect(r.global.map((f) => f.code)).toEqual(['KD3030']);
    expect(r.global[0]!.cause).toContain('403 Forbidden');
    expect(r.ingresses[0]!.tls.summary).toBe('skipped');
    expect(tlsCodes(without('api-tls-secret'), { secretErrors: { 'production/api-tls-secret': 'forbidden' } })).toEqual(['KD3030']);
  });

  it('KD3029 a rule host without a tls entry', () => {
    const objs = replace(api, 'Ingress', 'api-ingress', (i) =>
      i.spec.rules.push({
        host: 'plain.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'api-service', port: { number: 80 } } } }] },
      }),
    );
    expect(tlsCodes(objs)).toEqual(['KD3029']);
  });
});

describe('cert-manager', () => {
  const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
  const cm = (over: Partial<CertManagerObjects> = {}): CertManagerObjects => ({
    clusterIssuers: [{ metadata: { name: 'letsencrypt-prod' }, status: ready }],
    issuers: [],
    certificates: [{ metadata: { name: 'api-tls-secret', namespace: 'production' }, spec: { secretName: 'api-tls-secret' }, status: ready }],
    ...over,
  });
  const annotated = replace(
    only('api-ingress'),
    'Ingress',
    'api-ingress',
    (i) => (i.metadata.annotations['cert-manager.io/cluster-issuer'] = 'letsencrypt-prod'),
  );
  const cmCodes = (inputs: IngressInputs, objs = annotated) =>
    run(objs, inputs)
      .findings.map((f) => f.code)
      .filter((c) => c !== 'KD3010');

  it('no finding when the ClusterIssuer and the Certificate are Ready', () => {
    expect(cmCodes({ certManager: cm() })).toEqual([]);
  });

  it('KD3031 issuer missing, KD3032 issuer not Ready, KD3033 Certificate not Ready or missing', () => {
    expect(cmCodes({ certManager: cm({ clusterIssuers: [] }) })).toEqual(['KD3031']);
    const notReady = cm({
      clusterIssuers: [
        {
          metadata: { name: 'letsencrypt-prod' },
          status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ErrRegisterACMEAccount', message: 'Failed to register ACME account' }] },
        },
      ],
    });
    const r = run(annotated, { certManager: notReady }).findings.find((f) => f.code === 'KD3032')!;
    expect(r.cause).toContain('ErrRegisterACMEAccount');
    expect(cmCodes({ certManager: cm({ certificates: [] }) })).toEqual(['KD3033']);
    expect(
      cmCodes({
        certManager: cm({
          certificates: [
            {
              metadata: { name: 'api-tls-secret', namespace: 'production' },
              spec: { secretName: 'api-tls-secret' },
              status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Issuing' }] },
            },
          ],
        }),
      }),
    ).toEqual(['KD3033']);
  });

  it('a namespaced Issuer', () => {
    const objs = replace(only('api-ingress'), 'Ingress', 'api-ingress', (i) => (i.metadata.annotations['cert-manager.io/issuer'] = 'local-ca'));
    expect(cmCodes({ certManager: cm() }, objs)).toEqual(['KD3031']);
    expect(cmCodes({ certManager: cm({ issuers: [{ metadata: { name: 'local-ca', namespace: 'production' }, status: ready }] }) }, objs)).toEqual([]);
  });

  it('KD3034 once when the CRDs are absent, KD3035 when forbidden', () => {
    const two = [...annotated, variant(find(annotated, 'Ingress', 'api-ingress'), (i) => (i.metadata.name = 'api-ingress-2'))];
    const r = run(two, {
      certManager: {
        unavailable: { reason: 'absent', message: 'the API does not serve clusterissuers.cert-manager.io/v1 (CRD not installed)' },
        clusterIssuers: [],
        issuers: [],
        certificates: [],
      },
    });
    expect(r.global.map((f) => f.code)).toEqual(['KD3034']);
    const forbidden = run(annotated, {
      certManager: { unavailable: { reason: 'forbidden', message: 'no' }, clusterIssuers: [], issuers: [], certificates: [] },
    });
    expect(forbidden.global.map((f) => f.code)).toEqual(['KD3035']);
  });
});

describe('ingress-nginx annotations', () => {
  it('names the type, the nearest known key and the foreign controller', () => {
    const tuned = run().ingresses.find((i) => i.name === 'tuned-ingress')!;
    const messages = tuned.findings.map((f) => f.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'tuned-ingress: annotation limit-rps="fast" expects a whole number',
        'tuned-ingress: annotation proxy-body-size="10 MB" expects an nginx size such as 10m, 512k or 1024 (units k, m, g)',
        'tuned-ingress: annotation ssl-redirect="yes" expects a boolean ("true" or "false")',
        'tuned-ingress: unknown annotation nginx.ingress.kubernetes.io/proxy-read-timout (did you mean nginx.ingress.kubernetes.io/proxy-read-timeout?)',
        'tuned-ingress: rewrite-target "/$2" uses capture groups without use-regex',
        'tuned-ingress: 1 annotation of NGINX Ingress Controller (F5 NGINX) on an ingress-nginx Ingress',
      ]),
    );
    const fix = tuned.findings.find((f) => f.code === 'KD3041')!.fix;
    expect(fix).toBe(
      'kubectl -n production annotate ingress tuned-ingress nginx.ingress.kubernetes.io/proxy-read-timout- nginx.ingress.kubernetes.io/proxy-read-timeout=60',
    );
  });

  it('accepts a capture-group rewrite with use-regex and a regex path that defines the group', () => {
    const objs = replace(only('tuned-ingress'), 'Ingress', 'tuned-ingress', (i) => {
      i.metadata.annotations = { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2', 'nginx.ingress.kubernetes.io/use-regex': 'true' };
      i.spec.rules[0].http.paths[0].path = '/app(/|$)(.*)';
      i.spec.rules[0].http.paths[0].pathType = 'ImplementationSpecific';
    });
    expect(byIngress(run(objs).findings)).toEqual({});
    const short = replace(objs, 'Ingress', 'tuned-ingress', (i) => (i.spec.rules[0].http.paths[0].path = '/app/(.*)'));
    expect(run(short).findings.find((f) => f.code === 'KD3042')!.message).toBe(
      'tuned-ingress: rewrite-target "/$2" uses capture groups that path /app/(.*) does not define',
    );
  });

  it('does not flag other controllers’ annotations on an Ingress of another controller', () => {
    const objs = [
      ...replace(only('tuned-ingress'), 'Ingress', 'tuned-ingress', (i) => {
        i.metadata.annotations = { 'nginx.org/client-max-body-size': '10m' };
        i.spec.ingressClassName = 'nginx-plus';
      }),
      { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx-plus' }, spec: { controller: 'nginx.org/ingress-controller' } },
    ];
    expect(run(objs).findings.filter((f) => f.code === 'KD3043')).toEqual([]);
  });
});

describe('the rules as a catalogue', () => {
  it('every ingress code is declared by exactly one rule', async () => {
    const { INGRESS_RULES, INGRESS_RUN_RULES } = await import('../../src/checks/ingress.js');
    const { CODES } = await import('../../src/report/codes.js');
    const declared = [...INGRESS_RULES, ...INGRESS_RUN_RULES].flatMap((r) => r.codes.map((c) => `${c}:${r.id}`));
    const codes = Object.keys(CODES).filter((c) => CODES[c as keyof typeof CODES].check === 'ingress');
    expect(declared.map((d) => d.split(':')[0]).sort()).toEqual(codes.sort());
  });
});

describe('one cause behind many Ingresses: the finding names it as root', () => {
  /** The controller's own LoadBalancer Service, still without an address. */
  const pendingService: K8sObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' },
    spec: {
      type: 'LoadBalancer',
      selector: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    },
    status: { loadBalancer: {} },
  };
  /** Three copies of web-ingress without an address, long after their creation. */
  const withoutAddress = (objects: readonly K8sObject[]) => {
    const web = find(objects, 'Ingress', 'web-ingress');
    const copies = ['shop-a', 'shop-b', 'shop-c'].map((name) =>
      variant(web, (i: any) => {
        i.metadata.name = name;
        i.spec.rules[0].host = `${name}.example.com`;
        delete i.spec.tls;
        delete i.status;
      }),
    );
    return [...objects.filter((o) => o.kind !== 'Ingress'), ...copies];
  };

  it('KD3006 on every Ingress of the class names the pending controller Service as root, with its own cause and fix', () => {
    const findings = run(withoutAddress([...all, pendingService])).findings.filter((f) => f.code === 'KD3006');
    expect(findings.map((f) => f.object.name).sort()).toEqual(['shop-a', 'shop-b', 'shop-c']);
    for (const f of findings) {
      expect(f.root).toEqual({ kind: 'Service', namespace: 'ingress-nginx', name: 'ingress-nginx-controller' });
      expect(f.cause).toMatch(/its LoadBalancer Service ingress-nginx\/ingress-nginx-controller has no external address \(pending\)/);
      expect(f.remediation?.commands[0]?.argv).toEqual(['kubectl', '-n', 'ingress-nginx', 'describe', 'service', 'ingress-nginx-controller']);
    }
  });

  it('without a pending controller Service, KD3006 has no root (the cause is not known to be shared)', () => {
    const findings = run(withoutAddress(all)).findings.filter((f) => f.code === 'KD3006');
    expect(findings).toHaveLength(3);
    for (const f of findings) expect(f.root).toBeUndefined();
  });

  it('a Service with an address, or one that does not select the controller, is not the root', () => {
    const served = variant(pendingService, (s: any) => (s.status = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } }));
    const other = variant(pendingService, (s: any) => (s.spec.selector = { app: 'something-else' }));
    for (const svc of [served, other])
      for (const f of run(withoutAddress([...all, svc])).findings.filter((x) => x.code === 'KD3006')) expect(f.root).toBeUndefined();
  });

  it('KD3001 on several Ingresses asking for one missing class has the IngressClass as root', () => {
    const objects = withoutAddress(all).map((o) => (o.kind === 'Ingress' ? variant(o, (i: any) => (i.spec.ingressClassName = 'traefik')) : o));
    const findings = run(objects).findings.filter((f) => f.code === 'KD3001');
    expect(findings).toHaveLength(3);
    for (const f of findings) expect(f.root).toEqual({ kind: 'IngressClass', name: 'traefik' });
  });

  it('KD3004 and KD3006 behind a stopped controller have its IngressClass as root', () => {
    const stopped = withoutAddress(all).map((o) =>
      o.kind === 'Pod' && o.metadata.name === 'ingress-nginx-controller-5f-a'
        ? variant(o, (p: any) => (p.status.conditions = [{ type: 'Ready', status: 'False' }]))
        : o,
    );
    const findings = run(stopped).findings.filter((f) => f.code === 'KD3004' || f.code === 'KD3006');
    expect(findings).toHaveLength(6);
    for (const f of findings) expect(f.root).toEqual({ kind: 'IngressClass', name: 'nginx' });
  });
});

describe('KD3006 for an Ingress whose class does not exist', () => {
  it('says the class is missing and names it as root', () => {
    const f = run().findings.find((x) => x.code === 'KD3006' && x.object.name === 'missing-class-ingress')!;
    expect(f.cause).toMatch(/IngressClass traefik does not exist, so no controller admits it\.$/);
    expect(f.root).toEqual({ kind: 'IngressClass', name: 'traefik' });
  });
});
