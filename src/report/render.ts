// Formatters over Report data: JSON, YAML and the human findings list.
import { CODES, type Code } from './codes.js';
import { groupFindings, summarize, type FindingGroup, type FindingSummary, type SeverityCounts } from './group.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';
import { refString, type Finding, type Report, type Severity } from './types.js';

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2);
}

/**
 * renderJson's text in pieces: the report's top-level arrays (services, findings…) one element
 * at a time, so a cluster-wide report (26 MB at 40,000 Pods) is never one string in memory.
 * Joined, the pieces are exactly renderJson(report).
 */
export function* renderJsonPieces(report: Report): Generator<string> {
  const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);
  const entries = Object.entries(report).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    const head = `\n  ${JSON.stringify(key)}: `;
    const comma = i < entries.length - 1 ? ',' : '';
    if (Array.isArray(value) && value.length > 0) {
      yield `${head}[`;
      for (let j = 0; j < value.length; j++) {
        yield `\n    ${indent(JSON.stringify(value[j], null, 2) ?? 'null', '    ')}${j < value.length - 1 ? ',' : ''}`;
      }
      yield `\n  ]${comma}`;
    } else {
      yield `${head}${indent(JSON.stringify(value, null, 2), '  ')}${comma}`;
    }
  }
  yield '\n}';
}

export async function renderYaml(report: Report): Promise<string> {
  const { dump } = await import('js-yaml');
  return dump(JSON.parse(JSON.stringify(report)), { noRefs: true, lineWidth: -1, sortKeys: false }).trimEnd();
}

/** Strips terminal control sequences and other control characters from untrusted text. */
export function sanitize(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[@-Z\\-_]/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
      // Bidi and zero-width characters reorder or hide text: shown as <U+202E>, never acted on.
      .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069]/g, (ch) => `<U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`)
  );
}

/** How table output shows findings (the flags --details, --all-objects, --max-findings, -o wide). */
export interface FindingsView {
  /** Info findings in full (cause and fix); otherwise one line each. */
  details?: boolean;
  /** Every object of a group; otherwise the first OBJECTS_SHOWN and a count. */
  allObjects?: boolean;
  /** At most this many entries (a group counts once); 0 or undefined = all. */
  maxEntries?: number;
  /** Summary first and last: 'auto' when there are more than SUMMARY_FROM findings. */
  summary?: 'auto' | 'always' | 'never';
  /** The opening summary leaves out the per-check table (the command printed its own). */
  checksShown?: boolean;
  minSeverity?: Severity;
}

export const OBJECTS_SHOWN = 5;
export const NAMESPACES_SHOWN = 5;
export const SUMMARY_FROM = 10;
export const DEFAULT_MAX_ENTRIES = 50;
/**
 * Above this many lines of entries, a multi-line fix (a manifest or patch to paste) shows its
 * first line and how to see the rest, so a cluster-wide scan stays a few screens long; a
 * namespace's report is far below it and keeps every manifest in place.
 */
export const FOLD_FIXES_FROM_LINES = 120;

const SEVERITY_ORDER = ['error', 'warning', 'info'] as const;

/**
 * Findings for people: repeated findings grouped (src/report/group.ts), errors and warnings
 * with cause and fix, info one line each; with many findings a summary by check and namespace
 * comes first and again last, so both the first and the last screen answer.
 */
export function renderFindings(findings: readonly Finding[], style: Style, view: FindingsView = {}): string {
  const keep = view.minSeverity ? SEVERITY_ORDER.slice(0, SEVERITY_ORDER.indexOf(view.minSeverity) + 1) : SEVERITY_ORDER;
  const shown = findings.filter((f) => (keep as readonly string[]).includes(f.severity));
  if (shown.length === 0) return '';
  const groups = groupFindings(shown);
  const limit = view.maxEntries && view.maxEntries > 0 ? view.maxEntries : Infinity;
  let blocks = groups.slice(0, limit).map((g) => renderGroup(g, style, view));
  if (!view.details && lineCount(blocks) > FOLD_FIXES_FROM_LINES) blocks = groups.slice(0, limit).map((g) => renderGroup(g, style, view, true));
  const left = groups.slice(limit);
  if (left.length) {
    const count = left.reduce((n, g) => n + g.findings.length, 0);
    const counts = countsText(summarize(left.flatMap((g) => g.findings)).total);
    const entries = `${left.length} more ${left.length === 1 ? 'entry' : 'entries'}`;
    blocks.push(`... ${entries} (${counts}; ${count} finding${count === 1 ? '' : 's'}) not shown: --max-findings 0 shows every entry, -o json every finding.`);
  }
  const summaryWanted = view.summary === 'always' || (view.summary !== 'never' && shown.length > SUMMARY_FROM);
  if (!summaryWanted) return `${blocks.join('\n')}\n\n${summaryLine(shown)}`;
  const summary = summarize(shown);
  const entries = `${shown.length} findings in ${groups.length} ${groups.length === 1 ? 'entry' : 'entries'}`;
  const opening = renderSummary(summary, style, { checks: !view.checksShown, title: `SUMMARY: ${countsText(summary.total)} (${entries})` });
  const closing = renderSummary(summary, style, { checks: true, title: `SUMMARY (again): ${countsText(summary.total)} (${entries})` });
  return [opening, blocks.join('\n'), closing, summaryLine(shown)].join('\n\n');
}

function lineCount(blocks: readonly string[]): number {
  return blocks.reduce((n, b) => n + b.split('\n').length, 0);
}

function countsText(c: SeverityCounts): string {
  return `${c.error} error${c.error === 1 ? '' : 's'}, ${c.warning} warning${c.warning === 1 ? '' : 's'}, ${c.info} info`;
}

/** Counts per check (area) and per namespace, worst namespaces first, at most NAMESPACES_SHOWN of them. */
export function renderSummary(summary: FindingSummary, style: Style, options: { checks: boolean; title: string }): string {
  const lines = [style.paint('bold', options.title)];
  const cells = (c: SeverityCounts) => [
    c.error ? style.severity('error', String(c.error)) : '0',
    c.warning ? style.severity('warning', String(c.warning)) : '0',
    String(c.info),
  ];
  if (options.checks)
    lines.push(
      renderTable(
        ['CHECK', 'ERRORS', 'WARNINGS', 'INFO'],
        summary.byCheck.map((r) => [r.check, ...cells(r.counts)]),
      ),
    );
  const namespaces = summary.byNamespace;
  if (namespaces.length > 1 || (namespaces.length === 1 && namespaces[0]!.namespace !== '')) {
    const top = namespaces.slice(0, NAMESPACES_SHOWN);
    const rows = top.map((r) => [r.namespace ? sanitize(r.namespace) : '(cluster-scoped)', ...cells(r.counts)]);
    const rest = namespaces.slice(NAMESPACES_SHOWN);
    if (rest.length) {
      const sum = rest.reduce((a, r) => ({ error: a.error + r.counts.error, warning: a.warning + r.counts.warning, info: a.info + r.counts.info }), {
        error: 0,
        warning: 0,
        info: 0,
      });
      rows.push([`(${rest.length} more namespaces)`, String(sum.error), String(sum.warning), String(sum.info)]);
    }
    lines.push(renderTable(['NAMESPACE', 'ERRORS', 'WARNINGS', 'INFO'], rows));
  }
  return lines.join('\n');
}

const CONTINUATION = '\n                 ';

/** One entry: a single finding as before, or a group with its count, objects, shared cause and fix. */
function renderGroup(g: FindingGroup, style: Style, view: FindingsView, foldFixes = false): string {
  const first = g.findings[0]!;
  const label = `${style.severity(g.severity, g.severity.toUpperCase().padEnd(7))} ${style.paint('dim', g.code)}  `;
  const full = g.severity !== 'info' || view.details;
  // Multi-line causes and fixes (e.g. YAML to paste) stay indented under their label.
  const indent = (text: string) => text.split('\n').map(sanitize).join(CONTINUATION);
  if (g.findings.length === 1) {
    const lines = [`${label}${sanitize(first.object.kind)} ${sanitize(refString(first.object))}: ${sanitize(stripName(first))}`];
    if (full) lines.push(`          cause: ${indent(first.cause)}`, `          fix:   ${foldFixes ? folded(first.fix, '') : indent(first.fix)}`);
    return lines.join('\n');
  }
  const messages = new Set(g.findings.map(stripName));
  const what = messages.size === 1 ? sanitize(stripName(first)) : (CODES[g.code as Code]?.title ?? sanitize(stripName(first)));
  const root = g.root ? `, all from ${sanitize(g.root.kind)} ${sanitize(refString(g.root))}` : '';
  const head = `${label}${g.findings.length} ${plural(g.findings)}: ${what}${root}`;
  const objects = objectList(g.findings, view.allObjects ?? false);
  if (!full) return `${head} (${objects})`;
  const example = `(e.g. ${sanitize(first.object.kind)} ${sanitize(refString(first.object))}) `;
  const sameFix = g.findings.every((f) => f.fix === first.fix);
  // A manifest written for one object of many is an example, not the fix of the others: its
  // first line here, the whole with --details, each object's in -o json (remediation).
  const fix = (sameFix && !foldFixes) || view.details ? indent(first.fix) : folded(first.fix, sameFix ? '' : "; -o json has each object's fix");
  return [
    head,
    `          objects: ${objects}`,
    `          cause: ${g.sameCause ? '' : example}${indent(first.cause)}`,
    `          fix:   ${sameFix ? '' : example}${fix}`,
  ].join('\n');
}

/** A fix's first line and how many lines --details adds (the whole fix when it is one line). */
function folded(fix: string, also: string): string {
  const [firstLine, ...more] = fix.split('\n');
  if (more.length === 0) return sanitize(fix);
  return `${sanitize(firstLine!)} [${more.length} more line${more.length === 1 ? '' : 's'}: --details prints them${also}]`;
}

function objectList(findings: readonly Finding[], all: boolean): string {
  const refs = findings.map((f) => sanitize(refString(f.object)));
  if (all || refs.length <= OBJECTS_SHOWN + 1) return wrapList(refs);
  return `${refs.slice(0, OBJECTS_SHOWN).join(', ')} and ${refs.length - OBJECTS_SHOWN} more (--all-objects lists them)`;
}

/** A long list on several lines of about 100 characters, under the "objects:" label. */
function wrapList(items: string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line ? `${line}, ${item}` : item;
    if (line && next.length > 100) {
      lines.push(`${line},`);
      line = item;
    } else line = next;
  }
  lines.push(line);
  return lines.join(CONTINUATION);
}

/** "Ingresses", "NetworkPolicies", "Services"; "objects" when the kinds differ. */
function plural(findings: readonly Finding[]): string {
  const kinds = new Set(findings.map((f) => f.object.kind));
  if (kinds.size !== 1) return 'objects';
  const kind = sanitize([...kinds][0]!);
  if (/(s|x|ch|sh)$/.test(kind)) return `${kind}es`;
  if (/[^aeiou]y$/.test(kind)) return `${kind.slice(0, -1)}ies`;
  return `${kind}s`;
}

/** Messages start with the object's name for JSON readers; the human list already shows it. */
function stripName(f: Finding): string {
  const prefix = `${f.object.name}: `;
  return f.message.startsWith(prefix) ? f.message.slice(prefix.length) : f.message;
}

export function summaryLine(findings: readonly Finding[]): string {
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  return `${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info`;
}
