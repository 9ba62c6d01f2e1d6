import type { Finding } from '../report/types.js';
import type { Kind, Snapshot } from '../snapshot.js';

/**
 * An input a check reads: a kind of the snapshot, the Ingress controllers' Pods in every
 * namespace, the cluster-scoped GatewayClasses, or the Pods and DaemonSets of every namespace
 * (the NetworkPolicy rules: peers, the Ingress controller, the network plugin).
 */
export type Input = Kind | 'controller-pods' | 'gatewayclasses' | 'cluster-pods' | 'cluster-daemonsets';

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
  extras?: readonly ('clusterDns' | 'ingress' | 'gateway' | 'netpol')[];
  /**
   * What this check does not check when an input may not be read (an optional kind, or a
   * narrowly loaded extra): one phrase each, reported once per missing permission (KD6006).
   */
  skippedWithout?: Partial<Record<Input, string>>;
  run(snapshot: Snapshot, options: CheckOptions): Finding[];
}
