// How the Gateway API routes one HTTP request, as the specification defines it; pure, so
// `kdiag gateway` (hostname intersection) and `kdiag trace` (the whole choice) share it.
//
// - Hostnames: a wildcard `*.example.com` stands for one or more labels (`a.example.com`
//   and `a.b.example.com`, not `example.com`); a listener or route without hostname
//   matches every host.
// - Listener: the request's port and protocol, then the most specific hostname (exact,
//   then the longest wildcard, then none).
// - Route rule, across every route attached to the listener, continuing on ties:
//   1. the route hostname that matches with the most non-wildcard characters, then the most characters;
//   2. an Exact path over a PathPrefix, the longest PathPrefix (RegularExpression paths are
//      implementation-specific: ranked after prefixes here);
//   3. a method match; 4. the most header matches; 5. the most query parameter matches;
//   6. the oldest route, then namespace/name alphabetically; 7. the first rule and match in order.

import { normalizeHost } from '../checks/ingress-match.js';
import type { Gateway, HTTPRouteMatch, Listener, Route, RouteRule, ValueMatch } from './types.js';

/** A request host without port and trailing dot, lower case (the same rule as for Ingress hosts). */
export const normalizeHostname = normalizeHost;

export type HostnameMatch = 'exact' | 'wildcard' | 'any';

/** How a listener's or route's hostname matches a request host (undefined: it does not). */
export function hostnameMatch(pattern: string | undefined, host: string): HostnameMatch | undefined {
  if (!pattern) return 'any';
  const p = pattern.toLowerCase();
  const h = normalizeHostname(host);
  if (p.startsWith('*.')) {
    const suffix = p.slice(1); // ".example.com"
    return h.endsWith(suffix) && h.length > suffix.length ? 'wildcard' : undefined;
  }
  return p === h ? 'exact' : undefined;
}

/** Whether two hostnames (each possibly a wildcard, undefined = any) have a host in common. */
export function hostnamesIntersect(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return true;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return true;
  const xw = x.startsWith('*.');
  const yw = y.startsWith('*.');
  if (xw && yw) return x.slice(1).endsWith(y.slice(1)) || y.slice(1).endsWith(x.slice(1));
  if (xw) return hostnameMatch(x, y) !== undefined;
  if (yw) return hostnameMatch(y, x) !== undefined;
  return false;
}

/** Route hostnames that may be served by a listener hostname (all when either lists none). */
export function intersectingHostnames(listenerHostname: string | undefined, routeHostnames: readonly string[] | undefined): string[] {
  if (!routeHostnames?.length) return listenerHostname ? [listenerHostname] : ['*'];
  return routeHostnames.filter((h) => hostnamesIntersect(listenerHostname, h));
}

/** The protocols of a listener that serve a URL scheme. */
function servesScheme(listener: Listener, scheme: 'http' | 'https'): boolean {
  return scheme === 'https' ? listener.protocol === 'HTTPS' : listener.protocol === 'HTTP';
}

function hostSpecificity(pattern: string | undefined): number {
  if (!pattern) return 0;
  return pattern.startsWith('*.') ? pattern.length : 10_000 + pattern.length;
}

/** The listener of a Gateway that takes a request: port and protocol, then the most specific hostname. */
export function selectListener(gateway: Gateway, request: { host: string; port: number; scheme: 'http' | 'https' }): Listener | undefined {
  const candidates = (gateway.spec?.listeners ?? []).filter(
    (l) => l.port === request.port && servesScheme(l, request.scheme) && hostnameMatch(l.hostname, request.host),
  );
  candidates.sort((a, b) => hostSpecificity(b.hostname) - hostSpecificity(a.hostname));
  return candidates[0];
}

function elements(path: string): string[] {
  return path.split('/').filter((e) => e.length > 0);
}

function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

/** Whether a path match (default: PathPrefix /) matches a request path (without query). */
export function pathMatches(match: HTTPRouteMatch['path'], requestPath: string): boolean {
  const type = match?.type ?? 'PathPrefix';
  const value = match?.value ?? '/';
  const path = requestPath.split('?')[0] || '/';
  if (type === 'Exact') return path === value;
  if (type === 'RegularExpression') return fullMatch(value, path);
  const v = elements(value);
  const q = elements(path);
  return v.length <= q.length && v.every((e, i) => e === q[i]);
}

function valueMatches(m: ValueMatch, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  return m.type === 'RegularExpression' ? fullMatch(m.value, actual) : actual === m.value;
}

export interface HttpRequest {
  host: string;
  path: string;
  method?: string;
  /** Header names in any case. */
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/** Whether one HTTPRouteMatch matches the request (every condition in it must). */
export function requestMatches(match: HTTPRouteMatch, request: HttpRequest): boolean {
  if (!pathMatches(match.path, request.path)) return false;
  if (match.method && match.method.toUpperCase() !== (request.method ?? 'GET').toUpperCase()) return false;
  const headers = new Map(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (!(match.headers ?? []).every((h) => valueMatches(h, headers.get(h.name.toLowerCase())))) return false;
  const query = request.query ?? {};
  return (match.queryParams ?? []).every((q) => valueMatches(q, query[q.name]));
}

export interface RuleMatch {
  route: Route;
  ruleIndex: number;
  rule: RouteRule;
  /** Index in rule.matches; undefined when the rule has no matches (PathPrefix / implied). */
  matchIndex?: number;
  match: HTTPRouteMatch;
  /** The route hostname that matched the request ('*' when the route lists none). */
  hostname: string;
}

function created(route: Route): number {
  const t = route.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

/** The key the specification orders candidates by (larger first except where noted). */
function precedence(m: RuleMatch): number[] {
  const h = m.hostname === '*' ? '' : m.hostname;
  const nonWildcard = h && !h.startsWith('*.') ? h.length : 0;
  const type = m.match.path?.type ?? 'PathPrefix';
  const pathRank = type === 'Exact' ? 3 : type === 'PathPrefix' ? 2 : 1;
  const pathLength = type === 'RegularExpression' ? 0 : (m.match.path?.value ?? '/').length;
  return [nonWildcard, h.length, pathRank, pathLength, m.match.method ? 1 : 0, m.match.headers?.length ?? 0, m.match.queryParams?.length ?? 0];
}

export function compareRuleMatches(a: RuleMatch, b: RuleMatch): number {
  const pa = precedence(a);
  const pb = precedence(b);
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pb[i]! - pa[i]!;
  const name = (r: Route) => `${r.metadata?.namespace ?? ''}/${r.metadata?.name ?? ''}`;
  return (
    created(a.route) - created(b.route) || name(a.route).localeCompare(name(b.route)) || a.ruleIndex - b.ruleIndex || (a.matchIndex ?? 0) - (b.matchIndex ?? 0)
  );
}

/** Every rule match of the routes that matches the request, best first. */
export function candidateMatches(routes: readonly Route[], request: HttpRequest, listenerHostname?: string): RuleMatch[] {
  const out: RuleMatch[] = [];
  for (const route of routes) {
    const hostnames = route.spec?.hostnames ?? [];
    let hostname: string | undefined;
    if (hostnames.length === 0) {
      hostname = hostnameMatch(listenerHostname, request.host) ? '*' : undefined;
    } else {
      // The most specific of the route's hostnames that matches the request and the listener.
      const matching = hostnames.filter((h) => hostnameMatch(h, request.host) && hostnamesIntersect(listenerHostname, h));
      matching.sort((a, b) => hostSpecificity(b) - hostSpecificity(a));
      hostname = matching[0];
    }
    if (hostname === undefined) continue;
    (route.spec?.rules ?? []).forEach((rule, ruleIndex) => {
      const matches = rule.matches?.length ? rule.matches : [undefined];
      matches.forEach((m, i) => {
        const match: HTTPRouteMatch = m ?? { path: { type: 'PathPrefix', value: '/' } };
        if (requestMatches(match, request)) out.push({ route, ruleIndex, rule, matchIndex: m ? i : undefined, match, hostname: hostname! });
      });
    });
  }
  return out.sort(compareRuleMatches);
}

/** The rule that serves the request among the routes attached to a listener (undefined: 404). */
export function selectRule(routes: readonly Route[], request: HttpRequest, listenerHostname?: string): RuleMatch | undefined {
  return candidateMatches(routes, request, listenerHostname)[0];
}

/** `PathPrefix /api`, `Exact /health, GET, 1 header` … for the trace tree. */
export function describeMatch(match: HTTPRouteMatch): string {
  const parts = [`${match.path?.type ?? 'PathPrefix'} ${match.path?.value ?? '/'}`];
  if (match.method) parts.push(match.method);
  if (match.headers?.length) parts.push(`headers ${match.headers.map((h) => `${h.name}${h.type === 'RegularExpression' ? '~' : '='}${h.value}`).join(',')}`);
  if (match.queryParams?.length)
    parts.push(`query ${match.queryParams.map((q) => `${q.name}${q.type === 'RegularExpression' ? '~' : '='}${q.value}`).join(',')}`);
  return parts.join(', ');
}
