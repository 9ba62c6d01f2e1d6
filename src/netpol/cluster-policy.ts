// The cluster-scoped policies of the network-policy-api project (sigs.k8s.io/network-policy-api)
// read into one model: AdminNetworkPolicy and BaselineAdminNetworkPolicy
// (policy.networking.k8s.io/v1alpha1: `ports`, action Allow) and ClusterNetworkPolicy
// (v1alpha2: `protocols`, action Accept, spec.tier). Evaluation is in admin.ts.
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { ClusterPolicyObjects, CustomObject } from '../snapshot.js';

type Protocol = 'TCP' | 'UDP' | 'SCTP';
type Direction = 'ingress' | 'egress';
const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export type Tier = 'Admin' | 'Baseline';
/** Allow is v1alpha1's word, Accept v1alpha2's: one meaning, kept as Allow. */
export type ClusterAction = 'Allow' | 'Deny' | 'Pass';
export type ClusterPolicyKind = 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | 'ClusterNetworkPolicy';

export interface NamespacedPodSelector {
  namespaceSelector?: V1LabelSelector;
  podSelector?: V1LabelSelector;
}

/** One peer: exactly one field is set in a valid object. */
export interface ClusterPeer {
  namespaces?: V1LabelSelector;
  pods?: NamespacedPodSelector;
  nodes?: V1LabelSelector;
  networks?: string[];
  domainNames?: string[];
  /**
   * v1alpha1 as published in v0.1.1 wraps a peer's namespaces in a NamespacedPeer: a
   * namespaceSelector, or sameLabels / notSameLabels, namespaces whose values for these keys
   * equal (differ from) those of the subject's namespace.
   */
  sameLabels?: string[];
  notSameLabels?: string[];
}

/** A port entry: a number or range of one protocol, every port of it, or a named port. */
export interface ClusterPort {
  protocol?: Protocol;
  start?: number;
  end?: number;
  named?: string;
}

export interface ClusterRule {
  /** 1-based, in the order written (the order is the precedence). */
  index: number;
  name?: string;
  action: ClusterAction;
  peers: ClusterPeer[];
  /** Absent: every port and protocol. */
  ports?: ClusterPort[];
}

export interface ClusterPolicy {
  kind: ClusterPolicyKind;
  name: string;
  tier: Tier;
  priority: number;
  subject: { namespaces?: V1LabelSelector; pods?: NamespacedPodSelector };
  ingress: ClusterRule[];
  egress: ClusterRule[];
}

// ---- reading the objects ----------------------------------------------------------------

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined);
const list = (v: unknown): Raw[] => (Array.isArray(v) ? v.map(obj).filter((x): x is Raw => x !== undefined) : []);
const selector = (v: unknown): V1LabelSelector | undefined => obj(v) as V1LabelSelector | undefined;

function protocolOf(v: unknown): Protocol {
  const up = String(v ?? 'TCP').toUpperCase();
  return (PROTOCOLS as readonly string[]).includes(up) ? (up as Protocol) : 'TCP';
}

function namespacedPod(v: unknown): NamespacedPodSelector | undefined {
  const o = obj(v);
  return o ? { namespaceSelector: selector(o.namespaceSelector) ?? {}, podSelector: selector(o.podSelector) ?? {} } : undefined;
}

const NAMESPACED_PEER_KEYS = ['namespaceSelector', 'sameLabels', 'notSameLabels'];

/** A NamespacedPeer (v0.1.1) or a plain LabelSelector (later releases), into the peer. */
function namespacesOf(v: unknown, peer: ClusterPeer): V1LabelSelector {
  const o = obj(v) ?? {};
  if (!NAMESPACED_PEER_KEYS.some((k) => k in o)) return selector(o) ?? {};
  if (Array.isArray(o.sameLabels)) peer.sameLabels = o.sameLabels.map(String);
  if (Array.isArray(o.notSameLabels)) peer.notSameLabels = o.notSameLabels.map(String);
  return selector(o.namespaceSelector) ?? {};
}

function peerOf(raw: Raw): ClusterPeer {
  const peer: ClusterPeer = {};
  if (raw.namespaces !== undefined) peer.namespaces = namespacesOf(raw.namespaces, peer);
  if (raw.pods !== undefined) {
    const pods = obj(raw.pods) ?? {};
    // v0.1.1: pods {namespaces: NamespacedPeer, podSelector}; later: {namespaceSelector, podSelector}.
    peer.pods =
      pods.namespaces !== undefined
        ? { namespaceSelector: namespacesOf(pods.namespaces, peer), podSelector: selector(pods.podSelector) ?? {} }
        : namespacedPod(pods);
  }
  if (raw.nodes !== undefined) peer.nodes = selector(raw.nodes) ?? {};
  if (Array.isArray(raw.networks)) peer.networks = raw.networks.map(String);
  if (Array.isArray(raw.domainNames)) peer.domainNames = raw.domainNames.map(String);
  return peer;
}

/** v1alpha1 `ports`: portNumber {protocol, port}, namedPort, portRange {protocol, start, end}. */
function portsV1alpha1(v: unknown): ClusterPort[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return list(v).map((p): ClusterPort => {
    const num = obj(p.portNumber);
    if (num) return { protocol: protocolOf(num.protocol), start: Number(num.port), end: Number(num.port) };
    const range = obj(p.portRange);
    if (range) return { protocol: protocolOf(range.protocol), start: Number(range.start), end: Number(range.end) };
    return { named: String(p.namedPort ?? '') };
  });
}

/** v1alpha2 `protocols`: tcp/udp/sctp {destinationPort: {number} | {range}}, destinationNamedPort. */
function portsV1alpha2(v: unknown): ClusterPort[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return list(v).map((p): ClusterPort => {
    for (const key of ['tcp', 'udp', 'sctp'] as const) {
      const proto = obj(p[key]);
      if (!proto) continue;
      const dest = obj(proto.destinationPort);
      const range = obj(dest?.range);
      if (range) return { protocol: protocolOf(key), start: Number(range.start), end: Number(range.end) };
      if (dest?.number !== undefined) return { protocol: protocolOf(key), start: Number(dest.number), end: Number(dest.number) };
      return { protocol: protocolOf(key) };
    }
    return { named: String(p.destinationNamedPort ?? '') };
  });
}

function actionOf(v: unknown): ClusterAction {
  return v === 'Deny' ? 'Deny' : v === 'Pass' ? 'Pass' : 'Allow';
}

function rulesOf(v: unknown, direction: Direction, version: 'v1alpha1' | 'v1alpha2'): ClusterRule[] {
  return list(v).map((r, i) => ({
    index: i + 1,
    ...(typeof r.name === 'string' && r.name ? { name: r.name } : {}),
    action: actionOf(r.action),
    peers: list(direction === 'ingress' ? r.from : r.to).map(peerOf),
    ...(() => {
      const ports = version === 'v1alpha1' ? portsV1alpha1(r.ports) : portsV1alpha2(r.protocols);
      return ports && ports.length > 0 ? { ports } : {};
    })(),
  }));
}

export function readClusterPolicy(kind: ClusterPolicyKind, o: CustomObject): ClusterPolicy {
  const spec = (o.spec ?? {}) as Raw;
  const subject = obj(spec.subject) ?? {};
  const version = kind === 'ClusterNetworkPolicy' ? 'v1alpha2' : 'v1alpha1';
  const tier: Tier =
    kind === 'AdminNetworkPolicy' ? 'Admin' : kind === 'BaselineAdminNetworkPolicy' ? 'Baseline' : spec.tier === 'Baseline' ? 'Baseline' : 'Admin';
  return {
    kind,
    name: o.metadata?.name ?? '',
    tier,
    priority: typeof spec.priority === 'number' ? spec.priority : 0,
    subject: {
      ...(subject.namespaces !== undefined ? { namespaces: selector(subject.namespaces) ?? {} } : {}),
      ...(subject.pods !== undefined ? { pods: namespacedPod(subject.pods) } : {}),
    },
    ingress: rulesOf(spec.ingress, 'ingress', version),
    egress: rulesOf(spec.egress, 'egress', version),
  };
}

/** Every cluster-scoped policy of a snapshot, in evaluation order within each tier. */
export function readClusterPolicies(objects: ClusterPolicyObjects | undefined): ClusterPolicy[] {
  if (!objects) return [];
  const all = [
    ...objects.adminNetworkPolicies.map((o) => readClusterPolicy('AdminNetworkPolicy', o)),
    ...objects.baselineAdminNetworkPolicies.map((o) => readClusterPolicy('BaselineAdminNetworkPolicy', o)),
    ...objects.clusterNetworkPolicies.map((o) => readClusterPolicy('ClusterNetworkPolicy', o)),
  ];
  return all.sort((a, b) => a.priority - b.priority || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

export function clusterPolicyRef(p: Pick<ClusterPolicy, 'kind' | 'name'>): string {
  return `${p.kind}/${p.name}`;
}
