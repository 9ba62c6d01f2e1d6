// Finds the cluster DNS objects (CoreDNS/kube-dns in kube-system). With an all-namespaces
// snapshot they are already there; otherwise three narrow lists fetch only them.
import { isForbidden, KdiagError } from '../errors.js';
import type { ClusterDns, Snapshot } from '../snapshot.js';
import type { ClusterClient } from './client.js';

export const DNS_NAMESPACE = 'kube-system';
export const DNS_LABEL = 'k8s-app=kube-dns';
export const DNS_SERVICE = 'kube-dns';

export function clusterDnsFrom(snapshot: Snapshot): ClusterDns {
  const inNs = <T extends { metadata?: { namespace?: string } }>(items: T[]) => items.filter((i) => i.metadata?.namespace === DNS_NAMESPACE);
  return {
    pods: inNs(snapshot.pods).filter((p) => p.metadata?.labels?.['k8s-app'] === 'kube-dns'),
    services: inNs(snapshot.services).filter((s) => s.metadata?.name === DNS_SERVICE),
    endpointslices: inNs(snapshot.endpointslices).filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === DNS_SERVICE),
  };
}

export async function loadClusterDns(client: ClusterClient, snapshot?: Snapshot): Promise<ClusterDns> {
  const complete = snapshot && snapshot.namespace === undefined && (['pods', 'services', 'endpointslices'] as const).every((k) => snapshot.loaded.includes(k));
  if (complete) return clusterDnsFrom(snapshot);
  try {
    const [pods, services, endpointslices] = await Promise.all([
      client.list('pods', DNS_NAMESPACE, { labelSelector: DNS_LABEL }),
      client.list('services', DNS_NAMESPACE, { fieldSelector: `metadata.name=${DNS_SERVICE}` }),
      client.list('endpointslices', DNS_NAMESPACE, { labelSelector: `kubernetes.io/service-name=${DNS_SERVICE}` }),
    ]);
    return { pods, services, endpointslices };
  } catch (err) {
    if (isForbidden(err)) {
      throw new KdiagError(`cannot inspect the cluster DNS: ${err.message}`);
    }
    throw err;
  }
}
