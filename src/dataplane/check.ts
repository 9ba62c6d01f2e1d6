// The data plane as a check of `kdiag check`: the same rows and findings as `kdiag dataplane`
// (one implementation, src/dataplane/view.ts) over the snapshot's data-plane inputs.
import type { Check } from '../checks/types.js';
import type { Finding } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { dataplaneRows, type NodeRow } from './view.js';

export interface DataplaneSection {
  nodes: NodeRow[];
  /** What could not be read, in words. */
  skipped: string[];
  findings: Finding[];
}

/** The per-node rows and findings for the snapshot's scope; undefined when the data plane was not loaded. */
export function dataplaneSection(snapshot: Snapshot): DataplaneSection | undefined {
  const view = snapshot.dataplane;
  if (!view) return undefined;
  const policies = snapshot.loaded.includes('networkpolicies') ? snapshot.networkpolicies : undefined;
  const { rows, findings } = dataplaneRows(view, policies, snapshot.namespace);
  return { nodes: rows, skipped: view.skipped, findings };
}

export const dataplaneCheck: Check = {
  id: 'dataplane',
  title: 'Data plane per node',
  requires: [],
  // Nodes are cluster-scoped and kube-system is not the user's namespace: each may be refused,
  // and then only what needs it is left out (KD6006).
  optional: ['nodes', 'networkpolicies'],
  extras: ['dataplane'],
  supplementary: true,
  skippedWithout: {
    nodes: 'the per-node data plane (KD6020 kube-proxy and KD6021 NetworkPolicy enforcer on each node)',
    'kube-system-pods': 'kube-proxy, the NetworkPolicy enforcer and CoreDNS on each node (KD6020, KD6021)',
    'kube-system-daemonsets': "the enforcer's DaemonSet (KD6021 where no enforcer pod runs, and nodes its DaemonSet does not want)",
    networkpolicies: 'KD6021 where no enforcer is installed (whether NetworkPolicies exist that nothing enforces)',
  },
  run: (snapshot) => dataplaneSection(snapshot)?.findings ?? [],
};
