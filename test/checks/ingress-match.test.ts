import { describe, expect, it } from '@jest/globals';
import type { V1Ingress } from '@kubernetes/client-node';
import {
  backendLabel,
  hostMatch,
  IMPLEMENTATION_SPECIFIC_NOTE,
  matchRoute,
  normalizeHost,
  pathMatches,
  requestedClass,
  resolveServicePort,
} from '../../src/checks/ingress-match.js';

// The examples table of the Ingress concept page (kubernetes.io/docs/concepts/services-networking/ingress/#examples).
const SPEC_EXAMPLES: [type: string, paths: string[], request: string, expected: string | undefined][] = [
  ['Prefix', ['/'], '/anything/at/all', '/'],
  ['Exact', ['/foo'], '/foo', '/foo'],
  ['Exact', ['/foo'], '/bar', undefined],
  ['Exact', ['/foo'], '/foo/', undefined],
  ['Exact', ['/foo/'], '/foo', undefined],
  ['Prefix', ['/foo'], '/foo', '/foo'],
  ['Prefix', ['/foo'], '/foo/', '/foo'],
  ['Prefix', ['/foo/'], '/foo', '/foo/'],
  ['Prefix', ['/foo/'], '/foo/', '/foo/'],
  ['Prefix', ['/aaa/bb'], '/aaa/bbb', undefined],
  ['Prefix', ['/aaa/bbb'], '/aaa/bbb', '/aaa/bbb'],
  ['Prefix', ['/aaa/bbb/'], '/aaa/bbb', '/aaa/bbb/'],
  ['Prefix', ['/aaa/bbb'], '/aaa/bbb/', '/aaa/bbb'],
  ['Prefix', ['/aaa/bbb'], '/aaa/bbb/ccc', '/aaa/bbb'],
  ['Prefix', ['/aaa/bbb'], '/aaa/bbbxyz', undefined],
  ['Prefix', ['/', '/aaa'], '/aaa/ccc', '/aaa'],
  ['Prefix', ['/', '/aaa', '/aaa/bbb'], '/aaa/bbb', '/aaa/bbb'],
  ['Prefix', ['/', '/aaa', '/aaa/bbb'], '/ccc', '/'],
  ['Prefix', ['/aaa'], '/ccc', undefined],
  ['Prefix', ['/api/v1'], '/api/v1/users', '/api/v1'],
  ['Prefix', ['/api/v1'], '/api/v10', undefined],
];

function ingress(
  name: string,
  rules: { host?: string; paths: [string, string, string?][] }[],
  extra: Partial<V1Ingress['spec']> = {},
  created = '2026-01-01T00:00:00Z',
): V1Ingress {
  return {
    metadata: { name, namespace: 'production', creationTimestamp: created as unknown as Date },
    spec: {
      ...extra,
      rules: rules.map((r) => ({
        host: r.host,
        http: {
          paths: r.paths.map(([path, pathType, svc]) => ({ path, pathType, backend: { service: { name: svc ?? `${name}-svc`, port: { number: 80 } } } })),
        },
      })),
    },
  };
}

describe('pathMatches / matchRoute: the Ingress spec examples', () => {
  it.each(SPEC_EXAMPLES)('%s %j, request %s → %s', (type, paths, request, expected) => {
    const ing = ingress('ex', [{ paths: paths.map((p) => [p, type] as [string, string]) }]);
    const m = matchRoute([ing], 'any.host', request);
    expect(m?.path?.path).toBe(expected);
  });

  it('prefers Exact over Prefix for the same path (mixed)', () => {
    const ing = ingress('mixed', [
      {
        paths: [
          ['/foo', 'Prefix', 'prefix-svc'],
          ['/foo', 'Exact', 'exact-svc'],
        ],
      },
    ]);
    expect(matchRoute([ing], 'x', '/foo')?.backend.service?.name).toBe('exact-svc');
    expect(matchRoute([ing], 'x', '/foo/bar')?.backend.service?.name).toBe('prefix-svc');
  });

  it('prefers the longest path over an Exact shorter one', () => {
    const ing = ingress('long', [
      {
        paths: [
          ['/a', 'Exact', 'short'],
          ['/a/b', 'Prefix', 'long'],
        ],
      },
    ]);
    expect(matchRoute([ing], 'x', '/a/b/c')?.backend.service?.name).toBe('long');
  });

  it('matches ImplementationSpecific as a string prefix and ignores query strings', () => {
    expect(pathMatches('ImplementationSpecific', '/api', '/apiary')).toBe(true);
    expect(pathMatches('Prefix', '/api', '/apiary')).toBe(false);
    expect(pathMatches('Exact', '/search', '/search?q=1')).toBe(true);
  });
});

// "precedence will be given first to the longest matching path" (Ingress reference): Prefix
// /foo and /foo/ both match /foo and /foo/, so /foo/ wins whatever the order.
describe('path ties: independent of list order and of the Ingress objects', () => {
  const cases: [name: string, order: [string, string][], request: string, expected: string][] = [
    [
      '"the longest matching path" wins: Prefix /foo listed first, request /foo/',
      [
        ['/foo', 'foo-svc'],
        ['/foo/', 'slash-svc'],
      ],
      '/foo/',
      'slash-svc',
    ],
    [
      '"the longest matching path" wins: Prefix /foo/ listed first, request /foo/',
      [
        ['/foo/', 'slash-svc'],
        ['/foo', 'foo-svc'],
      ],
      '/foo/',
      'slash-svc',
    ],
    [
      '"the longest matching path" wins: Prefix /foo listed first, request /foo',
      [
        ['/foo', 'foo-svc'],
        ['/foo/', 'slash-svc'],
      ],
      '/foo',
      'slash-svc',
    ],
    [
      '"the longest matching path" wins: Prefix /foo/ listed first, request /foo',
      [
        ['/foo/', 'slash-svc'],
        ['/foo', 'foo-svc'],
      ],
      '/foo',
      'slash-svc',
    ],
  ];
  it.each(cases)('%s (one Ingress)', (_name, order, request, expected) => {
    const ing = ingress('one', [{ host: 'x', paths: order.map(([p, svc]) => [p, 'Prefix', svc] as [string, string, string]) }]);
    expect(matchRoute([ing], 'x', request)?.backend.service?.name).toBe(expected);
  });
  it.each(cases)('%s (two Ingresses for the same host, either order)', (_name, order, request, expected) => {
    const [a, b] = order.map(([p, svc], i) =>
      ingress(`ing-${i}`, [{ host: 'x', paths: [[p, 'Prefix', svc]] }], {}, i === 0 ? '2026-01-01T00:00:00Z' : '2026-02-01T00:00:00Z'),
    );
    expect(matchRoute([a!, b!], 'x', request)?.backend.service?.name).toBe(expected);
    expect(matchRoute([b!, a!], 'x', request)?.backend.service?.name).toBe(expected);
  });
  it('"If two paths are still equally matched, precedence will be given to paths with an exact path type": Exact /foo beats Prefix /foo/ for /foo', () => {
    const ing = ingress('mixed', [
      {
        host: 'x',
        paths: [
          ['/foo/', 'Prefix', 'prefix-svc'],
          ['/foo', 'Exact', 'exact-svc'],
        ],
      },
    ]);
    expect(matchRoute([ing], 'x', '/foo')?.backend.service?.name).toBe('exact-svc');
  });
  it('ImplementationSpecific: says the controller decides and what the common controllers do', () => {
    expect(IMPLEMENTATION_SPECIFIC_NOTE).toMatch(/leaves matching to the Ingress controller/);
    for (const controller of ['ingress-nginx', 'Traefik', 'HAProxy', 'Contour', 'GKE']) expect(IMPLEMENTATION_SPECIFIC_NOTE).toContain(controller);
  });
});

describe('hosts', () => {
  it('applies the one-label wildcard rule', () => {
    expect(hostMatch('*.example.com', 'api.example.com')).toBe('wildcard');
    expect(hostMatch('*.example.com', 'example.com')).toBeUndefined();
    expect(hostMatch('*.example.com', 'a.b.example.com')).toBeUndefined();
    expect(hostMatch('api.example.com', 'API.Example.com:443')).toBe('exact');
    expect(hostMatch(undefined, 'whatever')).toBe('any');
    expect(normalizeHost('Api.Example.COM.')).toBe('api.example.com');
  });

  it('uses the exact host before the wildcard before a rule without host, and does not fall through', () => {
    const exact = ingress('exact', [{ host: 'api.example.com', paths: [['/v1', 'Prefix', 'exact-svc']] }]);
    const wild = ingress('wild', [{ host: '*.example.com', paths: [['/', 'Prefix', 'wild-svc']] }]);
    const any = ingress('any', [{ paths: [['/', 'Prefix', 'any-svc']] }]);
    const all = [any, wild, exact];
    expect(matchRoute(all, 'api.example.com', '/v1/x')?.backend.service?.name).toBe('exact-svc');
    // api.example.com's own server has no "/" location: the controller's default backend answers.
    expect(matchRoute(all, 'api.example.com', '/other')).toBeUndefined();
    expect(matchRoute(all, 'web.example.com', '/')?.backend.service?.name).toBe('wild-svc');
    expect(matchRoute(all, 'example.com', '/')?.backend.service?.name).toBe('any-svc');
  });

  it('falls back to the defaultBackend of the Ingress owning the host, then of any Ingress', () => {
    const withDefault = ingress('d', [{ host: 'a.test', paths: [['/x', 'Exact']] }], {
      defaultBackend: { service: { name: 'fallback', port: { number: 8080 } } },
    });
    const m = matchRoute([withDefault], 'a.test', '/y');
    expect(m?.via).toBe('default-backend');
    expect(backendLabel(m!.backend)).toBe('fallback:8080');
    expect(matchRoute([withDefault], 'b.test', '/')?.backend.service?.name).toBe('fallback');
  });

  it('resolves ties between Ingresses by age (oldest wins)', () => {
    const young = ingress('young', [{ host: 'h', paths: [['/', 'Prefix', 'young-svc']] }], {}, '2026-06-01T00:00:00Z');
    const old = ingress('old', [{ host: 'h', paths: [['/', 'Prefix', 'old-svc']] }], {}, '2026-01-01T00:00:00Z');
    expect(matchRoute([young, old], 'h', '/')?.backend.service?.name).toBe('old-svc');
  });
});

describe('backends and classes', () => {
  const svc = {
    metadata: { name: 's' },
    spec: {
      ports: [
        { name: 'http', port: 80 },
        { name: 'admin', port: 9000 },
      ],
    },
  };
  it('resolves a Service port by number or name', () => {
    expect(resolveServicePort(svc, { number: 9000 })?.name).toBe('admin');
    expect(resolveServicePort(svc, { name: 'http' })?.port).toBe(80);
    expect(resolveServicePort(svc, { number: 8080 })).toBeUndefined();
    expect(resolveServicePort(svc, { name: 'https' })).toBeUndefined();
  });

  it('labels resource backends', () => {
    expect(backendLabel({ resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static-assets' } })).toBe('StorageBucket/static-assets');
  });

  it('reads the class from spec, else the legacy annotation', () => {
    expect(requestedClass({ spec: { ingressClassName: 'nginx' } })).toEqual({ name: 'nginx', source: 'spec' });
    expect(requestedClass({ metadata: { annotations: { 'kubernetes.io/ingress.class': 'nginx' } } })).toEqual({ name: 'nginx', source: 'annotation' });
    expect(requestedClass({})).toEqual({ source: 'none' });
  });
});
