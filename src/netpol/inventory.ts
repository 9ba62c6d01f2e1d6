// The inventory: one row per policy (selector, pods selected now, types, rules in short
// form) and one per namespace (isolation per direction, pods selected by no policy).
import type { V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { formatSelector } from '../checks/lib/labels.js';
import { appliesTo, livePods, policyTypes, rulesOf, ruleText, selectsPod, type Direction, type PolicyContext } from './policy.js';

export interface PolicyRow {
  namespace: string;
  name: string;
  podSelector: string;
  /** Live (not finished) pods the policy selects now. */
  pods: number;
  policyTypes: string[];
  ingress: string[];
  egress: string[];
}

export interface IsolationSummary {
  /** A policy selects every pod for this direction and allows nothing. */
  defaultDeny: boolean;
  /** Pods isolated for this direction (selected by a policy of this type). */
  isolatedPods: number;
  /** default-deny, isolated (every pod), N/M isolated, or open. */
  status: string;
}

export interface NamespaceRow {
  namespace: string;
  policies: number;
  /** Live pods, host-network pods excluded (policies do not apply to them). */
  pods: number;
  ingress: IsolationSummary;
  egress: IsolationSummary;
  /** Pods selected by no policy at all. */
  unselectedPods: number;
}

/** Pods subject to NetworkPolicy: live and not on the host network. */
export function policyPods(ctx: PolicyContext, namespace: string): V1Pod[] {
  return livePods(ctx, namespace).filter((p) => p.spec?.hostNetwork !== true);
}

function podRef(p: V1Pod): { namespace: string; labels: Record<string, string> | undefined } {
  return { namespace: p.metadata?.namespace ?? '', labels: p.metadata?.labels };
}

export function selectedPods(ctx: PolicyContext, policy: V1NetworkPolicy): V1Pod[] {
  return policyPods(ctx, policy.metadata?.namespace ?? '').filter((p) => selectsPod(policy, podRef(p)));
}

export function policyRow(ctx: PolicyContext, policy: V1NetworkPolicy): PolicyRow {
  const types = policyTypes(policy);
  return {
    namespace: policy.metadata?.namespace ?? '',
    name: policy.metadata?.name ?? '',
    podSelector: formatSelector(policy.spec?.podSelector ?? {}),
    pods: selectedPods(ctx, policy).length,
    policyTypes: types.map((t) => (t === 'ingress' ? 'Ingress' : 'Egress')),
    ingress: rulesOf(policy, 'ingress').map(ruleText),
    egress: rulesOf(policy, 'egress').map(ruleText),
  };
}

function isolation(policies: V1NetworkPolicy[], pods: V1Pod[], direction: Direction): IsolationSummary {
  const typed = policies.filter((p) => appliesTo(p, direction));
  const defaultDeny = typed.some((p) => formatSelector(p.spec?.podSelector ?? {}) === '<all>' && rulesOf(p, direction).length === 0);
  const isolatedPods = pods.filter((pod) => typed.some((p) => selectsPod(p, podRef(pod)))).length;
  const allSelector = typed.some((p) => formatSelector(p.spec?.podSelector ?? {}) === '<all>');
  const status = defaultDeny
    ? 'default-deny'
    : allSelector || (pods.length > 0 && isolatedPods === pods.length)
      ? 'isolated'
      : isolatedPods > 0
        ? `${isolatedPods}/${pods.length} isolated`
        : 'open';
  return { defaultDeny, isolatedPods, status };
}

export function namespaceRow(ctx: PolicyContext, namespace: string): NamespaceRow {
  const policies = ctx.policiesByNamespace.get(namespace) ?? [];
  const pods = policyPods(ctx, namespace);
  return {
    namespace,
    policies: policies.length,
    pods: pods.length,
    ingress: isolation(policies, pods, 'ingress'),
    egress: isolation(policies, pods, 'egress'),
    unselectedPods: pods.filter((pod) => !policies.some((p) => selectsPod(p, podRef(pod)))).length,
  };
}
