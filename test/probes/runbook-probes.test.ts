// kdiag check --probes against a fake API: the probe pod's log is explained as kdiag
// connectivity explains it (analyzeCurlProbe), so a Service whose every endpoint is silent
// although kdiag predicts allow is probed again from an unrestricted source (KD5046), and that
// second pod is counted and deleted like the first.
import { describe, expect, it } from '@jest/globals';
import { ClusterClient } from '../../src/cluster/client.js';
import { probeNamespaces } from '../../src/engine/runbook.js';
import type { ProbeSettings } from '../../src/engine/probe-cli.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { cartCluster } from '../support/cart.js';
import { fixtureSnapshot, type K8sObject } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';
import { fakeProbe } from './fake-probe.js';

const NS = 'shop';

const cluster = (): K8sObject[] => cartCluster({ namespace: NS, portName: 'http' });

const TIMEOUT = '28 000  0 0.001 0 0 0 5.0 Failed to connect after 5001 ms: Timeout was reached';
const OK = '0 200 10.244.0.10 8080 0.001 0.002 0 0.003 0.004 ';

/** A curl log over the script's MODE URL pairs: `outcome` for each, kube-proxy's health refused. */
function curlLog(args: readonly string[], outcome: string): string {
  const pairs = args.slice(3);
  const lines: string[] = [];
  for (let i = 0; i < pairs.length / 2; i++) lines.push(`KDIAGNONCE result ${i} ${pairs[2 * i] === 'node' ? '7 000  0 0 0 0 0 0.002 refused' : outcome}`);
  return [...lines, `KDIAGNONCE done ${lines.length}`].join('\n');
}

const SETTINGS: ProbeSettings = { timeoutMs: 60_000, keep: false, clusterDomain: 'cluster.local', settleSeconds: 0 };
/** The runbook probe standing in for a client workload (what kdiag connectivity --from-labels does). */
const AS_CLIENT: ProbeSettings = { ...SETTINGS, fromNamespace: NS, fromLabels: { app: 'client' } };

/** check --probes of namespace shop: the first pod's every curl times out; the second pod's answer with `second`. */
async function runbook(settings: ProbeSettings, second: string, concurrency = 1) {
  const objects = cluster();
  const probe = fakeProbe(NS, { log: (job, args) => curlLog(args, job === 0 ? TIMEOUT : second) });
  fakeApi(objects);
  const client = new ClusterClient({ kubeconfig: testKubeconfig() });
  const notes: string[] = [];
  const result = await probeNamespaces(client, fixtureSnapshot(objects), [NS], { settings, concurrency, note: (l) => notes.push(l) });
  return { result, probe, notes };
}

type Job = {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { template: { metadata: { labels: Record<string, string> } } };
};

describe('check --probes: predicted allow, observed timeout', () => {
  it('the endpoints answer an unlabelled probe pod: KD5046 replaces KD5042, and the second pod is counted and deleted', async () => {
    const { result, probe, notes } = await runbook(AS_CLIENT, OK);
    expect(result.findings.map((f) => f.code)).toEqual(['KD5046']);
    expect(result.findings[0]!.object).toEqual({ kind: 'Service', namespace: NS, name: 'cart' });
    expect(result.findings[0]!.message).toMatch(
      /^cart: predicted allow, observed timeout from the probe in shop with labels app=client, while 2 of 2 endpoint\(s\) answer an unlabelled probe pod in namespace shop \(without the workload's labels\)/,
    );
    const jobs = probe.jobs as Job[];
    expect(jobs).toHaveLength(2);
    // The first pod as the workload, the second with kdiag's own labels only; both say which command started them.
    expect(jobs[0]!.spec.template.metadata.labels.app).toBe('client');
    expect(jobs[1]!.spec.template.metadata.labels.app).toBeUndefined();
    expect(jobs.map((j) => j.metadata.annotations['kdiag.dev/command'])).toEqual([
      'kdiag check --probes -n shop',
      'kdiag check --probes -n shop (unrestricted source)',
    ]);
    // Both Jobs deleted; the second started after the first one's deletion: one slot, two pods.
    expect(probe.deleted.filter((d) => d.startsWith('job/'))).toEqual(jobs.map((j) => `job/${j.metadata.name}`));
    const order = probe.requests.filter((r) => r.includes(`/apis/batch/v1/namespaces/${NS}/jobs`));
    expect(order.map((r) => r.split(' ')[0])).toEqual(['POST', 'DELETE', 'POST', 'DELETE']);
    expect(result).toMatchObject({ pods: 2, maxAlive: 1, targets: 1 });
    expect(notes).toEqual([
      expect.stringMatching(/^probe shop: 1 Service\(s\), 1 failing \(\d+\.\ds\); tried again from an unlabelled probe pod in namespace shop/),
    ]);
  });

  it('the unrestricted source times out too: the pod network (KD5042) stays; still two pods, one at a time', async () => {
    const { result, probe } = await runbook(AS_CLIENT, TIMEOUT);
    expect(result.findings.map((f) => f.code)).toEqual(['KD5042']);
    expect(probe.jobs).toHaveLength(2);
    expect(probe.deleted.filter((d) => d.startsWith('job/'))).toHaveLength(2);
    expect(result).toMatchObject({ pods: 2, maxAlive: 1 });
  });

  it('the default runbook probe (unlabelled in the Services own namespace) has no unrestricted twin: one pod, KD5042', async () => {
    const { result, probe } = await runbook(SETTINGS, OK);
    expect(result.findings.map((f) => f.code)).toEqual(['KD5042']);
    expect(probe.jobs).toHaveLength(1);
    expect(result).toMatchObject({ pods: 1, maxAlive: 1 });
  });
});

describe('kdiag check --probes --from-labels (against a fake API)', () => {
  it('each namespace probe as the labelled client: KD5046 in the JSON report, two probe pods, at most one at once', async () => {
    const probe = fakeProbe(NS, { log: (job, args) => curlLog(args, job === 0 ? TIMEOUT : OK) });
    fakeApi(cluster());
    const { stdout, stderr, code } = await kdiag([
      'check',
      '-n',
      NS,
      '--probes',
      '--only',
      'endpoints',
      '--from-labels',
      'app=client',
      '--settle',
      '0s',
      '-o',
      'json',
      '--kubeconfig',
      testKubeconfig(),
    ]);
    if (code !== 1) throw new Error(`exit ${code}\n${stderr}\n${stdout}`);
    const report = JSON.parse(stdout) as { findings: { code: string; object: unknown }[]; probes: { pods: number; maxAlive: number } };
    expect(report.findings.filter((f) => f.code.startsWith('KD50')).map((f) => f.code)).toEqual(['KD5046']);
    expect(report.probes).toMatchObject({ pods: 2, maxAlive: 1 });
    expect((probe.jobs as Job[]).map((j) => j.spec.template.metadata.labels.app)).toEqual(['client', undefined]);
  });

  it('an invalid --from-labels is a usage error before anything is sent', async () => {
    const { code, stderr } = await kdiag(['check', '-n', NS, '--probes', '--from-labels', 'bad!key=x', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr).toContain('--from-labels');
  });

  it('--from-labels without --probes is a usage error, not ignored', async () => {
    const { code, stderr } = await kdiag(['check', '-n', NS, '--from-labels', 'app=client', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--from-labels labels the probe pods: it needs --probes/);
  });
});
