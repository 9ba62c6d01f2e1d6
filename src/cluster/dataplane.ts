// Reads what runs the data plane (nodes, kube-system pods and DaemonSets, kube-proxy's
// ConfigMap) for src/dataplane. Loaded only when a probe's result needs it explained; each
// part that cannot be read (RBAC) is skipped and said, never fatal.
import type { DataplaneView } from '../dataplane/components.js';
import { KdiagError } from '../errors.js';
import type { ClusterClient } from './client.js';

export const SYSTEM_NAMESPACE = 'kube-system';

function skippedReason(what: string, err: unknown): string {
  if (err instanceof KdiagError && /403 Forbidden/.test(err.message)) return `${what}: forbidden`;
  if (err instanceof KdiagError && /not found|\(404\)/.test(err.message)) return `${what}: not found`;
  return `${what}: ${(err as Error).message.split('\n')[0]}`;
}

/** `kubeProxyConfig`: also read ConfigMap kube-system/kube-proxy (its mode), needed only to explain the Service path. */
export async function loadDataplaneView(client: ClusterClient, options: { kubeProxyConfig?: boolean } = {}): Promise<DataplaneView> {
  const view: DataplaneView = { nodes: [], systemPods: [], daemonsets: [], skipped: [] };
  await Promise.all([
    client.list('nodes').then(
      (n) => (view.nodes = n),
      (e) => view.skipped.push(skippedReason('nodes', e)),
    ),
    // Whole pods (not the slim list copies): the agents' flags and environment tell their mode.
    client
      .call({ verb: 'list', resource: 'pods', namespace: SYSTEM_NAMESPACE }, (o) =>
        client.core.listNamespacedPod({ namespace: SYSTEM_NAMESPACE, limit: 500 }, o),
      )
      .then(
        (l) => (view.systemPods = l.items),
        (e) => view.skipped.push(skippedReason('pods in kube-system', e)),
      ),
    client.list('daemonsets', SYSTEM_NAMESPACE).then(
      (d) => (view.daemonsets = d),
      (e) => view.skipped.push(skippedReason('DaemonSets in kube-system', e)),
    ),
    options.kubeProxyConfig ? readKubeProxyConfig(client, view) : undefined,
  ]);
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
    if (!(e instanceof KdiagError && /not found|\(404\)/.test(e.message))) view.skipped.push(skippedReason('ConfigMap kube-system/kube-proxy', e));
  }
}
