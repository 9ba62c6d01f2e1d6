// What runs the data plane on each node, read from the API only (pure): kube-proxy or what
// replaces it, and the NetworkPolicy enforcer. Recognised by the labels and names their
// upstream manifests use; anything kdiag could not read is said, never guessed.
import type { V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import type { DataplaneInputs } from '../snapshot.js';
import { isPodReady, restartCount } from '../checks/lib/pods.js';

/** What kdiag read about the data plane (src/cluster/dataplane.ts loads it); the type lives with the snapshot. */
export type DataplaneView = DataplaneInputs;

export interface AgentState {
  pod: string;
  node?: string;
  phase: string;
  ready: boolean;
  restarts: number;
  /** "OOMKilled (exit 137) at …" of the last termination, if any. */
  lastTermination?: string;
}

function agentState(p: V1Pod): AgentState {
  const statuses = p.status?.containerStatuses ?? [];
  const last = statuses.map((s) => s.lastState?.terminated).find(Boolean);
  return {
    pod: p.metadata?.name ?? '',
    ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
    phase: p.status?.phase ?? 'Unknown',
    ready: isPodReady(p),
    restarts: restartCount(p),
    ...(last
      ? {
          lastTermination: `${last.reason ?? 'terminated'} (exit ${last.exitCode})${last.finishedAt ? ` at ${new Date(String(last.finishedAt)).toISOString()}` : ''}`,
        }
      : {}),
  };
}

export function describeAgent(a: AgentState): string {
  return `pod kube-system/${a.pod}: ${a.phase}, ${a.ready ? 'Ready' : 'not Ready'}, ${a.restarts} restart(s)${a.lastTermination ? `, last termination ${a.lastTermination}` : ''}`;
}

const labelOf = (p: V1Pod, k: string) => p.metadata?.labels?.[k];
const argsOf = (p: V1Pod) => (p.spec?.containers ?? []).flatMap((c) => [...(c.command ?? []), ...(c.args ?? [])]);
const envOf = (p: V1Pod, name: string) => (p.spec?.containers ?? []).flatMap((c) => c.env ?? []).find((e) => e.name === name)?.value;

/** A boolean command-line flag's value in the pod's containers (`--flag`, `--flag=true|false`). */
function flagValue(p: V1Pod, flag: string): boolean | undefined {
  for (const a of argsOf(p)) {
    if (a === `--${flag}`) return true;
    if (a.startsWith(`--${flag}=`)) return /^(true|1|yes)$/i.test(a.slice(flag.length + 3));
  }
  return undefined;
}

export function isKubeProxyPod(p: V1Pod): boolean {
  return labelOf(p, 'k8s-app') === 'kube-proxy' || labelOf(p, 'component') === 'kube-proxy' || /^kube-proxy-/.test(p.metadata?.name ?? '');
}

export type ProxyMode = 'iptables' | 'ipvs' | 'nftables' | 'kernelspace';

/** kube-proxy's mode: --proxy-mode in its pod, else `mode:` in its ConfigMap (empty means iptables on Linux). */
export function kubeProxyMode(pods: readonly V1Pod[], config: string | undefined): { mode?: string; from: string } {
  for (const p of pods) {
    const arg = argsOf(p).find((a) => a.startsWith('--proxy-mode='));
    if (arg) return { mode: arg.slice('--proxy-mode='.length), from: `--proxy-mode of pod ${p.metadata?.name}` };
  }
  if (config !== undefined) {
    const m = /^mode:\s*"?([A-Za-z]*)"?\s*$/m.exec(config);
    const mode = m?.[1] || 'iptables';
    return { mode, from: m?.[1] ? 'ConfigMap kube-system/kube-proxy' : 'ConfigMap kube-system/kube-proxy (mode empty: the Linux default)' };
  }
  return { from: 'neither a kube-proxy pod with --proxy-mode nor ConfigMap kube-system/kube-proxy was found' };
}

export interface ProxyReplacement {
  name: string;
  evidence: string;
}

/** A component that does the Service translation instead of kube-proxy. */
export function proxyReplacement(pods: readonly V1Pod[]): ProxyReplacement | undefined {
  for (const p of pods) {
    const name = p.metadata?.name ?? '';
    if (labelOf(p, 'k8s-app') === 'kube-router' || /^kube-router-/.test(name)) {
      if (flagValue(p, 'run-service-proxy') === true) return { name: 'kube-router', evidence: `pod ${name} runs with --run-service-proxy=true` };
    }
    if (labelOf(p, 'k8s-app') === 'cilium' || /^cilium-(?!operator)/.test(name)) {
      const kpr = argsOf(p).find((a) => a.startsWith('--kube-proxy-replacement'));
      if (kpr && !/=(false|disabled)$/.test(kpr)) return { name: 'Cilium', evidence: `pod ${name} runs with ${kpr}` };
    }
    if (labelOf(p, 'k8s-app') === 'calico-node' && /^true$/i.test(envOf(p, 'FELIX_BPFENABLED') ?? ''))
      return { name: 'Calico eBPF', evidence: `pod ${name} has FELIX_BPFENABLED=true` };
  }
  return undefined;
}

export interface EnforcerKind {
  name: string;
  match: (p: V1Pod) => boolean;
  /** The DaemonSet that runs it (name pattern). */
  daemonset: RegExp;
}

/** NetworkPolicy enforcers kdiag recognises (their agents' labels in upstream manifests). */
export const ENFORCERS: readonly EnforcerKind[] = [
  {
    name: 'kube-router',
    match: (p) => (labelOf(p, 'k8s-app') === 'kube-router' || /^kube-router-/.test(p.metadata?.name ?? '')) && flagValue(p, 'run-firewall') !== false,
    daemonset: /^kube-router$/,
  },
  { name: 'Calico', match: (p) => labelOf(p, 'k8s-app') === 'calico-node', daemonset: /^calico-node$/ },
  { name: 'Cilium', match: (p) => labelOf(p, 'k8s-app') === 'cilium', daemonset: /^cilium$/ },
  { name: 'Antrea', match: (p) => labelOf(p, 'component') === 'antrea-agent', daemonset: /^antrea-agent$/ },
  { name: 'Weave Net', match: (p) => labelOf(p, 'name') === 'weave-net', daemonset: /^weave-net$/ },
];

export interface EnforcerOnNode {
  enforcer?: string;
  agent?: AgentState;
  /** Why there is no Ready agent on the node, in words; undefined when one is Ready. */
  problem?: string;
}

/** The NetworkPolicy enforcer's agent on a node, and what is wrong with it. */
export function enforcerOnNode(view: Pick<DataplaneView, 'systemPods' | 'daemonsets' | 'nodes'>, node: string | undefined): EnforcerOnNode {
  const kinds = ENFORCERS.filter((k) => view.systemPods.some(k.match) || view.daemonsets.some((d) => k.daemonset.test(d.metadata?.name ?? '')));
  if (kinds.length === 0) {
    return {
      problem: `no NetworkPolicy enforcer found in kube-system (looked for ${ENFORCERS.map((e) => e.name).join(', ')} agents and DaemonSets): NetworkPolicies are stored but nothing applies them`,
    };
  }
  const kind = kinds[0]!;
  const pods = view.systemPods.filter(kind.match);
  const here = pods.filter((p) => node === undefined || p.spec?.nodeName === node).map(agentState);
  const ready = here.find((a) => a.ready && a.phase === 'Running');
  if (ready) return { enforcer: kind.name, agent: ready };
  const ds = view.daemonsets.find((d) => kind.daemonset.test(d.metadata?.name ?? ''));
  const where = node ? `on node ${node}` : 'on any node';
  if (here.length) return { enforcer: kind.name, agent: here[0], problem: `its agent ${where} is not Ready (${describeAgent(here[0]!)})` };
  const dsText = ds
    ? ` its DaemonSet kube-system/${ds.metadata?.name} wants ${ds.status?.desiredNumberScheduled ?? '?'} pod(s), ${ds.status?.numberReady ?? 0} Ready${
        ds.spec?.template?.spec?.nodeSelector
          ? `, nodeSelector ${Object.entries(ds.spec.template.spec.nodeSelector)
              .map(([k, v]) => `${k}=${v}`)
              .join(',')}`
          : ''
      }${nodeExcluded(ds, view.nodes, node) ? `: its nodeSelector does not match node ${node}` : ''}`
    : '';
  return { enforcer: kind.name, problem: `no ${kind.name} agent runs ${where}${dsText ? `;${dsText}` : ''}` };
}

function nodeExcluded(ds: V1DaemonSet, nodes: readonly V1Node[], node: string | undefined): boolean {
  const sel = ds.spec?.template?.spec?.nodeSelector;
  if (!sel || !node) return false;
  const n = nodes.find((x) => x.metadata?.name === node);
  if (!n) return false;
  return Object.entries(sel).some(([k, v]) => n.metadata?.labels?.[k] !== v);
}

export interface ProxyOnNode {
  node?: string;
  nodeReady?: boolean;
  /** kube-proxy's pod there, if it runs as a pod. */
  agent?: AgentState;
  replacement?: ProxyReplacement;
  mode: { mode?: string; from: string };
  /** What the Node object says about kube-proxy (status.nodeInfo.kubeProxyVersion, deprecated). */
  nodeInfo?: string;
  summary: string;
}

/** kube-proxy (or its replacement) on a node, in one sentence with the evidence. */
export function proxyOnNode(view: DataplaneView, node: string | undefined): ProxyOnNode {
  const proxies = view.systemPods.filter(isKubeProxyPod);
  const replacement = proxyReplacement(view.systemPods);
  const mode = kubeProxyMode(proxies, view.kubeProxyConfig);
  const n = view.nodes.find((x) => x.metadata?.name === node);
  const nodeReady = n ? n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' : undefined;
  const version = n?.status?.nodeInfo?.kubeProxyVersion;
  const pod = proxies.find((p) => p.spec?.nodeName === node);
  const agent = pod ? agentState(pod) : undefined;
  const nodeText = node ? `node ${node}${nodeReady === undefined ? '' : nodeReady ? ' (Ready)' : ' (NOT Ready)'}` : "the probe's node";
  let summary: string;
  if (replacement) summary = `${replacement.name} replaces kube-proxy (${replacement.evidence}); it translates Service addresses on ${nodeText}`;
  else if (agent) summary = `kube-proxy on ${nodeText}: ${describeAgent(agent)}; mode ${mode.mode ?? 'unknown'} (${mode.from})`;
  else if (proxies.length)
    summary = `kube-proxy runs as pods (${proxies.map((p) => p.metadata?.name).join(', ')}) but none on ${nodeText}: nothing programs Services there`;
  else {
    summary = `No kube-proxy pod in kube-system: on ${nodeText} kube-proxy runs outside the API's view (a host process or static binary; check it on the node)${version ? `; the Node reports kubeProxyVersion ${version}` : ''}; mode ${mode.mode ?? 'unknown'} (${mode.from})`;
  }
  return {
    ...(node ? { node } : {}),
    ...(nodeReady !== undefined ? { nodeReady } : {}),
    ...(agent ? { agent } : {}),
    ...(replacement ? { replacement } : {}),
    mode,
    ...(version ? { nodeInfo: version } : {}),
    summary,
  };
}

/** Policy API groups kdiag's engine does not evaluate, with the kinds they carry. */
export const FOREIGN_POLICY_GROUPS: Record<string, string> = {
  'cilium.io': 'CiliumNetworkPolicy/CiliumClusterwideNetworkPolicy',
  'crd.projectcalico.org': 'Calico NetworkPolicy/GlobalNetworkPolicy',
  'projectcalico.org': 'Calico NetworkPolicy/GlobalNetworkPolicy',
  'policy.networking.k8s.io': 'AdminNetworkPolicy/BaselineAdminNetworkPolicy/ClusterNetworkPolicy',
  'crd.antrea.io': 'Antrea ClusterNetworkPolicy/NetworkPolicy',
};

export function foreignPolicyKinds(apiGroups: readonly string[] | undefined): string[] {
  return (apiGroups ?? []).filter((g) => FOREIGN_POLICY_GROUPS[g]).map((g) => `${FOREIGN_POLICY_GROUPS[g]} (${g})`);
}
