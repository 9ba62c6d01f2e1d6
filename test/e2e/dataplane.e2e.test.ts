// Data-plane faults injected into the local cluster (cluster/faults/*.sh), each diagnosed by the
// real binary: kube-proxy frozen with one Service's rules gone, one of three replicas Ready but
// not serving, the NetworkPolicy enforcer stopped, hairpin off on one pod's bridge port. The cluster is shared: each fault lasts only
// as long as one kdiag run (seconds) and is undone in `finally` and again in afterAll.
import { join } from 'node:path';
import { REPO_ROOT, apply, backendManifest, deleteNamespace, kubectl, runKdiag, waitForRollout } from './support/cluster.js';
import { execFile } from 'node:child_process';

const RUN = Math.random().toString(36).slice(2, 7);
const NS = `kdiag-e2e-dataplane-${RUN}`;

interface Finding {
  code: string;
  object: { kind: string; namespace?: string; name: string };
  message: string;
  cause: string;
  fix: string;
}
interface Report {
  findings: Finding[];
  targets: { target: string; status: string }[];
  direct: { via: string; pod?: string; status: string; outcome: string }[];
  hairpin?: string[];
  probe: { node: string } | null;
}

function fault(script: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('bash', [join(REPO_ROOT, 'cluster', 'faults', script), ...args], { timeout: 180_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

async function undoAll(): Promise<void> {
  await fault('kube-proxy-frozen.sh', 'undo');
  await fault('enforcer-stopped.sh', 'undo');
  await fault('hairpin-off.sh', 'undo');
}

async function connectivity(...args: string[]): Promise<Report> {
  const r = await runKdiag(['connectivity', ...args, '-o', 'json']);
  if (!r.stdout.trim().startsWith('{')) throw new Error(`kdiag failed (${r.code}): ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as Report;
}

/** kube-proxy has written the Service's ClusterIP rule (the fault removes exactly that). */
async function programmed(namespace: string, service: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const out = await new Promise<string>((resolve) => execFile('iptables-save', ['-t', 'nat'], (_e, stdout) => resolve(String(stdout))));
    if (out.includes(`"${namespace}/${service}:`)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`kube-proxy did not program ${namespace}/${service}`);
}

beforeAll(async () => {
  await apply(`apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
${backendManifest({ namespace: NS, name: 'cart', replicas: 2 })}---
${backendManifest({ namespace: NS, name: 'vault', replicas: 1 })}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: vault-deny-all, namespace: ${NS}}
spec:
  podSelector: {matchLabels: {app: vault}}
  policyTypes: [Ingress]
`);
  const ns = await fault('not-serving.sh', 'inject', NS, 'shop');
  if (ns.code !== 0) throw new Error(ns.out);
  await Promise.all([waitForRollout(NS, 'deployment/cart'), waitForRollout(NS, 'deployment/vault')]);
}, 240_000);

afterAll(async () => {
  await undoAll();
  await fault('not-serving.sh', 'undo', NS, 'shop');
  await deleteNamespace(NS);
}, 240_000);

describe('data-plane faults, diagnosed through the real binary', () => {
  it('healthy: the Service, its ClusterIP and each endpoint answer, and no data-plane finding appears', async () => {
    const report = await connectivity('cart', '--path', '/health', '-n', NS);
    expect(report.findings.filter((f) => /^KD504[0-5]$/.test(f.code))).toEqual([]);
    expect(report.direct.map((d) => [d.via, d.outcome])).toEqual([
      ['cluster-ip', 'ok'],
      ['endpoint', 'ok'],
      ['endpoint', 'ok'],
    ]);
    const view = await runKdiag(['dataplane', '-o', 'json']);
    expect(view.code).toBe(0);
    expect((JSON.parse(view.stdout) as { findings: Finding[] }).findings).toEqual([]);
  }, 120_000);

  it("kube-proxy frozen and the Service's rules removed: names kube-proxy on the node, and the pods answer directly", async () => {
    await programmed(NS, 'cart');
    let report: Report;
    try {
      const injected = await fault('kube-proxy-frozen.sh', 'inject', NS, 'cart');
      expect(injected.code).toBe(0);
      report = await connectivity('cart', '--path', '/health', '-n', NS);
    } finally {
      await fault('kube-proxy-frozen.sh', 'undo');
    }
    const node = report.probe!.node;
    expect(report.targets[0]!.status).toBe('TIMEOUT');
    expect(report.findings.map((f) => f.code)).toEqual(['KD5040']);
    const f = report.findings[0]!;
    expect(f.message).toContain(`the Service data path on node ${node} (kube-proxy) is at fault`);
    expect(f.message).toContain('but all 2 endpoint(s) answer directly');
    // kube-proxy is a host process here: kdiag says so, and what its health endpoint showed.
    expect(f.cause).toContain(`No kube-proxy pod in kube-system: on node ${node} (Ready) kube-proxy runs outside the API's view`);
    expect(f.cause).toContain("kube-proxy's health endpoint on node");
    expect(f.fix).toContain(`On node ${node}, check the kube-proxy process`);
    expect(report.direct.filter((d) => d.via === 'endpoint').map((d) => d.outcome)).toEqual(['ok', 'ok']);
    expect(report.direct.find((d) => d.via === 'cluster-ip')!.outcome).toBe('timeout');
    // No wrong suspect: neither a NetworkPolicy nor "no endpoints" nor the generic timeout.
    expect(f.cause).not.toMatch(/NetworkPolicy/);
  }, 120_000);

  it('one of three replicas Ready but not serving on the target port: names that pod and only that pod', async () => {
    const pods = JSON.parse((await kubectl(['-n', NS, 'get', 'pods', '-l', 'app=shop', '-o', 'json'])).stdout) as {
      items: { metadata: { name: string; labels: Record<string, string> } }[];
    };
    const odd = pods.items.filter((p) => p.metadata.labels.variant === 'odd').map((p) => p.metadata.name);
    const ok = pods.items.filter((p) => p.metadata.labels.variant === 'ok').map((p) => p.metadata.name);
    expect(odd).toHaveLength(1);
    expect(ok).toHaveLength(2);
    const report = await connectivity('shop', '-n', NS);
    expect(report.findings.map((f) => f.code)).toEqual(['KD5041']);
    const f = report.findings[0]!;
    expect(f.message).toContain('1 of 3 ready endpoints do not serve on target port 8080');
    expect(f.message).toContain(`${odd[0]} (`);
    expect(f.message).toContain('connection refused');
    for (const name of ok) expect(f.message).not.toContain(name);
    expect(f.cause).toContain(`pod ${odd[0]}'s readiness probe checks HTTP GET :9090/health, not the target port 8080`);
    expect(report.direct.filter((d) => d.via === 'endpoint' && d.outcome !== 'ok').map((d) => d.pod)).toEqual(odd);
  }, 120_000);

  it('NetworkPolicy enforcer stopped: predicted deny, observed connect: not enforced, naming the missing agent', async () => {
    // Healthy first: the policy is enforced and kdiag names it.
    const before = await connectivity('vault', '-n', NS);
    expect(before.findings.map((f) => f.code)).toEqual(['KD5039']);
    let report: Report;
    let view: { stdout: string };
    try {
      const injected = await fault('enforcer-stopped.sh', 'inject');
      expect(injected.code).toBe(0);
      report = await connectivity('vault', '-n', NS);
      view = await runKdiag(['dataplane', '-o', 'json']);
    } finally {
      await fault('enforcer-stopped.sh', 'undo');
    }
    // kdiag dataplane (reads only) says the same per node.
    // (One finding per node the nodeSelector now excludes: with scale mode's fake nodes there are more.)
    const dataplane = JSON.parse(view.stdout) as { findings: Finding[] };
    expect([...new Set(dataplane.findings.map((f) => f.code))]).toEqual(['KD6021']);
    const here = dataplane.findings.find((f) => f.object.name === report.probe!.node)!;
    expect(here.message).toContain(`${report.probe!.node}: NetworkPolicies are not enforced here: no kube-router agent runs on node ${report.probe!.node}`);
    const node = report.probe!.node;
    expect(report.findings.map((f) => f.code)).toEqual(['KD5045']);
    const f = report.findings[0]!;
    expect(f.message).toBe(`vault: predicted deny, observed connect: NetworkPolicy ${NS}/vault-deny-all not enforced on this path`);
    expect(f.cause).toContain(`no kube-router agent runs on node ${node}`);
    expect(f.cause).toContain('its DaemonSet kube-system/kube-router wants 0 pod(s)');
    expect(f.fix).toContain('kubectl -n kube-system get daemonset kube-router -o wide');
  }, 180_000);

  it("hairpin off on one pod's bridge port: probing --from that pod with --hairpin explains hairpin", async () => {
    const pods = JSON.parse((await kubectl(['-n', NS, 'get', 'pods', '-l', 'app=cart', '-o', 'json'])).stdout) as {
      items: { metadata: { name: string }; status: { podIP: string } }[];
    };
    const self = pods.items[0]!;
    // Healthy first: the pod reaches itself through its Service.
    const before = await connectivity('cart', '--path', '/health', '-n', NS, '--from', `${NS}/${self.metadata.name}`, '--hairpin');
    expect(before.hairpin![0]).toMatch(/^hairpin \(ok\): 12 tries of the ClusterIP from inside /);
    expect(before.findings.filter((f) => f.code === 'KD5044')).toEqual([]);
    let report: Report;
    try {
      const injected = await fault('hairpin-off.sh', 'inject', self.status.podIP);
      expect(injected.code).toBe(0);
      report = await connectivity('cart', '--path', '/health', '-n', NS, '--from', `${NS}/${self.metadata.name}`, '--hairpin');
    } finally {
      await fault('hairpin-off.sh', 'undo');
    }
    // Each try sent back to the pod is lost: it fails, or connects only when its retransmitted SYN is translated to another pod.
    expect(report.hairpin![0]).toMatch(/^hairpin \(failed\): 12 tries of the ClusterIP from inside \S+: 0 answered by itself, /);
    expect(report.findings.map((f) => f.code)).toEqual(['KD5044']);
    const f = report.findings[0]!;
    expect(f.message).toContain(`pod ${self.metadata.name} cannot reach itself through the Service (hairpin)`);
    expect(f.cause).toContain('hairpin mode on for that port');
    // The probe pod itself (another pod) still reaches the Service and every endpoint.
    expect(report.direct.map((d) => d.outcome)).toEqual(['ok', 'ok', 'ok']);
  }, 180_000);
});
