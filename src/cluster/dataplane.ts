// Reads what runs the data plane (nodes, kube-system pods and DaemonSets, kube-proxy's
// ConfigMap) for src/dataplane: one loader for `kdiag dataplane`, the data-plane section of
// `kdiag check` and the probes' explanations. Lists a snapshot already holds are reused, never
// listed again; each part that cannot be read (RBAC) is skipped and said, never fatal.
import type { DataplaneView } from '../dataplane/components.js';
import { isForbidden, isNotFound } from '../errors.js';
import type { Snapshot } from '../snapshot.js';
import type { ClusterClient } from './client.js';

export const SYSTEM_NAMESPACE = 'kube-system';

function skippedReason(what: string, err: unknown): string {
  if (isForbidden(err)) return `${what}: forbidden`;
  if (isNotFound(err)) return `${what}: not found`;
  return `${what}: ${(err as Error).message.split('\n')[0]}`;
}

/** Whether the snapshot holds every object of `kind` in kube-system (all namespaces, or kube-system itself). */
function holdsSystem(snapshot: Snapshot | undefined, kind: 'pods' | 'daemonsets'): boolean {
  return !!snapshot && snapshot.loaded.includes(kind) && (snapshot.namespace === undefined || snapshot.namespace === SYSTEM_NAMESPACE);
}

const inSystem = <T extends { metadata?: { namespace?: string } }>(items: readonly T[]) => items.filter((i) => i.metadata?.namespace === SYSTEM_NAMESPACE);

/**
 * `kubeProxyConfig`: also read ConfigMap kube-system/kube-proxy (its mode). `snapshot`: take
 * nodes, kube-system's pods and DaemonSets from it where it (or its NetworkPolicy inputs) listed
 * them (kdiag check lists them anyway); a node list the snapshot was refused is not asked for again.
 */
export async function loadDataplaneView(client: ClusterClient, options: { kubeProxyConfig?: boolean; snapshot?: Snapshot } = {}): Promise<DataplaneView> {
  const snap = options.snapshot;
  const view: DataplaneView = { nodes: [], systemPods: [], daemonsets: [], skipped: [], refused: [] };
  const refuse = (input: 'nodes' | 'kube-system-pods' | 'kube-system-daemonsets', what: string, e: unknown) => {
    view.skipped.push(skippedReason(what, e));
    if (isForbidden(e)) view.refused!.push(input);
  };
  const nodes = async () => {
    if (snap?.loaded.includes('nodes')) view.nodes = snap.nodes;
    else if (snap?.forbidden?.includes('nodes')) view.skipped.push('nodes: forbidden');
    else view.nodes = await client.list('nodes').catch((e: unknown) => (refuse('nodes', 'nodes', e), []));
  };
  // kube-system's pods keep their args and env in the list (slimPod): the agents' flags tell their mode.
  // kdiag check -n: the NetworkPolicy loader has already listed kube-system's Pods (whole) and the DaemonSets of every namespace.
  const netpol = snap?.netpol;
  const pods = async () => {
    if (holdsSystem(snap, 'pods')) view.systemPods = inSystem(snap!.pods);
    else if (netpol?.clusterWide) view.systemPods = inSystem(netpol.pods);
    else view.systemPods = await client.list('pods', SYSTEM_NAMESPACE).catch((e: unknown) => (refuse('kube-system-pods', 'pods in kube-system', e), []));
  };
  const daemonsets = async () => {
    if (holdsSystem(snap, 'daemonsets')) view.daemonsets = inSystem(snap!.daemonsets);
    else if (netpol && !netpol.refused.daemonsets) view.daemonsets = inSystem(netpol.daemonsets);
    else
      view.daemonsets = await client
        .list('daemonsets', SYSTEM_NAMESPACE)
        .catch((e: unknown) => (refuse('kube-system-daemonsets', 'DaemonSets in kube-system', e), []));
  };
  await Promise.all([nodes(), pods(), daemonsets(), options.kubeProxyConfig ? readKubeProxyConfig(client, view) : undefined]);
  return view;
}

async function readKubeProxyConfig(client: ClusterClient, view: DataplaneView): Promise<void> {
  try {
    const cm = await client.call({ verb: 'get', resource: 'configmaps', namespace: SYSTEM_NAMESPACE, name: 'kube-proxy' }, (o) =>
      client.core.readNamespacedConfigMap({ name: 'kube-proxy', namespace: SYSTEM_NAMESPACE }, o),
    );
    const data = cm.data ?? {};
    view.kubeProxyConfig = data['config.conf'] ?? Object.values(data).find((v) => /KubeProxyConfiguration/.test(v)) ?? '';
  } catch (e) {
    // A missing ConfigMap is normal (kube-proxy configured another way): not worth a "skipped".
    if (!isNotFound(e)) view.skipped.push(skippedReason('ConfigMap kube-system/kube-proxy', e));
  }
}
