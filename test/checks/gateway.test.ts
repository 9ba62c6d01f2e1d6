import { describe, expect, it } from '@jest/globals';
import { gatewayCheck } from '../../src/gateway/check.js';
import { analyzeGateways, retiredIngressFindings } from '../../src/gateway/analyze.js';
import { gatewayObjects, gatewaySnapshot } from '../gateway/objects.js';
import { loadFixture, variant, type K8sObject } from '../support/fixtures.js';
import { certFor, tlsSecret } from './ingress-certs.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const base = [...loadFixture('production.yaml'), ...loadFixture('gateway.yaml')];
const apiCert = tlsSecret('infra', 'api-gw-cert', certFor(['api.example.com'], NOW, -30, 200.5)) as unknown as K8sObject;
const shopCert = tlsSecret('infra', 'shop-gw-cert', certFor(['shop.example.com'], NOW, -400, -3.5)) as unknown as K8sObject;
const all = [...base, apiCert, shopCert];

type F = { code: string; severity: string; object: { kind: string; name: string }; message: string; cause: string; fix: string };
const run = (objects: readonly K8sObject[] = all) => analyzeGateways(gatewaySnapshot(objects), gatewayObjects(objects), {});
const codesBy = (findings: readonly F[]) => {
  const out: Record<string, string[]> = {};
  for (const f of findings) (out[`${f.object.kind}/${f.object.name}`] ??= []).push(f.code);
  for (const k of Object.keys(out)) out[k]!.sort();
  return out;
};

describe('gateway analysis', () => {
  it('reports every planted fault once, with its cause, and nothing on the healthy objects', () => {
    const a = run();
    expect(codesBy(a.findings)).toEqual({
      'Gateway/orphan-gw': ['KD7001'],
      'Gateway/public': ['KD7009'],
      'HTTPRoute/cross-ns-route': ['KD7018'],
      'HTTPRoute/dead-backend-route': ['KD7016', 'KD7017'],
      'HTTPRoute/hostname-route': ['KD7014'],
      'HTTPRoute/missing-backend-route': ['KD7015'],
      'HTTPRoute/unaccepted-route': ['KD7020'],
      'HTTPRoute/wrong-parent-route': ['KD7013'],
      'HTTPRoute/zero-weight-route': ['KD7019'],
      'GRPCRoute/grpc-route': ['KD7021'],
    });
    const by = (code: string) => a.findings.find((f) => f.code === code)!;
    expect(by('KD7009').message).toBe('public: listener shop (shop.example.com): secret shop-gw-cert: certificate expired 3 d ago');
    expect(by('KD7020').cause).toContain('listener internal admits routes from namespace infra only (allowedRoutes.namespaces.from: Same)');
    expect(by('KD7020').cause).toContain('The controller agrees: Accepted=False reason NotAllowedByListeners');
    expect(by('KD7014').message).toBe('hostname-route: hostnames api.other.org match no listener of Gateway infra/public');
    expect(by('KD7014').cause).toContain('http: *.example.com');
    expect(by('KD7015').message).toBe('missing-backend-route: backend Service ghost-service not found (rule 1)');
    expect(by('KD7018').message).toBe('cross-ns-route: backendRef shared/shared-api:80 in namespace shared is not permitted (no ReferenceGrant)');
    expect(by('KD7018').fix).toContain('kind: ReferenceGrant');
    expect(by('KD7018').fix).toContain('namespace: shared\n');
    expect(by('KD7017').message).toBe('dead-backend-route: backend api-v2-service:80 has no ready endpoints (rule 1): selector app=api-v2 matches no pod');
    expect(by('KD7016').message).toContain('Service api-service has no port 8080');
    expect(by('KD7013').message).toBe('wrong-parent-route: parent Gateway infra/nope not found');
    expect(by('KD7001').cause).toContain('the cluster has only example');
  });

  it('follows listeners, attachments, TLS and weighted backends for the healthy route', () => {
    const a = run();
    const pub = a.gateways.find((g) => g.name === 'public')!;
    expect(pub).toMatchObject({
      status: 'ERROR',
      accepted: 'True (Accepted)',
      programmed: 'True (Programmed)',
      addresses: ['192.0.2.50'],
      controller: 'example.net/gateway-controller',
    });
    const https = pub.listeners.find((l) => l.name === 'https')!;
    expect(https.routes).toEqual(['production/api-route']);
    expect(https.tls!.secrets[0]).toMatchObject({ secret: 'api-gw-cert', status: 'ok', daysLeft: 200 });
    expect(pub.listeners.find((l) => l.name === 'http')!.routes).toEqual([
      'production/cross-ns-route',
      'production/dead-backend-route',
      'production/granted-route',
      'production/grpc-route',
      'production/missing-backend-route',
      'production/zero-weight-route',
    ]);
    const api = a.routes.find((r) => r.name === 'api-route')!;
    expect(api).toMatchObject({ status: 'OK', backends: { ready: 3, total: 3 } });
    expect(api.rules[0]!.backends.map((b) => `${b.backend}=${b.weight}:${b.status}:${b.ready}`)).toEqual([
      'api-v1-service:80=90:OK:2',
      'api-service:80=10:OK:2',
    ]);
    expect(a.routes.find((r) => r.name === 'granted-route')).toMatchObject({ status: 'OK', backends: { ready: 1, total: 1 } });
    expect(a.classes).toEqual([{ name: 'example', controller: 'example.net/gateway-controller', accepted: 'True (Accepted)' }]);
  });

  it('reports the controller verdict when kdiag cannot explain it', () => {
    const objects = all.map((o) =>
      o.kind === 'HTTPRoute' && o.metadata.name === 'api-route'
        ? variant(o, (r) => {
            (r as any).status.parents[0].conditions = [
              { type: 'Accepted', status: 'False', reason: 'UnsupportedValue', message: 'filter X is not supported' },
              { type: 'ResolvedRefs', status: 'False', reason: 'InvalidKind' },
            ];
          })
        : o,
    );
    const f = run(objects).routes.find((r) => r.name === 'api-route')!.findings;
    expect(f.map((x) => x.code)).toEqual(['KD7011', 'KD7012']);
    expect(f[0]!.message).toBe('api-route: not Accepted by infra/public/https (UnsupportedValue)');
    expect(f[0]!.cause).toContain('Accepted=False reason UnsupportedValue: filter X is not supported');
  });

  it('checks GatewayClass, Gateway and listener conditions', () => {
    const objects = all.map((o) => {
      if (o.kind === 'GatewayClass')
        return variant(
          o,
          (c) => ((c as any).status.conditions = [{ type: 'Accepted', status: 'False', reason: 'InvalidParameters', message: 'parametersRef not found' }]),
        );
      if (o.kind === 'Gateway' && o.metadata.name === 'public')
        return variant(o, (g) => {
          (g as any).status.conditions[1] = { type: 'Programmed', status: 'False', reason: 'AddressNotAssigned', message: 'no address yet' };
          (g as any).status.listeners[0].conditions[3] = { type: 'Conflicted', status: 'True', reason: 'HostnameConflict' };
        });
      return o;
    });
    const a = run(objects);
    expect(a.global.map((f) => f.code)).toEqual(['KD7002']);
    expect(a.global[0]!.cause).toContain('Accepted=False reason InvalidParameters: parametersRef not found');
    const pub = a.gateways.find((g) => g.name === 'public')!.findings.map((f) => `${f.code} ${f.message}`);
    expect(pub).toContain('KD7004 public: not Programmed (AddressNotAssigned): no address yet');
    expect(pub).toContain('KD7006 public: listener http: Conflicted=True (HostnameConflict)');
  });

  // ProtocolType: "Implementation-specific protocols … must be domain-prefixed"; listeners with
  // other protocols are not accepted (reason UnsupportedProtocol).
  it.each([
    ['HTTP2', true],
    ['GRPC', true],
    ['example.com/quic', false],
    ['TCP', false],
  ])('ProtocolType "must be domain-prefixed": listener protocol %s → KD7024 %s', (protocol, flagged) => {
    const objects = all.map((o) =>
      o.kind === 'Gateway' && o.metadata.name === 'public' ? variant(o, (g) => ((g as any).spec.listeners[0].protocol = protocol)) : o,
    );
    const codes = run(objects)
      .gateways.find((g) => g.name === 'public')!
      .findings.map((f) => f.code);
    expect(codes.includes('KD7024')).toBe(flagged);
  });

  // BackendRef: "Support: Core for Kubernetes Service … Implementation-specific for any other
  // resource"; a kind that cannot be resolved gives ResolvedRefs False, reason InvalidKind.
  it.each([
    [
      'a group the cluster does not serve (discovery): "InvalidKind" error',
      { group: 'example.net', kind: 'Bucket' },
      ['', 'gateway.networking.k8s.io'],
      'KD7026',
      'INVALID KIND',
    ],
    [
      'a served group: implementation-specific warning naming the kind',
      { group: 'multicluster.x-k8s.io', kind: 'ServiceImport' },
      ['', 'multicluster.x-k8s.io'],
      'KD7027',
      'NOT CHECKED',
    ],
    [
      'discovery not read: implementation-specific warning, never a guess of InvalidKind',
      { group: 'example.net', kind: 'Bucket' },
      undefined,
      'KD7027',
      'NOT CHECKED',
    ],
  ])('BackendRef "Implementation-specific for any other resource": %s', (_name, ref, servedGroups, code, status) => {
    const objects = all.map((o) =>
      o.kind === 'HTTPRoute' && o.metadata.name === 'api-route'
        ? variant(o, (r) => ((r as any).spec.rules[1].backendRefs = [{ ...ref, name: 'b1', port: 80 }]))
        : o,
    );
    const a = analyzeGateways(gatewaySnapshot(objects), gatewayObjects(objects, servedGroups ? { servedGroups } : {}), {});
    const route = a.routes.find((r) => r.name === 'api-route')!;
    expect(route.findings.map((f) => f.code)).toContain(code);
    expect(route.findings.find((f) => f.code === code)!.message).toContain(`${ref.kind}.${ref.group}/b1`);
    expect(route.rules[1]!.backends[0]!.status).toBe(status);
  });

  it('GatewayTLSConfig "Support: Core - … a Kubernetes Secret": a certificateRef of another kind → KD7025 naming it', () => {
    const objects = all.map((o) =>
      o.kind === 'Gateway' && o.metadata.name === 'public'
        ? variant(o, (g) => ((g as any).spec.listeners[2].tls.certificateRefs = [{ group: 'cert.example.com', kind: 'CertBundle', name: 'bundle' }]))
        : o,
    );
    const f = run(objects)
      .gateways.find((g) => g.name === 'public')!
      .findings.find((x) => x.code === 'KD7025')!;
    expect(f.message).toContain('certificateRef CertBundle.cert.example.com/bundle is not a core Secret');
    expect(f.cause).toContain('InvalidCertificateRef');
  });

  it('flags a missing certificate Secret, a cross-namespace certificateRef without grant, and skips TLS without Secrets', () => {
    const objects = all
      .filter((o) => o.metadata.name !== 'api-gw-cert')
      .map((o) =>
        o.kind === 'Gateway' && o.metadata.name === 'public'
          ? variant(o, (g) => ((g as any).spec.listeners[2].tls.certificateRefs = [{ name: 'shop-gw-cert', namespace: 'shared' }]))
          : o,
      );
    const codes = run(objects)
      .gateways.find((g) => g.name === 'public')!
      .findings.map((f) => f.code);
    expect(codes).toEqual(['KD7007', 'KD7008']);
    const skipped = analyzeGateways(gatewaySnapshot(all, { unavailable: { tlssecrets: 'secrets is forbidden' } }), gatewayObjects(all));
    expect(skipped.global.map((f) => f.code)).toEqual(['KD7023']);
    expect(skipped.gateways.find((g) => g.name === 'public')!.findings).toEqual([]);
  });

  it('honours allowedRoutes selectors and kinds', () => {
    const objects = all.map((o) =>
      o.kind === 'Gateway' && o.metadata.name === 'public'
        ? variant(o, (g) => {
            (g as any).spec.listeners[1].allowedRoutes = { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'api' } } } };
          })
        : o,
    );
    const f = run(objects).routes.find((r) => r.name === 'api-route')!.findings;
    expect(f.map((x) => x.code)).toEqual(['KD7020']);
    expect(f[0]!.cause).toContain('namespace production does not match');
    const kinds = all.map((o) =>
      o.kind === 'Gateway' && o.metadata.name === 'public'
        ? variant(o, (g) => ((g as any).spec.listeners[0].allowedRoutes.kinds = [{ kind: 'HTTPRoute' }]))
        : o,
    );
    expect(run(kinds).routes.find((r) => r.name === 'grpc-route')!.findings[0]!.cause).toContain('admits HTTPRoute, not GRPCRoute');
  });

  it('says nothing but the KD7030 infos when the Gateway API is absent, and KD7022 when forbidden', () => {
    const ingresses = loadFixture('ingress.yaml');
    const snap = gatewaySnapshot([...loadFixture('production.yaml'), ...ingresses]);
    const absent = analyzeGateways(snap, gatewayObjects([], { unavailable: { reason: 'absent', message: 'not installed' } }));
    expect(absent.findings.every((f) => f.code === 'KD7030' && f.severity === 'info')).toBe(true);
    expect(absent.findings.length).toBe(retiredIngressFindings(snap).length);
    expect(absent.findings.find((f) => f.object.name === 'api-ingress')!.fix).toContain('https://gateway-api.sigs.k8s.io/guides/migrating-from-ingress/');
    // The Ingress of class traefik (missing) is not flagged.
    expect(absent.findings.some((f) => f.object.name === 'missing-class-ingress')).toBe(false);
    const forbidden = analyzeGateways(gatewaySnapshot([]), gatewayObjects([], { unavailable: { reason: 'forbidden', message: 'gateways is forbidden' } }));
    expect(forbidden.findings.map((f) => f.code)).toEqual(['KD7022']);
  });

  it('as a check: passes silently without the Gateway API and runs the analysis with it', () => {
    const snap = gatewaySnapshot(all);
    expect(gatewayCheck.run({ ...snap, ingresses: [] }, {})).toEqual([]);
    expect(gatewayCheck.run({ ...snap, gateway: gatewayObjects(all) }, {}).filter((f) => f.severity === 'error').length).toBe(10);
    expect(gatewayCheck.extras).toEqual(['gateway']);
    // -n production: orphan-gw of infra is listed (routes name Gateways there) but not reported.
    const scoped = gatewayCheck.run({ ...snap, namespace: 'production', gateway: gatewayObjects(all, { gatewayNamespaces: ['production', 'infra'] }) }, {});
    expect(scoped.some((f) => f.object.name === 'orphan-gw')).toBe(false);
    expect(scoped.some((f) => f.object.name === 'unaccepted-route')).toBe(true);
  });

  it('marks endpoints not checked when EndpointSlices could not be listed', () => {
    const snap = gatewaySnapshot(all, { unavailable: { endpointslices: 'endpointslices is forbidden' } });
    snap.loaded = snap.loaded.filter((k) => k !== 'endpointslices' && k !== 'endpoints');
    const a = analyzeGateways(snap, gatewayObjects(all));
    expect(a.findings.some((f) => f.code === 'KD7017')).toBe(false);
    expect(a.routes.find((r) => r.name === 'api-route')!.rules[0]!.backends[0]).toMatchObject({
      status: 'NOT CHECKED',
      cause: 'endpoints not checked: endpointslices is forbidden',
    });
  });

  it('does not report cross-namespace backends it did not load, nor Gateways in namespaces it did not list', () => {
    const snap = gatewaySnapshot(
      all.filter((o) => o.metadata.namespace !== 'shared'),
      { namespace: 'production' },
    );
    const a = analyzeGateways(snap, gatewayObjects(all, { gatewayNamespaces: ['production'] }));
    const granted = a.routes.find((r) => r.name === 'granted-route')!;
    expect(granted.rules[0]!.backends[0]).toMatchObject({ status: 'NOT CHECKED', cause: 'namespace shared was not loaded (run with -A)' });
    expect(a.routes.find((r) => r.name === 'wrong-parent-route')!.findings.map((f) => f.code)).toEqual(['KD7021']);
  });
});

describe('the rules as a catalogue', () => {
  it('every gateway code is declared by exactly one rule', async () => {
    const { GATEWAY_RULES } = await import('../../src/gateway/analyze.js');
    const { CODES } = await import('../../src/report/codes.js');
    const declared = GATEWAY_RULES.flatMap((r) => r.codes);
    expect([...declared].sort()).toEqual(
      Object.keys(CODES)
        .filter((c) => CODES[c as keyof typeof CODES].check === 'gateway')
        .sort(),
    );
  });
});
