import { describe, expect, it } from '@jest/globals';
import type { V1NetworkPolicy } from '@kubernetes/client-node';
import { clusterDnsHealth, dnsEgress, egressTo, ingressFrom, isolatingPolicies } from '../../src/probes/explain.js';
import { fixtureSnapshot, loadFixture } from '../support/fixtures.js';

const snapshot = fixtureSnapshot(loadFixture('probe-scenario.yaml'));
const ns = (name: string) => ({ 'kubernetes.io/metadata.name': name });
const probe = (namespace: string, labels: Record<string, string> = { 'app.kubernetes.io/managed-by': 'kdiag' }) => ({ namespace, labels, namespaceLabels: ns(namespace) });
const dns = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, namespaceLabels: ns('kube-system') };

describe('cluster DNS health', () => {
  it('counts Ready CoreDNS pods and kube-dns endpoints', () => {
    expect(clusterDnsHealth(snapshot)).toEqual({ service: { namespace: 'kube-system', name: 'kube-dns', clusterIP: '10.96.0.10' }, pods: [{ name: 'coredns-6bd7-a', ready: true, detail: 'Ready' }], readyEndpoints: 1 });
  });
});

describe('NetworkPolicy verdicts', () => {
  const policies = snapshot.networkpolicies;

  it('default-deny-ingress isolates every production pod for ingress', () => {
    expect(isolatingPolicies(policies, probe('production'), 'Ingress').map((p) => p.metadata!.name)).toEqual(['default-deny-ingress']);
  });

  it('a probe in default reaching api-server in production is denied at ingress, naming both policies', () => {
    const api = { namespace: 'production', labels: { app: 'api-server' }, namespaceLabels: ns('production') };
    expect(egressTo(policies, probe('default'), api, 8080)).toEqual({ isolating: [], allowed: true });
    expect(ingressFrom(policies, api, probe('default'), 8080)).toEqual({ isolating: ['production/default-deny-ingress', 'production/api-server-policy'], allowed: false });
    expect(ingressFrom(policies, api, probe('ingress-nginx'), 8080).allowed).toBe(true);
  });

  it('as api-server: egress to postgres 5432 allowed, to redis not', () => {
    const asApi = probe('production', { app: 'api-server' });
    const pg = { namespace: 'production', labels: { app: 'postgres' }, namespaceLabels: ns('production') };
    const redis = { namespace: 'production', labels: { app: 'redis' }, namespaceLabels: ns('production') };
    expect(egressTo(policies, asApi, pg, 5432).allowed).toBe(true);
    expect(egressTo(policies, asApi, redis, 6379)).toEqual({ isolating: ['production/api-server-policy'], allowed: false });
  });

  it('DNS egress: allowed for api-server (UDP 53 rule), denied by a lockdown policy', () => {
    expect(dnsEgress(policies, probe('production', { app: 'api-server' }), dns).allowed).toBe(true);
    const lockdown: V1NetworkPolicy = { metadata: { name: 'lockdown', namespace: 'probes' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 443 }] }] } };
    expect(dnsEgress([lockdown], probe('probes'), dns)).toEqual({ isolating: ['probes/lockdown'], allowed: false });
    const tcpOnly: V1NetworkPolicy = { metadata: { name: 'tcp-dns', namespace: 'probes' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53 }] }] } };
    expect(dnsEgress([tcpOnly], probe('probes'), dns).allowed).toBe(false);
  });
});
