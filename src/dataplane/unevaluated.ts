// Prediction against observation, the other way round (pure): kdiag's NetworkPolicy engine
// predicts that the probe may reach a Service's pods, every one of them times out from that
// probe, yet they answer a second probe pod that no policy restricts. Something that tells the
// two sources apart drops the first one's packets: a policy kdiag cannot evaluate (a network
// plugin's own kinds), or, when none exists, a firewall rule keyed on the source.
import type { V1Pod } from '@kubernetes/client-node';
import { finding } from '../checks/lib/finding.js';
import { namedPorts } from '../checks/lib/pods.js';
import { buildContext, podEndpoint } from '../netpol/policy.js';
import { egressTo, ingressFrom, probeEndpoint } from '../probes/explain.js';
import type { ProbeTarget } from '../probes/plan.js';
import { cmd, fix, joinFixes, kubectl } from '../report/fix.js';
import type { Finding, ObjectRef } from '../report/types.js';
import type { ClusterPolicyObjects, Snapshot } from '../snapshot.js';
import { answered, howItFailed, type Differential, type ExtraResult } from './differential.js';
import type { ExtraProbe } from './plan.js';

export interface ProbeSourceIdentity {
  namespace: string;
  /** The labels the probe pod carries (the workload's, if it stood in for one, and kdiag's own). */
  labels: Record<string, string>;
}

/** A Service whose every endpoint timed out from the probe although kdiag predicts the connection allowed. */
export interface SilentTarget {
  target: ProbeTarget;
  ref: ObjectRef;
  endpoints: ExtraResult[];
}

/** The second source: a probe pod kdiag's engine predicts may reach every silent endpoint. */
export interface UnrestrictedSource extends ProbeSourceIdentity {
  /** "an unlabelled probe pod in namespace shop (without the workload's labels)". */
  description: string;
}

const sameRef = (a: ObjectRef, b: ObjectRef) => a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;

/** Whether the engine predicts `source` → each endpoint pod allowed on its target port, egress and ingress (true, not 'maybe'). */
export function predictedAllowed(t: ProbeTarget, probes: readonly ExtraProbe[], snapshot: Snapshot, source: ProbeSourceIdentity): boolean {
  const ctx = buildContext(snapshot);
  const src = probeEndpoint(source.namespace, source.labels);
  if (probes.length === 0) return false;
  return probes.every((probe) => {
    const pod = snapshot.pods.find((p: V1Pod) => p.metadata?.namespace === probe.pod?.namespace && p.metadata?.name === probe.pod?.name);
    if (!pod) return false;
    const tp = t.service!.targetPort;
    const port = /^\d+$/.test(tp) ? Number(tp) : namedPorts(pod).get(tp)?.port;
    if (port === undefined) return false;
    const dest = podEndpoint(pod);
    return egressTo(ctx, src, dest, port).allowed === true && ingressFrom(ctx, dest, src, port).allowed === true;
  });
}

/**
 * The targets whose every endpoint timed out (the "pod network" verdict) while the engine
 * predicts the probe allowed, and no NetworkPolicy finding (KD5039) explains the failure.
 */
export function allowedButSilent(d: Differential, snapshot: Snapshot, source: ProbeSourceIdentity, base: readonly Finding[]): SilentTarget[] {
  const out: SilentTarget[] = [];
  for (const v of d.verdicts) {
    if (v.kind !== 'pod-network') continue;
    if (base.some((f) => f.code === 'KD5039' && sameRef(f.object, v.ref))) continue;
    if (
      predictedAllowed(
        v.target,
        v.endpoints.map((e) => e.probe),
        snapshot,
        source,
      )
    )
      out.push({ target: v.target, ref: v.ref, endpoints: v.endpoints });
  }
  return out;
}

/**
 * A source that differs from the probe in what policies select by, and that the engine predicts
 * allowed to every silent endpoint: first the probe's namespace without the workload's labels
 * (when it stood in for a workload), then the endpoints' namespace. kdiag's own labels stay
 * (every probe pod has them); undefined when no such source exists (the probe was already
 * unlabelled in the endpoints' namespace, or every candidate is itself restricted).
 */
export function unrestrictedSource(
  silent: readonly SilentTarget[],
  snapshot: Snapshot,
  source: ProbeSourceIdentity & { workloadLabels?: Record<string, string> },
  ownLabels: Record<string, string>,
): UnrestrictedSource | undefined {
  const candidates: UnrestrictedSource[] = [];
  if (Object.keys(source.workloadLabels ?? {}).length)
    candidates.push({
      namespace: source.namespace,
      labels: ownLabels,
      description: `an unlabelled probe pod in namespace ${source.namespace} (without the workload's labels)`,
    });
  for (const ns of new Set(silent.map((s) => s.ref.namespace ?? ''))) {
    if (ns && ns !== source.namespace)
      candidates.push({ namespace: ns, labels: ownLabels, description: `an unlabelled probe pod in the pods' namespace ${ns}` });
  }
  return candidates.find((c) =>
    silent.every((s) =>
      predictedAllowed(
        s.target,
        s.endpoints.map((e) => e.probe),
        snapshot,
        c,
      ),
    ),
  );
}

/** The kinds of policy present beyond NetworkPolicy, in words: which kdiag evaluates, which it cannot, which it could not read. */
export function policyKindsPresent(policies: ClusterPolicyObjects | undefined): { notEvaluated: string[]; evaluated: string[]; unreadable: string[] } {
  if (!policies) return { notEvaluated: [], evaluated: [], unreadable: ['policy kinds beyond NetworkPolicy (not loaded)'] };
  const names = (items: readonly { metadata?: { name?: string; namespace?: string } }[]) =>
    items
      .slice(0, 3)
      .map((o) => (o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata?.name}` : (o.metadata?.name ?? '?')))
      .join(', ') + (items.length > 3 ? ', …' : '');
  const notEvaluated = policies.native.filter((k) => k.items.length).map((k) => `${k.items.length} ${k.kind} (${names(k.items)})`);
  const evaluated = (
    [
      ['AdminNetworkPolicy', policies.adminNetworkPolicies],
      ['BaselineAdminNetworkPolicy', policies.baselineAdminNetworkPolicies],
      ['ClusterNetworkPolicy', policies.clusterNetworkPolicies],
    ] as const
  )
    .filter(([, items]) => items.length)
    .map(([kind, items]) => `${items.length} ${kind} (${names(items)})`);
  const unreadable = Object.entries(policies.unreadable).map(([kind, why]) => `${kind}: ${why.split('\n')[0]}`);
  return { notEvaluated, evaluated, unreadable };
}

function podText(e: ExtraResult): string {
  return `${e.probe.pod?.name ?? e.probe.address} (${e.probe.address}:${e.probe.port}${e.probe.pod?.node ? `, node ${e.probe.pod.node}` : ''})`;
}

/** The plugin kinds' list commands, for the fix. */
const LIST_COMMANDS: Record<string, readonly string[]> = {
  CiliumNetworkPolicy: ['get', 'ciliumnetworkpolicies.cilium.io', '-A'],
  CiliumClusterwideNetworkPolicy: ['get', 'ciliumclusterwidenetworkpolicies.cilium.io'],
  'NetworkPolicy (crd.projectcalico.org)': ['get', 'networkpolicies.crd.projectcalico.org', '-A'],
  'GlobalNetworkPolicy (crd.projectcalico.org)': ['get', 'globalnetworkpolicies.crd.projectcalico.org'],
  'NetworkPolicy (projectcalico.org)': ['get', 'networkpolicies.projectcalico.org', '-A'],
  'GlobalNetworkPolicy (projectcalico.org)': ['get', 'globalnetworkpolicies.projectcalico.org'],
};

/**
 * KD5046 for each silent target the unrestricted source reached (at least one endpoint
 * answered it); the other silent targets keep their "pod network" verdict (KD5042).
 */
export function unevaluatedPolicyFindings(
  silent: readonly SilentTarget[],
  unrestricted: UnrestrictedSource,
  results: readonly ExtraResult[],
  source: { description: string },
  policies: ClusterPolicyObjects | undefined,
): Finding[] {
  const kinds = policyKindsPresent(policies);
  const out: Finding[] = [];
  for (const s of silent) {
    const mine = results.filter((r) =>
      s.endpoints.some((e) => e.probe.address === r.probe.address && e.probe.port === r.probe.port && e.probe.of === r.probe.of),
    );
    const answering = mine.filter((r) => answered(r.result));
    if (answering.length === 0) continue;
    const svc = s.ref.name;
    const ns = s.ref.namespace ?? '';
    const port = s.endpoints[0]!.probe.port;
    const nodes = [...new Set(s.endpoints.map((e) => e.probe.pod?.node).filter((n): n is string => Boolean(n)))];
    const present = kinds.notEvaluated.length
      ? `Policy kinds present that kdiag does not evaluate: ${kinds.notEvaluated.join('; ')}; one of them may select this flow.`
      : `No policy kinds that kdiag cannot evaluate were found (looked for CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and Calico's NetworkPolicy/GlobalNetworkPolicy${kinds.unreadable.length ? `; could not read: ${kinds.unreadable.join('; ')}` : ''}): suspect a firewall rule on the node (iptables or nftables) or in the cloud that matches the first source's address.`;
    const evaluated = kinds.evaluated.length ? ` kdiag evaluated ${kinds.evaluated.join('; ')} in its prediction.` : '';
    const listFixes = Object.entries(LIST_COMMANDS)
      .filter(([kind]) => policies?.native.some((k) => k.kind === kind && k.items.length))
      .map(([, args]) => fix`${kubectl(...args)}`);
    out.push(
      finding('KD5046', s.ref, {
        message: `${svc}: predicted allow, observed timeout from the probe ${source.description}, while ${answering.length} of ${mine.length} endpoint(s) answer ${unrestricted.description}: a policy kdiag cannot evaluate${kinds.notEvaluated.length ? ` (present: ${kinds.notEvaluated.map((k) => k.replace(/ \(.*$/, '')).join(', ')})` : ' (none found: suspect a firewall rule)'}`,
        cause: `kdiag's NetworkPolicy engine predicts the probe ${source.description} may reach ${s.endpoints.map(podText).join(', ')} on port ${port} (egress and ingress), yet every one timed out. A second probe pod, ${unrestricted.description}, which the engine also predicts allowed, reached ${answering.map((r) => `${podText(r)}: ${howItFailed(r.result)}`).join(', ')}: the pods serve and the pod network carries their traffic, so something that tells the two sources apart drops the first one's packets. ${present}${evaluated}`,
        fix: kinds.notEvaluated.length
          ? joinFixes(
              [
                fix`Read the plugin's verdict for this flow with its own tools (Cilium: cilium policy trace or Hubble; Calico: calicoctl) and find the policy that selects the source or the pods:`,
                ...listFixes,
              ],
              ' ',
            )
          : fix`On the pods' node(s) ${nodes.join(', ') || '?'}, as root, look for rules that match the first source's pod IP (iptables-save, nft list ruleset) and for a cloud firewall between pods; then probe again: ${cmd('kdiag', 'connectivity', `${svc}.${ns}`)}`,
      }),
    );
  }
  return out;
}
