import { describe, expect, it } from '@jest/globals';
import { clusterDnsFindings } from '../../src/checks/cluster-dns.js';
import type { ClusterDns } from '../../src/snapshot.js';

const pod = (name: string, ready: boolean) => ({
  metadata: { name, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const service = { metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.10' } };
const slice = (ready: boolean) => ({
  metadata: { name: 'kube-dns-x', namespace: 'kube-system' },
  addressType: 'IPv4',
  ports: [{ name: 'dns', port: 53 }],
  endpoints: [{ addresses: ['10.244.0.2'], conditions: { ready } }],
});
const dns = (d: object): ClusterDns => d as ClusterDns;

describe('cluster-dns check', () => {
  it('is quiet when CoreDNS is Ready and kube-dns has endpoints', () => {
    expect(clusterDnsFindings(dns({ pods: [pod('coredns-a', true)], services: [service], endpointslices: [slice(true)] }))).toEqual([]);
  });
  it('reports no DNS pods, unready DNS pods, a missing Service, and a Service without endpoints', () => {
    expect(clusterDnsFindings(dns({ pods: [], services: [service], endpointslices: [] })).map((f) => f.code)).toEqual(['KD6003']);
    const unready = clusterDnsFindings(dns({ pods: [pod('coredns-a', false)], services: [service], endpointslices: [slice(false)] }));
    expect(unready.map((f) => f.code)).toEqual(['KD6003', 'KD6004']);
    expect(unready[0]!.message).toBe('coredns: none of the 1 cluster DNS pods is Ready');
    expect(clusterDnsFindings(dns({ pods: [pod('coredns-a', true)], services: [], endpointslices: [] })).map((f) => f.message)).toEqual([
      'kube-dns: the cluster DNS Service does not exist',
    ]);
  });
});
