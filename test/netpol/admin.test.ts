// The cluster-scoped policies of the network-policy-api (AdminNetworkPolicy and
// BaselineAdminNetworkPolicy v1alpha1, ClusterNetworkPolicy v1alpha2), case by case. Each
// case's name quotes the API types' text (sigs.k8s.io/network-policy-api apis/v1alpha1 and
// apis/v1alpha2) that it follows. Per side, who decides:
//   'admin:<Kind>/<name>#N'    rule N of an admin-tier policy (Allow/Deny)
//   'np:<ns>/<name>#N'         a NetworkPolicy rule;  'np:denied'  isolated, nothing allows
//   'baseline:<Kind>/<name>#N' rule N of a baseline-tier policy
//   'default'                  no tier decided: allowed
//   'not-enforced'             an IP or a host-network pod
import { describe, expect, it } from '@jest/globals';
import { explainConnection, type SideVerdict } from '../../src/netpol/explain.js';
import { calicoMaySelect } from '../../src/netpol/native.js';
import { podEndpoint, type Endpoint, type Protocol } from '../../src/netpol/policy.js';
import { snapshotOf, type ClusterPolicyObjects, type CustomObject, type NativePolicyKind } from '../../src/snapshot.js';
import type { K8sObject } from '../support/fixtures.js';

const ns = (name: string, labels: Record<string, string> = {}): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
});
const pod = (
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ip: string,
  ports: { name?: string; containerPort: number; protocol?: string }[] = [],
  hostNetwork = false,
): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { hostNetwork, containers: [{ name: 'c', image: 'x', ports }] },
  status: { phase: 'Running', podIP: ip },
});
const node = (name: string, labels: Record<string, string>, ip: string): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  status: { addresses: [{ type: 'InternalIP', address: ip }] },
});
const np = (namespace: string, name: string, spec: Record<string, unknown>): K8sObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});

const WORLD: K8sObject[] = [
  ns('prod', { env: 'prod' }),
  ns('dev', { env: 'dev' }),
  ns('monitoring', { team: 'sre' }),
  pod('prod', 'web', { app: 'web' }, '10.0.1.1', [{ name: 'http', containerPort: 8080 }]),
  pod('prod', 'db', { app: 'db' }, '10.0.1.2', [{ name: 'pg', containerPort: 5432 }]),
  pod('dev', 'client', { app: 'client' }, '10.0.2.1'),
  pod('monitoring', 'prometheus', { app: 'prometheus' }, '10.0.3.1'),
  pod('monitoring', 'node-exporter', { app: 'node-exporter' }, '192.0.2.10', [{ name: 'metrics', containerPort: 9100 }], true),
  node('node-a', { 'node-role.kubernetes.io/worker': '' }, '192.0.2.10'),
];

type Spec = Record<string, unknown>;
const anp = (name: string, priority: number, spec: Spec): CustomObject => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name },
  spec: { priority, ...spec },
});
const banp = (spec: Spec): CustomObject => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'BaselineAdminNetworkPolicy',
  metadata: { name: 'default' },
  spec,
});
const cnp = (name: string, tier: 'Admin' | 'Baseline', priority: number, spec: Spec): CustomObject => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha2',
  kind: 'ClusterNetworkPolicy',
  metadata: { name },
  spec: { tier, priority, ...spec },
});

const PROD = { namespaces: { matchLabels: { env: 'prod' } } };
const DEV_PEER = { namespaces: { matchLabels: { env: 'dev' } } };
const ALL_NS = { namespaces: {} };

interface Case {
  name: string;
  objects?: CustomObject[];
  policies?: K8sObject[];
  native?: NativePolicyKind[];
  from: string;
  to: string;
  port: number;
  protocol?: Protocol;
  verdict: 'allowed' | 'denied' | 'unknown';
  egress: string;
  ingress: string;
}

function endpoint(objects: readonly K8sObject[], ref: string): Endpoint {
  if (/^[\d.]+$/.test(ref)) return { kind: 'ip', ip: ref };
  const [namespace, name] = ref.split('/');
  const p = objects.find((o) => o.kind === 'Pod' && o.metadata.namespace === namespace && o.metadata.name === name);
  if (!p) throw new Error(`no pod ${ref}`);
  return podEndpoint(p as never);
}

function decided(s: SideVerdict): string {
  if (!s.enforced) return 'not-enforced';
  if (s.unknown) return 'unknown';
  if (s.tier === 'admin' || s.tier === 'baseline') return `${s.tier}:${s.decidedBy!.policy}#${s.decidedBy!.rule}`;
  if (s.isolated) return s.allowed ? `np:${s.decidedBy!.policy}#${s.decidedBy!.rule}` : 'np:denied';
  return 'default';
}

function objectsOf(list: CustomObject[] = [], native: NativePolicyKind[] = []): ClusterPolicyObjects {
  return {
    adminNetworkPolicies: list.filter((o) => o.kind === 'AdminNetworkPolicy'),
    baselineAdminNetworkPolicies: list.filter((o) => o.kind === 'BaselineAdminNetworkPolicy'),
    clusterNetworkPolicies: list.filter((o) => o.kind === 'ClusterNetworkPolicy'),
    native,
    unreadable: {},
  };
}

function run(c: Pick<Case, 'objects' | 'policies' | 'native' | 'from' | 'to' | 'port' | 'protocol'>, unreadable: Record<string, string> = {}) {
  const all = [...WORLD, ...(c.policies ?? [])];
  const snapshot = snapshotOf(all, { clusterPolicies: { ...objectsOf(c.objects, c.native), unreadable } });
  return explainConnection(snapshot, endpoint(all, c.from), endpoint(all, c.to), c.port, c.protocol ?? 'TCP');
}

const DENY_PROD_INGRESS = np('prod', 'deny-in', { podSelector: {}, policyTypes: ['Ingress'] });
const ALLOW_DEV_TO_WEB = np('prod', 'web-from-dev', {
  podSelector: { matchLabels: { app: 'web' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }],
});

const CASES: Case[] = [
  // --- actions ------------------------------------------------------------------------------
  {
    name: 'ANP Deny: "Pods will never receive traffic which has been matched by a "Deny" rule in an AdminNetworkPolicy" (even when a NetworkPolicy allows it)',
    objects: [anp('no-dev', 10, { subject: PROD, ingress: [{ action: 'Deny', from: [DEV_PEER] }] })],
    policies: [ALLOW_DEV_TO_WEB],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'admin:AdminNetworkPolicy/no-dev#1',
  },
  {
    name: 'ANP Allow: "allowed regardless of NetworkPolicy and BaselineAdminNetworkPolicy rules"',
    objects: [
      anp('sre-in', 10, { subject: ALL_NS, ingress: [{ action: 'Allow', from: [{ namespaces: { matchLabels: { team: 'sre' } } }] }] }),
      banp({ subject: ALL_NS, ingress: [{ action: 'Deny', from: [ALL_NS] }] }),
    ],
    policies: [DENY_PROD_INGRESS],
    from: 'monitoring/prometheus',
    to: 'prod/web',
    port: 8080,
    verdict: 'allowed',
    egress: 'default',
    ingress: 'admin:AdminNetworkPolicy/sre-in#1',
  },
  {
    name: 'ANP Pass: "bypass further AdminNetworkPolicy processing … and be allowed or denied based on NetworkPolicy" (NetworkPolicy denies)',
    objects: [
      anp('pass-dev', 5, { subject: PROD, ingress: [{ action: 'Pass', from: [DEV_PEER] }] }),
      anp('deny-dev', 50, { subject: PROD, ingress: [{ action: 'Deny', from: [DEV_PEER] }] }),
    ],
    policies: [DENY_PROD_INGRESS],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'np:denied',
  },
  {
    name: 'ANP Pass: "ignoring rules with lower precedence": a lower-precedence Deny does not apply, the NetworkPolicy allows',
    objects: [
      anp('pass-dev', 5, { subject: PROD, ingress: [{ action: 'Pass', from: [DEV_PEER] }] }),
      anp('deny-dev', 50, { subject: PROD, ingress: [{ action: 'Deny', from: [DEV_PEER] }] }),
    ],
    policies: [ALLOW_DEV_TO_WEB],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'allowed',
    egress: 'default',
    ingress: 'np:prod/web-from-dev#1',
  },
  {
    name: 'ANP Pass with no NetworkPolicy: "the traffic is passed to any BaselineAdminNetworkPolicies that select the pod"',
    objects: [
      anp('pass-dev', 5, { subject: PROD, ingress: [{ action: 'Pass', from: [DEV_PEER] }] }),
      banp({ subject: PROD, ingress: [{ action: 'Deny', from: [DEV_PEER] }] }),
    ],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'baseline:BaselineAdminNetworkPolicy/default#1',
  },
  // --- priorities and rule order ---------------------------------------------------------------
  {
    name: 'priority: "Policies with lower priority values have higher precedence" (Allow at 1 beats Deny at 2)',
    objects: [
      anp('deny', 2, { subject: PROD, ingress: [{ action: 'Deny', from: [ALL_NS] }] }),
      anp('allow', 1, { subject: PROD, ingress: [{ action: 'Allow', from: [DEV_PEER] }] }),
    ],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'allowed',
    egress: 'default',
    ingress: 'admin:AdminNetworkPolicy/allow#1',
  },
  {
    name: 'rule order: "a rule that appears at the top of the ingress rules would take the highest precedence"',
    objects: [
      anp('ordered', 10, {
        subject: PROD,
        ingress: [
          { action: 'Deny', from: [DEV_PEER] },
          { action: 'Allow', from: [ALL_NS] },
        ],
      }),
    ],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'admin:AdminNetworkPolicy/ordered#1',
  },
  {
    name: 'no rule matches in an ANP: evaluation goes on to lower-precedence policies, then NetworkPolicy',
    objects: [anp('other', 10, { subject: PROD, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { team: 'sre' } } }] }] })],
    policies: [DENY_PROD_INGRESS],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'np:denied',
  },
  // --- tiers ---------------------------------------------------------------------------------
  {
    name: 'BANP: "applied to the selected pods if they are not matched by any AdminNetworkPolicy or NetworkPolicy rules" (no NetworkPolicy: Deny)',
    objects: [banp({ subject: PROD, ingress: [{ action: 'Deny', from: [ALL_NS] }] })],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'baseline:BaselineAdminNetworkPolicy/default#1',
  },
  {
    name: 'BANP: "can be overridden by the v1.NetworkPolicy" (a NetworkPolicy allowing it wins over a baseline Deny)',
    objects: [banp({ subject: PROD, ingress: [{ action: 'Deny', from: [ALL_NS] }] })],
    policies: [ALLOW_DEV_TO_WEB],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'allowed',
    egress: 'default',
    ingress: 'np:prod/web-from-dev#1',
  },
  {
    name: 'NetworkPolicy "always makes a final decision for selected pods": isolated and not allowed is denied, even with a baseline Allow',
    objects: [banp({ subject: PROD, ingress: [{ action: 'Allow', from: [ALL_NS] }] })],
    policies: [DENY_PROD_INGRESS],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'np:denied',
  },
  {
    name: '"If a given connection wasn\'t allowed or denied by any of the tiers … all pods can communicate with each other"',
    objects: [banp({ subject: PROD, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { team: 'sre' } } }] }] })],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'allowed',
    egress: 'default',
    ingress: 'default',
  },
  // --- ClusterNetworkPolicy v1alpha2 --------------------------------------------------------------
  {
    name: 'CNP Admin tier Accept: "No further ingress ClusterNetworkPolicy or NetworkPolicy rules will be processed"',
    objects: [cnp('accept-dev', 'Admin', 10, { subject: PROD, ingress: [{ action: 'Accept', from: [DEV_PEER] }] })],
    policies: [DENY_PROD_INGRESS],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'allowed',
    egress: 'default',
    ingress: 'admin:ClusterNetworkPolicy/accept-dev#1',
  },
  {
    name: 'CNP egress Accept: "any ingress rules at the destination do apply"',
    objects: [cnp('egress-ok', 'Admin', 10, { subject: { namespaces: { matchLabels: { env: 'dev' } } }, egress: [{ action: 'Accept', to: [PROD] }] })],
    policies: [DENY_PROD_INGRESS],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'admin:ClusterNetworkPolicy/egress-ok#1',
    ingress: 'np:denied',
  },
  {
    name: 'CNP Baseline tier Deny applies when no NetworkPolicy selects the pod ("Baseline tier … can be overridden by the v1.NetworkPolicy")',
    objects: [cnp('baseline-deny', 'Baseline', 10, { subject: PROD, ingress: [{ action: 'Deny', from: [ALL_NS] }] })],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'baseline:ClusterNetworkPolicy/baseline-deny#1',
  },
  {
    name: 'CNP protocols: "tcp … destinationPort" only matches that port (9090 is not 8080)',
    objects: [
      cnp('deny-8080', 'Admin', 1, {
        subject: PROD,
        ingress: [{ action: 'Deny', from: [ALL_NS], protocols: [{ tcp: { destinationPort: { number: 8080 } } }] }],
      }),
    ],
    from: 'dev/client',
    to: 'prod/web',
    port: 9090,
    verdict: 'allowed',
    egress: 'default',
    ingress: 'default',
  },
  {
    name: 'CNP protocols: "destinationNamedPort selects a destination port on a pod based on the ContainerPort name"',
    objects: [cnp('deny-http', 'Admin', 1, { subject: PROD, ingress: [{ action: 'Deny', from: [ALL_NS], protocols: [{ destinationNamedPort: 'http' }] }] })],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'admin:ClusterNetworkPolicy/deny-http#1',
  },
  // --- v1alpha1 as published in v0.1.1: NamespacedPeer ------------------------------------------
  {
    name: 'v0.1.1 NamespacedPeer: "namespaceSelector" inside namespaces selects like a label selector',
    objects: [
      anp('old-shape', 1, { subject: PROD, ingress: [{ action: 'Deny', from: [{ namespaces: { namespaceSelector: { matchLabels: { env: 'dev' } } } }] }] }),
    ],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'admin:AdminNetworkPolicy/old-shape#1',
  },
  {
    name: 'v0.1.1 NamespacedPeer sameLabels: "namespaces that have the same values for these labels as the subject" (dev has another env than prod)',
    objects: [anp('same-env', 1, { subject: ALL_NS, ingress: [{ action: 'Deny', from: [{ namespaces: { sameLabels: ['env'] } }] }] })],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'allowed',
    egress: 'default',
    ingress: 'default',
  },
  {
    name: 'v0.1.1 NamespacedPeer notSameLabels: "namespaces that have different values for these labels" (dev ≠ prod: Deny applies)',
    objects: [
      anp('other-env', 1, { subject: ALL_NS, ingress: [{ action: 'Deny', from: [{ pods: { namespaces: { notSameLabels: ['env'] }, podSelector: {} } }] }] }),
    ],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'admin:AdminNetworkPolicy/other-env#1',
  },
  // --- subjects, peers, ports (v1alpha1) -----------------------------------------------------------
  {
    name: 'subject pods: "select pods via namespace AND pod selectors" (db is not app=web)',
    objects: [
      anp('web-only', 1, {
        subject: { pods: { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { app: 'web' } } } },
        ingress: [{ action: 'Deny', from: [ALL_NS] }],
      }),
    ],
    from: 'dev/client',
    to: 'prod/db',
    port: 5432,
    verdict: 'allowed',
    egress: 'default',
    ingress: 'default',
  },
  {
    name: 'ports portRange: "a contiguous range of ports" (inclusive end)',
    objects: [
      anp('range', 1, { subject: PROD, ingress: [{ action: 'Deny', from: [ALL_NS], ports: [{ portRange: { protocol: 'TCP', start: 8000, end: 8080 } }] }] }),
    ],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'admin:AdminNetworkPolicy/range#1',
  },
  {
    name: 'ports portNumber: UDP on the same number does not match a TCP entry',
    objects: [anp('tcp', 1, { subject: PROD, ingress: [{ action: 'Deny', from: [ALL_NS], ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }] }] })],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    protocol: 'UDP',
    verdict: 'allowed',
    egress: 'default',
    ingress: 'default',
  },
  {
    name: 'egress networks: "select peers via CIDR blocks" (an address outside the cluster)',
    objects: [anp('no-internet', 1, { subject: PROD, egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }] })],
    from: 'prod/web',
    to: '203.0.113.5',
    port: 443,
    verdict: 'denied',
    egress: 'admin:AdminNetworkPolicy/no-internet#1',
    ingress: 'not-enforced',
  },
  {
    name: 'egress networks: "cluster-internal traffic will be checked against the rule as well" (0.0.0.0/0 matches a pod)',
    objects: [anp('no-internet', 1, { subject: PROD, egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }] })],
    from: 'prod/web',
    to: 'dev/client',
    port: 80,
    verdict: 'denied',
    egress: 'admin:AdminNetworkPolicy/no-internet#1',
    ingress: 'default',
  },
  {
    name: 'egress nodes: "selects the nodeIPs … in the node.Status.Addresses field"',
    objects: [
      anp('no-nodes', 1, {
        subject: PROD,
        egress: [{ action: 'Deny', to: [{ nodes: { matchExpressions: [{ key: 'node-role.kubernetes.io/worker', operator: 'Exists' }] } }] }],
      }),
    ],
    from: 'prod/web',
    to: '192.0.2.10',
    port: 10250,
    verdict: 'denied',
    egress: 'admin:AdminNetworkPolicy/no-nodes#1',
    ingress: 'not-enforced',
  },
  {
    name: 'peers: "host-networked pods are not included in this type of peer" (a namespaces peer does not select a host-network pod)',
    objects: [anp('deny-sre', 1, { subject: PROD, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { team: 'sre' } } }] }] })],
    from: 'monitoring/node-exporter',
    to: 'prod/web',
    port: 8080,
    verdict: 'allowed',
    egress: 'not-enforced',
    ingress: 'default',
  },
  {
    name: 'subject: "host-networked pods are not included in subject selection"',
    objects: [anp('deny-all-sre', 1, { subject: { namespaces: { matchLabels: { team: 'sre' } } }, ingress: [{ action: 'Deny', from: [ALL_NS] }] })],
    from: 'dev/client',
    to: 'monitoring/node-exporter',
    port: 9100,
    verdict: 'allowed',
    egress: 'default',
    ingress: 'not-enforced',
  },
  {
    name: 'fail closed: "For Deny and Pass rules, fail closed means: treat the rule as a Deny all rule" (a peer with no known field)',
    objects: [anp('future', 1, { subject: PROD, ingress: [{ action: 'Deny', from: [{ someNewPeer: {} }] }] })],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'admin:AdminNetworkPolicy/future#1',
  },
  {
    name: 'fail closed: "For Allow rules, fail closed means: treat the rule as matching no traffic"',
    objects: [anp('future', 1, { subject: PROD, ingress: [{ action: 'Allow', from: [{ someNewPeer: {} }] }] })],
    policies: [DENY_PROD_INGRESS],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    verdict: 'denied',
    egress: 'default',
    ingress: 'np:denied',
  },
];

describe('cluster-scoped policies (network-policy-api)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const v = run(c);
    expect({ verdict: v.verdict, egress: decided(v.egress), ingress: decided(v.ingress) }).toEqual({
      verdict: c.verdict,
      egress: c.egress,
      ingress: c.ingress,
    });
  });

  it('names the deciding policy, tier, priority and rule in the reason', () => {
    const v = run(CASES[0]!);
    expect(v.ingress.reason).toContain('denied by AdminNetworkPolicy/no-dev (admin tier, priority 10) ingress rule 1');
    expect(v.ingress.reason).toContain('before any NetworkPolicy is consulted');
  });

  it('"If two (or more) policies … with the same priority could both match … the implementation can apply any": says so', () => {
    const v = run({
      objects: [
        anp('a-allow', 7, { subject: PROD, ingress: [{ action: 'Allow', from: [DEV_PEER] }] }),
        anp('b-deny', 7, { subject: PROD, ingress: [{ action: 'Deny', from: [DEV_PEER] }] }),
      ],
      from: 'dev/client',
      to: 'prod/web',
      port: 8080,
    });
    expect(v.ingress.reason).toContain('AdminNetworkPolicy/b-deny has the same priority and would decide otherwise');
  });

  it('a subject chosen by namespace labels kdiag cannot read leaves the side unknown, not allowed', () => {
    const all = [...WORLD.filter((o) => o.kind !== 'Namespace')];
    const snapshot = snapshotOf(all, { clusterPolicies: objectsOf([anp('by-label', 1, { subject: PROD, ingress: [{ action: 'Deny', from: [ALL_NS] }] })]) });
    snapshot.loaded = snapshot.loaded.filter((k) => k !== 'namespaces');
    const v = explainConnection(snapshot, endpoint(all, 'dev/client'), endpoint(all, 'prod/web'), 8080);
    expect(v.verdict).toBe('unknown');
  });

  it('a kind kdiag may not read is named in the notes; the verdict is still given', () => {
    const v = run({ from: 'dev/client', to: 'prod/web', port: 8080 }, { AdminNetworkPolicy: 'forbidden' });
    expect(v.verdict).toBe('allowed');
    expect(v.notes.join('\n')).toContain('AdminNetworkPolicy could not be read (forbidden)');
  });
});

describe('network-plugin policies (not covered by kdiag)', () => {
  const cilium = (namespace: string, name: string, endpointSelector: Record<string, unknown>): NativePolicyKind => ({
    kind: 'CiliumNetworkPolicy',
    group: 'cilium.io',
    plural: 'ciliumnetworkpolicies',
    namespaced: true,
    items: [{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec: { endpointSelector } }],
  });
  const calico = (name: string, selector: string): NativePolicyKind => ({
    kind: 'GlobalNetworkPolicy (crd.projectcalico.org)',
    group: 'crd.projectcalico.org',
    plural: 'globalnetworkpolicies',
    namespaced: false,
    items: [{ apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: { name }, spec: { selector } }],
  });

  it.each([
    [
      'a CiliumNetworkPolicy whose endpointSelector (k8s: prefix) selects the destination',
      [cilium('prod', 'web-l7', { matchLabels: { 'k8s:app': 'web' } })],
      'unknown',
      'CiliumNetworkPolicy prod/web-l7',
    ],
    ['a CiliumNetworkPolicy of another namespace selects neither side', [cilium('monitoring', 'x', {})], 'allowed', undefined],
    ['a CiliumNetworkPolicy whose selector matches neither side', [cilium('prod', 'db-only', { matchLabels: { app: 'db' } })], 'allowed', undefined],
    [
      'a Calico GlobalNetworkPolicy with all() selects both sides',
      [calico('global', 'all()')],
      'unknown',
      'GlobalNetworkPolicy (crd.projectcalico.org) global',
    ],
    ["a Calico GlobalNetworkPolicy app == 'db' selects neither side", [calico('db', "app == 'db'")], 'allowed', undefined],
  ] as const)('%s', (_name, native, verdict, named) => {
    const v = run({ native: [...native], from: 'dev/client', to: 'prod/web', port: 8080 });
    expect(v.verdict).toBe(verdict);
    if (named) {
      expect(v.notCovered?.map((m) => `${m.kind} ${m.name}`)).toContain(named);
      expect(v.notes.join('\n')).toContain('not covered by kdiag');
    } else expect(v.notCovered).toBeUndefined();
  });

  it.each([
    ['all()', {}, true],
    ["app == 'web'", { app: 'web' }, true],
    ["app == 'web' && tier != 'db'", { app: 'web', tier: 'db' }, false],
    ['has(app)', { other: 'x' }, false],
    ["app in {'a', 'b'}", { app: 'c' }, true],
    ["app == 'a' || app == 'b'", { app: 'c' }, true],
  ] as const)('Calico selector %s on %j: may select = %s (unknown forms count as selecting)', (selector, labels, expected) => {
    expect(calicoMaySelect(selector, { ...labels })).toBe(expected);
  });
});
