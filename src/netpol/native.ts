// Network-plugin policy kinds kdiag names but does not evaluate: Cilium's CiliumNetworkPolicy
// and CiliumClusterwideNetworkPolicy (endpointSelector, a label selector whose keys may carry
// a source prefix such as `k8s:`), Calico's NetworkPolicy and GlobalNetworkPolicy (`selector`,
// Calico's own expression language). "May select" errs towards yes: a selector kdiag cannot
// read fully counts as selecting, because a confident verdict would then be wrong.
import type { V1LabelSelector } from '@kubernetes/client-node';
import { matchesSelector } from '../checks/lib/labels.js';
import type { CustomObject, NativePolicyKind } from '../snapshot.js';
import type { Endpoint } from './policy.js';

/** Cilium's label sources (`k8s:app`, `any:app`): the prefix names where a label came from. */
function stripSource(sel: V1LabelSelector): V1LabelSelector {
  const key = (k: string) => k.replace(/^(k8s|any|container|reserved):/, '');
  return {
    ...(sel.matchLabels ? { matchLabels: Object.fromEntries(Object.entries(sel.matchLabels).map(([k, v]) => [key(k), v])) } : {}),
    ...(sel.matchExpressions ? { matchExpressions: sel.matchExpressions.map((e) => ({ ...e, key: key(e.key) })) } : {}),
  };
}

function ciliumMaySelect(o: CustomObject, pod: Extract<Endpoint, { kind: 'pod' }>): boolean {
  const spec = (o.spec ?? {}) as { endpointSelector?: V1LabelSelector; nodeSelector?: V1LabelSelector };
  const specs = [spec, ...((o as { specs?: (typeof spec)[] }).specs ?? [])];
  // Cilium adds the namespace as a label of every endpoint.
  const labels = { ...pod.labels, 'io.kubernetes.pod.namespace': pod.namespace };
  return specs.some((s) => s.endpointSelector !== undefined && matchesSelector(stripSource(s.endpointSelector), labels));
}

/**
 * Calico's selector language: `all()`, `has(k)`, `k == 'v'`, `k != 'v'` joined by `&&` are
 * decided; anything else (`||`, `in`, parentheses, functions) counts as "may select".
 */
export function calicoMaySelect(selector: string | undefined, labels: Record<string, string>): boolean {
  const text = (selector ?? '').trim();
  if (text === '' || text === 'all()') return true;
  // Strip the forms decided below; whatever else remains (||, in, !, parentheses) counts as "may".
  const rest = text.replace(/has\([^)]*\)/g, '').replace(/!=/g, '');
  if (/\|\||\(|!|\bnot\b|\bin\b|\bstarts with\b|\bends with\b|\bcontains\b/.test(rest)) return true;
  for (const term of text.split('&&').map((t) => t.trim())) {
    const has = /^has\(\s*([^)\s]+)\s*\)$/.exec(term);
    if (has) {
      if (!(has[1]! in labels)) return false;
      continue;
    }
    const cmp = /^([\w./-]+)\s*(==|!=)\s*['"]([^'"]*)['"]$/.exec(term);
    if (!cmp) return true;
    const [, k, op, v] = cmp;
    if (op === '==' && labels[k!] !== v) return false;
    if (op === '!=' && labels[k!] === v) return false;
  }
  return true;
}

function calicoMaySelectPod(o: CustomObject, pod: Extract<Endpoint, { kind: 'pod' }>): boolean {
  // A GlobalNetworkPolicy's namespaceSelector only narrows further: without it kdiag says "may".
  const spec = (o.spec ?? {}) as { selector?: string };
  return calicoMaySelect(spec.selector, { ...pod.labels, 'projectcalico.org/namespace': pod.namespace });
}

export interface NativeMatch {
  kind: string;
  name: string;
  /** `source`, `destination` or both. */
  sides: ('source' | 'destination')[];
}

/** The plugin policies whose selectors may select the source or the destination. */
export function nativePoliciesFor(kinds: readonly NativePolicyKind[] | undefined, source: Endpoint, destination: Endpoint): NativeMatch[] {
  const out: NativeMatch[] = [];
  for (const k of kinds ?? []) {
    for (const o of k.items) {
      const ns = o.metadata?.namespace;
      const sides = (
        [
          ['source', source],
          ['destination', destination],
        ] as const
      )
        .filter(([, e]) => {
          if (e.kind !== 'pod' || e.hostNetwork) return false;
          if (k.namespaced && ns !== e.namespace) return false;
          return k.group === 'cilium.io' ? ciliumMaySelect(o, e) : calicoMaySelectPod(o, e);
        })
        .map(([side]) => side);
      if (sides.length) out.push({ kind: k.kind, name: ns ? `${ns}/${o.metadata?.name ?? ''}` : (o.metadata?.name ?? ''), sides });
    }
  }
  return out;
}
