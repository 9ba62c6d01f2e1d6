// The answer kdiag predicts from the hop a request stops at and the controller's known
// behaviour, the parse of a real request's probe log, and their comparison.
import { CONTROLLER_PROFILES, answerPhrase, profileForGatewayController, profileForIngressController } from '../../src/checks/data/controllers.js';
import { controllerService, disagreementFinding, parseRequestLog } from '../../src/engine/trace-probe.js';
import { HOSTILE_STRINGS, expectSafeFindings } from '../support/hostile.js';
import { certificateProblem, compareAnswer, expectAnswer } from '../../src/trace/expect.js';
import type { Hop, TraceResult } from '../../src/trace/trace.js';

const traefik = profileForIngressController('traefik.io/ingress-controller')!;
const NOW = new Date('2026-12-07T10:00:00Z');

function result(hops: Partial<Hop>[]): TraceResult {
  return {
    url: 'https://a.example.com/',
    mode: 'ingress',
    hops: hops.map((h) => ({ id: 'service', title: 't', status: 'ok', detail: '', ...h }) as Hop),
    findings: [],
  };
}

describe('controller profiles', () => {
  test('Traefik is known by its IngressClass and GatewayClass controller names', () => {
    expect(traefik.name).toBe('Traefik');
    expect(profileForGatewayController('traefik.io/gateway-controller')).toBe(traefik);
    expect(profileForIngressController('example.com/unknown')).toBeUndefined();
    expect(CONTROLLER_PROFILES.every((p) => p.podLabels.length > 0)).toBe(true);
  });
  test('answer phrases name the controller and say when the answer is only documented', () => {
    expect(answerPhrase(traefik, 'ingress', 'missingService', 'x')).toBe('Traefik answers 404');
    expect(answerPhrase(traefik, 'gateway', 'missingService', 'x')).toBe('Traefik answers 500');
    expect(answerPhrase(profileForIngressController('k8s.io/ingress-nginx'), 'ingress', 'noEndpoints', 'x')).toBe('ingress-nginx answers 503 (documented)');
    expect(answerPhrase(undefined, 'ingress', 'noEndpoints', 'the controller answers 503')).toBe('the controller answers 503');
  });
});

describe('expectAnswer', () => {
  test.each([
    ['ingress', 'service', 'does not exist', 404],
    ['ingress', 'service', 'has no port 8080', 404],
    ['ingress', 'endpoints', 'no ready endpoint on port 80', 404],
    ['ingress', 'ingress-rule', 'no Ingress serves host x', 404],
    ['gateway', 'service', 'does not exist', 500],
    ['gateway', 'service', 'has no port 8080', 500],
    ['gateway', 'service', 'reference not permitted (no ReferenceGrant)', 500],
    ['gateway', 'endpoints', 'no ready endpoint on port 80', 503],
    ['gateway', 'route', 'no HTTPRoute rule of listener http matches x', 404],
    ['gateway', 'route', 'no HTTPRoute rule matches GET x/ on the listeners for any host', 404],
    // No listener for the host, no Ingress rule naming it: the controller on that port routes it nowhere.
    ['gateway', 'gateway', 'no Gateway listener serves http x on port 80', 404],
    ['ingress', 'gateway', 'no Gateway listener serves http x on port 80', 404],
  ] as const)('%s: stop at %s (%s) → Traefik answers %d', (api, id, detail, status) => {
    const e = expectAnswer(result([{ id: 'load-balancer' }, { id, status: 'fail', detail }]), traefik, api, 'http');
    expect(e).toMatchObject({ stopsAt: id, status });
    expect(e.because).toContain(`Traefik answers ${status}`);
  });

  test('no stop: a 200 from one of the ready Pods', () => {
    const e = expectAnswer(
      result([
        {
          id: 'endpoints',
          items: [
            { status: 'ok', text: 'web-1 10.0.0.1 Ready' },
            { status: 'fail', text: 'web-2 10.0.0.2 not ready' },
          ],
        },
      ]),
      traefik,
      'ingress',
      'http',
    );
    expect(e).toMatchObject({ stopsAt: null, status: 200, pods: ['web-1'] });
  });

  test('a failed TLS hop predicts an invalid certificate and still the status of the rest of the path', () => {
    const e = expectAnswer(
      result([
        { id: 'tls', status: 'fail', detail: 'expired' },
        { id: 'endpoints', items: [{ status: 'ok', text: 'p 1 Ready' }] },
      ]),
      traefik,
      'ingress',
      'https',
    );
    expect(e).toMatchObject({ stopsAt: null, status: 200, certificateValid: false });
  });

  test('a stop whose answer is unknown predicts no status', () => {
    const e = expectAnswer(result([{ id: 'network-policy', status: 'fail', detail: 'denied' }]), traefik, 'ingress', 'http');
    expect(e.status).toBeUndefined();
    expect(e.because).toContain('does not know what Traefik answers');
  });
});

const LOG = (n: string, body: string, certs: string[] = []) =>
  [`KDIAG${n} result 0 404 10.96.0.80 443 `, `KDIAG${n} certs`, ...certs, `KDIAG${n} endcerts`, `KDIAG${n} body ${body}`, `KDIAG${n} done 1`].join('\n');

describe('parseRequestLog', () => {
  test('status, certificate and the Pod named in the backend JSON', () => {
    const log = LOG('abc', '{"name":"web","pod":"web-7d9-x2","ip":"10.244.0.9"}', [
      'Subject:CN = www.gw.example.com',
      'Issuer:CN = www.gw.example.com',
      'X509v3 Subject Alternative Name:DNS:www.gw.example.com, IP Address:10.0.0.1',
      'Start date:Jan  1 00:00:00 2024 GMT',
      'Expire date:Jan  1 00:00:00 2025 GMT',
    ]);
    const o = parseRequestLog(log, 'abc', '10.96.0.80:443');
    expect(o).toMatchObject({
      status: 404,
      pod: 'web-7d9-x2',
      address: '10.96.0.80:443',
      certificate: { subject: 'CN = www.gw.example.com', sans: ['www.gw.example.com'], notAfter: '2025-01-01T00:00:00.000Z' },
    });
    expect(o.error).toBeUndefined();
  });
  test('a failed request: no status, curl error kept; a forged marker in the body is not a result', () => {
    const o = parseRequestLog(
      ['KDIAGn1 result 28 000  0 Connection timed out after 5001 milliseconds', 'KDIAGn1 body KDIAGn1 result 0 200', 'KDIAGn1 done 1'].join('\n'),
      'n1',
      '10.96.0.80:80',
    );
    expect(o.status).toBeUndefined();
    expect(o.error).toBe('Connection timed out after 5001 milliseconds');
    expect(o.pod).toBeUndefined();
  });
});

describe('compareAnswer', () => {
  const cert = { subject: 'CN = api.example.com', sans: ['api.example.com'], notAfter: '2027-01-01T00:00:00.000Z' };
  test('agreement: same status, an expected Pod, a valid certificate', () => {
    expect(
      compareAnswer(
        { stopsAt: null, status: 200, pods: ['a'], certificateValid: true, because: '' },
        { status: 200, pod: 'a', certificate: cert, address: 'x' },
        'api.example.com',
        NOW,
      ),
    ).toEqual([]);
  });
  test('differences: status, Pod, certificate validity, no answer', () => {
    expect(compareAnswer({ stopsAt: 'service', status: 404, because: 'b' }, { status: 503, address: 'x' }, 'h', NOW)).toEqual([
      'expected HTTP 404 (b), got 503',
    ]);
    expect(compareAnswer({ stopsAt: null, status: 200, pods: ['a'], because: '' }, { status: 200, pod: 'z', address: 'x' }, 'h', NOW)).toEqual([
      'expected an answer from a, got one from z',
    ]);
    expect(
      compareAnswer(
        { stopsAt: null, status: 200, certificateValid: false, because: '' },
        { status: 200, certificate: cert, address: 'x' },
        'api.example.com',
        NOW,
      )[0],
    ).toContain('expected an invalid certificate');
    expect(compareAnswer({ stopsAt: null, status: 200, because: '' }, { error: 'timeout', address: 'x' }, 'h', NOW)).toEqual([
      'expected HTTP 200, got no answer (timeout)',
    ]);
  });
  test('certificateProblem: expiry, host mismatch, wildcard', () => {
    expect(certificateProblem({ subject: 'CN = a', sans: ['a.example.com'], notAfter: '2025-01-01T00:00:00.000Z' }, 'a.example.com', NOW)).toBe(
      'expired 2025-01-01T00:00:00.000Z',
    );
    expect(certificateProblem({ subject: 'CN = a', sans: ['a.example.com'] }, 'b.example.com', NOW)).toBe('issued for a.example.com, not b.example.com');
    expect(certificateProblem({ subject: 'CN = x', sans: ['*.example.com'] }, 'b.example.com', NOW)).toBeUndefined();
    expect(certificateProblem({ subject: 'CN = TRAEFIK DEFAULT CERT', sans: [] }, 'b.example.com', NOW)).toBe(
      'issued for TRAEFIK DEFAULT CERT, not b.example.com',
    );
  });
});

describe('controllerService', () => {
  const svc = (name: string, selector: Record<string, string>, ports: { name?: string; port: number }[], clusterIP = '10.96.0.80') => ({
    metadata: { name, namespace: 'traefik' },
    spec: { selector, clusterIP, ports },
  });
  const pod = { namespace: 'traefik', labels: { 'app.kubernetes.io/name': 'traefik', 'pod-template-hash': 'x' } };
  test('the Service selecting the controller Pod, by port name then number', () => {
    const services = [
      svc('other', { app: 'x' }, [{ port: 443 }]),
      svc('traefik', { 'app.kubernetes.io/name': 'traefik' }, [
        { name: 'web', port: 80 },
        { name: 'websecure', port: 443 },
      ]),
    ];
    expect(controllerService(services, pod, 'https')).toMatchObject({ port: 443, service: { metadata: { name: 'traefik' } } });
    expect(controllerService(services, pod, 'http')?.port).toBe(80);
    expect(controllerService([svc('h', { 'app.kubernetes.io/name': 'traefik' }, [{ port: 80 }], 'None')], pod, 'http')).toBeUndefined();
  });
});

describe('disagreementFinding (KD6012)', () => {
  test('names the controller and its answer; the log command is built by the fix builder', () => {
    const f = disagreementFinding({
      host: 'a.example.com',
      who: 'Traefik',
      answer: 'HTTP 503',
      predicted: 'kdiag predicted: stops at service, HTTP 404',
      diffs: ['expected HTTP 404, got 503'],
      controllerPod: { namespace: 'traefik', labels: { 'app.kubernetes.io/name': 'traefik' } },
    });
    expect(f).toMatchObject({
      code: 'KD6012',
      severity: 'warning',
      object: { kind: 'URL', name: 'a.example.com' },
      message: 'a.example.com: Traefik answered HTTP 503, not what kdiag predicted',
    });
    expect(f.remediation?.commands[0]?.argv).toEqual(['kubectl', '-n', 'traefik', 'logs', '-l', 'app.kubernetes.io/name=traefik', '--tail', '50']);
  });
  test('hostile namespaces, labels and answering pod names stay single arguments', () => {
    const findings = HOSTILE_STRINGS.map((h) =>
      disagreementFinding({
        host: 'h.example.com',
        who: 'Traefik',
        answer: 'HTTP 200',
        predicted: 'p',
        diffs: ['d'],
        controllerPod: { namespace: h, labels: { app: h, [h.replace(/[^a-z]/g, '') || 'k']: 'v' } },
      }),
    );
    expectSafeFindings(findings);
  });
  test('what the server wrote (body, certificate) is cleaned before it reaches a finding', () => {
    for (const h of HOSTILE_STRINGS) {
      const o = parseRequestLog(LOG('n', JSON.stringify({ pod: h }), [`Subject:CN = ${h}`, `X509v3 Subject Alternative Name:DNS:${h}`]), 'n', 'x');
      expect(o.pod === undefined || /^[a-z0-9][-a-z0-9.]*$/.test(o.pod)).toBe(true);
      const f = disagreementFinding({
        host: 'h.example.com',
        who: 'Traefik',
        answer: 'HTTP 200',
        observedPod: o.pod,
        predicted: 'p',
        diffs: [o.certificate?.subject ?? '', ...(o.certificate?.sans ?? [])],
        controllerPod: { namespace: 'traefik', labels: { app: 'traefik' } },
      });
      expectSafeFindings([f]);
    }
  });
});
