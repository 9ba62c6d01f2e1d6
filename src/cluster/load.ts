// Loads one Snapshot: every requested kind listed once (paged), all kinds in parallel.
import { isForbidden, isNamespaceNotFound, isNotFound } from '../errors.js';
import { emptySnapshot, type Kind, type Snapshot } from '../snapshot.js';
import type { ClusterClient } from './client.js';
import { preferSmallHeap } from './heap.js';

export interface LoadOptions {
  /** Scope to one namespace; undefined lists all namespaces. */
  namespace?: string;
  /**
   * Record kinds that cannot be listed because of RBAC in `unavailable` instead of failing
   * (used by `kdiag check`, which skips only the checks that need them).
   */
  tolerateForbidden?: boolean;
  /**
   * Kinds whose 403 is recorded in `unavailable` (and `forbidden`) while any other kind's 403
   * still fails the load: the inputs a command can do without.
   */
  optional?: readonly Kind[];
  /** Called as each kind finishes (progress output). */
  onKind?: (kind: Kind, count: number) => void;
}

export async function loadSnapshot(client: ClusterClient, kinds: readonly Kind[], options: LoadOptions = {}): Promise<Snapshot> {
  const snapshot = emptySnapshot({ namespace: options.namespace, now: new Date() });
  const wanted = [...new Set(kinds)];
  if (options.namespace === undefined) preferSmallHeap();
  const tasks: Promise<void>[] = wanted.map(async (kind) => {
    try {
      const items = await client.list(kind, options.namespace);
      (snapshot[kind] as unknown[]) = items;
      snapshot.loaded.push(kind);
      options.onKind?.(kind, items.length);
    } catch (err) {
      // discovery.k8s.io absent (very old clusters): fall back to core/v1 Endpoints.
      if (kind === 'endpointslices' && isNotFound(err) && !isNamespaceNotFound(err)) {
        snapshot.endpoints = await client.list('endpoints', options.namespace);
        snapshot.loaded.push('endpoints');
        snapshot.unavailable.endpointslices = 'the discovery.k8s.io/v1 API is not served; used core/v1 Endpoints';
        return;
      }
      if ((options.tolerateForbidden || options.optional?.includes(kind)) && isForbidden(err)) {
        snapshot.unavailable[kind] = err.message;
        (snapshot.forbidden ??= []).push(kind);
        return;
      }
      throw err;
    }
  });
  if (options.namespace) tasks.push(client.assertNamespace(options.namespace));
  // Settle everything so no request is left running, then report the first failure.
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    const nsMissing = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && isNamespaceNotFound(r.reason));
    throw (nsMissing ?? failed).reason;
  }
  return snapshot;
}
