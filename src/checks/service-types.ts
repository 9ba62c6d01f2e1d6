// The guide's Service-type decision guide as checks:
//   no external access → ClusterIP; several HTTP(S) services → Ingress + ClusterIP;
//   a single TCP/UDP service → LoadBalancer; local dev or testing → NodePort.
import type { V1Namespace, V1Pod, V1Service } from '@kubernetes/client-node';
import { fix, kubectl } from '../report/fix.js';
import type { Finding, ObjectRef } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { undeclaredNamedTargetPorts } from './endpoints.js';
import { finding } from './lib/finding.js';
import { matchesMap } from './lib/labels.js';
import { isTerminal } from './lib/pods.js';
import type { Check, CheckOptions } from './types.js';

const DEV_NAME = /(^|[-_.])(dev|devel|development|test|testing|qa|sandbox|local|demo|e2e|ci|playground|scratch)([-_.]|\d|$)/i;
const DEV_LABEL_KEYS = ['environment', 'env', 'tier', 'stage'];
const DEV_LABEL_VALUE = /^(dev|devel|development|test|testing|qa|sandbox|local|ci)$/i;
const HTTP_PORTS = new Set([80, 443, 8080, 8443]);

export function looksLikeDevNamespace(name: string, ns?: V1Namespace): boolean {
  if (DEV_NAME.test(name)) return true;
  const labels = ns?.metadata?.labels ?? {};
  return DEV_LABEL_KEYS.some((k) => labels[k] !== undefined && DEV_LABEL_VALUE.test(labels[k]!));
}

function servesHttp(svc: V1Service): boolean {
  return (svc.spec?.ports ?? []).some(
    (p) =>
      HTTP_PORTS.has(p.port) ||
      /^(https?|web|h2c?)(-|$)/i.test(p.name ?? '') ||
      /^(https?|kubernetes\.io\/h2c|kubernetes\.io\/wss?)$/i.test(p.appProtocol ?? ''),
  );
}

export function externalAddress(svc: V1Service): string | undefined {
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  const addr = ingress.map((i) => i.ip ?? i.hostname).filter(Boolean);
  if (addr.length) return addr.join(',');
  if (svc.spec?.externalIPs?.length) return svc.spec.externalIPs.join(',');
  return undefined;
}

export function formatPorts(svc: V1Service): string {
  return (svc.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

interface ServiceScope {
  snapshot: Snapshot;
  namespaces: Map<string, V1Namespace>;
  podsByNs: Map<string, V1Pod[]>;
  /** Address grace period in milliseconds. */
  grace: number;
}

function refOfService(svc: V1Service): { ref: ObjectRef; ns: string; name: string } {
  const ns = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  return { ref: { kind: 'Service', namespace: ns, name }, ns, name };
}

/** KD2001: a NodePort Service outside a development namespace. */
function nodePortInProduction(scope: ServiceScope, svc: V1Service): Finding[] {
  const { ref, ns, name } = refOfService(svc);
  if (svc.spec?.type !== 'NodePort' || looksLikeDevNamespace(ns, scope.namespaces.get(ns))) return [];
  const nodePorts = (svc.spec?.ports ?? [])
    .map((p) => p.nodePort)
    .filter(Boolean)
    .join(', ');
  return [
    finding('KD2001', ref, {
      message: `${name}: NodePort Service in namespace ${ns}`,
      cause: `Service ${ns}/${name} opens port${nodePorts.includes(',') ? 's' : ''} ${nodePorts || '(unassigned)'} on every node. NodePort suits local testing or on-premises clusters without a load balancer, not production traffic.`,
      fix: fix`Use type ClusterIP behind an Ingress for HTTP(S), or type LoadBalancer for a single TCP/UDP service: ${kubectl('-n', ns, 'patch', 'service', name, '-p', { spec: { type: 'ClusterIP' } })} (the API server drops the node ports).`,
    }),
  ];
}

/** KD2002/KD2006: a LoadBalancer Service without an external address (yet). */
function loadBalancerAddress(scope: ServiceScope, svc: V1Service): Finding[] {
  const { ref, ns, name } = refOfService(svc);
  if (svc.spec?.type !== 'LoadBalancer' || externalAddress(svc)) return [];
  const created = svc.metadata?.creationTimestamp ? new Date(svc.metadata.creationTimestamp).getTime() : 0;
  const age = scope.snapshot.now.getTime() - created;
  if (created > 0 && age < scope.grace) {
    return [
      finding('KD2006', ref, {
        message: `${name}: load balancer still being provisioned`,
        cause: `Service ${ns}/${name} was created ${Math.round(age / 1000)}s ago and has no address yet.`,
        fix: fix`Wait, then: ${kubectl('-n', ns, 'get', 'service', name, '-w')}`,
      }),
    ];
  }
  return [
    finding('KD2002', ref, {
      message: `${name}: LoadBalancer has no external address (pending)`,
      cause: `status.loadBalancer.ingress of ${ns}/${name} is empty ${created ? `${Math.round(age / 60000)} minutes after creation` : ''}: no cloud controller or load-balancer implementation (e.g. MetalLB) has assigned an address${svc.spec?.loadBalancerClass ? `, or none handles loadBalancerClass ${svc.spec.loadBalancerClass}` : ''}.`,
      fix: fix`${kubectl('-n', ns, 'describe', 'service', name)} (events name the provisioning error). Without a load-balancer implementation, expose HTTP through an Ingress, or install one such as MetalLB.`,
    }),
  ];
}

/** KD2004: externalTrafficPolicy that loses the client IP (LoadBalancer) or drops connections (NodePort). */
function trafficPolicy(svc: V1Service): Finding[] {
  const { ref, ns, name } = refOfService(svc);
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type === 'LoadBalancer' && (svc.spec?.externalTrafficPolicy ?? 'Cluster') === 'Cluster') {
    return [
      finding('KD2004', ref, {
        message: `${name}: LoadBalancer with externalTrafficPolicy Cluster`,
        cause: `Traffic may take an extra hop between nodes and Pods see a node's address instead of the client's IP.`,
        fix: fix`If the client IP matters (logging, allow-lists), set externalTrafficPolicy: Local (only nodes running a ready Pod receive traffic; spread Pods across nodes): ${kubectl('-n', ns, 'patch', 'service', name, '-p', { spec: { externalTrafficPolicy: 'Local' } })}`,
      }),
    ];
  }
  if (type === 'NodePort' && svc.spec?.externalTrafficPolicy === 'Local') {
    return [
      finding('KD2004', ref, {
        message: `${name}: NodePort with externalTrafficPolicy Local`,
        cause: `Only nodes that run a ready Pod of ${ns}/${name} answer on the node port; connections to other nodes are dropped.`,
        fix: `Send clients only to nodes with a Pod, or set externalTrafficPolicy: Cluster (loses the client IP).`,
      }),
    ];
  }
  return [];
}

/** KD2005: a targetPort by name that no live selected Pod declares. */
function namedTargetPorts(scope: ServiceScope, svc: V1Service): Finding[] {
  const { ref, ns, name } = refOfService(svc);
  const selector = svc.spec?.selector;
  if (!selector || !Object.keys(selector).length || svc.spec?.type === 'ExternalName') return [];
  // Only a named targetPort can name no container port: Services without one skip the Pods.
  if (!(svc.spec?.ports ?? []).some((p) => typeof p.targetPort === 'string' && !/^\d+$/.test(p.targetPort))) return [];
  const pods = (scope.podsByNs.get(ns) ?? []).filter((p) => matchesMap(selector, p.metadata?.labels) && !isTerminal(p));
  if (!pods.length) return [];
  return undeclaredNamedTargetPorts(svc, pods).map((u) =>
    finding('KD2005', ref, {
      message: `${name}: targetPort "${u.targetPort}" names no container port of the selected pods`,
      cause: `Port ${u.port} of ${ns}/${name} targets "${u.targetPort}", but none of the ${pods.length} selected Pod(s) declares a container port with that name.`,
      fix: `Use the container's port number as targetPort, or name the container port "${u.targetPort}" in the Pod template.`,
    }),
  );
}

/** KD2003: several LoadBalancer Services serving HTTP(S) in one namespace. */
function httpLoadBalancers(services: readonly V1Service[]): Finding[] {
  const byNs = new Map<string, V1Service[]>();
  for (const svc of services) {
    if (svc.spec?.type !== 'LoadBalancer' || !servesHttp(svc)) continue;
    const ns = svc.metadata?.namespace ?? '';
    byNs.set(ns, [...(byNs.get(ns) ?? []), svc]);
  }
  return [...byNs]
    .filter(([, list]) => list.length >= 2)
    .map(([ns, list]) => {
      const names = list.map((s) => s.metadata?.name ?? '').sort();
      return finding(
        'KD2003',
        { kind: 'Namespace', name: ns },
        {
          message: `${list.length} LoadBalancer Services serve HTTP(S) in ${ns}: ${names.join(', ')}`,
          cause: `Each LoadBalancer Service provisions its own cloud load balancer. For several HTTP(S) services one Ingress (a single load balancer) in front of ClusterIP Services costs less and centralises TLS.`,
          fix: `Change these Services to type ClusterIP and route to them from one Ingress (host/path rules, TLS).`,
        },
      );
    });
}

export function serviceTypeFindings(snapshot: Snapshot, options: CheckOptions = {}): Finding[] {
  const podsByNs = new Map<string, V1Pod[]>();
  for (const p of snapshot.pods) {
    const ns = p.metadata?.namespace ?? '';
    const list = podsByNs.get(ns);
    if (list) list.push(p);
    else podsByNs.set(ns, [p]);
  }
  const scope: ServiceScope = {
    snapshot,
    namespaces: new Map(snapshot.namespaces.map((n) => [n.metadata?.name ?? '', n])),
    podsByNs,
    grace: (options.addressGraceSeconds ?? 300) * 1000,
  };
  const perService = snapshot.services.flatMap((svc) => [
    ...nodePortInProduction(scope, svc),
    ...loadBalancerAddress(scope, svc),
    ...trafficPolicy(svc),
    ...namedTargetPorts(scope, svc),
  ]);
  return [...perService, ...httpLoadBalancers(snapshot.services)];
}

export const serviceTypesCheck: Check = {
  id: 'service-types',
  title: 'Service types',
  requires: ['services', 'pods'],
  // Without Namespaces (cluster-scoped) the dev/test heuristic still has the namespace's name.
  optional: ['namespaces'],
  skippedWithout: { namespaces: 'Namespace labels (environment, env, tier, stage) in the dev/test-namespace heuristic of KD2001; names alone were used' },
  run: serviceTypeFindings,
};
