// Custom resources (e.g. cert-manager's Certificates and Issuers) through the custom
// objects API. A 404 means the CRD is not installed, a 403 that kdiag may not read them:
// both are answers, not failures, for callers that only enrich their report.
import { isForbidden, isNotFound } from '../errors.js';
import type { CustomList, CustomObject } from '../snapshot.js';
import type { ClusterClient } from './client.js';

export type { CustomList, CustomObject } from '../snapshot.js';

export interface CustomResource {
  group: string;
  version: string;
  plural: string;
  /** Cluster-scoped resources ignore `namespace`. */
  namespaced: boolean;
}

interface Page {
  items?: CustomObject[];
  metadata?: { continue?: string; _continue?: string };
}

/**
 * Lists custom objects of one resource (paged), in one namespace or all. Answers
 * `absent` when the API does not serve the resource (CRD not installed) and `forbidden`
 * on 403; other failures throw like every API call.
 */
export async function listCustomObjects(client: ClusterClient, resource: CustomResource, namespace?: string, pageSize = 500): Promise<CustomList> {
  const { group, version, plural } = resource;
  const scoped = resource.namespaced && namespace !== undefined;
  const target = { verb: 'list', resource: plural, group, namespace: scoped ? namespace : undefined };
  const items: CustomObject[] = [];
  let cont: string | undefined;
  try {
    do {
      const paging = { limit: pageSize, ...(cont ? { _continue: cont } : {}) };
      const page = (await client.call(target, (o) => {
        if (scoped) return client.custom.listNamespacedCustomObject({ group, version, namespace: namespace!, plural, ...paging }, o);
        if (resource.namespaced) return client.custom.listCustomObjectForAllNamespaces({ group, version, resourcePlural: plural, ...paging }, o);
        return client.custom.listClusterCustomObject({ group, version, plural, ...paging }, o);
      })) as Page;
      for (const item of page.items ?? []) items.push(item);
      cont = page.metadata?.continue || page.metadata?._continue || undefined;
    } while (cont);
  } catch (err) {
    // A 404 without a body is mapped to "namespace X not found"; the namespace was checked by then.
    if (isNotFound(err)) {
      return { status: 'absent', message: `the API does not serve ${plural}.${group}/${version} (CRD not installed)` };
    }
    if (isForbidden(err)) return { status: 'forbidden', message: err.message };
    throw err;
  }
  return { status: 'ok', items };
}
