// The in-depth DNS diagnosis (pure): table-driven fixtures of what the probe saw when it asked
// the DNS Service and each CoreDNS pod, with the Corefile, CoreDNS's log, its RBAC and the
// probe's resolv.conf; each row names the codes that must fire and the ones that must not.
import { describe, expect, it } from '@jest/globals';
import { forwardsOf, parseCorefile, pluginZones, serverFor } from '../../src/dataplane/corefile.js';
import { dnsDepthFindings, mergeDnsFindings, type DnsDepthInput } from '../../src/dataplane/dns-depth.js';
import { parseDnsProbeLog, type DirectQuery } from '../../src/probes/interpret-dns.js';
import { planDnsServers } from '../../src/engine/dns-depth.js';
import type { Finding } from '../../src/report/types.js';
import { emptySnapshot } from '../../src/snapshot.js';

const CLUSTER = 'kubernetes.default.svc.cluster.local.';
const EXTERNAL = 'kdiag-fault.example.';
const KUBEADM = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;

function q(server: string, outcome: DirectQuery['outcome'], name = CLUSTER): DirectQuery {
  return { index: 0, server, name, exitCode: outcome === 'answer' ? 0 : 1, outcome, addresses: outcome === 'answer' ? ['10.96.0.1'] : [], cnames: [] };
}

const SVC = '10.96.0.10';
const A = '10.244.0.2';
const B = '10.244.0.3';

function input(over: Partial<DnsDepthInput> = {}): DnsDepthInput {
  return {
    clusterDomain: 'cluster.local',
    servers: [
      { address: SVC, role: 'service' },
      { address: A, role: 'pod', pod: 'coredns-a', node: 'node-1' },
      { address: B, role: 'pod', pod: 'coredns-b', node: 'node-2' },
    ],
    direct: [q(SVC, 'answer'), q(A, 'answer'), q(B, 'answer')],
    clusterName: CLUSTER,
    probeNode: 'node-1',
    serviceIP: SVC,
    dnsPods: 2,
    corefile: KUBEADM,
    logs: [],
    rbac: {
      serviceAccount: 'coredns',
      roles: ['system:coredns'],
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    nodeLocal: { pods: [] },
    resolvConf: { nameservers: [SVC], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5, options: ['ndots:5'], raw: '' },
    ...over,
  };
}

const ALL = ['KD5050', 'KD5051', 'KD5052', 'KD5053', 'KD5054', 'KD5055', 'KD5056', 'KD5057', 'KD5058', 'KD5059', 'KD6030', 'KD6031'];

interface Row {
  name: string;
  input: Partial<DnsDepthInput>;
  codes: string[];
  check?: (f: Finding[]) => void;
}

const ROWS: Row[] = [
  { name: 'healthy kubeadm cluster', input: {}, codes: [] },
  { name: "healthy: the local cluster's Corefile (no forward)", input: { corefile: KUBEADM.replace(/ {4}forward[^}]*}\n/, '') }, codes: [] },
  {
    name: 'one replica silent: names that pod only',
    input: { direct: [q(SVC, 'timeout'), q(A, 'answer'), q(B, 'timeout')] },
    codes: ['KD5050'],
    check: (f) => {
      expect(f[0]!.object).toEqual({ kind: 'Pod', namespace: 'kube-system', name: 'coredns-b' });
      expect(f[0]!.message).toMatch(/1 of 2 CoreDNS replicas/);
      expect(f[0]!.message).not.toMatch(/coredns-a .*TIMEOUT/);
    },
  },
  {
    name: 'every pod answers, the Service does not: the Service path on the probe node',
    input: { direct: [q(SVC, 'timeout'), q(A, 'answer'), q(B, 'answer')], proxySummary: 'kube-proxy on node node-1: Running, Ready' },
    codes: ['KD5051'],
    check: (f) => {
      expect(f[0]!.message).toMatch(/on node node-1 is broken/);
      expect(f[0]!.cause).toMatch(/kube-proxy on node node-1/);
    },
  },
  {
    name: 'every replica fails: CoreDNS itself, with its log',
    input: {
      direct: [q(SVC, 'servfail'), q(A, 'servfail'), q(B, 'servfail')],
      logs: [
        {
          pod: 'coredns-a',
          text: '[ERROR] plugin/kubernetes: Failed to watch *v1.Namespace: namespaces is forbidden: User "system:serviceaccount:kube-system:coredns" cannot watch',
        },
      ],
    },
    codes: ['KD5052', 'KD5057'],
    check: (f) => expect(f.find((x) => x.code === 'KD5052')!.cause).toMatch(/Failed to watch/),
  },
  {
    name: 'no replica: the Deployment scaled to 0',
    input: { dnsPods: 0, servers: [{ address: SVC, role: 'service' }], direct: [q(SVC, 'unreachable')], deploymentReplicas: 0 },
    codes: ['KD5052'],
    check: (f) => {
      expect(f[0]!.message).toMatch(/scaled to 0/);
      expect(f[0]!.remediation?.commands[0]!.argv).toEqual(['kubectl', '-n', 'kube-system', 'scale', 'deployment', 'coredns', '--replicas=2']);
    },
  },
  {
    name: 'kube-system pods not readable: no claim that no replica runs',
    input: { dnsPods: undefined, servers: [{ address: SVC, role: 'service' }], direct: [q(SVC, 'timeout')] },
    codes: [],
  },
  { name: "nslookup's own error is not the server's", input: { direct: [q(SVC, 'error'), q(A, 'error'), q(B, 'error')] }, codes: [] },
  {
    name: 'a NetworkPolicy blocks the probe: no replica verdict',
    input: { direct: [q(SVC, 'timeout'), q(A, 'timeout'), q(B, 'timeout')], egressBlocked: true },
    codes: [],
  },
  {
    name: 'forwarder unreachable: names the address and quotes the log',
    input: {
      externalName: EXTERNAL,
      corefile: KUBEADM.replace('forward . /etc/resolv.conf', 'forward . 192.0.2.2:5399'),
      direct: [q(SVC, 'answer'), q(A, 'answer'), q(B, 'answer'), q(SVC, 'servfail', EXTERNAL), q(A, 'servfail', EXTERNAL), q(B, 'timeout', EXTERNAL)],
      logs: [
        {
          pod: 'coredns-a',
          text: '[ERROR] plugin/errors: 2 2190096421817064625.1419562145744255339. HINFO: read udp 192.0.2.2:56796->192.0.2.2:5399: read: connection refused',
        },
      ],
    },
    codes: ['KD5056'],
    check: (f) => {
      expect(f[0]!.message).toMatch(/its forwarder 192\.0\.2\.2:5399 does not answer/);
      expect(f[0]!.cause).toMatch(/CoreDNS logged: coredns-a: .*192\.0\.2\.2:5399: read: connection refused/);
    },
  },
  {
    name: "API errors that stopped minutes before the read (the kubelet's timestamps): a past outage, info",
    input: {
      logs: [
        {
          pod: 'coredns-a',
          readAt: Date.parse('2026-12-07T18:20:00Z'),
          text: [
            '2026-12-07T18:05:01.123456789Z [INFO] plugin/reload: Running configuration SHA512 = 0123',
            '2026-12-07T18:06:10.000000001Z [ERROR] plugin/kubernetes: Failed to watch *v1.Service: Get "https://10.96.0.1:443/api/v1/services": dial tcp 10.96.0.1:443: connect: connection refused',
            '2026-12-07T18:06:41.500000000Z [ERROR] plugin/kubernetes: Failed to watch *v1.Namespace: Get "https://10.96.0.1:443/api/v1/namespaces": dial tcp 10.96.0.1:443: connect: connection refused',
          ].join('\n'),
        },
      ],
    },
    codes: ['KD5057'],
    check: (f) => {
      expect(f[0]!.severity).toBe('info');
      expect(f[0]!.message).toMatch(
        /^coredns: coredns-a logged 2 error\(s\) listing or watching the Kubernetes API, the last one 13 min before this run: its watches recovered \(\[ERROR\] plugin\/kubernetes: Failed to watch \*v1\.Namespace/,
      );
      expect(f[0]!.cause).toMatch(/a past outage/);
      expect(f[0]!.remediation?.commands[0]!.argv).toEqual(['kubectl', '-n', 'kube-system', 'logs', 'coredns-a', '--tail=100', '--timestamps']);
    },
  },
  {
    name: 'API errors still arriving (the last one 30 s before the read): CoreDNS fails now, error',
    input: {
      logs: [
        {
          pod: 'coredns-a',
          readAt: Date.parse('2026-12-07T18:20:00Z'),
          text: '2026-12-07T18:05:00Z [ERROR] plugin/kubernetes: Failed to watch *v1.Service: forbidden\n2026-12-07T18:19:30Z [ERROR] plugin/kubernetes: Failed to watch *v1.Service: forbidden',
        },
        // Another replica's old errors do not make the fresh ones old.
        {
          pod: 'coredns-b',
          readAt: Date.parse('2026-12-07T18:20:00Z'),
          text: '2026-12-07T18:01:00Z [ERROR] plugin/kubernetes: failed to list *v1.Namespace: Unauthorized',
        },
      ],
    },
    codes: ['KD5057'],
    check: (f) => {
      expect(f[0]!.severity).toBe('error');
      expect(f[0]!.message).toBe(
        'coredns: coredns-a, coredns-b logged 3 error(s) listing or watching the Kubernetes API ([ERROR] plugin/kubernetes: failed to list *v1.Namespace: Unauthorized)',
      );
    },
  },
  {
    name: 'API errors without timestamps (or without the time of the read): no claim that they are over, error',
    input: {
      logs: [
        { pod: 'coredns-a', text: '[ERROR] plugin/kubernetes: Failed to watch *v1.Service: forbidden' },
        { pod: 'coredns-b', text: '2026-12-07T18:01:00Z [ERROR] plugin/kubernetes: Failed to watch *v1.Service: forbidden' },
      ],
    },
    codes: ['KD5057'],
    check: (f) => expect(f[0]!.severity).toBe('error'),
  },
  {
    name: 'external name fails but there is no forward plugin: nothing to blame',
    input: {
      externalName: EXTERNAL,
      corefile: KUBEADM.replace(/ {4}forward[^}]*}\n/, ''),
      direct: [q(A, 'answer'), q(B, 'answer'), q(A, 'servfail', EXTERNAL), q(B, 'servfail', EXTERNAL)],
    },
    codes: [],
  },
  {
    name: 'external name fails on one replica only: not the forwarder',
    input: { externalName: EXTERNAL, direct: [q(A, 'answer'), q(B, 'answer'), q(A, 'answer', EXTERNAL), q(B, 'servfail', EXTERNAL)] },
    codes: [],
  },
  {
    name: 'kubernetes plugin for another zone',
    input: { corefile: KUBEADM.replace('kubernetes cluster.local', 'kubernetes cluster.example') },
    codes: ['KD5053'],
  },
  { name: 'no kubernetes plugin', input: { corefile: KUBEADM.replace(/ {4}kubernetes[^}]*}\n/, '') }, codes: ['KD5053'] },
  {
    name: 'a more specific server block without kubernetes wins',
    input: { corefile: `${KUBEADM}cluster.local:53 {\n    forward . 10.0.0.1\n    cache 30\n}\n` },
    codes: ['KD5053'],
  },
  {
    name: 'a zone block for the cluster domain serves it',
    input: { corefile: 'cluster.local:53 {\n    kubernetes\n    cache 30\n}\n.:53 {\n    forward . 10.0.0.1\n    cache\n}\n' },
    codes: [],
  },
  {
    name: 'forward to resolv.conf without loop',
    input: { corefile: KUBEADM.replace('    loop\n', '') },
    codes: ['KD5054'],
    check: (f) => expect(f[0]!.severity).toBe('warning'),
  },
  {
    name: 'loop detected in the log',
    input: {
      logs: [
        {
          pod: 'coredns-a',
          text: '[FATAL] plugin/loop: Loop (127.0.0.1:55953 -> :53) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 4547991504243258144.3688648895315093531."',
        },
      ],
    },
    codes: ['KD5054'],
    check: (f) => expect(f[0]!.severity).toBe('error'),
  },
  { name: 'cache off', input: { corefile: KUBEADM.replace('    cache 30\n', '') }, codes: ['KD5055'] },
  {
    name: 'RBAC lost endpointslices',
    input: {
      rbac: {
        serviceAccount: 'coredns',
        roles: ['system:coredns'],
        rules: [{ apiGroups: [''], resources: ['services', 'namespaces'], verbs: ['list', 'watch'] }],
      },
    },
    codes: ['KD5058'],
    check: (f) => expect(f[0]!.message).toMatch(/may not list endpointslices.discovery.k8s.io, watch endpointslices/),
  },
  { name: 'RBAC: no binding at all', input: { rbac: { serviceAccount: 'coredns', roles: [], rules: [] } }, codes: ['KD5058'] },
  {
    name: 'RBAC: wildcards allow',
    input: { rbac: { serviceAccount: 'coredns', roles: ['admin'], rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] } },
    codes: [],
  },
  {
    name: 'RBAC not read: nothing said here (KD6006 says it)',
    input: { rbac: undefined, corefile: undefined, logs: undefined, nodeLocal: undefined },
    codes: [],
  },
  {
    name: 'NodeLocal DNSCache in use and Ready on the probe node',
    input: {
      nodeLocal: { daemonset: 'node-local-dns', pods: [{ name: 'nl-1', node: 'node-1', ready: true, detail: 'Running, Ready' }] },
      resolvConf: { nameservers: ['169.254.20.10'], search: ['svc.cluster.local'], ndots: 5, options: [], raw: '' },
    },
    codes: [],
  },
  {
    name: 'NodeLocal DNSCache not Ready on the probe node',
    input: {
      nodeLocal: { daemonset: 'node-local-dns', pods: [{ name: 'nl-2', node: 'node-2', ready: true, detail: 'Running, Ready' }] },
      resolvConf: { nameservers: ['169.254.20.10'], search: ['svc.cluster.local'], ndots: 5, options: [], raw: '' },
    },
    codes: ['KD5059'],
    check: (f) => expect(f[0]!.message).toMatch(/has no Ready pod on node node-1/),
  },
  {
    name: 'link-local nameserver but no NodeLocal DaemonSet',
    input: { nodeLocal: { pods: [] }, resolvConf: { nameservers: ['169.254.20.10'], search: [], ndots: 5, options: [], raw: '' } },
    codes: ['KD5059'],
  },
  {
    name: 'nameserver is not the DNS Service',
    input: { resolvConf: { nameservers: ['10.96.0.53'], search: [], ndots: 5, options: [], raw: '' } },
    codes: ['KD6031'],
  },
  {
    name: 'search list of 7 domains',
    input: { resolvConf: { nameservers: [SVC], search: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], ndots: 5, options: [], raw: '' } },
    codes: ['KD6030'],
  },
  {
    name: 'search list over 256 characters',
    input: { resolvConf: { nameservers: [SVC], search: ['x'.repeat(130), 'y'.repeat(130)], ndots: 5, options: [], raw: '' } },
    codes: ['KD6030'],
  },
  {
    name: 'search list of exactly 6 domains, 256 characters or less',
    input: { resolvConf: { nameservers: [SVC], search: ['a', 'b', 'c', 'd', 'e', 'f'], ndots: 5, options: [], raw: '' } },
    codes: [],
  },
];

describe('dnsDepthFindings', () => {
  it.each(ROWS.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const found = dnsDepthFindings(input(row.input));
    expect(found.map((f) => f.code).sort()).toEqual([...row.codes].sort());
    expect(found.every((f) => ALL.includes(f.code))).toBe(true);
    for (const f of found) {
      expect(f.cause.length).toBeGreaterThan(20);
      expect(f.fix.length).toBeGreaterThan(10);
    }
    row.check?.(found);
  });
});

describe('mergeDnsFindings', () => {
  const base = (code: string): Finding => ({ code, check: 'dns', severity: 'error', object: { kind: 'Service', name: 'x' }, message: '', cause: '', fix: '' });
  it.each([
    ['KD5050', ['KD5002', 'KD5003', 'KD6003'], ['KD6003', 'KD5050']],
    ['KD5052', ['KD5002', 'KD6003', 'KD6004'], ['KD6003', 'KD6004', 'KD5052']],
    ['KD5056', ['KD5002', 'KD5003'], ['KD5002', 'KD5056']],
    ['KD5055', ['KD5002', 'KD5003'], ['KD5002', 'KD5003', 'KD5055']],
  ])('a %s verdict replaces the base findings it explains better', (depth, codes, want) => {
    expect(mergeDnsFindings(codes.map(base), [base(depth)]).map((f) => f.code)).toEqual(want);
  });
});

describe('parseCorefile', () => {
  it('reads server blocks, zones, ports and nested plugins', () => {
    const servers = parseCorefile(`# comment\n${KUBEADM}example.org:5353 dns://other.test {\n  whoami # trailing\n}\n`);
    expect(servers.map((s) => [s.zones, s.port])).toEqual([
      [['.'], 53],
      [['example.org', 'other.test'], 5353],
    ]);
    expect(servers[0]!.plugins.map((p) => p.name)).toEqual([
      'errors',
      'health',
      'ready',
      'kubernetes',
      'prometheus',
      'forward',
      'cache',
      'loop',
      'reload',
      'loadbalance',
    ]);
    const k8s = servers[0]!.plugins.find((p) => p.name === 'kubernetes')!;
    expect(pluginZones(k8s, servers[0]!)).toEqual(['cluster.local', 'in-addr.arpa', 'ip6.arpa']);
    expect(k8s.body.map((p) => p.name)).toEqual(['pods', 'fallthrough', 'ttl']);
    expect(forwardsOf(servers[0]!)).toEqual([{ from: '.', to: ['/etc/resolv.conf'] }]);
    expect(serverFor(servers, 'cluster.local')).toBe(servers[0]);
  });
  it.each(['', '}', '{', '.:53 {\n  kubernetes cluster.local {\n', 'garbage without braces'])('never throws on %j', (text) => {
    expect(() => parseCorefile(text)).not.toThrow();
  });
});

describe('the DNS probe log with direct queries', () => {
  it('parses each server answer (busybox 1.36 output) apart from the lookups', () => {
    const n = 'abc123';
    const log = [
      `KDIAG${n} resolv.conf`,
      'search default.svc.cluster.local svc.cluster.local cluster.local',
      'nameserver 10.96.0.10',
      'options ndots:5',
      `KDIAG${n} direct 0 10.96.0.10 ${CLUSTER}`,
      'Server:\t\t10.96.0.10',
      'Address:\t10.96.0.10:53',
      '',
      `Name:\t${CLUSTER.slice(0, -1)}`,
      'Address: 10.96.0.1',
      '',
      `KDIAG${n} directed rc=0 ms=12`,
      `KDIAG${n} direct 1 10.244.0.58 ${CLUSTER}`,
      "nslookup: write to '10.244.0.58': Connection refused",
      ';; connection timed out; no servers could be reached',
      `KDIAG${n} directed rc=1 ms=3`,
      `KDIAG${n} done 0`,
    ].join('\n');
    const out = parseDnsProbeLog(log, n);
    expect(out.lookups).toEqual([]);
    expect(out.resolvConf?.nameservers).toEqual(['10.96.0.10']);
    expect(out.direct.map((d) => [d.server, d.name, d.outcome, d.ms])).toEqual([
      ['10.96.0.10', CLUSTER, 'answer', 12],
      ['10.244.0.58', CLUSTER, 'unreachable', 3],
    ]);
  });
});

describe('planDnsServers', () => {
  it('asks the DNS Service and each Ready, not terminating kube-dns pod, the cluster name and the external subject', () => {
    const snap = emptySnapshot();
    snap.services.push({ metadata: { namespace: 'kube-system', name: 'kube-dns' }, spec: { clusterIP: SVC } });
    const pod = (name: string, ip: string, ready: boolean, deleting = false) => ({
      metadata: { namespace: 'kube-system', name, labels: { 'k8s-app': 'kube-dns' }, ...(deleting ? { deletionTimestamp: new Date() } : {}) },
      spec: { nodeName: 'node-1', containers: [] },
      status: { podIP: ip, phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    });
    snap.pods.push(pod('coredns-a', A, true), pod('coredns-b', B, false), pod('coredns-c', '10.244.0.4', true, true));
    const plan = planDnsServers(snap, 'cluster.local', 'api.example.com');
    expect(plan.servers.map((s) => [s.role, s.address, s.pod])).toEqual([
      ['service', SVC, undefined],
      ['pod', A, 'coredns-a'],
    ]);
    expect(plan.args).toEqual(['--direct', SVC, CLUSTER, SVC, 'api.example.com.', A, CLUSTER, A, 'api.example.com.']);
    expect(plan.dnsPods).toHaveLength(3);
    expect(plan.podsUnknown).toBe(false);
    expect(planDnsServers(emptySnapshot({ unavailable: { pods: 'forbidden' } }), 'cluster.local').podsUnknown).toBe(true);
  });
});
