// Watches kinds (like `kubectl get -w`) and calls back when any of them changes.
import { Watch } from './k8s.js';
import type { Kind } from '../snapshot.js';
import type { ClusterClient } from './client.js';
import { RESOURCES } from './client.js';

export function watchPath(kind: Kind, namespace?: string): string {
  const r = RESOURCES[kind];
  const base = r.group ? `/apis/${r.group}/v1` : '/api/v1';
  return r.namespaced && namespace ? `${base}/namespaces/${namespace}/${r.resource}` : `${base}/${r.resource}`;
}

export interface Watcher {
  stop(): void;
}

/**
 * Starts one watch per kind (from "now": the initial ADDED events are ignored) and calls
 * `onChange` once per burst of events (debounced). A watch the server closes is reopened.
 */
export function watchKinds(client: ClusterClient, kinds: readonly Kind[], namespace: string | undefined, onChange: () => void, debounceMs = 500): Watcher {
  const watch = new Watch(client.kc);
  const controllers: AbortController[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const start = async (kind: Kind, resourceVersion?: string) => {
    if (stopped) return;
    const fieldSelector = RESOURCES[kind].fieldSelector;
    const rv = resourceVersion ?? (await currentVersion(kind));
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
  };
  const currentVersion = async (kind: Kind): Promise<string | undefined> => {
    // A list with limit=1 gives the collection's current resourceVersion.
    const info = RESOURCES[kind];
    const api = client[info.api] as unknown as Record<string, (p: object, o: unknown) => Promise<{ metadata?: { resourceVersion?: string } }>>;
    const scoped = info.namespaced && namespace !== undefined;
    const list = await client.call({ verb: 'list', resource: info.resource, group: info.group || undefined, namespace: scoped ? namespace : undefined }, (o) =>
      api[scoped ? info.listNamespaced! : info.listAll]!.call(api, { ...(scoped ? { namespace } : {}), limit: 1, ...(info.fieldSelector ? { fieldSelector: info.fieldSelector } : {}) }, o),
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
