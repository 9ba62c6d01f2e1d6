// Pods of the known Ingress controllers, cluster-wide, by their usual labels: one narrow
// list per label set (with -A the snapshot already holds every Pod).
import type { V1Pod } from '@kubernetes/client-node';
import { CONTROLLER_POD_LABELS } from '../checks/data/nginx-annotations.js';
import { formatMap } from '../checks/lib/labels.js';
import { isForbidden } from '../errors.js';
import type { Snapshot } from '../snapshot.js';
import type { ClusterClient } from './client.js';

export interface ControllerPods {
  controllerPods?: V1Pod[];
  controllerPodsUnavailable?: string;
}

/** Controller Pods for the controllers of the snapshot's IngressClasses (all known ones when given none). */
export async function loadControllerPods(client: ClusterClient, snapshot?: Snapshot): Promise<ControllerPods> {
  if (snapshot && snapshot.namespace === undefined && snapshot.loaded.includes('pods')) return { controllerPods: snapshot.pods };
  const controllers = snapshot?.ingressclasses.length
    ? new Set(snapshot.ingressclasses.map((c) => c.spec?.controller ?? ''))
    : new Set(Object.keys(CONTROLLER_POD_LABELS));
  const selectors = [...controllers].flatMap((c) => CONTROLLER_POD_LABELS[c]?.labels ?? []).map(formatMap);
  try {
    const lists = await Promise.all(selectors.map((labelSelector) => client.list('pods', undefined, { labelSelector })));
    return { controllerPods: lists.flat() };
  } catch (err) {
    if (isForbidden(err)) return { controllerPodsUnavailable: err.message };
    throw err;
  }
}
