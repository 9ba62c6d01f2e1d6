import type { Finding, Severity } from './types.js';

export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'errored';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  errors: number;
  warnings: number;
  infos: number;
  durationMs: number;
  /** Why it was skipped or errored. */
  reason?: string;
  findings: Finding[];
}

export function resultOf(id: string, title: string, findings: Finding[], durationMs: number, failOn: Severity): CheckResult {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const rank = { error: 3, warning: 2, info: 1 } as const;
  const failed = findings.some((f) => rank[f.severity] >= rank[failOn]);
  return { id, title, status: failed ? 'failed' : 'passed', errors: count('error'), warnings: count('warning'), infos: count('info'), durationMs, findings };
}
