// Many clusters at once: `--context a,b,c` or `--all-contexts` runs the same command once per
// context (in this process, at most FLEET_CONCURRENCY at a time), each run printing JSON that is
// collected here. A context that cannot be reached, or whose credentials are refused, is
// reported as such and the others still run; the exit code is the worst of all runs.
import type { Report } from '../report/types.js';
import { EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK, KdiagError } from '../errors.js';
import { pool } from './pool.js';

export const FLEET_CONCURRENCY = 4;

/** How one context's run ended. */
export type ClusterStatus = 'passed' | 'findings' | 'unreachable' | 'unauthorized' | 'forbidden' | 'failed';

export interface ClusterSummary {
  context: string;
  server: string | null;
  serverVersion: string | null;
  status: ClusterStatus;
  exitCode: number;
  errors: number;
  warnings: number;
  infos: number;
  durationMs: number;
  /** Why the run could not do its job (unreachable, forbidden, failed). */
  error?: string;
}

export interface FleetRun {
  summary: ClusterSummary;
  /** The context's own report (findings tagged with the context), when it printed one. */
  report?: Report;
}

/** What the runner needs from the command: a way to run it for one context and capture it. */
export interface FleetHost {
  kubeconfig?: string;
  requestTimeoutMs: number;
  /** Runs the command for `context` with -o json; resolves with its stdout, stderr, exit code and thrown error. */
  runFor(context: string): Promise<{ stdout: string; stderr: string; exitCode: number; error?: unknown }>;
  note(line: string): void;
}

/** The contexts asked for: `--context a,b` (deduplicated, in order) or every context with --all-contexts. */
export async function fleetContexts(flag: string | undefined, all: boolean, kubeconfig?: string): Promise<string[]> {
  const { contextNames } = await import('../cluster/kubeconfig.js');
  if (all) {
    const names = contextNames(kubeconfig);
    if (names.length === 0) throw new KdiagError('--all-contexts: the kubeconfig has no contexts');
    return names;
  }
  const asked = [
    ...new Set(
      (flag ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (asked.length === 0) throw new KdiagError('--context: name at least one context');
  const known = contextNames(kubeconfig);
  const unknown = asked.filter((c) => !known.includes(c));
  if (unknown.length)
    throw new KdiagError(
      `context${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')} not found in the kubeconfig (contexts: ${known.join(', ')})`,
    );
  return asked;
}

function statusOf(err: unknown): ClusterStatus {
  const status = (err as { status?: number } | undefined)?.status;
  return status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'unreachable';
}

/** One context: can the API be reached with these credentials at all? Then the command itself. */
async function runOne(host: FleetHost, context: string): Promise<FleetRun> {
  const started = performance.now();
  const base = { context, server: null, serverVersion: null, errors: 0, warnings: 0, infos: 0 };
  const { ClusterClient } = await import('../cluster/client.js');
  let server: string | null = null;
  let serverVersion: string;
  try {
    const client = new ClusterClient({ kubeconfig: host.kubeconfig, context, requestTimeoutMs: host.requestTimeoutMs, maxRetries: 1 });
    server = client.server;
    serverVersion = await client.serverVersion();
  } catch (err) {
    const message = (err as Error).message;
    return { summary: { ...base, server, status: statusOf(err), exitCode: EXIT_FAILURE, durationMs: performance.now() - started, error: message } };
  }
  const r = await host.runFor(context);
  let report: Report | undefined;
  try {
    report = r.stdout.trim() ? (JSON.parse(r.stdout) as Report) : undefined;
  } catch {
    report = undefined;
  }
  const findings = (report?.findings ?? []).map((f) => ({ ...f, context }));
  if (report) report = { ...report, context, findings };
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const thrown = r.error as { status?: number; message?: string } | undefined;
  // Exit 2 with every check skipped for missing permissions (KD6001), or a 403 from the API: forbidden.
  const forbidden = r.exitCode === EXIT_FAILURE && (thrown?.status === 403 || findings.some((f) => f.code === 'KD6001'));
  const status: ClusterStatus =
    r.exitCode === EXIT_OK
      ? 'passed'
      : r.exitCode === EXIT_FINDINGS
        ? 'findings'
        : forbidden
          ? 'forbidden'
          : thrown?.status === 401
            ? 'unauthorized'
            : 'failed';
  const error =
    r.exitCode === EXIT_FAILURE
      ? typeof report?.error === 'string'
        ? report.error
        : (thrown?.message ?? (r.stderr.trim().split('\n').pop() ?? '').replace(/^kdiag: /, ''))
      : undefined;
  return {
    summary: {
      context,
      server,
      serverVersion,
      status,
      exitCode: r.exitCode,
      errors: count('error'),
      warnings: count('warning'),
      infos: count('info'),
      durationMs: performance.now() - started,
      ...(error ? { error } : {}),
    },
    report,
  };
}

/** Runs every context (bounded), in the order given; never rejects for one context's failure. */
export async function runFleet(host: FleetHost, contexts: readonly string[], concurrency = FLEET_CONCURRENCY): Promise<FleetRun[]> {
  const runs = new Map<string, FleetRun>();
  await pool(contexts, concurrency, async (context) => {
    let run: FleetRun;
    try {
      run = await runOne(host, context);
    } catch (err) {
      run = {
        summary: {
          context,
          server: null,
          serverVersion: null,
          status: 'failed',
          exitCode: EXIT_FAILURE,
          errors: 0,
          warnings: 0,
          infos: 0,
          durationMs: 0,
          error: (err as Error).message,
        },
      };
    }
    runs.set(context, run);
    const s = run.summary;
    host.note(`${context}: ${s.status}${s.error ? ` (${s.error})` : ` (${s.errors} errors, ${s.warnings} warnings)`} ${(s.durationMs / 1000).toFixed(1)}s`);
  });
  return contexts.map((c) => runs.get(c)!);
}

/** The worst exit code: 2 (a cluster kdiag could not diagnose) over 1 (findings) over 0. */
export function worstExit(runs: readonly FleetRun[]): number {
  return Math.max(EXIT_OK, ...runs.map((r) => r.summary.exitCode));
}

/** `-o json|yaml` with several contexts: every finding tagged with its context, one summary per cluster. */
export function fleetReport(command: string, runs: readonly FleetRun[]): Report {
  return {
    apiVersion: 'kdiag/v1',
    kind: 'FleetReport',
    command,
    clusters: runs.map((r) => ({ ...r.summary, durationMs: Math.round(r.summary.durationMs) })),
    findings: runs.flatMap((r) => r.report?.findings ?? []),
    reports: runs.flatMap((r) => (r.report ? [(({ findings: _f, ...rest }) => rest)(r.report)] : [])),
  };
}
