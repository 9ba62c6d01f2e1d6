// NetworkPolicy lint over a snapshot: DNS egress, selectors that select nothing, rules the
// API ignores, ports nobody exposes, namespaces without policy, Ingress backends the
// controller cannot reach, and whether the network plugin enforces policies at all.
import type { V1Ingress, V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { subjectSelects } from '../netpol/admin.js';
import { detectCni, KNOWN_CNI_NAMES, type CniDetection } from '../netpol/cni.js';
import { decision, evaluateSide, explainConnection } from '../netpol/explain.js';
import { namespaceRow, policyPods, policyRow, selectedPods, type NamespaceRow, type PolicyRow } from '../netpol/inventory.js';
import {
  appliesTo,
  buildContext,
  livePods,
  NAMESPACE_NAME_LABEL,
  peerText,
  podEndpoint,
  portEntryText,
  portExposed as exposes,
  rulesOf,
  ruleText,
  type Direction,
  type PodEndpoint,
  type PolicyContext,
  type Protocol,
} from '../netpol/policy.js';
import { fix, joinFixes, kubectl, kubectlApply, manifest, type FixSpec, type Manifest } from '../report/fix.js';
import type { Finding } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { finding, refOf } from './lib/finding.js';
import { CONTROLLER_POD_LABELS } from './data/nginx-annotations.js';
import { INGRESS_CONTROLLER_LABELS } from './data/ingress-controller-labels.js';
import { formatMap, formatSelector, matchesMap, matchesSelector } from './lib/labels.js';
import type { Check } from './types.js';

export interface NetpolOptions {
  /** The namespace in scope; undefined for all namespaces. */
  namespace?: string;
  /** Pods, Namespaces and DaemonSets of every namespace are in the snapshot (peers, DNS, CNI). */
  clusterWide: boolean;
}

export interface NetpolAnalysis {
  policies: PolicyRow[];
  namespaces: NamespaceRow[];
  cni?: CniDetection;
  /** The cluster DNS pods DNS rules were checked against (`assumed` when none was found). */
  dns: { pods: string[]; assumed: boolean };
  /** Ingress controller pods Ingress backends were checked from. */
  ingressControllers: string[];
  findings: Finding[];
}

/** Namespaces kdiag does not ask to have policies (the control plane's own). */
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/** The guide's DNS egress rule (TCP too, for large answers). */
const DNS_RULE = {
  to: [{ namespaceSelector: {} }],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

function defaultDenyPolicy(namespace: string): Manifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny-ingress', namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
}

function podSelectorOf(labels: Record<string, string>): Manifest {
  return Object.keys(labels).length ? { matchLabels: { ...labels } } : {};
}

interface AllowIngress {
  name: string;
  namespace: string;
  podLabels: Record<string, string>;
  from: { namespace?: string; podLabels?: Record<string, string> };
  ports: { protocol: string; port: number | string }[];
}

/** A NetworkPolicy that admits `from` to the pods labelled `podLabels` on `ports`. */
function allowIngressPolicy(a: AllowIngress): Manifest {
  const peer: Manifest = {};
  if (a.from.namespace !== undefined) peer.namespaceSelector = { matchLabels: { [NAMESPACE_NAME_LABEL]: a.from.namespace } };
  if (a.from.podLabels) peer.podSelector = podSelectorOf(a.from.podLabels);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: a.name, namespace: a.namespace },
    spec: {
      podSelector: podSelectorOf(a.podLabels),
      policyTypes: ['Ingress'],
      ingress: [{ from: [peer], ports: a.ports.map((p) => ({ protocol: p.protocol, port: p.port })) }],
    },
  };
}

function plural(n: number, word: string): string {
  if (word === 'policy') return `${n} ${n === 1 ? 'policy' : 'policies'}`;
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Distinct label sets of pods (one representative each): policies see labels, not names. */
function distinctByLabels(pods: readonly V1Pod[]): V1Pod[] {
  const seen = new Map<string, V1Pod>();
  for (const p of pods) {
    const key = `${p.metadata?.namespace}|${formatMap(
      Object.fromEntries(
        Object.entries(p.metadata?.labels ?? {})
          .filter(([k]) => k !== 'pod-template-hash' && k !== 'controller-revision-hash' && k !== 'statefulset.kubernetes.io/pod-name')
          .sort(),
      ),
    )}`;
    if (!seen.has(key)) seen.set(key, p);
  }
  return [...seen.values()];
}

interface Lint {
  ctx: PolicyContext;
  snapshot: Snapshot;
  options: NetpolOptions;
  inScope: (namespace: string) => boolean;
  /** Whether every pod of `namespace` is in the snapshot. */
  podsKnown: (namespace: string) => boolean;
  findings: Finding[];
}

function lintPolicyTypes(l: Lint, policy: V1NetworkPolicy): void {
  const types = policy.spec?.policyTypes;
  if (!types || types.length === 0) return;
  const name = policy.metadata?.name ?? '';
  const ns = policy.metadata?.namespace ?? '';
  for (const direction of ['ingress', 'egress'] as Direction[]) {
    const rules = rulesOf(policy, direction);
    if (rules.length === 0 || appliesTo(policy, direction)) continue;
    const type = direction === 'ingress' ? 'Ingress' : 'Egress';
    l.findings.push(
      finding('KD4006', refOf('NetworkPolicy', policy), {
        message: `${name}: ${plural(rules.length, `${direction} rule`)} ignored, policyTypes lacks ${type}`,
        cause: `spec.policyTypes is [${types.join(', ')}], so the API ignores spec.${direction} (${rules.map(ruleText).join('; ')}): this policy neither isolates its pods for ${direction} nor allows anything there.`,
        fix: fix`Add ${type} to policyTypes: ${kubectl('-n', ns, 'patch', 'networkpolicy', name, '--type=json', '-p', [{ op: 'add', path: '/spec/policyTypes/-', value: type }])} (or delete spec.${direction} if the rules are not wanted).`,
      }),
    );
  }
}

interface NearLabels {
  labels: Record<string, string>;
  /** `app=x (2 pods)` */
  text: string;
}

function nearestLabelSets(selector: Record<string, string>, pods: readonly V1Pod[]): NearLabels[] {
  const keys = Object.keys(selector);
  const sets = new Map<string, { labels: Record<string, string>; count: number }>();
  for (const p of pods) {
    const labels = p.metadata?.labels ?? {};
    const shared = keys.filter((k) => k in labels);
    if (!shared.length) continue;
    const subset = Object.fromEntries(shared.map((k) => [k, labels[k]!]));
    const text = formatMap(subset);
    const entry = sets.get(text);
    if (entry) entry.count++;
    else sets.set(text, { labels: subset, count: 1 });
  }
  return [...sets.entries()]
    .sort((a, b) => b[1].count - a[1].count)
    .slice(0, 3)
    .map(([t, e]) => ({ labels: e.labels, text: `${t} (${plural(e.count, 'pod')})` }));
}

/** `For the pods labelled app=x:` and the podSelector that selects them, or nothing. */
function suggestion(near: NearLabels | undefined): FixSpec {
  if (!near) return fix``;
  return fix`\nFor the pods labelled ${formatMap(near.labels)}:\n${manifest({ podSelector: podSelectorOf(near.labels) })}`;
}

function lintSelectsNothing(l: Lint, policy: V1NetworkPolicy): void {
  const selector = policy.spec?.podSelector ?? {};
  const text = formatSelector(selector);
  if (text === '<all>') return;
  const ns = policy.metadata?.namespace ?? '';
  if (selectedPods(l.ctx, policy).length > 0) return;
  const pods = policyPods(l.ctx, ns);
  const near = nearestLabelSets(selector.matchLabels ?? {}, pods);
  const name = policy.metadata?.name ?? '';
  l.findings.push(
    finding('KD4003', refOf('NetworkPolicy', policy), {
      message: `${name}: podSelector ${text} selects no pod`,
      cause: `No running pod in namespace ${ns} (${plural(pods.length, 'pod')}) has the labels ${text}, so the policy protects nothing.${near.length ? ` Pods with the same label keys: ${near.map((n) => n.text).join(', ')}.` : ''}`,
      fix: joinFixes(
        [
          fix`Compare with the pods' labels (${kubectl('-n', ns, 'get', 'pods', '--show-labels')}) and fix spec.podSelector: ${kubectl('-n', ns, 'edit', 'networkpolicy', name)}`,
          suggestion(near[0]),
        ],
        '',
      ),
    }),
  );
}

function lintPeers(l: Lint, policy: V1NetworkPolicy): void {
  const ns = policy.metadata?.namespace ?? '';
  const name = policy.metadata?.name ?? '';
  for (const direction of ['ingress', 'egress'] as Direction[]) {
    for (const [ri, rule] of rulesOf(policy, direction).entries()) {
      for (const peer of rule.peers ?? []) {
        if (peer.ipBlock) continue;
        let namespaces = [ns];
        if (peer.namespaceSelector) {
          if (!l.ctx.namespaceLabelsKnown) continue;
          namespaces = [...l.ctx.namespaces.entries()]
            .filter(([, labels]) => matchesSelector(peer.namespaceSelector, labels))
            .map(([n]) => n)
            .sort();
          if (namespaces.length === 0) {
            const sel = formatSelector(peer.namespaceSelector);
            const wanted = peer.namespaceSelector.matchLabels?.[NAMESPACE_NAME_LABEL];
            l.findings.push(
              finding('KD4004', refOf('NetworkPolicy', policy), {
                message: `${name}: ${direction} rule ${ri + 1} namespaceSelector ${sel} matches no namespace`,
                cause: `No namespace has the labels ${sel}${wanted ? ` (there is no namespace named ${wanted})` : ''}, so the peer ${peerText(peer)} selects nothing and ${direction === 'ingress' ? 'no source' : 'no destination'} is allowed by it. Namespaces: ${[...l.ctx.namespaces.keys()].sort().join(', ')}.`,
                fix: fix`Fix the selector to an existing namespace's labels (${kubectl('get', 'namespaces', '--show-labels')}), or create the namespace. Every namespace carries ${NAMESPACE_NAME_LABEL}, so one namespace is selected by:\n${manifest({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: '<namespace>' } } })}\n${kubectl('-n', ns, 'edit', 'networkpolicy', name)}`,
              }),
            );
            continue;
          }
        }
        const podSel = formatSelector(peer.podSelector ?? {});
        if (!peer.podSelector || podSel === '<all>') continue;
        if (!namespaces.every(l.podsKnown)) continue;
        const matched = namespaces.flatMap((n) => policyPods(l.ctx, n)).filter((p) => matchesSelector(peer.podSelector, p.metadata?.labels));
        if (matched.length > 0) continue;
        const where = peer.namespaceSelector ? `namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')}` : `namespace ${ns}`;
        const near = nearestLabelSets(
          peer.podSelector.matchLabels ?? {},
          namespaces.flatMap((n) => policyPods(l.ctx, n)),
        );
        l.findings.push(
          finding('KD4005', refOf('NetworkPolicy', policy), {
            message: `${name}: ${direction} rule ${ri + 1} peer ${peerText(peer)} matches no pod`,
            cause: `No running pod in ${where} has the labels ${podSel}${peer.namespaceSelector ? '' : " (a podSelector without namespaceSelector only looks in the policy's own namespace)"}.${near.length ? ` Pods with the same label keys: ${near.map((n) => n.text).join(', ')}.` : ''}`,
            fix: joinFixes(
              [
                fix`Fix the peer's podSelector (${kubectl('get', 'pods', '-A', '--show-labels')}), or add a namespaceSelector in the same peer if the pods live in another namespace: ${kubectl('-n', ns, 'edit', 'networkpolicy', name)}`,
                suggestion(near[0]),
              ],
              '',
            ),
          }),
        );
      }
    }
  }
}

function lintPorts(l: Lint, policy: V1NetworkPolicy): void {
  const ns = policy.metadata?.namespace ?? '';
  const name = policy.metadata?.name ?? '';
  for (const direction of ['ingress', 'egress'] as Direction[]) {
    if (!appliesTo(policy, direction)) continue;
    for (const [ri, rule] of rulesOf(policy, direction).entries()) {
      const entries = (rule.ports ?? []).filter((p) => p.port !== undefined);
      if (entries.length === 0) continue;
      let destinations: V1Pod[];
      if (direction === 'ingress') {
        destinations = selectedPods(l.ctx, policy);
      } else {
        const peers = rule.peers ?? [];
        if (peers.length === 0 || peers.some((p) => p.ipBlock)) continue;
        const known = peers.every((p) => (p.namespaceSelector ? l.options.clusterWide && l.ctx.namespaceLabelsKnown : l.podsKnown(ns)));
        if (!known) continue;
        const all = peers.some((p) => p.namespaceSelector) ? [...l.ctx.podsByNamespace.keys()] : [ns];
        destinations = all
          .flatMap((n) => policyPods(l.ctx, n))
          .filter((pod) =>
            peers.some((peer) => {
              const podNs = pod.metadata?.namespace ?? '';
              const nsOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector, l.ctx.namespaces.get(podNs)) : podNs === ns;
              return nsOk && matchesSelector(peer.podSelector ?? {}, pod.metadata?.labels);
            }),
          );
      }
      const declaring = destinations.map(podEndpoint).filter((p) => p.ports.length > 0);
      if (declaring.length === 0) continue;
      const missing = entries.filter((e) => !declaring.some((p) => exposes(p.ports, e)));
      if (missing.length === 0) continue;
      const declared = [...new Set(declaring.flatMap((p) => p.ports.map((cp) => `${cp.protocol}/${cp.port}${cp.name ? ` (${cp.name})` : ''}`)))].slice(0, 8);
      l.findings.push(
        finding('KD4007', refOf('NetworkPolicy', policy), {
          message: `${name}: ${direction} rule ${ri + 1} port ${missing.map(portEntryText).join(',')} is not exposed by any ${direction === 'ingress' ? 'selected' : 'destination'} pod`,
          cause: `${direction === 'ingress' ? 'The pods this policy selects' : `The pods the rule's peers select (${rule.peers!.map(peerText).join(' | ')})`} declare ${declared.join(', ')}; none declares ${missing.map(portEntryText).join(', ')}${missing.some((m) => typeof m.port === 'string' && !/^\d+$/.test(m.port)) ? ' (named ports are looked up per pod, by name and protocol)' : ''}. Container ports are informational, so the pods may still listen there.`,
          fix: fix`Check the port the application listens on (${kubectl(...(direction === 'ingress' ? ['-n', ns] : ['-A']), 'get', 'pods', '-o', 'jsonpath={..containerPort}')}) and fix the rule: ${kubectl('-n', ns, 'edit', 'networkpolicy', name)}`,
        }),
      );
    }
  }
}

/** The cluster DNS pods (kube-system, k8s-app=kube-dns), or a stand-in with CoreDNS's ports. */
function dnsTargets(ctx: PolicyContext): { pods: PodEndpoint[]; assumed: boolean } {
  const pods = livePods(ctx, 'kube-system')
    .filter((p) => p.metadata?.labels?.['k8s-app'] === 'kube-dns')
    .map(podEndpoint);
  if (pods.length > 0) return { pods: [pods[0]!], assumed: false };
  return {
    pods: [
      {
        kind: 'pod',
        namespace: 'kube-system',
        name: '<cluster DNS pod k8s-app=kube-dns>',
        labels: { 'k8s-app': 'kube-dns' },
        hypothetical: true,
        hostNetwork: false,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    ],
    assumed: true,
  };
}

function lintDns(l: Lint, policy: V1NetworkPolicy, dns: PodEndpoint): void {
  if (!appliesTo(policy, 'egress')) return;
  const ns = policy.metadata?.namespace ?? '';
  const name = policy.metadata?.name ?? '';
  const selected = selectedPods(l.ctx, policy);
  const subjects: { subject: PodEndpoint; only?: V1NetworkPolicy[] }[] = selected.length
    ? distinctByLabels(selected).map((p) => ({ subject: podEndpoint(p) }))
    : [
        {
          subject: {
            kind: 'pod',
            namespace: ns,
            name: `<pod selected by ${name}>`,
            labels: { ...(policy.spec?.podSelector?.matchLabels ?? {}) },
            hypothetical: true,
            hostNetwork: false,
            ports: [],
          },
          only: [policy],
        },
      ];
  const check = (protocol: Protocol) =>
    // Only a certain "no": a DNS rule that depends on unreadable namespace labels is not reported.
    subjects.map((s) => ({ s, v: evaluateSide('egress', s.subject, dns, dns, 53, protocol, l.ctx, s.only) })).filter((r) => decision(r.v) === 'denied');
  const udp = check('UDP');
  const dnsText = `${dns.namespace}/${dns.name}`;
  if (udp.length > 0) {
    const first = udp[0]!;
    const policies = first.v.policies.filter((p) => p.appliesToDirection).map((p) => `${p.namespace}/${p.name}`);
    const rules = first.v.policies.filter((p) => p.appliesToDirection).flatMap((p) => p.rules.map((r) => `${p.name} rule ${r.index} (${r.text})`));
    l.findings.push(
      finding('KD4001', refOf('NetworkPolicy', policy), {
        message: `${name}: restricts egress but allows no DNS (UDP/53 to the cluster DNS)`,
        cause: `${selected.length ? `Pod ${first.s.subject.namespace}/${first.s.subject.name}${udp.length > 1 ? ` (and ${udp.length - 1} other label set${udp.length === 2 ? '' : 's'})` : ''}` : 'The pods this policy would select'} ${selected.length ? 'is' : 'are'} isolated for egress by ${policies.join(', ')} and no egress rule allows UDP/53 to ${dnsText}${rules.length ? `: ${rules.join('; ')}` : ' (the policies have no egress rule)'}. Every name lookup times out ("domain lookups will fail").`,
        fix: fix`Add the guide's DNS rule to spec.egress (TCP 53 too, for large answers):\n${manifest({ spec: { egress: [DNS_RULE] } })}\nfor example: ${kubectl('-n', ns, 'patch', 'networkpolicy', name, '--type=json', '-p', [dnsPatch(policy)])}`,
      }),
    );
    return;
  }
  const tcp = check('TCP');
  if (tcp.length > 0) {
    const first = tcp[0]!;
    const udpRule = evaluateSide('egress', first.s.subject, dns, dns, 53, 'UDP', l.ctx, first.s.only).decidedBy;
    l.findings.push(
      finding('KD4002', refOf('NetworkPolicy', policy), {
        message: `${name}: allows DNS over UDP/53 but not TCP/53`,
        cause: `${udpRule ? `${udpRule.policy} egress rule ${udpRule.rule} (${udpRule.text}) allows UDP/53` : 'UDP/53 is allowed'} to ${dnsText}, but no egress rule allows TCP/53. Resolvers retry over TCP when an answer is truncated (more than 512 bytes without EDNS, or above the EDNS buffer size), so large answers fail from ${first.s.subject.namespace}/${first.s.subject.name}.`,
        fix: fix`Add TCP 53 next to UDP 53 in the DNS rule's ports:\n${manifest({ ports: [{ protocol: 'TCP', port: 53 }] })}\n${kubectl('-n', ns, 'edit', 'networkpolicy', name)}`,
      }),
    );
  }
}

function lintEgressDeniedAtDestination(l: Lint, policy: V1NetworkPolicy): void {
  if (!appliesTo(policy, 'egress')) return;
  const ns = policy.metadata?.namespace ?? '';
  const name = policy.metadata?.name ?? '';
  const selected = selectedPods(l.ctx, policy);
  if (selected.length === 0) return;
  const subject = podEndpoint(selected[0]!);
  for (const [ri, rule] of rulesOf(policy, 'egress').entries()) {
    const peers = rule.peers ?? [];
    if (peers.length === 0 || peers.some((p) => p.ipBlock || !p.podSelector || formatSelector(p.podSelector) === '<all>')) continue;
    const ports = (rule.ports ?? []).filter((p) => typeof p.port === 'number' || (typeof p.port === 'string' && /^\d+$/.test(p.port)));
    if (ports.length === 0) continue;
    for (const peer of peers) {
      const namespaces = peer.namespaceSelector
        ? [...l.ctx.namespaces.entries()].filter(([, labels]) => matchesSelector(peer.namespaceSelector, labels)).map(([n]) => n)
        : [ns];
      if (!namespaces.every(l.podsKnown)) continue;
      const targets = distinctByLabels(namespaces.flatMap((n) => policyPods(l.ctx, n)).filter((p) => matchesSelector(peer.podSelector, p.metadata?.labels)));
      for (const target of targets) {
        const dest = podEndpoint(target);
        const denied = ports
          .map((p) => ({
            p,
            v: explainConnection(l.snapshot, subject, dest, Number(p.port), (p.protocol ?? 'TCP').toUpperCase() as Protocol, { context: l.ctx }),
          }))
          .filter(({ v }) => v.egress.allowed && decision(v.ingress) === 'denied');
        if (denied.length === 0) continue;
        const first = denied[0]!;
        const blockers = first.v.ingress.policies.filter((p) => p.appliesToDirection).map((p) => `${p.namespace}/${p.name}`);
        const portsText = denied.map(({ p }) => portEntryText(p)).join(',');
        const sourceLabels = policy.spec?.podSelector?.matchLabels ?? {};
        const destLabels = peer.podSelector?.matchLabels ?? {};
        const fromNs = dest.namespace === ns ? undefined : ns;
        l.findings.push(
          finding('KD4012', refOf('NetworkPolicy', policy), {
            message: `${name}: egress rule ${ri + 1} allows ${portsText} to ${peerText(peer)}, but ${dest.namespace}/${dest.name} accepts no such ingress`,
            cause: `${subject.namespace}/${subject.name} may send ${portsText} to ${dest.namespace}/${dest.name} (${name} egress rule ${ri + 1}), but that pod is isolated for ingress by ${blockers.join(', ')} and no ingress rule lets ${subject.namespace}/${subject.name} in, so the connection is dropped at the destination.`,
            fix: fix`If the connection is wanted, allow it at the destination:\n${kubectlApply(allowIngressPolicy({ name: fixName(sourceLabels, destLabels, name), namespace: dest.namespace, podLabels: destLabels, from: { namespace: fromNs, podLabels: sourceLabels }, ports: denied.map(({ p }) => ({ protocol: (p.protocol ?? 'TCP').toUpperCase(), port: Number(p.port) })) }))}`,
          }),
        );
      }
    }
  }
}

/** The JSON patch that adds the DNS rule: appended to spec.egress, or spec.egress created. */
function dnsPatch(policy: V1NetworkPolicy): Manifest {
  return (policy.spec?.egress ?? []).length ? { op: 'add', path: '/spec/egress/-', value: DNS_RULE } : { op: 'add', path: '/spec/egress', value: [DNS_RULE] };
}

/** `allow-api-server-to-postgres`, from the first label value of each side. */
function fixName(from: Record<string, string>, to: Record<string, string>, fallback: string): string {
  const a = Object.values(from)[0] ?? fallback;
  const b = Object.values(to)[0] ?? 'pods';
  return `allow-${a}-to-${b}`
    .slice(0, 63)
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+$/, '');
}

function ingressBackends(ing: V1Ingress): { service: string; port: number | string }[] {
  const out: { service: string; port: number | string }[] = [];
  const add = (b: { service?: { name: string; port?: { number?: number; name?: string } } } | undefined) => {
    const svc = b?.service;
    if (!svc) return;
    const port = svc.port?.number ?? svc.port?.name;
    if (port === undefined) return;
    if (!out.some((o) => o.service === svc.name && o.port === port)) out.push({ service: svc.name, port });
  };
  add(ing.spec?.defaultBackend);
  for (const rule of ing.spec?.rules ?? []) for (const path of rule.http?.paths ?? []) add(path.backend);
  return out;
}

function ingressControllerPods(l: Lint): V1Pod[] {
  const pods = [...l.ctx.podsByNamespace.keys()].flatMap((n) => policyPods(l.ctx, n));
  return distinctByLabels(pods.filter((p) => INGRESS_CONTROLLER_LABELS.some(([k, v]) => p.metadata?.labels?.[k] === v)));
}

/**
 * The controller Pods that serve an Ingress: those of its class's controller when the IngressClass
 * and that controller's Pod labels are known (none when its Pods were not found), else every
 * known controller's.
 */
function controllersOf(l: Lint, ing: V1Ingress, controllers: readonly V1Pod[]): readonly V1Pod[] {
  const className = ing.spec?.ingressClassName ?? ing.metadata?.annotations?.['kubernetes.io/ingress.class'];
  const controller = l.snapshot.ingressclasses.find((c) => c.metadata?.name === className)?.spec?.controller;
  const labels = controller === undefined ? undefined : CONTROLLER_POD_LABELS[controller]?.labels;
  if (!labels) return controllers;
  return controllers.filter((p) => labels.some((wanted) => matchesMap(wanted, p.metadata?.labels)));
}

function lintIngressBackends(l: Lint, known: V1Pod[]): void {
  if (known.length === 0) return;
  for (const ing of l.snapshot.ingresses.filter((i) => l.inScope(i.metadata?.namespace ?? ''))) {
    const ns = ing.metadata?.namespace ?? '';
    const controllers = controllersOf(l, ing, known);
    for (const backend of ingressBackends(ing)) {
      const svc = l.snapshot.services.find((s) => s.metadata?.namespace === ns && s.metadata?.name === backend.service);
      const selector = svc?.spec?.selector;
      if (!svc || !selector || Object.keys(selector).length === 0) continue;
      const svcPort = (svc.spec?.ports ?? []).find((p) => p.port === backend.port || p.name === backend.port);
      if (!svcPort) continue;
      const target = svcPort.targetPort ?? svcPort.port;
      const protocol = (svcPort.protocol ?? 'TCP') as Protocol;
      for (const pod of distinctByLabels(policyPods(l.ctx, ns).filter((p) => matchesMap(selector, p.metadata?.labels)))) {
        const dest = podEndpoint(pod);
        const port =
          typeof target === 'number' || /^\d+$/.test(String(target))
            ? Number(target)
            : dest.ports.find((p) => p.name === target && p.protocol === protocol)?.port;
        if (port === undefined) continue;
        for (const controller of controllers) {
          const src = podEndpoint(controller);
          const v = explainConnection(l.snapshot, src, dest, port, protocol, { context: l.ctx });
          if (v.verdict !== 'denied') continue;
          const side = v.ingress.allowed ? v.egress : v.ingress;
          const name = ing.metadata?.name ?? '';
          l.findings.push(
            finding('KD4009', refOf('Ingress', ing), {
              message: `${name}: the ingress controller cannot reach backend ${backend.service}:${backend.port} (${protocol}/${port} on the pods)`,
              cause: `Ingress ${ns}/${name} routes to Service ${backend.service}, whose pod ${dest.namespace}/${dest.name} receives ${protocol}/${port}; a connection from the controller pod ${src.namespace}/${src.name} is denied: ${side.reason}. Requests through the Ingress time out (502/504).`,
              fix: v.ingress.allowed
                ? `Allow the controller's egress to ${ns} on ${protocol}/${port} in the policies selecting ${src.namespace}/${src.name} (${v.egress.policies.map((p) => p.name).join(', ')}).`
                : fix`Allow the controller's namespace in:\n${kubectlApply(allowIngressPolicy({ name: `allow-ingress-controller-to-${backend.service}`.slice(0, 63), namespace: ns, podLabels: selector, from: { namespace: src.namespace }, ports: [{ protocol, port }] }))}`,
            }),
          );
          break;
        }
      }
    }
  }
}

function lintNamespaces(l: Lint, rows: NamespaceRow[]): void {
  for (const row of rows) {
    if (SYSTEM_NAMESPACES.has(row.namespace) || row.policies > 0 || row.pods === 0) continue;
    l.findings.push(
      finding(
        'KD4008',
        { kind: 'Namespace', name: row.namespace },
        {
          message: `${row.namespace}: ${plural(row.pods, 'pod')} and no NetworkPolicy`,
          cause: `No NetworkPolicy exists in namespace ${row.namespace}, so its ${plural(row.pods, 'pod')} ${row.pods === 1 ? 'accepts' : 'accept'} connections from every pod in the cluster (Kubernetes allows all pod-to-pod traffic by default).`,
          fix: fix`First allow the traffic the pods need (check each flow with kdiag netpol explain), then deny the rest as the guide does:\n${kubectlApply(defaultDenyPolicy(row.namespace))}`,
        },
      ),
    );
  }
}

function lintCni(l: Lint, cni: CniDetection, policyCount: number): void {
  if (policyCount === 0 || cni.enforcing) return;
  const flannel = cni.plugins.find((p) => !p.enforces);
  if (flannel) {
    l.findings.push(
      finding(
        'KD4010',
        { kind: 'Cluster', name: 'network plugin' },
        {
          message: `network plugin: ${flannel.name} does not enforce NetworkPolicy (${plural(policyCount, 'policy')} present)`,
          cause: `Found ${cni.plugins.map((p) => `${p.name} (${p.evidence})`).join(', ')} and no plugin that enforces NetworkPolicy (${KNOWN_CNI_NAMES.filter((n) => n !== 'flannel').join(', ')}): the policies are stored but every connection is still allowed.`,
          fix: 'Install a policy enforcer next to flannel (Canal: Calico policy on flannel; or kube-router in firewall-only mode), or move to a CNI that enforces policies (Calico, Cilium, Antrea).',
        },
      ),
    );
    return;
  }
  l.findings.push(
    finding(
      'KD4011',
      { kind: 'Cluster', name: 'network plugin' },
      {
        message: `network plugin: no known NetworkPolicy enforcer found (${plural(policyCount, 'policy')} present)`,
        cause: `kdiag looked for the DaemonSets and pods of ${KNOWN_CNI_NAMES.join(', ')} in every namespace and found none${cni.unknown.length ? ` (could not list ${cni.unknown.join(', ')})` : ''}. If the network plugin does not enforce NetworkPolicy, every connection is still allowed. A managed cluster's built-in enforcer may not be recognised.`,
        fix: fix`Find the network plugin (${kubectl('get', 'daemonsets', '-A')}) and check that it enforces NetworkPolicy; test one deny with a real connection (kdiag netpol explain tells what should happen).`,
      },
    ),
  );
}

/** Plugins known to implement AdminNetworkPolicy / BaselineAdminNetworkPolicy (Calico ≥ 3.29, Antrea). */
const IMPLEMENTS_ADMIN_POLICIES = new Set(['Calico', 'Canal (Calico policy on flannel)', 'Antrea']);

function lintBeyondNetworkPolicy(l: Lint, cni: CniDetection | undefined): void {
  const objects = l.snapshot.clusterPolicies;
  if (!objects) return;
  // Only policies whose subject selects a live pod in scope: a policy for other namespaces is not this run's concern.
  const pods = [...l.ctx.podsByNamespace.keys()].filter(l.inScope).flatMap((n) => livePods(l.ctx, n).map(podEndpoint));
  const selecting = (l.ctx.clusterPolicies ?? []).filter((p) => pods.some((pod) => subjectSelects(p, pod, l.ctx).match));
  const present = (['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy'] as const)
    .map((k) => [k, selecting.filter((p) => p.kind === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  if (present.length > 0 && cni && cni.plugins.length && !cni.plugins.some((p) => IMPLEMENTS_ADMIN_POLICIES.has(p.name))) {
    l.findings.push(
      finding(
        'KD4013',
        { kind: 'Cluster', name: 'network plugin' },
        {
          message: `cluster-scoped policies: ${present.join(', ')}, but ${cni.plugins.map((p) => p.name).join(', ')} does not implement them`,
          cause: `kdiag evaluates the network-policy-api kinds as their specification says (kdiag netpol explain shows the tier that decides), but the network plugin found (${cni.plugins.map((p) => `${p.name}: ${p.evidence}`).join(', ')}) is not one known to enforce them (${[...IMPLEMENTS_ADMIN_POLICIES].join(', ')}): the objects are stored and the packets follow the NetworkPolicies alone.`,
          fix: 'Use a network plugin that implements AdminNetworkPolicy (Calico 3.29 or later, Antrea, OVN-Kubernetes), or express the rules as NetworkPolicies in each namespace; check a denied flow with a real connection.',
        },
      ),
    );
  }
  for (const kind of objects.native.filter((k) => k.items.length > 0)) {
    const names = kind.items.slice(0, 5).map((o) => (o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata?.name}` : (o.metadata?.name ?? '')));
    l.findings.push(
      finding(
        'KD4014',
        { kind: 'Cluster', name: kind.kind },
        {
          message: `${kind.items.length} ${kind.kind}: not evaluated by kdiag`,
          cause: `The network plugin's own policies (${names.join(', ')}${kind.items.length > names.length ? ', …' : ''}) can allow or deny what the Kubernetes policies say otherwise. kdiag names those whose selectors may select a connection's source or destination and reports such a verdict as unknown ("not covered by kdiag"), never as a plain allow or deny.`,
          fix: `Read the plugin's verdict with its own tools (Cilium: cilium policy trace / Hubble; Calico: calicoctl) for flows these policies select.`,
        },
      ),
    );
  }
}

/**
 * The snapshot as the NetworkPolicy rules read it, and how far they judge: with the loader's
 * inputs (src/cluster/netpol.ts), the Pods and DaemonSets of every namespace; without them
 * (fixtures), the snapshot as it is, cluster-wide only when it is not scoped to a namespace.
 * `kdiag check` and `kdiag netpol` both go through here, so they judge the same data.
 */
export function netpolScope(snapshot: Snapshot): { snapshot: Snapshot; options: NetpolOptions } {
  const inputs = snapshot.netpol;
  if (!inputs) return { snapshot, options: { namespace: snapshot.namespace, clusterWide: snapshot.namespace === undefined } };
  const { pods: _pods, daemonsets: _daemonsets, ...rest } = snapshot.unavailable;
  const unavailable: Snapshot['unavailable'] = { ...rest, ...(inputs.refused.daemonsets ? { daemonsets: inputs.refused.daemonsets } : {}) };
  const loaded = snapshot.loaded.filter((k) => k !== 'daemonsets' || !inputs.refused.daemonsets);
  return {
    snapshot: {
      ...snapshot,
      pods: inputs.pods,
      daemonsets: inputs.daemonsets,
      loaded: [...new Set([...loaded, 'pods' as const, ...(inputs.refused.daemonsets ? [] : ['daemonsets' as const])])],
      unavailable,
    },
    options: { namespace: snapshot.namespace, clusterWide: inputs.clusterWide },
  };
}

/** Inventory and lint. Pure: the snapshot in, rows and findings out. */
export function analyzeNetpol(snapshot: Snapshot, options: NetpolOptions): NetpolAnalysis {
  const ctx = buildContext(snapshot);
  const inScope = (n: string) => options.namespace === undefined || n === options.namespace;
  const podsKnown = (n: string) => options.clusterWide || n === options.namespace;
  const l: Lint = { ctx, snapshot, options, inScope, podsKnown, findings: [] };
  const policies = snapshot.networkpolicies
    .filter((p) => inScope(p.metadata?.namespace ?? ''))
    .sort((a, b) => (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const namespaceNames =
    options.namespace !== undefined ? [options.namespace] : [...new Set([...ctx.podsByNamespace.keys(), ...ctx.policiesByNamespace.keys()])].sort();
  const namespaces = namespaceNames.map((n) => namespaceRow(ctx, n)).filter((r) => options.namespace !== undefined || r.pods > 0 || r.policies > 0);
  const dns = dnsTargets(ctx);
  for (const policy of policies) {
    lintPolicyTypes(l, policy);
    lintSelectsNothing(l, policy);
    lintPeers(l, policy);
    lintPorts(l, policy);
    lintDns(l, policy, dns.pods[0]!);
    lintEgressDeniedAtDestination(l, policy);
  }
  lintNamespaces(l, namespaces);
  const controllers = options.clusterWide || options.namespace === undefined ? ingressControllerPods(l) : [];
  lintIngressBackends(l, controllers);
  let cni: CniDetection | undefined;
  if (options.clusterWide) {
    cni = detectCni(snapshot);
    lintCni(l, cni, policies.length);
  }
  lintBeyondNetworkPolicy(l, cni);
  return {
    policies: policies.map((p) => policyRow(ctx, p)),
    namespaces,
    ...(cni ? { cni } : {}),
    dns: { pods: dns.pods.map((p) => `${p.namespace}/${p.name}`), assumed: dns.assumed },
    ingressControllers: controllers.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`),
    findings: l.findings,
  };
}

export const netpolCheck: Check = {
  id: 'netpol',
  title: 'NetworkPolicies',
  requires: ['networkpolicies', 'pods', 'services', 'ingresses'],
  // Namespaces are cluster-scoped: without their labels, namespaceSelectors are judged only
  // where kubernetes.io/metadata.name decides them. IngressClasses (cluster-scoped) name the
  // controller whose Pods must reach an Ingress's backends (KD4009).
  optional: ['namespaces', 'ingressclasses'],
  // Pods and DaemonSets of every namespace, AdminNetworkPolicy & co. and the network plugins'
  // policy kinds (where the API serves them): src/cluster/netpol.ts, as for kdiag netpol.
  extras: ['netpol'],
  skippedWithout: {
    namespaces:
      'namespaceSelector peers that select by labels other than kubernetes.io/metadata.name, and KD4004 (a namespaceSelector that matches no namespace)',
    ingressclasses: "which controller serves each Ingress: KD4009 checked every known Ingress controller's reach, not only its class's",
    'cluster-pods':
      "pods of other namespaces: peers there (KD4005, egress KD4007, KD4012), the Ingress controller's reach to the Ingress backends (KD4009) and the network plugin (KD4010, KD4011)",
    'cluster-daemonsets': 'the network plugin and whether it enforces NetworkPolicy (KD4010, KD4011)',
  },
  run: (snapshot) => {
    const scope = netpolScope(snapshot);
    return analyzeNetpol(scope.snapshot, scope.options).findings;
  },
};
