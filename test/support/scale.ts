// The scale mode's load (cluster/go/scalegen) as objects for the fake API, at a level (1 =
// 5,000 Services, 20,000 Pods, 100 namespaces, 200 NetworkPolicies, 500 Ingresses): the same
// names, selectors (every 50th Service's selector has a typo), policies and Ingresses (class
// nginx), with the EndpointSlices the controller would write and the pods kwok makes Ready.
import type { K8sObject } from './fixtures.js';

export interface ScaleLoad {
  services: number;
  pods: number;
  namespaces: number;
  netpols: number;
  ingresses: number;
}

export function loadAt(level: number): ScaleLoad {
  return {
    services: Math.round(5000 * level),
    pods: Math.round(20000 * level),
    namespaces: Math.max(1, Math.round(100 * level)),
    netpols: Math.round(200 * level),
    ingresses: Math.round(500 * level),
  };
}

const FAULTY_EVERY = 50;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const nsName = (i: number) => `kdiag-scale-${pad(i, 3)}`;
const svcName = (i: number) => `svc-${pad(i, 5)}`;

export function scaleObjects(load: ScaleLoad): K8sObject[] {
  const out: K8sObject[] = [];
  const svcNs = (i: number) => nsName(i % load.namespaces);
  const created = '2026-11-25T10:00:00Z';
  for (let i = 0; i < load.namespaces; i++)
    out.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: nsName(i), labels: { 'kdiag.dev/scale': 'true', 'kubernetes.io/metadata.name': nsName(i) } },
    });
  const podsOf = new Map<number, { name: string; ip: string; node: string }[]>();
  for (let j = 0; j < load.pods; j++) {
    const svc = Math.floor((j * load.services) / load.pods);
    const name = `${svcName(svc)}-${pad(j, 5)}`;
    const ip = `10.245.${Math.floor(j / 250) % 256}.${(j % 250) + 1}`;
    const node = `kwok-node-${pad(j % 100, 3)}`;
    (podsOf.get(svc) ?? podsOf.set(svc, []).get(svc)!).push({ name, ip, node });
    out.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: svcNs(svc), uid: `uid-${j}`, labels: { 'kdiag.dev/scale': 'true', app: svcName(svc) }, creationTimestamp: created },
      spec: { nodeName: node, containers: [{ name: 'app', image: 'kdiag.local/backend:1.0', ports: [{ name: 'http', containerPort: 8080 }] }] },
      status: {
        phase: 'Running',
        podIP: ip,
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'kdiag.local/backend:1.0', imageID: '', state: { running: {} } }],
      },
    });
  }
  for (let i = 0; i < load.services; i++) {
    const name = svcName(i);
    const faulty = i % FAULTY_EVERY === FAULTY_EVERY - 1;
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: svcNs(i), labels: { 'kdiag.dev/scale': 'true' }, creationTimestamp: created },
      spec: {
        type: 'ClusterIP',
        clusterIP: `10.97.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        selector: { app: faulty ? `${name}-typo` : name },
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      },
    });
    const endpoints = faulty ? [] : (podsOf.get(i) ?? []);
    out.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${name}-x1`,
        namespace: svcNs(i),
        labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      },
      addressType: 'IPv4',
      ports: endpoints.length ? [{ name: 'http', port: 8080, protocol: 'TCP' }] : null,
      endpoints: endpoints.map((p) => ({
        addresses: [p.ip],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: p.node,
        targetRef: { kind: 'Pod', name: p.name, namespace: svcNs(i) },
      })),
    });
  }
  for (let i = 0; i < load.netpols; i++) {
    const round = Math.floor(i / load.namespaces);
    const deny = round % 2 === 0;
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: deny ? `default-deny-ingress-${round}` : `allow-same-namespace-${round}`,
        namespace: nsName(i % load.namespaces),
        labels: { 'kdiag.dev/scale': 'true' },
      },
      spec: deny
        ? { podSelector: {}, policyTypes: ['Ingress'] }
        : { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] }] },
    });
  }
  for (let i = 0; i < load.ingresses; i++) {
    const svc = i % load.services;
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: `ing-${pad(i, 5)}`, namespace: svcNs(svc), labels: { 'kdiag.dev/scale': 'true' }, creationTimestamp: created },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: `${svcName(svc)}.scale.kdiag.test`,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svcName(svc), port: { number: 80 } } } }] },
          },
        ],
      },
    });
  }
  return out;
}
