// Every fix kdiag prints for the local cluster's scenario is accepted by the API server: the
// commands in `remediation.commands` run with --dry-run=server when they change something, as
// they are when they only read, and `kubectl edit` is checked by a `kubectl get` of its object;
// every manifest with apiVersion and kind passes `kubectl apply --dry-run=server`. Nothing is
// changed for real. The few commands that are not kubectl or kdiag work on the user's own files
// (openssl on tls.crt and tls.key) or filter a kubectl command's output (grep): they run here on
// a throw-away certificate and key, or on empty input, so their argument vectors are checked by
// the programs themselves. Certificate renewal through cert-manager is printed as
// a server-side apply of the Certificate's Issuing condition (what `cmctl renew` does) only for Secrets
// cert-manager issued; the scenario has no cert-manager (its CRDs stay off the shared cluster,
// whose contents every other test reads), so that fix is checked the same way, with
// --dry-run=server against cert-manager's real Certificate CRD, in cert-manager-fix.e2e.test.ts,
// which installs the CRD for its own run and removes it again.
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { toYaml, type FixCommand, type Manifest } from '../../src/report/fix.js';
import { selfSigned } from '../support/tls.js';
import { kubectl, runKdiag, type ExecResult } from './support/cluster.js';

/** The files a `kubectl create secret tls --cert=tls.crt --key=tls.key` fix reads (the user's own). */
let certFiles: { cert: string; key: string } | undefined;
function withCertFiles(args: readonly string[]): string[] {
  if (!args.some((a) => a.startsWith('--cert=') || a.startsWith('--key='))) return [...args];
  certFiles ??= (() => {
    const c = selfSigned('example.com');
    return { cert: c.certFile, key: c.keyFile };
  })();
  return args.map((a) => (a.startsWith('--cert=') ? `--cert=${certFiles!.cert}` : a.startsWith('--key=') ? `--key=${certFiles!.key}` : a));
}

interface Finding {
  code: string;
  object: { kind: string; namespace?: string; name: string };
  fix: string;
  remediation?: { commands: FixCommand[]; manifests: Manifest[] };
}

/** A local program (openssl, grep) in a directory holding a throw-away tls.crt and tls.key, on empty input. */
function local(argv: readonly string[]): Promise<ExecResult> {
  certFiles ??= (() => {
    const c = selfSigned('example.com');
    return { cert: c.certFile, key: c.keyFile };
  })();
  return new Promise((resolve) => {
    const child = execFile(argv[0]!, argv.slice(1), { cwd: dirname(certFiles!.cert), timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 2) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

/** kubectl verbs that change objects: run with --dry-run=server. */
const MUTATING = new Set(['apply', 'patch', 'create', 'label', 'annotate', 'delete', 'scale', 'set', 'replace', 'taint']);
/** kubectl verbs that only read: run as they are. */
const READING = new Set(['get', 'describe', 'logs', 'auth', 'top', 'explain', 'api-resources']);
/** kdiag commands that only read the cluster (dns and connectivity would start probe pods). */
const KDIAG_READING = new Set(['check', 'endpoints', 'services', 'netpol', 'ingress', 'gateway', 'trace', 'docs']);
const FLAGS_WITH_VALUE = new Set(['-n', '--namespace', '--context', '--kubeconfig']);

/** The verb of a kubectl command line: its first word that is neither a flag nor a flag's value. */
function verbOf(args: readonly string[]): { verb: string; index: number } {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (FLAGS_WITH_VALUE.has(a)) i++;
    else if (!a.startsWith('-')) return { verb: a, index: i };
  }
  return { verb: '', index: -1 };
}

const key = (c: FixCommand) => JSON.stringify(c);

async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

interface Outcome {
  command: string;
  how: string;
  result: ExecResult;
  ok: boolean;
}

/** The namespace a command works in (its -n, or its manifest's), if any. */
function namespaceOf(c: FixCommand): string | undefined {
  const i = c.argv.findIndex((a) => a === '-n' || a === '--namespace');
  if (i >= 0) return c.argv[i + 1];
  return (c.stdin?.metadata as { namespace?: string } | undefined)?.namespace;
}

/** Other tests create and delete namespaces while this one runs: only Active ones are judged. */
async function active(namespace: string | undefined): Promise<boolean> {
  if (namespace === undefined) return true;
  const r = await kubectl(['get', 'namespace', namespace, '-o', 'jsonpath={.status.phase}']);
  return r.code === 0 && r.stdout === 'Active';
}

/** Runs one fix command the safe way and judges its result. */
async function check(c: FixCommand): Promise<Outcome> {
  const [program, ...args] = c.argv;
  const input = c.stdin ? toYaml(c.stdin) : undefined;
  const command = c.argv.join(' ');
  if (program === 'kdiag') {
    expect({ command, reads: KDIAG_READING.has(args[0] ?? '') }).toEqual({ command, reads: true });
    const result = await runKdiag(args.includes('-o') ? args : [...args, '-o', 'json']);
    // 0: nothing found, 1: findings; 2 would be kdiag failing to run the command it suggested.
    return { command, how: 'kdiag', result, ok: result.code === 0 || result.code === 1 };
  }
  if (program === 'openssl') {
    // On the user's files: here a throw-away certificate and key named as the fix names them.
    const result = await local(c.argv);
    return { command, how: 'openssl on a throw-away tls.crt and tls.key', result, ok: result.code === 0 };
  }
  if (program === 'grep') {
    // The filter after `kubectl logs … |`: on empty input it exits 1 (no match); 2 would be a bad argument vector.
    const result = await local(c.argv);
    return { command, how: 'grep on empty input', result, ok: result.code === 0 || result.code === 1 };
  }
  // Nothing else is printed: a new program needs a way to be checked here.
  expect({ command, program }).toEqual({ command, program: 'kubectl' });
  const { verb, index } = verbOf(args);
  // `… --dry-run=client -o yaml | kubectl apply -f -`: the second half reads the first one's
  // output, which the first command (run with --dry-run=server) is checked for.
  if (verb === 'apply' && input === undefined && args.join(' ') === 'apply -f -')
    return { command, how: 'pipe reader', result: { code: 0, stdout: '', stderr: '' }, ok: true };
  if (args.includes('--dry-run=client')) {
    // A generator (`create … --dry-run=client -o yaml`) for `| kubectl apply -f -`: its output goes
    // to the API server the way the pipe would send it, with --dry-run=server.
    const made = await kubectl(withCertFiles(args));
    if (made.code !== 0) return { command, how: 'generator', result: made, ok: false };
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: made.stdout });
    return { command, how: 'generator | apply --dry-run=server', result, ok: result.code === 0 };
  }
  if (MUTATING.has(verb)) {
    const result = await kubectl([...withCertFiles(args), '--dry-run=server'], input !== undefined ? { input } : {});
    return { command, how: 'dry-run=server', result, ok: result.code === 0 };
  }
  if (verb === 'edit') {
    const get = [...args.slice(0, index), 'get', ...args.slice(index + 1), '-o', 'name'];
    const result = await kubectl(get);
    return { command, how: 'get of the edited object', result, ok: result.code === 0 };
  }
  expect({ command, readVerb: READING.has(verb) }).toEqual({ command, readVerb: true });
  // A watch (`get -w`) never ends by itself: its first listing is what is checked.
  const once = args.filter((a) => a !== '-w' && a !== '--watch');
  const result = await kubectl(once, input !== undefined ? { input } : {});
  if (result.code === 0) return { command, how: 'as is', result, ok: true };
  // What the fix says is missing may be missing: a permission (auth can-i answers "no"),
  // or the previous container of a pod that has not restarted yet.
  const missing =
    (verb === 'auth' && result.stdout.trim() === 'no') ||
    (verb === 'logs' && /previous terminated container .* not found|is waiting to start/.test(result.stderr));
  return { command, how: 'as is', result, ok: missing };
}

describe('the fixes kdiag prints for the local cluster are accepted by the API server', () => {
  const findings: Finding[] = [];

  beforeAll(async () => {
    for (const argv of [
      ['check', '-A'],
      ['endpoints', '-A'],
      ['services', '-A'],
      ['netpol', '-A'],
    ]) {
      const r = await runKdiag([...argv, '-o', 'json']);
      // 0 or 1 (findings at or above --fail-on); 2 would be kdiag failing.
      expect({ argv, code: r.code === 0 || r.code === 1, stderr: r.stderr }).toEqual({ argv, code: true, stderr: expect.any(String) });
      findings.push(...(JSON.parse(r.stdout) as { findings: Finding[] }).findings);
    }
  }, 300_000);

  test('every printed command runs: mutations with --dry-run=server, reads as they are', async () => {
    const commands = new Map<string, FixCommand>();
    for (const f of findings) for (const c of f.remediation?.commands ?? []) commands.set(key(c), c);
    const all = [...commands.values()];
    // The scenario's faults yield patches, applies, scales and reads (see cluster/scenario/FAULTS.md).
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(all.some((c) => c.stdin)).toBe(true);
    expect(all.some((c) => verbOf(c.argv.slice(1)).verb === 'patch')).toBe(true);
    const outcomes: Outcome[] = [];
    await pool(all, 4, async (c) => {
      const outcome = await check(c);
      // A failure in a namespace another test deleted meanwhile says nothing about the fix.
      if (outcome.ok || (await active(namespaceOf(c)))) outcomes.push(outcome);
    });
    const failed = outcomes
      .filter((o) => !o.ok)
      .map((o) => ({ command: o.command, how: o.how, code: o.result.code, stderr: o.result.stderr.trim().split('\n').slice(0, 3).join(' | ') }));
    expect(failed).toEqual([]);
    // The scenario's own namespaces (production, reports, sandbox, kube-system) stay: most are judged.
    expect(outcomes.length).toBeGreaterThanOrEqual(10);
    expect(outcomes.some((o) => o.how === 'dry-run=server' && o.command.startsWith('kubectl -n production patch'))).toBe(true);
    // The scenario's certificate faults (edge, edge-gw) print an openssl request for the missing names.
    expect(outcomes.some((o) => o.how.startsWith('openssl'))).toBe(true);
  }, 600_000);

  test('every manifest with apiVersion and kind passes kubectl apply --dry-run=server', async () => {
    const manifests = new Map<string, Manifest>();
    for (const f of findings) for (const m of f.remediation?.manifests ?? []) if (m.apiVersion && m.kind) manifests.set(JSON.stringify(m), m);
    // legacy-db (no selector, KD1006) gets an EndpointSlice to fill in.
    expect([...manifests.values()].map((m) => m.kind)).toContain('EndpointSlice');
    const failed: { manifest: Manifest; stderr: string }[] = [];
    for (const m of manifests.values()) {
      const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: toYaml(m) });
      if (r.code !== 0) failed.push({ manifest: m, stderr: r.stderr });
    }
    expect(failed).toEqual([]);
  }, 300_000);

  test('every finding with a kubectl command in its text carries it in remediation', () => {
    const bare = findings
      .filter((f) => /\bkubectl\s+[a-z-]/.test(f.fix) && !f.remediation?.commands.length)
      .map((f) => `${f.code} ${f.object.namespace ?? ''}/${f.object.name}`);
    expect(bare).toEqual([]);
  });
});
