// Cluster DNS health: CoreDNS/kube-dns Pods Ready and the kube-dns Service's endpoints.
import { cmd, fix, kubectl } from '../report/fix.js';
import type { Finding } from '../report/types.js';
import type { ClusterDns, Snapshot } from '../snapshot.js';
import { finding } from './lib/finding.js';
import { isPodReady, whyNotReady } from './lib/pods.js';
import type { Check } from './types.js';

/** KD6003: no cluster DNS Pod, or none Ready. */
function dnsPods(dns: ClusterDns): Finding[] {
  const out: Finding[] = [];
  const ready = dns.pods.filter(isPodReady);
  if (dns.pods.length === 0) {
    out.push(
      finding(
        'KD6003',
        { kind: 'Deployment', namespace: 'kube-system', name: 'coredns' },
        {
          message: 'coredns: no cluster DNS pods (k8s-app=kube-dns) in kube-system',
          cause: 'No Pod labelled k8s-app=kube-dns runs in kube-system, so Service names do not resolve from Pods.',
          fix: fix`${kubectl('-n', 'kube-system', 'get', 'deploy,pods', '-l', 'k8s-app=kube-dns')}; reinstall or scale up CoreDNS (${kubectl('-n', 'kube-system', 'scale', 'deployment', 'coredns', '--replicas=2')}).`,
        },
      ),
    );
  } else if (ready.length === 0) {
    out.push(
      finding(
        'KD6003',
        { kind: 'Deployment', namespace: 'kube-system', name: 'coredns' },
        {
          message: `coredns: none of the ${dns.pods.length} cluster DNS pods is Ready`,
          cause: dns.pods.map((p) => `${p.metadata?.name}: ${whyNotReady(p)}`).join('; '),
          fix: fix`${kubectl('-n', 'kube-system', 'logs', dns.pods[0]!.metadata?.name ?? '')}; ${kubectl('-n', 'kube-system', 'describe', 'pod', dns.pods[0]!.metadata?.name ?? '')}`,
        },
      ),
    );
  }
  return out;
}

/** KD6004: the kube-dns Service is missing, or lists no ready endpoint while DNS Pods exist. */
function dnsService(dns: ClusterDns): Finding[] {
  const out: Finding[] = [];
  const svc = dns.services[0];
  if (!svc) {
    out.push(
      finding(
        'KD6004',
        { kind: 'Service', namespace: 'kube-system', name: 'kube-dns' },
        {
          message: 'kube-dns: the cluster DNS Service does not exist',
          cause: "Pods' /etc/resolv.conf points at the kube-dns Service's ClusterIP (the kubelet's clusterDNS); without the Service nothing answers there.",
          fix: 'Recreate the kube-dns Service (selector k8s-app=kube-dns, ports 53/UDP, 53/TCP) with the ClusterIP configured as clusterDNS in the kubelet.',
        },
      ),
    );
  } else {
    const readyEndpoints = dns.endpointslices.flatMap((s) => (s.ports?.length ? (s.endpoints ?? []) : [])).filter((e) => e.conditions?.ready !== false);
    if (readyEndpoints.length === 0 && dns.pods.length > 0) {
      out.push(
        finding(
          'KD6004',
          { kind: 'Service', namespace: 'kube-system', name: 'kube-dns' },
          {
            message: 'kube-dns: the cluster DNS Service has no ready endpoints',
            cause: `Service kube-system/kube-dns (${svc.spec?.clusterIP}) lists no ready endpoint with a port, so DNS lookups from Pods time out.`,
            fix: fix`${cmd('kdiag', 'endpoints', 'kube-dns', '-n', 'kube-system')}`,
          },
        ),
      );
    }
  }
  return out;
}

export function clusterDnsFindings(dns: ClusterDns | undefined): Finding[] {
  return dns ? [...dnsPods(dns), ...dnsService(dns)] : [];
}

export const clusterDnsCheck: Check = {
  id: 'cluster-dns',
  title: 'Cluster DNS',
  requires: [],
  extras: ['clusterDns'],
  run: (snapshot: Snapshot) => clusterDnsFindings(snapshot.clusterDns),
};
