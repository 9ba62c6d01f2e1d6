import { describe, expect, it } from '@jest/globals';
import type { V1NetworkPolicy } from '@kubernetes/client-node';
import { buildContext } from '../../src/netpol/explain.js';
import { clusterDnsHealth, dnsEgress, egressTo, ingressFrom, probeEndpoint } from '../../src/probes/explain.js';
import { fixtureSnapshot, loadFixture } from '../support/fixtures.js';

const snapshot = fixtureSnapshot(loadFixture('probe-scenario.yaml'));
const ctx = buildContext(snapshot);
const probe = (namespace: string, labels: Record<string, string> = { 'app.kubernetes.io/managed-by': 'kdiag' }) => probeEndpoint(namespace, labels);
// Destination pods: hypothetical pods with these labels (the engine's view without an IP).
const pod = (namespace: string, labels: Record<string, string>) => probeEndpoint(namespace, labels);
const dns = pod('kube-system', { 'k8s-app': 'kube-dns' });

describe('cluster DNS health', () => {
  it('counts Ready CoreDNS pods and kube-dns endpoints', () => {
    expect(clusterDnsHealth(snapshot)).toEqual({
      service: { namespace: 'kube-system', name: 'kube-dns', clusterIP: '10.96.0.10' },
      pods: [{ name: 'coredns-6bd7-a', ready: true, detail: 'Ready' }],
      readyEndpoints: 1,
    });
  });
});

describe('NetworkPolicy verdicts for a probe (from the netpol engine)', () => {
  it('a probe in default reaching api-server in production is denied at ingress, naming both policies', () => {
    const api = pod('production', { app: 'api-server' });
    expect(egressTo(ctx, probe('default'), api, 8080)).toEqual({ isolating: [], allowed: true });
    expect(ingressFrom(ctx, api, probe('default'), 8080)).toEqual({
      isolating: ['production/api-server-policy', 'production/default-deny-ingress'],
      allowed: false,
    });
    expect(ingressFrom(ctx, api, probe('ingress-nginx'), 8080).allowed).toBe(true);
  });

  it('as api-server: egress to postgres 5432 allowed, to redis not', () => {
    const asApi = probe('production', { app: 'api-server' });
    expect(egressTo(ctx, asApi, pod('production', { app: 'postgres' }), 5432).allowed).toBe(true);
    expect(egressTo(ctx, asApi, pod('production', { app: 'redis' }), 6379)).toEqual({ isolating: ['production/api-server-policy'], allowed: false });
  });

  it('DNS egress: allowed for api-server (UDP 53 rule), denied by a lockdown policy', () => {
    expect(dnsEgress(ctx, probe('production', { app: 'api-server' }), dns).allowed).toBe(true);
    const lockdown: V1NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'lockdown', namespace: 'probes' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 443 }] }] },
    };
    expect(dnsEgress(buildContext(fixtureSnapshot([lockdown as never])), probe('probes'), dns)).toEqual({ isolating: ['probes/lockdown'], allowed: false });
    const tcpOnly: V1NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'tcp-dns', namespace: 'probes' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53 }] }] },
    };
    expect(dnsEgress(buildContext(fixtureSnapshot([tcpOnly as never])), probe('probes'), dns).allowed).toBe(false);
  });

  it('only an ipBlock rule could allow it: "maybe" (the probe\'s IP is not known in advance)', () => {
    const cidr: V1NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'from-cidr', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ _from: [{ ipBlock: { cidr: '10.244.0.0/16' } }], ports: [{ port: 8080 }] }] },
    };
    const c = buildContext(fixtureSnapshot([cidr as never]));
    expect(ingressFrom(c, pod('shop', { app: 'web' }), probe('default'), 8080)).toEqual({ isolating: ['shop/from-cidr'], allowed: 'maybe' });
    expect(ingressFrom(c, pod('shop', { app: 'web' }), probe('default'), 9090)).toEqual({ isolating: ['shop/from-cidr'], allowed: false });
  });
});
