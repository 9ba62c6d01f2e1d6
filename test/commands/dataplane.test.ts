// kdiag dataplane against a fake API: per node, the service proxy, the enforcer and CoreDNS.
import { describe, expect, it } from '@jest/globals';
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
const objects: K8sObject[] = [
  node('n1'),
  node('n2'),
  pod('kube-proxy-a', 'n1', { 'k8s-app': 'kube-proxy' }),
  pod('kube-proxy-b', 'n2', { 'k8s-app': 'kube-proxy' }, false),
  pod('calico-node-a', 'n1', { 'k8s-app': 'calico-node' }),
  pod('coredns-1', 'n1', { 'k8s-app': 'kube-dns' }),
  // The old replica of a restart, still Ready while it shuts down: not listed.
  (() => {
    const old = pod('coredns-old', 'n1', { 'k8s-app': 'kube-dns' });
    return { ...old, metadata: { ...old.metadata, name: 'coredns-old', deletionTimestamp: '2026-12-07T12:00:00Z' } };
  })(),
  {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'calico-node', namespace: 'kube-system' },
    spec: { template: { spec: {} } },
    status: { desiredNumberScheduled: 2, numberReady: 1 },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kube-proxy', namespace: 'kube-system' },
    data: { 'config.conf': 'kind: KubeProxyConfiguration\nmode: ipvs\n' },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny', namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  },
];

describe('kdiag dataplane', () => {
  it('one row per node (a CoreDNS replica being deleted left out); kube-proxy not Ready and the enforcer missing on n2 are findings', async () => {
    fakeApi(objects);
    const { stdout, code } = await kdiag(['dataplane', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.nodes).toEqual([
      {
        node: 'n1',
        ready: true,
        serviceProxy: 'kube-proxy kube-system/kube-proxy-a: Running, Ready, 0 restart(s)',
        mode: 'ipvs',
        enforcer: 'Calico kube-system/calico-node-a: Running, Ready, 0 restart(s)',
        coredns: ['coredns-1 (Ready, 0 restarts)'],
      },
      {
        node: 'n2',
        ready: true,
        serviceProxy: 'kube-proxy kube-system/kube-proxy-b: Running, not Ready, 7 restart(s)',
        mode: 'ipvs',
        enforcer: 'Calico: missing',
        coredns: [],
      },
    ]);
    expect(report.findings.map((f: { code: string; message: string }) => `${f.code} ${f.message}`)).toEqual([
      'KD6020 n2: kube-proxy pod kube-proxy-b is not Ready, while other nodes have one',
      'KD6021 n2: NetworkPolicies are not enforced here: no Calico agent runs on node n2; its DaemonSet kube-system/calico-node wants 2 pod(s), 1 Ready',
    ]);
  });

  it('kube-proxy as a host process and a Ready enforcer: no finding; what RBAC refuses is skipped and said', async () => {
    fakeApi([node('n1'), pod('kube-router-x', 'n1', { 'k8s-app': 'kube-router' }, true, ['--run-firewall=true', '--run-service-proxy=false'])], {
      forbidden: ['networkpolicies', 'configmaps'],
    });
    const { stdout, code } = await kdiag(['dataplane', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^n1\s+yes\s+kube-proxy: not a pod \(host process\?\)\s+-\s+kube-router kube-system\/kube-router-x: Running, Ready, 0 restart\(s\)\s+-$/m,
    );
    expect(stdout).toContain('Skipped (no permission or not found): ConfigMap kube-system/kube-proxy: forbidden; NetworkPolicies: forbidden');
  });

  it('a node its DaemonSet does not want (a taint, or the controller placed every pod it wants elsewhere) is not a fault; a nodeSelector that excludes it is', async () => {
    const tainted: K8sObject = { ...node('virtual'), spec: { taints: [{ key: 'virtual', value: 'yes', effect: 'NoSchedule' }] } };
    const ds = (nodeSelector?: Record<string, string>, desired = 1): K8sObject => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-router', namespace: 'kube-system' },
      spec: { template: { spec: nodeSelector ? { nodeSelector } : {} } },
      status: { desiredNumberScheduled: desired, numberReady: desired },
    });
    const router = pod('kube-router-x', 'n1', { 'k8s-app': 'kube-router' });
    fakeApi([node('n1'), tainted, node('n3'), router, ds()]);
    const healthy = JSON.parse((await kdiag(['dataplane', '-o', 'json', '--kubeconfig', testKubeconfig()])).stdout);
    expect(healthy.findings).toEqual([]);
    expect(healthy.nodes.map((n: { enforcer: string }) => n.enforcer)).toEqual([
      'kube-router kube-system/kube-router-x: Running, Ready, 0 restart(s)',
      'kube-router: not wanted (not scheduled there by DaemonSet kube-router)',
      'kube-router: not wanted (taint virtual=yes:NoSchedule)',
    ]);
    fakeApi([
      node('n1'),
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'kube-router', namespace: 'kube-system' },
        spec: { template: { spec: { nodeSelector: { off: 'true' } } } },
        status: { desiredNumberScheduled: 0, numberReady: 0 },
      },
    ]);
    const off = JSON.parse((await kdiag(['dataplane', '-o', 'json', '--kubeconfig', testKubeconfig()])).stdout);
    expect(off.findings.map((f: { message: string }) => f.message)).toEqual([
      'n1: NetworkPolicies are not enforced here: no kube-router agent runs on node n1; its DaemonSet kube-system/kube-router wants 0 pod(s), 0 Ready, nodeSelector off=true: its nodeSelector does not match node n1',
    ]);
  });
});
