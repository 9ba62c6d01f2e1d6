// A list page parsed one item at a time, as its bytes arrive. JSON.parse of a whole page
// (500 Pods, ≈ 3 MB of text) builds every object before the first can be trimmed, and the
// page's text and buffers are large objects that only full collections free; at 20,000 Pods
// they made most of the peak memory and of the GC time. Here each item is cut from the
// stream's chunks, parsed alone and trimmed at once: what kdiag does not keep dies young.
// The scanner reads bytes: in UTF-8 no byte of a multi-byte character is an ASCII quote,
// backslash or bracket, so structure is found without decoding.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const ITEMS_KEY = /"items"\s*:\s*$/;

export interface ParsedPage<T> {
  /** The list's own fields (kind, apiVersion, metadata with `continue`), items left out. */
  list: { metadata?: { continue?: string; resourceVersion?: string } } & Record<string, unknown>;
  items: T[];
}

/**
 * Splits a list response into its items as chunks arrive. `keep` gets each item as soon as
 * it is parsed and returns what to keep of it (undefined: nothing).
 */
export class ListPageParser<T> {
  private depth = 0;
  private inString = false;
  /** Backslashes that ended the previous chunk inside a string (their parity escapes a quote at the start of this one). */
  private slashes = 0;
  /** Inside the top-level `items` array. */
  private inItems = false;
  /** The list without its items' contents, as text (small: kind, apiVersion, metadata). */
  private outside = '';
  /** The parts of the item being read, from earlier chunks. */
  private pending: Buffer[] = [];
  private inItem = false;
  readonly items: T[] = [];

  constructor(private readonly keep: (item: unknown) => T | undefined) {}

  push(chunk: Buffer): void {
    let outsideFrom = this.inItems ? -1 : 0;
    let itemFrom = this.inItem ? 0 : -1;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        const q = chunk.indexOf(QUOTE, i);
        if (q < 0) {
          this.slashes = trailingSlashes(chunk, n, i, this.slashes);
          break;
        }
        const before = trailingSlashes(chunk, q, i, this.slashes);
        this.slashes = 0;
        i = q + 1;
        if (before % 2 === 0) this.inString = false;
        continue;
      }
      const c = chunk[i]!;
      if (c === QUOTE) {
        this.inString = true;
        this.slashes = 0;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (this.inItems && this.depth === 2) {
          if (c !== OPEN_OBJECT) throw new SyntaxError('a list item that is not an object');
          this.inItem = true;
          itemFrom = i;
        } else if (!this.inItems && this.depth === 1 && c === OPEN_ARRAY && ITEMS_KEY.test(this.outside + chunk.toString('utf8', outsideFrom, i))) {
          this.outside += chunk.toString('utf8', outsideFrom, i + 1);
          outsideFrom = -1;
          this.inItems = true;
        }
        this.depth++;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        this.depth--;
        if (this.inItem && this.depth === 2) {
          this.item(chunk.subarray(itemFrom, i + 1));
          itemFrom = -1;
        } else if (this.inItems && this.depth === 1) {
          this.inItems = false;
          outsideFrom = i;
        }
      }
      i++;
    }
    if (this.inItem && itemFrom >= 0) this.pending.push(chunk.subarray(itemFrom));
    if (outsideFrom >= 0) this.outside += chunk.toString('utf8', outsideFrom);
  }

  private item(last: Buffer): void {
    const text = this.pending.length === 0 ? last.toString('utf8') : Buffer.concat([...this.pending, last]).toString('utf8');
    this.pending = [];
    this.inItem = false;
    const kept = this.keep(JSON.parse(text));
    if (kept !== undefined) this.items.push(kept);
  }

  /** The page, once every chunk has been pushed. */
  end(): ParsedPage<T> {
    if (this.inString || this.depth !== 0 || this.inItems) throw new SyntaxError('the list response ended early');
    const list = JSON.parse(this.outside) as ParsedPage<T>['list'] & { items?: unknown[] | null };
    // `items: null` (no array) was parsed with the list; an array's contents went to keep().
    for (const item of list.items ?? []) {
      const kept = this.keep(item);
      if (kept !== undefined) this.items.push(kept);
    }
    delete list.items;
    return { list, items: this.items };
  }
}

/** Backslashes right before `end` (down to `from`), plus `carried` when they reach `from`. */
function trailingSlashes(chunk: Buffer, end: number, from: number, carried: number): number {
  let k = end - 1;
  while (k >= from && chunk[k] === BACKSLASH) k--;
  const run = end - 1 - k;
  return k < from ? run + carried : run;
}

/** Parses a list response from its body stream (web ReadableStream or async iterable of bytes). */
export async function parseListStream<T>(body: AsyncIterable<Uint8Array>, keep: (item: unknown) => T | undefined): Promise<ParsedPage<T>> {
  const parser = new ListPageParser(keep);
  for await (const chunk of body) parser.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return parser.end();
}

/** Parses a whole list response held as text. */
export function parseListPage<T>(text: string, keep: (item: unknown) => T | undefined): ParsedPage<T> {
  const parser = new ListPageParser(keep);
  parser.push(Buffer.from(text, 'utf8'));
  return parser.end();
}
