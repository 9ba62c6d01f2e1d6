// Findings are data: every check returns them, every renderer reads them.
// The JSON form of these types is the public contract (schema/report.schema.json).
import type { Remediation } from './fix.js';

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

export interface Finding {
  /** Stable code from the catalogue in src/report/codes.ts, e.g. KD1001. */
  code: string;
  /** The check that produced it (the catalogue's `check` for the code). */
  check: string;
  severity: Severity;
  object: ObjectRef;
  /** One line: what is wrong. */
  message: string;
  /** Why it is wrong, with the evidence kdiag saw. */
  cause: string;
  /** What to run or paste to fix it. */
  fix: string;
  /** The commands (argument vectors) and manifests inside `fix`, as data (src/report/fix.ts). */
  remediation?: Remediation;
  /**
   * The object this problem comes from when it is not `object` itself, e.g. the pending
   * LoadBalancer Service of an ingress controller behind every Ingress without an address.
   * Findings with the same code and root are shown as one entry in table output.
   */
  root?: ObjectRef;
}

/** Every command's machine-readable output: `{ apiVersion, kind, findings, ...data }`. */
export interface Report {
  apiVersion: 'kdiag/v1';
  kind: string;
  findings: Finding[];
  [key: string]: unknown;
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export function severityRank(severity: Severity): number {
  return RANK[severity];
}

export function atOrAbove(findings: readonly Finding[], threshold: Severity): Finding[] {
  return findings.filter((f) => RANK[f.severity] >= RANK[threshold]);
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      RANK[b.severity] - RANK[a.severity] ||
      (a.object.namespace ?? '').localeCompare(b.object.namespace ?? '') ||
      a.object.name.localeCompare(b.object.name) ||
      a.code.localeCompare(b.code),
  );
}

export function refString(ref: ObjectRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}
