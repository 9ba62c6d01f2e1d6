// The guide's Service-type decision guide as checks:
//   no external access → ClusterIP; several HTTP(S) services → Ingress + ClusterIP;
//   a single TCP/UDP service → LoadBalancer; local dev or testing → NodePort.
import type { V1Namespace, V1Service } from '@kubernetes/client-node';
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
    (p) => HTTP_PORTS.has(p.port) || /^(https?|web|h2c?)(-|$)/i.test(p.name ?? '') || /^(https?|kubernetes\.io\/h2c|kubernetes\.io\/wss?)$/i.test(p.appProtocol ?? ''),
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
  return (svc.spec?.ports ?? [])
    .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
    .join(',');
}

export function serviceTypeFindings(snapshot: Snapshot, options: CheckOptions = {}): Finding[] {
  const grace = (options.addressGraceSeconds ?? 300) * 1000;
  const namespaces = new Map(snapshot.namespaces.map((n) => [n.metadata?.name ?? '', n]));
  const podsByNs = new Map<string, typeof snapshot.pods>();
  for (const p of snapshot.pods) {
    const ns = p.metadata?.namespace ?? '';
    const list = podsByNs.get(ns);
    if (list) list.push(p);
    else podsByNs.set(ns, [p]);
  }
  const out: Finding[] = [];
  const lbHttpByNs = new Map<string, V1Service[]>();

  for (const svc of snapshot.services) {
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const ref: ObjectRef = { kind: 'Service', namespace: ns, name };
    const type = svc.spec?.type ?? 'ClusterIP';

    if (type === 'NodePort' && !looksLikeDevNamespace(ns, namespaces.get(ns))) {
      const nodePorts = (svc.spec?.ports ?? []).map((p) => p.nodePort).filter(Boolean).join(', ');
      out.push(
        finding('KD2001', ref, {
          message: `${name}: NodePort Service in namespace ${ns}`,
          cause: `Service ${ns}/${name} opens port${nodePorts.includes(',') ? 's' : ''} ${nodePorts || '(unassigned)'} on every node. NodePort suits local testing or on-premises clusters without a load balancer, not production traffic.`,
          fix: `Use type ClusterIP behind an Ingress for HTTP(S), or type LoadBalancer for a single TCP/UDP service: kubectl -n ${ns} patch service ${name} -p '{"spec":{"type":"ClusterIP"}}' (remove nodePort fields first if set).`,
        }),
      );
    }

    if (type === 'LoadBalancer') {
      const created = svc.metadata?.creationTimestamp ? new Date(svc.metadata.creationTimestamp).getTime() : 0;
      const age = snapshot.now.getTime() - created;
      if (!externalAddress(svc)) {
        const young = created > 0 && age < grace;
        out.push(
          finding(young ? 'KD2006' : 'KD2002', ref, {
            message: young ? `${name}: load balancer still being provisioned` : `${name}: LoadBalancer has no external address (pending)`,
            cause: young
              ? `Service ${ns}/${name} was created ${Math.round(age / 1000)}s ago and has no address yet.`
              : `status.loadBalancer.ingress of ${ns}/${name} is empty ${created ? `${Math.round(age / 60000)} minutes after creation` : ''}: no cloud controller or load-balancer implementation (e.g. MetalLB) has assigned an address${svc.spec?.loadBalancerClass ? `, or none handles loadBalancerClass ${svc.spec.loadBalancerClass}` : ''}.`,
            fix: young
              ? `Wait, then: kubectl -n ${ns} get service ${name} -w`
              : `kubectl -n ${ns} describe service ${name} (events name the provisioning error). Without a load-balancer implementation, expose HTTP through an Ingress, or install one such as MetalLB.`,
          }),
        );
      }
      if (servesHttp(svc)) lbHttpByNs.set(ns, [...(lbHttpByNs.get(ns) ?? []), svc]);
      if ((svc.spec?.externalTrafficPolicy ?? 'Cluster') === 'Cluster') {
        out.push(
          finding('KD2004', ref, {
            message: `${name}: LoadBalancer with externalTrafficPolicy Cluster`,
            cause: `Traffic may take an extra hop between nodes and Pods see a node's address instead of the client's IP.`,
            fix: `If the client IP matters (logging, allow-lists), set externalTrafficPolicy: Local (only nodes running a ready Pod receive traffic; spread Pods across nodes): kubectl -n ${ns} patch service ${name} -p '{"spec":{"externalTrafficPolicy":"Local"}}'`,
          }),
        );
      }
    }
    if (type === 'NodePort' && svc.spec?.externalTrafficPolicy === 'Local') {
      out.push(
        finding('KD2004', ref, {
          message: `${name}: NodePort with externalTrafficPolicy Local`,
          cause: `Only nodes that run a ready Pod of ${ns}/${name} answer on the node port; connections to other nodes are dropped.`,
          fix: `Send clients only to nodes with a Pod, or set externalTrafficPolicy: Cluster (loses the client IP).`,
        }),
      );
    }

    // targetPort by name: some live selected Pod must declare it.
    const selector = svc.spec?.selector;
    if (selector && Object.keys(selector).length && type !== 'ExternalName') {
      const pods = (podsByNs.get(ns) ?? []).filter((p) => matchesMap(selector, p.metadata?.labels) && !isTerminal(p));
      if (pods.length) {
        for (const u of undeclaredNamedTargetPorts(svc, pods)) {
          out.push(
            finding('KD2005', ref, {
              message: `${name}: targetPort "${u.targetPort}" names no container port of the selected pods`,
              cause: `Port ${u.port} of ${ns}/${name} targets "${u.targetPort}", but none of the ${pods.length} selected Pod(s) declares a container port with that name.`,
              fix: `Use the container's port number as targetPort, or name the container port "${u.targetPort}" in the Pod template.`,
            }),
          );
        }
      }
    }
  }

  for (const [ns, services] of lbHttpByNs) {
    if (services.length < 2) continue;
    const names = services.map((s) => s.metadata?.name ?? '').sort();
    out.push(
      finding('KD2003', { kind: 'Namespace', name: ns }, {
        message: `${services.length} LoadBalancer Services serve HTTP(S) in ${ns}: ${names.join(', ')}`,
        cause: `Each LoadBalancer Service provisions its own cloud load balancer. For several HTTP(S) services one Ingress (a single load balancer) in front of ClusterIP Services costs less and centralises TLS.`,
        fix: `Change these Services to type ClusterIP and route to them from one Ingress (host/path rules, TLS).`,
      }),
    );
  }
  return out;
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
