// NetworkPolicy lint (KD4xxx) on namespaces, pods, policies, Services and Ingresses whose names,
// labels, selectors and port names carry the hostile value.
import { analyzeNetpol } from '../../../src/checks/netpol.js';
import type { Finding } from '../../../src/report/types.js';
import { fixtureSnapshot, type K8sObject } from '../../support/fixtures.js';
import { nameOf, type HostileScenario } from './types.js';

const READY = (ip: string) => ({ phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] });

function namespace(name: string, labels: Record<string, string> = {}): K8sObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

let ip = 10;
function pod(ns: string, name: string, labels: Record<string, string>, ports: object[] = []): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, uid: `uid-${ns}-${name}`, labels },
    spec: { containers: [{ name: 'app', image: 'x', ports }] },
    status: READY(`10.244.1.${ip++ % 250}`),
  };
}

function policy(ns: string, name: string, spec: object): K8sObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** Cluster DNS and an enforcing network plugin, so only the scenario's own faults fire. */
const KUBE_SYSTEM: K8sObject[] = [
  namespace('kube-system'),
  pod('kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' }, [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
  ]),
  { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-router', namespace: 'kube-system' }, spec: {} },
];

/** A namespace named after the value with a client and a database pod labelled with it. */
function workloads(v: string): { ns: string; objects: K8sObject[]; client: Record<string, string>; db: Record<string, string> } {
  const ns = nameOf(v);
  const client = { app: v, role: 'client' };
  const db = { app: nameOf(v, '-db'), tier: v };
  return {
    ns,
    client,
    db,
    objects: [
      namespace(ns, { team: v }),
      pod(ns, nameOf(v), client),
      pod(ns, nameOf(v, '-db'), db, [{ name: nameOf(v, 'p').slice(0, 15), containerPort: 5432 }]),
    ],
  };
}

function lint(objects: readonly K8sObject[], withSystem = true): Finding[] {
  return analyzeNetpol(fixtureSnapshot([...(withSystem ? KUBE_SYSTEM : []), ...objects]), { clusterWide: true }).findings;
}

export const netpolScenarios: HostileScenario[] = [
  {
    name: 'egress policy without DNS, destination denies ingress',
    codes: ['KD4001', 'KD4012'],
    run: (v) => {
      const w = workloads(v);
      return lint([
        ...w.objects,
        policy(w.ns, nameOf(v), {
          podSelector: { matchLabels: w.client },
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: w.db } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
        }),
        policy(w.ns, nameOf(v, '-deny'), { podSelector: {}, policyTypes: ['Ingress'] }),
      ]);
    },
  },
  {
    name: 'deny-all egress without rules',
    codes: ['KD4001'],
    run: (v) => {
      const w = workloads(v);
      return lint([...w.objects, policy(w.ns, nameOf(v), { podSelector: { matchLabels: w.client }, policyTypes: ['Egress'] })]);
    },
  },
  {
    name: 'DNS over UDP only',
    codes: ['KD4002'],
    run: (v) => {
      const w = workloads(v);
      return lint([
        ...w.objects,
        policy(w.ns, nameOf(v), {
          podSelector: { matchLabels: w.client },
          policyTypes: ['Egress'],
          egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }],
        }),
      ]);
    },
  },
  {
    name: 'selectors that select nothing, rules the API ignores, ports nobody exposes',
    codes: ['KD4003', 'KD4004', 'KD4005', 'KD4006', 'KD4007'],
    run: (v) => {
      const w = workloads(v);
      return lint([
        ...w.objects,
        policy(w.ns, nameOf(v, '-none'), { podSelector: { matchLabels: { app: `${v}x` } }, policyTypes: ['Ingress'] }),
        policy(w.ns, nameOf(v), {
          podSelector: { matchLabels: w.db },
          policyTypes: ['Ingress'],
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': `${v}-gone` } } }] },
            { from: [{ podSelector: { matchLabels: { app: `${v}-gone` } } }] },
            {
              from: [{ podSelector: { matchLabels: w.client } }],
              ports: [
                { protocol: 'TCP', port: nameOf(v, 'q').slice(0, 15) },
                { protocol: 'TCP', port: 9999 },
              ],
            },
          ],
          egress: [{ to: [{ podSelector: { matchLabels: { app: v } } }] }],
        }),
      ]);
    },
  },
  {
    name: 'namespace without policies',
    codes: ['KD4008'],
    run: (v) => lint(workloads(v).objects),
  },
  {
    name: 'Ingress backend the controller cannot reach',
    codes: ['KD4009'],
    run: (v) => {
      const w = workloads(v);
      const svc = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: nameOf(v), namespace: w.ns },
        spec: { selector: w.db, ports: [{ port: 80, targetPort: 5432 }] },
      };
      const ing = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: nameOf(v), namespace: w.ns },
        spec: {
          rules: [{ host: 'a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: nameOf(v), port: { number: 80 } } } }] } }],
        },
      };
      return lint([
        ...w.objects,
        namespace('ingress-nginx'),
        pod('ingress-nginx', 'controller', { 'app.kubernetes.io/name': 'ingress-nginx' }),
        svc,
        ing,
        policy(w.ns, nameOf(v), { podSelector: {}, policyTypes: ['Ingress'] }),
      ]);
    },
  },
  {
    name: 'flannel only',
    codes: ['KD4010'],
    run: (v) => {
      const w = workloads(v);
      return lint(
        [
          ...w.objects,
          pod('kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' }),
          { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-flannel-ds', namespace: 'kube-flannel' }, spec: {} },
          policy(w.ns, nameOf(v), { podSelector: {}, policyTypes: ['Ingress'] }),
        ],
        false,
      );
    },
  },
  {
    name: 'no known enforcer',
    codes: ['KD4011'],
    run: (v) => {
      const w = workloads(v);
      return lint([...w.objects, policy(w.ns, nameOf(v), { podSelector: {}, policyTypes: ['Ingress'] })], false);
    },
  },
];
