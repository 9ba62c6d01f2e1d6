// The data-plane section of kdiag check: the same rows and findings as kdiag dataplane for the
// same scope (one implementation), the snapshot's lists reused, and what RBAC refuses said once.
import { describe, expect, it } from '@jest/globals';
import { XMLParser } from 'fast-xml-parser';
import { expectValidReport } from '../support/contract.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import type { K8sObject } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const ready = [{ type: 'Ready', status: 'True' }];
const node = (name: string): K8sObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: ready } });
const pod = (name: string, nodeName: string, labels: Record<string, string>, isReady = true, args: string[] = []): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'kube-system', labels },
  spec: { nodeName, containers: [{ name: 'c', image: 'x', args }] },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False' }],
    containerStatuses: [{ name: 'c', ready: isReady, restartCount: isReady ? 0 : 7, image: 'x', imageID: '', state: { running: {} } }],
  },
});
const calicoDs: K8sObject = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'calico-node', namespace: 'kube-system' },
  spec: { template: { spec: {} } },
  status: { desiredNumberScheduled: 2, numberReady: 1 },
};
const objects: K8sObject[] = [
  node('n1'),
  node('n2'),
  // --proxy-mode in the pod: the mode must survive the snapshot's slim pod copies.
  pod('kube-proxy-a', 'n1', { 'k8s-app': 'kube-proxy' }, true, ['--proxy-mode=nftables']),
  pod('kube-proxy-b', 'n2', { 'k8s-app': 'kube-proxy' }, false, ['--proxy-mode=nftables']),
  pod('calico-node-a', 'n1', { 'k8s-app': 'calico-node' }),
  pod('coredns-1', 'n1', { 'k8s-app': 'kube-dns' }),
  calicoDs,
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny', namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
];

interface F {
  code: string;
  check: string;
  object: { name: string };
  message: string;
}

async function json(args: string[]) {
  const r = await kdiag([...args, '-o', 'json', '--kubeconfig', testKubeconfig()]);
  return { code: r.code, report: JSON.parse(r.stdout) };
}

describe('kdiag check: the data-plane section', () => {
  for (const scope of [['-A'], ['-n', 'shop']]) {
    it(`gives the findings and rows of kdiag dataplane for the same scope (${scope.join(' ')})`, async () => {
      fakeApi(objects);
      const dataplane = await json(['dataplane', ...scope]);
      fakeApi(objects);
      const check = await json(['check', ...scope]);
      expectValidReport(check.report);
      expect(dataplane.report.findings.map((f: F) => `${f.code} ${f.message}`)).toEqual([
        'KD6020 n2: kube-proxy pod kube-proxy-b is not Ready, while other nodes have one',
        'KD6021 n2: NetworkPolicies are not enforced here: no Calico agent runs on node n2; its DaemonSet kube-system/calico-node wants 2 pod(s), 1 Ready',
      ]);
      expect(check.report.findings.filter((f: F) => f.check === 'dataplane')).toEqual(dataplane.report.findings);
      expect(check.report.dataplane).toEqual({ nodes: dataplane.report.nodes, skipped: dataplane.report.skipped });
      expect(check.report.dataplane.nodes.map((n: { mode: string }) => n.mode)).toEqual(['nftables', 'nftables']);
      expect(check.report.checks.find((c: { id: string }) => c.id === 'dataplane')).toMatchObject({ status: 'failed', errors: 2 });
    });
  }

  it("reuses the lists of check -A (pods, DaemonSets) and lists only the nodes in addition; -n reuses the NetworkPolicy loader's cluster-wide lists", async () => {
    let api = fakeApi(objects);
    await json(['check', '-A']);
    // Whole lists (the Ingress and Gateway loaders' label-selected pod lists are theirs).
    const whole = (path: RegExp) => api!.requests.filter((r) => path.test(r.path) && !r.query.has('labelSelector')).length;
    expect(whole(/^\/api\/v1\/pods$/)).toBe(1);
    expect(whole(/^\/apis\/apps\/v1\/daemonsets$/)).toBe(1);
    expect(api.count(/^\/api\/v1\/nodes$/)).toBe(1);
    expect(api.count(/\/namespaces\/kube-system\/(pods|daemonsets)$/)).toBe(0);
    api = fakeApi(objects);
    await json(['check', '-n', 'shop']);
    expect(api.count(/^\/api\/v1\/nodes$/)).toBe(1);
    // The NetworkPolicy rules list kube-system's Pods whole (other namespaces' by label, never all
    // Pods) and DaemonSets of every namespace once; the data plane takes kube-system's from them
    // (the cluster-dns check's label-selected list of CoreDNS pods is its own).
    expect(whole(/^\/api\/v1\/pods$/)).toBe(0);
    expect(whole(/^\/apis\/apps\/v1\/daemonsets$/)).toBe(1);
    expect(whole(/^\/api\/v1\/namespaces\/kube-system\/pods$/)).toBe(1);
    expect(api.count(/^\/apis\/apps\/v1\/namespaces\/kube-system\/daemonsets$/)).toBe(0);
  });

  it('table output: a dataplane row among the checks and the per-node table as its own section', async () => {
    fakeApi(objects);
    const { stdout } = await kdiag(['check', '-A', '--kubeconfig', testKubeconfig()]);
    expect(stdout).toMatch(/^dataplane\s+failed\s+2\s+0\s+\d+\.\d\ds$/m);
    const section = stdout.slice(stdout.indexOf('DATA PLANE (per node; the same as kdiag dataplane)'));
    expect(section).toMatch(/^NODE\s+READY\s+SERVICE PROXY\s+MODE\s+POLICY ENFORCER\s+COREDNS$/m);
    expect(section).toMatch(/^n2\s+yes\s+kube-proxy kube-system\/kube-proxy-b: Running, not Ready, 7 restart\(s\)\s+nftables\s+Calico: missing\s+-$/m);
    expect(stdout.indexOf('DATA PLANE')).toBeLessThan(stdout.indexOf('KD6020'));
  });

  it('beyond ten nodes: one line of counts (every row with -o wide)', async () => {
    const many = [...objects, ...Array.from({ length: 10 }, (_, i) => node(`m${String(i).padStart(2, '0')}`))];
    fakeApi(many);
    const { stdout } = await kdiag(['check', '-A', '--kubeconfig', testKubeconfig()]);
    // m00…m09 have neither kube-proxy nor Calico: each is a finding too.
    expect(stdout).toContain('12 nodes, 11 with a finding below; every node: kdiag check -o wide, or kdiag dataplane');
    fakeApi(many);
    const wide = await kdiag(['check', '-A', '-o', 'wide', '--kubeconfig', testKubeconfig()]);
    expect(wide.stdout).toMatch(/^m09\s+yes\s+kube-proxy: no pod on this node/m);
  });

  it('JUnit: the data plane is one more test suite', async () => {
    fakeApi(objects);
    const { stdout } = await kdiag(['check', '-A', '-o', 'junit', '--kubeconfig', testKubeconfig()]);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(stdout);
    const suite = (xml.testsuites.testsuite as { name: string; testcase: unknown }[]).find((s) => s.name === 'dataplane');
    expect(JSON.stringify(suite)).toContain('KD6020');
  });

  it('a user of one namespace: nodes and kube-system are refused; one KD6006 line each, no error, the other checks unchanged', async () => {
    fakeApi(objects, { namespaceOnly: 'shop' });
    const { code, report } = await json(['check', '-n', 'shop']);
    expect(code).not.toBe(2);
    expect(report.checks.find((c: { id: string }) => c.id === 'dataplane').status).toBe('passed');
    expect(report.findings.filter((f: F) => f.check === 'dataplane')).toEqual([]);
    const skipped = report.findings.filter((f: F) => f.code === 'KD6006' && /dataplane:/.test(f.message)).map((f: F) => f.message);
    expect(skipped.sort()).toEqual([
      "list daemonsets.apps in namespace kube-system: not allowed; not checked: dataplane: the enforcer's DaemonSet (KD6021 where no enforcer pod runs, and nodes its DaemonSet does not want)",
      'list nodes at cluster scope: not allowed; not checked: dataplane: the per-node data plane (KD6020 kube-proxy and KD6021 NetworkPolicy enforcer on each node)',
      'list pods in namespace kube-system: not allowed; not checked: dataplane: kube-proxy, the NetworkPolicy enforcer and CoreDNS on each node (KD6020, KD6021)',
    ]);
    expect(report.dataplane.skipped).toEqual(
      expect.arrayContaining(['nodes: forbidden', 'pods in kube-system: forbidden', 'DaemonSets in kube-system: forbidden']),
    );
  });
});
