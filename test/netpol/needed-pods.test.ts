// The differential proof of src/netpol/needed-pods.ts: for every fixture, the e2e scenario and
// generated clusters, the NetworkPolicy analysis of each namespace over every Pod of the cluster
// and over only the Pods the planned queries return (the selectors applied here to the full
// list, as the API would) is the same, row for row and finding for finding.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import type { V1Pod } from '@kubernetes/client-node';
import { analyzeNetpol, netpolScope } from '../../src/checks/netpol.js';
import { neededPods, type PodLister } from '../../src/cluster/netpol.js';
import { labelSelectorString, mergePods, neededPodQueries, parseLabelSelector, podMatchesQuery, type PodQuery } from '../../src/netpol/needed-pods.js';
import type { Snapshot } from '../../src/snapshot.js';
import { fixtureSnapshot, loadFixture, type K8sObject } from '../support/fixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SUPPORTED = new Set(['Namespace', 'Node', 'Service', 'EndpointSlice', 'Pod', 'Ingress', 'IngressClass', 'NetworkPolicy', 'DaemonSet', 'Deployment']);

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
/** Objects in the API's list order (etcd key order: namespace/name, bytewise). */
const apiOrder = <T extends { metadata?: { namespace?: string; name?: string } }>(items: readonly T[]) =>
  [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));

/** Pods a workload would run: its template's labels and spec, `replicas` of them (DaemonSets: one). */
function podsOf(workload: K8sObject): K8sObject[] {
  const spec = workload.spec as { replicas?: number; template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown } } | undefined;
  const n = workload.kind === 'DaemonSet' ? 1 : (spec?.replicas ?? 1);
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${workload.metadata.name}-${i}`,
      namespace: workload.metadata.namespace,
      uid: `${workload.metadata.namespace}-${workload.metadata.name}-${i}`,
      labels: { ...(spec?.template?.metadata?.labels ?? {}) },
      ...(workload.kind === 'DaemonSet' ? { ownerReferences: [{ kind: 'DaemonSet', name: workload.metadata.name, apiVersion: 'apps/v1', uid: 'x' }] } : {}),
    },
    spec: spec?.template?.spec ?? { containers: [] },
    status: { phase: 'Running', podIP: `10.244.${i}.${(workload.metadata.name.length * 7) % 250}` },
  }));
}

function yamlObjects(path: string): K8sObject[] {
  const docs = loadAll(readFileSync(path, 'utf8')) as (K8sObject & { items?: K8sObject[] })[];
  return docs.filter(Boolean).flatMap((d) => (d.kind === 'List' ? (d.items ?? []) : [d]));
}

/** The e2e scenario (cluster/scenario) as one cluster: its workloads become Pods. */
function scenario(): K8sObject[] {
  const dir = join(ROOT, 'cluster', 'scenario');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f));
  const objects = files.flatMap(yamlObjects);
  const workloads = objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind));
  // The cluster's own: CoreDNS and kube-router (what cluster/up.sh runs).
  const system: K8sObject[] = [
    { kind: 'Namespace', metadata: { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } } },
    pod('kube-system', 'coredns-0', { 'k8s-app': 'kube-dns' }, [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    ]),
    pod('kube-system', 'kube-router-0', { 'k8s-app': 'kube-router' }, [], { hostNetwork: true }),
  ];
  return [...objects.filter((o) => o.kind !== 'StatefulSet'), ...workloads.flatMap(podsOf), ...system];
}

function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ports: { name?: string; containerPort: number; protocol?: string }[] = [],
  extra: { hostNetwork?: boolean; phase?: string; owner?: string } = {},
): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: `${namespace}/${name}`,
      labels,
      ...(extra.owner ? { ownerReferences: [{ kind: 'DaemonSet', name: extra.owner, apiVersion: 'apps/v1', uid: 'o' }] } : {}),
    },
    spec: { hostNetwork: extra.hostNetwork ?? false, containers: [{ name: 'c', image: 'i', ports }] },
    status: { phase: extra.phase ?? 'Running', podIP: `10.244.${name.length}.${namespace.length}` },
  };
}

const ns = (name: string, labels: Record<string, string> = {}): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { ...labels, 'kubernetes.io/metadata.name': name } },
});
const np = (namespace: string, name: string, spec: Record<string, unknown>): K8sObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});

/** A small deterministic PRNG (mulberry32): generated clusters are the same at every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PORTS = [80, 443, 5432, 6379, 8080, 9999];
const APPS = ['web', 'api', 'db', 'cache', 'ingress-nginx'];

/** A random selector over the generated labels: matchLabels, every operator, or empty. */
function selector(r: () => number, keys: Record<string, string[]>): Record<string, unknown> {
  const k = Object.keys(keys);
  const key = k[Math.floor(r() * k.length)]!;
  const values = keys[key]!;
  const v = values[Math.floor(r() * values.length)]!;
  const pick = r();
  if (pick < 0.15) return {};
  if (pick < 0.5) return { matchLabels: { [key]: v } };
  if (pick < 0.6) return { matchLabels: { [key]: `${v}-none` } };
  const ops = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
  const op = ops[Math.floor(r() * ops.length)]!;
  return { matchExpressions: [{ key, operator: op, ...(op === 'In' || op === 'NotIn' ? { values: [v, values[0]!] } : {}) }] };
}

/** A generated cluster: labelled namespaces, Pods with ports, system Pods, and policies with peers across namespaces. */
function generated(seed: number): K8sObject[] {
  const r = rng(seed);
  const objects: K8sObject[] = [ns('kube-system'), ns('ingress-nginx')];
  const names = ['alpha', 'beta', 'gamma', 'delta', 'edge'];
  for (const n of names) objects.push(ns(n, r() < 0.5 ? { team: r() < 0.5 ? 'a' : 'b', env: r() < 0.5 ? 'prod' : 'dev' } : { team: 'a' }));
  for (const n of names) {
    const count = 1 + Math.floor(r() * 5);
    for (let i = 0; i < count; i++) {
      const app = APPS[Math.floor(r() * (APPS.length - 1))]!;
      const ports = r() < 0.7 ? [{ containerPort: PORTS[Math.floor(r() * (PORTS.length - 1))]!, protocol: 'TCP', name: 'main' }] : [];
      const labels: Record<string, string> = { app, ...(r() < 0.5 ? { tier: r() < 0.5 ? 'front' : 'back' } : {}) };
      if (r() < 0.1) labels['app.kubernetes.io/name'] = 'traefik';
      objects.push(pod(n, `${app}-${i}`, labels, ports, { hostNetwork: r() < 0.1, phase: r() < 0.1 ? 'Failed' : 'Running' }));
    }
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: n },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    if (r() < 0.6)
      objects.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'site', namespace: n },
        spec: {
          ingressClassName: r() < 0.5 ? 'nginx' : 'other',
          rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
        },
      });
  }
  if (r() < 0.8)
    objects.push(
      pod('kube-system', 'coredns-a', { 'k8s-app': 'kube-dns' }, [
        { name: 'dns', containerPort: 53, protocol: 'UDP' },
        ...(r() < 0.8 ? [{ name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }] : []),
      ]),
    );
  if (r() < 0.7)
    objects.push(
      pod('ingress-nginx', 'controller-0', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, [{ containerPort: 80 }]),
    );
  if (r() < 0.3) objects.push(pod('edge', 'rke2-0', { 'app.kubernetes.io/name': 'rke2-ingress-nginx' }, [{ containerPort: 443 }]));
  const cni = r();
  if (cni < 0.3) objects.push(pod('kube-system', 'calico-node-x', { 'k8s-app': 'calico-node' }, [], { hostNetwork: true }));
  else if (cni < 0.5) objects.push(pod('kube-flannel', 'flannel-x', { app: 'flannel' }, [], { hostNetwork: true }));
  else if (cni < 0.7) {
    objects.push(pod('kube-system', 'cilium-x', {}, [], { hostNetwork: true, owner: 'cilium' }));
    objects.push({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'cilium', namespace: 'kube-system' }, spec: {} });
  }
  objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } });
  const podKeys = { app: APPS, tier: ['front', 'back'] };
  const nsKeys = { team: ['a', 'b'], env: ['prod', 'dev'], 'kubernetes.io/metadata.name': [...names, 'kube-system', 'ingress-nginx'] };
  for (const n of names) {
    const policies = Math.floor(r() * 4);
    for (let p = 0; p < policies; p++) {
      const peer = () => {
        const kind = r();
        if (kind < 0.1) return { ipBlock: { cidr: '10.0.0.0/8' } };
        if (kind < 0.3) return { podSelector: selector(r, podKeys) };
        if (kind < 0.5) return { namespaceSelector: {} };
        if (kind < 0.6) return { namespaceSelector: {}, podSelector: selector(r, podKeys) };
        if (kind < 0.8) return { namespaceSelector: selector(r, nsKeys), podSelector: selector(r, podKeys) };
        return { namespaceSelector: selector(r, nsKeys) };
      };
      const rule = (dir: 'from' | 'to') => ({
        [dir]: Array.from({ length: 1 + Math.floor(r() * 2) }, peer),
        ...(r() < 0.8 ? { ports: [{ protocol: r() < 0.8 ? 'TCP' : 'UDP', port: r() < 0.2 ? 53 : PORTS[Math.floor(r() * PORTS.length)]! }] } : {}),
      });
      const types = r() < 0.3 ? ['Ingress'] : r() < 0.5 ? ['Egress'] : ['Ingress', 'Egress'];
      objects.push(
        np(n, `p${p}`, {
          podSelector: selector(r, podKeys),
          policyTypes: types,
          ingress: Array.from({ length: Math.floor(r() * 3) }, () => rule('from')),
          egress: Array.from({ length: Math.floor(r() * 3) }, () => rule('to')),
        }),
      );
    }
  }
  return objects;
}

/** Hand-written cases: each open case of the plan (a peer that matches nothing, ports nobody declares, namespaceSelector {}). */
function handwritten(): [string, K8sObject[]][] {
  const base = [
    ns('kube-system'),
    ns('shop', { team: 'a' }),
    ns('data', { team: 'a', tier: 'data' }),
    ns('other', { team: 'b' }),
    pod('kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' }, [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    ]),
    pod('shop', 'web-1', { app: 'web' }, [{ containerPort: 8080 }]),
    pod('data', 'db-1', { app: 'db', role: 'primary' }, [{ containerPort: 5432 }]),
    pod('data', 'db-2', { app: 'db', role: 'replica' }, [{ containerPort: 5432 }]),
    pod('other', 'cache-1', { app: 'cache' }, [{ containerPort: 6379 }]),
    np('data', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
  ];
  const egress = (name: string, to: unknown[], port: number) =>
    np('shop', name, { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to, ports: [{ protocol: 'TCP', port }] }] });
  return [
    [
      'peer matching nothing (near labels)',
      [...base, egress('e', [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'dbx' } } }], 5432)],
    ],
    [
      'matchExpressions across namespaces',
      [
        ...base,
        egress(
          'e',
          [
            {
              namespaceSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
              podSelector: { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['replica'] }] },
            },
          ],
          5432,
        ),
      ],
    ],
    ['namespaceSelector {} without podSelector, port declared', [...base, egress('e', [{ namespaceSelector: {} }], 6379)]],
    ['namespaceSelector {} without podSelector, port nobody declares', [...base, egress('e', [{ namespaceSelector: {} }], 7000)]],
    ['namespaceSelector over few namespaces, port nobody declares', [...base, egress('e', [{ namespaceSelector: { matchLabels: { team: 'b' } } }], 7000)]],
    ['namespaceSelector {} with podSelector {}', [...base, egress('e', [{ namespaceSelector: {}, podSelector: {} }], 5432)]],
    [
      'DoesNotExist and In',
      [
        ...base,
        egress(
          'e',
          [
            {
              namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }] },
              podSelector: { matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }] },
            },
          ],
          6379,
        ),
      ],
    ],
  ];
}

function sources(): [string, K8sObject[]][] {
  const fixtures = readdirSync(join(ROOT, 'test', 'fixtures'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f): [string, K8sObject[]] => [`test/fixtures/${f}`, loadFixture(f)]);
  const everyFixture: [string, K8sObject[]] = ['all fixtures together', fixtures.flatMap(([, o]) => o)];
  const seeds = Array.from({ length: 60 }, (_, i): [string, K8sObject[]] => [`generated #${i}`, generated(1000 + i)]);
  return [...fixtures, everyFixture, ['cluster/scenario', scenario()], ...handwritten(), ...seeds];
}

function lister(all: readonly V1Pod[], asked: PodQuery[]): PodLister {
  return async (q) => {
    asked.push(q);
    return all.filter((p) => podMatchesQuery(q, p));
  };
}

/** The analysis of `namespace` as kdiag check -n / kdiag netpol -n runs it, with the given Pods beyond the snapshot. */
function analysis(nsSnapshot: Snapshot, pods: V1Pod[], daemonsets: Snapshot['daemonsets']) {
  const { snapshot, options } = netpolScope({ ...nsSnapshot, netpol: { pods, daemonsets, clusterWide: true, refused: {} } });
  return analyzeNetpol(snapshot, options);
}

interface Outcome {
  namespaces: number;
  fewer: number;
}

async function compare(objects: K8sObject[]): Promise<Outcome> {
  const supported = apiOrder(objects.filter((o) => SUPPORTED.has(o.kind)));
  // Duplicates across fixture files (the same object twice) would be listed once by the API.
  const unique = [...new Map(supported.map((o) => [`${o.kind}|${keyOf(o)}`, o])).values()];
  const full = fixtureSnapshot(unique);
  const namespaces = [...new Set(unique.map((o) => o.metadata.namespace).filter((n): n is string => !!n))];
  let fewer = 0;
  for (const namespace of namespaces) {
    const nsSnapshot = fixtureSnapshot(
      unique.filter((o) => !o.metadata.namespace || o.metadata.namespace === namespace),
      { namespace },
    );
    const before = analysis(nsSnapshot, full.pods, full.daemonsets);
    const asked: PodQuery[] = [];
    const read = await neededPods(lister(full.pods, asked), { ...nsSnapshot, namespace }, Promise.resolve({ items: full.daemonsets }));
    if (!('items' in read)) throw new Error('refused');
    const after = analysis(nsSnapshot, read.items, full.daemonsets);
    expect({ namespace, ...after }).toEqual({ namespace, ...before });
    if (read.items.length < full.pods.length) fewer++;
  }
  return { namespaces: namespaces.length, fewer };
}

describe('needed pods: the analysis over the planned queries equals the analysis over every Pod', () => {
  const all = sources();
  it.each(all.map(([name, objects]) => [name, objects] as const))('%s: every namespace', async (_name, objects) => {
    await compare(objects);
  });

  it('the plan reads fewer Pods than the cluster has in most namespaces (it is not the cluster-wide list in disguise)', async () => {
    let namespaces = 0;
    let fewer = 0;
    for (const [, objects] of all) {
      const o = await compare(objects);
      namespaces += o.namespaces;
      fewer += o.fewer;
    }
    expect(namespaces).toBeGreaterThan(200);
    expect(fewer / namespaces).toBeGreaterThan(0.5);
  });
});

describe('needed pods: the queries', () => {
  const snap = (objects: K8sObject[], namespace: string) => fixtureSnapshot(objects, { namespace });

  it('writes every matchExpressions operator as a server-side label selector, and parses it back', () => {
    const s = {
      matchLabels: { app: 'db' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    };
    const text = labelSelectorString(s)!;
    expect(text).toBe('app=db,tier in (a,b),env notin (dev),team,!legacy');
    expect(parseLabelSelector(text)).toEqual({
      matchLabels: { app: 'db' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
  });

  it('refuses selectors the API could not take (then every Pod is listed)', () => {
    expect(labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toBeUndefined();
    expect(labelSelectorString({ matchLabels: { a: 'x y' } })).toBeUndefined();
    expect(labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toBeUndefined();
    const objects = [
      ns('shop'),
      np('shop', 'p', { podSelector: {}, egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'a,b' } } }] }] }),
    ];
    expect(neededPodQueries({ namespace: 'shop', snapshot: snap(objects, 'shop') })).toEqual({ all: expect.stringContaining('cannot be sent') });
  });

  it('asks for kube-system whole, the namespace, the controllers and plugins by label, and each cross-namespace peer selector once', () => {
    const peer = { namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'db' } } };
    const objects = [
      ns('shop'),
      np('shop', 'p', { podSelector: {}, ingress: [{ from: [peer] }], egress: [{ to: [peer, { podSelector: { matchLabels: { app: 'x' } } }] }] }),
    ];
    const plan = neededPodQueries({ namespace: 'shop', snapshot: snap(objects, 'shop') });
    expect(plan).toEqual({
      queries: [
        { namespace: 'kube-system' },
        { namespace: 'shop' },
        { labelSelector: 'app.kubernetes.io/name in (contour,haproxy-ingress,ingress-nginx,rke2-ingress-nginx,traefik)' },
        { labelSelector: 'app in (ingress-nginx)' },
        { labelSelector: expect.stringMatching(/^k8s-app in \(/) },
        { labelSelector: expect.stringMatching(/^app\.kubernetes\.io\/name in \(/) },
        { labelSelector: expect.stringMatching(/^app in \(.*calico-node/) },
        { labelSelector: 'app=db' },
      ],
    });
  });

  it('falls back to the one cluster-wide list when the queries would be many', () => {
    const peers = Array.from({ length: 10 }, (_, i) => ({ namespaceSelector: {}, podSelector: { matchLabels: { app: `a${i}` } } }));
    const objects = [ns('shop'), np('shop', 'p', { podSelector: {}, ingress: [{ from: peers }] })];
    expect(neededPodQueries({ namespace: 'shop', snapshot: snap(objects, 'shop') })).toEqual({ all: expect.stringContaining('queries') });
  });

  it('merges answers once per namespace/name (a Pod re-created between two answers too), in the API order', () => {
    const a = pod('b', 'x', {}) as V1Pod;
    const b = pod('a-b', 'y', {}) as V1Pod;
    const c = pod('a', 'z', {}) as V1Pod;
    expect(
      mergePods([
        [a, c],
        [c, b],
      ]).map(keyOf),
    ).toEqual(['a-b/y', 'a/z', 'b/x']);
  });
});
