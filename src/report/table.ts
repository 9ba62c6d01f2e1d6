// kubectl-style tables (no borders, columns padded) built with cli-table3. Given a width (a
// terminal), the table fits it: the widest columns are wrapped first, only between tokens
// (after a space or a comma, then after a slash), so an address, a port item, a name or a code
// is never split; only when even that cannot fit are the widest columns cut with an ellipsis.
// Without a width (piped output) nothing is wrapped or cut.
import Table from 'cli-table3';

export interface TableOptions {
  noHeaders?: boolean;
  /** Terminal width to fit; undefined = no limit (not a TTY). */
  width?: number;
  /**
   * Columns (indices) that may be left out, in this order, when wrapping between tokens cannot
   * make the table fit: better a column missing, and said so under the table, than cut values.
   */
  drop?: number[];
}

const GAP = 3;
/** The gap when even wrapping cannot make a table fit (gh's tables use two spaces). */
const TIGHT_GAP = 2;
/** A column cut with an ellipsis keeps at least this many characters. */
const MIN_CUT = 6;
const ELLIPSIS = '…';

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;
// eslint-disable-next-line no-control-regex
const WRAPPED = /^((?:\u001b\[[0-9;]*m)+)([^\u001b]*?)((?:\u001b\[[0-9;]*m)+)$/;

function visibleLength(text: string): number {
  return [...text.replace(SGR, '')].length;
}

/** A cell as text to wrap, and the colour around the whole of it (re-applied on each line). */
interface Cell {
  lines: string[];
  open: string;
  close: string;
  /** Colour inside the text: never wrapped (the escapes would be split). */
  fixed: boolean;
}

function parseCell(text: string): Cell {
  const m = WRAPPED.exec(text);
  if (m) return { lines: m[2]!.split('\n'), open: m[1]!, close: m[3]!, fixed: false };
  const fixed = text.replace(SGR, '') !== text;
  return { lines: text.split('\n'), open: '', close: '', fixed };
}

/**
 * Where a line may break: level 1 after spaces and commas; level 2 also after a slash that
 * separates names (infra/public, a/b/c), but not in a URL's `//`, a CIDR (`/24`) or a port
 * with its protocol (`80/TCP`). The pieces joined give the line back.
 */
export function breakPieces(line: string, level: 1 | 2): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const next = line[i + 1];
    let cut = false;
    if (c === ' ') cut = next !== ' ' && next !== undefined;
    else if (c === ',') cut = next !== ' ' && next !== undefined;
    else if (c === '/' && level === 2 && i > start && next !== undefined)
      cut = line[i - 1] !== '/' && line[i - 1] !== ':' && next !== '/' && !/^(\d|(TCP|UDP|SCTP)\b)/.test(line.slice(i + 1));
    if (cut) {
      pieces.push(line.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < line.length) pieces.push(line.slice(start));
  return pieces;
}

function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(1, width - 1)).join('')}${ELLIPSIS}`;
}

/** One line wrapped greedily at its break points; a piece wider than `width` is cut. */
export function wrapLine(line: string, width: number, level: 1 | 2): string[] {
  const out: string[] = [];
  let current = '';
  for (const piece of breakPieces(line, level)) {
    if (current && visibleLength((current + piece).trimEnd()) > width) {
      out.push(current.trimEnd());
      current = '';
    }
    current += piece;
  }
  out.push(current.trimEnd());
  return out.flatMap((l) => (visibleLength(l) > width ? [cut(l, width)] : [l]));
}

function cellWidth(cell: Cell): number {
  return Math.max(0, ...cell.lines.map(visibleLength));
}

/** The narrowest the cell can be without cutting a token. */
function cellMin(cell: Cell, level: 1 | 2): number {
  if (cell.fixed) return cellWidth(cell);
  return Math.max(0, ...cell.lines.flatMap((l) => breakPieces(l, level).map((p) => visibleLength(p.trimEnd()))));
}

function renderCell(cell: Cell, width: number, level: 1 | 2): string {
  if (cell.fixed || cellWidth(cell) <= width) return `${cell.open}${cell.lines.join('\n')}${cell.close}`;
  return cell.lines
    .flatMap((l) => wrapLine(l, width, level))
    .map((l) => `${cell.open}${l}${cell.close}`)
    .join('\n');
}

/**
 * Column widths that fit `budget`: the widest columns narrowed first, down to the same cap
 * (water-filling), none below `min`. Undefined when even the minimums do not fit.
 */
export function fitWidths(natural: readonly number[], min: readonly number[], budget: number): number[] | undefined {
  const floor = natural.map((n, i) => Math.min(n, min[i]!));
  if (floor.reduce((a, b) => a + b, 0) > budget) return undefined;
  const at = (cap: number) => natural.map((n, i) => Math.max(floor[i]!, Math.min(n, cap)));
  const total = (cap: number) => at(cap).reduce((a, b) => a + b, 0);
  let lo = 0;
  let hi = Math.max(0, ...natural);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (total(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return at(lo);
}

/** Tokens never cut, even as a last resort: IP addresses (with a port or prefix) and finding codes. */
const PROTECTED = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:]+:[0-9a-f]*)(?:[:/]\d+)?$|^KD\d{4}$/i;

function protectedMin(column: Cell[]): number {
  let min = 0;
  for (const cell of column)
    for (const line of cell.lines)
      for (const piece of breakPieces(line, 2)) {
        const token = piece.trimEnd().replace(/,$/, '');
        if (PROTECTED.test(token)) min = Math.max(min, visibleLength(piece.trimEnd()));
      }
  return min;
}

/**
 * Last resort: the widest columns after the first two (namespace and name, never cut) cut
 * down to fit, none below MIN_CUT or its widest address or code.
 */
function cutWidths(widths: number[], floors: readonly number[], budget: number): number[] {
  const out = [...widths];
  let excess = out.reduce((a, b) => a + b, 0) - budget;
  while (excess > 0) {
    let widest = -1;
    for (let i = out.length > 2 ? 2 : 0; i < out.length; i++) if (out[i]! > floors[i]! && (widest < 0 || out[i]! > out[widest]!)) widest = i;
    if (widest < 0) break;
    out[widest]!--;
    excess--;
  }
  return out;
}

interface Layout {
  widths: number[];
  level: 1 | 2;
  gap: number;
  /** Some values are cut with an ellipsis. */
  cut?: boolean;
}

function layout(columns: Cell[][], width: number | undefined): Layout {
  const natural = columns.map((col) => Math.max(1, ...col.map(cellWidth)));
  const budget = (gap: number) => (width === undefined ? Infinity : width - gap * (columns.length - 1));
  if (natural.reduce((a, b) => a + b, 0) <= budget(GAP)) return { widths: natural, level: 1, gap: GAP };
  for (const level of [1, 2] as const) {
    const min = columns.map((col) => Math.max(1, ...col.map((c) => cellMin(c, level))));
    const widths = fitWidths(natural, min, budget(GAP));
    if (widths) return { widths, level, gap: GAP };
  }
  const min2 = columns.map((col, i) => Math.min(natural[i]!, Math.max(1, ...col.map((c) => cellMin(c, 2)))));
  const tight = fitWidths(natural, min2, budget(TIGHT_GAP));
  if (tight) return { widths: tight, level: 2, gap: TIGHT_GAP };
  const floors = columns.map((col) => Math.max(MIN_CUT, protectedMin(col)));
  return { widths: cutWidths(min2, floors, budget(TIGHT_GAP)), level: 2, gap: TIGHT_GAP, cut: true };
}

export function renderTable(head: string[], rows: string[][], options: TableOptions = {}): string {
  const all = options.noHeaders ? rows : [head, ...rows];
  if (all.length === 0) return '';
  let shown = head.map((_, i) => i);
  const columnsOf = (keep: number[]) => keep.map((i) => all.map((r) => parseCell(r[i] ?? '')));
  let columns = columnsOf(shown);
  let fitted = layout(columns, options.width);
  const dropped: string[] = [];
  for (const i of options.drop ?? []) {
    if (!fitted.cut) break;
    const keep = shown.filter((k) => k !== i);
    if (keep.length === shown.length || keep.length < 2) continue;
    shown = keep;
    dropped.push(head[i]!);
    columns = columnsOf(shown);
    fitted = layout(columns, options.width);
  }
  const { widths, level, gap } = fitted;
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
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': gap, compact: true },
    colWidths: widths.map((w) => w + gap),
    wordWrap: false,
  });
  for (let r = 0; r < all.length; r++) table.push(columns.map((col, i) => renderCell(col[r]!, widths[i]!, level)));
  const text = table
    .toString()
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n');
  if (!dropped.length) return text;
  const note = `(not shown at ${options.width} columns: ${dropped.join(', ')}; a wider terminal or -o json shows ${dropped.length === 1 ? 'it' : 'them'})`;
  return `${text}\n${wrapLine(note, options.width ?? note.length, 1).join('\n')}`;
}
