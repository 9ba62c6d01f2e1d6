// The NetworkPolicy semantics, case by case, from the API reference
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the
// networking.k8s.io/v1 NetworkPolicy reference) and the guide's three policies.
// Each case: the policies, a connection, the verdict, and per side who decides:
//   'open'          no policy isolates the pod in that direction (allowed)
//   'ns/policy#N'   allowed by rule N of that policy
//   'denied'        isolated and no rule allows it
//   'not-enforced'  the side is an IP or a host-network pod (no policy applies)
import { describe, expect, it } from '@jest/globals';
import type { V1NetworkPolicySpec } from '@kubernetes/client-node';
import { buildContext, explainConnection, type SideVerdict } from '../../src/netpol/explain.js';
import { podEndpoint, type Endpoint, type PodEndpoint, type Protocol } from '../../src/netpol/policy.js';
import { snapshotOf } from '../../src/snapshot.js';
import { fixtureSnapshot, loadFixture, type K8sObject } from '../support/fixtures.js';

type Ports = { name?: string; containerPort: number; protocol?: string }[];

function ns(name: string, labels: Record<string, string> = {}, withNameLabel = true): K8sObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...(withNameLabel ? { 'kubernetes.io/metadata.name': name } : {}), ...labels } } };
}

function pod(namespace: string, name: string, labels: Record<string, string>, ip: string, ports: Ports = [], hostNetwork = false): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { hostNetwork, containers: [{ name: 'c', image: 'x', ports }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function np(namespace: string, name: string, spec: V1NetworkPolicySpec | Record<string, unknown>): K8sObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

// The world every generic case runs in.
const WORLD: K8sObject[] = [
  ns('prod', { env: 'prod', team: 'core' }),
  ns('dev', { env: 'dev' }),
  ns('ext'),
  ns('legacy', {}, false), // a namespace object without the automatic label (old fixture)
  ns('kube-system'),
  pod('prod', 'web', { app: 'web', tier: 'frontend' }, '10.0.1.1', [
    { name: 'http', containerPort: 8080 },
    { name: 'metrics', containerPort: 9090 },
  ]),
  pod('prod', 'db', { app: 'db' }, '10.0.1.2', [{ name: 'postgres', containerPort: 5432 }]),
  pod('dev', 'client', { app: 'client' }, '10.0.2.1'),
  pod('ext', 'other', { app: 'web' }, '10.0.3.1'),
  pod('legacy', 'old', { app: 'old' }, '10.0.4.1'),
  pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, '10.0.0.10', [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
  ]),
  pod('prod', 'node-agent', { app: 'agent' }, '192.0.2.2', [], true),
];

const GUIDE = loadFixture('netpol-guide.yaml');

type Ref = string; // 'ns/pod', 'ns:label=value' (hypothetical) or an IP

interface Case {
  name: string;
  policies?: K8sObject[];
  /** Use the guide's fixture instead of WORLD. */
  guide?: boolean;
  from: Ref;
  to: Ref;
  port: number;
  protocol?: Protocol;
  allowed: boolean;
  egress: string;
  ingress: string;
}

function endpoint(objects: readonly K8sObject[], ref: Ref): Endpoint {
  if (/^[\d.]+$|:.*:/.test(ref)) {
    const p = objects.find((o) => o.kind === 'Pod' && (o.status as { podIP?: string }).podIP === ref);
    return p ? podEndpoint(p as never) : { kind: 'ip', ip: ref };
  }
  if (ref.includes(':')) {
    const [namespace, labelText] = ref.split(':') as [string, string];
    const labels = Object.fromEntries(
      labelText
        .split(',')
        .filter(Boolean)
        .map((kv) => kv.split('=') as [string, string]),
    );
    return { kind: 'pod', namespace, name: `<pod with ${labelText}>`, labels, hypothetical: true, hostNetwork: false, ports: [] } satisfies PodEndpoint;
  }
  const [namespace, name] = ref.split('/');
  const p = objects.find((o) => o.kind === 'Pod' && o.metadata.namespace === namespace && o.metadata.name === name);
  if (!p) throw new Error(`no pod ${ref}`);
  return podEndpoint(p as never);
}

function decided(s: SideVerdict): string {
  if (!s.enforced) return 'not-enforced';
  if (!s.isolated) return 'open';
  if (s.allowed) return `${s.decidedBy!.policy}#${s.decidedBy!.rule}`;
  return 'denied';
}

const DENY_INGRESS = np('prod', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
const DENY_EGRESS = np('prod', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
const webIngress = (rules: unknown[], extra: Record<string, unknown> = {}) =>
  np('prod', 'web-in', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: rules, ...extra });
const webEgress = (rules: unknown[]) => np('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: rules });

const CASES: Case[] = [
  // --- isolation -----------------------------------------------------------------------
  { name: 'no policy at all: both directions open', from: 'dev/client', to: 'prod/web', port: 8080, allowed: true, egress: 'open', ingress: 'open' },
  {
    name: 'default-deny ingress ({} selects every pod) denies incoming',
    policies: [DENY_INGRESS],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'default-deny ingress leaves egress open',
    policies: [DENY_INGRESS],
    from: 'prod/web',
    to: 'dev/client',
    port: 80,
    allowed: true,
    egress: 'open',
    ingress: 'open',
  },
  {
    name: 'default-deny egress denies outgoing',
    policies: [DENY_EGRESS],
    from: 'prod/web',
    to: 'dev/client',
    port: 80,
    allowed: false,
    egress: 'denied',
    ingress: 'open',
  },
  {
    name: 'a policy selecting other pods does not isolate this one',
    policies: [np('prod', 'db-only', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] })],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'open',
  },
  {
    name: 'a policy in another namespace does not select pods here',
    policies: [np('dev', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    from: 'ext/other',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'open',
  },
  {
    name: 'policyTypes absent, ingress rules only: defaults to Ingress',
    policies: [np('prod', 'web-in', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'policyTypes absent, no rules at all: isolates ingress (deny all in)',
    policies: [np('prod', 'bare', { podSelector: { matchLabels: { app: 'web' } } })],
    from: 'prod/db',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'policyTypes absent with egress rules: Egress is isolated too',
    policies: [np('prod', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })],
    from: 'prod/web',
    to: 'dev/client',
    port: 80,
    allowed: false,
    egress: 'denied',
    ingress: 'open',
  },
  {
    name: 'policyTypes [Egress] with ingress rules: ingress is not isolated (rules ignored)',
    policies: [
      np('prod', 'typo', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }],
        egress: [{}],
      }),
    ],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'open',
  },
  {
    name: 'ingress: [] with policyTypes Ingress denies every source',
    policies: [webIngress([])],
    from: 'prod/db',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'an empty rule {} allows every source and port',
    policies: [DENY_INGRESS, webIngress([{}])],
    from: 'ext/other',
    to: 'prod/web',
    port: 1234,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'policies add up: deny-all plus an allow allows',
    policies: [DENY_INGRESS, webIngress([{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'the first allowing policy in name order decides when several allow',
    policies: [np('prod', 'a-allow', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }), webIngress([{}])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/a-allow#1',
  },
  {
    name: 'both sides must allow: egress allowed, destination ingress denied',
    policies: [DENY_INGRESS, webEgress([{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] }])],
    from: 'prod/web',
    to: 'prod/db',
    port: 5432,
    allowed: false,
    egress: 'prod/web-out#1',
    ingress: 'denied',
  },

  // --- peers ---------------------------------------------------------------------------
  {
    name: 'rule without from: every source, on its ports',
    policies: [webIngress([{ ports: [{ port: 8080 }] }])],
    from: 'ext/other',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'podSelector alone selects pods of the policy namespace only',
    policies: [webIngress([{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'podSelector alone matches a pod of the same namespace',
    policies: [webIngress([{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }])],
    from: 'prod/db',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'namespaceSelector alone: every pod of matching namespaces',
    policies: [webIngress([{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'namespaceSelector alone: other namespaces denied',
    policies: [webIngress([{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }])],
    from: 'ext/other',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'namespaceSelector {} selects every namespace',
    policies: [webIngress([{ from: [{ namespaceSelector: {} }] }])],
    from: 'ext/other',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'namespaceSelector {} AND podSelector: matching pods in any namespace',
    policies: [webIngress([{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'client' } } }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'namespaceSelector AND podSelector in one peer: namespace must match too',
    policies: [webIngress([{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { app: 'client' } } }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'two peers are OR, and the podSelector peer stays in the policy namespace',
    policies: [webIngress([{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }, { podSelector: { matchLabels: { app: 'client' } } }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'two peers are OR: the second peer matches',
    policies: [webIngress([{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }, { podSelector: { matchLabels: { app: 'db' } } }] }])],
    from: 'prod/db',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'podSelector {} peer: every pod of the policy namespace',
    policies: [webIngress([{ from: [{ podSelector: {} }] }])],
    from: 'prod/db',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'podSelector {} peer: not pods of other namespaces',
    policies: [webIngress([{ from: [{ podSelector: {} }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'same labels in another namespace do not match a podSelector peer',
    policies: [
      np('prod', 'db-in', {
        podSelector: { matchLabels: { app: 'db' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
      }),
    ],
    from: 'ext/other',
    to: 'prod/db',
    port: 5432,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'kubernetes.io/metadata.name matches even when the object lacks the label',
    policies: [webIngress([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'legacy' } } }] }])],
    from: 'legacy/old',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'matchExpressions In on namespace labels',
    policies: [webIngress([{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'staging'] }] } }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'matchExpressions NotIn on pod labels',
    policies: [webIngress([{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['client'] }] } }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'matchExpressions DoesNotExist: a namespace without env',
    policies: [webIngress([{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] } }] }])],
    from: 'ext/other',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'matchExpressions Exists on the policy podSelector selects the pod',
    policies: [np('prod', 'tiered', { podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, policyTypes: ['Ingress'] })],
    from: 'prod/db',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },

  // --- ipBlock -------------------------------------------------------------------------
  {
    name: 'ipBlock: an address inside the CIDR',
    policies: [webEgress([{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }])],
    from: 'prod/web',
    to: '192.168.1.5',
    port: 443,
    allowed: true,
    egress: 'prod/web-out#1',
    ingress: 'not-enforced',
  },
  {
    name: 'ipBlock: an address in except is excluded',
    policies: [webEgress([{ to: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }] }])],
    from: 'prod/web',
    to: '192.168.1.5',
    port: 443,
    allowed: false,
    egress: 'denied',
    ingress: 'not-enforced',
  },
  {
    name: 'ipBlock: an address outside the CIDR',
    policies: [webEgress([{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }])],
    from: 'prod/web',
    to: '203.0.113.7',
    port: 443,
    allowed: false,
    egress: 'denied',
    ingress: 'not-enforced',
  },
  {
    name: 'ipBlock: IPv6 CIDR',
    policies: [webEgress([{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }] }])],
    from: 'prod/web',
    to: '2001:db8::1',
    port: 443,
    allowed: true,
    egress: 'prod/web-out#1',
    ingress: 'not-enforced',
  },
  {
    name: 'ipBlock: an IPv4 address never matches an IPv6 block',
    policies: [webEgress([{ to: [{ ipBlock: { cidr: '::/0' } }] }])],
    from: 'prod/web',
    to: '198.51.100.1',
    port: 443,
    allowed: false,
    egress: 'denied',
    ingress: 'not-enforced',
  },
  {
    name: 'ipBlock 0.0.0.0/0 matches a pod IP (implementation-defined, noted)',
    policies: [webEgress([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }])],
    from: 'prod/web',
    to: 'prod/db',
    port: 5432,
    allowed: true,
    egress: 'prod/web-out#1',
    ingress: 'open',
  },
  {
    name: 'ipBlock cannot match a hypothetical pod (no IP)',
    policies: [webEgress([{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }])],
    from: 'prod/web',
    to: 'dev:app=client',
    port: 80,
    allowed: false,
    egress: 'denied',
    ingress: 'open',
  },
  {
    name: 'an outside address as source: only ipBlock peers can admit it',
    policies: [webIngress([{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }])],
    from: '203.0.113.9',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'not-enforced',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'an outside address is never selected by namespaceSelector {}',
    policies: [webIngress([{ from: [{ namespaceSelector: {} }] }])],
    from: '203.0.113.9',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'not-enforced',
    ingress: 'denied',
  },

  // --- ports ---------------------------------------------------------------------------
  {
    name: 'protocol defaults to TCP: TCP allowed',
    policies: [webIngress([{ ports: [{ port: 8080 }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'protocol defaults to TCP: UDP on the same number denied',
    policies: [webIngress([{ ports: [{ port: 8080 }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    protocol: 'UDP',
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'a port not in the list is denied',
    policies: [webIngress([{ ports: [{ protocol: 'TCP', port: 8080 }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 9090,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'endPort: inside the range',
    policies: [webIngress([{ ports: [{ protocol: 'TCP', port: 8000, endPort: 8100 }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'endPort: the range is inclusive',
    policies: [webIngress([{ ports: [{ protocol: 'TCP', port: 8000, endPort: 8100 }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8100,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'endPort: past the range',
    policies: [webIngress([{ ports: [{ protocol: 'TCP', port: 8000, endPort: 8100 }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8101,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'named port resolved on the destination pod',
    policies: [webIngress([{ ports: [{ port: 'http' }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'named port: another number on the same pod is denied',
    policies: [webIngress([{ ports: [{ port: 'http' }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 9090,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'named port in an egress rule resolves on the destination, not the source',
    policies: [webEgress([{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'postgres' }] }])],
    from: 'prod/web',
    to: 'prod/db',
    port: 5432,
    allowed: true,
    egress: 'prod/web-out#1',
    ingress: 'open',
  },
  {
    name: 'named port that the destination declares for another protocol does not match',
    policies: [webEgress([{ ports: [{ protocol: 'TCP', port: 'dns' }] }])],
    from: 'prod/web',
    to: 'kube-system/coredns',
    port: 53,
    allowed: false,
    egress: 'denied',
    ingress: 'open',
  },
  {
    name: 'named port cannot resolve on a hypothetical destination',
    policies: [webEgress([{ ports: [{ port: 'http' }] }])],
    from: 'prod/web',
    to: 'dev:app=client',
    port: 8080,
    allowed: false,
    egress: 'denied',
    ingress: 'open',
  },
  {
    name: 'protocol without port: every port of that protocol',
    policies: [webEgress([{ ports: [{ protocol: 'UDP' }] }])],
    from: 'prod/web',
    to: 'kube-system/coredns',
    port: 53,
    protocol: 'UDP',
    allowed: true,
    egress: 'prod/web-out#1',
    ingress: 'open',
  },
  {
    name: 'protocol without port: other protocols denied',
    policies: [webEgress([{ ports: [{ protocol: 'UDP' }] }])],
    from: 'prod/web',
    to: 'kube-system/coredns',
    port: 53,
    protocol: 'TCP',
    allowed: false,
    egress: 'denied',
    ingress: 'open',
  },
  {
    name: 'SCTP is matched like TCP and UDP',
    policies: [webIngress([{ ports: [{ protocol: 'SCTP', port: 3868 }] }])],
    from: 'dev/client',
    to: 'prod/web',
    port: 3868,
    protocol: 'SCTP',
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'peer and port are both required within one rule',
    policies: [
      webIngress([
        { from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }], ports: [{ port: 9090 }] },
        { from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 8080 }] },
      ]),
    ],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'the second rule allows when the first does not',
    policies: [
      webIngress([
        { from: [{ podSelector: { matchLabels: { app: 'db' } } }] },
        { from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }], ports: [{ port: 8080 }] },
      ]),
    ],
    from: 'dev/client',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'prod/web-in#2',
  },

  // --- host network --------------------------------------------------------------------
  {
    name: 'host-network destination: policies do not apply',
    policies: [DENY_INGRESS],
    from: 'dev/client',
    to: 'prod/node-agent',
    port: 10250,
    allowed: true,
    egress: 'open',
    ingress: 'not-enforced',
  },
  {
    name: 'host-network source: its egress is not enforced',
    policies: [DENY_EGRESS],
    from: 'prod/node-agent',
    to: 'dev/client',
    port: 80,
    allowed: true,
    egress: 'not-enforced',
    ingress: 'open',
  },
  // "In most cases, hostNetwork pods are ignored by podSelector and namespaceSelector; traffic
  // from a hostNetwork pod is treated the same as traffic from its node" (kubernetes.io, NetworkPolicy, hostNetwork pods).
  {
    name: 'host-network source "is treated the same as traffic from its node": a podSelector peer matching its labels does not select it',
    policies: [webIngress([{ from: [{ podSelector: { matchLabels: { app: 'agent' } } }] }])],
    from: 'prod/node-agent',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'not-enforced',
    ingress: 'denied',
  },
  {
    name: 'host-network source "is ignored by namespaceSelector": namespaceSelector {} does not select it',
    policies: [webIngress([{ from: [{ namespaceSelector: {} }] }])],
    from: 'prod/node-agent',
    to: 'prod/web',
    port: 8080,
    allowed: false,
    egress: 'not-enforced',
    ingress: 'denied',
  },
  {
    name: 'host-network source "treated the same as traffic from its node": an ipBlock holding the node address admits it',
    policies: [webIngress([{ from: [{ ipBlock: { cidr: '192.0.2.0/24' } }] }])],
    from: 'prod/node-agent',
    to: 'prod/web',
    port: 8080,
    allowed: true,
    egress: 'not-enforced',
    ingress: 'prod/web-in#1',
  },
  {
    name: 'host-network destination "treated the same as its node": an egress podSelector peer does not select it, an ipBlock does',
    policies: [
      webEgress([{ to: [{ podSelector: { matchLabels: { app: 'agent' } } }] }, { to: [{ ipBlock: { cidr: '192.0.2.2/32' } }], ports: [{ port: 9100 }] }]),
    ],
    from: 'prod/web',
    to: 'prod/node-agent',
    port: 9100,
    allowed: true,
    egress: 'prod/web-out#2',
    ingress: 'not-enforced',
  },

  // --- the guide -----------------------------------------------------------------------
  {
    name: 'guide: ingress-nginx may reach api-server on 8080',
    guide: true,
    from: 'ingress-nginx/ingress-nginx-controller-5d-a',
    to: 'production/api-server-7d9f-a',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'production/api-server-policy#1',
  },
  {
    name: 'guide: ingress-nginx may not reach api-server on 8443',
    guide: true,
    from: 'ingress-nginx/ingress-nginx-controller-5d-a',
    to: 'production/api-server-7d9f-a',
    port: 8443,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'guide: payment-api may reach auth-api on 8080',
    guide: true,
    from: 'payment-service/payment-api-58-a',
    to: 'auth-service/auth-api-77-a',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'auth-service/allow-from-payment#1',
  },
  {
    name: 'guide: another pod of payment-service may not reach auth-api',
    guide: true,
    from: 'payment-service/reporting-9f-a',
    to: 'auth-service/auth-api-77-a',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'guide: a pod labelled app=payment-api elsewhere may not reach auth-api',
    guide: true,
    from: 'production:app=payment-api',
    to: 'auth-service/auth-api-77-a',
    port: 8080,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'guide: a hypothetical payment-api pod may reach auth-api',
    guide: true,
    from: 'payment-service:app=payment-api',
    to: 'auth-service/auth-api-77-a',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'auth-service/allow-from-payment#1',
  },
  {
    name: 'guide: pods of other namespaces may not reach production (default-deny-ingress)',
    guide: true,
    from: 'payment-service/payment-api-58-a',
    to: 'production/postgres-6c-a',
    port: 5432,
    allowed: false,
    egress: 'open',
    ingress: 'denied',
  },
  {
    name: 'guide: api-server egress to postgres is allowed but postgres ingress denies it',
    guide: true,
    from: 'production/api-server-7d9f-a',
    to: 'production/postgres-6c-a',
    port: 5432,
    allowed: false,
    egress: 'production/api-server-policy#1',
    ingress: 'denied',
  },
  {
    name: 'guide: api-server may look up names over UDP 53 (rule 3)',
    guide: true,
    from: 'production/api-server-7d9f-a',
    to: 'kube-system/coredns-6bd7-x1',
    port: 53,
    protocol: 'UDP',
    allowed: true,
    egress: 'production/api-server-policy#3',
    ingress: 'open',
  },
  {
    name: 'guide: api-server DNS over TCP 53 is denied',
    guide: true,
    from: 'production/api-server-7d9f-a',
    to: 'kube-system/coredns-6bd7-x1',
    port: 53,
    protocol: 'TCP',
    allowed: false,
    egress: 'denied',
    ingress: 'open',
  },
  {
    name: 'guide: api-server may not call auth-api (egress)',
    guide: true,
    from: 'production/api-server-7d9f-a',
    to: 'auth-service/auth-api-77-a',
    port: 8080,
    allowed: false,
    egress: 'denied',
    ingress: 'denied',
  },
  {
    name: 'guide: auth-api egress is not isolated (allow-from-payment is Ingress only)',
    guide: true,
    from: 'auth-service/auth-api-77-a',
    to: 'payment-service/payment-api-58-a',
    port: 8080,
    allowed: true,
    egress: 'open',
    ingress: 'open',
  },
];

describe('NetworkPolicy semantics', () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const objects = c.guide ? GUIDE : [...WORLD, ...(c.policies ?? [])];
    const snapshot = c.guide ? fixtureSnapshot(GUIDE) : snapshotOf(objects);
    const v = explainConnection(snapshot, endpoint(objects, c.from), endpoint(objects, c.to), c.port, c.protocol ?? 'TCP');
    expect({ allowed: v.allowed, egress: decided(v.egress), ingress: decided(v.ingress) }).toEqual({
      allowed: c.allowed,
      egress: c.egress,
      ingress: c.ingress,
    });
  });
});

describe('host-network pods: one model on both sides', () => {
  const policies = [
    np('prod', 'web-in', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'agent' } } }] }],
    }),
  ];
  it('explain from the host-network pod and from its node address give the same verdict, and the reason says why', () => {
    const objects = [...WORLD, ...policies];
    const snapshot = snapshotOf(objects);
    const web = endpoint(objects, 'prod/web');
    const fromPod = explainConnection(snapshot, endpoint(objects, 'prod/node-agent'), web, 8080);
    const fromIp = explainConnection(snapshot, { kind: 'ip', ip: '192.0.2.2' }, web, 8080);
    expect([fromPod.verdict, fromIp.verdict]).toEqual(['denied', 'denied']);
    expect(fromPod.notes.join('\n')).toContain("kdiag reads it as its node's address 192.0.2.2 on both sides");
    expect(fromPod.ingress.policies[0]!.rules[0]!.peer.reason).toContain('uses the host network');
  });
});

describe('explanations', () => {
  const world = (...policies: K8sObject[]) => [...WORLD, ...policies];

  it('names the selector that did not match, per rule', () => {
    const objects = world(
      webIngress([
        { from: [{ namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 8080 }] },
      ]),
    );
    const v = explainConnection(snapshotOf(objects), endpoint(objects, 'dev/client'), endpoint(objects, 'prod/web'), 8080);
    const rule = v.ingress.policies[0]!.rules[0]!;
    expect(rule.text).toBe('ns:{env=prod} pod:app=client → TCP/8080');
    expect(rule.peer.reason).toBe('namespace dev does not match namespaceSelector env=prod');
    expect(rule.port.match).toBe(true);
    expect(v.ingress.reason).toBe('prod/web is isolated for ingress by prod/web-in and its one rule does not allow this connection');
  });

  it('says why a podSelector-only peer misses a pod of another namespace', () => {
    const objects = world(webIngress([{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }]));
    const v = explainConnection(snapshotOf(objects), endpoint(objects, 'dev/client'), endpoint(objects, 'prod/web'), 8080);
    expect(v.ingress.policies[0]!.rules[0]!.peer.reason).toBe('a podSelector without namespaceSelector selects pods of prod only, not of dev');
  });

  it('explains except and named-port misses', () => {
    const objects = world(webEgress([{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.1.0/24'] } }], ports: [{ port: 'postgres' }] }]));
    const v = explainConnection(snapshotOf(objects), endpoint(objects, 'prod/web'), endpoint(objects, 'prod/db'), 5432);
    const rule = v.egress.policies[0]!.rules[0]!;
    expect(rule.peer.reason).toBe('10.0.1.2 is in except 10.0.1.0/24 of ipBlock 10.0.0.0/8');
    expect(rule.port.reason).toBe('TCP/postgres (named port "postgres" is 5432 on the destination)');
    expect(rule.text).toBe('10.0.0.0/8 except 10.0.1.0/24 → TCP/postgres');
  });

  it('notes that ipBlock on pod IPs is implementation-defined, and that a hypothetical pod has no IP', () => {
    const objects = world(webEgress([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }]));
    const snap = snapshotOf(objects);
    expect(explainConnection(snap, endpoint(objects, 'prod/web'), endpoint(objects, 'prod/db'), 5432).notes).toEqual([
      'ipBlock rules are meant for addresses outside the cluster; whether they match pod IPs is up to the network plugin',
    ]);
    expect(explainConnection(snap, endpoint(objects, 'prod/web'), endpoint(objects, 'dev:app=client'), 80).notes[0]).toMatch(/hypothetical/);
  });

  it('reads `from` as client-node deserializes it (`_from`)', () => {
    const policy = np('prod', 'web-in', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [{ _from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }],
    });
    const objects = world(policy);
    const v = explainConnection(snapshotOf(objects), endpoint(objects, 'dev/client'), endpoint(objects, 'prod/web'), 8080);
    expect(decided(v.ingress)).toBe('prod/web-in#1');
    expect(decided(explainConnection(snapshotOf(objects), endpoint(objects, 'ext/other'), endpoint(objects, 'prod/web'), 8080).ingress)).toBe('denied');
  });

  it('without namespace labels, a selector on other labels is undecided, never a confident deny', () => {
    const objects = world(webIngress([{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }])).filter((o) => o.kind !== 'Namespace');
    const snap = snapshotOf(objects, { loaded: ['pods', 'networkpolicies'], unavailable: { namespaces: 'forbidden' } });
    const v = explainConnection(snap, endpoint(objects, 'dev/client'), endpoint(objects, 'prod/web'), 8080);
    expect(v.allowed).toBe(false);
    expect(v.verdict).toBe('unknown');
    expect(v.needs).toEqual(['the labels of Namespaces (list namespaces at cluster scope)']);
    expect(v.ingress.reason).toContain('whether namespace dev matches namespaceSelector env=dev depends on its labels, which kdiag cannot read');
    expect(v.notes).toContain(
      'namespaces could not be listed: namespaceSelectors were decided by kubernetes.io/metadata.name only, those on other labels are undecided',
    );
    // A podSelector in the same peer that does not match decides it anyway.
    const both = world(
      webIngress([{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { app: 'nobody' } } }] }]),
    ).filter((o) => o.kind !== 'Namespace');
    expect(
      explainConnection(
        snapshotOf(both, { loaded: ['pods', 'networkpolicies'], unavailable: { namespaces: 'forbidden' } }),
        endpoint(both, 'dev/client'),
        endpoint(both, 'prod/web'),
        8080,
      ).verdict,
    ).toBe('denied');
  });

  it('without namespace labels, selectors on kubernetes.io/metadata.name (or {}) are still decided', () => {
    for (const [selector, verdict] of [
      [{ matchLabels: { 'kubernetes.io/metadata.name': 'dev' } }, 'allowed'],
      [{ matchLabels: { 'kubernetes.io/metadata.name': 'ops' } }, 'denied'],
      [{ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['dev', 'ops'] }] }, 'allowed'],
      [{}, 'allowed'],
    ] as const) {
      const objects = world(webIngress([{ from: [{ namespaceSelector: selector }] }])).filter((o) => o.kind !== 'Namespace');
      const snap = snapshotOf(objects, { loaded: ['pods', 'networkpolicies'], unavailable: { namespaces: 'forbidden' } });
      expect({ selector, verdict: explainConnection(snap, endpoint(objects, 'dev/client'), endpoint(objects, 'prod/web'), 8080).verdict }).toEqual({
        selector,
        verdict,
      });
    }
  });

  it("a side whose namespace's policies kdiag cannot read is undecided; a certain deny on the other side still decides", () => {
    const objects = world(webIngress([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }] }]));
    const ctx = buildContext(snapshotOf(objects));
    ctx.policiesRead = (ns) => ns === 'prod';
    const open = explainConnection(snapshotOf(objects), endpoint(objects, 'dev/client'), endpoint(objects, 'prod/web'), 8080, 'TCP', { context: ctx });
    expect(open.verdict).toBe('unknown');
    expect(open.egress.unknown).toBe('the NetworkPolicies of namespace dev (list networkpolicies.networking.k8s.io in namespace dev)');
    expect(open.ingress.allowed).toBe(true);
    const closed = explainConnection(snapshotOf(objects), endpoint(objects, 'ext/other'), endpoint(objects, 'prod/web'), 8080, 'TCP', { context: ctx });
    expect(closed.verdict).toBe('denied');
    expect(closed.needs).toBeUndefined();
  });
});
