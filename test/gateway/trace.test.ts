import { describe, expect, it } from '@jest/globals';
import { selectGatewayRoute, traceGateway, type GatewayRequest } from '../../src/gateway/trace.js';
import { parseTraceUrl } from '../../src/trace/url.js';
import { certFor, tlsSecret } from '../checks/ingress-certs.js';
import { loadFixture, variant, type K8sObject } from '../support/fixtures.js';
import { gatewayObjects, gatewaySnapshot } from './objects.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const apiCert = tlsSecret('infra', 'api-gw-cert', certFor(['api.example.com'], NOW, -30, 200.5));
const shopCert = tlsSecret('infra', 'shop-gw-cert', certFor(['shop.example.com'], NOW, -400, -3.5));
const all = [...loadFixture('production.yaml'), ...loadFixture('gateway.yaml'), apiCert, shopCert];
const req = (url: string, extra: Partial<GatewayRequest> = {}): GatewayRequest => ({ ...parseTraceUrl(url), ...extra });

function trace(url: string, objects: readonly K8sObject[] = all, extra: Partial<GatewayRequest> = {}, policiesReadIn?: string[]) {
  const gw = gatewayObjects(objects);
  const snap = gatewaySnapshot(objects);
  const request = req(url, extra);
  const choice = selectGatewayRoute(gw, request);
  if (!choice) return undefined;
  const dataPlanePods = snap.pods.filter((p) => p.metadata?.labels?.['gateway.networking.k8s.io/gateway-name'] === 'public');
  return traceGateway(snap, request, choice, gw, { dataPlanePods, dnsPods: [], certWarnDays: 14, ...(policiesReadIn ? { policiesReadIn } : {}) });
}
const hops = (r: ReturnType<typeof trace>) => r!.hops.filter((h) => h.id !== 'egress').map((h) => `${h.id}:${h.status}`);

describe('kdiag trace through a Gateway', () => {
  it('follows https://api.example.com/api/v1 through the listener, the longest prefix and both weighted backends to the Pods', () => {
    const r = trace('https://api.example.com/api/v1/users')!;
    expect(r.mode).toBe('gateway');
    expect(hops(r)).toEqual([
      'load-balancer:ok',
      'gateway:ok',
      'tls:ok',
      'route:ok',
      'service:ok',
      'endpoints:ok',
      'network-policy:ok',
      'service:ok',
      'endpoints:ok',
      'network-policy:ok',
    ]);
    const route = r.hops.find((h) => h.id === 'route')!;
    expect(route.detail).toBe('production/api-route rule 1 (PathPrefix /api/v1, host api.example.com) → 2 backends');
    expect(route.items!.map((i) => i.text)).toEqual(['api-v1-service:80 weight 90 (90%)', 'api-service:80 weight 10 (10%)']);
    expect(r.hops.find((h) => h.id === 'gateway')!.detail).toBe(
      'class example (example.net/gateway-controller), listener https (HTTPS 443, api.example.com), 1/1 data-plane pod Ready',
    );
    expect(r.hops.find((h) => h.id === 'network-policy')!.detail).toContain('Gateway public data plane → api-v1-5c-a:8080 allowed');
    expect(r.stopsAt).toBeUndefined();
    expect(r.findings).toEqual([]);
    expect(r.probe).toMatchObject({ namespace: 'infra', service: 'api-v1-service', serviceNamespace: 'production', port: 80 });
  });

  it("a data-plane Pod being deleted (a rollout's old replica) is counted apart, not as a Pod that is not Ready", () => {
    const objects = all.flatMap((o) => {
      const labels = (o.metadata as { labels?: Record<string, string> } | undefined)?.labels;
      if (o.kind !== 'Pod' || labels?.['gateway.networking.k8s.io/gateway-name'] !== 'public') return [o];
      const meta = o.metadata as Record<string, unknown>;
      const old = { ...o, metadata: { ...meta, name: `${String(meta.name)}-old`, deletionTimestamp: '2026-11-25T11:59:50Z' } };
      return [o, old];
    });
    const r = trace('https://api.example.com/api/v1/users', objects)!;
    expect(r.hops.find((h) => h.id === 'gateway')!.detail).toBe(
      'class example (example.net/gateway-controller), listener https (HTTPS 443, api.example.com), 1/1 data-plane pod Ready (1 more terminating)',
    );
  });

  it('takes the catch-all rule for other paths and stops at an expired listener certificate', () => {
    const other = trace('https://api.example.com/health')!;
    expect(other.hops.find((h) => h.id === 'route')!.detail).toBe('production/api-route rule 2 (PathPrefix /, host api.example.com) → 1 backend');
    const shop = trace('https://shop.example.com/')!;
    expect(shop.stopsAt).toBe('tls');
    expect(shop.hops.find((h) => h.id === 'tls')!.detail).toBe('secret shop-gw-cert: certificate expired 3 d ago');
  });

  it('stops where the route fails: no route (404), missing backend, missing ReferenceGrant, no ready endpoint', () => {
    expect(trace('http://nothing.example.com/')!.hops.at(-1)).toMatchObject({ id: 'route', status: 'fail' });
    const missing = trace('http://www.example.com/')!;
    expect(missing.stopsAt).toBe('service');
    expect(missing.hops.find((h) => h.id === 'service')!.detail).toBe('does not exist');
    const cross = trace('http://shared.example.com/')!;
    expect(cross.hops.find((h) => h.id === 'service')).toMatchObject({
      title: 'Service shared/shared-api',
      status: 'fail',
      detail: 'reference not permitted (no ReferenceGrant)',
    });
    const granted = trace('http://web.example.com/')!;
    expect(granted.stopsAt).toBeUndefined();
    const dead = trace('http://v2.example.com/')!;
    expect(dead.stopsAt).toBe('endpoints');
    expect(dead.findings[0]!.message).toContain('selector app=api-v2 matches no pod');
  });

  it('HTTPRouteRule backendRefs: "the implementation must return 500" when ResolvedRefs is False (e.g. InvalidKind): the trace stops at the route', () => {
    const objects = all.map((o) =>
      o.kind === 'HTTPRoute' && o.metadata.name === 'api-route'
        ? variant(o, (r) => {
            (r as any).spec.rules[0].backendRefs = [{ group: 'example.net', kind: 'Bucket', name: 'b1', port: 80 }];
            (r as any).status.parents[0].conditions[1] = { type: 'ResolvedRefs', status: 'False', reason: 'InvalidKind', message: 'Bucket is not supported' };
          })
        : o,
    );
    const r = trace('https://api.example.com/api/v1/users', objects)!;
    expect(r.stopsAt).toBe('service');
    const last = r.hops.filter((h) => h.id !== 'egress').at(-1)!;
    expect(last).toMatchObject({ status: 'fail' });
    expect(last.detail).toContain('ResolvedRefs is False (InvalidKind): the Gateway answers HTTP 500');
  });

  it('reports a route the controller did not accept and a Gateway that is not programmed', () => {
    const objects = all.map((o) =>
      o.kind === 'HTTPRoute' && o.metadata.name === 'api-route'
        ? variant(o, (r) => ((r as any).status.parents[0].conditions[0] = { type: 'Accepted', status: 'False', reason: 'UnsupportedValue' }))
        : o,
    );
    expect(trace('https://api.example.com/', objects)!.stopsAt).toBe('route');
    const down = all.map((o) =>
      o.kind === 'Gateway' && o.metadata.name === 'public'
        ? variant(o, (g) => ((g as any).status.conditions[1] = { type: 'Programmed', status: 'False', reason: 'Pending' }))
        : o,
    );
    const r = trace('https://api.example.com/', down)!;
    expect(r.stopsAt).toBe('gateway');
    expect(r.hops.find((h) => h.id === 'gateway')!.detail).toBe('not Programmed (Pending): listener https (HTTPS 443, api.example.com)');
  });

  it('matches methods, headers and query parameters of the request', () => {
    const objects = all.map((o) =>
      o.kind === 'HTTPRoute' && o.metadata.name === 'api-route'
        ? variant(o, (r) => {
            (r as any).spec.rules.push({
              matches: [{ path: { value: '/api/v1' }, method: 'POST', headers: [{ name: 'X-Canary', value: 'yes' }] }],
              backendRefs: [{ name: 'api-v2-service', port: 80 }],
            });
            (r as any).spec.rules.push({
              matches: [{ path: { value: '/api/v1' }, queryParams: [{ name: 'beta', value: '1' }] }],
              backendRefs: [{ name: 'api-service', port: 80 }],
            });
          })
        : o,
    );
    const rule = (url: string, extra: Partial<GatewayRequest> = {}) =>
      trace(url, objects, extra)!
        .hops.find((h) => h.id === 'route')!
        .detail.split(' (')[0];
    expect(rule('https://api.example.com/api/v1/x')).toBe('production/api-route rule 1');
    expect(rule('https://api.example.com/api/v1/x', { method: 'POST', headers: { 'x-canary': 'yes' } })).toBe('production/api-route rule 3');
    expect(rule('https://api.example.com/api/v1/x?beta=1')).toBe('production/api-route rule 4');
  });

  it("stops at a NetworkPolicy that does not admit the Gateway's data-plane Pods, and passes once it does", () => {
    const policy = (from: object[]) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api-v1-ingress', namespace: 'production' },
      spec: { podSelector: { matchLabels: { app: 'api-v1' } }, policyTypes: ['Ingress'], ingress: [{ from }] },
    });
    const onlyNginx = trace('https://api.example.com/api/v1/users', [
      ...all,
      policy([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }]),
    ])!;
    expect(onlyNginx.stopsAt).toBe('network-policy');
    expect(onlyNginx.hops.find((h) => h.id === 'network-policy')!.detail).toBe('Gateway public data plane → api-v1-5c-a:8080 denied');
    const gatewayAllowed = trace('https://api.example.com/api/v1/users', [
      ...all,
      policy([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'infra' } } }]),
    ])!;
    expect(gatewayAllowed.stopsAt).toBeUndefined();
    expect(gatewayAllowed.hops.find((h) => h.id === 'network-policy')!.detail).toContain('allowed (by production/api-v1-ingress');
  });

  it('is not chosen when no listener serves the host and port', () => {
    expect(trace('https://api.example.com:8443/')).toBeUndefined();
    expect(trace('http://api.other.org/')).toBeUndefined();
  });
});

describe('kdiag trace through a Gateway, for a user who may read NetworkPolicies in some namespaces only', () => {
  const policyHops = (r: ReturnType<typeof trace>) => r!.hops.filter((h) => h.id === 'network-policy');

  it('a side in a namespace whose policies were not read is undecided, with the permission it would need (as in the Ingress trace)', () => {
    // The data plane runs in infra; only production's policies were read.
    const r = trace('https://api.example.com/api/v1/users', all, {}, ['production'])!;
    expect(policyHops(r).map((h) => h.status)).toEqual(['info', 'info']);
    expect(policyHops(r)[0]!.detail).toBe(
      'Gateway public data plane → api-v1-5c-a:8080: depends on objects kdiag cannot read (the NetworkPolicies of namespace infra (list networkpolicies.networking.k8s.io in namespace infra))',
    );
    expect(r.stopsAt).toBeUndefined();
    expect(r.findings).toEqual([]);
  });

  it('neither side read: both namespaces named; both read: the same answer as with every policy', () => {
    const none = trace('https://api.example.com/api/v1/users', all, {}, [])!;
    expect(policyHops(none)[0]!.detail).toMatch(/the NetworkPolicies of namespace infra .*; the NetworkPolicies of namespace production /);
    const both = trace('https://api.example.com/api/v1/users', all, {}, ['infra', 'production'])!;
    expect(hops(both)).toEqual(hops(trace('https://api.example.com/api/v1/users')));
  });

  it('data-plane Pods that could not be listed: the policy hop is undecided and names what reading them would need', () => {
    const gw = gatewayObjects(all);
    const snap = gatewaySnapshot(all);
    const request = req('https://api.example.com/api/v1/users');
    const r = traceGateway(snap, request, selectGatewayRoute(gw, request)!, gw, { dnsPods: [], certWarnDays: 14, policiesReadIn: ['production'] });
    expect(policyHops(r).map((h) => h.status)).toEqual(['info', 'info']);
    expect(policyHops(r)[0]!.detail).toBe(
      'Gateway public data plane → api-v1-5c-a:8080: depends on objects kdiag cannot read (the data-plane Pods of Gateway infra/public and their NetworkPolicies (list pods and networkpolicies where the implementation runs its proxy))',
    );
    expect(r.stopsAt).toBeUndefined();
  });

  it('a denial by a policy that was read is a denial even when the other side was not read (either side can refuse)', () => {
    const onlyNginx: K8sObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api-v1-ingress', namespace: 'production' },
      spec: {
        podSelector: { matchLabels: { app: 'api-v1' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] }],
      },
    };
    const r = trace('https://api.example.com/api/v1/users', [...all, onlyNginx], {}, ['production'])!;
    expect(r.stopsAt).toBe('network-policy');
    expect(r.hops.find((h) => h.id === 'network-policy')!.detail).toBe('Gateway public data plane → api-v1-5c-a:8080 denied');
  });
});
