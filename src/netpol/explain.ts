// Why A can or cannot reach B: egress of the source side, ingress of the destination side.
// Pure: takes a snapshot (or a prepared PolicyContext) and endpoints, returns data.
import type { V1NetworkPolicy } from '@kubernetes/client-node';
import type { Snapshot } from '../snapshot.js';
import {
  appliesTo,
  buildContext,
  peersMatch,
  policiesSelecting,
  policyRef,
  portsMatch,
  rulesOf,
  ruleText,
  type Direction,
  type Endpoint,
  type PolicyContext,
  type Protocol,
} from './policy.js';
import { evaluateTier, type TierVerdict } from './admin.js';
import { nativePoliciesFor, type NativeMatch } from './native.js';

export interface RuleEvaluation {
  /** 1-based index of the rule in spec.ingress / spec.egress. */
  index: number;
  text: string;
  allows: boolean;
  /** The rule might allow it, depending on objects kdiag cannot read (what it would need). */
  unknown?: string;
  peer: { match: boolean; reason: string; index?: number; unknown?: string };
  port: { match: boolean; reason: string };
  /** The rule has an ipBlock peer. */
  ipBlock: boolean;
  /** The rule names a port (resolved on the destination pod). */
  namedPort: boolean;
}

export interface PolicyEvaluation {
  namespace: string;
  name: string;
  /** Whether the policy's policyTypes include this direction. */
  appliesToDirection: boolean;
  rules: RuleEvaluation[];
}

export interface DecidingRule {
  policy: string;
  rule: number;
  text: string;
}

export interface SideVerdict {
  direction: Direction;
  /** `ns/pod`, or the IP. */
  subject: string;
  /** False when the side is not a pod (an IP) or a host-network pod: no policy applies to it here. */
  enforced: boolean;
  /** At least one policy selecting the pod has this direction in its policyTypes. */
  isolated: boolean;
  /** Policies that select the pod (any direction), with their rules for this direction. */
  policies: PolicyEvaluation[];
  /** False also when `unknown` is set: then the answer depends on objects kdiag cannot read. */
  allowed: boolean;
  /** What kdiag would need to read to decide this side (set only when it cannot). */
  unknown?: string;
  decidedBy?: DecidingRule;
  /**
   * Which tier decided: a cluster-scoped policy of the admin tier, a NetworkPolicy, the
   * baseline tier, or nothing (the default: allowed). Set when cluster-scoped policies exist.
   */
  tier?: 'admin' | 'networkpolicy' | 'baseline' | 'default';
  /** The admin and baseline tiers' evaluation (cluster-scoped policies selecting the pod). */
  admin?: TierVerdict;
  baseline?: TierVerdict;
  reason: string;
}

/** A side (or connection) decided: allowed, denied, or depends on objects kdiag cannot read. */
export type Decision = 'allowed' | 'denied' | 'unknown';

export function decision(side: Pick<SideVerdict, 'allowed' | 'unknown'>): Decision {
  return side.allowed ? 'allowed' : side.unknown ? 'unknown' : 'denied';
}

export interface EndpointSummary {
  kind: 'pod' | 'ip';
  namespace?: string;
  name?: string;
  labels?: Record<string, string>;
  ip?: string;
  hypothetical?: boolean;
}

export interface ConnectionVerdict {
  /** True only when both sides allow it for certain. */
  allowed: boolean;
  /** allowed; denied (a side denies it for certain); unknown (depends on objects kdiag cannot read). */
  verdict: Decision;
  /** With verdict unknown: what kdiag would need to read to decide. */
  needs?: string[];
  source: EndpointSummary;
  destination: EndpointSummary;
  port: number;
  protocol: Protocol;
  egress: SideVerdict;
  ingress: SideVerdict;
  /**
   * Network-plugin policies (Cilium, Calico) whose selectors may select a side: kdiag does not
   * evaluate them, so the verdict is "unknown" (not covered by kdiag), never a plain answer.
   */
  notCovered?: NativeMatch[];
  notes: string[];
}

export function summarize(e: Endpoint): EndpointSummary {
  if (e.kind === 'ip') return { kind: 'ip', ip: e.ip };
  return {
    kind: 'pod',
    namespace: e.namespace,
    name: e.name,
    labels: e.labels,
    ...(e.ip ? { ip: e.ip } : {}),
    ...(e.hypothetical ? { hypothetical: true } : {}),
  };
}

function endpointText(e: Endpoint): string {
  return e.kind === 'ip' ? e.ip : `${e.namespace}/${e.name}`;
}

/** One policy's rules for one direction, evaluated against the far side. */
export function evaluatePolicy(
  policy: V1NetworkPolicy,
  direction: Direction,
  other: Endpoint,
  destination: Endpoint,
  port: number,
  protocol: Protocol,
  ctx: PolicyContext,
): PolicyEvaluation {
  const namespace = policy.metadata?.namespace ?? '';
  const rules = rulesOf(policy, direction).map((rule, i): RuleEvaluation => {
    const peer = peersMatch(rule.peers, namespace, other, ctx);
    const portResult = portsMatch(rule.ports, port, protocol, destination);
    return {
      index: i + 1,
      text: ruleText(rule),
      allows: peer.match && portResult.match,
      ...(peer.unknown && portResult.match ? { unknown: peer.unknown } : {}),
      peer: { match: peer.match, reason: peer.reason, ...(peer.peer ? { index: peer.peer } : {}), ...(peer.unknown ? { unknown: peer.unknown } : {}) },
      port: portResult,
      ipBlock: (rule.peers ?? []).some((p) => p.ipBlock),
      namedPort: (rule.ports ?? []).some((p) => typeof p.port === 'string' && !/^\d+$/.test(p.port)),
    };
  });
  return { namespace, name: policy.metadata?.name ?? '', appliesToDirection: appliesTo(policy, direction), rules };
}

/** The NetworkPolicy tier alone, for one direction of `subject`. */
function networkPolicySide(
  direction: Direction,
  subject: Endpoint,
  other: Endpoint,
  destination: Endpoint,
  port: number,
  protocol: Protocol,
  ctx: PolicyContext,
  only?: readonly V1NetworkPolicy[],
): SideVerdict {
  const base = { direction, subject: endpointText(subject) };
  if (subject.kind === 'ip') {
    return {
      ...base,
      enforced: false,
      isolated: false,
      policies: [],
      allowed: true,
      reason: `${subject.ip} is not a pod in this cluster: no NetworkPolicy applies to its ${direction}`,
    };
  }
  if (subject.hostNetwork) {
    return { ...base, enforced: false, isolated: false, policies: [], allowed: true, reason: HOST_NETWORK_SUBJECT(base.subject, direction) };
  }
  if (!only && ctx.policiesRead && !ctx.policiesRead(subject.namespace)) {
    const unknown = `the NetworkPolicies of namespace ${subject.namespace} (list networkpolicies.networking.k8s.io in namespace ${subject.namespace})`;
    return {
      ...base,
      enforced: true,
      isolated: false,
      policies: [],
      allowed: false,
      unknown,
      reason: `kdiag cannot read the NetworkPolicies of namespace ${subject.namespace}: whether they isolate ${base.subject} for ${direction} and what they allow is unknown`,
    };
  }
  const selecting = only ?? policiesSelecting(ctx, subject);
  const policies = selecting.map((p) => evaluatePolicy(p, direction, other, destination, port, protocol, ctx));
  const applying = policies.filter((p) => p.appliesToDirection);
  if (applying.length === 0) {
    const reason =
      selecting.length === 0
        ? `no NetworkPolicy selects ${base.subject}: ${direction} is not isolated, so it is allowed`
        : `the policies selecting ${base.subject} (${selecting.map((p) => p.metadata?.name).join(', ')}) do not list ${direction === 'ingress' ? 'Ingress' : 'Egress'} in policyTypes: ${direction} is not isolated, so it is allowed`;
    return { ...base, enforced: true, isolated: false, policies, allowed: true, reason };
  }
  for (const p of applying) {
    const rule = p.rules.find((r) => r.allows);
    if (rule) {
      const decidedBy = { policy: `${p.namespace}/${p.name}`, rule: rule.index, text: rule.text };
      return {
        ...base,
        enforced: true,
        isolated: true,
        policies,
        allowed: true,
        decidedBy,
        reason: `allowed by ${decidedBy.policy} ${direction} rule ${rule.index} (${rule.text}): ${rule.peer.reason}; ${rule.port.reason}`,
      };
    }
  }
  const names = applying.map((p) => `${p.namespace}/${p.name}`).join(', ');
  const ruleCount = applying.reduce((n, p) => n + p.rules.length, 0);
  const undecided = applying.flatMap((p) => p.rules.filter((r) => r.unknown).map((r) => ({ p, r })));
  if (undecided.length > 0) {
    const { p, r } = undecided[0]!;
    return {
      ...base,
      enforced: true,
      isolated: true,
      policies,
      allowed: false,
      unknown: r.unknown,
      reason: `${base.subject} is isolated for ${direction} by ${names}; no rule allows this connection for certain, and whether ${p.namespace}/${p.name} ${direction} rule ${r.index} (${r.text}) does depends on objects kdiag cannot read: ${r.peer.reason}`,
    };
  }
  return {
    ...base,
    enforced: true,
    isolated: true,
    policies,
    allowed: false,
    reason:
      ruleCount === 0
        ? `${base.subject} is isolated for ${direction} by ${names}, which ${applying.length === 1 ? 'has' : 'have'} no ${direction} rule: every ${direction === 'ingress' ? 'incoming' : 'outgoing'} connection is denied`
        : `${base.subject} is isolated for ${direction} by ${names} and ${ruleCount === 1 ? 'its one rule does not allow' : `none of ${applying.length === 1 ? 'its' : 'their'} ${ruleCount} rules allows`} this connection`,
  };
}

/**
 * kdiag's one model for host-network pods, in both directions, as the common plugins (Calico,
 * Cilium, kube-router, Antrea) behave: their traffic is the node's traffic. As the subject, no
 * policy applies to them; as the far side, they count as their node's address (policy.ts asPeer).
 */
const HOST_NETWORK_SUBJECT = (who: string, direction: Direction) =>
  `${who} uses the host network: its ${direction} is the node's traffic, which NetworkPolicy (and the cluster-scoped policies) do not police; kdiag reads host-network pods as their node's address on both sides, as the common plugins do`;

function clusterDecision(base: { direction: Direction; subject: string }, tier: TierVerdict, np: SideVerdict): SideVerdict | undefined {
  const key = tier.tier === 'Admin' ? 'admin' : 'baseline';
  const d = tier.decidedBy;
  const ambiguous = tier.ambiguousWith?.length
    ? `; ${tier.ambiguousWith.join(', ')} has the same priority and would decide otherwise: the specification lets the implementation apply either`
    : '';
  if (tier.unknown && !d) {
    return {
      ...np,
      [key]: tier,
      tier: key,
      allowed: false,
      unknown: tier.unknown,
      reason: `whether a ${key}-tier policy decides ${base.direction} of ${base.subject} depends on objects kdiag cannot read`,
    };
  }
  if (!d || d.action === 'Pass') return undefined;
  const decidedBy = { policy: d.policy, rule: d.rule, text: d.text };
  const what = d.action === 'Allow' ? 'allowed' : 'denied';
  const after = tier.tier === 'Admin' ? ` before any NetworkPolicy is consulted` : ` (no NetworkPolicy selects ${base.subject} for ${base.direction})`;
  return {
    ...np,
    [key]: tier,
    tier: key,
    allowed: d.action === 'Allow',
    decidedBy,
    reason: `${what} by ${d.policy} (${key} tier, priority ${d.priority}) ${base.direction} rule ${d.rule} (${d.text})${after}: ${d.reason}${ambiguous}`,
  };
}

/**
 * Evaluates one direction for `subject` (the source for egress, the destination for ingress),
 * tier by tier as the network-policy-api defines it: "Admin tier, NetworkPolicy tier, Baseline
 * tier"; "if a given connection wasn't allowed or denied by any of the tiers, … all pods can
 * communicate with each other". Without cluster-scoped policies this is the NetworkPolicy tier.
 */
export function evaluateSide(
  direction: Direction,
  subject: Endpoint,
  other: Endpoint,
  destination: Endpoint,
  port: number,
  protocol: Protocol,
  ctx: PolicyContext,
  only?: readonly V1NetworkPolicy[],
): SideVerdict {
  const np = networkPolicySide(direction, subject, other, destination, port, protocol, ctx, only);
  if (only || !ctx.clusterPolicies?.length || subject.kind !== 'pod' || subject.hostNetwork) return np;
  const base = { direction, subject: endpointText(subject) };
  const admin = evaluateTier('Admin', direction, subject, other, destination, port, protocol, ctx);
  const byAdmin = clusterDecision(base, admin, np);
  if (byAdmin) return byAdmin;
  const passed =
    admin.decidedBy?.action === 'Pass' ? `${admin.decidedBy.policy} ${direction} rule ${admin.decidedBy.rule} passes it to the NetworkPolicy tier; ` : '';
  if (np.isolated || np.unknown) return { ...np, admin, tier: 'networkpolicy', reason: `${passed}${np.reason}` };
  const baseline = evaluateTier('Baseline', direction, subject, other, destination, port, protocol, ctx);
  const byBaseline = clusterDecision(base, baseline, np);
  if (byBaseline) return { ...byBaseline, admin, reason: `${passed}${byBaseline.reason}` };
  const considered = [...admin.policies, ...baseline.policies].map((p) => p.policy);
  return {
    ...np,
    admin,
    baseline,
    tier: 'default',
    reason: `${passed}${np.reason}${considered.length ? `; no rule of the cluster-scoped policies selecting it (${considered.join(', ')}) matches: allowed by default` : ''}`,
  };
}

export interface ExplainOptions {
  /** A context built once for many calls (see buildContext). */
  context?: PolicyContext;
}

/**
 * Evaluates a connection from `source` to `destination` on `port`/`protocol` (the port the
 * destination pod receives, i.e. after Service translation): allowed only when the source's
 * egress and the destination's ingress both allow it.
 */
export function explainConnection(
  snapshot: Snapshot,
  source: Endpoint,
  destination: Endpoint,
  port: number,
  protocol: Protocol = 'TCP',
  options: ExplainOptions = {},
): ConnectionVerdict {
  const ctx = options.context ?? buildContext(snapshot);
  const egress = evaluateSide('egress', source, destination, destination, port, protocol, ctx);
  const ingress = evaluateSide('ingress', destination, source, destination, port, protocol, ctx);
  const notes: string[] = [];
  const rules = [egress, ingress].flatMap((s) => s.policies.filter((p) => p.appliesToDirection).flatMap((p) => p.rules));
  const ipBlockUsed = rules.some((r) => r.ipBlock);
  if (ipBlockUsed && source.kind === 'pod' && source.hypothetical)
    notes.push(`${source.namespace}/${source.name} is hypothetical: it has no IP, so ipBlock peers cannot match it`);
  if (destination.kind === 'pod' && destination.hypothetical) {
    if (ipBlockUsed) notes.push(`${destination.namespace}/${destination.name} is hypothetical: it has no IP, so ipBlock peers cannot match it`);
    if (rules.some((r) => r.namedPort))
      notes.push(`${destination.namespace}/${destination.name} is hypothetical: it declares no ports, so named ports cannot resolve on it`);
  }
  if (ipBlockUsed && source.kind === 'pod' && destination.kind === 'pod') {
    notes.push('ipBlock rules are meant for addresses outside the cluster; whether they match pod IPs is up to the network plugin');
  }
  const sides = [decision(egress), decision(ingress)];
  const verdict: Decision = sides.includes('denied') ? 'denied' : sides.includes('unknown') ? 'unknown' : 'allowed';
  const needs = verdict === 'unknown' ? [...new Set([egress.unknown, ingress.unknown].filter((x): x is string => Boolean(x)))] : undefined;
  if (!ctx.namespaceLabelsKnown)
    notes.push('namespaces could not be listed: namespaceSelectors were decided by kubernetes.io/metadata.name only, those on other labels are undecided');
  for (const e of [source, destination]) {
    if (e.kind === 'pod' && e.hostNetwork)
      notes.push(
        `${e.namespace}/${e.name} uses the host network: kdiag reads it as its node's address${e.ip ? ` ${e.ip}` : ''} on both sides (no policy applies to its own traffic; pod and namespace selectors do not select it, an ipBlock with the node address does), as the common plugins do`,
      );
  }
  for (const [kind, why] of Object.entries(ctx.unreadablePolicyKinds ?? {})) notes.push(`${kind} could not be read (${why}): its policies were not evaluated`);
  const notCovered = nativePoliciesFor(ctx.nativePolicies, source, destination);
  if (notCovered.length) {
    const names = notCovered.map((m) => `${m.kind} ${m.name} (may select the ${m.sides.join(' and ')})`);
    notes.push(
      `not covered by kdiag: ${names.join('; ')}; kdiag does not evaluate network-plugin policies, so its ${verdict} from Kubernetes policies alone may be wrong`,
    );
    const covered = [...(needs ?? []), `the network plugin's own policies, which kdiag does not evaluate: ${names.join('; ')}`];
    return {
      allowed: false,
      verdict: 'unknown',
      needs: covered,
      notCovered,
      source: summarize(source),
      destination: summarize(destination),
      port,
      protocol,
      egress,
      ingress,
      notes,
    };
  }
  return {
    allowed: verdict === 'allowed',
    verdict,
    ...(needs ? { needs } : {}),
    source: summarize(source),
    destination: summarize(destination),
    port,
    protocol,
    egress,
    ingress,
    notes,
  };
}

/** Policy ids used as deciding rules, for a compact JSON view. */
export function decidingPolicies(v: ConnectionVerdict): string[] {
  return [v.egress.decidedBy?.policy, v.ingress.decidedBy?.policy].filter((p): p is string => Boolean(p));
}

export { buildContext, policyRef };
export type { Endpoint, PolicyContext, Protocol };
