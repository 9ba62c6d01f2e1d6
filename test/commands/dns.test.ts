import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';
import { kdiag, kdiagBinary, ROOT } from '../support/run.js';
import { fakeProbe } from '../probes/fake-probe.js';

// CoreDNS's own RBAC as kubeadm installs it: the in-depth DNS check reads it.
const scenario = [
  ...loadFixture('probe-scenario.yaml'),
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'system:coredns' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
    subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:coredns' },
    rules: [
      { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  },
];
const recorded = (name: string) => readFileSync(join(ROOT, 'test', 'fixtures', name), 'utf8').replaceAll('n0nce123', 'NONCE');

describe('kdiag dns (against a fake API)', () => {
  it('resolves a Service three ways, compares with its ClusterIP, and deletes the probe', async () => {
    const probe = fakeProbe('production', { log: recorded('probe-dns-service.txt').replaceAll('10.96.12.34', '10.96.10.1') });
    fakeApi(scenario);
    const { stdout, stderr, code } = await kdiag(['dns', 'api-service', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(stderr).toContain('kdiag: probe: running the probe');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('Name:      api-service (Service production/api-service)');
    expect(lines[1]).toBe('Expected:  the ClusterIP of Service production/api-service (10.96.10.1)');
    expect(lines.find((l) => l.startsWith('QUERY'))).toMatch(/^QUERY\s+STATUS\s+ANSWER\s+MATCH\s+TIME\s+TRIED$/);
    expect(lines.find((l) => l.startsWith('api-service.production '))).toMatch(/^api-service\.production\s+OK\s+10\.96\.10\.1\s+yes\s+\d+ms\s+2$/);
    expect(stdout).toContain('  options ndots:5');
    expect(stdout).toContain('Cluster DNS: 1/1 pod(s) Ready (coredns-6bd7-a), Service kube-system/kube-dns (10.96.0.10), 1 ready endpoint(s)');
    // The Job: safe spec, targets as arguments; then deleted with its pod.
    const job = probe.jobs[0] as { metadata: { name: string }; spec: { template: { spec: { containers: { command: string[] }[] } } } };
    expect(job.metadata.name).toMatch(/^kdiag-dns-[0-9a-f]{6}$/);
    // Per-attempt timeout 3 s; --settle auto: 0, as no policy selects the probe for egress and kube-system has none.
    expect(job.spec.template.spec.containers[0]!.command.slice(5)).toEqual([
      '3',
      '0',
      'api-service',
      'api-service.production',
      'api-service.production.svc.cluster.local.',
      // Then the DNS Service and each Ready CoreDNS pod, asked directly.
      '--direct',
      '10.96.0.10',
      'kubernetes.default.svc.cluster.local.',
      '10.244.0.2',
      'kubernetes.default.svc.cluster.local.',
    ]);
    expect(probe.dryRuns).toHaveLength(1);
    expect(probe.deleted.sort()).toEqual([`job/${job.metadata.name}`, `pod/${job.metadata.name}-x7k2p`]);
    expect(probe.requests.some((r) => r.includes('watch=true'))).toBe(true);
  });

  it('has the result as soon as the script printed its last line, before the kubelet reports the exit', async () => {
    const log = `${recorded('probe-dns-service.txt').replaceAll('10.96.12.34', '10.96.10.1')}KDIAGNONCE done 3\n`;
    const probe = fakeProbe('production', { log, stayRunning: true });
    fakeApi(scenario);
    const { stdout, code } = await kdiag(['dns', 'api-service', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.lookups.map((l: { status: string }) => l.status)).toEqual(['OK', 'OK', 'OK']);
    expect(report.probe.exitCode).toBe(0);
    // The pod never reported Succeeded: the log did, and the probe was deleted as usual.
    expect(probe.requests.filter((r) => r.includes('/log')).length).toBeGreaterThanOrEqual(1);
    expect(probe.deleted).toHaveLength(2);
  });

  it('.kdiag.yaml thresholds.dnsTimeoutSeconds sets the per-attempt timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdiag-dns-'));
    writeFileSync(join(dir, 'kdiag.yaml'), 'thresholds:\n  dnsTimeoutSeconds: 7\n');
    const probe = fakeProbe('production', { log: recorded('probe-dns-service.txt').replaceAll('10.96.12.34', '10.96.10.1') });
    fakeApi(scenario);
    const { code } = await kdiag(['dns', 'api-service', '-n', 'production', '--config', join(dir, 'kdiag.yaml'), '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    const job = probe.jobs[0] as { spec: { template: { spec: { containers: { command: string[] }[] } } } };
    expect(job.spec.template.spec.containers[0]!.command[5]).toBe('7');
  });

  it('explains NXDOMAIN with similar Service names, as JSON, exit 1', async () => {
    fakeProbe('production', { log: recorded('probe-dns-nxdomain.txt').replaceAll('nosuch', 'api-servce') });
    fakeApi(scenario);
    const { stdout, code } = await kdiag(['dns', 'api-servce', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ apiVersion: 'kdiag/v1', kind: 'DnsReport', name: 'api-servce', resolvConf: { ndots: 5, nameservers: ['10.96.0.10'] } });
    expect(report.findings.map((f: { code: string }) => f.code)).toEqual(['KD5001']);
    expect(report.findings[0].cause).toContain('Services with a similar name in production: api-service');
    expect(report.lookups.map((l: { status: string }) => l.status)).toEqual(['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN']);
  });

  it('without permission for the Corefile, CoreDNS RBAC and NodeLocal DNSCache: one skipped line each, no guess', async () => {
    fakeProbe('production', { log: recorded('probe-dns-service.txt').replaceAll('10.96.12.34', '10.96.10.1') });
    fakeApi(scenario, { forbidden: ['configmaps', 'clusterrolebindings', 'daemonsets'] });
    const { stdout, code } = await kdiag(['dns', 'api-service', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.skipped).toEqual([
      'the Corefile (ConfigMap coredns): zone, forward loop, cache',
      'NodeLocal DNSCache (DaemonSet node-local-dns)',
      "CoreDNS's ClusterRole (list/watch on endpointslices, services, namespaces)",
    ]);
    const codes = report.findings.map((f: { code: string }) => f.code);
    expect(codes.filter((c: string) => c !== 'KD6006')).toEqual([]);
    expect(report.findings.map((f: { message: string }) => f.message)).toEqual([
      'get configmaps in namespace kube-system: not allowed; not checked: dns: the Corefile (ConfigMap coredns): zone, forward loop, cache',
      'list daemonsets.apps in namespace kube-system: not allowed; not checked: dns: NodeLocal DNSCache (DaemonSet node-local-dns)',
      "list clusterrolebindings.rbac.authorization.k8s.io at cluster scope: not allowed; not checked: dns: CoreDNS's ClusterRole (list/watch on endpointslices, services, namespaces)",
    ]);
  });

  it('a headless Service and a StatefulSet pod name match the pod IPs', async () => {
    fakeProbe('production', { log: recorded('probe-dns-statefulset-pod.txt') });
    fakeApi(scenario);
    const { stdout, code } = await kdiag(['dns', 'redis-0.redis-headless', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.subject).toEqual({ kind: 'pod', hostname: 'redis-0', service: 'redis-headless', namespace: 'production' });
    expect(report.lookups.map((l: { matches: boolean }) => l.matches)).toEqual([true, true, true]);
  });

  it('fails fast on a Pod Security rejection of the dry run, creating nothing', async () => {
    const probe = fakeProbe('production', {
      dryRun: { status: 403, message: 'pods "kdiag-dns-abc" is forbidden: violates PodSecurity "restricted:latest": seccompProfile' },
    });
    fakeApi(scenario);
    const { stderr, code } = await kdiag(['dns', 'api-service', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'kdiag: the probe pod was rejected in namespace production by Pod Security admission: pods "kdiag-dns-abc" is forbidden: violates PodSecurity',
    );
    expect(probe.jobs).toEqual([]);
  });

  it('names the missing permission when pods cannot be created (RBAC 403)', async () => {
    fakeProbe('production', {
      dryRun: { status: 403, message: 'pods is forbidden: User "test" cannot create resource "pods" in API group "" in the namespace "production"' },
    });
    fakeApi(scenario);
    const { stderr, code } = await kdiag(['dns', 'api-service', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n').pop()).toBe(
      'kdiag: you lack `create` on `pods` in namespace production (403 Forbidden): ask for a Role granting it, see deploy/rbac.yaml',
    );
  });

  it('fails fast on an image pull error naming the image and --image, and deletes the Job', async () => {
    const probe = fakeProbe('production', { waiting: { reason: 'ErrImagePull', message: 'failed to resolve reference "mirror.invalid/busybox:1.36"' } });
    fakeApi(scenario);
    const { stderr, code } = await kdiag([
      'dns',
      'api-service',
      '-n',
      'production',
      '--image',
      'mirror.invalid/busybox:1.36',
      '--kubeconfig',
      testKubeconfig(),
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('kdiag: the probe image mirror.invalid/busybox:1.36 cannot be pulled on node kdiag-node (ErrImagePull');
    expect(stderr).toContain('use --image');
    expect(probe.deleted.some((d) => d.startsWith('job/'))).toBe(true);
  });

  it('an image without nslookup: exit 2 naming the image', async () => {
    const probe = fakeProbe('production', {
      log: 'KDIAGNONCE resolv.conf\nnameserver 10.96.0.10\nKDIAGNONCE lookup 0 api-service\nKDIAGNONCE try api-service.production.svc.cluster.local.\nsh: nslookup: not found\nKDIAGNONCE tried rc=127 ms=0 res=1\nKDIAGNONCE end 0\n',
    });
    fakeApi(scenario);
    const { stderr, code } = await kdiag(['dns', 'api-service', '-n', 'production', '--image', 'alpine:3.20', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr).toContain('kdiag: the probe image alpine:3.20 did not run nslookup (sh: nslookup: not found): use an image with busybox nslookup (--image)');
    expect(probe.deleted.some((d) => d.startsWith('job/'))).toBe(true);
  });

  it.each([
    [['dns', 'api;id'], 'invalid name'],
    [['dns', '$(id)'], 'invalid name'],
    [['dns', 'api', '--timeout', 'abc'], 'invalid --timeout'],
    [['dns', 'api', '--image', 'busybox;id'], 'invalid --image'],
    [['dns', 'api', '--node-selector', 'a'], 'invalid --node-selector'],
    [['dns', 'api', '--from', 'nopod'], 'invalid --from'],
  ])('%j exits 2 before contacting the cluster', async (args, message) => {
    const api = fakeApi(scenario);
    const { stderr, code } = await kdiag([...args, '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(api.requests).toEqual([]);
  });

  it('the real binary refuses shell metacharacters with one sentence', async () => {
    const { stderr, code } = await kdiagBinary(['dns', 'api;rm -rf /', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      "kdiag: invalid name \"api;rm -rf /\": must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)",
    );
  });
});
