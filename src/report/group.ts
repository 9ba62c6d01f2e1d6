// Repeated findings as one entry: on a big cluster the same problem shows up on hundreds of
// objects (500 Ingresses behind one pending controller Service). Pure functions over data;
// the table renderer reads the groups, JSON/YAML/JUnit keep every finding.
import { refString, severityRank, type Finding, type ObjectRef, type Severity } from './types.js';

export interface FindingGroup {
  code: string;
  check: string;
  severity: Severity;
  /** The grouping key: code + root object, or code + the cause with object-specific parts blanked. */
  key: string;
  /** The object every member's problem comes from, when the rule named one (Finding.root). */
  root?: ObjectRef;
  /** Members in report order; the first is the example whose cause and fix are shown. */
  findings: Finding[];
  /** True when every member has the same cause text (not only the same pattern). */
  sameCause: boolean;
}

/**
 * The cause with what differs from object to object blanked: the object's own namespace and
 * name, then every word with a digit in it (generated names like svc-00042 or
 * coredns-6bd749444d-h9zmx, addresses, ages, counts). Two findings of one code with the same
 * pattern are the same problem on different objects.
 */
export function causePattern(f: Finding): string {
  // A word with a digit in it is a generated name, an address, an age or a count; blanked
  // first, so that a pod name built from the object's name (cache-78487dd5dc-qrw6n) is one word.
  let text = f.cause.replace(/[\w.:-]*\d[\w.:-]*/g, '#');
  const { namespace, name } = f.object;
  if (namespace && name) text = text.split(`${namespace}/${name}`).join('\u0000R');
  if (name) text = text.split(name).join('\u0000N');
  if (namespace) text = text.split(namespace).join('\u0000S');
  return text;
}

export function groupKey(f: Finding): string {
  return f.root ? `${f.code}\u0001${f.severity}\u0001root\u0001${f.root.kind}/${refString(f.root)}` : `${f.code}\u0001${f.severity}\u0001${causePattern(f)}`;
}

/**
 * Findings grouped by code and cause pattern (or shared root object), ordered by severity
 * (errors first), then code, then the first member's object. Members keep their given order
 * after the same sort, so the example shown is the first object alphabetically.
 */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  // Two findings of one pattern on the same object are two problems there (two backends of
  // one Ingress missing): the n-th of them joins the n-th group of that pattern.
  const seen = new Map<string, number>();
  for (const f of [...findings].sort(byObject)) {
    const pattern = groupKey(f);
    const onObject = `${pattern}\u0002${f.object.kind}/${refString(f.object)}`;
    const nth = seen.get(onObject) ?? 0;
    seen.set(onObject, nth + 1);
    const key = nth === 0 ? pattern : `${pattern}\u0002${nth}`;
    const group = groups.get(key);
    if (group) {
      group.findings.push(f);
      if (group.sameCause && f.cause !== group.findings[0]!.cause) group.sameCause = false;
    } else {
      groups.set(key, { code: f.code, check: f.check, severity: f.severity, key, ...(f.root ? { root: f.root } : {}), findings: [f], sameCause: true });
    }
  }
  return [...groups.values()].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.code.localeCompare(b.code) || byObject(a.findings[0]!, b.findings[0]!),
  );
}

function byObject(a: Finding, b: Finding): number {
  return (
    (a.object.namespace ?? '').localeCompare(b.object.namespace ?? '') ||
    a.object.name.localeCompare(b.object.name) ||
    a.object.kind.localeCompare(b.object.kind) ||
    a.code.localeCompare(b.code)
  );
}

export interface SeverityCounts {
  error: number;
  warning: number;
  info: number;
}

export interface FindingSummary {
  total: SeverityCounts;
  /** Per check (area), in the order checks first appear in the catalogue sort (by name). */
  byCheck: { check: string; counts: SeverityCounts }[];
  /** Per namespace, most errors first (then warnings, info, name); cluster-scoped objects under ''. */
  byNamespace: { namespace: string; counts: SeverityCounts }[];
}

const zero = (): SeverityCounts => ({ error: 0, warning: 0, info: 0 });

export function summarize(findings: readonly Finding[]): FindingSummary {
  const total = zero();
  const checks = new Map<string, SeverityCounts>();
  const namespaces = new Map<string, SeverityCounts>();
  for (const f of findings) {
    total[f.severity]++;
    const c = checks.get(f.check) ?? zero();
    c[f.severity]++;
    checks.set(f.check, c);
    const ns = f.object.namespace ?? '';
    const n = namespaces.get(ns) ?? zero();
    n[f.severity]++;
    namespaces.set(ns, n);
  }
  const worst = (a: SeverityCounts, b: SeverityCounts) => b.error - a.error || b.warning - a.warning || b.info - a.info;
  return {
    total,
    byCheck: [...checks].map(([check, counts]) => ({ check, counts })).sort((a, b) => a.check.localeCompare(b.check)),
    byNamespace: [...namespaces]
      .map(([namespace, counts]) => ({ namespace, counts }))
      .sort((a, b) => worst(a.counts, b.counts) || a.namespace.localeCompare(b.namespace)),
  };
}
