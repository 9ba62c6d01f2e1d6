// How a request (host, path) is routed by a set of Ingresses, the way the Ingress spec
// defines it; pure, so `kdiag ingress` and `kdiag trace` share one implementation.
//
// - Hosts: an exact host rule wins over a wildcard rule (`*.example.com` covers exactly one
//   label: `api.example.com`, not `example.com` nor `a.b.example.com`), which wins over rules
//   without a host. Once a host is chosen, only its rules are searched (a controller serves
//   each host as one virtual server), then the Ingress's defaultBackend.
// - Paths: "precedence will be given first to the longest matching path. If two paths are
//   still equally matched, … exact path type over prefix path type" (Ingress reference).
//   Prefix matches element by element (`/api/v1` matches `/api/v1/users`, not `/api/v10`)
//   and ignores a trailing slash, so Prefix `/foo` and `/foo/` both match `/foo` and `/foo/`:
//   then the longer path as written (`/foo/`) wins, whatever the order of the list or of the
//   Ingresses. ImplementationSpecific is the controller's own (IMPLEMENTATION_SPECIFIC_NOTE);
//   kdiag matches it as a plain string prefix, what ingress-nginx does without use-regex.
// - Between Ingresses that still tie, the oldest wins (ingress-nginx's rule).
import type { V1HTTPIngressPath, V1Ingress, V1IngressBackend, V1Service, V1ServiceBackendPort, V1ServicePort } from '@kubernetes/client-node';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

const PATH_TYPE_RANK: Record<PathType, number> = { Exact: 3, Prefix: 2, ImplementationSpecific: 1 };

/** What ImplementationSpecific means: the controller decides; what the common ones do. */
export const IMPLEMENTATION_SPECIFIC_NOTE =
  'pathType ImplementationSpecific leaves matching to the Ingress controller: ingress-nginx matches a string prefix (/api also matches /apiary), or a regular expression with nginx.ingress.kubernetes.io/use-regex; Traefik matches a path prefix; HAProxy Ingress a string prefix ("begin"); Contour a regular expression when the path holds regex characters, else a prefix; GKE Ingress the path exactly, with /* as a wildcard; kdiag assumed a string prefix';

/** A request host without port and trailing dot, lower case. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h; // IPv6 literal: leave as is
  const colon = h.lastIndexOf(':');
  if (colon >= 0 && /^\d+$/.test(h.slice(colon + 1))) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

export type HostMatch = 'exact' | 'wildcard' | 'any';

/** How a rule's host matches a request host; undefined when it does not. */
export function hostMatch(ruleHost: string | undefined, host: string): HostMatch | undefined {
  if (!ruleHost) return 'any';
  const rule = ruleHost.toLowerCase();
  const h = normalizeHost(host);
  if (rule.startsWith('*.')) {
    const suffix = rule.slice(1); // ".example.com"
    if (!h.endsWith(suffix)) return undefined;
    const label = h.slice(0, -suffix.length);
    return label.length > 0 && !label.includes('.') ? 'wildcard' : undefined;
  }
  return rule === h ? 'exact' : undefined;
}

export function hostMatches(ruleHost: string | undefined, host: string): boolean {
  return hostMatch(ruleHost, host) !== undefined;
}

function elements(path: string): string[] {
  return path.split('/').filter((e) => e.length > 0);
}

/** Whether a rule path of the given type matches a request path (query string ignored). */
export function pathMatches(pathType: string | undefined, rulePath: string | undefined, requestPath: string): boolean {
  const request = requestPath.split('?')[0] || '/';
  const rule = rulePath || '/';
  switch (pathType) {
    case 'Exact':
      return rule === request;
    case 'Prefix': {
      const r = elements(rule);
      const q = elements(request);
      if (r.length > q.length) return false;
      return r.every((e, i) => e === q[i]);
    }
    default:
      return request.startsWith(rule);
  }
}

/** A route: one rule path (or a defaultBackend) of one Ingress. */
export interface Route {
  ingress: V1Ingress;
  /** The rule's host ('' for none). */
  host: string;
  /** Index of the rule in spec.rules and of the path in its http.paths; undefined for a defaultBackend. */
  ruleIndex?: number;
  pathIndex?: number;
  path?: V1HTTPIngressPath;
  backend: V1IngressBackend;
}

export interface RouteMatch extends Route {
  hostMatch: HostMatch;
  /** 'path' when a rule path matched, 'default-backend' when the Ingress's defaultBackend serves it. */
  via: 'path' | 'default-backend';
}

function created(ing: V1Ingress): number {
  const t = ing.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

/** Oldest first, then by namespace/name: the order a controller resolves ties in. */
export function byAge(a: V1Ingress, b: V1Ingress): number {
  return (
    created(a) - created(b) ||
    (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') ||
    (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')
  );
}

/** Every rule path of the Ingresses, flattened. */
export function routesOf(ingresses: readonly V1Ingress[]): Route[] {
  const out: Route[] = [];
  for (const ingress of ingresses) {
    (ingress.spec?.rules ?? []).forEach((rule, ruleIndex) => {
      (rule.http?.paths ?? []).forEach((path, pathIndex) => {
        out.push({ ingress, host: rule.host ?? '', ruleIndex, pathIndex, path, backend: path.backend });
      });
    });
  }
  return out;
}

const pathLength = (r: Route, trim: boolean) => (trim ? (r.path?.path ?? '/').replace(/\/$/, '') : (r.path?.path ?? '/')).length;
const typeRank = (r: Route) => PATH_TYPE_RANK[(r.path?.pathType ?? 'ImplementationSpecific') as PathType] ?? 0;

/**
 * Precedence between matching paths, never list order: the longest match, then Exact over
 * Prefix over ImplementationSpecific, then the longer path as written (`/foo/` over `/foo`),
 * then the oldest Ingress.
 */
export function comparePaths(a: Route, b: Route): number {
  return (
    pathLength(b, true) - pathLength(a, true) ||
    typeRank(b) - typeRank(a) ||
    pathLength(b, false) - pathLength(a, false) ||
    byAge(a.ingress, b.ingress) ||
    (a.ruleIndex ?? 0) - (b.ruleIndex ?? 0) ||
    (a.pathIndex ?? 0) - (b.pathIndex ?? 0)
  );
}

/**
 * Picks the route an Ingress controller would use for `host` and `path` among Ingresses
 * of one class. Undefined means the controller's own default backend answers (404).
 */
export function matchRoute(ingresses: readonly V1Ingress[], host: string, path: string): RouteMatch | undefined {
  const routes = routesOf(ingresses);
  const ruleHosts = new Map<HostMatch, Route[]>();
  for (const r of routes) {
    const m = hostMatch(r.host, host);
    if (m) ruleHosts.set(m, [...(ruleHosts.get(m) ?? []), r]);
  }
  const level: HostMatch | undefined = (['exact', 'wildcard', 'any'] as const).find((m) => ruleHosts.has(m));
  if (level) {
    const candidates = ruleHosts.get(level)!.filter((r) => pathMatches(r.path?.pathType, r.path?.path, path));
    candidates.sort(comparePaths);
    const best = candidates[0];
    if (best) return { ...best, hostMatch: level, via: 'path' };
    // The host's virtual server has no matching location: its Ingresses' defaultBackend.
    const owners = [...new Set(ruleHosts.get(level)!.map((r) => r.ingress))].sort(byAge);
    const withDefault = owners.find((i) => i.spec?.defaultBackend);
    if (withDefault) return { ingress: withDefault, host: '', backend: withDefault.spec!.defaultBackend!, hostMatch: level, via: 'default-backend' };
    return undefined;
  }
  const fallback = [...ingresses].sort(byAge).find((i) => i.spec?.defaultBackend);
  return fallback ? { ingress: fallback, host: '', backend: fallback.spec!.defaultBackend!, hostMatch: 'any', via: 'default-backend' } : undefined;
}

/** The Service port a backend names (by number or by name); undefined when the Service has no such port. */
export function resolveServicePort(svc: V1Service, port: V1ServiceBackendPort | undefined): V1ServicePort | undefined {
  const ports = svc.spec?.ports ?? [];
  if (!port) return ports.length === 1 ? ports[0] : undefined;
  if (port.number !== undefined && port.number !== null) return ports.find((p) => p.port === port.number);
  if (port.name) return ports.find((p) => p.name === port.name);
  return undefined;
}

/** `service:port` or `Kind/name` for a resource backend, for messages and the tree. */
export function backendLabel(backend: V1IngressBackend): string {
  if (backend.service) {
    const p = backend.service.port;
    return `${backend.service.name}:${p?.number ?? p?.name ?? '?'}`;
  }
  if (backend.resource) return `${backend.resource.kind}/${backend.resource.name}`;
  return '<none>';
}

/** The IngressClass name an Ingress asks for: spec.ingressClassName, else the legacy annotation. */
export function requestedClass(ingress: V1Ingress): { name?: string; source: 'spec' | 'annotation' | 'none' } {
  if (ingress.spec?.ingressClassName) return { name: ingress.spec.ingressClassName, source: 'spec' };
  const legacy = ingress.metadata?.annotations?.['kubernetes.io/ingress.class'];
  if (legacy) return { name: legacy, source: 'annotation' };
  return { source: 'none' };
}
