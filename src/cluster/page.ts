// A list page parsed one item at a time, as its bytes arrive. JSON.parse of a whole page
// (500 Pods, ≈ 3 MB of text) builds every object before the first can be trimmed, and the
// page's text and buffers are large objects that only full collections free; at 20,000 Pods
// they made most of the peak memory and of the GC time. Here each item is cut from the
// stream's chunks, parsed alone and trimmed at once: what kdiag does not keep dies young.
// The scanner reads the decoded text of each chunk (a character cut between chunks is
// completed by the next one) and finds structure by quotes, backslashes and brackets.

import { StringDecoder } from 'node:string_decoder';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const ITEMS_KEY = /"items"\s*:\s*$/;
/** Inside the list object the depth is 1, its items array 2, an item 3, the item's metadata 4. */
const ITEM_DEPTH = 3;
const METADATA_DEPTH = 4;

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
  /** The start of the item being read, from earlier chunks. */
  private pending = '';
  private inItem = false;
  /** Inside an item's `metadata` object. */
  private inMetadata = false;
  /** Inside an item's `metadata.managedFields` array, which is left out of the item's text. */
  private skipping = false;
  /** Bytes to text; a character cut between two chunks is completed by the next one. */
  private readonly decoder = new StringDecoder('utf8');
  readonly items: T[] = [];

  constructor(private readonly keep: (item: unknown) => T | undefined) {}

  /** The next bytes of the response. */
  push(chunk: Buffer): void {
    this.pushText(this.decoder.write(chunk));
  }

  /**
   * The next characters of the response. Scanning text rather than bytes: one decoding per
   * chunk and String.prototype.indexOf over it cost less than decoding each item's bytes and
   * Buffer.indexOf (≈ 15 % of parsing at 20,000 Pods).
   */
  pushText(text: string): void {
    let outsideFrom = this.inItems ? -1 : 0;
    let itemFrom = this.inItem && !this.skipping ? 0 : -1;
    // Where the string being read started, and the closing quote of an item's `"metadata"` key
    // or of its metadata's `"managedFields"` key (-1: none). The managedFields array, which no
    // caller keeps, is replaced by null before JSON.parse: about 40 % of a Pod's text as the API
    // server sends it, and most of the objects parsing it would make. (A key cut between two
    // chunks is not recognised: that item's managedFields is parsed, and trimmed by the caller.)
    let stringFrom = -1;
    let keyEnd = -1;
    let keyIs: 'metadata' | 'managedFields' | undefined;
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        const q = text.indexOf('"', i);
        if (q < 0) {
          this.slashes = trailingSlashes(text, n, i, this.slashes);
          break;
        }
        const before = trailingSlashes(text, q, i, this.slashes);
        this.slashes = 0;
        i = q + 1;
        if (before % 2 === 0) {
          this.inString = false;
          if (this.inItem && stringFrom >= 0) {
            keyIs = undefined;
            if (this.depth === ITEM_DEPTH && q - stringFrom === 9 && text.startsWith('metadata"', stringFrom + 1)) keyIs = 'metadata';
            else if (this.inMetadata && this.depth === METADATA_DEPTH && q - stringFrom === 14 && text.startsWith('managedFields"', stringFrom + 1))
              keyIs = 'managedFields';
            keyEnd = keyIs ? q : -1;
          }
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.inString = true;
        this.slashes = 0;
        stringFrom = i;
        keyEnd = -1;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        // The value right after the key (compact JSON, as the API server writes it: `"key":{`).
        const afterKey = keyEnd >= 0 && i === keyEnd + 2 && text.charCodeAt(i - 1) === COLON;
        if (afterKey && keyIs === 'metadata' && c === OPEN_OBJECT && this.depth === ITEM_DEPTH) {
          this.inMetadata = true;
        } else if (afterKey && keyIs === 'managedFields' && c === OPEN_ARRAY && this.depth === METADATA_DEPTH && this.inMetadata) {
          this.pending += text.slice(itemFrom, i) + 'null';
          itemFrom = -1;
          this.skipping = true;
        } else if (this.inItems && this.depth === 2) {
          if (c !== OPEN_OBJECT) throw new SyntaxError('a list item that is not an object');
          this.inItem = true;
          itemFrom = i;
        } else if (!this.inItems && this.depth === 1 && c === OPEN_ARRAY && ITEMS_KEY.test(this.outside + text.slice(outsideFrom, i))) {
          this.outside += text.slice(outsideFrom, i + 1);
          outsideFrom = -1;
          this.inItems = true;
        }
        this.depth++;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        this.depth--;
        if (this.skipping && this.depth === METADATA_DEPTH) {
          this.skipping = false;
          itemFrom = i + 1;
        } else if (this.inMetadata && this.depth === ITEM_DEPTH) {
          this.inMetadata = false;
        } else if (this.inItem && this.depth === 2) {
          this.item(text.slice(itemFrom, i + 1));
          itemFrom = -1;
        } else if (this.inItems && this.depth === 1) {
          this.inItems = false;
          outsideFrom = i;
        }
      }
      i++;
    }
    if (this.inItem && itemFrom >= 0) this.pending += text.slice(itemFrom);
    if (outsideFrom >= 0) this.outside += text.slice(outsideFrom);
  }

  private item(last: string): void {
    const text = this.pending === '' ? last : this.pending + last;
    this.pending = '';
    this.inItem = false;
    const kept = this.keep(JSON.parse(text));
    if (kept !== undefined) this.items.push(kept);
  }

  /** The page, once every chunk has been pushed. */
  end(): ParsedPage<T> {
    const rest = this.decoder.end();
    if (rest) this.pushText(rest);
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
function trailingSlashes(text: string, end: number, from: number, carried: number): number {
  let k = end - 1;
  while (k >= from && text.charCodeAt(k) === BACKSLASH) k--;
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
  parser.pushText(text);
  return parser.end();
}
