// DNS (KD500x) and connectivity (KD503x) interpretations, with the hostile value in the names
// kdiag reads from the cluster (Services, pods, namespaces, labels, policies) and in the
// targets a probe reports on. Plans and probe results are built directly: the parsers' own
// inputs are validated elsewhere; here the value reaches the fix text.
import { clusterDnsFindings } from '../../../src/checks/cluster-dns.js';
import { analyzeDns, type DnsLookup, type DnsProbeOutput } from '../../../src/probes/interpret-dns.js';
import { analyzeConnectivity, type CurlOutcome, type CurlResult } from '../../../src/probes/interpret-http.js';
import type { ClusterDnsHealth } from '../../../src/probes/explain.js';
import { planDns, type DnsExpectation, type DnsSubject, type ProbeTarget } from '../../../src/probes/plan.js';
import type { Finding } from '../../../src/report/types.js';
import { fixtureSnapshot, type K8sObject } from '../../support/fixtures.js';
import { nameOf, type HostileScenario } from './types.js';

// --- DNS ---------------------------------------------------------------------------------------

const HEALTHY: ClusterDnsHealth = {
  service: { namespace: 'kube-system', name: 'kube-dns', clusterIP: '10.96.0.10' },
  pods: [{ name: 'coredns-1', ready: true, detail: 'Ready' }],
  readyEndpoints: 1,
};

function lookups(queries: readonly string[], outcome: DnsLookup['outcome'], addresses: string[] = []): DnsLookup[] {
  return queries.map((query, index) => ({
    index,
    query,
    outcome,
    addresses,
    cnames: [],
    attempts: [{ name: `${query}.`, exitCode: outcome === 'answer' ? 0 : 1, outcome, addresses, cnames: [], ms: 3 }],
  }));
}

function dns(
  subject: DnsSubject,
  outcome: DnsLookup['outcome'],
  expectation: Partial<DnsExpectation> = {},
  extra: { health?: ClusterDnsHealth; egress?: string; addresses?: string[]; ndots?: number } = {},
): Finding[] {
  const plan = planDns(subject.kind === 'external' ? subject.name : subject.service, subject, subject.kind === 'external' ? 'default' : subject.namespace);
  const output: DnsProbeOutput = {
    lookups: lookups(
      plan.queries.map((q) => q.query),
      outcome,
      extra.addresses,
    ),
    direct: [],
    stray: [],
    ...(extra.ndots
      ? { resolvConf: { nameservers: ['10.96.0.10'], search: ['default.svc.cluster.local', 'svc.cluster.local'], ndots: extra.ndots, options: [], raw: '' } }
      : {}),
  };
  if (extra.ndots) {
    const first = output.lookups[0]!;
    first.attempts = [
      { name: `${first.query}.default.svc.cluster.local.`, exitCode: 1, outcome: 'nxdomain', addresses: [], cnames: [], ms: 4 },
      ...first.attempts,
    ];
  }
  return analyzeDns({
    plan,
    output,
    expectation: { description: 'the Service', addresses: [], similar: [], ...expectation },
    dnsHealth: extra.health ?? HEALTHY,
    ...(extra.egress ? { dnsEgress: { isolating: [extra.egress], allowed: false } as never } : {}),
  }).findings;
}

const service = (v: string): DnsSubject => ({ kind: 'service', namespace: nameOf(v), service: nameOf(v) });

export const dnsScenarios: HostileScenario[] = [
  {
    name: 'external name does not exist',
    codes: ['KD5001'],
    run: (v) => dns({ kind: 'external', name: `${nameOf(v)}.example` }, 'nxdomain'),
  },
  {
    name: 'Service missing, a similar one exists',
    codes: ['KD5001'],
    run: (v) => dns(service(v), 'nxdomain', { missing: `Service ${nameOf(v)}/${nameOf(v)}`, similar: [nameOf(v, '-2')] }),
  },
  {
    name: 'Service missing, nothing similar',
    codes: ['KD5001'],
    run: (v) => dns(service(v), 'nxdomain', { missing: `Service ${nameOf(v)}/${nameOf(v)}` }),
  },
  {
    name: 'Service exists but does not resolve',
    codes: ['KD5001'],
    run: (v) => dns(service(v), 'nxdomain'),
  },
  {
    name: 'timeout: a policy blocks DNS',
    codes: ['KD5002'],
    run: (v) => dns(service(v), 'timeout', {}, { egress: `${nameOf(v)}/${nameOf(v)}` }),
  },
  {
    name: 'timeout: DNS pods not ready',
    codes: ['KD5002', 'KD6003', 'KD6004'],
    run: (v) =>
      dns(
        service(v),
        'timeout',
        {},
        {
          health: {
            service: { namespace: 'kube-system', name: nameOf(v), clusterIP: '10.96.0.10' },
            pods: [{ name: nameOf(v), ready: false, detail: v }],
            readyEndpoints: 0,
          },
        },
      ),
  },
  {
    name: 'timeout, no known cause',
    codes: ['KD5002'],
    run: (v) => dns(service(v), 'timeout'),
  },
  {
    name: 'SERVFAIL',
    codes: ['KD5003'],
    run: (v) => dns(service(v), 'servfail'),
  },
  {
    name: 'another answer than the Service',
    codes: ['KD5004'],
    run: (v) => [
      ...dns(service(v), 'answer', { addresses: ['10.96.1.1'] }, { addresses: ['10.96.1.2'] }),
      ...dns({ kind: 'external', name: nameOf(v) }, 'answer', { addresses: ['10.96.1.1'] }, { addresses: ['10.96.1.2'] }),
    ],
  },
  {
    name: 'ndots makes an external name slow',
    codes: ['KD5007'],
    run: (v) => dns({ kind: 'external', name: `${nameOf(v)}.example` }, 'answer', {}, { addresses: ['192.0.2.1'], ndots: 5 }),
  },
];

// --- Cluster DNS check -------------------------------------------------------------------------

function corednsPod(name: string, ready: boolean): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: { containers: [{ name: 'c', image: 'x' }] },
    status: ready
      ? { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }
      : {
          phase: 'Running',
          containerStatuses: [
            { name: 'c', ready: false, restartCount: 3, image: 'x', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff', message: 'x' } } },
          ],
        },
  };
}

export const clusterDnsScenarios: HostileScenario[] = [
  {
    name: 'CoreDNS pods not ready, kube-dns without endpoints',
    codes: ['KD6003', 'KD6004'],
    run: (v) => {
      const pods = [corednsPod(nameOf(v), false)];
      const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: v } };
      const snap = fixtureSnapshot([...pods, svc]);
      return clusterDnsFindings({ pods: snap.pods, services: snap.services, endpointslices: [] });
    },
  },
  {
    name: 'no CoreDNS pods, no kube-dns Service',
    codes: ['KD6003', 'KD6004'],
    run: () => clusterDnsFindings({ pods: [], services: [], endpointslices: [] }),
  },
];

// --- Connectivity ------------------------------------------------------------------------------

const T0 = { dnsMs: 1, connectMs: 0, tlsMs: 0, firstByteMs: 0, totalMs: 5 };

function result(outcome: CurlOutcome, extra: Partial<CurlResult> = {}): CurlResult {
  const codes: Record<string, number> = { refused: 7, timeout: 28, dns: 6, tls: 35, reset: 56, error: 3 };
  return {
    index: 0,
    exitCode: codes[outcome] ?? 0,
    httpCode: outcome === 'server-error' ? 503 : outcome === 'client-error' ? 404 : 0,
    timings: T0,
    outcome,
    connected: false,
    error: 'x',
    ...extra,
  };
}

/** A namespace named after the value with a Service and one ready pod, both labelled with it. */
export function world(v: string, opts: { deny?: boolean; ready?: boolean } = {}): K8sObject[] {
  const ns = nameOf(v);
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: nameOf(v), namespace: ns },
      spec: { clusterIP: '10.96.0.50', selector: { app: v }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: nameOf(v), namespace: ns, uid: 'p', labels: { app: v } },
      spec: { containers: [{ name: 'app', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] },
      status:
        opts.ready === false
          ? {
              phase: 'Running',
              containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
            }
          : { phase: 'Running', podIP: '10.244.0.9', conditions: [{ type: 'Ready', status: 'True' }] },
    },
    ...(opts.ready === false
      ? []
      : [
          {
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSlice',
            metadata: { name: `${ns}-x`, namespace: ns, labels: { 'kubernetes.io/service-name': nameOf(v) } },
            addressType: 'IPv4',
            ports: [{ name: 'http', port: 8080 }],
            endpoints: [{ addresses: ['10.244.0.9'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: nameOf(v), uid: 'p' } }],
          },
        ]),
    ...(opts.deny
      ? [
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: nameOf(v), namespace: ns },
            spec: { podSelector: {}, policyTypes: ['Ingress'] },
          },
        ]
      : []),
  ];
}

function target(v: string, mode: 'http' | 'tcp' = 'http', extra: Partial<ProbeTarget> = {}): ProbeTarget {
  const ns = nameOf(v);
  return {
    index: 0,
    label: nameOf(v),
    mode,
    url: `http://${nameOf(v)}.${ns}.svc.cluster.local/`,
    host: `${nameOf(v)}.${ns}.svc.cluster.local`,
    port: 80,
    service: { namespace: ns, name: nameOf(v), port: 80, targetPort: '8080', portName: 'http' },
    modeReason: 'port name http',
    ...extra,
  };
}

function connect(
  v: string,
  outcome: CurlOutcome,
  opts: {
    deny?: boolean;
    ready?: boolean;
    mode?: 'http' | 'tcp';
    target?: Partial<ProbeTarget>;
    result?: Partial<CurlResult>;
    labels?: Record<string, string>;
  } = {},
): Finding[] {
  return analyzeConnectivity({
    targets: [target(v, opts.mode, opts.target)],
    results: [result(outcome, opts.result)],
    snapshot: fixtureSnapshot(world(v, opts)),
    source: { namespace: nameOf(v, '-client'), labels: opts.labels ?? { 'app.kubernetes.io/managed-by': 'kdiag' } },
  }).findings;
}

export const connectivityScenarios: HostileScenario[] = [
  { name: 'refused at a Service', codes: ['KD5030'], run: (v) => connect(v, 'refused') },
  { name: 'refused at an address', codes: ['KD5030'], run: (v) => connect(v, 'refused', { target: { service: undefined, host: nameOf(v) } }) },
  { name: 'timed out, no policy', codes: ['KD5031'], run: (v) => connect(v, 'timeout') },
  { name: 'connected, no HTTP answer', codes: ['KD5031'], run: (v) => connect(v, 'timeout', { result: { connected: true } }) },
  { name: 'no ready endpoints', codes: ['KD5032'], run: (v) => connect(v, 'refused', { ready: false }) },
  {
    name: 'HTTP 5xx and 4xx',
    codes: ['KD5033', 'KD5034'],
    run: (v) => [...connect(v, 'server-error', { result: { body: v } }), ...connect(v, 'client-error', { result: { body: v } })],
  },
  { name: 'name does not resolve', codes: ['KD5035'], run: (v) => [...connect(v, 'dns'), ...connect(v, 'dns', { target: { service: undefined } })] },
  { name: 'TLS handshake', codes: ['KD5036'], run: (v) => connect(v, 'tls') },
  { name: 'reset', codes: ['KD5037'], run: (v) => [...connect(v, 'reset'), ...connect(v, 'error', { mode: 'tcp' })] },
  {
    name: 'unknown target',
    codes: ['KD5038'],
    run: (v) => [
      ...connect(v, 'error', { target: { unresolved: `no Service ${nameOf(v)}; similar: ${nameOf(v, '2')}` } }),
      ...connect(v, 'error', { target: { unresolved: `no Service ${nameOf(v)}` } }),
    ],
  },
  {
    name: 'blocked by a policy, as the probe and as a workload',
    codes: ['KD5039'],
    run: (v) => [
      ...connect(v, 'timeout', { deny: true }),
      ...connect(v, 'timeout', { deny: true, labels: { app: v, 'app.kubernetes.io/managed-by': 'kdiag' } }),
    ],
  },
];
