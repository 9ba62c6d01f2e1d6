// Differential probing (pure): for every Service a probe targets, the same probe pod also
// tries the ClusterIP by address (no DNS) and each ready endpoint by pod IP and target port,
// so the answer says which hop fails: the name, the Service's address translation on the
// probe's node, some of the pods, or all of them. Once per run it also asks kube-proxy's
// health endpoint on the probe's own node (port 10256), when that is reachable from a pod.
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { Snapshot } from '../snapshot.js';
import type { ProbeTarget, TargetMode } from '../probes/plan.js';

/** The most endpoints of one Service probed directly (flag --max-endpoints). */
export const DEFAULT_MAX_ENDPOINTS = 10;
/** kube-proxy's health endpoint (healthzBindAddress), asked on the probe's node. */
export const KUBE_PROXY_HEALTH_PORT = 10256;

export interface EndpointPod {
  namespace: string;
  name: string;
  ip: string;
  node?: string;
}

export type ExtraRole = 'cluster-ip' | 'endpoint' | 'node-health';

export interface ExtraProbe {
  role: ExtraRole;
  /** Index (in the list of targets) of the Service target this belongs to; -1 for node-health. */
  of: number;
  mode: TargetMode;
  /** The URL curl is given; for node-health "PORT/PATH" on the probe's node (the script adds its IP). */
  url: string;
  /** The script's mode word: http, tcp, or node (http to the probe's node). */
  scriptMode: 'http' | 'tcp' | 'node';
  address: string;
  port: number;
  pod?: EndpointPod;
}

export interface DifferentialOptions {
  maxEndpoints?: number;
  /** Also ask kube-proxy's health endpoint on the probe's node (default: when any Service is probed). */
  nodeHealth?: boolean;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function urlFor(mode: TargetMode, scheme: string, host: string, port: number, path: string): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return mode === 'tcp' ? `telnet://${h}:${port}` : `${scheme}://${h}:${port}${path}`;
}

/** scheme and path of a target's URL (http://name:port/path → http, /path). */
function schemeAndPath(t: ProbeTarget): { scheme: string; path: string } {
  const m = /^(https?):\/\/[^/]+(\/.*)?$/.exec(t.url);
  return { scheme: m?.[1] ?? 'http', path: m?.[2] ?? '/' };
}

/**
 * Ready endpoints of a Service for one of its ports: the pod, its IP and the port number the
 * EndpointSlice publishes for that Service port (a named targetPort resolved per pod).
 */
export function readyEndpointsFor(
  snapshot: Pick<Snapshot, 'endpointslices' | 'pods'>,
  namespace: string,
  service: string,
  portName: string,
): (EndpointPod & { port: number })[] {
  const slices = snapshot.endpointslices.filter(
    (s: V1EndpointSlice) => s.metadata?.namespace === namespace && s.metadata?.labels?.[SERVICE_NAME_LABEL] === service,
  );
  const out: (EndpointPod & { port: number })[] = [];
  const seen = new Set<string>();
  for (const slice of slices) {
    if (slice.addressType && slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName)?.port;
    if (port === undefined || port === null) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      const ip = ep.addresses?.[0];
      if (!ip || seen.has(ip)) continue;
      seen.add(ip);
      const podName = ep.targetRef?.kind === 'Pod' ? ep.targetRef.name : undefined;
      const pod = podName ? snapshot.pods.find((p) => p.metadata?.namespace === namespace && p.metadata?.name === podName) : undefined;
      out.push({ namespace, name: podName ?? ip, ip, port, ...((ep.nodeName ?? pod?.spec?.nodeName) ? { node: ep.nodeName ?? pod?.spec?.nodeName } : {}) });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The extra probes for the Service targets among `targets`. */
export function planDifferential(
  targets: readonly ProbeTarget[],
  snapshot: Pick<Snapshot, 'endpointslices' | 'pods' | 'services'>,
  options: DifferentialOptions = {},
): ExtraProbe[] {
  const max = options.maxEndpoints ?? DEFAULT_MAX_ENDPOINTS;
  const extras: ExtraProbe[] = [];
  for (const t of targets) {
    if (t.unresolved || !t.service) continue;
    const svc = snapshot.services.find((s) => s.metadata?.namespace === t.service!.namespace && s.metadata?.name === t.service!.name);
    if (!svc || svc.spec?.type === 'ExternalName') continue;
    const { scheme, path } = schemeAndPath(t);
    const clusterIP = svc.spec?.clusterIP;
    if (clusterIP && clusterIP !== 'None') {
      extras.push({
        role: 'cluster-ip',
        of: t.index,
        mode: t.mode,
        scriptMode: t.mode,
        url: urlFor(t.mode, scheme, clusterIP, t.port, path),
        address: clusterIP,
        port: t.port,
      });
    }
    if (max <= 0) continue;
    for (const ep of readyEndpointsFor(snapshot, t.service.namespace, t.service.name, t.service.portName).slice(0, max)) {
      const { port, ...pod } = ep;
      extras.push({
        role: 'endpoint',
        of: t.index,
        mode: t.mode,
        scriptMode: t.mode,
        url: urlFor(t.mode, scheme, ep.ip, port, path),
        address: ep.ip,
        port,
        pod,
      });
    }
  }
  const wantsHealth = options.nodeHealth ?? extras.some((e) => e.role === 'cluster-ip');
  if (wantsHealth) {
    extras.push({
      role: 'node-health',
      of: -1,
      mode: 'http',
      scriptMode: 'node',
      url: `${KUBE_PROXY_HEALTH_PORT}/healthz`,
      address: '',
      port: KUBE_PROXY_HEALTH_PORT,
    });
  }
  return extras;
}

/** The script's MODE URL pairs for the extra probes (after the targets' own pairs). */
export function extraArgs(extras: readonly ExtraProbe[]): string[] {
  return extras.flatMap((e) => [e.scriptMode, e.url]);
}
