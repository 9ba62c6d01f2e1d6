// Markdown for pasting into an incident channel or a ticket.
import type { CheckResult } from './check-result.js';
import { refString, sortFindings, type Finding } from './types.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(title: string, checks: readonly CheckResult[], findings: readonly Finding[], meta: string[]): string {
  const lines = [`## ${title}`, '', ...meta.map((m) => `- ${m}`), '', '| check | status | errors | warnings | time |', '| --- | --- | --- | --- | --- |'];
  for (const c of checks) {
    lines.push(
      `| ${cell(c.title)} | ${c.status}${c.reason ? ` (${cell(c.reason)})` : ''} | ${c.errors} | ${c.warnings} | ${(c.durationMs / 1000).toFixed(2)} s |`,
    );
  }
  for (const severity of ['error', 'warning', 'info'] as const) {
    const group = sortFindings(findings).filter((f) => f.severity === severity);
    if (!group.length) continue;
    lines.push('', `### ${severity === 'error' ? 'Errors' : severity === 'warning' ? 'Warnings' : 'Info'} (${group.length})`, '');
    for (const f of group) {
      lines.push(
        `- **${f.code}** \`${f.object.kind} ${refString(f.object)}\`: ${f.message}`,
        `  - cause: ${f.cause.replace(/\n/g, ' ')}`,
        `  - fix: \`${f.fix.replace(/`/g, "'").replace(/\n/g, ' ')}\``,
      );
    }
  }
  return lines.join('\n');
}
