// Route matching cases from the Gateway API specification (HTTPRoute precedence,
// PathPrefix semantics, hostname wildcards, listener choice).
import { describe, expect, it } from '@jest/globals';
import {
  candidateMatches,
  hostnameMatch,
  hostnamesIntersect,
  intersectingHostnames,
  pathMatches,
  requestMatches,
  selectListener,
  selectRule,
} from '../../src/gateway/match.js';
import type { Gateway, Route } from '../../src/gateway/types.js';

const route = (
  name: string,
  rules: Route['spec'] extends infer S ? (S extends { rules?: infer R } ? R : never) : never,
  extra: { hostnames?: string[]; created?: string; namespace?: string } = {},
): Route => ({
  kind: 'HTTPRoute',
  metadata: { name, namespace: extra.namespace ?? 'default', creationTimestamp: extra.created ?? '2026-01-01T00:00:00Z' },
  spec: { hostnames: extra.hostnames, rules },
});
const pick = (routes: Route[], req: Parameters<typeof selectRule>[1]) => {
  const m = selectRule(routes, req);
  return m ? `${m.route.metadata?.name}#${m.ruleIndex}` : undefined;
};

describe('hostnames', () => {
  it('a wildcard covers one or more labels, never the bare suffix', () => {
    expect(hostnameMatch('*.example.com', 'foo.example.com')).toBe('wildcard');
    expect(hostnameMatch('*.example.com', 'foo.bar.example.com')).toBe('wildcard');
    expect(hostnameMatch('*.example.com', 'example.com')).toBeUndefined();
    expect(hostnameMatch('foo.example.com', 'FOO.example.com:443')).toBe('exact');
    expect(hostnameMatch(undefined, 'anything.test')).toBe('any');
  });

  it('intersects listener and route hostnames as the spec describes', () => {
    expect(hostnamesIntersect('*.example.com', 'foo.example.com')).toBe(true);
    expect(hostnamesIntersect('foo.example.com', '*.example.com')).toBe(true);
    expect(hostnamesIntersect('*.example.com', '*.foo.example.com')).toBe(true);
    expect(hostnamesIntersect('foo.example.com', 'bar.example.com')).toBe(false);
    expect(hostnamesIntersect('*.example.com', 'example.com')).toBe(false);
    expect(hostnamesIntersect(undefined, 'x.test')).toBe(true);
    expect(intersectingHostnames('*.example.com', ['a.example.com', 'b.other.org'])).toEqual(['a.example.com']);
    expect(intersectingHostnames('foo.example.com', [])).toEqual(['foo.example.com']);
  });
});

describe('path matches', () => {
  it('PathPrefix matches whole path elements and ignores a trailing slash', () => {
    expect(pathMatches({ type: 'PathPrefix', value: '/abc' }, '/abc')).toBe(true);
    expect(pathMatches({ type: 'PathPrefix', value: '/abc' }, '/abc/')).toBe(true);
    expect(pathMatches({ type: 'PathPrefix', value: '/abc' }, '/abc/def')).toBe(true);
    expect(pathMatches({ type: 'PathPrefix', value: '/abc' }, '/abcd')).toBe(false);
    expect(pathMatches({ type: 'PathPrefix', value: '/abc/' }, '/abc')).toBe(true);
    expect(pathMatches(undefined, '/anything')).toBe(true);
  });
  it('Exact is the whole path; RegularExpression must match all of it', () => {
    expect(pathMatches({ type: 'Exact', value: '/foo' }, '/foo')).toBe(true);
    expect(pathMatches({ type: 'Exact', value: '/foo' }, '/foo/')).toBe(false);
    expect(pathMatches({ type: 'RegularExpression', value: '/v[0-9]+/.*' }, '/v2/users')).toBe(true);
    expect(pathMatches({ type: 'RegularExpression', value: '/v[0-9]+' }, '/v2/users')).toBe(false);
  });
  it('method, headers (names case-insensitive) and query parameters must all match', () => {
    const m = {
      path: { type: 'PathPrefix', value: '/' },
      method: 'POST',
      headers: [{ name: 'X-Version', value: '2' }],
      queryParams: [{ name: 'debug', value: 'true' }],
    };
    expect(requestMatches(m, { host: 'h', path: '/', method: 'POST', headers: { 'x-version': '2' }, query: { debug: 'true' } })).toBe(true);
    expect(requestMatches(m, { host: 'h', path: '/', method: 'GET', headers: { 'x-version': '2' }, query: { debug: 'true' } })).toBe(false);
    expect(requestMatches(m, { host: 'h', path: '/', method: 'POST', headers: { 'x-version': '3' }, query: { debug: 'true' } })).toBe(false);
    expect(requestMatches(m, { host: 'h', path: '/', method: 'POST', headers: { 'x-version': '2' } })).toBe(false);
  });
});

describe('HTTPRoute precedence (the specification, continuing on ties)', () => {
  const host = 'example.com';
  it('an Exact path beats a longer PathPrefix', () => {
    const r = route('r', [{ matches: [{ path: { type: 'PathPrefix', value: '/foo/bar' } }] }, { matches: [{ path: { type: 'Exact', value: '/foo/bar' } }] }]);
    expect(pick([r], { host, path: '/foo/bar' })).toBe('r#1');
  });
  it('the longest PathPrefix wins', () => {
    const r = route('r', [
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/api' } }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/api/v1' } }] },
    ]);
    expect(pick([r], { host, path: '/api/v1/users' })).toBe('r#2');
    expect(pick([r], { host, path: '/api/v10' })).toBe('r#1');
    expect(pick([r], { host, path: '/other' })).toBe('r#0');
  });
  it('on equal paths, a method match, then more headers, then more query parameters win', () => {
    const r = route('r', [
      { matches: [{ path: { value: '/x' } }] },
      { matches: [{ path: { value: '/x' }, queryParams: [{ name: 'a', value: '1' }] }] },
      { matches: [{ path: { value: '/x' }, headers: [{ name: 'h', value: '1' }] }] },
      { matches: [{ path: { value: '/x' }, method: 'GET' }] },
    ]);
    expect(pick([r], { host, path: '/x', method: 'GET', headers: { h: '1' }, query: { a: '1' } })).toBe('r#3');
    expect(pick([r], { host, path: '/x', method: 'PUT', headers: { h: '1' }, query: { a: '1' } })).toBe('r#2');
    expect(pick([r], { host, path: '/x', method: 'PUT', query: { a: '1' } })).toBe('r#1');
    expect(pick([r], { host, path: '/x', method: 'PUT' })).toBe('r#0');
    const twoHeaders = route('t', [
      { matches: [{ path: { value: '/x' }, headers: [{ name: 'h', value: '1' }] }] },
      {
        matches: [
          {
            path: { value: '/x' },
            headers: [
              { name: 'h', value: '1' },
              { name: 'i', value: '2' },
            ],
          },
        ],
      },
    ]);
    expect(pick([twoHeaders], { host, path: '/x', headers: { h: '1', i: '2' } })).toBe('t#1');
  });
  it('ties across routes go to the oldest route, then namespace/name alphabetically', () => {
    const rule = [{ matches: [{ path: { value: '/' } }] }];
    const older = route('zz', rule, { created: '2025-01-01T00:00:00Z' });
    const newer = route('aa', rule, { created: '2026-01-01T00:00:00Z' });
    expect(pick([newer, older], { host, path: '/' })).toBe('zz#0');
    const b = route('b', rule);
    const a = route('a', rule);
    expect(pick([b, a], { host, path: '/' })).toBe('a#0');
  });
  it('within a route, the first matching rule wins a tie', () => {
    const r = route('r', [{ matches: [{ path: { value: '/a' } }] }, { matches: [{ path: { value: '/a' } }] }]);
    expect(pick([r], { host, path: '/a' })).toBe('r#0');
  });
  it('the route with the most specific matching hostname is preferred over any path precedence', () => {
    const wildcard = route('wild', [{ matches: [{ path: { type: 'Exact', value: '/x' } }] }], { hostnames: ['*.example.com'] });
    const exact = route('exact', [{ matches: [{ path: { value: '/' } }] }], { hostnames: ['foo.example.com'] });
    expect(pick([wildcard, exact], { host: 'foo.example.com', path: '/x' })).toBe('exact#0');
    expect(pick([wildcard, exact], { host: 'bar.example.com', path: '/x' })).toBe('wild#0');
    expect(pick([wildcard, exact], { host: 'other.org', path: '/x' })).toBeUndefined();
  });
  it('a rule without matches is PathPrefix / and lists every candidate best first', () => {
    const r = route('r', [{ backendRefs: [] }, { matches: [{ path: { type: 'Exact', value: '/health' } }] }]);
    expect(candidateMatches([r], { host, path: '/health' }).map((m) => m.ruleIndex)).toEqual([1, 0]);
  });
});

describe('listener choice', () => {
  const gw: Gateway = {
    spec: {
      listeners: [
        { name: 'any', protocol: 'HTTP', port: 80 },
        { name: 'wild', protocol: 'HTTP', port: 80, hostname: '*.example.com' },
        { name: 'exact', protocol: 'HTTP', port: 80, hostname: 'api.example.com' },
        { name: 'tls', protocol: 'HTTPS', port: 443, hostname: '*.example.com' },
      ],
    },
  };
  it('takes port and protocol, then the most specific hostname', () => {
    expect(selectListener(gw, { host: 'api.example.com', port: 80, scheme: 'http' })?.name).toBe('exact');
    expect(selectListener(gw, { host: 'web.example.com', port: 80, scheme: 'http' })?.name).toBe('wild');
    expect(selectListener(gw, { host: 'other.org', port: 80, scheme: 'http' })?.name).toBe('any');
    expect(selectListener(gw, { host: 'api.example.com', port: 443, scheme: 'https' })?.name).toBe('tls');
    expect(selectListener(gw, { host: 'api.example.com', port: 8443, scheme: 'https' })).toBeUndefined();
  });
});
