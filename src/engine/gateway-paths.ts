// The traffic paths of `kdiag check -o html` through the Gateway API: for every Gateway
// listener, one request per host and rule match of each HTTPRoute that names the listener
// (one request to the listener's own host when none does), traced hop by hop by
// src/gateway/trace.ts — the hops `kdiag trace` prints for the same URL. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { gatewayContext } from '../gateway/context.js';
import { candidateMatches } from '../gateway/match.js';
import { httpRequestOf, routesOnListener, traceGateway, type GatewayRequest } from '../gateway/trace.js';
import { GATEWAY_GROUP, type Gateway, type GatewayObjects, type HTTPRouteMatch, type Listener, type Route } from '../gateway/types.js';
import type { HtmlPath } from '../report/html/render.js';
import type { Snapshot } from '../snapshot.js';
import type { TraceResult } from '../trace/trace.js';
import { parseTraceUrl } from '../trace/url.js';

/** Data-plane Pods per Gateway (`ns/name`); undefined for a Gateway whose Pods could not be listed. */
export type DataPlanes = Map<string, V1Pod[] | undefined>;

const gatewayKey = (g: Gateway) => `${g.metadata?.namespace ?? ''}/${g.metadata?.name ?? ''}`;

/** Whether two hostnames (each possibly `*.suffix`, undefined: any) can name the same host. */
function hostnamesIntersect(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a === b) return true;
  const under = (host: string, wildcard: string) => wildcard.startsWith('*.') && host.endsWith(wildcard.slice(1));
  return under(a, b) || under(b, a);
}

/**
 * Whether a route names this listener: by sectionName (or port), admitted or not — a route the
 * listener refuses is drawn broken — or, naming the whole Gateway, when its hostnames fit the listener's.
 */
function namesListener(route: Route, gateway: Gateway, listener: Listener): boolean {
  const rns = route.metadata?.namespace ?? '';
  const fits = () => (route.spec?.hostnames?.length ? route.spec.hostnames : [undefined]).some((h) => hostnamesIntersect(h, listener.hostname));
  return (route.spec?.parentRefs ?? []).some(
    (p) =>
      (p.kind ?? 'Gateway') === 'Gateway' &&
      (p.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
      p.name === gateway.metadata?.name &&
      (p.namespace ?? rns) === gateway.metadata?.namespace &&
      (!p.port || p.port === listener.port) &&
      (p.sectionName ? p.sectionName === listener.name : fits()),
  );
}

/** A concrete host for a hostname pattern: `*.example.com` → `any.example.com`; none → a reserved name. */
function concreteHost(pattern: string | undefined): string {
  if (!pattern) return 'any-host.invalid';
  return pattern.startsWith('*.') ? `any.${pattern.slice(2)}` : pattern;
}

/** A path a match accepts (a regular expression or an odd character: `/`). */
function concretePath(m: HTTPRouteMatch): string {
  const value = m.path?.value ?? '/';
  if (m.path?.type === 'RegularExpression' || !/^\/[A-Za-z0-9/._~-]*$/.test(value)) return '/';
  return value;
}

interface Planned {
  request: GatewayRequest;
  route?: Route;
}

/** The requests that exercise a listener: per route, host and rule match. */
function plannedRequests(listener: Listener, routes: readonly Route[]): Planned[] {
  const scheme = listener.protocol === 'HTTPS' || listener.protocol === 'TLS' ? 'https' : 'http';
  const port = listener.port === (scheme === 'https' ? 443 : 80) ? '' : `:${listener.port}`;
  const make = (host: string, m: HTTPRouteMatch, route?: Route): Planned | undefined => {
    try {
      const query = new URLSearchParams((m.queryParams ?? []).filter((q) => q.type !== 'RegularExpression').map((q): [string, string] => [q.name, q.value]));
      const search = [...query].length ? `?${query.toString()}` : '';
      const request: GatewayRequest = {
        ...parseTraceUrl(`${scheme}://${host}${port}${concretePath(m)}${search}`),
        ...(m.method ? { method: m.method } : {}),
        headers: Object.fromEntries((m.headers ?? []).filter((h) => h.type !== 'RegularExpression').map((h) => [h.name, h.value])),
      };
      return { request, ...(route ? { route } : {}) };
    } catch {
      return undefined; // a host kdiag cannot turn into a URL: the gateway check reports the route
    }
  };
  const out: Planned[] = [];
  for (const route of routes) {
    const hosts = route.spec?.hostnames?.length ? route.spec.hostnames : [listener.hostname];
    for (const host of hosts)
      for (const rule of route.spec?.rules ?? [{}])
        for (const m of rule.matches?.length ? rule.matches : [{}]) {
          const p = make(concreteHost(host), m, route);
          if (p) out.push(p);
        }
  }
  if (out.length === 0) {
    const p = make(concreteHost(listener.hostname), {});
    if (p) out.push(p);
  }
  const seen = new Set<string>();
  return out.filter((p) => {
    const k = JSON.stringify([p.request.url, p.request.method, p.request.headers]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function listenerLabel(l: Listener): string {
  return `${l.name} (${l.protocol} ${l.port}, ${l.hostname ?? 'any host'})`;
}

/** Every Gateway listener's traffic paths (load balancer → Gateway listener → route rule → Service → Pods). */
export function gatewayPaths(snapshot: Snapshot, planes: DataPlanes = new Map(), certWarnDays = 14): HtmlPath[] {
  const objects: GatewayObjects | undefined = snapshot.gateway;
  if (!objects || objects.unavailable) return [];
  const ctx = gatewayContext(snapshot, objects, { certWarnDays });
  const joined = ctx.snapshot;
  const paths: HtmlPath[] = [];
  for (const gateway of objects.gateways) {
    const gname = gatewayKey(gateway);
    for (const listener of gateway.spec?.listeners ?? []) {
      const admitted = routesOnListener(objects, gateway, listener, ctx.namespaceLabels);
      const named = objects.httpRoutes.filter((r) => namesListener(r, gateway, listener));
      for (const { request, route } of plannedRequests(listener, named)) {
        const match = candidateMatches(admitted, httpRequestOf(request), listener.hostname)[0];
        const result = traceGateway(joined, request, { gateway, listener, routes: admitted, ...(match ? { match } : {}) }, objects, {
          dataPlanePods: planes.has(gname) ? planes.get(gname) : undefined,
          dnsPods: snapshot.clusterDns?.pods ?? [],
          certWarnDays,
        });
        const routeName = route ? `HTTPRoute ${route.metadata?.namespace}/${route.metadata?.name}` : 'no HTTPRoute';
        const extras = [
          request.method && request.method !== 'GET' ? request.method : '',
          ...Object.entries(request.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
        ]
          .filter(Boolean)
          .join(', ');
        paths.push({
          kind: 'gateway',
          group: `Gateway ${gname}`,
          subgroup: `Listener ${listenerLabel(listener)}`,
          title: `${routeName}: ${request.host}${request.path}${extras ? ` (${extras})` : ''}`,
          ...drawnTrace(result),
        });
      }
      for (const r of objects.grpcRoutes.filter((x) => namesListener(x, gateway, listener)))
        paths.push({
          kind: 'gateway',
          group: `Gateway ${gname}`,
          subgroup: `Listener ${listenerLabel(listener)}`,
          title: `GRPCRoute ${r.metadata?.namespace}/${r.metadata?.name}`,
          url: '',
          hops: [],
          note: 'not drawn: kdiag traces HTTPRoutes; kdiag gateway checks this GRPCRoute (parents, backends, ReferenceGrants).',
        });
    }
  }
  return paths;
}

/** What a diagram draws of one traced request (Ingress or Gateway): its URL, hops and where it stops. */
export function drawnTrace(result: TraceResult): Pick<HtmlPath, 'url' | 'hops' | 'stopsAt'> {
  return {
    url: result.url,
    hops: result.hops.map((h) => ({
      id: h.id,
      title: h.title,
      status: h.status,
      detail: h.detail,
      ...(h.explanation ? { explanation: h.explanation } : {}),
      ...(h.items?.length ? { items: h.items } : {}),
    })),
    ...(result.stopsAt ? { stopsAt: result.stopsAt } : {}),
  };
}
