// Hostile values in the in-depth DNS diagnosis: pod, node, ServiceAccount, ClusterRole and
// DaemonSet names, the Corefile, CoreDNS's log and the probe's resolv.conf all reach findings.
import { dnsDepthFindings, type DnsDepthInput } from '../../../src/dataplane/dns-depth.js';
import type { DirectQuery } from '../../../src/probes/interpret-dns.js';
import { nameOf, type HostileScenario } from './types.js';

const CLUSTER = 'kubernetes.default.svc.cluster.local.';
const COREFILE = '.:53 {\n    errors\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    cache 30\n    loop\n}\n';

function q(server: string, outcome: DirectQuery['outcome'], name = CLUSTER, message?: string): DirectQuery {
  return {
    index: 0,
    server,
    name,
    exitCode: outcome === 'answer' ? 0 : 1,
    outcome,
    addresses: outcome === 'answer' ? ['10.96.0.1'] : [],
    cnames: [],
    ...(message ? { message } : {}),
  };
}

function input(v: string, over: Partial<DnsDepthInput>): DnsDepthInput {
  return {
    clusterDomain: 'cluster.local',
    servers: [
      { address: '10.96.0.10', role: 'service' },
      { address: '10.244.0.2', role: 'pod', pod: nameOf(v, '-a'), node: nameOf(v) },
      { address: '10.244.0.3', role: 'pod', pod: nameOf(v), node: nameOf(v) },
    ],
    direct: [q('10.96.0.10', 'answer'), q('10.244.0.2', 'answer'), q('10.244.0.3', 'answer')],
    clusterName: CLUSTER,
    probeNode: nameOf(v),
    serviceIP: '10.96.0.10',
    dnsPods: 2,
    corefile: COREFILE,
    ...over,
  };
}

export const dnsDepthScenarios: HostileScenario[] = [
  {
    name: 'one replica does not answer',
    codes: ['KD5050'],
    run: (v) => dnsDepthFindings(input(v, { direct: [q('10.96.0.10', 'timeout'), q('10.244.0.2', 'answer'), q('10.244.0.3', 'timeout', CLUSTER, v)] })),
  },
  {
    name: 'the Service path fails',
    codes: ['KD5051'],
    run: (v) =>
      dnsDepthFindings(input(v, { direct: [q('10.96.0.10', 'timeout', CLUSTER, v), q('10.244.0.2', 'answer'), q('10.244.0.3', 'answer')], proxySummary: v })),
  },
  {
    name: 'no replica, every replica fails',
    codes: ['KD5052'],
    run: (v) => [
      ...dnsDepthFindings(input(v, { dnsPods: 0, servers: [{ address: '10.96.0.10', role: 'service' }], direct: [], deploymentReplicas: 0 })),
      ...dnsDepthFindings(
        input(v, {
          direct: [q('10.96.0.10', 'servfail'), q('10.244.0.2', 'servfail', CLUSTER, v), q('10.244.0.3', 'timeout')],
          logs: [{ pod: nameOf(v), text: `[ERROR] plugin/errors: 2 x. A: read udp 10.244.0.2:1->192.0.2.9:53: i/o timeout ${v}` }],
        }),
      ),
    ],
  },
  {
    name: 'Corefile without the cluster zone, without cache, forwarding to resolv.conf without loop',
    codes: ['KD5053', 'KD5054', 'KD5055'],
    run: (v) => [
      ...dnsDepthFindings(input(v, { corefile: `.:53 {\n    kubernetes ${nameOf(v)}.example\n    forward . /etc/resolv.conf\n}\n` })),
      ...dnsDepthFindings(input(v, { logs: [{ pod: nameOf(v), text: `[FATAL] plugin/loop: Loop (127.0.0.1:1 -> :53) detected for zone ".", ${v}` }] })),
    ],
  },
  {
    name: 'the forwarder does not answer',
    codes: ['KD5056'],
    run: (v) =>
      dnsDepthFindings(
        input(v, {
          externalName: 'kdiag-fault.example.',
          corefile: COREFILE.replace('cache 30', `cache 30\n    forward . 192.0.2.2:5399 ${v}`),
          direct: [
            q('10.96.0.10', 'answer'),
            q('10.244.0.2', 'answer'),
            q('10.244.0.3', 'answer'),
            q('10.244.0.2', 'servfail', 'kdiag-fault.example.', v),
            q('10.244.0.3', 'servfail', 'kdiag-fault.example.'),
          ],
          logs: [
            { pod: nameOf(v), text: `[ERROR] plugin/errors: 2 kdiag-fault.example. A: read udp 10.244.0.2:1->192.0.2.2:5399: read: connection refused ${v}` },
          ],
        }),
      ),
  },
  {
    name: 'CoreDNS cannot watch the API',
    codes: ['KD5057'],
    run: (v) => dnsDepthFindings(input(v, { logs: [{ pod: nameOf(v), text: `[ERROR] plugin/kubernetes: Failed to watch *v1.Service: ${v} is forbidden` }] })),
  },
  {
    name: "CoreDNS's ClusterRole lacks rules",
    codes: ['KD5058'],
    run: (v) =>
      dnsDepthFindings(input(v, { rbac: { serviceAccount: nameOf(v), roles: [nameOf(v)], rules: [{ apiGroups: [''], resources: [v], verbs: ['list'] }] } })),
  },
  {
    name: 'NodeLocal DNSCache not Ready, search list too long, nameserver not the Service',
    codes: ['KD5059', 'KD6030', 'KD6031'],
    run: (v) => [
      ...dnsDepthFindings(
        input(v, {
          nodeLocal: { daemonset: nameOf(v), pods: [{ name: nameOf(v), node: nameOf(v), ready: false, detail: v }] },
          resolvConf: { nameservers: ['169.254.20.10'], search: [v, 'a', 'b', 'c', 'd', 'e', 'f'], ndots: 5, options: [], raw: v },
        }),
      ),
      ...dnsDepthFindings(input(v, { resolvConf: { nameservers: ['10.0.0.53'], search: [v], ndots: 5, options: [], raw: v } })),
    ],
  },
];
