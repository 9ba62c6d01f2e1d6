// Policies beyond NetworkPolicy, found by discovery (GET /apis, one request) and then listed
// only where served: the network-policy-api's cluster-scoped kinds (policy.networking.k8s.io)
// and the network plugins' own kinds (cilium.io, crd.projectcalico.org, projectcalico.org).
// A kind the API serves but refuses to list (403) is noted, never fatal; one it does not serve
// is simply absent.
import type { ClusterPolicyObjects, CustomObject, NativePolicyKind } from '../snapshot.js';
import { isForbidden, isNotFound } from '../errors.js';
import type { ClusterClient } from './client.js';
import { listCustomObjects, type CustomResource } from './custom.js';

const POLICY_GROUP = 'policy.networking.k8s.io';

interface Known extends CustomResource {
  kind: string;
  /** Where the objects go: one of the three upstream lists, or the plugin kinds. */
  slot: 'adminNetworkPolicies' | 'baselineAdminNetworkPolicies' | 'clusterNetworkPolicies' | 'native';
}

export const POLICY_RESOURCES: readonly Known[] = [
  { kind: 'AdminNetworkPolicy', group: POLICY_GROUP, version: 'v1alpha1', plural: 'adminnetworkpolicies', namespaced: false, slot: 'adminNetworkPolicies' },
  {
    kind: 'BaselineAdminNetworkPolicy',
    group: POLICY_GROUP,
    version: 'v1alpha1',
    plural: 'baselineadminnetworkpolicies',
    namespaced: false,
    slot: 'baselineAdminNetworkPolicies',
  },
  {
    kind: 'ClusterNetworkPolicy',
    group: POLICY_GROUP,
    version: 'v1alpha2',
    plural: 'clusternetworkpolicies',
    namespaced: false,
    slot: 'clusterNetworkPolicies',
  },
  { kind: 'CiliumNetworkPolicy', group: 'cilium.io', version: 'v2', plural: 'ciliumnetworkpolicies', namespaced: true, slot: 'native' },
  { kind: 'CiliumClusterwideNetworkPolicy', group: 'cilium.io', version: 'v2', plural: 'ciliumclusterwidenetworkpolicies', namespaced: false, slot: 'native' },
  { kind: 'NetworkPolicy (crd.projectcalico.org)', group: 'crd.projectcalico.org', version: 'v1', plural: 'networkpolicies', namespaced: true, slot: 'native' },
  {
    kind: 'GlobalNetworkPolicy (crd.projectcalico.org)',
    group: 'crd.projectcalico.org',
    version: 'v1',
    plural: 'globalnetworkpolicies',
    namespaced: false,
    slot: 'native',
  },
  { kind: 'NetworkPolicy (projectcalico.org)', group: 'projectcalico.org', version: 'v3', plural: 'networkpolicies', namespaced: true, slot: 'native' },
  {
    kind: 'GlobalNetworkPolicy (projectcalico.org)',
    group: 'projectcalico.org',
    version: 'v3',
    plural: 'globalnetworkpolicies',
    namespaced: false,
    slot: 'native',
  },
];

export function emptyClusterPolicies(): ClusterPolicyObjects {
  return { adminNetworkPolicies: [], baselineAdminNetworkPolicies: [], clusterNetworkPolicies: [], native: [], unreadable: {} };
}

const discovered = new WeakMap<ClusterClient, Promise<Set<string> | undefined>>();

/** `group/version` pairs the API serves, from one discovery request per client; undefined when refused. */
export function servedGroupVersions(client: ClusterClient): Promise<Set<string> | undefined> {
  let answer = discovered.get(client);
  if (!answer) {
    answer = discover(client);
    discovered.set(client, answer);
  }
  return answer;
}

async function discover(client: ClusterClient): Promise<Set<string> | undefined> {
  try {
    const list = await client.call({ verb: 'get', resource: 'apis' }, (o) => client.apis.getAPIVersions({}, o));
    return new Set((list.groups ?? []).flatMap((g) => (g.versions ?? []).map((v) => v.groupVersion)));
  } catch (err) {
    if (isForbidden(err) || isNotFound(err)) return undefined;
    throw err;
  }
}

/** Lists the served policy kinds (cluster-wide, or one namespace for the namespaced plugin kinds). */
export async function loadClusterPolicies(client: ClusterClient, namespace?: string): Promise<ClusterPolicyObjects> {
  const out = emptyClusterPolicies();
  const served = await servedGroupVersions(client);
  if (!served) {
    out.unreadable['policy kinds beyond NetworkPolicy'] = 'API discovery (GET /apis) was refused';
    return out;
  }
  const wanted = POLICY_RESOURCES.filter((r) => served.has(`${r.group}/${r.version}`));
  const lists = await Promise.all(wanted.map((r) => listCustomObjects(client, r, r.namespaced ? namespace : undefined)));
  for (const [i, r] of wanted.entries()) {
    const list = lists[i]!;
    if (list.status === 'forbidden') out.unreadable[r.kind] = list.message;
    if (list.status !== 'ok') continue;
    const items: CustomObject[] = list.items;
    if (r.slot === 'native') {
      const kind: NativePolicyKind = { kind: r.kind, group: r.group, plural: r.plural, namespaced: r.namespaced, items };
      out.native.push(kind);
    } else out[r.slot].push(...items);
  }
  return out;
}

/**
 * Adds the policies beyond NetworkPolicy to a snapshot; lists Nodes too when a cluster-scoped
 * policy has a nodes peer and the snapshot has none (tolerating a refusal).
 */
export async function addClusterPolicies(client: ClusterClient, snapshot: import('../snapshot.js').Snapshot): Promise<void> {
  const policies = await loadClusterPolicies(client);
  snapshot.clusterPolicies = policies;
  const usesNodes = [...policies.adminNetworkPolicies, ...policies.baselineAdminNetworkPolicies, ...policies.clusterNetworkPolicies].some((p) =>
    JSON.stringify((p.spec as { egress?: unknown } | undefined)?.egress ?? []).includes('"nodes"'),
  );
  if (usesNodes && !snapshot.loaded.includes('nodes')) {
    try {
      snapshot.nodes = await client.list('nodes');
      snapshot.loaded = [...snapshot.loaded, 'nodes'];
    } catch (err) {
      if (!isForbidden(err)) throw err;
      policies.unreadable.Node = 'listing nodes was refused: nodes peers cannot match';
    }
  }
}
