// Gateway API objects (gateway.networking.k8s.io) through the custom objects API. Without
// the Gateway CRD the answer is "absent" (kdiag says so once); a kind missing on its own
// (e.g. an install without GRPCRoute) is noted and the rest is still checked.
import type { V1Pod } from '@kubernetes/client-node';
import { profileForGatewayController } from '../checks/data/controllers.js';
import { formatMap } from '../checks/lib/labels.js';
import { isForbidden, isNotFound } from '../errors.js';
import {
  emptyGatewayObjects,
  GATEWAY_GROUP,
  parametersKey,
  type Gateway,
  type GatewayClass,
  type GatewayObjects,
  type ParametersLookup,
  type ParametersReference,
  type ReferenceGrant,
  type Route,
  type ServedKind,
} from '../gateway/types.js';
import type { Snapshot } from '../snapshot.js';
import type { ClusterClient } from './client.js';
import { listCustomObjects, type CustomList, type CustomResource } from './custom.js';

const V1 = 'v1';

const resource = (plural: string, namespaced = true, version = V1) => ({ group: GATEWAY_GROUP, version, plural, namespaced });

/** The Gateway API resources `kdiag gateway --watch` watches (those not installed are skipped). */
export const GATEWAY_RESOURCES: readonly CustomResource[] = [
  resource('gatewayclasses', false),
  resource('gateways'),
  resource('httproutes'),
  resource('grpcroutes'),
  resource('referencegrants', true, 'v1'),
  resource('referencegrants', true, 'v1beta1'),
];

/** ReferenceGrant is served as v1 by newer releases and v1beta1 by older ones. */
async function listReferenceGrants(client: ClusterClient, namespace?: string): Promise<CustomList> {
  const v1 = await listCustomObjects(client, resource('referencegrants', true, 'v1'), namespace);
  return v1.status === 'absent' ? listCustomObjects(client, resource('referencegrants', true, 'v1beta1'), namespace) : v1;
}

/** Namespaces other than `namespace` that routes and listeners point into. */
export function referencedNamespaces(objects: GatewayObjects, namespace: string): { gateways: string[]; targets: string[] } {
  const gateways = new Set<string>();
  const targets = new Set<string>();
  for (const r of [...objects.httpRoutes, ...objects.grpcRoutes]) {
    const ns = r.metadata?.namespace ?? namespace;
    for (const p of r.spec?.parentRefs ?? []) if ((p.namespace ?? ns) !== namespace) gateways.add(p.namespace!);
    for (const rule of r.spec?.rules ?? []) for (const b of rule.backendRefs ?? []) if ((b.namespace ?? ns) !== namespace) targets.add(b.namespace!);
  }
  for (const g of objects.gateways) {
    for (const l of g.spec?.listeners ?? [])
      for (const c of l.tls?.certificateRefs ?? []) if (c.namespace && c.namespace !== (g.metadata?.namespace ?? namespace)) targets.add(c.namespace);
  }
  return { gateways: [...gateways].sort(), targets: [...targets].sort() };
}

/**
 * Lists GatewayClasses, Gateways, HTTPRoutes, GRPCRoutes and ReferenceGrants in one
 * namespace (plus the Gateways and ReferenceGrants of the namespaces its routes point
 * into) or in all.
 */
export async function loadGatewayObjects(client: ClusterClient, namespace?: string): Promise<GatewayObjects> {
  const gateways = await listCustomObjects(client, resource('gateways'), namespace);
  if (gateways.status !== 'ok') return emptyGatewayObjects({ unavailable: { reason: gateways.status, message: gateways.message } });
  const [classes, httpRoutes, grpcRoutes, grants] = await Promise.all([
    listCustomObjects(client, resource('gatewayclasses', false)),
    listCustomObjects(client, resource('httproutes'), namespace),
    listCustomObjects(client, resource('grpcroutes'), namespace),
    listReferenceGrants(client, namespace),
  ]);
  const objects = emptyGatewayObjects({
    gateways: gateways.items as Gateway[],
    gatewayClasses: classes.status === 'ok' ? (classes.items as GatewayClass[]) : [],
    httpRoutes: httpRoutes.status === 'ok' ? (httpRoutes.items as Route[]) : [],
    grpcRoutes: grpcRoutes.status === 'ok' ? (grpcRoutes.items as Route[]) : [],
    referenceGrants: grants.status === 'ok' ? (grants.items as ReferenceGrant[]) : [],
  });
  const lists = { gatewayclasses: classes, httproutes: httpRoutes, grpcroutes: grpcRoutes, referencegrants: grants } as const;
  for (const [kind, list] of Object.entries(lists) as [keyof typeof lists, CustomList][]) {
    if (list.status === 'ok') continue;
    objects.missing[kind] = list.message;
    if (list.status === 'forbidden') (objects.forbidden ??= []).push(kind);
  }
  if (namespace === undefined) return objects;

  // Routes attach to Gateways of other namespaces and point at Services and Secrets elsewhere.
  const refs = referencedNamespaces(objects, namespace);
  objects.gatewayNamespaces = [namespace];
  for (const ns of refs.gateways) {
    const more = await listCustomObjects(client, resource('gateways'), ns);
    if (more.status !== 'ok') continue;
    objects.gateways.push(...(more.items as Gateway[]));
    objects.gatewayNamespaces.push(ns);
  }
  if (objects.missing.referencegrants === undefined) {
    for (const ns of refs.targets) {
      const more = await listReferenceGrants(client, ns);
      if (more.status === 'ok') objects.referenceGrants.push(...(more.items as ReferenceGrant[]));
      else objects.missing.referencegrants = more.message;
    }
  }
  return objects;
}

/**
 * Services, EndpointSlices, Pods and TLS Secrets of the namespaces (other than `namespace`)
 * that routes and listeners point into, kept in `objects.extraObjects` so the snapshot that
 * other checks read is not changed.
 */
export async function loadReferencedData(client: ClusterClient, objects: GatewayObjects, namespace: string): Promise<void> {
  const { loadSnapshot } = await import('./load.js');
  const refs = referencedNamespaces(objects, namespace);
  const routeNamespaces = [...objects.httpRoutes, ...objects.grpcRoutes].map((r) => r.metadata?.namespace ?? namespace);
  const extra: NonNullable<GatewayObjects['extraObjects']> = { services: [], endpointslices: [], endpoints: [], pods: [], tlssecrets: [] };
  const namespaces: string[] = [];
  for (const ns of [...new Set([...refs.gateways, ...refs.targets, ...routeNamespaces])].filter((n) => n !== namespace).sort()) {
    const part = await loadSnapshot(client, ['services', 'endpointslices', 'pods', 'tlssecrets'], { namespace: ns, tolerateForbidden: true });
    if (part.unavailable.services || part.unavailable.pods) continue;
    extra.services.push(...part.services);
    extra.endpointslices.push(...part.endpointslices);
    extra.endpoints.push(...part.endpoints);
    extra.pods.push(...part.pods);
    extra.tlssecrets.push(...part.tlssecrets);
    namespaces.push(ns);
  }
  objects.extraNamespaces = namespaces;
  objects.extraObjects = extra;
}

/** What the Gateway API rules read beyond the snapshot, the same for `kdiag check` and `kdiag gateway`. */
export async function loadGatewayInputs(client: ClusterClient, snapshot: Snapshot): Promise<GatewayObjects> {
  const objects = await loadGatewayObjects(client, snapshot.namespace);
  if (!objects.unavailable) await addDiscovery(client, objects);
  if (!objects.unavailable && snapshot.namespace !== undefined) await loadReferencedData(client, objects, snapshot.namespace);
  return objects;
}

/** Served groups, the kinds of the groups that references name, and the parametersRef objects. */
export async function addDiscovery(client: ClusterClient, objects: GatewayObjects): Promise<void> {
  const served = await addServedGroups(client, objects);
  if (!served) return;
  await addServedKinds(client, objects, served);
  await addParameters(client, objects);
}

/** The API groups the cluster serves (one discovery request), for backendRef kinds. */
export async function addServedGroups(client: ClusterClient, objects: GatewayObjects): Promise<Set<string> | undefined> {
  const { servedGroupVersions } = await import('./policies.js');
  const served = await servedGroupVersions(client);
  if (served) objects.servedGroups = [...new Set([...served].map((gv) => (gv.includes('/') ? gv.split('/')[0]! : '')))].sort();
  return served;
}

/** The groups whose kinds the rules need: those of backendRefs other than core Services and of parametersRefs. */
export function referencedGroups(objects: GatewayObjects): string[] {
  const groups = new Set<string>();
  for (const r of [...objects.httpRoutes, ...objects.grpcRoutes])
    for (const rule of r.spec?.rules ?? [])
      for (const b of rule.backendRefs ?? []) if ((b.group ?? '') !== '' || (b.kind ?? 'Service') !== 'Service') groups.add(b.group ?? '');
  for (const c of objects.gatewayClasses) if (c.spec?.parametersRef) groups.add(c.spec.parametersRef.group ?? '');
  for (const g of objects.gateways) {
    if (g.spec?.infrastructure?.parametersRef) groups.add(g.spec.infrastructure.parametersRef.group ?? '');
    for (const l of g.spec?.listeners ?? [])
      for (const k of l.allowedRoutes?.kinds ?? []) if ((k.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) groups.add(k.group!);
  }
  return [...groups].sort();
}

/** One discovery request per served version of each referenced group (the core group: /api/v1). */
async function addServedKinds(client: ClusterClient, objects: GatewayObjects, served: Set<string>): Promise<void> {
  const out: Record<string, ServedKind[]> = {};
  for (const group of referencedGroups(objects)) {
    const versions = group === '' ? ['v1'] : [...served].filter((gv) => gv.startsWith(`${group}/`)).map((gv) => gv.slice(group.length + 1));
    if (group !== '' && versions.length === 0) continue; // not served: kindServed says so from servedGroups
    const kinds: ServedKind[] = [];
    try {
      for (const version of versions) {
        const target = { verb: 'get', resource: group === '' ? 'api/v1' : `apis/${group}/${version}` };
        const list = await client.call(target, (o) => (group === '' ? client.core.getAPIResources(o) : client.custom.getAPIResources({ group, version }, o)));
        for (const r of list.resources ?? [])
          if (!r.name.includes('/') && !kinds.some((k) => k.kind === r.kind)) kinds.push({ kind: r.kind, plural: r.name, version, namespaced: r.namespaced });
      }
    } catch (err) {
      if (isForbidden(err) || isNotFound(err)) continue; // the group's kinds stay unknown
      throw err;
    }
    out[group] = kinds;
  }
  objects.servedKinds = out;
}

/** Reads each parametersRef's object when its kind is served; what the rules report on. */
async function addParameters(client: ClusterClient, objects: GatewayObjects): Promise<void> {
  const refs: { ref: ParametersReference; namespace?: string }[] = [
    ...objects.gatewayClasses.flatMap((c) => (c.spec?.parametersRef ? [{ ref: c.spec.parametersRef, namespace: c.spec.parametersRef.namespace }] : [])),
    ...objects.gateways.flatMap((g) =>
      g.spec?.infrastructure?.parametersRef ? [{ ref: g.spec.infrastructure.parametersRef, namespace: g.metadata?.namespace }] : [],
    ),
  ];
  const found: Record<string, ParametersLookup> = {};
  for (const { ref, namespace } of refs) {
    const served = objects.servedKinds?.[ref.group ?? '']?.find((k) => k.kind === ref.kind);
    if (!served) continue;
    found[parametersKey(ref, namespace)] = await readParameters(client, ref.group ?? '', served, ref.name, namespace);
  }
  objects.parameters = found;
}

async function readParameters(client: ClusterClient, group: string, kind: ServedKind, name: string, namespace?: string): Promise<ParametersLookup> {
  if (kind.namespaced && !namespace) return { status: 'missing', message: `${kind.kind} is namespaced and the reference gives no namespace` };
  const ns = kind.namespaced ? namespace : undefined;
  const target = { verb: 'get', resource: kind.plural, group, namespace: ns, name };
  const { version, plural } = kind;
  try {
    if (group === '' && plural === 'configmaps') await client.call(target, (o) => client.core.readNamespacedConfigMap({ name, namespace: ns! }, o));
    else if (group === '' && plural === 'secrets') await client.call(target, (o) => client.core.readNamespacedSecret({ name, namespace: ns! }, o));
    else if (group === '') return { status: 'unreadable', message: `kdiag does not read core ${kind.kind} objects` };
    else if (ns) await client.call(target, (o) => client.custom.getNamespacedCustomObject({ group, version, namespace: ns, plural, name }, o));
    else await client.call(target, (o) => client.custom.getClusterCustomObject({ group, version, plural, name }, o));
    return { status: 'found' };
  } catch (err) {
    if (isNotFound(err)) return { status: 'missing' };
    if (isForbidden(err)) return { status: 'unreadable', message: err.message };
    throw err;
  }
}

/**
 * Labels the implementations put on a Gateway's data-plane Pods (GEP-1762, Envoy Gateway);
 * implementations whose one proxy serves every Gateway of their class (Traefik) by the
 * labels of that proxy, when the GatewayClass names a controller kdiag knows.
 */
export function dataPlaneSelectors(gateway: Gateway, controllerName?: string): { namespace?: string; labelSelector: string }[] {
  const name = gateway.metadata?.name ?? '';
  const ns = gateway.metadata?.namespace ?? '';
  const shared = (profileForGatewayController(controllerName)?.podLabels ?? []).map((l) => ({ labelSelector: formatMap(l) }));
  return [
    { namespace: ns, labelSelector: `gateway.networking.k8s.io/gateway-name=${name}` },
    { labelSelector: `gateway.envoyproxy.io/owning-gateway-name=${name},gateway.envoyproxy.io/owning-gateway-namespace=${ns}` },
    ...shared,
  ];
}

/** The data-plane Pods of a Gateway; undefined when Pods may not be listed. */
export async function loadDataPlanePods(client: ClusterClient, gateway: Gateway, controllerName?: string): Promise<V1Pod[] | undefined> {
  try {
    const lists = await Promise.all(
      dataPlaneSelectors(gateway, controllerName).map((s) => client.list('pods', s.namespace, { labelSelector: s.labelSelector })),
    );
    const seen = new Set<string>();
    return lists.flat().filter((p) => {
      const k = `${p.metadata?.namespace}/${p.metadata?.name}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  } catch (err) {
    if (isForbidden(err)) return undefined;
    throw err;
  }
}

/** The data-plane Pods of every Gateway (`ns/name` → Pods; undefined where Pods may not be listed), for the HTML report's paths. */
export async function loadDataPlanes(client: ClusterClient, objects: GatewayObjects): Promise<Map<string, V1Pod[] | undefined>> {
  const planes = new Map<string, V1Pod[] | undefined>();
  for (const gateway of objects.gateways) {
    const controllerName = objects.gatewayClasses.find((c) => c.metadata?.name === gateway.spec?.gatewayClassName)?.spec?.controllerName;
    planes.set(`${gateway.metadata?.namespace ?? ''}/${gateway.metadata?.name ?? ''}`, await loadDataPlanePods(client, gateway, controllerName));
  }
  return planes;
}

/** Namespace labels from the snapshot, when Namespaces were listed (allowedRoutes selectors). */
export function namespaceLabelsOf(snapshot: Snapshot): ((ns: string) => Record<string, string>) | undefined {
  return snapshot.namespaces.length ? (ns: string) => snapshot.namespaces.find((n) => n.metadata?.name === ns)?.metadata?.labels ?? {} : undefined;
}

/**
 * What `kdiag trace` needs to follow a URL through a Gateway; `choice` undefined when no Gateway
 * listener and route serve it (the objects then explain why); undefined without the Gateway API.
 */
export async function loadGatewayTrace(
  client: ClusterClient,
  snapshot: Snapshot,
  request: import('../gateway/trace.js').GatewayRequest,
): Promise<{ objects: GatewayObjects; choice?: import('../gateway/trace.js').GatewayChoice; dataPlanePods?: V1Pod[] } | undefined> {
  const objects = await loadGatewayObjects(client);
  if (objects.unavailable) return undefined;
  const { selectGatewayRoute } = await import('../gateway/trace.js');
  const { loadSnapshot } = await import('./load.js');
  const choice = selectGatewayRoute(objects, request, namespaceLabelsOf(snapshot));
  if (!choice) return { objects };
  const gns = choice.gateway.metadata?.namespace ?? '';
  const rns = choice.match?.route.metadata?.namespace;
  const namespaces = new Set<string>([gns]);
  for (const c of choice.listener.tls?.certificateRefs ?? []) namespaces.add(c.namespace ?? gns);
  if (rns) {
    namespaces.add(rns);
    for (const b of choice.match?.rule.backendRefs ?? []) namespaces.add(b.namespace ?? rns);
  }
  snapshot.services = [];
  snapshot.endpointslices = [];
  snapshot.endpoints = [];
  snapshot.pods = [];
  snapshot.tlssecrets = [];
  for (const ns of [...namespaces].sort()) {
    const part = await loadSnapshot(client, ['services', 'endpointslices', 'pods', 'tlssecrets'], { namespace: ns, tolerateForbidden: true });
    snapshot.services.push(...part.services);
    snapshot.endpointslices.push(...part.endpointslices);
    snapshot.endpoints.push(...part.endpoints);
    snapshot.pods.push(...part.pods);
    snapshot.tlssecrets.push(...part.tlssecrets);
    Object.assign(snapshot.unavailable, part.unavailable);
  }
  const controllerName = objects.gatewayClasses.find((c) => c.metadata?.name === choice.gateway.spec?.gatewayClassName)?.spec?.controllerName;
  return { objects, choice, dataPlanePods: await loadDataPlanePods(client, choice.gateway, controllerName) };
}
