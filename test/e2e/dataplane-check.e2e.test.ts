// The data-plane section of kdiag check on the real cluster, through the real binary: the
// same findings and rows as kdiag dataplane for the same scope, none on the healthy scenario,
// and the NetworkPolicy enforcer stopped shows in both (cluster/faults/enforcer-stopped.sh).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, runKdiag } from './support/cluster.js';

interface Finding {
  code: string;
  check: string;
  object: { kind: string; namespace?: string; name: string };
  message: string;
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
