// Differential probing as data: the extra probes planned for a Service, the probe log they
// produce (CURL_SCRIPT's format), and the verdict kdiag draws from the differences.
import { describe, expect, it } from '@jest/globals';
import { enforcerOnNode, kubeProxyMode, proxyOnNode, proxyReplacement, type DataplaneView } from '../../src/dataplane/components.js';
import { analyzeDifferential, describeProxyHealth, mergeFindings, needsDataplaneView } from '../../src/dataplane/differential.js';
import { parseProbeLog, planProbeArgs } from '../../src/engine/differential.js';
import { analyzeConnectivity } from '../../src/probes/interpret-http.js';
import { parseTarget, planConnectivity } from '../../src/probes/plan.js';
import type { V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { fixtureSnapshot, type K8sObject } from '../support/fixtures.js';
import { HOSTILE_STRINGS, expectSafeFindings } from '../support/hostile.js';

const NS = 'shop';

/** Service `cart` (80 → named port http) with `n` ready pods on kdiag-node; optional extra objects. */
function cluster(n: number, extra: K8sObject[] = [], opts: { readinessPort?: (i: number) => number } = {}): K8sObject[] {
  const pods: K8sObject[] = Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `cart-${i}`, namespace: NS, labels: { app: 'cart' } },
    spec: {
      nodeName: i === 2 ? 'node-b' : 'kdiag-node',
      containers: [
        {
          name: 'c',
          image: 'backend',
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/health', port: opts.readinessPort?.(i) ?? 8080 } },
        },
      ],
    },
    status: { phase: 'Running', podIP: `10.244.0.${10 + i}`, conditions: [{ type: 'Ready', status: 'True' }] },
  }));
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'kubernetes.io/metadata.name': NS } } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart', namespace: NS },
      spec: { clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], selector: { app: 'cart' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
    },
    ...pods,
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'cart-x', namespace: NS, labels: { 'kubernetes.io/service-name': 'cart' } },
      addressType: 'IPv4',
      ports: [{ name: 'web', port: 8080, protocol: 'TCP' }],
      endpoints: pods.map((p, i) => ({
        addresses: [`10.244.0.${10 + i}`],
        conditions: { ready: true },
        nodeName: (p.spec as { nodeName: string }).nodeName,
        targetRef: { kind: 'Pod', name: p.metadata.name, namespace: NS },
      })),
    },
    ...extra,
  ];
}

const OK = (ip: string, port: number, pod: string) => `0 200 ${ip} ${port} 0.001 0.002 0 0.003 0.004 \nKDIAGx body IDX {"name":"cart","pod":"${pod}"}`;
const TIMEOUT = (host: string) => `28 000  0 0.001 0 0 0 5.0 Failed to connect to ${host} port 80 after 5001 ms: Timeout was reached`;
const REFUSED = '7 000  0 0.001 0 0 0 0.002 Failed to connect: Could not connect to server';

/** Runs the whole pure pipeline: plan, a probe log with `lines` (one per curl, in order), verdicts. */
function probe(
  objects: K8sObject[],
  lines: string[],
  opts: { maxEndpoints?: number; source?: Record<string, string>; view?: DataplaneView; target?: string } = {},
) {
  const snapshot = fixtureSnapshot(objects);
  const targets = planConnectivity([parseTarget(opts.target ?? 'cart', NS)], snapshot, { path: '/health' });
  const plan = planProbeArgs(targets, snapshot, { maxEndpoints: opts.maxEndpoints });
  const log = lines.map((l, i) => `KDIAGx result ${i} ${l.replace('IDX', String(i))}`).join('\n');
  const { results, extraResults } = parseProbeLog(log, 'x', targets, plan.extras);
  const source = { namespace: NS, labels: opts.source ?? { 'app.kubernetes.io/managed-by': 'kdiag' } };
  const base = analyzeConnectivity({ targets, results, snapshot, source });
  const d = analyzeDifferential({
    targets,
    results,
    extras: plan.extras.map((probe, i) => ({ probe, ...(extraResults[i] ? { result: extraResults[i] } : {}) })),
    snapshot,
    source,
    probeNode: 'kdiag-node',
  });
  const findings = mergeFindings(base.findings, d, opts.view, 'kdiag-node');
  return { plan, d, findings, base: base.findings };
}

const EMPTY_VIEW: DataplaneView = { nodes: [], systemPods: [], daemonsets: [], skipped: [] };

describe('planDifferential', () => {
  it('adds the ClusterIP by address, each ready endpoint on its published port, and kube-proxy health once', () => {
    const { plan } = probe(cluster(3), []);
    expect(plan.args).toEqual([
      'http',
      'http://cart.shop.svc.cluster.local/health',
      'http',
      'http://10.96.5.5:80/health',
      'http',
      'http://10.244.0.10:8080/health',
      'http',
      'http://10.244.0.11:8080/health',
      'http',
      'http://10.244.0.12:8080/health',
      'node',
      '10256/healthz',
    ]);
    expect(plan.extras.map((e) => e.pod?.name ?? e.role)).toEqual(['cluster-ip', 'cart-0', 'cart-1', 'cart-2', 'node-health']);
  });

  it('--max-endpoints bounds the direct tries; 0 keeps only the ClusterIP', () => {
    expect(probe(cluster(3), [], { maxEndpoints: 1 }).plan.extras.map((e) => e.role)).toEqual(['cluster-ip', 'endpoint', 'node-health']);
    expect(probe(cluster(3), [], { maxEndpoints: 0 }).plan.extras.map((e) => e.role)).toEqual(['cluster-ip', 'node-health']);
  });

  it("skips endpoints that are not ready and a headless Service's ClusterIP", () => {
    const objs = cluster(2).map((o) => {
      if (o.kind === 'EndpointSlice')
        return { ...o, endpoints: (o.endpoints as { conditions: { ready: boolean } }[]).map((e, i) => ({ ...e, conditions: { ready: i === 0 } })) };
      if (o.kind === 'Service') return { ...o, spec: { ...(o.spec as object), clusterIP: 'None', clusterIPs: ['None'] } };
      return o;
    });
    expect(probe(objs, []).plan.extras.map((e) => e.pod?.name ?? e.role)).toEqual(['cart-0']);
  });
});

describe('analyzeDifferential', () => {
  it('healthy: no verdict and no finding', () => {
    const { findings, d } = probe(cluster(2), [
      OK('10.96.5.5', 80, 'cart-0'),
      OK('10.96.5.5', 80, 'cart-1'),
      OK('10.244.0.10', 8080, 'cart-0'),
      OK('10.244.0.11', 8080, 'cart-1'),
      REFUSED,
    ]);
    expect(d.verdicts).toEqual([]);
    expect(findings).toEqual([]);
    expect(needsDataplaneView(d)).toBe(false);
  });

  it('the Service times out, every endpoint answers: KD5040 names the node and kube-proxy, replacing the generic timeout', () => {
    const view: DataplaneView = {
      ...EMPTY_VIEW,
      nodes: [{ metadata: { name: 'kdiag-node' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } as V1Node],
    };
    const { findings, base, d } = probe(
      cluster(2),
      [TIMEOUT('cart.shop.svc.cluster.local'), TIMEOUT('10.96.5.5'), OK('10.244.0.10', 8080, 'cart-0'), OK('10.244.0.11', 8080, 'cart-1'), REFUSED],
      { view },
    );
    expect(base.map((f) => f.code)).toEqual(['KD5031']);
    expect(needsDataplaneView(d)).toBe(true);
    expect(findings.map((f) => f.code)).toEqual(['KD5040']);
    expect(findings[0]!.message).toBe(
      'cart: the Service address 10.96.5.5:80 timed out from node kdiag-node, but all 2 endpoint(s) answer directly: the Service data path on node kdiag-node (kube-proxy) is at fault',
    );
    expect(findings[0]!.cause).toContain("No kube-proxy pod in kube-system: on node kdiag-node (Ready) kube-proxy runs outside the API's view");
    expect(findings[0]!.cause).toContain(
      "kube-proxy's health endpoint on node kdiag-node (port 10256, /healthz) is not reachable from the probe pod (connection refused",
    );
    expect(findings[0]!.remediation?.commands[0]!.argv).toEqual([
      'kubectl',
      '-n',
      NS,
      'get',
      'endpointslices',
      '-l',
      'kubernetes.io/service-name=cart',
      '-o',
      'wide',
    ]);
    expectSafeFindings(findings);
  });

  it('with a kube-proxy pod on the node: its state and mode, and a restart as the fix', () => {
    const kp = {
      metadata: { name: 'kube-proxy-abc', namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
      spec: {
        nodeName: 'kdiag-node',
        containers: [{ name: 'kube-proxy', command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf'] }],
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'kube-proxy', ready: true, restartCount: 3, lastState: { terminated: { reason: 'Error', exitCode: 1 } } }],
      },
    } as unknown as V1Pod;
    const view: DataplaneView = {
      ...EMPTY_VIEW,
      systemPods: [kp],
      kubeProxyConfig: 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: "nftables"\n',
    };
    const { findings } = probe(
      cluster(1),
      [
        TIMEOUT('cart.shop.svc.cluster.local'),
        TIMEOUT('10.96.5.5'),
        OK('10.244.0.10', 8080, 'cart-0'),
        '0 503 10.0.0.1 10256 0 0.001 0 0.002 0.002 \nKDIAGx body IDX {"lastUpdated": "2026-12-07T09:00:00Z","currentTime": "2026-12-07T09:05:00Z", "nodeEligible": true}',
      ],
      { view },
    );
    expect(findings[0]!.cause).toContain(
      'kube-proxy on node kdiag-node: pod kube-system/kube-proxy-abc: Running, Ready, 3 restart(s), last termination Error (exit 1); mode nftables (ConfigMap kube-system/kube-proxy)',
    );
    expect(findings[0]!.cause).toContain(
      'answered HTTP 503: lastUpdated 2026-12-07T09:00:00Z, currentTime 2026-12-07T09:05:00Z (300 s behind: kube-proxy has not synced its rules since)',
    );
    expect(findings[0]!.remediation?.commands.map((c) => c.argv)).toEqual([
      ['kubectl', '-n', 'kube-system', 'logs', 'kube-proxy-abc', '--tail=100'],
      ['kubectl', '-n', 'kube-system', 'delete', 'pod', 'kube-proxy-abc'],
    ]);
  });

  it('one endpoint refuses while the others answer: KD5041 names that pod only, with its readiness probe port', () => {
    const { findings } = probe(cluster(3, [], { readinessPort: (i) => (i === 1 ? 9090 : 8080) }), [
      REFUSED,
      OK('10.96.5.5', 80, 'cart-0'),
      OK('10.244.0.10', 8080, 'cart-0'),
      REFUSED,
      OK('10.244.0.12', 8080, 'cart-2'),
      REFUSED,
    ]);
    expect(findings.map((f) => f.code)).toEqual(['KD5041']);
    expect(findings[0]!.message).toBe(
      'cart: 1 of 3 ready endpoints do not serve on target port http: cart-1 (10.244.0.11:8080, node kdiag-node): connection refused',
    );
    expect(findings[0]!.message).not.toMatch(/cart-0|cart-2/);
    expect(findings[0]!.cause).toContain("pod cart-1's readiness probe checks HTTP GET :9090/health, not the target port 8080");
    expectSafeFindings(findings);
  });

  it('an HTTP 500 from one endpoint counts as failing, with its status', () => {
    const { findings } = probe(cluster(2), [
      OK('10.96.5.5', 80, 'cart-0'),
      OK('10.96.5.5', 80, 'cart-0'),
      OK('10.244.0.10', 8080, 'cart-0'),
      '0 500 10.244.0.11 8080 0 0.001 0 0.002 0.002 ',
      REFUSED,
    ]);
    expect(findings.map((f) => f.code)).toEqual(['KD5041']);
    expect(findings[0]!.message).toContain('cart-1 (10.244.0.11:8080, node kdiag-node): HTTP 500');
  });

  it("every endpoint times out and no policy explains it: KD5042 names the pods' nodes and the probe's", () => {
    const { findings } = probe(cluster(3), [
      TIMEOUT('cart.shop.svc.cluster.local'),
      TIMEOUT('10.96.5.5'),
      TIMEOUT('10.244.0.10'),
      TIMEOUT('10.244.0.11'),
      TIMEOUT('10.244.0.12'),
      REFUSED,
    ]);
    expect(findings.map((f) => f.code)).toEqual(['KD5042']);
    expect(findings[0]!.message).toBe(
      'cart: every endpoint timed out by pod IP (3 pod(s) on node(s) kdiag-node, node-b) and no NetworkPolicy kdiag can read explains it',
    );
    expect(findings[0]!.cause).toContain('The probe pod ran on node kdiag-node, the same node as some of the pods');
    expectSafeFindings(findings);
  });

  it('every endpoint times out because a NetworkPolicy denies it: the policy finding stays, no pod-network suspect', () => {
    const deny: K8sObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: NS },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    };
    const { findings } = probe(cluster(2, [deny]), [
      TIMEOUT('cart.shop.svc.cluster.local'),
      TIMEOUT('10.96.5.5'),
      TIMEOUT('10.244.0.10'),
      TIMEOUT('10.244.0.11'),
      REFUSED,
    ]);
    expect(findings.map((f) => f.code)).toEqual(['KD5039']);
  });

  it('the name does not resolve, the ClusterIP answers: KD5043 (DNS), replacing KD5035', () => {
    const { findings, base } = probe(cluster(1), [
      '6 000  0 0 0 0 0 0.5 Could not resolve host: cart.shop.svc.cluster.local',
      OK('10.96.5.5', 80, 'cart-0'),
      OK('10.244.0.10', 8080, 'cart-0'),
      REFUSED,
    ]);
    expect(base.map((f) => f.code)).toEqual(['KD5035']);
    expect(findings.map((f) => f.code)).toEqual(['KD5043']);
    expect(findings[0]!.message).toBe(
      'cart: the name cart.shop.svc.cluster.local does not resolve from the probe pod, but the ClusterIP 10.96.5.5 answers: cluster DNS fails, not the Service',
    );
    expect(findings[0]!.remediation?.commands[0]!.argv).toEqual(['kdiag', 'dns', 'cart', '-n', NS]);
  });

  it('the name leads to another address than the ClusterIP: KD5043 says so', () => {
    const { findings } = probe(cluster(1), [OK('10.96.9.9', 80, 'cart-0'), OK('10.96.5.5', 80, 'cart-0'), OK('10.244.0.10', 8080, 'cart-0'), REFUSED]);
    expect(findings.map((f) => f.code)).toEqual(['KD5043']);
    expect(findings[0]!.message).toContain('led to 10.96.9.9, not the ClusterIP 10.96.5.5');
  });

  describe('prediction against observation', () => {
    const deny: K8sObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: NS },
      spec: { podSelector: { matchLabels: { app: 'cart' } }, policyTypes: ['Ingress'] },
    };
    const connected = [OK('10.96.5.5', 80, 'cart-0'), OK('10.96.5.5', 80, 'cart-0'), OK('10.244.0.10', 8080, 'cart-0'), REFUSED];
    const node = { metadata: { name: 'kdiag-node', labels: { 'kubernetes.io/hostname': 'kdiag-node' } } } as V1Node;

    it('predicted deny, connected, the enforcer DaemonSet kept off the node: KD5045 names the policy and why', () => {
      const ds = {
        metadata: { name: 'kube-router', namespace: 'kube-system' },
        spec: { template: { spec: { nodeSelector: { off: 'true' } } } },
        status: { desiredNumberScheduled: 0, numberReady: 0 },
      } as unknown as V1DaemonSet;
      const { findings, d } = probe(cluster(1, [deny]), connected, { view: { ...EMPTY_VIEW, nodes: [node], daemonsets: [ds] } });
      expect(needsDataplaneView(d)).toBe(true);
      expect(findings.map((f) => f.code)).toEqual(['KD5045']);
      expect(findings[0]!.message).toBe('cart: predicted deny, observed connect: NetworkPolicy shop/deny not enforced on this path');
      expect(findings[0]!.cause).toContain(
        'ingress: NetworkPolicy shop/deny selects pod(s) cart-0 and no rule allows this connection (enforced on node kdiag-node); no kube-router agent runs on node kdiag-node; its DaemonSet kube-system/kube-router wants 0 pod(s), 0 Ready, nodeSelector off=true: its nodeSelector does not match node kdiag-node',
      );
      expect(findings[0]!.remediation?.commands[0]!.argv).toEqual(['kubectl', '-n', 'kube-system', 'get', 'daemonset', 'kube-router', '-o', 'wide']);
      expectSafeFindings(findings);
    });

    it('no enforcer at all: says that nothing applies NetworkPolicies', () => {
      const { findings } = probe(cluster(1, [deny]), connected, { view: { ...EMPTY_VIEW, nodes: [node] } });
      expect(findings[0]!.cause).toContain('no NetworkPolicy enforcer found in kube-system');
    });

    it('predicted deny and denied: no KD5045', () => {
      const { findings } = probe(cluster(1, [deny]), [TIMEOUT('cart'), TIMEOUT('10.96.5.5'), TIMEOUT('10.244.0.10'), REFUSED]);
      expect(findings.map((f) => f.code)).toEqual(['KD5039']);
    });

    it("allowed by a rule for the probe's labels and connected: nothing to say", () => {
      const allow: K8sObject = {
        ...deny,
        metadata: { name: 'allow', namespace: NS },
        spec: {
          podSelector: { matchLabels: { app: 'cart' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }],
        },
      };
      const { findings } = probe(cluster(1, [allow]), connected, { source: { role: 'client' } });
      expect(findings).toEqual([]);
    });
  });

  it('hostile names stay inside quoted arguments and escaped text', () => {
    for (const h of HOSTILE_STRINGS.slice(0, 8)) {
      const kp = {
        metadata: { name: h, namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
        spec: { nodeName: 'kdiag-node', containers: [] },
        status: { phase: 'Running' },
      } as unknown as V1Pod;
      const { findings } = probe(cluster(1), [TIMEOUT('cart'), TIMEOUT('10.96.5.5'), OK('10.244.0.10', 8080, 'cart-0'), REFUSED], {
        view: { ...EMPTY_VIEW, systemPods: [kp] },
      });
      expect(findings.map((f) => f.code)).toEqual(['KD5040']);
      expectSafeFindings(findings);
    }
  });
});

describe('components', () => {
  const pod = (labels: Record<string, string>, args: string[], env: { name: string; value: string }[] = [], name = 'agent-x', nodeName = 'n1', ready = true) =>
    ({
      metadata: { name, labels },
      spec: { nodeName, containers: [{ name: 'c', args, env }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    }) as unknown as V1Pod;

  it('kube-proxy mode from --proxy-mode, else the ConfigMap (empty mode: iptables), else unknown', () => {
    expect(kubeProxyMode([pod({ 'k8s-app': 'kube-proxy' }, ['--proxy-mode=ipvs'])], undefined).mode).toBe('ipvs');
    expect(kubeProxyMode([], 'kind: KubeProxyConfiguration\nmode: ""\n')).toEqual({
      mode: 'iptables',
      from: 'ConfigMap kube-system/kube-proxy (mode empty: the Linux default)',
    });
    expect(kubeProxyMode([], undefined).mode).toBeUndefined();
  });

  it('recognises kube-proxy replacements and not the firewall-only kube-router', () => {
    expect(proxyReplacement([pod({ 'k8s-app': 'kube-router' }, ['--run-firewall=true', '--run-service-proxy=false'])])).toBeUndefined();
    expect(proxyReplacement([pod({ 'k8s-app': 'kube-router' }, ['--run-service-proxy=true'])])?.name).toBe('kube-router');
    expect(proxyReplacement([pod({ 'k8s-app': 'cilium' }, ['--kube-proxy-replacement=true'])])?.name).toBe('Cilium');
    expect(proxyReplacement([pod({ 'k8s-app': 'calico-node' }, [], [{ name: 'FELIX_BPFENABLED', value: 'true' }])])?.name).toBe('Calico eBPF');
    const view: DataplaneView = { ...EMPTY_VIEW, systemPods: [pod({ 'k8s-app': 'cilium' }, ['--kube-proxy-replacement=true'], [], 'cilium-abc')] };
    expect(proxyOnNode(view, 'n1').summary).toBe(
      'Cilium replaces kube-proxy (pod cilium-abc runs with --kube-proxy-replacement=true); it translates Service addresses on node n1',
    );
  });

  it("the enforcer's agent on a node: Ready, not Ready, or missing", () => {
    const ready = pod({ 'k8s-app': 'calico-node' }, [], [], 'calico-node-1', 'n1');
    const down = pod({ 'k8s-app': 'calico-node' }, [], [], 'calico-node-2', 'n2', false);
    const view = { ...EMPTY_VIEW, systemPods: [ready, down] };
    expect(enforcerOnNode(view, 'n1')).toMatchObject({ enforcer: 'Calico', agent: { pod: 'calico-node-1', ready: true } });
    expect(enforcerOnNode(view, 'n2').problem).toBe('its agent on node n2 is not Ready (pod kube-system/calico-node-2: Running, not Ready, 0 restart(s))');
    expect(enforcerOnNode(view, 'n3').problem).toBe('no Calico agent runs on node n3');
  });

  it('kube-proxy health: not asked, unreachable, stale', () => {
    expect(describeProxyHealth(undefined, 'n1')).toContain('was not asked');
  });
});
