import { describe, expect, it } from '@jest/globals';
import { selectRoute, traceIngress, traceService } from '../../src/trace/trace.js';
import { parseTraceUrl } from '../../src/trace/url.js';
import { fixtureSnapshot, loadFixture, variant, find, type K8sObject } from '../support/fixtures.js';
import { selfSigned } from '../support/tls.js';

const objects = loadFixture('trace.yaml');
const cert = selfSigned('api.example.com', { sans: ['DNS:api.example.com'], days: 90 });
const tlsSecret: K8sObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'api-tls-secret', namespace: 'production' },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': Buffer.from(cert.cert).toString('base64'), 'tls.key': Buffer.from(cert.key).toString('base64') },
} as K8sObject;

const pods = (objs: K8sObject[]) => objs.filter((o) => o.kind === 'Pod');
function run(url: string, objs: K8sObject[] = [...objects, tlsSecret]) {
  const snap = fixtureSnapshot(objs, { now: new Date() });
  const request = parseTraceUrl(url);
  const inputs = {
    controllerPods: pods(objs).filter((p) => p.metadata.namespace === 'ingress-nginx') as never,
    dnsPods: pods(objs).filter((p) => p.metadata.namespace === 'kube-system') as never,
    certWarnDays: 14,
  };
  if (request.service && snap.services.some((s) => s.metadata?.name === request.service!.name)) return traceService(snap, request, inputs);
  return traceIngress(snap, request, selectRoute(snap.ingresses, request), inputs);
}
const statuses = (r: ReturnType<typeof run>) => r.hops.map((h) => `${h.id}:${h.status}`);

describe('kdiag trace (pure)', () => {
  it('a working URL shows every hop as ok', () => {
    const r = run('https://api.example.com/api/v1/users');
    expect(statuses(r)).toEqual([
      'load-balancer:ok',
      'controller:ok',
      'tls:ok',
      'ingress-rule:ok',
      'service:ok',
      'endpoints:ok',
      'network-policy:ok',
      'egress:ok',
    ]);
    expect(r.stopsAt).toBeUndefined();
    expect(r.findings).toEqual([]);
    expect(r.hops.find((h) => h.id === 'network-policy')!.detail).toContain('allowed (by production/api-server-policy)');
    expect(r.hops.find((h) => h.id === 'egress')!.items!.map((i) => i.text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^cluster DNS kube-system\/coredns-a:53\/UDP allowed/),
        expect.stringMatching(/^postgres:5432 \(pod port 5432\) allowed/),
      ]),
    );
    expect(r.probe).toEqual({
      namespace: 'ingress-nginx',
      labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
      service: 'api-v1-service',
      serviceNamespace: 'production',
      port: 80,
      path: '/api/v1/users',
    });
  });

  it('a broken backend stops at the Pods with the endpoints cause', () => {
    const r = run('https://api.example.com/api/v2/orders');
    expect(r.stopsAt).toBe('endpoints');
    const stop = r.hops.find((h) => h.id === 'endpoints')!;
    expect(stop.detail).toBe('no ready endpoint on port 80: selector app=api-v2 matches no pod');
    expect(stop.explanation).toContain('app=api-v2-server');
    expect(r.findings.map((f) => f.code)).toEqual(['KD6010']);
  });

  it('picks rules per element: /api/v10 is not under /api/v1, and an unknown host has no Ingress', () => {
    expect(run('https://api.example.com/api/v10').stopsAt).toBe('ingress-rule');
    const other = run('https://www.example.com/');
    expect(other.hops.map((h) => h.id)).toEqual(['ingress-rule']);
    expect(other.hops[0]!.detail).toBe('no Ingress serves host www.example.com');
  });

  it('stops at the NetworkPolicy when the controller namespace is not admitted', () => {
    const policy = find(objects, 'NetworkPolicy', 'api-server-policy');
    const narrowed = variant(policy, (p) => {
      (p as unknown as { spec: { ingress: { from: object[] }[] } }).spec.ingress[0]!.from = [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
      ];
    });
    const r = run('https://api.example.com/api/v1/users', [...objects.filter((o) => o !== policy), narrowed, tlssecretOf()]);
    expect(r.stopsAt).toBe('network-policy');
    expect(r.hops.find((h) => h.id === 'network-policy')!.explanation).toMatch(/isolated for ingress/);
  });

  it('stops at the load balancer without an address, and at TLS without a Secret', () => {
    const ing = find(objects, 'Ingress', 'api-ingress');
    const noAddress = variant(ing, (i) => {
      (i as unknown as { status: object }).status = { loadBalancer: {} };
    });
    expect(run('https://api.example.com/api/v1', [...objects.filter((o) => o !== ing), noAddress, tlssecretOf()]).stopsAt).toBe('load-balancer');
    const r = run('https://api.example.com/api/v1', objects);
    expect(r.stopsAt).toBe('tls');
    expect(r.hops.find((h) => h.id === 'tls')!.detail).toBe('secret api-tls-secret: TLS secret api-tls-secret not found');
    expect(run('http://api.example.com/api/v1', objects).stopsAt).toBeUndefined();
  });

  it("lists destinations the backend's own egress policy does not allow as info, not as a problem", () => {
    const extra: K8sObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'search', namespace: 'production' },
      spec: { selector: { app: 'redis' }, ports: [{ port: 9200, targetPort: 9200 }] },
    } as K8sObject;
    const r = run('https://api.example.com/api/v1', [...objects, tlsSecret, extra]);
    const egress = r.hops.find((h) => h.id === 'egress')!;
    expect(egress.status).toBe('ok');
    expect(egress.items!.find((i) => i.status === 'info')!.text).toBe("not allowed by the backend's egress policy (probably by design): search:9200");
    expect(r.findings).toEqual([]);
  });

  it("shows the guide's own gap: default-deny-ingress also blocks api-server → postgres", () => {
    const allow = find(objects, 'NetworkPolicy', 'databases-from-api');
    const r = run('https://api.example.com/api/v1', [...objects.filter((o) => o !== allow), tlsSecret]);
    expect(r.stopsAt).toBeUndefined();
    const egress = r.hops.find((h) => h.id === 'egress')!;
    expect(egress.status).toBe('warn');
    expect(egress.items!.find((i) => i.text.startsWith('postgres:5432'))!.text).toMatch(
      /denied by the destination — production\/postgres-0 is isolated for ingress by production\/default-deny-ingress/,
    );
    expect(r.findings.map((f) => f.code)).toEqual(['KD6011']);
  });

  it('starts at a Service for http://SERVICE.NAMESPACE URLs', () => {
    const r = run('http://api-v2-service.production/health');
    expect(r.mode).toBe('service');
    expect(statuses(r)).toEqual(['service:ok', 'endpoints:fail']);
    const ok = run('http://api-v1-service.production.svc.cluster.local:80/health');
    expect(ok.stopsAt).toBeUndefined();
  });

  it('rejects URLs with bad schemes or control characters', () => {
    expect(() => parseTraceUrl('ftp://api.example.com/')).toThrow('unsupported URL scheme "ftp"');
    expect(() => parseTraceUrl('https://api.example.com/a\nb')).toThrow(/control characters/);
    expect(() => parseTraceUrl('not a url')).toThrow(/spaces or control characters|invalid URL/);
  });
});

function tlssecretOf(): K8sObject {
  return tlsSecret;
}
