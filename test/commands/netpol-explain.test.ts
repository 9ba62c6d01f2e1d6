import { describe, expect, it } from '@jest/globals';
import { expectValidReport } from '../support/contract.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const GUIDE = loadFixture('netpol-guide.yaml');

const explain = (...args: string[]) => kdiag(['netpol', 'explain', ...args, '--kubeconfig', testKubeconfig()]);

describe('kdiag netpol explain (against a fake API)', () => {
  it('an AdminNetworkPolicy Deny, found by discovery, overrides the NetworkPolicy that allows payment-api → auth-api', async () => {
    const anp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'isolate-auth' },
      spec: {
        priority: 5,
        subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'auth-service' } } },
        ingress: [{ name: 'no-payment', action: 'Deny', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'payment-service' } } }] }],
      },
    };
    const api = fakeApi([...GUIDE, anp]);
    const { stdout, code } = await explain('--from', 'payment-service:app=payment-api', '--to', 'auth-service/svc/auth-service', '--port', '80', '-o', 'json');
    expect(code).toBe(0);
    const c = JSON.parse(stdout).connections[0];
    expect(c.verdict).toBe('denied');
    expect(c.ingress).toMatchObject({ tier: 'admin', allowed: false, decidedBy: { policy: 'AdminNetworkPolicy/isolate-auth', rule: 1 } });
    expect(c.ingress.reason).toContain('before any NetworkPolicy is consulted');
    expect(api.count(/^\/apis$/)).toBe(1);
    expect(api.count(/^\/apis\/policy\.networking\.k8s\.io\/v1alpha1\/adminnetworkpolicies$/)).toBe(1);
    // Not served by this API: never asked for.
    expect(api.count(/ciliumnetworkpolicies|clusternetworkpolicies/)).toBe(0);
  });

  it('a CiliumNetworkPolicy selecting the destination makes the verdict "not covered by kdiag", not a plain allow', async () => {
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'auth-l7', namespace: 'auth-service' },
      spec: { endpointSelector: { matchLabels: { 'k8s:app': 'auth-api' } } },
    };
    fakeApi([...GUIDE, cnp]);
    const { stdout, code } = await explain('--from', 'payment-service:app=payment-api', '--to', 'auth-service/svc/auth-service', '--port', '80');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('Verdict: UNKNOWN');
    expect(stdout).toContain('not covered by kdiag: CiliumNetworkPolicy auth-service/auth-l7 (may select the destination)');
  });

  it('ingress-nginx may reach api-server on 8080, through api-service port 80', async () => {
    const api = fakeApi(GUIDE);
    const { stdout, code } = await explain('--from', 'ingress-nginx/ingress-nginx-controller-5d-a', '--to', 'production/svc/api-service', '--port', '80');
    expect(code).toBe(0);
    expect(stdout.split('\n').slice(0, 8)).toEqual([
      'Verdict: ALLOWED (2 of 2 connections allowed)',
      '',
      'ALLOWED  ingress-nginx/ingress-nginx-controller-5d-a → production/api-server-7d9f-a  TCP/8080',
      '  egress of ingress-nginx/ingress-nginx-controller-5d-a: ALLOWED',
      '    no NetworkPolicy selects ingress-nginx/ingress-nginx-controller-5d-a: egress is not isolated, so it is allowed',
      '  ingress of production/api-server-7d9f-a: ALLOWED',
      '    selected by: production/api-server-policy, production/default-deny-ingress',
      '    allowed by production/api-server-policy ingress rule 1: ns:ingress-nginx → TCP/8080',
    ]);
    expect(stdout).toContain('  - Service production/api-service port 80/TCP → targetPort 8080: policies see port 8080');
    // Only the two namespaces are read.
    expect(api.count(/^\/api\/v1\/pods$/)).toBe(0);
    expect(api.count(/^\/api\/v1\/namespaces\/ingress-nginx\/pods$/)).toBe(1);
    expect(api.count(/^\/apis\/networking\.k8s\.io\/v1\/namespaces\/production\/networkpolicies$/)).toBe(1);
  });

  it('payment-api may reach auth-api on 8080, as JSON with the deciding rule', async () => {
    fakeApi(GUIDE);
    const { stdout, code } = await explain('--from', 'payment-service:app=payment-api', '--to', 'auth-service/svc/auth-service', '--port', '80', '-o', 'json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expectValidReport(report);
    expect(report.kind).toBe('NetpolExplainReport');
    expect(report).toMatchObject({ verdict: 'allowed', allowed: true, port: '80', protocol: 'TCP' });
    const c = report.connections[0];
    expect(c.port).toBe(8080);
    expect(c.source).toEqual({
      kind: 'pod',
      namespace: 'payment-service',
      name: '<pod with app=payment-api>',
      labels: { app: 'payment-api' },
      hypothetical: true,
    });
    expect(c.ingress.decidedBy).toEqual({ policy: 'auth-service/allow-from-payment', rule: 1, text: 'ns:payment-service pod:app=payment-api → TCP/8080' });
    expect(c.egress).toMatchObject({ isolated: false, allowed: true, policies: [] });
  });

  it('another pod may not reach auth-api, and the rule that does not match says why', async () => {
    fakeApi(GUIDE);
    const { stdout, code } = await explain('--from', 'payment-service/reporting-9f-a', '--to', 'auth-service/auth-api-77-a', '--port', '8080');
    expect(code).toBe(0);
    expect(stdout.split('\n').slice(0, 9)).toEqual([
      'Verdict: DENIED',
      '',
      'DENIED  payment-service/reporting-9f-a → auth-service/auth-api-77-a  TCP/8080',
      '  egress of payment-service/reporting-9f-a: ALLOWED',
      '    no NetworkPolicy selects payment-service/reporting-9f-a: egress is not isolated, so it is allowed',
      '  ingress of auth-service/auth-api-77-a: DENIED',
      '    selected by: auth-service/allow-from-payment',
      '    auth-service/auth-api-77-a is isolated for ingress by auth-service/allow-from-payment and its one rule does not allow this connection',
      '    - allow-from-payment rule 1 (ns:payment-service pod:app=payment-api → TCP/8080): peer: pod labels do not match podSelector app=payment-api',
    ]);
  });

  it('resolves an IP to its pod (reading pods of every namespace) and a named port on the destination', async () => {
    const api = fakeApi(GUIDE);
    const { stdout } = await explain('--from', '10.244.0.5', '--to', 'production/api-server-7d9f-b', '--port', 'https', '-o', 'json');
    const report = JSON.parse(stdout);
    expect(report.verdict).toBe('denied');
    expect(report.connections[0].port).toBe(8443);
    expect(report.connections[0].source.name).toBe('ingress-nginx-controller-5d-a');
    expect(report.notes).toContain('10.244.0.5 is pod ingress-nginx/ingress-nginx-controller-5d-a');
    expect(report.connections[0].ingress.policies.find((p: { name: string }) => p.name === 'api-server-policy').rules[0].port.reason).toBe(
      'TCP/8080 does not include 8443',
    );
    expect(api.count(/^\/api\/v1\/pods$/)).toBe(1);
  });

  it('explains UDP DNS from api-server: rule 3 allows UDP, nothing allows TCP', async () => {
    fakeApi(GUIDE);
    const udp = JSON.parse((await explain('--from', 'production:app=api-server', '--to', 'kube-system/svc/kube-dns', '--port', '53/udp', '-o', 'json')).stdout);
    expect(udp.verdict).toBe('allowed');
    expect(udp.connections[0].egress.decidedBy).toEqual({ policy: 'production/api-server-policy', rule: 3, text: 'ns:* → UDP/53' });
    const tcp = JSON.parse((await explain('--from', 'production:app=api-server', '--to', 'kube-system/svc/kube-dns', '--port', '53', '-o', 'json')).stdout);
    expect(tcp.verdict).toBe('denied');
  });

  it('treats an unknown address as outside the cluster', async () => {
    fakeApi(GUIDE);
    const { stdout } = await explain('--from', 'production/api-server-7d9f-a', '--to', '203.0.113.10', '--port', '443', '-o', 'json');
    const report = JSON.parse(stdout);
    expect(report.verdict).toBe('denied');
    expect(report.connections[0].ingress).toMatchObject({ enforced: false, allowed: true });
    expect(report.notes).toContain('203.0.113.10 is not a pod or Service address in the snapshot: treated as an address outside the cluster');
  });

  it.each([
    [
      ['--from', 'production', '--to', 'auth-service/auth-api-77-a', '--port', '80'],
      'kdiag: invalid --from "production": use NAMESPACE/POD, NAMESPACE/svc/SERVICE, NAMESPACE:label=value,... or an IP address',
    ],
    [
      ['--from', 'production/x', '--to', 'auth-service/auth-api-77-a', '--port', '70000'],
      'kdiag: invalid --port "70000": must be a number from 1 to 65535 or a port name',
    ],
    [
      ['--from', 'production/x', '--to', 'auth-service/auth-api-77-a', '--port', '53/icmp'],
      'kdiag: invalid protocol "icmp" in --port "53/icmp": use TCP, UDP or SCTP',
    ],
    [
      ['--from', 'Production/x', '--to', 'auth-service/auth-api-77-a', '--port', '80'],
      'kdiag: invalid namespace "Production" in "Production/x": must be a DNS-1123 label',
    ],
    [
      ['--from', 'production:app', '--to', 'auth-service/auth-api-77-a', '--port', '80'],
      'kdiag: invalid label "app" in --from "production:app": use key=value pairs separated by commas',
    ],
  ])('rejects bad input before any request: %j', async (args, message) => {
    const api = fakeApi(GUIDE);
    const { stderr, code } = await explain(...args);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(message);
    expect(api.requests).toEqual([]);
  });

  it('says when a pod or Service does not exist, or a named port is not declared', async () => {
    fakeApi(GUIDE);
    expect((await explain('--from', 'production/nope', '--to', 'auth-service/auth-api-77-a', '--port', '80')).stderr.trim()).toBe(
      'kdiag: pod production/nope not found',
    );
    expect((await explain('--from', 'production/api-server-7d9f-a', '--to', 'auth-service/svc/nope', '--port', '80')).stderr.trim()).toBe(
      'kdiag: Service auth-service/nope not found',
    );
    const named = await explain('--from', 'production/api-server-7d9f-a', '--to', 'auth-service/auth-api-77-a', '--port', 'grpc');
    expect(named.code).toBe(2);
    expect(named.stderr.trim()).toBe('kdiag: auth-service/auth-api-77-a declares no TCP port named "grpc"');
  });
});
