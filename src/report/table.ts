// kubectl-style tables (no borders, columns padded) built with cli-table3. On a TTY the
// table fits the terminal: the last column wraps; piped output is never cut.
import Table from 'cli-table3';

export interface TableOptions {
  noHeaders?: boolean;
  /** Terminal width to fit; undefined = no limit (not a TTY). */
  width?: number;
}

const GAP = 3;

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export function renderTable(head: string[], rows: string[][], options: TableOptions = {}): string {
  const all = options.noHeaders ? rows : [head, ...rows];
  if (all.length === 0) return '';
  const widths = head.map((_, i) => Math.max(1, ...all.map((r) => Math.max(...(r[i] ?? '').split('\n').map(visibleLength)))));
  const natural = widths.reduce((a, b) => a + b + GAP, 0);
  const colWidths = widths.map((w) => w + GAP);
  let wrap = false;
  if (options.width && natural > options.width) {
    // Give the last column what is left (at least 20), and wrap it.
    const fixed = colWidths.slice(0, -1).reduce((a, b) => a + b, 0);
    colWidths[colWidths.length - 1] = Math.max(20, options.width - fixed - 1);
    wrap = true;
  }
  const table = new Table({
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': GAP, compact: true },
    colWidths,
    wordWrap: wrap,
    wrapOnWordBoundary: true,
  });
  for (const r of all) table.push(r.map((c) => c ?? ''));
  return table
    .toString()
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n');
}
