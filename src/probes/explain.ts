// What kdiag knows that explains a probe's failure (pure): the cluster DNS's health,
// and which NetworkPolicies isolate the probe (egress) or the destination (ingress)
// without a rule that lets this traffic through. A deliberately small evaluator:
// ipBlock peers are treated as "may allow" (the pod IPs behind a ClusterIP are not
// matched against CIDRs here).
import type { V1NetworkPolicy, V1NetworkPolicyPeer, V1NetworkPolicyPort, V1Pod, V1Service } from '@kubernetes/client-node';
import { analyzeService, indexEndpoints } from '../checks/endpoints.js';
import { matchesMap, matchesSelector } from '../checks/lib/labels.js';
import { isPodReady, whyNotReady } from '../checks/lib/pods.js';
import type { Snapshot } from '../snapshot.js';

export interface ClusterDnsHealth {
  /** The DNS Service (kube-system/kube-dns), if found. */
  service?: { namespace: string; name: string; clusterIP?: string };
  pods: { name: string; ready: boolean; detail: string }[];
  readyEndpoints: number;
  /** kube-system could not be read (RBAC): nothing is known. */
  unknown?: string;
}

/** CoreDNS / kube-dns pods (label k8s-app=kube-dns) and the kube-dns Service's ready endpoints. */
export function clusterDnsHealth(snapshot: Snapshot): ClusterDnsHealth {
  const svc = snapshot.services.find((s) => s.metadata?.namespace === 'kube-system' && s.metadata?.name === 'kube-dns') ?? snapshot.services.find((s) => s.metadata?.namespace === 'kube-system' && s.spec?.selector?.['k8s-app'] === 'kube-dns');
  const selector = svc?.spec?.selector ?? { 'k8s-app': 'kube-dns' };
  const pods = snapshot.pods.filter((p) => p.metadata?.namespace === 'kube-system' && matchesMap(selector, p.metadata?.labels));
  const health: ClusterDnsHealth = {
    pods: pods.map((p) => ({ name: p.metadata?.name ?? '', ready: isPodReady(p), detail: isPodReady(p) ? 'Ready' : whyNotReady(p) })),
    readyEndpoints: svc ? analyzeService(svc, indexEndpoints(snapshot)).ready : 0,
  };
  if (svc) health.service = { namespace: 'kube-system', name: svc.metadata?.name ?? 'kube-dns', clusterIP: svc.spec?.clusterIP };
  const missing = (['services', 'pods'] as const).filter((k) => snapshot.unavailable[k]);
  if (missing.length) health.unknown = `cannot read ${missing.join(' and ')} in kube-system`;
  return health;
}

export interface Endpoint {
  namespace: string;
  labels: Record<string, string>;
  /** The namespace's labels (kubernetes.io/metadata.name is always there). */
  namespaceLabels: Record<string, string>;
}

export function namespaceLabels(snapshot: Snapshot, namespace: string): Record<string, string> {
  const ns = snapshot.namespaces.find((n) => n.metadata?.name === namespace);
  return { 'kubernetes.io/metadata.name': namespace, ...(ns?.metadata?.labels ?? {}) };
}

/** Does the policy isolate the pods it selects for this direction (policyTypes, or its rules when unset)? */
export function isolates(policy: V1NetworkPolicy, direction: 'Ingress' | 'Egress'): boolean {
  const types = policy.spec?.policyTypes;
  if (types && types.length) return types.includes(direction);
  return direction === 'Ingress' || (policy.spec?.egress !== undefined && policy.spec.egress !== null);
}

/** Policies of `ep`'s namespace that select it for `direction`. */
export function isolatingPolicies(policies: readonly V1NetworkPolicy[], ep: Pick<Endpoint, 'namespace' | 'labels'>, direction: 'Ingress' | 'Egress'): V1NetworkPolicy[] {
  return policies.filter((p) => p.metadata?.namespace === ep.namespace && isolates(p, direction) && matchesSelector(p.spec?.podSelector ?? {}, ep.labels));
}

type Verdict = boolean | 'maybe';

function peerMatches(peer: V1NetworkPolicyPeer, policyNamespace: string, other: Endpoint | 'any-namespace'): Verdict {
  if (peer.ipBlock) return 'maybe';
  if (other === 'any-namespace') return peer.namespaceSelector ? 'maybe' : false;
  const nsOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector, other.namespaceLabels) : other.namespace === policyNamespace;
  if (!nsOk) return false;
  return peer.podSelector ? matchesSelector(peer.podSelector, other.labels) : true;
}

function portMatches(ports: readonly V1NetworkPolicyPort[] | undefined, port: number | string, protocol: string, namedPorts?: Map<string, number>): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined || p.port === null) return true;
    const want = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
    if (typeof p.port === 'number' || /^\d+$/.test(String(p.port))) {
      const n = Number(p.port);
      const actual = typeof want === 'number' ? want : namedPorts?.get(want);
      return actual !== undefined && (actual === n || (p.endPort !== undefined && actual >= n && actual <= p.endPort));
    }
    if (typeof want === 'string') return p.port === want;
    return namedPorts !== undefined && [...namedPorts.entries()].some(([name, n]) => name === p.port && n === want);
  });
}

export interface PolicyVerdict {
  /** Policies that isolate this side. */
  isolating: string[];
  /** True: some rule allows it; false: none does; 'maybe': only ipBlock rules could. */
  allowed: Verdict;
}

function verdict(policies: V1NetworkPolicy[], rulesAllow: (p: V1NetworkPolicy) => Verdict): PolicyVerdict {
  const names = policies.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
  if (policies.length === 0) return { isolating: [], allowed: true };
  let allowed: Verdict = false;
  for (const p of policies) {
    const v = rulesAllow(p);
    if (v === true) return { isolating: names, allowed: true };
    if (v === 'maybe') allowed = 'maybe';
  }
  return { isolating: names, allowed };
}

/** Can `source` send DNS (UDP 53) to the cluster DNS in kube-system? */
export function dnsEgress(policies: readonly V1NetworkPolicy[], source: Endpoint, dns: Endpoint | undefined): PolicyVerdict {
  const isolating = isolatingPolicies(policies, source, 'Egress');
  return verdict(isolating, (p) => {
    let best: Verdict = false;
    for (const rule of p.spec?.egress ?? []) {
      if (!portMatches(rule.ports, 53, 'UDP')) continue;
      if (!rule.to || rule.to.length === 0) return true;
      for (const peer of rule.to) {
        const v = peerMatches(peer, p.metadata?.namespace ?? '', dns ?? 'any-namespace');
        if (v === true) return true;
        if (v === 'maybe') best = 'maybe';
      }
    }
    return best;
  });
}

/** Egress of `source` to `dest` on a port (of the destination pod: the Service's targetPort). */
export function egressTo(policies: readonly V1NetworkPolicy[], source: Endpoint, dest: Endpoint, port: number | string, namedPorts?: Map<string, number>): PolicyVerdict {
  const isolating = isolatingPolicies(policies, source, 'Egress');
  return verdict(isolating, (p) => {
    let best: Verdict = false;
    for (const rule of p.spec?.egress ?? []) {
      if (!portMatches(rule.ports, port, 'TCP', namedPorts)) continue;
      if (!rule.to || rule.to.length === 0) return true;
      for (const peer of rule.to) {
        const v = peerMatches(peer, p.metadata?.namespace ?? '', dest);
        if (v === true) return true;
        if (v === 'maybe') best = 'maybe';
      }
    }
    return best;
  });
}

/** Ingress into `dest` from `source` on a port. */
export function ingressFrom(policies: readonly V1NetworkPolicy[], dest: Endpoint, source: Endpoint, port: number | string, namedPorts?: Map<string, number>): PolicyVerdict {
  const isolating = isolatingPolicies(policies, dest, 'Ingress');
  return verdict(isolating, (p) => {
    let best: Verdict = false;
    for (const rule of p.spec?.ingress ?? []) {
      if (!portMatches(rule.ports, port, 'TCP', namedPorts)) continue;
      // client-node names the field `_from`; objects read as plain JSON (fixtures) say `from`.
      const from = rule._from ?? (rule as { from?: V1NetworkPolicyPeer[] }).from;
      if (!from || from.length === 0) return true;
      for (const peer of from) {
        const v = peerMatches(peer, p.metadata?.namespace ?? '', source);
        if (v === true) return true;
        if (v === 'maybe') best = 'maybe';
      }
    }
    return best;
  });
}

/** The pods a Service sends to (by selector), for naming them and their labels. */
export function podsBehind(svc: V1Service, snapshot: Snapshot): V1Pod[] {
  const selector = svc.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  return snapshot.pods.filter((p) => p.metadata?.namespace === svc.metadata?.namespace && matchesMap(selector, p.metadata?.labels));
}
