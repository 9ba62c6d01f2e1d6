// Watches kinds and custom resources (like `kubectl get -w`) and calls back when any of them changes.
import { Watch } from './k8s.js';
import type { Kind } from '../snapshot.js';
import type { ClusterClient } from './client.js';
import { RESOURCES } from './client.js';
import type { CustomResource } from './custom.js';

/** A kind kdiag lists, or a custom resource (Gateway API objects). */
export type WatchTarget = Kind | CustomResource;

export function watchPath(target: WatchTarget, namespace?: string): string {
  if (typeof target !== 'string') {
    const base = `/apis/${target.group}/${target.version}`;
    return target.namespaced && namespace ? `${base}/namespaces/${namespace}/${target.plural}` : `${base}/${target.plural}`;
  }
  const r = RESOURCES[target];
  const base = r.group ? `/apis/${r.group}/v1` : '/api/v1';
  return r.namespaced && namespace ? `${base}/namespaces/${namespace}/${r.resource}` : `${base}/${r.resource}`;
}

export interface Watcher {
  stop(): void;
}

/**
 * Starts one watch per kind or custom resource (from "now": the initial ADDED events are
 * ignored) and calls `onChange` once per burst of events (debounced). A watch the server
 * closes is reopened; a resource that cannot be listed (CRD not installed, forbidden) is
 * not watched.
 */
export function watchKinds(
  client: ClusterClient,
  kinds: readonly WatchTarget[],
  namespace: string | undefined,
  onChange: () => void,
  debounceMs = 500,
): Watcher {
  const watch = new Watch(client.kc);
  const controllers: AbortController[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const start = async (kind: WatchTarget, resourceVersion?: string) => {
    if (stopped) return;
    const fieldSelector = typeof kind === 'string' ? RESOURCES[kind].fieldSelector : undefined;
    const rv = resourceVersion ?? (await currentVersion(kind));
    // Stopped while the list was in flight (Ctrl-C right after the first draw): a watch opened
    // now would never be aborted and would keep kdiag from exiting.
    if (stopped) return;
    const controller = await watch.watch(
      watchPath(kind, namespace),
      { allowWatchBookmarks: true, resourceVersion: rv, ...(fieldSelector ? { fieldSelector } : {}) },
      (phase, obj) => {
        if (phase === 'BOOKMARK') return;
        latest = obj?.metadata?.resourceVersion ?? latest;
        changed();
      },
      () => {
        // Closed by the server (timeout) or an error: reopen from the last version seen.
        if (!stopped) setTimeout(() => void start(kind, latest).catch(() => undefined), 1000);
      },
    );
    let latest: string | undefined = rv;
    controllers.push(controller);
    // Stopped while this watch was being opened: close it too, or its connection holds the process.
    if (stopped) controller.abort();
  };
  const currentVersion = async (kind: WatchTarget): Promise<string | undefined> => {
    // A list with limit=1 gives the collection's current resourceVersion.
    if (typeof kind !== 'string') return customVersion(client, kind, namespace);
    const info = RESOURCES[kind];
    // cast: the list method is named at runtime (RESOURCES), which TypeScript cannot index the API class by.
    const api = client[info.api] as unknown as Record<string, (p: object, o: unknown) => Promise<{ metadata?: { resourceVersion?: string } }>>;
    const scoped = info.namespaced && namespace !== undefined;
    const list = await client.call({ verb: 'list', resource: info.resource, group: info.group || undefined, namespace: scoped ? namespace : undefined }, (o) =>
      api[scoped ? info.listNamespaced! : info.listAll]!.call(
        api,
        { ...(scoped ? { namespace } : {}), limit: 1, ...(info.fieldSelector ? { fieldSelector: info.fieldSelector } : {}) },
        o,
      ),
    );
    return list.metadata?.resourceVersion;
  };
  for (const kind of kinds) void start(kind).catch(() => undefined);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const c of controllers) c.abort();
    },
  };
}

/** The current resourceVersion of a custom resource's collection (a list with limit=1). */
async function customVersion(client: ClusterClient, r: CustomResource, namespace: string | undefined): Promise<string | undefined> {
  const { group, version, plural } = r;
  const scoped = r.namespaced && namespace !== undefined;
  const list = (await client.call({ verb: 'list', resource: plural, group, namespace: scoped ? namespace : undefined }, (o) => {
    if (scoped) return client.custom.listNamespacedCustomObject({ group, version, namespace: namespace!, plural, limit: 1 }, o);
    if (r.namespaced) return client.custom.listCustomObjectForAllNamespaces({ group, version, resourcePlural: plural, limit: 1 }, o);
    return client.custom.listClusterCustomObject({ group, version, plural, limit: 1 }, o);
  })) as { metadata?: { resourceVersion?: string } };
  return list.metadata?.resourceVersion;
}
