// SOURCE/DEST and PORT parsing, CIDR math, and explaining every pair of resolved endpoints.
import { describe, expect, it } from '@jest/globals';
import { cidrContains, ipBlockContains, parseCidr } from '../../src/netpol/cidr.js';
import { explainSpecs, parseEndpointSpec, parsePortSpec } from '../../src/netpol/endpoints.js';
import { fixtureSnapshot, loadFixture } from '../support/fixtures.js';

const GUIDE = loadFixture('netpol-guide.yaml');

describe('parseEndpointSpec', () => {
  it.each([
    ['production/api-server-7d9f-a', { form: 'pod', namespace: 'production', name: 'api-server-7d9f-a' }],
    ['production/svc/api-service', { form: 'service', namespace: 'production', name: 'api-service' }],
    ['production/service/api-service', { form: 'service', namespace: 'production', name: 'api-service' }],
    ['payment-service:app=payment-api', { form: 'labels', namespace: 'payment-service', labels: { app: 'payment-api' } }],
    [
      'ingress-nginx:app.kubernetes.io/name=ingress-nginx,app.kubernetes.io/component=controller',
      { form: 'labels', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } },
    ],
    ['sandbox:', { form: 'labels', namespace: 'sandbox', labels: {} }],
    ['10.244.0.5', { form: 'ip', ip: '10.244.0.5' }],
    ['2001:db8::1', { form: 'ip', ip: '2001:db8::1' }],
  ])('%s', (text, expected) => {
    expect(parseEndpointSpec(text, '--from')).toEqual(expected);
  });

  it.each(['production', 'a/b/c', 'prod/svc/', 'Prod/x', 'ns:app', 'ns:=x', '/x'])('rejects %s', (text) => {
    expect(() => parseEndpointSpec(text, '--to')).toThrow(/invalid/);
  });
});

describe('parsePortSpec', () => {
  it.each([
    ['8080', { port: 8080, protocol: 'TCP' }],
    ['53/UDP', { port: 53, protocol: 'UDP' }],
    ['53/udp', { port: 53, protocol: 'UDP' }],
    ['3868/sctp', { port: 3868, protocol: 'SCTP' }],
    ['http', { port: 'http', protocol: 'TCP' }],
    ['dns/UDP', { port: 'dns', protocol: 'UDP' }],
  ])('%s', (text, expected) => {
    expect(parsePortSpec(text)).toEqual(expected);
  });

  it.each(['0', '65536', '53/icmp', 'Http', 'a-very-long-port-name', ''])('rejects %j', (text) => {
    expect(() => parsePortSpec(text)).toThrow(/invalid/);
  });
});

describe('CIDR math', () => {
  it('parses and contains', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('10.0.0.1')).toEqual({ address: '10.0.0.1', prefix: 32, family: 'ipv4' });
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('nope/8')).toBeUndefined();
    expect(cidrContains('10.0.0.0/8', '10.255.255.255')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '11.0.0.0')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '203.0.113.1')).toBe(true);
    expect(cidrContains('fd00::/8', 'fd12::1')).toBe(true);
    expect(cidrContains('fd00::/8', '10.0.0.1')).toBe(false);
  });

  it('applies except', () => {
    expect(ipBlockContains({ cidr: '172.16.0.0/12', except: ['172.17.0.0/16'] }, '172.17.1.1')).toEqual({ match: false, excludedBy: '172.17.0.0/16' });
    expect(ipBlockContains({ cidr: '172.16.0.0/12', except: ['172.17.0.0/16'] }, '172.18.1.1')).toEqual({ match: true });
  });
});

describe('explainSpecs', () => {
  it('explains every pod of a source Service: partially allowed', () => {
    const snapshot = fixtureSnapshot([
      ...GUIDE,
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'everything', namespace: 'payment-service' }, spec: { selector: {}, ports: [{ port: 80 }] } },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'all-payment', namespace: 'payment-service' },
        spec: { selector: { tier: 'payments' }, ports: [{ port: 80 }] },
      },
      ...GUIDE.filter((o) => o.kind === 'Pod' && o.metadata.namespace === 'payment-service').map((p) => ({
        ...p,
        metadata: { ...p.metadata, name: `${p.metadata.name}-t`, labels: { ...p.metadata.labels, tier: 'payments' } },
      })),
    ]);
    const r = explainSpecs(snapshot, 'payment-service/svc/all-payment', 'auth-service/svc/auth-service', '80');
    expect(r.verdict).toBe('partially allowed');
    expect(r.connections.map((c) => [c.source.name, c.allowed])).toEqual([
      ['payment-api-58-a-t', true],
      ['reporting-9f-a-t', false],
    ]);
    expect(() => explainSpecs(snapshot, 'payment-service/svc/everything', 'auth-service/svc/auth-service', '80')).toThrow(
      'Service payment-service/everything selects no running pod',
    );
  });

  it("treats a port that is not a Service port as the pods' own port", () => {
    const r = explainSpecs(fixtureSnapshot(GUIDE), 'payment-service/payment-api-58-a', 'auth-service/svc/auth-service', '8080');
    expect(r.verdict).toBe('allowed');
    expect(r.notes).toContain("8080/TCP is not a port of Service auth-service/auth-service: evaluated as the pods' own port");
  });

  it("resolves a ClusterIP to the Service's pods and a named targetPort per pod", () => {
    const r = explainSpecs(fixtureSnapshot(GUIDE), 'ingress-nginx/ingress-nginx-controller-5d-a', '10.96.10.2', '80');
    expect(r.connections.map((c) => [c.destination.name, c.port, c.allowed])).toEqual([
      ['api-server-7d9f-a', 8080, true],
      ['api-server-7d9f-b', 8080, true],
    ]);
    expect(r.notes).toContain('Service production/api-v1-service port 80/TCP → targetPort "http" (8080 on the pods): policies see port 8080');
  });
});
