// What the Gateway API specification says a controller must reject, found from the objects
// alone: allowedRoutes.kinds (KD7031), parametersRef of GatewayClass and Gateway (KD7032–KD7034),
// backendRef kinds decided by group and kind from discovery (KD7026/KD7027), and the
// ReferenceGrants a certificateRef finding lists. Each test names the specification text it follows.
import { describe, expect, it } from '@jest/globals';
import { analyzeGateways } from '../../src/gateway/analyze.js';
import { parametersKey, type GatewayObjects, type ServedKind } from '../../src/gateway/types.js';
import { certFor, tlsSecret } from '../checks/ingress-certs.js';
import { loadFixture, variant, type K8sObject } from '../support/fixtures.js';
import { gatewayObjects, gatewaySnapshot } from './objects.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const base = [...loadFixture('production.yaml'), ...loadFixture('gateway.yaml')];
const certs = [
  tlsSecret('infra', 'api-gw-cert', certFor(['api.example.com'], NOW, -30, 200.5)),
  tlsSecret('infra', 'shop-gw-cert', certFor(['shop.example.com'], NOW, -30, 200.5)),
] as unknown as K8sObject[];
const all = [...base, ...certs];
const served = (kind: string, namespaced = true): ServedKind => ({ kind, plural: `${kind.toLowerCase()}s`, version: 'v1', namespaced });

const withGateway = (edit: (g: any) => void) => all.map((o) => (o.kind === 'Gateway' && o.metadata.name === 'public' ? variant(o, edit) : o));
const withClass = (edit: (c: any) => void) => all.map((o) => (o.kind === 'GatewayClass' && o.metadata.name === 'example' ? variant(o, edit) : o));
const analyze = (objects: readonly K8sObject[], partial: Partial<GatewayObjects> = {}) =>
  analyzeGateways(gatewaySnapshot(objects, { now: NOW }), gatewayObjects(objects, partial), {});
const publicFindings = (objects: readonly K8sObject[], partial: Partial<GatewayObjects> = {}) =>
  analyze(objects, partial).gateways.find((g) => g.name === 'public')!.findings;

describe('AllowedRoutes.kinds: "If an implementation does not support or recognize this resource type, it MUST set the ResolvedRefs condition to False for this Listener with the InvalidRouteKinds reason"', () => {
  it.each([
    ['a kind that is no route kind of the API', 'http', [{ kind: 'InvalidRoute' }], true, 'InvalidRoute is not a route kind of the Gateway API'],
    [
      'TLSRoute on an HTTP listener ("MUST correspond to kinds of Routes that are compatible with the application protocol")',
      'http',
      [{ kind: 'TLSRoute' }],
      true,
      'TLSRoute does not fit protocol HTTP',
    ],
    ['UDPRoute on an HTTPS listener', 'https', [{ group: 'gateway.networking.k8s.io', kind: 'UDPRoute' }], true, 'UDPRoute does not fit protocol HTTPS'],
    [
      'a supported and an invalid kind: the supported one still attaches',
      'http',
      [{ kind: 'InvalidRoute' }, { kind: 'HTTPRoute' }],
      true,
      'routes of kind HTTPRoute still attach',
    ],
    ['HTTPRoute and GRPCRoute on HTTP', 'http', [{ kind: 'HTTPRoute' }, { kind: 'GRPCRoute' }], false, ''],
    ['GRPCRoute on HTTPS', 'https', [{ kind: 'GRPCRoute' }], false, ''],
    ['an implementation-specific kind of a served group', 'http', [{ group: 'example.net', kind: 'FancyRoute' }], false, ''],
    [
      'a kind of a group the cluster does not serve',
      'http',
      [{ group: 'absent.example', kind: 'FancyRoute' }],
      true,
      'FancyRoute.absent.example is not served by this cluster',
    ],
    [
      'a served group without that kind (group and kind from discovery)',
      'http',
      [{ group: 'example.net', kind: 'OtherRoute' }],
      true,
      'OtherRoute.example.net is not served',
    ],
  ])('%s', (_name, listener, kinds, flagged, text) => {
    const objects = withGateway((g) => {
      const l = g.spec.listeners.find((x: any) => x.name === listener);
      l.allowedRoutes = { ...l.allowedRoutes, kinds };
    });
    const partial = { servedGroups: ['gateway.networking.k8s.io', 'example.net'], servedKinds: { 'example.net': [served('FancyRoute')] } };
    const f = publicFindings(objects, partial).find((x) => x.code === 'KD7031');
    expect(Boolean(f)).toBe(flagged);
    if (f) {
      expect(f.message).toContain(`listener ${listener}: allowedRoutes.kinds names`);
      expect(f.cause).toContain(text);
      expect(f.cause).toContain('ResolvedRefs: False with reason InvalidRouteKinds');
    }
  });

  it("the controller's own ResolvedRefs=False (InvalidRouteKinds) is not reported again as KD7006", () => {
    const objects = withGateway((g) => {
      g.spec.listeners[0].allowedRoutes.kinds = [{ kind: 'TLSRoute' }];
      g.status.listeners[0].conditions = [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidRouteKinds' }];
    });
    const codes = publicFindings(objects).map((f) => f.code);
    expect(codes).toContain('KD7031');
    expect(codes).not.toContain('KD7006');
  });
});

describe('ParametersReference: "If the referent cannot be found, refers to an unsupported kind … SHOULD be rejected with the Accepted status condition set to False and an InvalidParameters reason"', () => {
  const ref = { group: 'example.net', kind: 'ProxyConfig', name: 'big' };
  it.each([
    ['GatewayClass: a group the cluster does not serve', { ...ref, group: 'absent.example' }, {}, 'KD7032', 'API discovery lists no group absent.example'],
    ['GatewayClass: a served group without that kind', { ...ref, kind: 'Nope' }, {}, 'KD7032', 'API group example.net serves no kind Nope'],
    [
      'GatewayClass: the object does not exist',
      { ...ref, namespace: 'infra' },
      { 'example.net/ProxyConfig/infra/big': { status: 'missing' } },
      'KD7032',
      'ProxyConfig.example.net big does not exist in namespace infra',
    ],
    ['GatewayClass: the object exists', { ...ref, namespace: 'infra' }, { 'example.net/ProxyConfig/infra/big': { status: 'found' } }, undefined, ''],
    [
      'GatewayClass: the object may not be read → skipped, not a verdict',
      { ...ref, namespace: 'infra' },
      { 'example.net/ProxyConfig/infra/big': { status: 'unreadable', message: 'forbidden' } },
      'KD7034',
      'not checked',
    ],
    [
      'GatewayClass: a core ConfigMap that does not exist',
      { group: '', kind: 'ConfigMap', name: 'cfg', namespace: 'infra' },
      { '/ConfigMap/infra/cfg': { status: 'missing' } },
      'KD7032',
      'ConfigMap cfg does not exist in namespace infra',
    ],
  ])('%s', (_name, parametersRef, parameters, code, text) => {
    const objects = withClass((c) => (c.spec.parametersRef = parametersRef));
    const partial = {
      servedGroups: ['gateway.networking.k8s.io', 'example.net'],
      servedKinds: { 'example.net': [served('ProxyConfig')], '': [served('ConfigMap')] },
      parameters: parameters as GatewayObjects['parameters'],
    };
    const found = analyze(objects, partial).findings.filter((f) => ['KD7032', 'KD7034'].includes(f.code));
    expect(found.map((f) => f.code)).toEqual(code ? [code] : []);
    if (code) {
      expect(found[0]!.object).toEqual({ kind: 'GatewayClass', name: 'example' });
      expect(found[0]!.message).toContain(text);
    }
  });

  it.each([
    ["Gateway infrastructure.parametersRef: the object does not exist in the Gateway's namespace", 'missing', 'KD7033'],
    ['Gateway infrastructure.parametersRef: found', 'found', undefined],
    ['Gateway infrastructure.parametersRef: refused → skipped (KD7034)', 'unreadable', 'KD7034'],
    ['Gateway infrastructure.parametersRef: not looked up → nothing claimed', undefined, undefined],
  ])('%s', (_name, status, code) => {
    const objects = withGateway((g) => (g.spec.infrastructure = { parametersRef: ref }));
    const parameters = status ? { [parametersKey(ref, 'infra')]: { status: status as 'missing' } } : undefined;
    const partial = {
      servedGroups: ['gateway.networking.k8s.io', 'example.net'],
      servedKinds: { 'example.net': [served('ProxyConfig')] },
      ...(parameters ? { parameters } : {}),
    };
    const codes = publicFindings(objects, partial)
      .map((f) => f.code)
      .filter((c) => ['KD7033', 'KD7034'].includes(c));
    expect(codes).toEqual(code ? [code] : []);
  });

  it("with status Accepted=True the controller's verdict stands: KD7032/KD7033 become warnings saying so", () => {
    const objects = withClass((c) => (c.spec.parametersRef = { ...ref, group: 'absent.example' })).map((o) =>
      o.kind === 'Gateway' && o.metadata.name === 'public'
        ? variant(o, (g: any) => (g.spec.infrastructure = { parametersRef: { ...ref, group: 'absent.example' } }))
        : o,
    );
    const found = analyze(objects, { servedGroups: ['gateway.networking.k8s.io'] }).findings.filter((f) => ['KD7032', 'KD7033'].includes(f.code));
    expect(found.map((f) => [f.code, f.severity])).toEqual([
      ['KD7032', 'warning'],
      ['KD7033', 'warning'],
    ]);
    expect(found[0]!.cause).toContain('The controller reports Accepted: True nonetheless');
  });

  it("with status Accepted=False (InvalidParameters) the controller's verdict is explained once, not repeated as KD7003", () => {
    const objects = withGateway((g) => {
      g.spec.infrastructure = { parametersRef: { ...ref, group: 'absent.example' } };
      g.status.conditions = [{ type: 'Accepted', status: 'False', reason: 'InvalidParameters' }];
    });
    const codes = publicFindings(objects, { servedGroups: ['gateway.networking.k8s.io'] }).map((f) => f.code);
    expect(codes).toContain('KD7033');
    expect(codes).not.toContain('KD7003');
  });
});

describe('BackendRef "Implementation-specific for any other resource", InvalidKind decided by group AND kind from discovery', () => {
  it.each([
    ['group served, kind served → implementation-specific warning', 'multicluster.x-k8s.io', 'ServiceImport', 'KD7027'],
    ['group served, kind not served → InvalidKind error', 'multicluster.x-k8s.io', 'ServiceExport2', 'KD7026'],
    ['core group, a kind the core API does not serve → InvalidKind error', '', 'Bucket', 'KD7026'],
    ['core group, a served kind other than Service → implementation-specific warning', '', 'ConfigMap', 'KD7027'],
  ])('%s', (_name, group, kind, code) => {
    const objects = all.map((o) =>
      o.kind === 'HTTPRoute' && o.metadata.name === 'api-route'
        ? variant(o, (r) => ((r as any).spec.rules[1].backendRefs = [{ group, kind, name: 'b1', port: 80 }]))
        : o,
    );
    const partial = {
      servedGroups: ['gateway.networking.k8s.io', 'multicluster.x-k8s.io'],
      servedKinds: { 'multicluster.x-k8s.io': [served('ServiceImport')], '': [served('Service'), served('ConfigMap')] },
    };
    const route = analyze(objects, partial).routes.find((r) => r.name === 'api-route')!;
    expect(route.findings.map((f) => f.code)).toContain(code);
    expect(route.findings.map((f) => f.code)).not.toContain(code === 'KD7026' ? 'KD7027' : 'KD7026');
  });
});

describe('ReferenceGrant: "Identifies … resources that MAY be referenced" — a certificateRef finding names each grant and why none matches', () => {
  const grant = (name: string, from: object[], to: object[]): K8sObject =>
    ({ apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name, namespace: 'certs' }, spec: { from, to } }) as K8sObject;
  it.each([
    ['no grant at all', [], 'there is no ReferenceGrant in certs'],
    [
      'a grant for HTTPRoutes, not Gateways',
      [grant('routes', [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'infra' }], [{ group: '', kind: 'Secret' }])],
      'routes: from lists HTTPRoute of infra, not Gateway of infra',
    ],
    [
      'a grant for another Secret name',
      [grant('other', [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra' }], [{ group: '', kind: 'Secret', name: 'other-cert' }])],
      'other: to names Secret other-cert, not shop-cert',
    ],
    [
      'a grant for Services only',
      [grant('svcs', [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra' }], [{ group: '', kind: 'Service' }])],
      'svcs: to names no core Secret',
    ],
  ])('%s', (_name, grants, text) => {
    const objects = [
      ...withGateway((g) => (g.spec.listeners[2].tls.certificateRefs = [{ name: 'shop-cert', namespace: 'certs' }])),
      ...(grants as K8sObject[]),
    ];
    const f = publicFindings(objects).find((x) => x.code === 'KD7008')!;
    expect(f.cause).toContain(text);
  });
});
