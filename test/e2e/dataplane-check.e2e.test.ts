// The data-plane section of kdiag check on the real cluster, through the real binary: the
// same findings and rows as kdiag dataplane for the same scope, none on the healthy scenario,
// and the NetworkPolicy enforcer stopped shows in both (cluster/faults/enforcer-stopped.sh).
// Then predicted allow, observed timeout (KD5046): the endpoints answer an unrestricted source
// but not the probe standing in for a workload (cluster/faults/source-drop.sh), for kdiag
// connectivity --from-labels and kdiag check --probes --from-labels alike.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, apply, backendManifest, deleteNamespace, kubectlJson, runKdiag, waitForRollout, waitForServiceAnswers } from './support/cluster.js';

const RUN = Math.random().toString(36).slice(2, 7);
const NS = `dpc-${RUN}`;

interface Finding {
  code: string;
  check: string;
  object: { kind: string; namespace?: string; name: string };
  message: string;
  cause: string;
  fix: string;
}

function fault(script: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('bash', [join(REPO_ROOT, 'cluster', 'faults', script), ...args], { timeout: 180_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

async function json(args: string[]) {
  const r = await runKdiag([...args, '-o', 'json']);
  if (!r.stdout.trim().startsWith('{')) throw new Error(`kdiag ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout);
}

afterAll(async () => {
  await fault('enforcer-stopped.sh', 'undo');
  await fault('source-drop.sh', 'undo');
  await deleteNamespace(NS);
}, 200_000);

describe('kdiag check: the data plane per node', () => {
  it('healthy: check -n production and check -A give no data-plane finding; rows equal kdiag dataplane', async () => {
    for (const scope of [['-n', 'production'], ['-A']]) {
      const [check, dataplane] = await Promise.all([json(['check', ...scope]), json(['dataplane', ...scope])]);
      expect(check.checks.find((c: { id: string }) => c.id === 'dataplane')).toMatchObject({ status: 'passed', errors: 0, warnings: 0 });
      expect(check.findings.filter((f: Finding) => f.check === 'dataplane')).toEqual([]);
      expect(dataplane.findings).toEqual([]);
      expect(check.dataplane.nodes).toEqual(dataplane.nodes);
      // The local cluster: kube-proxy as a host process, kube-router enforcing, CoreDNS Ready on the node.
      expect(check.dataplane.nodes[0]).toMatchObject({
        ready: true,
        serviceProxy: 'kube-proxy: not a pod (host process?)',
        enforcer: expect.stringMatching(/^kube-router kube-system\/kube-router-\S+: Running, Ready/),
        coredns: [expect.stringMatching(/^coredns-\S+ \(Ready, \d+ restarts\)$/)],
      });
    }
    const table = await runKdiag(['check', '-n', 'production']);
    expect(table.stdout).toMatch(/^dataplane\s+passed\s+0\s+0\s+\d+\.\d\ds$/m);
    expect(table.stdout).toContain('DATA PLANE (per node; the same as kdiag dataplane)');
  }, 180_000);

  it('enforcer stopped: kdiag check and kdiag dataplane give the same KD6021 findings', async () => {
    let check: { findings: Finding[] };
    let dataplane: { findings: Finding[] };
    try {
      const injected = await fault('enforcer-stopped.sh', 'inject');
      expect(injected.code).toBe(0);
      [check, dataplane] = await Promise.all([json(['check', '-n', 'production', '--only', 'dataplane']), json(['dataplane', '-n', 'production'])]);
    } finally {
      await fault('enforcer-stopped.sh', 'undo');
    }
    expect([...new Set(dataplane.findings.map((f) => f.code))]).toEqual(['KD6021']);
    expect(check.findings.filter((f) => f.check === 'dataplane')).toEqual(dataplane.findings);
  }, 240_000);
});

describe('predicted allow, observed timeout: a policy kdiag cannot evaluate (KD5046)', () => {
  beforeAll(async () => {
    await apply(`apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
${backendManifest({ namespace: NS, name: 'web', replicas: 2 })}`);
    await waitForRollout(NS, 'deployment/web');
    await waitForServiceAnswers(NS, 'web');
  }, 200_000);

  const probe = () => json(['connectivity', 'web', '-n', NS, '--from-namespace', NS, '--from-labels', 'app=client', '--settle', '3s']);
  const check = () => json(['check', '-n', NS, '--probes', '--only', 'endpoints', '--from-labels', 'app=client', '--settle', '3s']);
  const webPodIPs = async () =>
    (await kubectlJson<{ items: { status: { podIP: string } }[] }>(['-n', NS, 'get', 'pods', '-l', 'app=web', '-o', 'json'])).items.map((p) => p.status.podIP);

  it('healthy first: no NetworkPolicy, the probe as app=client reaches web: no finding', async () => {
    const report = await probe();
    expect(report.findings).toEqual([]);
    expect(report.unrestricted).toBeUndefined();
    const checked = await check();
    expect(checked.findings).toEqual([]);
    expect(checked.probes).toMatchObject({ pods: 1, maxAlive: 1 });
  }, 120_000);

  /**
   * Runs `run` while a raw-table DROP, in this machine's cluster only, drops packets from the pods
   * labelled app=client to the web pods: the stand-in for "a policy kdiag cannot evaluate". A probe
   * pod without that label still gets through, as it would past a CNI-native policy that selects
   * app=client. Undone also when `run` fails.
   */
  async function whileClientDropped<T>(run: () => Promise<T>): Promise<T> {
    try {
      const injected = await fault('source-drop.sh', 'inject', NS, 'app=client', ...(await webPodIPs()));
      expect(injected.code).toBe(0);
      return await run();
    } finally {
      await fault('source-drop.sh', 'undo');
    }
  }

  /** Exactly KD5046 for web: the app=client probe timed out, an unlabelled pod got through, and no policy kind kdiag cannot evaluate exists here. */
  function expectUnevaluatedPolicy(findings: Finding[]): Finding {
    expect(findings.map((f) => f.code)).toEqual(['KD5046']);
    const f = findings[0]!;
    expect(f.object).toEqual({ kind: 'Service', namespace: NS, name: 'web' });
    expect(f.message).toMatch(
      new RegExp(
        `^web: predicted allow, observed timeout from the probe in ${NS} with labels app=client, while 2 of 2 endpoint\\(s\\) answer an unlabelled probe pod in namespace ${NS}`,
      ),
    );
    // No Cilium or Calico here: kdiag says none were found and suspects a firewall rule.
    expect(f.message).toContain('(none found: suspect a firewall rule)');
    return f;
  }

  it('packets from the app=client probe dropped by a rule kdiag cannot see: KD5046 naming what it found, not the pod network', async () => {
    const report: { findings: Finding[]; unrestricted?: { source: string; namespace: string; direct: { pod?: string; outcome: string }[] } } =
      await whileClientDropped(probe);
    const f = expectUnevaluatedPolicy(report.findings);
    expect(f.cause).toContain('No policy kinds that kdiag cannot evaluate were found');
    expect(f.fix).toContain('iptables-save');
    expect(report.unrestricted!.namespace).toBe(NS);
    expect(report.unrestricted!.direct.map((d) => d.outcome).sort()).toEqual(['ok', 'ok']);
  }, 240_000);

  it("kdiag check --probes --from-labels app=client in the same situation: KD5046 too, the second pod in the first one's slot, none left behind", async () => {
    const report: { findings: Finding[]; probes: { pods: number; maxAlive: number; results: { target: string; outcome: string }[] } } =
      await whileClientDropped(check);
    expectUnevaluatedPolicy(report.findings);
    // The first probe (as app=client) and the second (unlabelled), one after the other.
    expect(report.probes).toMatchObject({ pods: 2, maxAlive: 1 });
    expect(report.probes.results).toEqual([expect.objectContaining({ target: expect.stringMatching(/^web/), outcome: 'timeout' })]);
    // Both probe pods are gone when kdiag ends (Jobs deleted; pods at most terminating).
    const jobs = await kubectlJson<{ items: unknown[] }>(['-n', NS, 'get', 'jobs', '-l', 'app.kubernetes.io/managed-by=kdiag', '-o', 'json']);
    expect(jobs.items).toEqual([]);
  }, 240_000);
});
