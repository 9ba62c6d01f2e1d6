import type { Finding } from '../report/types.js';
import type { Kind, Snapshot } from '../snapshot.js';

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
  extras?: readonly ('clusterDns' | 'ingress' | 'gateway')[];
  run(snapshot: Snapshot, options: CheckOptions): Finding[];
}
