// The local cluster, at a terminal: the real binary in a 120 × 40 tmux pane, as a person runs it.
// The README's first example (`kdiag check -n production`), check with --probes, dns,
// connectivity, trace --probe and --watch; Ctrl-C during a probe exits 130 at once, shows the
// cursor again and leaves no probe Job or pod behind. Own namespace: term-<run>.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  apply,
  backendManifest,
  deleteNamespace,
  ensureNamespace,
  kubeconfigPath,
  kubectl,
  runKdiag,
  waitFor,
  waitForRollout,
  waitForServiceAnswers,
} from './support/cluster.js';
import { hasColour, kdiagLine, PtySession, runInPty, expectStatus, type PtyResult } from '../support/pty.js';

const RUN = Math.random().toString(36).slice(2, 7);
const NS = `term-${RUN}`;
const PROBES = 'app.kubernetes.io/managed-by=kdiag';
const SIZE = { cols: 120, rows: 40 };

const line = (args: string[]) => kdiagLine([...args, '--kubeconfig', kubeconfigPath()]);
const lastLine = (screen: string) =>
  screen
    .split('\n')
    .filter((l) => l.trim())
    .pop() ?? '';

async function leftovers(namespace: string): Promise<string[]> {
  const r = await kubectl(['-n', namespace, 'get', 'jobs,pods', '-l', PROBES, '-o', 'name']);
  return r.stdout.split('\n').filter(Boolean);
}

/** What every run at a terminal must show: no crash text, and the cursor given back. */
function expectClean(r: PtyResult) {
  expect(r.screen).not.toMatch(/unexpected failure|\n\s+at .*:\d+:\d+\)/);
  expect(r.cursor).toBe(true);
}

beforeAll(async () => {
  await ensureNamespace(NS);
  await apply(backendManifest({ namespace: NS, name: 'web', replicas: 1 }));
  await waitForRollout(NS, 'deployment/web');
  await waitForServiceAnswers(NS, 'web');
});

afterAll(async () => {
  await deleteNamespace(NS);
});

describe("the README's first example", () => {
  it('kdiag check -n production: the task list ends with ✔ lines, then the summary and findings, in colour', async () => {
    const r = await runInPty(line(['check', '-n', 'production']), { ...SIZE, timeoutMs: 120_000 });
    expectClean(r);
    // The guide's scenario has broken Services on purpose: findings at error → exit 1.
    expectStatus(r, 1);
    expect(r.screen).toMatch(/^✔ Cluster reachable: https:\/\/\S+ \(v1\.35\.\d+\)\n✔ Permissions: \d+ allowed\n✔ Snapshot: \d+ services, /);
    expect(r.screen).toMatch(/^CHECK\s+STATUS\s+ERRORS\s+WARNINGS\s+TIME$/m);
    expect(r.screen).toMatch(/^ERROR\s+KD1001\s+Service production\/api-v2-service: selector app=api-v2 matches no pod$/m);
    expect(lastLine(r.screen)).toMatch(/^\d+ error\(s\), \d+ warning\(s\), \d+ info$/);
    expect(r.screen).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏◼]/);
    expect(hasColour(r.raw)).toBe(true);
  });
});

describe('probes at a terminal', () => {
  it('kdiag check -n NS --probes: a ✔ Probes step, the live probes in the summary, nothing left behind', async () => {
    const r = await runInPty(line(['check', '-n', NS, '--probes']), { ...SIZE, timeoutMs: 240_000 });
    expectClean(r);
    expectStatus(r, 0);
    expect(r.screen).toMatch(/^✔ Probes: 1 Service\(s\) in 1 namespace\(s\), 1 probe pod\(s\), at most 1 at once$/m);
    expect(r.screen).toMatch(/^probes\s+passed\s+0\s+0\s+\d+\.\d\ds$/m);
    expect(await leftovers(NS)).toEqual([]);
  });

  it('kdiag check -n production --probes ends its task list and its report', async () => {
    const r = await runInPty(line(['check', '-n', 'production', '--probes']), { ...SIZE, timeoutMs: 300_000 });
    expectClean(r);
    expectStatus(r, 1);
    expect(r.screen).toMatch(/^✔ Probes: \d+ Service\(s\) in 1 namespace\(s\), 1 probe pod\(s\)/m);
    expect(r.screen).toMatch(/^probes\s+(passed|failed)\s+\d+\s+\d+\s+\d+\.\d\ds$/m);
    expect(lastLine(r.screen)).toMatch(/^\d+ error\(s\), \d+ warning\(s\), \d+ info$/);
  });

  it('kdiag dns web -n NS: the probe task list ends with ✔, then the answer', async () => {
    const r = await runInPty(line(['dns', 'web', '-n', NS]), { ...SIZE, timeoutMs: 180_000 });
    expectClean(r);
    expectStatus(r, 0);
    expect(r.screen).toMatch(/^✔ Reading the result/m);
    expect(r.screen).not.toMatch(/^[✖◼]/m);
    expect(r.screen).toMatch(new RegExp(`^web\\.${NS}\\.svc\\.cluster\\.local\\.\\s+OK\\s+[\\d.]+\\s+yes\\b`, 'm'));
    expect(await leftovers(NS)).toEqual([]);
  });

  it('kdiag connectivity web -n NS: connects, and says so', async () => {
    const r = await runInPty(line(['connectivity', 'web', '-n', NS]), { ...SIZE, timeoutMs: 180_000 });
    expectClean(r);
    expectStatus(r, 0);
    expect(r.screen).toMatch(/^✔ Reading the result/m);
    expect(r.screen).toMatch(/^TARGET\s+MODE\s+STATUS\s+DNS\s+CONNECT/m);
    expect(r.screen).toMatch(/^web\s+HTTP\s+HTTP 200\s+\d+ms\s.*answered by web-/m);
    expect(await leftovers(NS)).toEqual([]);
  });

  it('kdiag trace http://web.NS/health --probe: every hop fine, the probe confirms it', async () => {
    const r = await runInPty(line(['trace', `http://web.${NS}/health`, '--probe']), { ...SIZE, timeoutMs: 180_000 });
    expectClean(r);
    expectStatus(r, 0);
    expect(r.screen).toMatch(/^Every hop is fine/m);
    expect(await leftovers(NS)).toEqual([]);
  });
});

describe('Ctrl-C at a terminal', () => {
  it.each([
    ['dns', ['dns', 'web', '-n', NS, '--settle', '20s']],
    ['check --probes', ['check', '-n', NS, '--probes', '--settle', '20s']],
  ])('during the probe of %s: exit 130 within 2 s, cursor shown, no Job or pod left', async (_name, args) => {
    const session = await PtySession.start(line(args), SIZE);
    try {
      await waitFor(async () => (await leftovers(NS)).some((o) => o.startsWith('pod/')), { timeoutMs: 90_000, intervalMs: 300, description: 'the probe pod' });
      const pressed = Date.now();
      await session.keys('C-c');
      const ended = await session.waitForExit(10_000);
      expect(Date.now() - pressed).toBeLessThan(2_000);
      expectStatus(ended, 130);
      await session.settled();
      expect(session.cursorLeftVisible()).toBe(true);
      const screen = await session.screen();
      expect(screen).toMatch(/SIGINT received: deleting probe Job/);
      expect(screen).not.toMatch(/unexpected failure/);
    } finally {
      await session.close();
    }
    await waitFor(async () => (await leftovers(NS)).length === 0, { timeoutMs: 20_000, intervalMs: 500, description: 'the probe to be gone' });
  });
});

describe('--watch at a terminal', () => {
  it('kdiag endpoints -n NS --watch redraws the screen when a Service appears; Ctrl-C ends it with 0', async () => {
    const session = await PtySession.start(line(['endpoints', '-n', NS, '--watch']), SIZE);
    try {
      await session.waitForScreen(new RegExp(`^${NS}\\s+web\\s+ClusterIP\\s+1\\s+0\\s+SINGLE`, 'm'), 60_000);
      expect(await session.screen()).not.toMatch(/\bsecond\b/);
      await apply(`
apiVersion: v1
kind: Service
metadata: {name: second, namespace: ${NS}}
spec: {ports: [{port: 80}]}
`);
      await session.waitForScreen(new RegExp(`^${NS}\\s+second\\s+ClusterIP\\s+0\\s+0\\s+NO ENDPOINTS`, 'm'), 60_000);
      // Redrawn, not appended: the terminal was cleared (and no separator line as in a pipe).
      expect(session.raw()).toContain('\u001b[2J\u001b[H');
      expect(await session.screen()).not.toMatch(/^--- \d{4}-/m);
      const pressed = Date.now();
      await session.keys('C-c');
      const ended = await session.waitForExit(10_000);
      expect(Date.now() - pressed).toBeLessThan(2_000);
      expectStatus(ended, 0);
    } finally {
      await session.close();
    }
  });
});

describe('list tables at an 80-column terminal', () => {
  /** The table part of a screen: up to the summary, the findings or the totals. */
  const tableLines = (screen: string) => {
    const lines = screen.split('\n');
    const end = lines.findIndex((l) => /^(ERROR|WARNING|INFO)\s+KD\d{4}\b|^\d+ error\(s\)|^SUMMARY:|^Network plugin:|^Skipped /.test(l));
    return (end < 0 ? lines : lines.slice(0, end)).filter((l) => l.trim());
  };
  const IP = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

  it.each([
    ['endpoints', ['endpoints', '-n', 'production']],
    ['services', ['services', '-A']],
    ['ingress', ['ingress', '-A']],
    ['netpol', ['netpol', '-n', 'production']],
    ['gateway', ['gateway', '-A']],
    ['dataplane', ['dataplane']],
  ])('kdiag %s: no table line wider than the pane, every address and name whole', async (_name, args) => {
    const [r, piped] = await Promise.all([runInPty(line(args), { cols: 80, rows: 40, timeoutMs: 120_000 }), runKdiag(args)]);
    expectClean(r);
    const lines = tableLines(r.screen);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.filter((l) => [...l].length > 80)).toEqual([]);
    const text = lines.join('\n');
    const rows = tableLines(piped.stdout);
    for (const ip of rows.join('\n').match(IP) ?? []) expect(text).toMatch(new RegExp(`(^|[^\\d.])${ip.replace(/\./g, '\\.')}($|[^\\d.])`, 'm'));
    // The first column (namespace or node) and, but for dataplane, the second (the object's name) stay whole.
    const names = rows
      .slice(1)
      .flatMap((row) => row.split(/ {3,}/).slice(0, args[0] === 'dataplane' ? 1 : 2))
      .filter((n) => /^[\w.-]+$/.test(n));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !new RegExp(`(^|\\s)${n.replace(/\./g, '\\.')}(\\s|$)`, 'm').test(text))).toEqual([]);
  });
});
