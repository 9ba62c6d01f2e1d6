// Which Services have no ready endpoints, and why (selector, readiness, ports).
// An endpoint counts only when it is ready AND its EndpointSlice carries a port of the
// Service: a named targetPort that the Pod does not declare yields a slice without ports.
import type { V1EndpointSlice, V1Endpoints, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Finding, ObjectRef } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { finding } from './lib/finding.js';
import { formatMap, matchesMap } from './lib/labels.js';
import { isPodReady, isTerminal, isTerminating, namedPorts, restartCount, shortReason, whyNotReady } from './lib/pods.js';
import type { Check } from './types.js';

export type EndpointsStatus = 'OK' | 'NO ENDPOINTS' | 'SINGLE' | 'EXTERNAL' ;

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
}

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
  for (const pod of snapshot.pods) {
    const ns = pod.metadata?.namespace ?? '';
    const list = podsByNamespace.get(ns);
    if (list) list.push(pod);
    else podsByNamespace.set(ns, [pod]);
  }
  return { slicesByService, podsByNamespace };
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

/** Label sets of Pods that share the selector's keys, most alike first ("did you mean"). */
function nearestPods(selector: Record<string, string>, pods: readonly V1Pod[]): { labels: string; count: number }[] {
  const keys = Object.keys(selector);
  const candidates = new Map<string, { count: number; shared: number; score: number }>();
  for (const pod of pods) {
    const labels = pod.metadata?.labels ?? {};
    const shared = keys.filter((k) => k in labels);
    if (shared.length === 0) continue;
    const text = formatMap(Object.fromEntries(shared.map((k) => [k, labels[k]!])));
    const score = shared.reduce((n, k) => n + similarity(selector[k]!, labels[k]!), 0);
    const c = candidates.get(text);
    if (c) c.count++;
    else candidates.set(text, { count: 1, shared: shared.length, score });
  }
  const ranked = [...candidates.entries()].sort(([, a], [, b]) => b.shared - a.shared || b.score - a.score || b.count - a.count);
  // When some value contains the wanted one (api-v2 / api-v2-server), the others are noise.
  const close = ranked.filter(([, c]) => c.score >= 100);
  return (close.length ? close : ranked).slice(0, 3).map(([labels, c]) => ({ labels, count: c.count }));
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

export function analyzeService(svc: V1Service, index: EndpointsIndex): ServiceEndpoints {
  const ns = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const ref: ObjectRef = { kind: 'Service', namespace: ns, name };
  const type = svc.spec?.type ?? 'ClusterIP';
  const selector = svc.spec?.selector ?? {};
  const hasSelector = Object.keys(selector).length > 0;
  const slices = index.slicesByService.get(key(ns, name)) ?? [];
  const servicePortNames = new Set((svc.spec?.ports ?? []).map(portKey));
  const endpoints = endpointRows(slices, servicePortNames);
  const serving = endpoints.filter((e) => e.ready && e.ports.length > 0);
  const nsPods = index.podsByNamespace.get(ns) ?? [];
  const matching = hasSelector ? nsPods.filter((p) => matchesMap(selector, p.metadata?.labels)) : [];
  const result: ServiceEndpoints = {
    namespace: ns,
    name,
    type,
    clusterIP: svc.spec?.clusterIP,
    selector: hasSelector ? formatMap(selector) : '<none>',
    ready: serving.length,
    notReady: endpoints.length - serving.length,
    status: 'OK',
    ports: (svc.spec?.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      targetPort: String(p.targetPort ?? p.port),
      protocol: p.protocol ?? 'TCP',
      readyEndpoints: endpoints.filter((e) => e.ready && e.ports.includes(p.name ?? '')).length,
    })),
    endpoints,
    pods: matching.map(podRow),
    findings: [],
  };

  if (type === 'ExternalName') {
    result.status = 'EXTERNAL';
    result.cause = `ExternalName → ${svc.spec?.externalName ?? '?'}`;
    return result;
  }
  const fail = (code: Parameters<typeof finding>[0], message: string, cause: string, fix: string) => {
    result.status = 'NO ENDPOINTS';
    result.cause = message;
    result.findings.push(finding(code, ref, { message: `${name}: ${message}`, cause, fix }));
  };

  if (serving.length === 0) {
    if (!hasSelector) {
      const manual = slices.filter((s) => s.metadata?.labels?.[MANAGED_BY_LABEL] !== CONTROLLER);
      if (manual.length === 0) {
        fail(
          'KD1006',
          'no selector and no EndpointSlices',
          `Service ${ns}/${name} has no selector, so Kubernetes creates no endpoints for it, and no EndpointSlice or Endpoints object was created by hand.`,
          `Add a selector matching the backend Pods (kubectl -n ${ns} edit service ${name}), or create an EndpointSlice labelled ${SERVICE_NAME_LABEL}: ${name} listing the backend addresses.`,
        );
      } else {
        fail(
          'KD1007',
          `manual endpoints, none ready (${endpoints.length} listed)`,
          `Service ${ns}/${name} has no selector; its ${manual.length} manually managed EndpointSlice(s) list ${endpoints.length} address(es), none ready with a port of the Service.`,
          `Fix the addresses, ports or conditions in the EndpointSlices: kubectl -n ${ns} get endpointslices -l ${SERVICE_NAME_LABEL}=${name} -o yaml`,
        );
      }
      return result;
    }
    const selectorText = formatMap(selector);
    if (matching.length === 0) {
      const near = nearestPods(selector, nsPods);
      const nearText = near.length
        ? ` Pods with the same label keys: ${near.map((n) => `${n.labels} (${n.count} pod${n.count === 1 ? '' : 's'})`).join(', ')}.`
        : ` No Pod in namespace ${ns} carries the label key${Object.keys(selector).length > 1 ? 's' : ''} ${Object.keys(selector).join(', ')}.`;
      const best = near[0];
      const fix = best && best.labels.split(',').length === Object.keys(selector).length
        ? `If the Service should select the Pods labelled ${best.labels}: kubectl -n ${ns} patch service ${name} -p '${JSON.stringify({ spec: { selector: Object.fromEntries(best.labels.split(',').map((kv) => kv.split('=') as [string, string])) } })}'; otherwise fix the Pod template's labels to include ${selectorText}.`
        : `Make the Pod template's labels include ${selectorText}, or change the Service's selector to match the Pods (kubectl -n ${ns} get pods --show-labels).`;
      fail('KD1001', `selector ${selectorText} matches no pod`, `No Pod in namespace ${ns} has the labels ${selectorText}.${nearText}`, fix);
      return result;
    }
    const live = matching.filter((p) => !isTerminal(p) && !isTerminating(p));
    if (live.length === 0) {
      const allTerminal = matching.every(isTerminal);
      if (allTerminal) {
        fail(
          'KD1003',
          `only completed pods match (${matching.length})`,
          `The ${matching.length} Pod(s) matching ${selectorText} have finished (${matching.map((p) => `${p.metadata?.name}: ${p.status?.phase}`).join(', ')}); finished Pods never serve.`,
          `Run the workload as a Deployment or StatefulSet so Pods keep running (kubectl -n ${ns} get pods -l ${selectorText}).`,
        );
      } else {
        fail(
          'KD1004',
          `only terminating pods match (${matching.length})`,
          `Every Pod matching ${selectorText} is being deleted; no replacement is Ready yet.`,
          `Check the owning controller's rollout (kubectl -n ${ns} get deploy,rs,sts -o wide) and why replacements are not created or not Ready.`,
        );
      }
      return result;
    }
    const readyPods = live.filter(isPodReady);
    if (readyPods.length === 0) {
      const rows = live.map(podRow);
      const reasons = [...new Set(rows.map((r) => r.reason))];
      const first = rows[0]!;
      const fixFor = (reason: string): string => {
        if (/CrashLoopBackOff|Error|terminated/i.test(reason)) return `Read the crash: kubectl -n ${ns} logs ${first.name} --previous; then kubectl -n ${ns} describe pod ${first.name}.`;
        if (/ImagePull|ErrImage|InvalidImageName/i.test(reason)) return `Check the image name and tag and the imagePullSecrets: kubectl -n ${ns} describe pod ${first.name}.`;
        if (/readiness/i.test(reason)) return `The readinessProbe fails: compare its path and port with what the container serves (kubectl -n ${ns} describe pod ${first.name} shows the probe errors).`;
        if (/Pending/i.test(reason)) return `See why it is not scheduled or started: kubectl -n ${ns} describe pod ${first.name}.`;
        return `kubectl -n ${ns} describe pod ${first.name}`;
      };
      fail(
        'KD1002',
        `${live.length} pod${live.length === 1 ? '' : 's'} match, none Ready (${reasons.join(', ')})`,
        `Pods matching ${selectorText}: ${rows.map((r) => `${r.name}: ${r.detail}`).join('; ')}.`,
        fixFor(first.reason),
      );
      return result;
    }
    const undeclared = undeclaredNamedTargetPorts(svc, readyPods);
    if (undeclared.length > 0) {
      const u = undeclared[0]!;
      fail(
        'KD1005',
        `targetPort "${u.targetPort}" is not declared by the pods`,
        `Service port ${u.port}→${u.targetPort} targets the named port "${u.targetPort}", but none of the ${readyPods.length} Ready Pod(s) matching ${selectorText} declares a container port named "${u.targetPort}", so their endpoints carry no port and receive no traffic.`,
        `Name the container port in the Pod template (ports: [{name: ${u.targetPort}, containerPort: <port>}]) or set the Service's targetPort to the container's port number: kubectl -n ${ns} edit service ${name}`,
      );
      return result;
    }
    fail(
      'KD1009',
      `${readyPods.length} ready pod(s) not published as endpoints`,
      `${readyPods.length} Pod(s) matching ${selectorText} are Ready, but no EndpointSlice of ${ns}/${name} lists them as ready with a port of the Service. The EndpointSlice controller (kube-controller-manager) may be lagging or not running.`,
      `kubectl -n ${ns} get endpointslices -l ${SERVICE_NAME_LABEL}=${name} -o wide; kubectl -n kube-system get pods (is kube-controller-manager running?)`,
    );
    return result;
  }

  // Some ports of a multi-port Service may still have no endpoints.
  for (const port of result.ports) {
    if (port.readyEndpoints > 0 || result.ports.length < 2) continue;
    const undeclared = undeclaredNamedTargetPorts(svc, matching.filter(isPodReady)).find((u) => u.targetPort === port.targetPort);
    if (undeclared) {
      result.findings.push(
        finding('KD1005', ref, {
          message: `${name}: port ${port.name || port.port} has no endpoints: targetPort "${port.targetPort}" is not declared by the pods`,
          cause: `The Ready Pods matching ${formatMap(selector)} declare no container port named "${port.targetPort}", so port ${port.name || port.port} of the Service reaches no Pod while its other ports work.`,
          fix: `Name the container port "${port.targetPort}" in the Pod template, or set targetPort to a number: kubectl -n ${ns} edit service ${name}`,
        }),
      );
      result.cause = `port ${port.name || port.port}: targetPort "${port.targetPort}" not declared`;
    }
  }
  if (serving.length === 1) {
    result.status = 'SINGLE';
    result.cause ??= 'one ready endpoint';
    result.findings.push(
      finding('KD1008', ref, {
        message: `${name}: only one ready endpoint`,
        cause: `Service ${ns}/${name} has one ready endpoint (${serving[0]!.pod ?? serving[0]!.address}); if that Pod restarts or its node drains, the Service has none.`,
        fix: `Run at least two replicas (kubectl -n ${ns} scale ${workloadOf(index.podsByNamespace.get(ns)?.find((p) => p.metadata?.name === serving[0]!.pod))} --replicas=2) and add a PodDisruptionBudget.`,
      }),
    );
  }
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
