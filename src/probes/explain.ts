// What kdiag knows that explains a probe's failure (pure): the cluster DNS's health, and
// which NetworkPolicies isolate the probe (egress) or the destination (ingress) without a
// rule that lets this traffic through — asked of the NetworkPolicy engine (src/netpol) that
// `kdiag netpol explain` uses, with the probe as a pod whose IP is not known yet.
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { analyzeService, indexEndpoints } from '../checks/endpoints.js';
import { matchesMap } from '../checks/lib/labels.js';
import { isPodReady, whyNotReady } from '../checks/lib/pods.js';
import { evaluateSide, type SideVerdict } from '../netpol/explain.js';
import type { PodEndpoint, PolicyContext } from '../netpol/policy.js';
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
  const svc =
    snapshot.services.find((s) => s.metadata?.namespace === 'kube-system' && s.metadata?.name === 'kube-dns') ??
    snapshot.services.find((s) => s.metadata?.namespace === 'kube-system' && s.spec?.selector?.['k8s-app'] === 'kube-dns');
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

/** The probe pod as the NetworkPolicy engine sees it: a pod with these labels, its IP not known yet. */
export function probeEndpoint(namespace: string, labels: Record<string, string>): PodEndpoint {
  return { kind: 'pod', namespace, name: `<probe pod in ${namespace}>`, labels, hypothetical: true, hostNetwork: false, ports: [] };
}

export interface PolicyVerdict {
  /** Policies that isolate this side. */
  isolating: string[];
  /** True: some rule allows it; false: none does; 'maybe': only an ipBlock rule could (the probe's IP is not known in advance). */
  allowed: boolean | 'maybe';
}

/** One side of the connection, evaluated by the NetworkPolicy engine (src/netpol), in the probe's terms. */
function verdict(side: SideVerdict): PolicyVerdict {
  // Depends on objects kdiag cannot read (another namespace's policies or labels): not a "no".
  if (side.unknown && !side.isolated) return { isolating: [], allowed: 'maybe' };
  if (!side.isolated) return { isolating: [], allowed: true };
  const applying = side.policies.filter((p) => p.appliesToDirection);
  const isolating = applying.map((p) => `${p.namespace}/${p.name}`);
  if (side.allowed) return { isolating, allowed: true };
  const ipBlockMayAllow = applying.some((p) => p.rules.some((r) => r.ipBlock && r.port.match));
  return { isolating, allowed: ipBlockMayAllow || side.unknown ? 'maybe' : false };
}

/** Can the probe send DNS (UDP 53) to the cluster DNS pod? */
export function dnsEgress(ctx: PolicyContext, probe: PodEndpoint, dns: PodEndpoint): PolicyVerdict {
  return verdict(evaluateSide('egress', probe, dns, dns, 53, 'UDP', ctx));
}

/** Egress of the probe to a destination pod on the port that pod receives (the Service's targetPort). */
export function egressTo(ctx: PolicyContext, probe: PodEndpoint, dest: PodEndpoint, port: number): PolicyVerdict {
  return verdict(evaluateSide('egress', probe, dest, dest, port, 'TCP', ctx));
}

/** Ingress into a destination pod from the probe on a port. */
export function ingressFrom(ctx: PolicyContext, dest: PodEndpoint, probe: PodEndpoint, port: number): PolicyVerdict {
  return verdict(evaluateSide('ingress', dest, probe, dest, port, 'TCP', ctx));
}

/** The pods a Service sends to (by selector), for naming them and their labels. */
export function podsBehind(svc: V1Service, snapshot: Snapshot): V1Pod[] {
  const selector = svc.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  return snapshot.pods.filter((p) => p.metadata?.namespace === svc.metadata?.namespace && matchesMap(selector, p.metadata?.labels));
}
