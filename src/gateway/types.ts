// The parts of the Gateway API objects (gateway.networking.k8s.io) that kdiag reads.
// Served as custom objects, so only what the analysis uses is typed; every field optional.

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export interface Meta {
  name?: string;
  namespace?: string;
  creationTimestamp?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface GatewayClass {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  spec?: { controllerName?: string; description?: string; parametersRef?: ParametersReference };
  status?: { conditions?: Condition[] };
}

/** GatewayClass spec.parametersRef (namespace set for a namespaced referent) and Gateway spec.infrastructure.parametersRef (local). */
export interface ParametersReference {
  group?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface SecretObjectRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

export interface RouteGroupKind {
  group?: string;
  kind: string;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: { mode?: string; certificateRefs?: SecretObjectRef[] };
  allowedRoutes?: { namespaces?: { from?: 'All' | 'Same' | 'Selector' | string; selector?: LabelSelector }; kinds?: RouteGroupKind[] };
}

export interface ListenerStatus {
  name: string;
  attachedRoutes?: number;
  supportedKinds?: RouteGroupKind[];
  conditions?: Condition[];
}

export interface Gateway {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  spec?: {
    gatewayClassName?: string;
    listeners?: Listener[];
    addresses?: { type?: string; value: string }[];
    infrastructure?: { parametersRef?: ParametersReference };
  };
  status?: { addresses?: { type?: string; value: string }[]; conditions?: Condition[]; listeners?: ListenerStatus[] };
}

export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
}

export interface HTTPPathMatch {
  type?: 'Exact' | 'PathPrefix' | 'RegularExpression' | string;
  value?: string;
}

export interface ValueMatch {
  type?: 'Exact' | 'RegularExpression' | string;
  name: string;
  value: string;
}

export interface HTTPRouteMatch {
  path?: HTTPPathMatch;
  headers?: ValueMatch[];
  queryParams?: ValueMatch[];
  method?: string;
}

export interface RouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  backendRefs?: BackendRef[];
  filters?: { type: string }[];
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName?: string;
  conditions?: Condition[];
}

/** HTTPRoute and GRPCRoute share what kdiag reads (GRPCRoute matches are not traced). */
export interface Route {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  spec?: { parentRefs?: ParentReference[]; hostnames?: string[]; rules?: RouteRule[] };
  status?: { parents?: RouteParentStatus[] };
}

export interface ReferenceGrant {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  spec?: { from?: { group: string; kind: string; namespace: string }[]; to?: { group: string; kind: string; name?: string }[] };
}

/** Everything kdiag read of the Gateway API for one run. */
export interface GatewayObjects {
  gatewayClasses: GatewayClass[];
  gateways: Gateway[];
  httpRoutes: Route[];
  grpcRoutes: Route[];
  referenceGrants: ReferenceGrant[];
  /** The Gateway API is not installed (no Gateway CRD) or Gateways may not be read: nothing else was checked. */
  unavailable?: { reason: 'absent' | 'forbidden'; message: string };
  /** Kinds that could not be read while Gateways could (e.g. GRPCRoute CRD missing), with the reason. */
  missing: Partial<Record<'gatewayclasses' | 'httproutes' | 'grpcroutes' | 'referencegrants', string>>;
  /** Those of `missing` the API refused (403): a permission would let kdiag read them. */
  forbidden?: ('gatewayclasses' | 'httproutes' | 'grpcroutes' | 'referencegrants')[];
  /** Namespaces whose Gateways were listed (undefined: all). A parentRef elsewhere is not reported missing. */
  gatewayNamespaces?: string[];
  /** Namespaces beyond the snapshot's whose Services, EndpointSlices and Pods were loaded (cross-namespace refs). */
  extraNamespaces?: string[];
  /** Those namespaces' objects, kept apart from the snapshot (other checks of a run must not see them). */
  extraObjects?: {
    services: import('@kubernetes/client-node').V1Service[];
    endpointslices: import('@kubernetes/client-node').V1EndpointSlice[];
    endpoints: import('@kubernetes/client-node').V1Endpoints[];
    pods: import('@kubernetes/client-node').V1Pod[];
    tlssecrets: import('@kubernetes/client-node').V1Secret[];
  };
  /** API groups the cluster serves (discovery); undefined when discovery was not read. */
  servedGroups?: string[];
  /**
   * The kinds each referenced group serves (discovery of its versions), for the groups that
   * backendRefs and parametersRefs name; a group absent here was not looked up.
   */
  servedKinds?: Record<string, ServedKind[]>;
  /** What kdiag found for each parametersRef (keyed by parametersKey); absent: not looked up. */
  parameters?: Record<string, ParametersLookup>;
  /** Data-plane Pods of the Gateways (by the labels implementations put on them). */
  dataPlanePods?: import('@kubernetes/client-node').V1Pod[];
}

export interface ServedKind {
  kind: string;
  /** The resource name (plural) and a version serving it, to read an object of the kind. */
  plural: string;
  version: string;
  namespaced: boolean;
}

/** A parametersRef looked up: found, missing (404), or not read (refused, or a kind kdiag cannot read). */
export interface ParametersLookup {
  status: 'found' | 'missing' | 'unreadable';
  message?: string;
}

export function parametersKey(ref: ParametersReference, namespace: string | undefined): string {
  return `${ref.group ?? ''}/${ref.kind}/${namespace ?? ''}/${ref.name}`;
}

/**
 * Whether the cluster serves kind `kind` of API group `group`, by discovery: false when the group
 * is not served or its kinds were read and `kind` is not among them; undefined when kdiag cannot say.
 */
export function kindServed(objects: GatewayObjects, group: string, kind: string): boolean | undefined {
  const kinds = objects.servedKinds?.[group];
  if (kinds) return kinds.some((k) => k.kind === kind);
  if (group !== '' && objects.servedGroups && !objects.servedGroups.includes(group)) return false;
  return undefined;
}

export function emptyGatewayObjects(partial: Partial<GatewayObjects> = {}): GatewayObjects {
  return { gatewayClasses: [], gateways: [], httpRoutes: [], grpcRoutes: [], referenceGrants: [], missing: {}, ...partial };
}

export function condition(obj: { status?: { conditions?: Condition[] } } | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

export function conditionIn(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
