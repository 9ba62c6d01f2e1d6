// Human and JUnit output of a fleet run: one summary row per cluster, then each cluster's findings.
import type { CheckResult } from '../report/check-result.js';
import { resultOf } from '../report/check-result.js';
import { renderFindings, sanitize, summaryLine } from '../report/render.js';
import type { Style } from '../report/style.js';
import type { Finding, Report, Severity } from '../report/types.js';
import type { FleetRun } from './run.js';

export function fleetTable(runs: readonly FleetRun[], table: (head: string[], rows: string[][]) => string, style: Style): string {
  const status = (r: FleetRun) => {
    const s = r.summary.status;
    return s === 'passed' ? style.ok(s) : s === 'findings' ? style.severity('warning', s) : style.severity('error', s);
  };
  const rows = runs.map((r) => [
    sanitize(r.summary.context),
    status(r),
    r.summary.serverVersion
      ? sanitize(
          r.summary.serverVersion
            .split(' ')
            .pop()!
            .replace(/^\(|\)$/g, ''),
        )
      : '-',
    String(r.summary.errors),
    String(r.summary.warnings),
    `${(r.summary.durationMs / 1000).toFixed(1)}s`,
  ]);
  const body = table(['CONTEXT', 'STATUS', 'VERSION', 'ERRORS', 'WARNINGS', 'TIME'], rows);
  const problems = runs.filter((r) => r.summary.error).map((r) => `${sanitize(r.summary.context)}: ${r.summary.status}: ${sanitize(r.summary.error!)}`);
  return problems.length ? `${body}\n\n${problems.join('\n')}` : body;
}

/** Each cluster's findings under its context's name. */
export function fleetFindings(runs: readonly FleetRun[], style: Style): string {
  const parts: string[] = [];
  for (const r of runs) {
    const findings = (r.report?.findings ?? []) as Finding[];
    const list = renderFindings(findings, style);
    if (list) parts.push(`${style.paint('bold', `== ${sanitize(r.summary.context)}`)} (${summaryLine(findings)})\n${list}`);
  }
  return parts.join('\n\n');
}

/** Check results per context for JUnit: suites named `<context>/<check>`; an unreachable cluster is one errored suite. */
export function fleetCheckResults(runs: readonly FleetRun[], failOn: Severity): CheckResult[] {
  const results: CheckResult[] = [];
  for (const r of runs) {
    const ctx = r.summary.context;
    const report = r.report as (Report & { checks?: Omit<CheckResult, 'findings'>[] }) | undefined;
    if (!report?.checks) {
      results.push({
        id: `${ctx}/cluster`,
        title: `Cluster ${ctx}`,
        status: 'errored',
        errors: 0,
        warnings: 0,
        infos: 0,
        durationMs: r.summary.durationMs,
        reason: `${r.summary.status}: ${r.summary.error ?? 'no report'}`,
        findings: [],
      });
      continue;
    }
    const ids = new Set(report.checks.map((c) => c.id));
    for (const c of report.checks) results.push({ ...c, id: `${ctx}/${c.id}`, findings: report.findings.filter((f) => f.check === c.id) });
    const other = report.findings.filter((f) => !ids.has(f.check));
    if (other.length) results.push(resultOf(`${ctx}/kdiag`, `kdiag on ${ctx}`, other, 0, failOn));
  }
  return results;
}
