// `kdiag dataplane` (pure): per node, what translates Service addresses (kube-proxy or its
// replacement), what enforces NetworkPolicies, and the CoreDNS replicas there; with findings for
// what is missing or unhealthy. Reads only; nothing is probed.
import type { V1DaemonSet, V1NetworkPolicy, V1Node } from '@kubernetes/client-node';
import { finding } from '../checks/lib/finding.js';
import { isPodReady, isTerminating, restartCount } from '../checks/lib/pods.js';
import { kubectl, fix } from '../report/fix.js';
import type { Finding } from '../report/types.js';
import { describeAgent, enforcerOnNode, ENFORCERS, isKubeProxyPod, proxyOnNode, type DataplaneView } from './components.js';

export interface NodeRow {
  node: string;
  ready: boolean | null;
  serviceProxy: string;
  mode: string | null;
  enforcer: string;
  coredns: string[];
}

const DNS_LABEL = 'kube-dns';

/**
 * A NoSchedule/NoExecute taint of the node that the DaemonSet's pods do not tolerate: the
 * DaemonSet does not want a pod there (dedicated or fake nodes), so its absence is no fault.
 */
export function untoleratedTaint(ds: V1DaemonSet | undefined, node: V1Node | undefined): string | undefined {
  if (!ds || !node) return undefined;
  const tolerations = ds.spec?.template?.spec?.tolerations ?? [];
  for (const t of node.spec?.taints ?? []) {
    if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
    const tolerated = tolerations.some(
      (x) => (x.operator === 'Exists' && (!x.key || x.key === t.key)) || (x.key === t.key && (x.value ?? '') === (t.value ?? '')),
    );
    if (!tolerated) return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
  }
  return undefined;
}

/**
 * The DaemonSet has every pod it wants Ready and its nodeSelector matches the node, yet no pod
 * runs there: its controller decided the node is not for it (affinity, taints, virtual nodes).
 */
export function notWantedHere(ds: V1DaemonSet | undefined, node: V1Node | undefined): string | undefined {
  if (!ds || !node) return undefined;
  const taint = untoleratedTaint(ds, node);
  if (taint) return `taint ${taint}`;
  const sel = ds.spec?.template?.spec?.nodeSelector ?? {};
  if (Object.entries(sel).some(([k, v]) => node.metadata?.labels?.[k] !== v)) return undefined; // a selector that excludes it: worth saying
  const desired = ds.status?.desiredNumberScheduled;
  if (desired !== undefined && desired > 0 && desired === (ds.status?.numberReady ?? -1)) return `not scheduled there by DaemonSet ${ds.metadata?.name}`;
  return undefined;
}

/**
 * The rows and findings of the data plane, for `kdiag dataplane` and the `dataplane` check of
 * `kdiag check` alike. `policies`: the NetworkPolicies of the run's scope (`namespace`, or the
 * whole cluster when undefined), or undefined when they could not be read.
 */
export function dataplaneRows(
  view: DataplaneView,
  policies: readonly V1NetworkPolicy[] | undefined,
  namespace?: string,
): { rows: NodeRow[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const nodes = view.nodes
    .map((n) => n.metadata?.name ?? '')
    .filter(Boolean)
    .sort();
  const proxyPods = view.systemPods.filter(isKubeProxyPod);
  const enforcerInstalled = ENFORCERS.some((k) => view.systemPods.some(k.match) || view.daemonsets.some((d) => k.daemonset.test(d.metadata?.name ?? '')));
  const rows = nodes.map((node): NodeRow => {
    const n = view.nodes.find((x) => x.metadata?.name === node);
    const ready = n ? n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' : null;
    const proxy = proxyOnNode(view, node);
    const enf = enforcerOnNode(view, node);
    const enforcerDs = view.daemonsets.find((d) => ENFORCERS.some((k) => k.name === enf.enforcer && k.daemonset.test(d.metadata?.name ?? '')));
    const proxyDs = view.daemonsets.find((d) => d.metadata?.name === 'kube-proxy');
    const enforcerTaint = enf.agent ? undefined : notWantedHere(enforcerDs, n);
    const proxyTaint = proxy.agent ? undefined : notWantedHere(proxyDs, n);
    const coredns = view.systemPods
      // A replica being deleted (a rollout's or a restart's old pod) no longer serves: left out.
      .filter((p) => p.spec?.nodeName === node && p.metadata?.labels?.['k8s-app'] === DNS_LABEL && !isTerminating(p))
      .map((p) => `${p.metadata?.name} (${isPodReady(p) ? 'Ready' : 'not Ready'}, ${restartCount(p)} restarts)`);
    const serviceProxy = proxy.replacement
      ? `${proxy.replacement.name} (replaces kube-proxy)`
      : proxy.agent
        ? `kube-proxy ${describeAgent(proxy.agent).replace(/^pod /, '')}`
        : proxyPods.length
          ? 'kube-proxy: no pod on this node'
          : 'kube-proxy: not a pod (host process?)';
    // kube-proxy runs as pods elsewhere but not healthy here: clients on this node lose Services.
    if (!proxy.replacement && proxyPods.length && (!proxy.agent || !proxy.agent.ready) && ready !== false && !proxyTaint) {
      findings.push(
        finding(
          'KD6020',
          { kind: 'Node', name: node },
          {
            message: `${node}: ${proxy.agent ? `kube-proxy pod ${proxy.agent.pod} is not Ready` : 'no kube-proxy pod runs on this node'}, while other nodes have one`,
            cause: `kube-proxy translates Service addresses on each node for the pods there. ${proxy.agent ? `On ${node}: ${describeAgent(proxy.agent)}` : proxy.summary}. Pods on ${node} then reach Services only by luck: rules are missing or stale.`,
            fix: proxy.agent
              ? fix`Read its log and restart it: ${kubectl('-n', 'kube-system', 'logs', proxy.agent.pod, '--tail=100')}; ${kubectl('-n', 'kube-system', 'delete', 'pod', proxy.agent.pod)}`
              : fix`Check why its DaemonSet does not run there (nodeSelector, taints): ${kubectl('-n', 'kube-system', 'get', 'daemonsets', '-o', 'wide')}`,
          },
        ),
      );
    }
    if ((enforcerInstalled || (policies?.length ?? 0) > 0) && enf.problem && ready !== false && !enforcerTaint) {
      findings.push(
        finding(
          'KD6021',
          { kind: 'Node', name: node },
          {
            message: `${node}: NetworkPolicies are not enforced here: ${enf.problem}`,
            cause: `A NetworkPolicy is applied by the network plugin's agent on each node; ${policies ? `${policies.length} NetworkPolicy object(s) exist${namespace === undefined ? '' : ` in namespace ${namespace}`}, and ` : ''}pods on ${node} are not protected by them while the agent is missing or not Ready.`,
            fix: fix`Bring the agent back on ${node} (its DaemonSet's nodeSelector, tolerations, crash log): ${kubectl('-n', 'kube-system', 'get', 'pods', '-o', 'wide', '--field-selector', `spec.nodeName=${node}`)}`,
          },
        ),
      );
    }
    return {
      node,
      ready,
      serviceProxy,
      mode: proxy.replacement ? null : (proxy.mode.mode ?? null),
      enforcer: enf.agent
        ? `${enf.enforcer} ${describeAgent(enf.agent).replace(/^pod /, '')}`
        : enforcerTaint
          ? `${enf.enforcer}: not wanted (${enforcerTaint})`
          : enf.enforcer
            ? `${enf.enforcer}: missing`
            : 'none found',
      coredns,
    };
  });
  return { rows, findings };
}
