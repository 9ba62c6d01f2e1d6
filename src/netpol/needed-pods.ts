// Which Pods the NetworkPolicy rules can look at when they judge one namespace, as list queries
// the API answers with server-side label selectors: a namespace check then costs about what the
// namespace costs instead of a list of every Pod in the cluster. Pure: the namespace's policies,
// the Namespaces (labels) and the known labels in; queries out.
//
// What the rules of src/checks/netpol.ts read beyond the namespace's own Pods:
// - peers with a namespaceSelector and a podSelector (KD4005, egress KD4007, KD4012): the Pods the
//   podSelector matches, in any namespace (one query per selector; the namespaces are matched
//   client-side by the rules as before);
// - the Pods "near" a peer that matches nothing (KD4005 names label sets with the same keys) and
//   every Pod of the namespaces a peer without podSelector selects (egress KD4007 looks at the
//   ports they declare): these are only needed when the first answer leaves the outcome open
//   (`morePodsNeeded`), then those namespaces are listed whole, or every Pod when they are many;
// - the cluster DNS (KD4001/KD4002) and the data plane: kube-system, whole;
// - Ingress controllers (KD4009) and network plugins (KD4010/KD4011): by their known labels
//   (plugins found only through their DaemonSet are found through the DaemonSet list).
// When the queries would be many, or a selector cannot be written as a label selector, the
// answer is the one cluster-wide list.
import type { V1LabelSelector, V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { INGRESS_CONTROLLER_LABELS } from '../checks/data/ingress-controller-labels.js';
import { formatSelector, matchesSelector } from '../checks/lib/labels.js';
import type { Snapshot } from '../snapshot.js';
import { CNI_IDENTITIES, CNI_IDENTITY_LABELS } from './cni.js';
import { policyPods } from './inventory.js';
import { appliesTo, buildContext, podEndpoint, portExposed, rulesOf, type Direction, type PolicyContext } from './policy.js';

/** One list request: Pods of one namespace or of all, optionally with a server-side label selector. */
export interface PodQuery {
  namespace?: string;
  labelSelector?: string;
}

/** Either the queries that return every Pod the rules can look at, or the one cluster-wide list (and why). */
export type PodPlan = { queries: PodQuery[] } | { all: string };

/** The namespace of the cluster DNS and the data plane's agents, listed whole. */
export const SYSTEM_NAMESPACE = 'kube-system';

/** More queries than this and the one cluster-wide list is asked for instead. */
export const MAX_QUERIES = 12;

/** More namespaces to list whole than this (second round) and every Pod is listed instead. */
export const MAX_WHOLE_NAMESPACES = 4;

/** What the plan is made from: the namespace in scope and the snapshot's policies and Namespaces. */
export interface NeededPodsInput {
  namespace: string;
  /** Its NetworkPolicies, and the Namespaces (labels) when they could be listed. */
  snapshot: Snapshot;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

const key = (k: string) => k.length <= 316 && LABEL_KEY.test(k);
const value = (v: string) => v.length <= 63 && LABEL_VALUE.test(v);

/**
 * The selector as the API's labelSelector parameter (matchLabels and every matchExpressions
 * operator), or undefined when it cannot be written so (invalid keys or values, In/NotIn without
 * values, an unknown operator): the caller then lists everything rather than guess.
 */
export function labelSelectorString(selector: V1LabelSelector): string | undefined {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (!key(k) || !value(v)) return undefined;
    parts.push(`${k}=${v}`);
  }
  for (const e of selector.matchExpressions ?? []) {
    if (!key(e.key)) return undefined;
    const values = e.values ?? [];
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else if (e.operator === 'In' || e.operator === 'NotIn') {
      if (values.length === 0 || !values.every(value)) return undefined;
      parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${[...values].sort().join(',')})`);
    } else return undefined;
  }
  return parts.join(',');
}

interface PeerRef {
  policy: V1NetworkPolicy;
  direction: Direction;
  rule: ReturnType<typeof rulesOf>[number];
  peer: NonNullable<ReturnType<typeof rulesOf>[number]['peers']>[number];
}

function peersOf(policies: readonly V1NetworkPolicy[]): PeerRef[] {
  return policies.flatMap((policy) =>
    (['ingress', 'egress'] as Direction[]).flatMap((direction) =>
      rulesOf(policy, direction).flatMap((rule) => (rule.peers ?? []).map((peer) => ({ policy, direction, rule, peer }))),
    ),
  );
}

const selectsAllPods = (s: V1LabelSelector | undefined) => !s || formatSelector(s) === '<all>';

/** The namespace's own policies: those in scope (the snapshot may hold no others, but a fixture can). */
function policiesIn(input: NeededPodsInput): V1NetworkPolicy[] {
  return input.snapshot.networkpolicies.filter((p) => p.metadata?.namespace === input.namespace);
}

/** The first round: the queries that return every Pod the rules can need, the open cases aside. */
export function neededPodQueries(input: NeededPodsInput): PodPlan {
  const queries: PodQuery[] = [{ namespace: SYSTEM_NAMESPACE }];
  const byLabels = (selector: string) => {
    if (!queries.some((q) => q.namespace === undefined && q.labelSelector === selector)) queries.push({ labelSelector: selector });
  };
  if (input.namespace !== SYSTEM_NAMESPACE) queries.push({ namespace: input.namespace });
  // Ingress controllers, by label key: `app.kubernetes.io/name in (…)`, `app in (…)`.
  for (const k of [...new Set(INGRESS_CONTROLLER_LABELS.map(([k]) => k))]) {
    byLabels(
      labelSelectorString({ matchExpressions: [{ key: k, operator: 'In', values: INGRESS_CONTROLLER_LABELS.filter(([kk]) => kk === k).map(([, v]) => v) }] })!,
    );
  }
  // Network plugins by their labels (a plugin's DaemonSet name is found in the DaemonSet list).
  for (const k of CNI_IDENTITY_LABELS) byLabels(labelSelectorString({ matchExpressions: [{ key: k, operator: 'In', values: [...CNI_IDENTITIES] }] })!);
  for (const { peer } of peersOf(policiesIn(input))) {
    if (peer.ipBlock || !peer.namespaceSelector || selectsAllPods(peer.podSelector)) continue;
    const selector = labelSelectorString(peer.podSelector!);
    if (selector === undefined) return { all: `the podSelector ${formatSelector(peer.podSelector)} cannot be sent as a label selector` };
    byLabels(selector);
  }
  if (queries.length > MAX_QUERIES) return { all: `${queries.length} queries would be needed` };
  return { queries };
}

/** Whether a Pod is in a query's answer (what the API does with namespace and labelSelector). */
export function podMatchesQuery(query: PodQuery, pod: V1Pod, selectorOf: (q: string) => V1LabelSelector = parseLabelSelector): boolean {
  if (query.namespace !== undefined && pod.metadata?.namespace !== query.namespace) return false;
  return query.labelSelector === undefined || matchesSelector(selectorOf(query.labelSelector), pod.metadata?.labels ?? {});
}

/** Parses the label selectors this module writes (the test applies the queries to a full Pod list). */
export function parseLabelSelector(text: string): V1LabelSelector {
  const selector: Required<Pick<V1LabelSelector, 'matchLabels' | 'matchExpressions'>> = { matchLabels: {}, matchExpressions: [] };
  for (const part of text.match(/[^,(]+(\([^)]*\))?/g) ?? []) {
    const p = part.trim();
    const set = /^(\S+) (in|notin) \((.*)\)$/.exec(p);
    if (set) selector.matchExpressions.push({ key: set[1]!, operator: set[2] === 'in' ? 'In' : 'NotIn', values: set[3]!.split(',') });
    else if (p.startsWith('!')) selector.matchExpressions.push({ key: p.slice(1), operator: 'DoesNotExist' });
    else if (p.includes('=')) selector.matchLabels[p.slice(0, p.indexOf('='))] = p.slice(p.indexOf('=') + 1);
    else if (p) selector.matchExpressions.push({ key: p, operator: 'Exists' });
  }
  return selector;
}

function matchingNamespaces(ctx: PolicyContext, selector: V1LabelSelector): string[] {
  return [...ctx.namespaces.entries()].filter(([, labels]) => matchesSelector(selector, labels)).map(([n]) => n);
}

/** Egress port rules whose destinations include whole namespaces (a peer without podSelector): open unless every port is declared. */
function openPortRule(ctx: PolicyContext, namespace: string, ref: PeerRef): string[] {
  const { policy, rule } = ref;
  const peers = rule.peers ?? [];
  if (!appliesTo(policy, 'egress') || !peers.some((p) => p.namespaceSelector && selectsAllPods(p.podSelector))) return [];
  const destinations = [...ctx.podsByNamespace.keys()]
    .flatMap((n) => policyPods(ctx, n))
    .filter((pod) =>
      peers.some((peer) => {
        const podNs = pod.metadata?.namespace ?? '';
        const nsOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector, ctx.namespaces.get(podNs)) : podNs === namespace;
        return nsOk && matchesSelector(peer.podSelector ?? {}, pod.metadata?.labels);
      }),
    );
  // KD4007's test: every port entry declared by some destination Pod (then no Pod more can change it).
  const declaring = destinations.map(podEndpoint).filter((p) => p.ports.length > 0);
  const entries = (rule.ports ?? []).filter((p) => p.port !== undefined);
  if (entries.every((e) => declaring.some((p) => portExposed(p.ports, e)))) return [];
  return peers.filter((p) => p.namespaceSelector && selectsAllPods(p.podSelector)).flatMap((p) => matchingNamespaces(ctx, p.namespaceSelector!));
}

/**
 * The second round, over the Pods the first returned: namespaces to list whole where the answer
 * is still open (a peer whose podSelector matched no Pod: KD4005 describes the Pods with the same
 * label keys; an egress port rule to whole namespaces none of whose known Pods declares every
 * port: KD4007 lists what they declare). Nothing open: no query.
 */
export function morePodsNeeded(input: NeededPodsInput, pods: readonly V1Pod[]): PodPlan {
  const ctx = buildContext({ ...input.snapshot, pods: [...pods] });
  const whole = new Set<string>();
  for (const ref of peersOf(policiesIn(input))) {
    const { peer } = ref;
    if (peer.ipBlock || !peer.namespaceSelector) continue;
    if (!selectsAllPods(peer.podSelector)) {
      const namespaces = matchingNamespaces(ctx, peer.namespaceSelector);
      const matched = namespaces.flatMap((n) => policyPods(ctx, n)).some((p) => matchesSelector(peer.podSelector, p.metadata?.labels));
      if (!matched && Object.keys(peer.podSelector?.matchLabels ?? {}).length > 0) for (const n of namespaces) whole.add(n);
    } else if (ref.direction === 'egress') {
      for (const n of openPortRule(ctx, input.namespace, ref)) whole.add(n);
    }
  }
  const already = new Set([input.namespace, SYSTEM_NAMESPACE]);
  const missing = [...whole].filter((n) => !already.has(n)).sort();
  if (missing.length > MAX_WHOLE_NAMESPACES) return { all: `${missing.length} namespaces would be listed whole` };
  return { queries: missing.map((namespace) => ({ namespace })) };
}

/**
 * Pods of several answers, each once, in the API's list order (namespace/name, bytewise). Once per
 * namespace/name, which the API keeps unique: a Pod re-created between two answers (a new uid)
 * is not counted twice.
 */
export function mergePods(lists: readonly (readonly V1Pod[])[]): V1Pod[] {
  const keyOf = (p: V1Pod) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
  const seen = new Map<string, V1Pod>();
  for (const list of lists) {
    for (const pod of list) if (!seen.has(keyOf(pod))) seen.set(keyOf(pod), pod);
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, pod]) => pod);
}
