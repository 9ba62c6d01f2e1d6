// Differential verdicts (pure): the Service by name, the same Service by ClusterIP, and each
// ready endpoint by pod IP, all tried from one probe pod; the differences name the hop that
// fails. Also prediction against observation: where kdiag's NetworkPolicy engine predicts a
// deny and the probe connected anyway, the policies are not enforced on that path.
import type { V1Pod } from '@kubernetes/client-node';
import { finding } from '../checks/lib/finding.js';
import { buildContext, podEndpoint } from '../netpol/policy.js';
import { namedPorts } from '../checks/lib/pods.js';
import { cmd, fix, kubectl } from '../report/fix.js';
import type { Finding, ObjectRef } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { egressTo, ingressFrom, probeEndpoint } from '../probes/explain.js';
import type { CurlResult } from '../probes/interpret-http.js';
import type { ProbeTarget } from '../probes/plan.js';
import { enforcerOnNode, proxyOnNode, type DataplaneView } from './components.js';
import type { EndpointPod, ExtraProbe } from './plan.js';

export interface ExtraResult {
  probe: ExtraProbe;
  result?: CurlResult;
}

/** One row of the "tried directly" table. */
export interface DirectRow {
  /** The target (as the user typed it) this row belongs to. */
  target: string;
  via: 'cluster-ip' | 'endpoint';
  address: string;
  port: number;
  pod?: string;
  node?: string;
  status: string;
  outcome: string;
  totalMs?: number;
}

type Verdict =
  | { kind: 'dns'; target: ProbeTarget; ref: ObjectRef; clusterIp: ExtraResult; resolvedTo?: string }
  | { kind: 'service-path'; target: ProbeTarget; ref: ObjectRef; service: CurlResult; clusterIp?: ExtraResult; answering: ExtraResult[] }
  | { kind: 'some-endpoints'; target: ProbeTarget; ref: ObjectRef; failing: ExtraResult[]; answering: ExtraResult[]; readiness: string[] }
  | { kind: 'pod-network'; target: ProbeTarget; ref: ObjectRef; endpoints: ExtraResult[] }
  | {
      kind: 'not-enforced';
      target: ProbeTarget;
      ref: ObjectRef;
      denies: { direction: 'egress' | 'ingress'; policies: string[]; pods: string[]; nodes: string[] }[];
      connectedTo: string[];
    };

export interface DifferentialInput {
  targets: readonly ProbeTarget[];
  /** curl results of the targets themselves (index = position among the probed targets). */
  results: readonly CurlResult[];
  extras: readonly ExtraResult[];
  snapshot: Snapshot;
  source: { namespace: string; labels: Record<string, string> };
  /** The node the probe pod ran on. */
  probeNode?: string;
}

export interface Differential {
  verdicts: Verdict[];
  rows: DirectRow[];
  /** Node health answer (kube-proxy's /healthz on the probe's node), if asked. */
  nodeHealth?: CurlResult;
}

/** TCP connection made (any HTTP status counts: something listens). */
export const answered = (r: CurlResult | undefined): boolean =>
  Boolean(r && (r.connected || r.httpCode > 0) && r.outcome !== 'timeout' && r.outcome !== 'refused');
/** Served as expected: a 2xx/3xx or a TCP connect. */
const served = (r: CurlResult | undefined): boolean => Boolean(r && (r.outcome === 'ok' || r.outcome === 'connected'));
const failedToConnect = (r: CurlResult | undefined): boolean => Boolean(r && !answered(r) && r.outcome !== 'dns');

export function howItFailed(r: CurlResult | undefined): string {
  if (!r) return 'no result';
  switch (r.outcome) {
    case 'refused':
      return 'connection refused';
    case 'timeout':
      return r.connected ? 'connected, then no answer in time' : 'timed out';
    case 'server-error':
    case 'client-error':
      return `HTTP ${r.httpCode}`;
    case 'reset':
      return 'connection reset / empty reply';
    case 'tls':
      return 'TLS handshake failed';
    case 'ok':
      return `HTTP ${r.httpCode}`;
    case 'connected':
      return 'connected';
    default:
      return `curl exit ${r.exitCode}`;
  }
}

function refOf(t: ProbeTarget): ObjectRef {
  return { kind: 'Service', namespace: t.service!.namespace, name: t.service!.name };
}

function podText(e: ExtraResult): string {
  return `${e.probe.pod?.name ?? e.probe.address} (${e.probe.address}:${e.probe.port}${e.probe.pod?.node ? `, node ${e.probe.pod.node}` : ''})`;
}

/** "pod X's readiness probe checks HTTP GET :9090/health, not the target port 8080" (when it checks another port). */
function readinessText(snapshot: Snapshot, probe: ExtraProbe): string | undefined {
  const pod = snapshot.pods.find((p) => p.metadata?.namespace === probe.pod?.namespace && p.metadata?.name === probe.pod?.name);
  if (!pod) return undefined;
  for (const c of pod.spec?.containers ?? []) {
    const rp = c.readinessProbe;
    if (!rp) continue;
    const raw = rp.httpGet?.port ?? rp.tcpSocket?.port ?? rp.grpc?.port;
    if (raw === undefined)
      return `pod ${probe.pod!.name}'s readiness probe runs a command (${(rp.exec?.command ?? []).join(' ').slice(0, 60)}), which does not test the port`;
    const port = typeof raw === 'number' || /^\d+$/.test(String(raw)) ? Number(raw) : namedPorts(pod).get(String(raw))?.port;
    const what = rp.httpGet
      ? `HTTP GET :${port ?? raw}${rp.httpGet.path ?? '/'}`
      : rp.tcpSocket
        ? `a TCP connect to :${port ?? raw}`
        : `gRPC on :${port ?? raw}`;
    if (port !== probe.port) return `pod ${probe.pod!.name}'s readiness probe checks ${what}, not the target port ${probe.port}`;
  }
  return undefined;
}

/** Policies predicted to deny the probe → pod connection, per direction (false, not 'maybe'). */
function predictedDenies(t: ProbeTarget, pods: readonly EndpointPod[], snapshot: Snapshot, source: DifferentialInput['source'], probeNode: string | undefined) {
  const ctx = buildContext(snapshot);
  const src = probeEndpoint(source.namespace, source.labels);
  const out = new Map<string, { direction: 'egress' | 'ingress'; policies: string[]; pods: string[]; nodes: string[] }>();
  for (const ep of pods) {
    const pod = snapshot.pods.find((p: V1Pod) => p.metadata?.namespace === ep.namespace && p.metadata?.name === ep.name);
    if (!pod) continue;
    const tp = t.service!.targetPort;
    const port = /^\d+$/.test(tp) ? Number(tp) : namedPorts(pod).get(tp)?.port;
    if (port === undefined) continue;
    const dest = podEndpoint(pod);
    const verdicts = { egress: egressTo(ctx, src, dest, port), ingress: ingressFrom(ctx, dest, src, port) };
    for (const direction of ['egress', 'ingress'] as const) {
      const v = verdicts[direction];
      if (v.allowed !== false) continue;
      const key = `${direction}|${v.isolating.join(',')}`;
      const e = out.get(key) ?? { direction, policies: v.isolating, pods: [], nodes: [] };
      e.pods.push(ep.name);
      const node = direction === 'egress' ? probeNode : ep.node;
      if (node && !e.nodes.includes(node)) e.nodes.push(node);
      out.set(key, e);
    }
  }
  return [...out.values()];
}

export function analyzeDifferential(input: DifferentialInput): Differential {
  const { targets, results, extras, snapshot, source, probeNode } = input;
  const probed = targets.filter((t) => !t.unresolved);
  const verdicts: Verdict[] = [];
  const rows: DirectRow[] = [];
  for (const t of probed) {
    if (!t.service) continue;
    const r = results.find((x) => x.index === probed.indexOf(t));
    const mine = extras.filter((e) => e.probe.of === t.index);
    const clusterIp = mine.find((e) => e.probe.role === 'cluster-ip');
    const endpoints = mine.filter((e) => e.probe.role === 'endpoint');
    for (const e of mine) {
      rows.push({
        target: t.label,
        via: e.probe.role === 'cluster-ip' ? 'cluster-ip' : 'endpoint',
        address: e.probe.address,
        port: e.probe.port,
        ...(e.probe.pod ? { pod: e.probe.pod.name } : {}),
        ...(e.probe.pod?.node ? { node: e.probe.pod.node } : {}),
        status: e.result ? howItFailed(e.result).toUpperCase() : 'NO RESULT',
        outcome: e.result?.outcome ?? 'error',
        ...(e.result ? { totalMs: e.result.timings.totalMs } : {}),
      });
    }
    if (!r) continue;
    const ref = refOf(t);
    // 1. The name: it does not resolve (or resolves elsewhere) while the ClusterIP answers.
    const clusterIPs = new Set(
      snapshot.services
        .filter((s) => s.metadata?.namespace === ref.namespace && s.metadata?.name === ref.name)
        .flatMap((s) => s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])),
    );
    if (clusterIp && answered(clusterIp.result)) {
      if (r.outcome === 'dns') verdicts.push({ kind: 'dns', target: t, ref, clusterIp });
      else if (r.remoteIp && clusterIPs.size && !clusterIPs.has(r.remoteIp)) verdicts.push({ kind: 'dns', target: t, ref, clusterIp, resolvedTo: r.remoteIp });
    }
    // 2. The endpoints among themselves: some serve, some do not.
    const good = endpoints.filter((e) => served(e.result));
    const bad = endpoints.filter((e) => e.result && !served(e.result));
    if (good.length && bad.length) {
      const readiness = bad.map((e) => readinessText(snapshot, e.probe)).filter((x): x is string => Boolean(x));
      verdicts.push({ kind: 'some-endpoints', target: t, ref, failing: bad, answering: good, readiness });
    } else if (endpoints.length && good.length === endpoints.length) {
      // 3. Every endpoint answers directly, the Service does not: the Service's translation on the probe's node.
      const viaName = r.outcome !== 'dns' && failedToConnect(r);
      const viaIp = clusterIp && failedToConnect(clusterIp.result);
      if (viaName || viaIp) verdicts.push({ kind: 'service-path', target: t, ref, service: r, ...(clusterIp ? { clusterIp } : {}), answering: good });
    } else if (
      endpoints.length &&
      endpoints.every((e) => e.result?.outcome === 'timeout' && !e.result.connected) &&
      (r.outcome === 'timeout' || r.outcome === 'dns')
    ) {
      // 4. Nothing answers by pod IP either (the caller drops this when a NetworkPolicy explains it).
      verdicts.push({ kind: 'pod-network', target: t, ref, endpoints });
    }
    // 5. Prediction against observation: a connection the policies should have stopped.
    const connectedTo = [
      ...(answered(r) ? [`${t.url} (by name)`] : []),
      ...(answered(clusterIp?.result) ? [`the ClusterIP ${clusterIp!.probe.address}`] : []),
      ...endpoints.filter((e) => answered(e.result)).map(podText),
    ];
    if (connectedTo.length) {
      const pods = endpoints.length
        ? endpoints
            .filter((e) => answered(e.result) || (answered(r) && !e.result))
            .map((e) => e.probe.pod!)
            .filter(Boolean)
        : [];
      const denies = predictedDenies(t, pods.length ? pods : endpoints.map((e) => e.probe.pod!).filter(Boolean), snapshot, source, probeNode);
      if (denies.length) verdicts.push({ kind: 'not-enforced', target: t, ref, denies, connectedTo });
    }
  }
  const health = extras.find((e) => e.probe.role === 'node-health')?.result;
  return { verdicts, rows, ...(health ? { nodeHealth: health } : {}) };
}

/** Whether turning the verdicts into findings needs the data-plane view (kube-proxy, enforcer). */
export function needsDataplaneView(d: Differential): boolean {
  return d.verdicts.some((v) => v.kind === 'service-path' || v.kind === 'not-enforced');
}

/** kube-proxy's /healthz answer: `{"lastUpdated": "...", "currentTime": "...", ...}`. */
export function describeProxyHealth(r: CurlResult | undefined, node: string | undefined): string {
  const where = `kube-proxy's health endpoint on ${node ? `node ${node}` : "the probe's node"} (port 10256, /healthz)`;
  if (!r) return `${where} was not asked`;
  if (!answered(r))
    return `${where} is not reachable from the probe pod (${howItFailed(r)}; kube-proxy may bind it to 127.0.0.1 only), so kdiag cannot read its lastUpdated`;
  const last = /"lastUpdated"\s*:\s*"([^"]+)"/.exec(r.body ?? '')?.[1];
  const now = /"currentTime"\s*:\s*"([^"]+)"/.exec(r.body ?? '')?.[1];
  if (last && now) {
    const lag = Math.round((Date.parse(now) - Date.parse(last)) / 1000);
    return `${where} answered HTTP ${r.httpCode}: lastUpdated ${last}, currentTime ${now}${Number.isFinite(lag) ? ` (${lag} s behind${r.httpCode >= 500 || lag > 60 ? ': kube-proxy has not synced its rules since' : ''})` : ''}`;
  }
  return `${where} answered HTTP ${r.httpCode}${r.body ? ` (${r.body.slice(0, 120)})` : ''}`;
}

/** Findings codes of analyzeConnectivity that a verdict replaces for its target (a better explanation). */
const REPLACES: Record<Verdict['kind'], string[]> = {
  dns: ['KD5035'],
  'service-path': ['KD5030', 'KD5031', 'KD5037'],
  'some-endpoints': ['KD5030', 'KD5031', 'KD5033', 'KD5037'],
  'pod-network': ['KD5031'],
  'not-enforced': [],
};

const sameRef = (a: ObjectRef, b: ObjectRef) => a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;

/**
 * The final findings: the base explanation of each target, with the ones a differential
 * verdict explains better replaced. A NetworkPolicy that explains a failure (KD5039) wins
 * over "pod network".
 */
export function mergeFindings(base: readonly Finding[], d: Differential, view: DataplaneView | undefined, probeNode: string | undefined): Finding[] {
  const verdicts = d.verdicts.filter((v) => !(v.kind === 'pod-network' && base.some((f) => f.code === 'KD5039' && sameRef(f.object, v.ref))));
  const drop = (f: Finding) => verdicts.some((v) => REPLACES[v.kind].includes(f.code) && sameRef(f.object, v.ref));
  return [...base.filter((f) => !drop(f)), ...verdicts.map((v) => verdictFinding(v, d, view, probeNode))];
}

function verdictFinding(v: Verdict, d: Differential, view: DataplaneView | undefined, probeNode: string | undefined): Finding {
  const { ref } = v;
  const ns = ref.namespace ?? '';
  const svc = ref.name;
  const node = probeNode;
  const skipped = view?.skipped.length ? ` (kdiag could not read: ${view.skipped.join('; ')})` : '';
  switch (v.kind) {
    case 'dns': {
      const ip = v.clusterIp.probe.address;
      return finding('KD5043', ref, {
        message: v.resolvedTo
          ? `${svc}: the name ${v.target.host} led to ${v.resolvedTo}, not the ClusterIP ${ip}, which answers: a DNS answer is wrong`
          : `${svc}: the name ${v.target.host} does not resolve from the probe pod, but the ClusterIP ${ip} answers: cluster DNS fails, not the Service`,
        cause: v.resolvedTo
          ? `curl connected to ${v.resolvedTo} for ${v.target.host}; the Service's ClusterIP is ${ip} and answers when tried by address. A stale DNS cache, a search-list match in another domain or a hosts entry gives the wrong address.`
          : `The same probe pod reached the Service by its ClusterIP ${ip}:${v.clusterIp.probe.port} (${howItFailed(v.clusterIp.result)}), so kube-proxy and the pods work; only the name lookup failed. The pod's resolver, CoreDNS or the path to the DNS Service is the suspect.`,
        fix: fix`Diagnose the lookup: ${cmd('kdiag', 'dns', svc, '-n', ns)} (it queries the DNS Service and shows the pod's resolv.conf).`,
      });
    }
    case 'service-path': {
      const proxy = view ? proxyOnNode(view, node) : undefined;
      const failed = v.clusterIp && failedToConnect(v.clusterIp.result) ? v.clusterIp.result : v.service;
      const addr = v.clusterIp ? `${v.clusterIp.probe.address}:${v.clusterIp.probe.port}` : v.target.url;
      const health = describeProxyHealth(d.nodeHealth, node);
      const podFix = proxy?.agent
        ? fix`Read kube-proxy's log on that node and restart it (its DaemonSet starts a new pod, which reprograms every Service): ${kubectl('-n', 'kube-system', 'logs', proxy.agent.pod, '--tail=100')} then ${kubectl('-n', 'kube-system', 'delete', 'pod', proxy.agent.pod)}`
        : proxy?.replacement
          ? fix`Check the ${proxy.replacement.name} agent on node ${node ?? 'NODE'} (its log and status) and compare its Service table with the endpoints: ${kubectl('-n', ns, 'get', 'endpointslices', '-l', `kubernetes.io/service-name=${svc}`, '-o', 'wide')}`
          : fix`On node ${node ?? 'NODE'}, check the kube-proxy process: is it running and not stopped (state T in ps), what does its log say (journalctl -u kube-proxy, or its log file), and does iptables-save list rules for this Service (look for its ClusterIP)? Restarting kube-proxy reprograms every Service. The endpoints it should program: ${kubectl('-n', ns, 'get', 'endpointslices', '-l', `kubernetes.io/service-name=${svc}`, '-o', 'wide')}`;
      return finding('KD5040', ref, {
        message: `${svc}: the Service address ${addr} ${howItFailed(failed)} from node ${node ?? '?'}, but all ${v.answering.length} endpoint(s) answer directly: the Service data path on node ${node ?? '?'} (${proxy?.replacement?.name ?? 'kube-proxy'}) is at fault`,
        cause: `The probe pod on node ${node ?? '?'} reached every ready endpoint by pod IP (${v.answering.map(podText).join(', ')}), so the pods and the pod network work; only the translation of the Service address to those pods failed, and that happens on the client's node. ${proxy ? `${proxy.summary}.` : 'kdiag could not read what runs there.'} ${health}.${skipped} A kube-proxy that is stopped, frozen or cut off from the API server leaves the rules of Services changed since missing or stale.`,
        fix: podFix,
      });
    }
    case 'some-endpoints': {
      const tp = v.target.service!.targetPort;
      const failing = v.failing.map((e) => `${podText(e)}: ${howItFailed(e.result)}`);
      const pods = v.failing.map((e) => e.probe.pod?.name).filter((n): n is string => Boolean(n));
      return finding('KD5041', ref, {
        message: `${svc}: ${v.failing.length} of ${v.failing.length + v.answering.length} ready endpoints do not serve on target port ${tp}: ${failing.join('; ')}`,
        cause: `These pods are Ready, so the Service sends them a share of the traffic, but tried directly by pod IP on the Service's target port they fail, while ${v.answering.map((e) => e.probe.pod?.name ?? e.probe.address).join(', ')} answer. ${v.readiness.length ? `Ready but not serving: ${v.readiness.join('; ')}.` : 'Ready but not serving: the readiness probe checks another port or path than the one the Service uses, or the process listens on another port or only on 127.0.0.1.'}`,
        fix: fix`Look at the failing pod(s) and make their readiness probe test the Service's target port (${tp}), so a pod that does not serve it leaves the endpoints: ${kubectl('-n', ns, 'get', 'pod', ...pods, '-o', 'wide')}; ${kubectl('-n', ns, 'logs', pods[0] ?? 'POD', '--tail=50')}`,
      });
    }
    case 'pod-network': {
      const nodes = [...new Set(v.endpoints.map((e) => e.probe.pod?.node).filter((n): n is string => Boolean(n)))];
      const same = node !== undefined && nodes.includes(node);
      return finding('KD5042', ref, {
        message: `${svc}: every endpoint timed out by pod IP (${v.endpoints.length} pod(s) on node(s) ${nodes.join(', ') || '?'}) and no NetworkPolicy kdiag can read explains it`,
        cause: `The probe pod ran on node ${node ?? '?'}${same ? ', the same node as ' + (nodes.length > 1 ? 'some of the pods' : 'the pods') : ''}; none of ${v.endpoints.map(podText).join(', ')} answered within the timeout, by Service and by pod IP. ${same ? 'On the same node the traffic does not leave the bridge: suspect the pods themselves (not accepting), a node firewall, or a policy kdiag cannot evaluate.' : 'Suspect the pod network between the nodes (CNI routes or overlay, a node or cloud firewall between them), or a policy kdiag cannot evaluate (a CNI-native or admin policy).'}`,
        fix: fix`Run the probe on the pods' node to split the question: ${cmd('kdiag', 'connectivity', `${svc}.${ns}`, '--node-selector', `kubernetes.io/hostname=${nodes[0] ?? 'NODE'}`)}; list the pods: ${kubectl('-n', ns, 'get', 'pods', '-o', 'wide')}`,
      });
    }
    case 'not-enforced': {
      const parts = v.denies.map((d) => {
        const en = view ? enforcerOnNode(view, d.nodes[0]) : undefined;
        return { d, en };
      });
      const why = parts
        .map(
          ({ d, en }) =>
            `${d.direction}: ${d.policies.map((p) => `NetworkPolicy ${p}`).join(', ')} ${d.policies.length > 1 ? 'select' : 'selects'} ${d.direction === 'egress' ? 'the probe pod' : `pod(s) ${d.pods.join(', ')}`} and no rule allows this connection (enforced on node ${d.nodes.join(', ') || '?'}); ${en?.problem ?? (en?.enforcer ? `${en.enforcer}'s agent there is Ready, yet the connection passed` : 'kdiag could not read what enforces policies')}`,
        )
        .join('. ');
      const first = parts[0]!;
      const ds = view?.daemonsets.find((x) => first.en?.enforcer && /kube-router|calico-node|cilium|antrea-agent|weave-net/.test(x.metadata?.name ?? ''));
      return finding('KD5045', ref, {
        message: `${svc}: predicted deny, observed connect: NetworkPolicy ${[...new Set(v.denies.flatMap((d) => d.policies))].join(', ')} not enforced on this path`,
        cause: `kdiag's NetworkPolicy engine predicts this connection is denied, yet the probe connected to ${v.connectedTo.join(', ')}. ${why}.${skipped} Without a running enforcer, NetworkPolicies are stored by the API server but nothing applies them.`,
        fix: ds
          ? fix`Bring the enforcer back on that node: ${kubectl('-n', 'kube-system', 'get', 'daemonset', ds.metadata?.name ?? '', '-o', 'wide')}; ${kubectl('-n', 'kube-system', 'get', 'pods', '-o', 'wide', '--field-selector', `spec.nodeName=${first.d.nodes[0] ?? ''}`)} (a nodeSelector, taint or crash keeps its agent off the node).`
          : fix`Install a network plugin that enforces NetworkPolicy (Calico, Cilium, kube-router, Antrea), or start its agent on node ${first.d.nodes[0] ?? 'NODE'}: ${kubectl('-n', 'kube-system', 'get', 'daemonsets')}`,
      });
    }
  }
}
