// Formatters over Report data: JSON, YAML and the human findings list.
import type { Style } from './style.js';
import { refString, sortFindings, type Finding, type Report } from './types.js';

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2);
}

export async function renderYaml(report: Report): Promise<string> {
  const { dump } = await import('js-yaml');
  return dump(JSON.parse(JSON.stringify(report)), { noRefs: true, lineWidth: -1, sortKeys: false }).trimEnd();
}

/** Strips terminal control sequences and other control characters from untrusted text. */
export function sanitize(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[@-Z\\-_]/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
    // Bidirectional overrides and isolates reorder what the terminal shows.
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, '');
}

/** Findings grouped by severity, each with its cause and fix, for people. */
export function renderFindings(findings: readonly Finding[], style: Style, options: { minSeverity?: 'info' | 'warning' | 'error' } = {}): string {
  const order = ['error', 'warning', 'info'] as const;
  const keep = options.minSeverity ? order.slice(0, order.indexOf(options.minSeverity) + 1) : order;
  const sorted = sortFindings(findings).filter((f) => (keep as readonly string[]).includes(f.severity));
  if (sorted.length === 0) return '';
  const lines: string[] = [];
  for (const f of sorted) {
    const head = `${style.severity(f.severity, f.severity.toUpperCase().padEnd(7))} ${style.paint('dim', f.code)}  ${sanitize(f.object.kind)} ${sanitize(refString(f.object))}: ${sanitize(stripName(f))}`;
    lines.push(head);
    // Multi-line causes and fixes (e.g. YAML to paste) stay indented under their label.
    const indent = (text: string) => text.split('\n').map(sanitize).join('\n                 ');
    lines.push(`          cause: ${indent(f.cause)}`);
    lines.push(`          fix:   ${indent(f.fix)}`);
  }
  return lines.join('\n');
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
