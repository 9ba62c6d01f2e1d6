// `kdiag trace` in Gateway API terms when no listener or no route rule takes the request:
// the listeners and routes considered, and why each does not. Test names cite the
// specification text they follow.
import { describe, expect, it } from '@jest/globals';
import { matchMiss, routeMiss, selectGatewayRoute, traceGateway, traceUnserved, type GatewayRequest } from '../../src/gateway/trace.js';
import type { HTTPRouteMatch } from '../../src/gateway/types.js';
import { parseTraceUrl } from '../../src/trace/url.js';
import { loadFixture, variant, type K8sObject } from '../support/fixtures.js';
import { gatewayObjects, gatewaySnapshot } from './objects.js';

const all = [...loadFixture('production.yaml'), ...loadFixture('gateway.yaml')];
const req = (url: string, extra: Partial<GatewayRequest> = {}): GatewayRequest => ({ ...parseTraceUrl(url), ...extra });

describe('HTTPRouteMatch: "a request matches … only if every condition is satisfied" — the first condition each match fails', () => {
  const http = (url: string, extra: Partial<GatewayRequest> = {}) => {
    const r = req(url, extra);
    const query = Object.fromEntries(new URL(r.url).searchParams);
    return { host: r.host, path: r.path, method: extra.method ?? 'GET', headers: extra.headers ?? {}, query };
  };
  it.each<[string, HTTPRouteMatch, string, Partial<GatewayRequest>, string | undefined]>([
    [
      'path: PathPrefix matches whole elements',
      { path: { type: 'PathPrefix', value: '/api' } },
      'http://a.example.com/apiv2',
      {},
      'path /apiv2 is not PathPrefix /api',
    ],
    ['path: Exact', { path: { type: 'Exact', value: '/health' } }, 'http://a.example.com/health/x', {}, 'path /health/x is not Exact /health'],
    ['method', { method: 'POST' }, 'http://a.example.com/', {}, 'method GET, the match wants POST'],
    ['header absent', { headers: [{ name: 'X-Env', value: 'canary' }] }, 'http://a.example.com/', {}, 'header X-Env is absent, the match wants "canary"'],
    [
      'header with another value (names are case-insensitive)',
      { headers: [{ name: 'X-Env', value: 'canary' }] },
      'http://a.example.com/',
      { headers: { 'x-env': 'prod' } },
      'header X-Env is "prod", the match wants "canary"',
    ],
    ['query parameter', { queryParams: [{ name: 'v', value: '2' }] }, 'http://a.example.com/?v=1', {}, 'query parameter v is "1", the match wants "2"'],
    ['everything matches', { path: { value: '/a' }, method: 'GET', queryParams: [{ name: 'v', value: '1' }] }, 'http://a.example.com/a/b?v=1', {}, undefined],
  ])('%s', (_name, match, url, extra, expected) => {
    expect(matchMiss(match, http(url, extra))).toBe(expected);
  });

  it('a route whose hostnames do not match names them', () => {
    const route = { metadata: { name: 'r', namespace: 'ns' }, spec: { hostnames: ['a.example.org'], rules: [{}] } };
    expect(routeMiss(route, http('http://b.example.org/'))).toBe('HTTPRoute ns/r: hostnames a.example.org do not match host b.example.org');
  });
});

describe('Listener: "the most specific hostname", port and protocol — in Gateway API terms when nothing serves the request', () => {
  const objects = gatewayObjects(all);
  it('no listener serves the host: every listener considered, with the reason it does not take the request', () => {
    const request = req('https://api.other.org/');
    expect(selectGatewayRoute(objects, request)).toBeUndefined();
    const r = traceUnserved(request, objects, undefined, 0)!;
    expect(r.mode).toBe('gateway');
    expect(r.stopsAt).toBe('gateway');
    const h = r.hops[0]!;
    expect(h.detail).toBe('no Gateway listener serves https api.other.org on port 443');
    expect(h.items!.map((i) => i.text)).toEqual([
      'Gateway infra/public listener http (HTTP 80, *.example.com): port 80, not 443',
      'Gateway infra/public listener https (HTTPS 443, api.example.com): hostname api.example.com does not match api.other.org',
      'Gateway infra/public listener shop (HTTPS 443, shop.example.com): hostname shop.example.com does not match api.other.org',
      'Gateway infra/public listener internal (HTTP 8080, internal.example.com): port 8080, not 443',
      'Gateway infra/orphan-gw listener http (HTTP 80, any host): port 80, not 443',
    ]);
    expect(h.explanation).not.toContain('kubectl get ingress');
    expect(r.findings[0]!.code).toBe('KD6010');
  });

  it('with Ingresses in the cluster, it also says that no Ingress names the host', () => {
    const r = traceUnserved(req('https://api.other.org/'), objects, undefined, 3)!;
    expect(r.hops[0]!.explanation).toContain('No Ingress rule names host api.other.org either (kubectl get ingress -A)');
  });

  it('a listener for any host takes it and no HTTPRoute rule matches: every route considered, with the condition it fails', () => {
    const catchAll = all.map((o) =>
      o.kind === 'Gateway' && o.metadata.name === 'orphan-gw'
        ? variant(o, (g: any) => (g.spec.listeners[0].allowedRoutes = { namespaces: { from: 'All' } }))
        : o,
    );
    const route: K8sObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'canary', namespace: 'production', creationTimestamp: '2026-01-02T00:00:00Z' },
      spec: {
        parentRefs: [{ name: 'orphan-gw', namespace: 'infra' }],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/shop' } }], backendRefs: [{ name: 'api-service', port: 80 }] },
          { matches: [{ method: 'POST' }, { headers: [{ name: 'X-Canary', value: 'yes' }] }], backendRefs: [{ name: 'api-service', port: 80 }] },
        ],
      },
    } as K8sObject;
    const objects2 = gatewayObjects([...catchAll, route]);
    const request = req('http://nowhere.example.net/cart');
    expect(selectGatewayRoute(objects2, request)).toBeUndefined();
    const r = traceUnserved(request, objects2, undefined, 0)!;
    const h = r.hops[0]!;
    expect(h).toMatchObject({ id: 'route', status: 'fail', detail: 'no HTTPRoute rule matches GET nowhere.example.net/cart on the listeners for any host' });
    expect(h.explanation).toContain('infra/orphan-gw/http');
    expect(h.explanation).toContain('the Gateway answers 404');
    expect(h.items!.map((i) => i.text)).toEqual([
      'Gateway infra/orphan-gw listener http (HTTP 80, any host): HTTPRoute production/canary: rule 1 (PathPrefix /shop): path /cart is not PathPrefix /shop; rule 2 (PathPrefix /, POST): method GET, the match wants POST; rule 2 (PathPrefix /, headers X-Canary=yes): header X-Canary is absent, the match wants "yes"',
    ]);
    expect(r.entry).toMatchObject({ api: 'gateway', namespace: 'infra' });
  });

  it('no Gateway at all: nothing to say in Gateway API terms (the Ingress answer stands)', () => {
    expect(traceUnserved(req('http://api.other.org/'), gatewayObjects([]), undefined, 0)).toBeUndefined();
  });

  it('a listener for the host without a matching rule lists each attached route and why it does not match', () => {
    const request = req('https://api.example.com/api/v1', { method: 'DELETE' });
    const objects3 = gatewayObjects(
      all.map((o) =>
        o.kind === 'HTTPRoute' && o.metadata.name === 'api-route'
          ? variant(
              o,
              (r: any) => (r.spec.rules = [{ matches: [{ path: { value: '/api/v1' }, method: 'GET' }], backendRefs: [{ name: 'api-service', port: 80 }] }]),
            )
          : o,
      ),
    );
    const choice = selectGatewayRoute(objects3, request)!;
    expect(choice.match).toBeUndefined();
    const r = traceGateway(gatewaySnapshot(all), request, choice, objects3, { dnsPods: [], certWarnDays: 14 });
    const h = r.hops.find((x) => x.id === 'route')!;
    expect(h.detail).toBe('no HTTPRoute rule of listener https (HTTPS 443, api.example.com) matches DELETE api.example.com/api/v1');
    expect(h.items!.map((i) => i.text)).toEqual([
      'HTTPRoute production/api-route: rule 1 (PathPrefix /api/v1, GET): method DELETE, the match wants GET',
      'HTTPRoute production/missing-backend-route: hostnames www.example.com do not match host api.example.com',
    ]);
  });
});
