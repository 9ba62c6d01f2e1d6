// The cluster-scoped policies of the network-policy-api project (cluster-policy.ts reads them),
// evaluated as the API types define it: the Admin tier first (policies by priority, lowest value first; inside
// a policy the rules in the order written, the first matching rule decides: Allow/Accept or
// Deny ends evaluation, Pass hands the connection to the NetworkPolicy tier), then the
// namespaced NetworkPolicies (explain.ts), then the Baseline tier, then "allowed".
import type { V1LabelSelector } from '@kubernetes/client-node';
import { formatSelector, matchesSelector } from '../checks/lib/labels.js';
import { cidrContains } from './cidr.js';
import {
  clusterPolicyRef,
  type ClusterAction,
  type ClusterPeer,
  type ClusterPolicy,
  type ClusterPort,
  type ClusterRule,
  type NamespacedPodSelector,
  type Tier,
} from './cluster-policy.js';
import {
  decidedByName,
  NAMESPACE_LABELS_NEEDED,
  namespaceLabels,
  type Direction,
  type Endpoint,
  type MatchResult,
  type PodEndpoint,
  type PolicyContext,
  type Protocol,
} from './policy.js';

// ---- matching ---------------------------------------------------------------------------

function namespaceMatch(sel: V1LabelSelector, namespace: string, ctx: PolicyContext): MatchResult {
  if (!ctx.namespaceLabelsKnown && !decidedByName(sel)) {
    return {
      match: false,
      unknown: NAMESPACE_LABELS_NEEDED,
      reason: `whether namespace ${namespace} matches ${formatSelector(sel)} depends on its labels, which kdiag cannot read`,
    };
  }
  return matchesSelector(sel, namespaceLabels(ctx, namespace))
    ? { match: true, reason: `namespace ${namespace} matches ${formatSelector(sel)}` }
    : { match: false, reason: `namespace ${namespace} does not match ${formatSelector(sel)}` };
}

function podMatch(sel: NamespacedPodSelector, pod: PodEndpoint, ctx: PolicyContext): MatchResult {
  const ns = namespaceMatch(sel.namespaceSelector ?? {}, pod.namespace, ctx);
  if (!matchesSelector(sel.podSelector ?? {}, pod.labels))
    return { match: false, reason: `pod labels do not match podSelector ${formatSelector(sel.podSelector)}` };
  if (!ns.match) return ns;
  return { match: true, reason: `${ns.reason} and pod labels match ${formatSelector(sel.podSelector)}` };
}

/**
 * Whether the policy's subject selects the pod. "Note that host-networked pods are not
 * included in subject selection" (ClusterNetworkPolicySubject).
 */
export function subjectSelects(policy: ClusterPolicy, pod: PodEndpoint, ctx: PolicyContext): MatchResult {
  if (pod.hostNetwork) return { match: false, reason: `${pod.namespace}/${pod.name} uses the host network: not included in subject selection` };
  if (policy.subject.namespaces) return namespaceMatch(policy.subject.namespaces, pod.namespace, ctx);
  if (policy.subject.pods) return podMatch(policy.subject.pods, pod, ctx);
  return { match: false, reason: 'the subject sets neither namespaces nor pods' };
}

function nodeIps(ctx: PolicyContext, sel: V1LabelSelector): string[] {
  return (ctx.nodes ?? []).filter((n) => matchesSelector(sel, n.labels)).flatMap((n) => n.addresses);
}

/**
 * Whether one peer selects `other`. Pods on the host network are not pods for the namespaces
 * and pods peers ("host-networked pods are not included in this type of peer"); their traffic
 * carries their node's address, which the nodes and networks peers match.
 */
/** sameLabels / notSameLabels: compared with the labels of the subject's namespace. */
function relativeNamespaceMatch(peer: ClusterPeer, namespace: string, subjectNamespace: string | undefined, ctx: PolicyContext): MatchResult | undefined {
  if (!peer.sameLabels?.length && !peer.notSameLabels?.length) return undefined;
  if (subjectNamespace === undefined) return { match: false, reason: "sameLabels/notSameLabels need the subject's namespace" };
  if (!ctx.namespaceLabelsKnown)
    return { match: false, unknown: NAMESPACE_LABELS_NEEDED, reason: `sameLabels/notSameLabels compare namespace labels, which kdiag cannot read` };
  const mine = namespaceLabels(ctx, subjectNamespace);
  const theirs = namespaceLabels(ctx, namespace);
  // "must have all of the labels defined in SameLabels, AND they must all have the same value as the subject".
  const differs = (peer.sameLabels ?? []).find((k) => !(k in theirs) || mine[k] !== theirs[k]);
  if (differs) return { match: false, reason: `namespace ${namespace} does not have the same ${differs} as ${subjectNamespace} (sameLabels)` };
  // "must have all of the labels defined in NotSameLabels, AND at least one of them must have different values".
  const not = peer.notSameLabels ?? [];
  if (not.length && (not.some((k) => !(k in theirs)) || not.every((k) => mine[k] === theirs[k]))) {
    return { match: false, reason: `namespace ${namespace} lacks one of ${not.join(',')} or has the same values as ${subjectNamespace} (notSameLabels)` };
  }
  return {
    match: true,
    reason: `namespace ${namespace} ${peer.sameLabels?.length ? `has the same ${peer.sameLabels.join(',')}` : ''}${peer.notSameLabels?.length ? ` differs in ${peer.notSameLabels.join(',')}` : ''} as ${subjectNamespace}`,
  };
}

export function clusterPeerMatches(peer: ClusterPeer, action: ClusterAction, other: Endpoint, ctx: PolicyContext, subjectNamespace?: string): MatchResult {
  const pod = other.kind === 'pod' && !other.hostNetwork ? other : undefined;
  const ip = other.ip;
  const who = other.kind === 'ip' ? other.ip : `${other.namespace}/${other.name}`;
  if (peer.namespaces) {
    if (!pod) return { match: false, reason: `${who} is not a pod network pod, so a namespaces peer cannot select it` };
    const r = namespaceMatch(peer.namespaces, pod.namespace, ctx);
    return r.match ? (relativeNamespaceMatch(peer, pod.namespace, subjectNamespace, ctx) ?? r) : r;
  }
  if (peer.pods) {
    if (!pod) return { match: false, reason: `${who} is not a pod network pod, so a pods peer cannot select it` };
    const r = podMatch(peer.pods, pod, ctx);
    return r.match ? (relativeNamespaceMatch(peer, pod.namespace, subjectNamespace, ctx) ?? r) : r;
  }
  if (peer.nodes) {
    if (pod || !ip) return { match: false, reason: `${who} is not a node address, so a nodes peer cannot select it` };
    return nodeIps(ctx, peer.nodes).includes(ip)
      ? { match: true, reason: `${ip} is an address of a node matching ${formatSelector(peer.nodes)}` }
      : { match: false, reason: `${ip} is not an address of a node matching ${formatSelector(peer.nodes)}` };
  }
  if (peer.networks) {
    if (!ip) return { match: false, reason: `${who} has no known IP, so networks ${peer.networks.join(',')} cannot be checked` };
    const cidr = peer.networks.find((c) => cidrContains(c, ip));
    return cidr
      ? { match: true, reason: `${ip} is in network ${cidr}` }
      : { match: false, reason: `${ip} is in none of the networks ${peer.networks.join(',')}` };
  }
  if (peer.domainNames) {
    if (pod) return { match: false, reason: `${who} is a pod, not a domain name` };
    return {
      match: false,
      unknown: `which of the domain names ${peer.domainNames.join(', ')} resolve to ${who}`,
      reason: `whether ${who} is one of the domain names ${peer.domainNames.join(', ')} depends on DNS answers kdiag does not see`,
    };
  }
  // "If an implementation sees no fields are set … it should fail closed": an Allow rule then
  // matches nothing, a Deny or Pass rule everything.
  return action === 'Allow'
    ? { match: false, reason: 'a peer with no known field (a newer CRD version?): fails closed, an Allow rule matches nothing' }
    : { match: true, reason: `a peer with no known field (a newer CRD version?): fails closed, a ${action} rule matches everything` };
}

export function clusterPortText(p: ClusterPort): string {
  if (p.named !== undefined) return `port "${p.named}"`;
  if (p.start === undefined) return `${p.protocol}/*`;
  return `${p.protocol}/${p.start}${p.end !== undefined && p.end !== p.start ? `-${p.end}` : ''}`;
}

function clusterPortMatches(entry: ClusterPort, port: number, protocol: Protocol, destination: Endpoint): MatchResult {
  const text = clusterPortText(entry);
  if (entry.named !== undefined) {
    const declared = destination.kind === 'pod' ? destination.ports.find((p) => p.name === entry.named) : undefined;
    if (!declared) return { match: false, reason: `${text}: the destination declares no port named "${entry.named}"` };
    return declared.port === port && declared.protocol === protocol
      ? { match: true, reason: `${text} is ${protocol}/${port} on the destination` }
      : { match: false, reason: `${text} is ${declared.protocol}/${declared.port} on the destination, not ${protocol}/${port}` };
  }
  if (entry.protocol !== protocol) return { match: false, reason: `${text}: protocol ${entry.protocol} is not ${protocol}` };
  if (entry.start === undefined) return { match: true, reason: `${text} (every ${protocol} port)` };
  return port >= entry.start && port <= (entry.end ?? entry.start)
    ? { match: true, reason: text }
    : { match: false, reason: `${text} does not include ${port}` };
}

function peerText(p: ClusterPeer): string {
  const relative = `${p.sameLabels?.length ? ` sameLabels ${p.sameLabels.join(',')}` : ''}${p.notSameLabels?.length ? ` notSameLabels ${p.notSameLabels.join(',')}` : ''}`;
  if (p.namespaces) return `namespaces {${formatSelector(p.namespaces)}${relative}}`;
  if (p.pods) return `pods {ns ${formatSelector(p.pods.namespaceSelector)}; pod ${formatSelector(p.pods.podSelector)}}`;
  if (p.nodes) return `nodes {${formatSelector(p.nodes)}}`;
  if (p.networks) return `networks ${p.networks.join(',')}`;
  if (p.domainNames) return `domainNames ${p.domainNames.join(',')}`;
  return '<peer with no known field>';
}

/** One rule in one line: `Deny namespaces {team=x} → TCP/80`. */
export function clusterRuleText(rule: ClusterRule): string {
  return `${rule.action}${rule.name ? ` "${rule.name}"` : ''} ${rule.peers.map(peerText).join(' | ') || '<no peers>'} → ${rule.ports?.map(clusterPortText).join(',') ?? 'any port'}`;
}

export interface ClusterRuleEvaluation {
  index: number;
  text: string;
  action: ClusterAction;
  match: boolean;
  unknown?: string;
  reason: string;
}

/** A rule matches when any peer selects the far side and (no ports, or) any port entry admits the connection. */
export function evaluateClusterRule(
  rule: ClusterRule,
  other: Endpoint,
  destination: Endpoint,
  port: number,
  protocol: Protocol,
  ctx: PolicyContext,
  subjectNamespace?: string,
): ClusterRuleEvaluation {
  const base = { index: rule.index, text: clusterRuleText(rule), action: rule.action };
  const reasons: string[] = [];
  let peer: MatchResult | undefined;
  let unknown: string | undefined;
  for (const p of rule.peers) {
    const r = clusterPeerMatches(p, rule.action, other, ctx, subjectNamespace);
    if (r.match) {
      peer = r;
      break;
    }
    reasons.push(r.reason);
    unknown ??= r.unknown;
  }
  const ports = rule.ports?.map((e) => clusterPortMatches(e, port, protocol, destination));
  const portOk = !ports || ports.some((r) => r.match);
  const portReason = !ports ? 'any port' : (ports.find((r) => r.match) ?? { reason: ports.map((r) => r.reason).join('; ') }).reason;
  if (!portOk) return { ...base, match: false, reason: `port: ${portReason}` };
  if (!peer) return { ...base, match: false, ...(unknown ? { unknown } : {}), reason: `peer: ${reasons.join('; ') || 'no peers'}` };
  return { ...base, match: true, reason: `${peer.reason}; ${portReason}` };
}

export interface ClusterPolicyEvaluation {
  policy: string;
  priority: number;
  rules: ClusterRuleEvaluation[];
}

export interface TierVerdict {
  tier: Tier;
  /** The policies of the tier selecting the subject, in evaluation order. */
  policies: ClusterPolicyEvaluation[];
  /** The first matching rule, if any: its action decides (Pass: the next tier decides). */
  decidedBy?: { policy: string; priority: number; rule: number; text: string; action: ClusterAction; reason: string };
  /** Set when a rule before any decision may match, depending on what kdiag cannot read. */
  unknown?: string;
  /** Other policies of the same priority with a matching rule of another action: the implementation picks. */
  ambiguousWith?: string[];
  /** Policies whose subject selection depends on what kdiag cannot read. */
  undecidedSubjects?: string[];
}

/**
 * Evaluates one tier for one direction of `subject`. "Policies with lower priority values have
 * higher precedence"; "the relative precedence of … rules within a single … object will be
 * determined by the order in which the rule is written".
 */
export function evaluateTier(
  tier: Tier,
  direction: Direction,
  subject: PodEndpoint,
  other: Endpoint,
  destination: Endpoint,
  port: number,
  protocol: Protocol,
  ctx: PolicyContext,
): TierVerdict {
  const verdict: TierVerdict = { tier, policies: [] };
  for (const policy of (ctx.clusterPolicies ?? []).filter((p) => p.tier === tier)) {
    const selected = subjectSelects(policy, subject, ctx);
    if (!selected.match) {
      if (selected.unknown) (verdict.undecidedSubjects ??= []).push(clusterPolicyRef(policy));
      continue;
    }
    const rules = policy[direction].map((r) => evaluateClusterRule(r, other, destination, port, protocol, ctx, subject.namespace));
    const evaluation = { policy: clusterPolicyRef(policy), priority: policy.priority, rules };
    verdict.policies.push(evaluation);
    if (verdict.decidedBy) {
      // Only to find ties: a policy of the same priority that would decide differently.
      const hit = rules.find((r) => r.match);
      if (policy.priority === verdict.decidedBy.priority && hit && hit.action !== verdict.decidedBy.action)
        (verdict.ambiguousWith ??= []).push(evaluation.policy);
      continue;
    }
    if (verdict.unknown) continue;
    for (const r of rules) {
      if (r.match) {
        verdict.decidedBy = { policy: evaluation.policy, priority: policy.priority, rule: r.index, text: r.text, action: r.action, reason: r.reason };
        break;
      }
      if (r.unknown) {
        verdict.unknown = r.unknown;
        break;
      }
    }
  }
  if (!verdict.decidedBy && !verdict.unknown && verdict.undecidedSubjects?.length) verdict.unknown = NAMESPACE_LABELS_NEEDED;
  return verdict;
}

export function tierText(tier: Tier): string {
  return tier === 'Admin' ? 'admin tier' : 'baseline tier';
}
