import type { Finding } from '../report/types.js';
import type { Kind, Snapshot } from '../snapshot.js';

/**
 * An input a check reads: a kind of the snapshot, the Ingress controllers' Pods in every
 * namespace, the cluster-scoped GatewayClasses, the Pods and DaemonSets of every namespace (the
 * NetworkPolicy rules: peers, the Ingress controller, the network plugin), or kube-system's Pods
 * and DaemonSets (the data plane).
 */
export type Input = Kind | 'controller-pods' | 'gatewayclasses' | 'cluster-pods' | 'cluster-daemonsets' | 'kube-system-pods' | 'kube-system-daemonsets';

/** Thresholds and switches a check may read (from flags or .kdiag.yaml). */
export interface CheckOptions {
  /** Days before expiry at which a certificate is reported (kdiag ingress). */
  certWarnDays?: number;
  /** Grace period, in seconds, before a missing LoadBalancer/Ingress address is an error. */
  addressGraceSeconds?: number;
}

/** A check: pure over a snapshot, declares the kinds it reads so the loader lists each once. */
export interface Check {
  id: string;
  title: string;
  requires: readonly Kind[];
  /** Kinds read when permitted; without them the check still runs and says what it skipped. */
  optional?: readonly Kind[];
  /** Extra data loaded narrowly for this check (see src/cluster/). */
  extras?: readonly ('clusterDns' | 'ingress' | 'gateway' | 'netpol' | 'dataplane')[];
  /**
   * What this check does not check when an input may not be read (an optional kind, or a
   * narrowly loaded extra): one phrase each, reported once per missing permission (KD6006).
   */
  skippedWithout?: Partial<Record<Input, string>>;
  /**
   * Every input is optional (each refused one is a KD6006 line): when every other check is
   * denied, this one alone is no reason to go on (kdiag check exits 2 naming the permission).
   */
  supplementary?: boolean;
  run(snapshot: Snapshot, options: CheckOptions): Finding[];
}
