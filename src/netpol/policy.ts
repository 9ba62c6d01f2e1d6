// NetworkPolicy semantics as the API reference defines them: which policies select a pod,
// per-direction isolation, peers (namespaceSelector AND podSelector within one peer, OR
// across peers), ipBlock with except, and ports (named ports resolved on the destination).
import type { V1NetworkPolicy, V1NetworkPolicyPeer, V1NetworkPolicyPort, V1Pod } from '@kubernetes/client-node';
import { formatSelector, matchesSelector, type Labels } from '../checks/lib/labels.js';
import { isTerminal } from '../checks/lib/pods.js';
import type { NativePolicyKind, Snapshot } from '../snapshot.js';
import { ipBlockContains, parseCidr } from './cidr.js';
import { readClusterPolicies, type ClusterPolicy } from './cluster-policy.js';

export type Direction = 'ingress' | 'egress';
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface ContainerPortInfo {
  name?: string;
  port: number;
  protocol: Protocol;
}

/** One side of a connection: a Pod (real, or hypothetical from labels) or a bare IP. */
export type Endpoint = PodEndpoint | IpEndpoint;

export interface PodEndpoint {
  kind: 'pod';
  namespace: string;
  /** The Pod's name; for a hypothetical pod, a description such as `<pod with app=x>`. */
  name: string;
  labels: Record<string, string>;
  ip?: string;
  /** A pod that would carry these labels (`ns:label=value`): no IP, no declared ports. */
  hypothetical: boolean;
  hostNetwork: boolean;
  ports: ContainerPortInfo[];
}

export interface IpEndpoint {
  kind: 'ip';
  ip: string;
}

/** What the semantics need from a snapshot, indexed once. */
export interface PolicyContext {
  /** Namespace name → labels (kubernetes.io/metadata.name always present). */
  namespaces: Map<string, Record<string, string>>;
  /** Whether the namespace list (and so the labels) was read from the API. */
  namespaceLabelsKnown: boolean;
  policiesByNamespace: Map<string, V1NetworkPolicy[]>;
  podsByNamespace: Map<string, V1Pod[]>;
  /**
   * Whether the NetworkPolicies of a namespace were read (absent: all were). A pod whose
   * namespace's policies are unread has an unknown isolation, never an assumed open one.
   */
  policiesRead?: (namespace: string) => boolean;
  /** AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy: by priority. */
  clusterPolicies?: ClusterPolicy[];
  /** Network-plugin policy kinds (Cilium, Calico) with their objects: named, not evaluated. */
  nativePolicies?: NativePolicyKind[];
  /** Cluster-scoped policy kinds the API serves but kdiag could not read, with why. */
  unreadablePolicyKinds?: Record<string, string>;
  /** Node labels and addresses, for the nodes peers of cluster-scoped policies. */
  nodes?: { name: string; labels: Record<string, string>; addresses: string[] }[];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function buildContext(snapshot: Snapshot): PolicyContext {
  const namespaces = new Map<string, Record<string, string>>();
  for (const ns of snapshot.namespaces) {
    const name = ns.metadata?.name ?? '';
    namespaces.set(name, { ...(ns.metadata?.labels ?? {}), [NAMESPACE_NAME_LABEL]: name });
  }
  const namespaceLabelsKnown = snapshot.loaded.includes('namespaces') && !snapshot.unavailable.namespaces;
  const policiesByNamespace = new Map<string, V1NetworkPolicy[]>();
  for (const p of [...snapshot.networkpolicies].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    push(policiesByNamespace, p.metadata?.namespace ?? '', p);
  }
  const podsByNamespace = new Map<string, V1Pod[]>();
  for (const pod of snapshot.pods) {
    const ns = pod.metadata?.namespace ?? '';
    push(podsByNamespace, ns, pod);
    // Namespaces we could not list: the API always sets kubernetes.io/metadata.name.
    if (!namespaces.has(ns)) namespaces.set(ns, { [NAMESPACE_NAME_LABEL]: ns });
  }
  for (const p of snapshot.networkpolicies) {
    const ns = p.metadata?.namespace ?? '';
    if (!namespaces.has(ns)) namespaces.set(ns, { [NAMESPACE_NAME_LABEL]: ns });
  }
  const cluster = snapshot.clusterPolicies;
  const nodes = snapshot.nodes.map((n) => ({
    name: n.metadata?.name ?? '',
    labels: { ...(n.metadata?.labels ?? {}) },
    addresses: (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address),
  }));
  return {
    namespaces,
    namespaceLabelsKnown,
    policiesByNamespace,
    podsByNamespace,
    ...(cluster ? { clusterPolicies: readClusterPolicies(cluster), nativePolicies: cluster.native, unreadablePolicyKinds: cluster.unreadable } : {}),
    nodes,
  };
}

export function namespaceLabels(ctx: PolicyContext, namespace: string): Record<string, string> {
  return ctx.namespaces.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
}

function asProtocol(p: string | undefined): Protocol {
  const up = (p ?? 'TCP').toUpperCase();
  return (PROTOCOLS as readonly string[]).includes(up) ? (up as Protocol) : 'TCP';
}

/** Container ports a Pod declares (containers and restartable init containers, i.e. sidecars). */
export function podPorts(pod: V1Pod): ContainerPortInfo[] {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  return containers.flatMap((c) => (c.ports ?? []).map((p) => ({ name: p.name, port: p.containerPort, protocol: asProtocol(p.protocol) })));
}

export function podEndpoint(pod: V1Pod): PodEndpoint {
  return {
    kind: 'pod',
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    labels: { ...(pod.metadata?.labels ?? {}) },
    ip: pod.status?.podIP,
    hypothetical: false,
    hostNetwork: pod.spec?.hostNetwork === true,
    ports: podPorts(pod),
  };
}

/** Pods that can hold connections: not Succeeded/Failed. */
export function livePods(ctx: PolicyContext, namespace: string): V1Pod[] {
  return (ctx.podsByNamespace.get(namespace) ?? []).filter((p) => !isTerminal(p));
}

export function policyRef(policy: V1NetworkPolicy): string {
  return `${policy.metadata?.namespace ?? ''}/${policy.metadata?.name ?? ''}`;
}

/**
 * The directions a policy applies to. policyTypes as written; when absent (objects not yet
 * defaulted by the API), Ingress always and Egress when egress rules exist.
 */
export function policyTypes(policy: V1NetworkPolicy): Direction[] {
  const types = policy.spec?.policyTypes;
  if (types && types.length > 0) return types.map((t) => (t.toLowerCase() === 'egress' ? 'egress' : 'ingress'));
  return (policy.spec?.egress ?? []).length > 0 ? ['ingress', 'egress'] : ['ingress'];
}

export function appliesTo(policy: V1NetworkPolicy, direction: Direction): boolean {
  return policyTypes(policy).includes(direction);
}

export function selectsPod(policy: V1NetworkPolicy, pod: { namespace: string; labels: Labels }): boolean {
  return policy.metadata?.namespace === pod.namespace && matchesSelector(policy.spec?.podSelector ?? {}, pod.labels);
}

/** Policies in the pod's namespace whose podSelector matches it (any direction). */
export function policiesSelecting(ctx: PolicyContext, pod: PodEndpoint): V1NetworkPolicy[] {
  return (ctx.policiesByNamespace.get(pod.namespace) ?? []).filter((p) => selectsPod(p, pod));
}

export interface RuleShape {
  peers?: V1NetworkPolicyPeer[];
  ports?: V1NetworkPolicyPort[];
}

export function rulesOf(policy: V1NetworkPolicy, direction: Direction): RuleShape[] {
  return direction === 'ingress'
    ? // client-node deserializes `from` as `_from`; fixtures and raw JSON keep `from`.
      (policy.spec?.ingress ?? []).map((r) => ({ peers: r._from ?? (r as { from?: V1NetworkPolicyPeer[] }).from, ports: r.ports }))
    : (policy.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
}

// ---- peers --------------------------------------------------------------------------

export interface MatchResult {
  match: boolean;
  reason: string;
  /**
   * Set (with match false) when the answer depends on objects kdiag cannot read: what it
   * would need to read to decide. Callers must not treat it as a confident "no".
   */
  unknown?: string;
}

/** What deciding a label-based namespaceSelector needs when Namespaces cannot be listed. */
export const NAMESPACE_LABELS_NEEDED = 'the labels of Namespaces (list namespaces at cluster scope)';

/**
 * A namespaceSelector that only looks at kubernetes.io/metadata.name (or selects every
 * namespace) is decided by the namespace's name, which kdiag always knows.
 */
export function decidedByName(selector: V1NetworkPolicyPeer['namespaceSelector']): boolean {
  const keys = [...Object.keys(selector?.matchLabels ?? {}), ...(selector?.matchExpressions ?? []).map((e) => e.key)];
  return keys.every((k) => k === NAMESPACE_NAME_LABEL);
}

function endpointText(e: Endpoint): string {
  return e.kind === 'ip' ? e.ip : `${e.namespace}/${e.name}`;
}

/**
 * How kdiag reads a host-network pod on the far side of a rule: as its node's address, the
 * way the common plugins (Calico, Cilium, kube-router, Antrea) see its packets, which carry
 * the node IP and no pod identity; pod and namespace selectors do not select it, an ipBlock
 * holding the node IP does. The Kubernetes documentation names this as the usual behaviour.
 */
export function asPeer(other: Endpoint): Endpoint {
  return other.kind === 'pod' && other.hostNetwork && other.ip ? { kind: 'ip', ip: other.ip } : other;
}

/** Whether one peer entry selects `other` (the far side of the connection). */
export function peerMatches(peer: V1NetworkPolicyPeer, policyNamespace: string, far: Endpoint, ctx: PolicyContext): MatchResult {
  const other = asPeer(far);
  if (other.kind === 'pod' && other.hostNetwork && !peer.ipBlock) {
    return {
      match: false,
      reason: `${other.namespace}/${other.name} uses the host network: pod and namespace selectors do not select it (its packets carry its node's address)`,
    };
  }
  if (peer.ipBlock) {
    const block = peer.ipBlock;
    const ip = other.ip;
    if (!ip) {
      // A hypothetical pod has no address: only a block covering every address can be sure.
      const whole = parseCidr(block.cidr)?.prefix === 0 && (block.except ?? []).length === 0;
      return whole
        ? { match: true, reason: `ipBlock ${block.cidr} covers every address` }
        : { match: false, reason: `ipBlock ${block.cidr}: ${endpointText(other)} has no known IP` };
    }
    const r = ipBlockContains(block, ip);
    if (r.match) return { match: true, reason: `${ip} is in ipBlock ${block.cidr}${block.except?.length ? ` (not in except ${block.except.join(',')})` : ''}` };
    return { match: false, reason: r.excludedBy ? `${ip} is in except ${r.excludedBy} of ipBlock ${block.cidr}` : `${ip} is not in ipBlock ${block.cidr}` };
  }
  if (!peer.podSelector && !peer.namespaceSelector) return { match: false, reason: 'empty peer (selects nothing)' };
  if (other.kind === 'ip') {
    const hostNet = far.kind === 'pod' && far.hostNetwork;
    return {
      match: false,
      reason: hostNet
        ? `${far.namespace}/${far.name} uses the host network (its packets carry the node address ${other.ip}): pod and namespace selectors do not select it`
        : `${other.ip} is not a pod, so pod and namespace selectors cannot select it`,
    };
  }
  if (peer.namespaceSelector) {
    if (!ctx.namespaceLabelsKnown && !decidedByName(peer.namespaceSelector)) {
      // The pod selector may still decide it; otherwise the namespace's labels would.
      if (peer.podSelector && !matchesSelector(peer.podSelector, other.labels)) {
        return { match: false, reason: `pod labels do not match podSelector ${formatSelector(peer.podSelector)}` };
      }
      return {
        match: false,
        unknown: NAMESPACE_LABELS_NEEDED,
        reason: `whether namespace ${other.namespace} matches namespaceSelector ${formatSelector(peer.namespaceSelector)} depends on its labels, which kdiag cannot read`,
      };
    }
    if (!matchesSelector(peer.namespaceSelector, namespaceLabels(ctx, other.namespace))) {
      return { match: false, reason: `namespace ${other.namespace} does not match namespaceSelector ${formatSelector(peer.namespaceSelector)}` };
    }
  } else if (other.namespace !== policyNamespace) {
    return { match: false, reason: `a podSelector without namespaceSelector selects pods of ${policyNamespace} only, not of ${other.namespace}` };
  }
  if (peer.podSelector && !matchesSelector(peer.podSelector, other.labels)) {
    return { match: false, reason: `pod labels do not match podSelector ${formatSelector(peer.podSelector)}` };
  }
  const parts = [
    peer.namespaceSelector ? `namespace ${other.namespace} matches ${formatSelector(peer.namespaceSelector)}` : `same namespace ${policyNamespace}`,
    peer.podSelector ? `labels match ${formatSelector(peer.podSelector)}` : '',
  ].filter(Boolean);
  return { match: true, reason: parts.join(' and ') };
}

/** A rule's peer list: absent or empty means every source/destination. */
export function peersMatch(
  peers: V1NetworkPolicyPeer[] | undefined,
  policyNamespace: string,
  other: Endpoint,
  ctx: PolicyContext,
): MatchResult & { peer?: number } {
  if (!peers || peers.length === 0) return { match: true, reason: 'the rule has no peer list (any peer)' };
  const reasons: string[] = [];
  let unknown: string | undefined;
  for (const [i, peer] of peers.entries()) {
    const r = peerMatches(peer, policyNamespace, other, ctx);
    if (r.match) return { ...r, peer: i + 1 };
    reasons.push(r.reason);
    unknown ??= r.unknown;
  }
  return { match: false, reason: reasons.join('; '), ...(unknown ? { unknown } : {}) };
}

// ---- ports --------------------------------------------------------------------------

/** A named port as the destination declares it for `protocol`, if it does. */
export function resolveNamedPort(name: string, protocol: Protocol, destination: Endpoint): number | undefined {
  if (destination.kind !== 'pod') return undefined;
  return destination.ports.find((p) => p.name === name && p.protocol === protocol)?.port;
}

function numericPort(value: number | string | undefined): number | string | undefined {
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return value;
}

/** Whether a Pod declaring `ports` exposes a policy port entry (a named port by name and protocol; endPort ranges). */
export function portExposed(ports: readonly ContainerPortInfo[], entry: V1NetworkPolicyPort): boolean {
  const proto = (entry.protocol ?? 'TCP').toUpperCase();
  const value = typeof entry.port === 'string' && /^\d+$/.test(entry.port) ? Number(entry.port) : entry.port;
  if (value === undefined) return true;
  if (typeof value === 'string') return ports.some((p) => p.name === value && p.protocol === proto);
  const end = entry.endPort ?? value;
  return ports.some((p) => p.protocol === proto && p.port >= value && p.port <= end);
}

export function portEntryText(p: V1NetworkPolicyPort): string {
  const proto = asProtocol(p.protocol);
  const port = numericPort(p.port);
  if (port === undefined) return `${proto}/*`;
  return `${proto}/${port}${p.endPort !== undefined && p.endPort !== port ? `-${p.endPort}` : ''}`;
}

/** Whether one ports entry admits `port`/`protocol` towards `destination`. */
export function portEntryMatches(entry: V1NetworkPolicyPort, port: number, protocol: Protocol, destination: Endpoint): MatchResult {
  const proto = asProtocol(entry.protocol);
  const text = portEntryText(entry);
  if (proto !== protocol) return { match: false, reason: `${text}: protocol ${proto} is not ${protocol}` };
  const value = numericPort(entry.port);
  if (value === undefined) return { match: true, reason: `${text} (every ${proto} port)` };
  if (typeof value === 'number') {
    const end = entry.endPort ?? value;
    if (port >= value && port <= end) return { match: true, reason: text };
    return { match: false, reason: `${text} does not include ${port}` };
  }
  const resolved = resolveNamedPort(value, protocol, destination);
  if (resolved === undefined) {
    const who = destination.kind === 'pod' ? `${destination.namespace}/${destination.name}` : destination.ip;
    return { match: false, reason: `${text}: ${who} declares no ${protocol} port named "${value}"` };
  }
  return resolved === port
    ? { match: true, reason: `${text} (named port "${value}" is ${port} on the destination)` }
    : { match: false, reason: `${text}: named port "${value}" is ${resolved} on the destination, not ${port}` };
}

/** A rule's ports: absent or empty means every port and protocol. */
export function portsMatch(ports: V1NetworkPolicyPort[] | undefined, port: number, protocol: Protocol, destination: Endpoint): MatchResult {
  if (!ports || ports.length === 0) return { match: true, reason: 'the rule has no port list (any port)' };
  const reasons: string[] = [];
  for (const entry of ports) {
    const r = portEntryMatches(entry, port, protocol, destination);
    if (r.match) return r;
    reasons.push(r.reason);
  }
  return { match: false, reason: reasons.join('; ') };
}

// ---- short text for tables -------------------------------------------------------------

function namespaceSelectorText(sel: V1NetworkPolicyPeer['namespaceSelector']): string {
  const labels = sel?.matchLabels ?? {};
  const keys = Object.keys(labels);
  if (keys.length === 1 && keys[0] === NAMESPACE_NAME_LABEL && !(sel?.matchExpressions ?? []).length) return `ns:${labels[NAMESPACE_NAME_LABEL]}`;
  const text = formatSelector(sel);
  return text === '<all>' ? 'ns:*' : `ns:{${text}}`;
}

export function peerText(peer: V1NetworkPolicyPeer): string {
  if (peer.ipBlock) return `${peer.ipBlock.cidr}${peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(',')}` : ''}`;
  const parts: string[] = [];
  if (peer.namespaceSelector) parts.push(namespaceSelectorText(peer.namespaceSelector));
  if (peer.podSelector) {
    const text = formatSelector(peer.podSelector);
    parts.push(text === '<all>' ? 'pod:*' : `pod:${text}`);
  }
  return parts.length ? parts.join(' ') : '<empty peer>';
}

/** One rule in one line: `ns:ingress-nginx → TCP/8080`. */
export function ruleText(rule: RuleShape): string {
  const peers = rule.peers?.length ? rule.peers.map(peerText).join(' | ') : 'any';
  const ports = rule.ports?.length ? rule.ports.map(portEntryText).join(',') : 'any port';
  return `${peers} → ${ports}`;
}
