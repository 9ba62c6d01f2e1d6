// What the NetworkPolicy rules read beyond the snapshot's lists, loaded the same way for
// `kdiag check` and `kdiag netpol`: Pods and DaemonSets of every namespace (peers, the cluster
// DNS, the Ingress controller and the network plugin live anywhere) and the policies beyond
// NetworkPolicy. A refused cluster-wide list is recorded, never fatal: the rules then judge
// only the namespace in scope and the report says what was left out.
import { isForbidden } from '../errors.js';
import type { KindMap, NetpolInputs, Snapshot } from '../snapshot.js';
import type { ClusterClient } from './client.js';
import { addClusterPolicies } from './policies.js';

type Listed<T> = { items: T[] } | { refused: string };

async function everywhere<K extends 'pods' | 'daemonsets'>(client: ClusterClient, snapshot: Snapshot, kind: K): Promise<Listed<KindMap[K]>> {
  // With -A the snapshot already holds every namespace's objects of the kinds it listed.
  if (snapshot.namespace === undefined && snapshot.loaded.includes(kind) && !snapshot.unavailable[kind]) return { items: snapshot[kind] as KindMap[K][] };
  try {
    return { items: await client.list(kind) };
  } catch (err) {
    if (isForbidden(err)) return { refused: err.message };
    throw err;
  }
}

/** Pods and DaemonSets of every namespace, and the cluster-scoped and plugin policies (added to the snapshot). */
export async function loadNetpolInputs(client: ClusterClient, snapshot: Snapshot): Promise<NetpolInputs> {
  const [pods, daemonsets] = await Promise.all([
    everywhere(client, snapshot, 'pods'),
    everywhere(client, snapshot, 'daemonsets'),
    addClusterPolicies(client, snapshot),
  ]);
  // With -A these are the snapshot's own lists: kept there for the loaders that follow (kdiag check's data plane).
  if (snapshot.namespace === undefined && 'items' in daemonsets && !snapshot.loaded.includes('daemonsets')) {
    snapshot.daemonsets = daemonsets.items;
    snapshot.loaded = [...snapshot.loaded, 'daemonsets'];
  }
  const refused: NetpolInputs['refused'] = {};
  if ('refused' in pods) refused.pods = pods.refused;
  if ('refused' in daemonsets) refused.daemonsets = daemonsets.refused;
  return {
    // Without the cluster-wide list, the namespace's own Pods (listed by the snapshot) are judged alone.
    pods: 'items' in pods ? pods.items : snapshot.pods,
    daemonsets: 'items' in daemonsets ? daemonsets.items : [],
    clusterWide: 'items' in pods,
    refused,
  };
}
