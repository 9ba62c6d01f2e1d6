// A list page parsed one item at a time. JSON.parse of a whole page (500 Pods, ≈ 3 MB of
// text) builds every object before the first can be trimmed; they all outlive the young
// generation's collections and land in the old one as garbage, which only full collections
// free. Parsed item by item and trimmed at once, what kdiag does not keep dies young.

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const OPEN_OBJECT = 123; // {
const CLOSE_OBJECT = 125; // }
const OPEN_ARRAY = 91; // [
const CLOSE_ARRAY = 93; // ]

/** The index just past the string that starts at `start` (a quote). */
function stringEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return -1;
    let slashes = 0;
    for (let j = i - 1; text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return i + 1;
  }
}

/** Where the top-level `"items": [` array's elements start and the array ends, or undefined. */
function itemsArray(text: string): { open: number; close: number; elements: [number, number][] } | undefined {
  let depth = 0;
  let open = -1;
  let elementStart = -1;
  const elements: [number, number][] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (depth === 1 && open < 0 && end - i === 7 && text.startsWith('"items"', i)) {
        let k = end;
        while (text.charCodeAt(k) <= 32) k++;
        if (text.charCodeAt(k) !== 58) return undefined; // ':' — "items" was a value
        k++;
        while (text.charCodeAt(k) <= 32) k++;
        if (text.charCodeAt(k) !== OPEN_ARRAY) return undefined; // items: null
        open = k;
        depth = 2;
        i = k;
        continue;
      }
      i = end - 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (open >= 0 && depth === 2) elementStart = i;
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (open >= 0 && depth === 2 && elementStart >= 0) {
        elements.push([elementStart, i + 1]);
        elementStart = -1;
      } else if (open >= 0 && depth === 1) {
        return { open, close: i, elements };
      }
    }
  }
  return undefined;
}

export interface ParsedPage<T> {
  /** The list's own fields (kind, apiVersion, metadata with `continue`), items left out. */
  list: { metadata?: { continue?: string; resourceVersion?: string } } & Record<string, unknown>;
  items: T[];
}

/**
 * Parses a list response, passing each item to `keep` as soon as it is parsed; `keep` returns
 * what to keep of it (undefined: nothing). Text that is not a list of objects is parsed whole.
 */
export function parseListPage<T>(text: string, keep: (item: unknown) => T | undefined): ParsedPage<T> {
  const found = itemsArray(text);
  const items: T[] = [];
  if (!found) {
    const whole = JSON.parse(text) as ParsedPage<T>['list'] & { items?: unknown[] | null };
    for (const item of whole.items ?? []) {
      const kept = keep(item);
      if (kept !== undefined) items.push(kept);
    }
    delete whole.items;
    return { list: whole, items };
  }
  for (const [start, end] of found.elements) {
    const kept = keep(JSON.parse(text.slice(start, end)));
    if (kept !== undefined) items.push(kept);
  }
  const list = JSON.parse(text.slice(0, found.open) + '[]' + text.slice(found.close + 1)) as ParsedPage<T>['list'];
  delete list.items;
  return { list, items };
}
