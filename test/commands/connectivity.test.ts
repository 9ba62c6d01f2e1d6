import { describe, expect, it } from '@jest/globals';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';
import { kdiag, kdiagBinary } from '../support/run.js';
import { fakeProbe } from '../probes/fake-probe.js';

const scenario = loadFixture('probe-scenario.yaml');

// What curl printed in the probe pod (format of CURL_SCRIPT; see probe-curl-mixed.txt for a recording).
const LOG = [
  'KDIAGNONCE result 0 0 200 10.96.10.1 80 0.004 0.005 0.000000 0.009 0.010 ',
  'KDIAGNONCE body 0 {"name":"api-server","pod":"api-server-7d9f-a","ip":"10.244.0.11","port":"8080","path":"/health"} ',
  'KDIAGNONCE result 1 28 000 10.96.10.5 5432 0.002 0.003 0.000000 0.000000 5.001 Operation timed out after 5001 milliseconds with 0 bytes received',
  'KDIAGNONCE result 2 28 000  0 0.003 0.000000 0.000000 0.000000 5.002 Failed to connect to empty-service.production.svc.cluster.local port 80 after 5002 ms: Timeout was reached',
  'KDIAGNONCE body 2 ',
  'KDIAGNONCE done 3',
].join('\n');

describe('kdiag connectivity (against a fake API)', () => {
  it('tests several targets from one pod: HTTP with timings, TCP connect, and explains the failure', async () => {
    const probe = fakeProbe('production', { log: LOG });
    fakeApi(scenario);
    const { stdout, code } = await kdiag([
      'connectivity',
      'api-service',
      'postgres',
      'empty-service',
      '--path',
      '/health',
      '-n',
      'production',
      '--kubeconfig',
      testKubeconfig(),
    ]);
    expect(code).toBe(1);
    const job = probe.jobs[0] as { metadata: { name: string }; spec: { template: { spec: { containers: { command: string[]; image: string }[] } } } };
    expect(job.metadata.name).toMatch(/^kdiag-conn-[0-9a-f]{6}$/);
    expect(job.spec.template.spec.containers[0]!.image).toBe('curlimages/curl:8.11.1');
    expect(job.spec.template.spec.containers[0]!.command.slice(5)).toEqual([
      '5',
      '2',
      'http',
      'http://api-service.production.svc.cluster.local/health',
      'tcp',
      'telnet://postgres.production.svc.cluster.local:5432',
      'http',
      'http://empty-service.production.svc.cluster.local/health',
      // Differential probing: each Service's ClusterIP by address and its ready endpoints by pod IP, then kube-proxy's health on the node.
      'http',
      'http://10.96.10.1:80/health',
      'http',
      'http://10.244.0.11:8080/health',
      'tcp',
      'telnet://10.96.10.5:5432',
      'tcp',
      'telnet://10.244.0.30:5432',
      'http',
      'http://10.96.10.9:80/health',
      'node',
      '10256/healthz',
    ]);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^Probe: pod kdiag-conn-[0-9a-f]{6}-x7k2p in namespace production on node kdiag-node \(curlimages\/curl:8\.11\.1\), \d+\.\ds$/);
    expect(lines.find((l) => l.startsWith('TARGET'))).toMatch(/^TARGET\s+MODE\s+STATUS\s+DNS\s+CONNECT\s+TLS\s+FIRST BYTE\s+TOTAL\s+DETAIL$/);
    expect(lines.find((l) => l.startsWith('api-service'))).toMatch(
      /^api-service\s+HTTP\s+HTTP 200\s+4ms\s+1ms\s+4ms\s+10ms\s+answered by api-server-7d9f-a 10\.244\.0\.11$/,
    );
    expect(lines.find((l) => l.startsWith('postgres'))).toMatch(/^postgres\s+TCP\s+CONNECTED\s+2ms\s+1ms\s+3ms\s*$/);
    expect(lines.find((l) => l.startsWith('empty-service'))).toMatch(/^empty-service\s+HTTP\s+TIMEOUT\s+3ms\s+5\.00s\s+Failed to connect/);
    expect(stdout).toContain(
      'ERROR   KD5032  Service production/empty-service: http://empty-service.production.svc.cluster.local/health failed (TIMEOUT): the Service has no ready endpoints (selector app=nothing-here matches no pod)',
    );
    expect(probe.deleted.filter((d) => d.startsWith('job/'))).toEqual([`job/${job.metadata.name}`]);
  });

  it('JSON: the report carries each target with its timings', async () => {
    fakeProbe('production', { log: LOG });
    fakeApi(scenario);
    const { stdout } = await kdiag([
      'connectivity',
      'api-service',
      'postgres',
      'empty-service',
      '--path',
      '/health',
      '-n',
      'production',
      '-o',
      'json',
      '--kubeconfig',
      testKubeconfig(),
    ]);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      apiVersion: 'kdiag/v1',
      kind: 'ConnectivityReport',
      namespace: 'production',
      probe: { namespace: 'production', image: 'curlimages/curl:8.11.1', kept: false },
    });
    expect(report.targets[0]).toMatchObject({
      target: 'api-service',
      mode: 'http',
      status: 'HTTP 200',
      httpCode: 200,
      remoteIp: '10.96.10.1',
      timings: { dnsMs: 4, connectMs: 1, tlsMs: 0, firstByteMs: 4, totalMs: 10 },
    });
    // The recorded answers say api-service and postgres connected although the fixture's policies deny
    // this probe: prediction and observation disagree, so kdiag says the policies are not enforced.
    expect(report.findings.map((f: { code: string }) => f.code)).toEqual(['KD5032', 'KD5045', 'KD5045']);
  });

  it('an unknown Service is reported without starting a pod when it is the only target', async () => {
    const probe = fakeProbe('production', {});
    fakeApi(scenario);
    const { stdout, code } = await kdiag(['connectivity', 'api-servise', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    expect(stdout).toContain('KD5038  Service production/api-servise: no Service api-servise in namespace production (similar: api-service)');
    expect(probe.jobs).toEqual([]);
  });

  it('--from NS/POD runs in its namespace with its labels, a controller owner and a readiness probe that never passes', async () => {
    const probe = fakeProbe('production', { log: LOG.split('\n').slice(0, 2).join('\n') });
    fakeApi(scenario);
    const { code, stdout } = await kdiag([
      'connectivity',
      'api-service',
      '--from',
      'production/api-server-7d9f-a',
      '-n',
      'production',
      '--kubeconfig',
      testKubeconfig(),
    ]);
    // api-server-policy admits only ingress-nginx, yet the recorded answer is HTTP 200: not enforced.
    expect(code).toBe(1);
    expect(stdout).toContain(
      'KD5045  Service production/api-service: predicted deny, observed connect: NetworkPolicy production/api-server-policy, production/default-deny-ingress not enforced on this path',
    );
    const job = probe.jobs[0] as { spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { readinessProbe?: unknown }[] } } } };
    expect(job.spec.template.metadata.labels).toMatchObject({ app: 'api-server', 'app.kubernetes.io/managed-by': 'kdiag' });
    expect(job.spec.template.metadata.labels).not.toHaveProperty('pod-template-hash');
    expect(job.spec.template.spec.containers[0]!.readinessProbe).toEqual({ exec: { command: ['false'] }, periodSeconds: 3600, failureThreshold: 1 });
  });

  it.each([
    [['connectivity', 'api:0'], 'from 1 to 65535'],
    [['connectivity', 'api:65536'], 'from 1 to 65535'],
    [['connectivity', 'api', '--port', 'abc'], 'invalid --port'],
    [['connectivity', 'ftp://api/x'], 'only http:// and https://'],
    [['connectivity', 'api', '--hairpin'], '--hairpin needs --from'],
    [['connectivity', 'api', '--path', 'health'], "must start with '/'"],
    [['connectivity', '$(id)'], 'invalid target host'],
    [['connectivity', 'a`id`'], 'invalid target host'],
  ])('%j exits 2 before contacting the cluster', async (args, message) => {
    const api = fakeApi(scenario);
    const { stderr, code } = await kdiag([...args, '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(api.requests).toEqual([]);
  });

  it('the real binary refuses a target with spaces and shell metacharacters', async () => {
    const { stderr, code } = await kdiagBinary(['connectivity', 'api;rm -rf /', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('kdiag: invalid target "api;rm -rf /": it contains spaces or control characters');
  });
});
