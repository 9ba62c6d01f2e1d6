// Which network plugin runs here, found by its DaemonSets and pods, and whether it
// enforces NetworkPolicy. flannel alone does not; Canal is Calico's policy on flannel.
import type { V1Pod } from '@kubernetes/client-node';
import type { Snapshot } from '../snapshot.js';

export interface CniPlugin {
  name: string;
  enforces: boolean;
  /** How it was found: `DaemonSet kube-system/kube-router`, `pod kube-system/cilium-x`. */
  evidence: string;
}

export interface CniDetection {
  plugins: CniPlugin[];
  /** True when at least one plugin that enforces NetworkPolicy was found. */
  enforcing: boolean;
  /** Kinds that could not be read, so the answer may be incomplete. */
  unknown: string[];
}

const KNOWN: { name: string; enforces: boolean; names: string[] }[] = [
  { name: 'Calico', enforces: true, names: ['calico-node'] },
  { name: 'Canal (Calico policy on flannel)', enforces: true, names: ['canal'] },
  { name: 'Cilium', enforces: true, names: ['cilium'] },
  { name: 'Antrea', enforces: true, names: ['antrea-agent'] },
  { name: 'kube-router', enforces: true, names: ['kube-router'] },
  { name: 'Weave Net', enforces: true, names: ['weave-net'] },
  { name: 'flannel', enforces: false, names: ['kube-flannel', 'kube-flannel-ds', 'flannel'] },
];

/** The DaemonSet names and label values (k8s-app, app.kubernetes.io/name, app) by which the plugins are recognised. */
export const CNI_IDENTITIES: readonly string[] = KNOWN.flatMap((k) => k.names);

/** The Pod labels whose value names a plugin (besides the owning DaemonSet's name). */
export const CNI_IDENTITY_LABELS = ['k8s-app', 'app.kubernetes.io/name', 'app'] as const;

function plugin(name: string): (typeof KNOWN)[number] | undefined {
  return KNOWN.find((k) => k.names.includes(name));
}

function podIdentity(pod: V1Pod): string | undefined {
  const labels = pod.metadata?.labels ?? {};
  const owner = pod.metadata?.ownerReferences?.find((o) => o.kind === 'DaemonSet')?.name;
  return [owner, ...CNI_IDENTITY_LABELS.map((k) => labels[k])].find((n) => n !== undefined && plugin(n) !== undefined);
}

export function detectCni(snapshot: Snapshot): CniDetection {
  const found = new Map<string, CniPlugin>();
  for (const ds of snapshot.daemonsets) {
    const k = plugin(ds.metadata?.name ?? '');
    if (k && !found.has(k.name))
      found.set(k.name, { name: k.name, enforces: k.enforces, evidence: `DaemonSet ${ds.metadata?.namespace}/${ds.metadata?.name}` });
  }
  for (const pod of snapshot.pods) {
    const id = podIdentity(pod);
    const k = id ? plugin(id) : undefined;
    if (k && !found.has(k.name)) found.set(k.name, { name: k.name, enforces: k.enforces, evidence: `pod ${pod.metadata?.namespace}/${pod.metadata?.name}` });
  }
  const unknown = (['daemonsets', 'pods'] as const).filter((k) => !snapshot.loaded.includes(k) || snapshot.unavailable[k]);
  const plugins = [...found.values()];
  return { plugins, enforcing: plugins.some((p) => p.enforces), unknown };
}

export const KNOWN_CNI_NAMES = KNOWN.map((k) => k.name);
