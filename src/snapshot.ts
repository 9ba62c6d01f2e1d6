// The one in-memory copy of the cluster that checks read. Each kind is listed once per
// run (paged) by src/cluster/load.ts; checks are pure functions over this object.
import type {
  V1DaemonSet,
  V1Deployment,
  V1EndpointSlice,
  V1Endpoints,
  V1Ingress,
  V1IngressClass,
  V1Namespace,
  V1NetworkPolicy,
  V1Node,
  V1Pod,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';

export interface KindMap {
  namespaces: V1Namespace;
  nodes: V1Node;
  services: V1Service;
  endpointslices: V1EndpointSlice;
  endpoints: V1Endpoints;
  pods: V1Pod;
  ingresses: V1Ingress;
  ingressclasses: V1IngressClass;
  networkpolicies: V1NetworkPolicy;
  /** Only Secrets of type kubernetes.io/tls (for certificate checks). */
  tlssecrets: V1Secret;
  daemonsets: V1DaemonSet;
  deployments: V1Deployment;
}

export type Kind = keyof KindMap;

export const KINDS: readonly Kind[] = [
  'namespaces',
  'nodes',
  'services',
  'endpointslices',
  'endpoints',
  'pods',
  'ingresses',
  'ingressclasses',
  'networkpolicies',
  'tlssecrets',
  'daemonsets',
  'deployments',
];

/** Where each kind lives in the API (for requests, RBAC checks and messages). */
export const KIND_RESOURCES: Record<Kind, { group: string; resource: string; namespaced: boolean }> = {
  namespaces: { group: '', resource: 'namespaces', namespaced: false },
  nodes: { group: '', resource: 'nodes', namespaced: false },
  services: { group: '', resource: 'services', namespaced: true },
  endpoints: { group: '', resource: 'endpoints', namespaced: true },
  pods: { group: '', resource: 'pods', namespaced: true },
  tlssecrets: { group: '', resource: 'secrets', namespaced: true },
  endpointslices: { group: 'discovery.k8s.io', resource: 'endpointslices', namespaced: true },
  ingresses: { group: 'networking.k8s.io', resource: 'ingresses', namespaced: true },
  ingressclasses: { group: 'networking.k8s.io', resource: 'ingressclasses', namespaced: false },
  networkpolicies: { group: 'networking.k8s.io', resource: 'networkpolicies', namespaced: true },
  daemonsets: { group: 'apps', resource: 'daemonsets', namespaced: true },
  deployments: { group: 'apps', resource: 'deployments', namespaced: true },
};

export type Objects = { [K in Kind]: KindMap[K][] };

export interface Snapshot extends Objects {
  /** The namespace the run is scoped to; undefined means all namespaces. */
  namespace?: string;
  /** When the snapshot was taken (ages are measured against it, so checks stay pure). */
  now: Date;
  /** Kinds that were listed. */
  loaded: Kind[];
  /** Kinds that could not be listed, with the reason (e.g. forbidden). */
  unavailable: Partial<Record<Kind, string>>;
  /** Kinds of `unavailable` that the API refused (403): a permission would let kdiag read them. */
  forbidden?: Kind[];
  /**
   * The cluster DNS (kube-system, k8s-app=kube-dns): taken from the lists above with -A,
   * else listed narrowly for `kdiag check` and `kdiag dns`.
   */
  clusterDns?: ClusterDns;
  /** What the Ingress rules read beyond the kinds above (controller Pods, Secrets by name, cert-manager), from src/cluster/ingress.ts. */
  ingress?: IngressInputs;
  /** Gateway API objects (custom resources) and the data of namespaces they point into, from src/cluster/gateway.ts. */
  gateway?: import('./gateway/types.js').GatewayObjects;
  /** Cluster-scoped (policy.networking.k8s.io) and network-plugin policies, as custom objects. */
  clusterPolicies?: ClusterPolicyObjects;
  /** What the NetworkPolicy rules read in every namespace, from src/cluster/netpol.ts (`kdiag check` and `kdiag netpol` alike). */
  netpol?: NetpolInputs;
  /** What runs the data plane per node (src/cluster/dataplane.ts), for the data-plane section of kdiag check. */
  dataplane?: DataplaneInputs;
}

/**
 * Pods and DaemonSets beyond the namespace in scope, for the NetworkPolicy rules: peers and the
 * cluster DNS live anywhere, and so do the Ingress controller and the network plugin. For one
 * namespace, the Pods are those the rules can look at (src/netpol/needed-pods.ts); scoped to
 * the namespace alone only when the API refused the lists beyond it.
 */
export interface NetpolInputs {
  /**
   * Every Pod the rules can look at: of every namespace (-A, or when the plan asked for the
   * cluster-wide list), or, for one namespace, its own Pods, kube-system's, the Ingress
   * controllers' and network plugins' (by label) and those the policies' peers select; only the
   * namespace's own when listing beyond it was refused.
   */
  pods: V1Pod[];
  /** DaemonSets of every namespace (the network plugin), when they could be listed. */
  daemonsets: V1DaemonSet[];
  /**
   * The Pods the rules can need beyond the namespace (peers, the controller, the plugin, the
   * cluster DNS, kube-system whole) and the DaemonSets of every namespace were read: they are
   * judged everywhere.
   */
  clusterWide: boolean;
  /** For one namespace: the list queries that read `pods` (absent: the one cluster-wide list). */
  podQueries?: { namespace?: string; labelSelector?: string }[];
  /** Cluster-wide lists the API refused (403), with its message; DaemonSets only matter when Pods were read. */
  refused: Partial<Record<'pods' | 'daemonsets', string>>;
}

/** What kdiag read about the data plane: nodes, kube-system's pods and DaemonSets, kube-proxy's configuration. */
export interface DataplaneInputs {
  nodes: V1Node[];
  /** Pods of kube-system (kube-proxy, CNI agents, enforcers, CoreDNS), with their args and env. */
  systemPods: V1Pod[];
  /** DaemonSets of kube-system. */
  daemonsets: V1DaemonSet[];
  /** The `config.conf` of ConfigMap kube-system/kube-proxy (kubeadm's layout), when readable. */
  kubeProxyConfig?: string;
  /** API groups the server serves (for policy kinds kdiag cannot evaluate). */
  apiGroups?: string[];
  /** What could not be read, in words ("nodes: forbidden"). */
  skipped: string[];
  /** The lists the API refused (403), as inputs of KD6006. */
  refused?: ('nodes' | 'kube-system-pods' | 'kube-system-daemonsets')[];
}

/** A policy kind of a network plugin (Cilium, Calico), which kdiag names but does not evaluate. */
export interface NativePolicyKind {
  /** `CiliumNetworkPolicy`, `GlobalNetworkPolicy (crd.projectcalico.org)`. */
  kind: string;
  group: string;
  plural: string;
  namespaced: boolean;
  items: CustomObject[];
}

/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1), ClusterNetworkPolicy
 * (v1alpha2), and the network plugins' own kinds, as listed. `missing`: a kind the API
 * serves that could not be read (forbidden), with the reason.
 */
export interface ClusterPolicyObjects {
  adminNetworkPolicies: CustomObject[];
  baselineAdminNetworkPolicies: CustomObject[];
  clusterNetworkPolicies: CustomObject[];
  native: NativePolicyKind[];
  /** Kinds served by the API but not readable, with why (their policies are unknown). */
  unreadable: Record<string, string>;
}

export interface ClusterDns {
  pods: V1Pod[];
  services: V1Service[];
  endpointslices: V1EndpointSlice[];
}

export function emptySnapshot(partial: Partial<Snapshot> = {}): Snapshot {
  // cast: fromEntries forgets the keys; every kind of KINDS gets an empty list, which is what Objects is.
  const base = Object.fromEntries(KINDS.map((k) => [k, []])) as unknown as Objects;
  return { ...base, now: new Date(), loaded: [], unavailable: {}, ...partial };
}

/** Builds a snapshot from plain objects (fixtures, tests): kinds are taken from `kind:`. */
const KIND_OF: Record<string, Kind> = {
  Namespace: 'namespaces',
  Node: 'nodes',
  Service: 'services',
  EndpointSlice: 'endpointslices',
  Endpoints: 'endpoints',
  Pod: 'pods',
  Ingress: 'ingresses',
  IngressClass: 'ingressclasses',
  NetworkPolicy: 'networkpolicies',
  Secret: 'tlssecrets',
  DaemonSet: 'daemonsets',
  Deployment: 'deployments',
};

export function snapshotOf(objects: readonly { kind?: string }[], partial: Partial<Snapshot> = {}): Snapshot {
  const snap = emptySnapshot(partial);
  for (const obj of objects) {
    const kind = obj.kind ? KIND_OF[obj.kind] : undefined;
    if (!kind) throw new Error(`snapshotOf: unsupported kind ${obj.kind}`);
    (snap[kind] as unknown[]).push(obj);
    if (!snap.loaded.includes(kind)) snap.loaded.push(kind);
  }
  if (!partial.loaded) snap.loaded = [...KINDS];
  return snap;
}

export function inNamespace<T extends { metadata?: { namespace?: string } }>(items: readonly T[], namespace: string): T[] {
  return items.filter((i) => i.metadata?.namespace === namespace);
}

/** A custom object as served (its schema is the CRD's; only the common parts are typed). */
export interface CustomObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; creationTimestamp?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[]; [key: string]: unknown };
}

/** A list of custom objects, or why there is none (CRD not installed, not allowed to read). */
export type CustomList = { status: 'ok'; items: CustomObject[] } | { status: 'absent'; message: string } | { status: 'forbidden'; message: string };

/** cert-manager objects read by the loader; `unavailable` when they could not be. */
export interface CertManagerObjects {
  unavailable?: { reason: 'absent' | 'forbidden'; message: string };
  clusterIssuers: CustomObject[];
  issuers: CustomObject[];
  certificates: CustomObject[];
}

/**
 * What the Ingress rules read beyond the snapshot, gathered by one loader
 * (src/cluster/ingress.ts) for `kdiag check` and `kdiag ingress` alike. Every field is
 * optional: without it the rules say what they could not check.
 */
export interface IngressInputs {
  /** Pods of known Ingress controllers, cluster-wide. */
  controllerPods?: V1Pod[];
  /** Why controller Pods could not be listed (e.g. forbidden). */
  controllerPodsUnavailable?: string;
  /** Secrets named by tls[].secretName that are not kubernetes.io/tls Secrets, read one by one. */
  secrets?: V1Secret[];
  /** True when every secretName absent from snapshot.tlssecrets was read by name (absent = missing). */
  secretsLookedUp?: boolean;
  /** `namespace/name` → why that Secret could not be read. */
  secretErrors?: Record<string, string>;
  certManager?: CertManagerObjects;
  /** Ingresses the caller will show: checked first, so run-wide findings name one of them. */
  focus?: readonly V1Ingress[];
}
