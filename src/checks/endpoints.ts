// Which Services have no ready endpoints, and why (selector, readiness, ports).
// An endpoint counts only when it is ready AND its EndpointSlice carries a port of the
// Service: a named targetPort that the Pod does not declare yields a slice without ports.
import type { V1EndpointSlice, V1Endpoints, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Code } from '../report/codes.js';
import { fix, kubectl, manifest, type FixSpec, type Manifest } from '../report/fix.js';
import type { Finding, ObjectRef } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { finding, type FindingText } from './lib/finding.js';
import { formatMap, matchesMap } from './lib/labels.js';
import { isPodReady, isTerminal, isTerminating, namedPorts, restartCount, shortReason, whyNotReady } from './lib/pods.js';
import type { Check } from './types.js';

export type EndpointsStatus = 'OK' | 'NO ENDPOINTS' | 'SINGLE' | 'EXTERNAL';

export interface EndpointRow {
  address: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  pod?: string;
  node?: string;
  /** Service port names the endpoint carries ('' for an unnamed single port). */
  ports: string[];
}

export interface PodRow {
  name: string;
  phase: string;
  ready: boolean;
  reason: string;
  detail: string;
  restarts: number;
  node?: string;
  ip?: string;
}

export interface ServiceEndpoints {
  namespace: string;
  name: string;
  type: string;
  clusterIP?: string;
  selector: string;
  ready: number;
  notReady: number;
  status: EndpointsStatus;
  cause?: string;
  ports: { name: string; port: number; targetPort: string; protocol: string; readyEndpoints: number }[];
  endpoints: EndpointRow[];
  pods: PodRow[];
  findings: Finding[];
}

const CONTROLLER = 'endpointslice-controller.k8s.io';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';

/** core/v1 Endpoints as EndpointSlices, for clusters without discovery.k8s.io. */
export function slicesFromEndpoints(ep: V1Endpoints): V1EndpointSlice[] {
  return (ep.subsets ?? []).map((subset) => ({
    addressType: 'IPv4',
    metadata: { namespace: ep.metadata?.namespace, name: ep.metadata?.name, labels: { [SERVICE_NAME_LABEL]: ep.metadata?.name ?? '' } },
    ports: (subset.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol })),
    endpoints: [
      ...(subset.addresses ?? []).map((a) => ({ addresses: [a.ip], conditions: { ready: true }, targetRef: a.targetRef, nodeName: a.nodeName })),
      ...(subset.notReadyAddresses ?? []).map((a) => ({ addresses: [a.ip], conditions: { ready: false }, targetRef: a.targetRef, nodeName: a.nodeName })),
    ],
  }));
}

function key(ns: string | undefined, name: string | undefined): string {
  return `${ns ?? ''}/${name ?? ''}`;
}

/** Index of the snapshot's EndpointSlices (or Endpoints) and Pods, built once per run. */
export interface EndpointsIndex {
  slicesByService: Map<string, V1EndpointSlice[]>;
  podsByNamespace: Map<string, V1Pod[]>;
  /** Pods by namespace and one label (`ns\0key=value`): a selector's candidates without visiting every Pod of the namespace. */
  podsByLabel: Map<string, V1Pod[]>;
}

const labelKey = (ns: string, k: string, v: string) => `${ns}\0${k}=${v}`;

export function indexEndpoints(snapshot: Snapshot): EndpointsIndex {
  const slicesByService = new Map<string, V1EndpointSlice[]>();
  const add = (slice: V1EndpointSlice) => {
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc) return;
    const k = key(slice.metadata?.namespace, svc);
    const list = slicesByService.get(k);
    if (list) list.push(slice);
    else slicesByService.set(k, [slice]);
  };
  snapshot.endpointslices.forEach(add);
  if (snapshot.endpointslices.length === 0) snapshot.endpoints.flatMap(slicesFromEndpoints).forEach(add);
  const podsByNamespace = new Map<string, V1Pod[]>();
  const podsByLabel = new Map<string, V1Pod[]>();
  const push = (map: Map<string, V1Pod[]>, k: string, pod: V1Pod) => {
    const list = map.get(k);
    if (list) list.push(pod);
    else map.set(k, [pod]);
  };
  for (const pod of snapshot.pods) {
    const ns = pod.metadata?.namespace ?? '';
    push(podsByNamespace, ns, pod);
    for (const [k, v] of Object.entries(pod.metadata?.labels ?? {})) push(podsByLabel, labelKey(ns, k, v), pod);
  }
  return { slicesByService, podsByNamespace, podsByLabel };
}

/** The Pods of the namespace a (non-empty) selector matches, in snapshot order: the fewest candidates of one of its labels, checked whole. */
function selectedPods(index: EndpointsIndex, ns: string, selector: Record<string, string>): V1Pod[] {
  let fewest: V1Pod[] | undefined;
  for (const [k, v] of Object.entries(selector)) {
    const candidates = index.podsByLabel.get(labelKey(ns, k, v)) ?? [];
    if (!fewest || candidates.length < fewest.length) fewest = candidates;
  }
  return (fewest ?? []).filter((p) => matchesMap(selector, p.metadata?.labels));
}

function portKey(p: { name?: string }): string {
  return p.name ?? '';
}

function endpointRows(slices: readonly V1EndpointSlice[], servicePortNames: Set<string>): EndpointRow[] {
  const rows = new Map<string, EndpointRow>();
  for (const slice of slices) {
    const carried = (slice.ports ?? []).map(portKey).filter((n) => servicePortNames.has(n));
    for (const ep of slice.endpoints ?? []) {
      const id = ep.targetRef?.uid ?? ep.addresses[0] ?? '';
      const conditions = ep.conditions ?? {};
      // ready: nil means unknown, which consumers treat as ready (API reference).
      const ready = conditions.ready !== false;
      const existing = rows.get(id);
      if (existing) {
        for (const p of carried) if (!existing.ports.includes(p)) existing.ports.push(p);
        continue;
      }
      rows.set(id, {
        address: ep.addresses[0] ?? '',
        ready,
        serving: conditions.serving ?? ready,
        terminating: conditions.terminating ?? false,
        pod: ep.targetRef?.kind === 'Pod' ? ep.targetRef.name : undefined,
        node: ep.nodeName,
        ports: [...carried],
      });
    }
  }
  return [...rows.values()];
}

/** How alike two label values are: shared prefix, plus a bonus when one contains the other. */
function similarity(a: string, b: string): number {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return prefix + (a.includes(b) || b.includes(a) ? 100 : 0);
}

interface NearLabels {
  /** The shared keys' values of these Pods. */
  labels: Record<string, string>;
  text: string;
  count: number;
}

/** Label sets of Pods that share the selector's keys, most alike first ("did you mean"). */
function nearestPods(selector: Record<string, string>, pods: readonly V1Pod[]): NearLabels[] {
  const keys = Object.keys(selector);
  const candidates = new Map<string, { labels: Record<string, string>; count: number; shared: number; score: number }>();
  for (const pod of pods) {
    const labels = pod.metadata?.labels ?? {};
    const shared = keys.filter((k) => k in labels);
    if (shared.length === 0) continue;
    const subset = Object.fromEntries(shared.map((k) => [k, labels[k]!]));
    const text = formatMap(subset);
    const score = shared.reduce((n, k) => n + similarity(selector[k]!, labels[k]!), 0);
    const c = candidates.get(text);
    if (c) c.count++;
    else candidates.set(text, { labels: subset, count: 1, shared: shared.length, score });
  }
  const ranked = [...candidates.entries()].sort(([, a], [, b]) => b.shared - a.shared || b.score - a.score || b.count - a.count);
  // When some value contains the wanted one (api-v2 / api-v2-server), the others are noise.
  const close = ranked.filter(([, c]) => c.score >= 100);
  return (close.length ? close : ranked).slice(0, 3).map(([text, c]) => ({ labels: c.labels, text, count: c.count }));
}

function podRow(pod: V1Pod): PodRow {
  const ready = isPodReady(pod);
  return {
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready,
    reason: ready ? 'Ready' : shortReason(pod),
    detail: ready ? 'Ready' : whyNotReady(pod),
    restarts: restartCount(pod),
    node: pod.spec?.nodeName,
    ip: pod.status?.podIP,
  };
}

/** The workload that owns a Pod, as kubectl names it (deployment/x, statefulset/x, …). */
export function workloadOf(pod: V1Pod | undefined): string {
  const owner = pod?.metadata?.ownerReferences?.find((o) => o.controller) ?? pod?.metadata?.ownerReferences?.[0];
  if (!owner) return pod ? `pod/${pod.metadata?.name}` : 'deployment/<name>';
  if (owner.kind === 'ReplicaSet') {
    const hash = pod?.metadata?.labels?.['pod-template-hash'];
    const name = hash && owner.name.endsWith(`-${hash}`) ? owner.name.slice(0, -hash.length - 1) : owner.name.replace(/-[a-z0-9]{5,10}$/, '');
    return `deployment/${name}`;
  }
  return `${owner.kind.toLowerCase()}/${owner.name}`;
}

/** Named targetPorts of the Service that none of the given Pods declares. */
export function undeclaredNamedTargetPorts(svc: V1Service, pods: readonly V1Pod[]): { servicePort: string; port: number; targetPort: string }[] {
  const out: { servicePort: string; port: number; targetPort: string }[] = [];
  for (const p of svc.spec?.ports ?? []) {
    const tp = p.targetPort;
    if (typeof tp !== 'string' || /^\d+$/.test(tp)) continue;
    if (!pods.some((pod) => namedPorts(pod).has(tp))) out.push({ servicePort: p.name || String(p.port), port: p.port, targetPort: tp });
  }
  return out;
}

/** What the rules below read about one Service. */
interface ServiceFacts {
  svc: V1Service;
  ns: string;
  name: string;
  ref: ObjectRef;
  selector: Record<string, string>;
  selectorText: string;
  slices: V1EndpointSlice[];
  endpoints: EndpointRow[];
  /** Endpoints that are ready and carry a port of the Service. */
  serving: EndpointRow[];
  nsPods: V1Pod[];
  matching: V1Pod[];
}

/** Why a Service serves nothing: its finding, and the same in a few words for the table's CAUSE column. */
interface NoEndpoints {
  summary: string;
  finding: Finding;
}

/** The finding of a no-endpoints rule: the Service's name, then the rule's summary. */
function noEndpoints(s: ServiceFacts, code: Code, summary: string, text: Omit<FindingText, 'message'>): NoEndpoints {
  return { summary, finding: finding(code, s.ref, { message: `${s.name}: ${summary}`, ...text }) };
}

function serviceFacts(svc: V1Service, index: EndpointsIndex): ServiceFacts {
  const ns = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const selector = svc.spec?.selector ?? {};
  const slices = index.slicesByService.get(key(ns, name)) ?? [];
  const endpoints = endpointRows(slices, new Set((svc.spec?.ports ?? []).map(portKey)));
  const nsPods = index.podsByNamespace.get(ns) ?? [];
  const hasSelector = Object.keys(selector).length > 0;
  return {
    svc,
    ns,
    name,
    ref: { kind: 'Service', namespace: ns, name },
    selector,
    selectorText: hasSelector ? formatMap(selector) : '<none>',
    slices,
    endpoints,
    serving: endpoints.filter((e) => e.ready && e.ports.length > 0),
    nsPods,
    matching: hasSelector ? selectedPods(index, ns, selector) : [],
  };
}

function baseResult(s: ServiceFacts): ServiceEndpoints {
  return {
    namespace: s.ns,
    name: s.name,
    type: s.svc.spec?.type ?? 'ClusterIP',
    clusterIP: s.svc.spec?.clusterIP,
    selector: s.selectorText,
    ready: s.serving.length,
    notReady: s.endpoints.length - s.serving.length,
    status: 'OK',
    ports: (s.svc.spec?.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      targetPort: String(p.targetPort ?? p.port),
      protocol: p.protocol ?? 'TCP',
      readyEndpoints: s.endpoints.filter((e) => e.ready && e.ports.includes(p.name ?? '')).length,
    })),
    endpoints: s.endpoints,
    pods: s.matching.map(podRow),
    findings: [],
  };
}

/** An EndpointSlice for a Service without selector, with a documentation address to replace. */
function manualSlice(s: ServiceFacts): Manifest {
  const ports = (s.svc.spec?.ports ?? []).map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    port: typeof p.targetPort === 'number' ? p.targetPort : /^\d+$/.test(String(p.targetPort ?? '')) ? Number(p.targetPort) : p.port,
    protocol: p.protocol ?? 'TCP',
  }));
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${s.name}-manual`, namespace: s.ns, labels: { [SERVICE_NAME_LABEL]: s.name, [MANAGED_BY_LABEL]: 'staff' } },
    addressType: 'IPv4',
    ports,
    endpoints: [{ addresses: ['192.0.2.10'] }],
  };
}

/** KD1006/KD1007: a Service without selector lives on EndpointSlices made by hand. */
function withoutSelector(s: ServiceFacts): NoEndpoints {
  const manual = s.slices.filter((sl) => sl.metadata?.labels?.[MANAGED_BY_LABEL] !== CONTROLLER);
  if (manual.length === 0) {
    return noEndpoints(s, 'KD1006', 'no selector and no EndpointSlices', {
      cause: `Service ${s.ns}/${s.name} has no selector, so Kubernetes creates no endpoints for it, and no EndpointSlice or Endpoints object was created by hand.`,
      fix: fix`Add a selector matching the backend Pods (${kubectl('-n', s.ns, 'edit', 'service', s.name)}), or create an EndpointSlice labelled ${SERVICE_NAME_LABEL}=${s.name} listing the backend addresses (192.0.2.10 stands for one):\n${manifest(manualSlice(s))}`,
    });
  }
  return noEndpoints(s, 'KD1007', `manual endpoints, none ready (${s.endpoints.length} listed)`, {
    cause: `Service ${s.ns}/${s.name} has no selector; its ${manual.length} manually managed EndpointSlice(s) list ${s.endpoints.length} address(es), none ready with a port of the Service.`,
    fix: fix`Fix the addresses, ports or conditions in the EndpointSlices: ${kubectl('-n', s.ns, 'get', 'endpointslices', '-l', `${SERVICE_NAME_LABEL}=${s.name}`, '-o', 'yaml')}`,
  });
}

/** KD1001: the selector matches no Pod; suggests the nearest label set. */
function selectorMatchesNothing(s: ServiceFacts): NoEndpoints {
  const near = nearestPods(s.selector, s.nsPods);
  const keys = Object.keys(s.selector);
  const nearText = near.length
    ? ` Pods with the same label keys: ${near.map((n) => `${n.text} (${n.count} pod${n.count === 1 ? '' : 's'})`).join(', ')}.`
    : ` No Pod in namespace ${s.ns} carries the label key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}.`;
  const best = near[0];
  const patch = best && Object.keys(best.labels).length === keys.length;
  return noEndpoints(s, 'KD1001', `selector ${s.selectorText} matches no pod`, {
    cause: `No Pod in namespace ${s.ns} has the labels ${s.selectorText}.${nearText}`,
    fix: patch
      ? fix`If the Service should select the Pods labelled ${best.text}: ${kubectl('-n', s.ns, 'patch', 'service', s.name, '-p', { spec: { selector: best.labels } })}; otherwise fix the Pod template's labels to include ${s.selectorText}.`
      : fix`Make the Pod template's labels include ${s.selectorText}, or change the Service's selector to match the Pods (${kubectl('-n', s.ns, 'get', 'pods', '--show-labels')}).`,
  });
}

/** KD1003/KD1004: the matching Pods have finished or are being deleted. */
function noLivePods(s: ServiceFacts): NoEndpoints {
  if (s.matching.every(isTerminal)) {
    return noEndpoints(s, 'KD1003', `only completed pods match (${s.matching.length})`, {
      cause: `The ${s.matching.length} Pod(s) matching ${s.selectorText} have finished (${s.matching.map((p) => `${p.metadata?.name}: ${p.status?.phase}`).join(', ')}); finished Pods never serve.`,
      fix: fix`Run the workload as a Deployment or StatefulSet so Pods keep running (${kubectl('-n', s.ns, 'get', 'pods', '-l', s.selectorText)}).`,
    });
  }
  return noEndpoints(s, 'KD1004', `only terminating pods match (${s.matching.length})`, {
    cause: `Every Pod matching ${s.selectorText} is being deleted; no replacement is Ready yet.`,
    fix: fix`Check the owning controller's rollout (${kubectl('-n', s.ns, 'get', 'deploy,rs,sts', '-o', 'wide')}) and why replacements are not created or not Ready.`,
  });
}

/** What to run for a Pod that is not Ready, by the reason it is not. */
function notReadyFix(ns: string, pod: string, reason: string): FixSpec {
  const describe = kubectl('-n', ns, 'describe', 'pod', pod);
  if (/CrashLoopBackOff|Error|terminated/i.test(reason)) return fix`Read the crash: ${kubectl('-n', ns, 'logs', pod, '--previous')}; then ${describe}.`;
  if (/ImagePull|ErrImage|InvalidImageName/i.test(reason)) return fix`Check the image name and tag and the imagePullSecrets: ${describe}.`;
  if (/readiness/i.test(reason))
    return fix`The readinessProbe fails: compare its path and port with what the container serves (${describe} shows the probe errors).`;
  if (/Pending/i.test(reason)) return fix`See why it is not scheduled or started: ${describe}.`;
  return fix`${describe}`;
}

/** KD1002: Pods match but none is Ready. */
function noReadyPods(s: ServiceFacts, live: readonly V1Pod[]): NoEndpoints {
  const rows = live.map(podRow);
  const reasons = [...new Set(rows.map((r) => r.reason))];
  const first = rows[0]!;
  return noEndpoints(s, 'KD1002', `${live.length} pod${live.length === 1 ? '' : 's'} match, none Ready (${reasons.join(', ')})`, {
    cause: `Pods matching ${s.selectorText}: ${rows.map((r) => `${r.name}: ${r.detail}`).join('; ')}.`,
    fix: notReadyFix(s.ns, first.name, first.reason),
  });
}

/** KD1005 (whole Service): the Ready Pods do not declare the named targetPort. */
function undeclaredPort(s: ServiceFacts, readyPods: readonly V1Pod[], u: { port: number; targetPort: string }): NoEndpoints {
  return noEndpoints(s, 'KD1005', `targetPort "${u.targetPort}" is not declared by the pods`, {
    cause: `Service port ${u.port}→${u.targetPort} targets the named port "${u.targetPort}", but none of the ${readyPods.length} Ready Pod(s) matching ${s.selectorText} declares a container port named "${u.targetPort}", so their endpoints carry no port and receive no traffic.`,
    fix: fix`Name the container port in the Pod template or set the Service's targetPort to the container's port number: ${kubectl('-n', s.ns, 'edit', 'service', s.name)}\nThe container port, named:\n${manifest({ ports: [{ name: u.targetPort, containerPort: '<port>' }] })}`,
  });
}

/** KD1009: Ready Pods the EndpointSlice controller has not published. */
function notPublished(s: ServiceFacts, readyPods: readonly V1Pod[]): NoEndpoints {
  return noEndpoints(s, 'KD1009', `${readyPods.length} ready pod(s) not published as endpoints`, {
    cause: `${readyPods.length} Pod(s) matching ${s.selectorText} are Ready, but no EndpointSlice of ${s.ns}/${s.name} lists them as ready with a port of the Service. The EndpointSlice controller (kube-controller-manager) may be lagging or not running.`,
    fix: fix`${kubectl('-n', s.ns, 'get', 'endpointslices', '-l', `${SERVICE_NAME_LABEL}=${s.name}`, '-o', 'wide')}; ${kubectl('-n', 'kube-system', 'get', 'pods')} (is kube-controller-manager running?)`,
  });
}

/** Why a Service with a selector serves nothing, the first reason that holds. */
function whyNoEndpoints(s: ServiceFacts): NoEndpoints {
  if (Object.keys(s.selector).length === 0) return withoutSelector(s);
  if (s.matching.length === 0) return selectorMatchesNothing(s);
  const live = s.matching.filter((p) => !isTerminal(p) && !isTerminating(p));
  if (live.length === 0) return noLivePods(s);
  const readyPods = live.filter(isPodReady);
  if (readyPods.length === 0) return noReadyPods(s, live);
  const undeclared = undeclaredNamedTargetPorts(s.svc, readyPods)[0];
  if (undeclared) return undeclaredPort(s, readyPods, undeclared);
  return notPublished(s, readyPods);
}

/** KD1005 per port: some ports of a multi-port Service have no endpoints while others work. */
function portsWithoutEndpoints(s: ServiceFacts, result: ServiceEndpoints): void {
  if (result.ports.length < 2) return;
  const undeclared = undeclaredNamedTargetPorts(s.svc, s.matching.filter(isPodReady));
  for (const port of result.ports) {
    if (port.readyEndpoints > 0 || !undeclared.some((u) => u.targetPort === port.targetPort)) continue;
    result.findings.push(
      finding('KD1005', s.ref, {
        message: `${s.name}: port ${port.name || port.port} has no endpoints: targetPort "${port.targetPort}" is not declared by the pods`,
        cause: `The Ready Pods matching ${s.selectorText} declare no container port named "${port.targetPort}", so port ${port.name || port.port} of the Service reaches no Pod while its other ports work.`,
        fix: fix`Name the container port "${port.targetPort}" in the Pod template, or set targetPort to a number: ${kubectl('-n', s.ns, 'edit', 'service', s.name)}`,
      }),
    );
    result.cause = `port ${port.name || port.port}: targetPort "${port.targetPort}" not declared`;
  }
}

const SCALABLE = new Set(['deployment', 'statefulset', 'replicaset', 'replicationcontroller']);

/** KD1008: one ready endpoint, so one restart takes the Service down. */
function singleEndpoint(s: ServiceFacts, result: ServiceEndpoints): void {
  const only = s.serving[0]!;
  const workload = workloadOf(s.nsPods.find((p) => p.metadata?.name === only.pod));
  const [kind = '', ...rest] = workload.split('/');
  const scale =
    SCALABLE.has(kind) && !workload.endsWith('/<name>')
      ? fix`Run at least two replicas (${kubectl('-n', s.ns, 'scale', `${kind}/${rest.join('/')}`, '--replicas=2')}) and add a PodDisruptionBudget.`
      : fix`Run the Pods from a Deployment or StatefulSet with at least two replicas, and add a PodDisruptionBudget.`;
  result.status = 'SINGLE';
  result.cause ??= 'one ready endpoint';
  result.findings.push(
    finding('KD1008', s.ref, {
      message: `${s.name}: only one ready endpoint`,
      cause: `Service ${s.ns}/${s.name} has one ready endpoint (${only.pod ?? only.address}); if that Pod restarts or its node drains, the Service has none.`,
      fix: scale,
    }),
  );
}

export function analyzeService(svc: V1Service, index: EndpointsIndex): ServiceEndpoints {
  const s = serviceFacts(svc, index);
  const result = baseResult(s);
  if (result.type === 'ExternalName') {
    result.status = 'EXTERNAL';
    result.cause = `ExternalName → ${svc.spec?.externalName ?? '?'}`;
    return result;
  }
  if (s.serving.length === 0) {
    const why = whyNoEndpoints(s);
    result.status = 'NO ENDPOINTS';
    result.cause = why.summary;
    result.findings.push(why.finding);
    return result;
  }
  portsWithoutEndpoints(s, result);
  if (s.serving.length === 1) singleEndpoint(s, result);
  return result;
}

/** analyzeService, computed once per Service however many routes point at it. */
export function serviceAnalyzer(snapshot: Snapshot): (svc: V1Service) => ServiceEndpoints {
  const index = indexEndpoints(snapshot);
  const results = new Map<string, ServiceEndpoints>();
  return (svc) => {
    const k = key(svc.metadata?.namespace, svc.metadata?.name);
    let r = results.get(k);
    if (!r) results.set(k, (r = analyzeService(svc, index)));
    return r;
  };
}

export function analyzeEndpoints(snapshot: Snapshot, serviceName?: string): ServiceEndpoints[] {
  const index = indexEndpoints(snapshot);
  return snapshot.services
    .filter((s) => serviceName === undefined || s.metadata?.name === serviceName)
    .map((svc) => analyzeService(svc, index))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

export const endpointsCheck: Check = {
  id: 'endpoints',
  title: 'Service endpoints',
  requires: ['services', 'endpointslices', 'pods'],
  run: (snapshot) => analyzeEndpoints(snapshot).flatMap((r) => r.findings),
};
