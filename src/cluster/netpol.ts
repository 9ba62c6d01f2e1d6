// What the NetworkPolicy rules read beyond the snapshot's lists, loaded the same way for
// `kdiag check` and `kdiag netpol`: Pods and DaemonSets beyond the namespace in scope (peers, the
// cluster DNS, the Ingress controller and the network plugin live anywhere) and the policies
// beyond NetworkPolicy. For one namespace, only the Pods the rules can look at are listed, with
// server-side label selectors (src/netpol/needed-pods.ts), not every Pod of the cluster. A refused
// cluster-wide list is recorded, never fatal: the rules then judge only the namespace in scope
// and the report says what was left out.
import { isForbidden } from '../errors.js';
import { mergePods, morePodsNeeded, neededPodQueries, type PodPlan, type PodQuery } from '../netpol/needed-pods.js';
import type { KindMap, NetpolInputs, Snapshot } from '../snapshot.js';
import type { ClusterClient } from './client.js';
import { addClusterPolicies } from './policies.js';

export type Listed<T> = { items: T[] } | { refused: string };

async function listed<T>(list: () => Promise<T[]>): Promise<Listed<T>> {
  try {
    return { items: await list() };
  } catch (err) {
    if (isForbidden(err)) return { refused: err.message };
    throw err;
  }
}

async function everywhere<K extends 'pods' | 'daemonsets'>(client: ClusterClient, snapshot: Snapshot, kind: K): Promise<Listed<KindMap[K]>> {
  // With -A the snapshot already holds every namespace's objects of the kinds it listed.
  if (snapshot.namespace === undefined && snapshot.loaded.includes(kind) && !snapshot.unavailable[kind]) return { items: snapshot[kind] as KindMap[K][] };
  return listed(() => client.list(kind));
}

type PodsRead = Listed<KindMap['pods']> & { queries?: PodQuery[] };

/** Lists the Pods one query selects (namespace and server-side label selector). */
export type PodLister = (query: PodQuery) => Promise<KindMap['pods'][]>;

async function run(list: PodLister, queries: readonly PodQuery[]): Promise<Listed<KindMap['pods']>> {
  const answers = await Promise.all(queries.map((q) => listed(() => list(q))));
  const refused = answers.find((a) => 'refused' in a);
  if (refused) return refused;
  return { items: mergePods(answers.map((a) => ('items' in a ? a.items : []))) };
}

/**
 * The Pods the rules can look at for the namespace in scope: the snapshot's own (the namespace's
 * Pods) and the answers of the planned queries, a second round where the first leaves a rule's
 * outcome open; the one cluster-wide list when the plan says so. `daemonsets` decides whether
 * plugins found only through their DaemonSet (not their labels) are found without every Pod.
 */
export async function neededPods(
  list: PodLister,
  snapshot: Snapshot & { namespace: string },
  daemonsets: Promise<Listed<KindMap['daemonsets']>>,
): Promise<PodsRead> {
  const namespace = snapshot.namespace;
  const all = () => listed(() => list({}));
  const input = { namespace, snapshot };
  const first: PodPlan = neededPodQueries(input);
  if ('all' in first) return all();
  // The namespace's own Pods are the snapshot's: not listed again.
  const queries = first.queries.filter((q) => q.namespace !== namespace || q.labelSelector !== undefined);
  const [answer, ds] = await Promise.all([run(list, queries), daemonsets]);
  // Without the DaemonSet list, a plugin's Pods known only by their owner need every Pod.
  if ('refused' in answer || 'refused' in ds) return all();
  const pods = mergePods([snapshot.pods, answer.items]);
  const second = morePodsNeeded(input, pods);
  if ('all' in second) return all();
  if (second.queries.length === 0) return { items: pods, queries: first.queries };
  const more = await run(list, second.queries);
  if ('refused' in more) return all();
  return { items: mergePods([pods, more.items]), queries: [...first.queries, ...second.queries] };
}

/** Pods (those the rules can look at) and DaemonSets of every namespace, and the cluster-scoped and plugin policies (added to the snapshot). */
export async function loadNetpolInputs(client: ClusterClient, snapshot: Snapshot): Promise<NetpolInputs> {
  const daemonsetsListed = everywhere(client, snapshot, 'daemonsets');
  const list: PodLister = (q) => client.list('pods', q.namespace, q.labelSelector ? { labelSelector: q.labelSelector } : {});
  const namespace = snapshot.namespace;
  // The namespace's own Pods come from the snapshot; without them (refused there), every Pod as before.
  const scoped = namespace !== undefined && snapshot.loaded.includes('pods') && !snapshot.unavailable.pods;
  const [pods, daemonsets] = await Promise.all([
    scoped ? neededPods(list, { ...snapshot, namespace }, daemonsetsListed) : (everywhere(client, snapshot, 'pods') as Promise<PodsRead>),
    daemonsetsListed,
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
    ...(pods.queries ? { podQueries: pods.queries } : {}),
    refused,
  };
}
