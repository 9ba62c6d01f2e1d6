// "Did you mean …?" for a mistyped name: the nearest existing names by edit distance.
// Own code, not a dependency: the distance is a dozen lines, names are short (≤ 253
// characters) and lists small enough that speed does not matter, and kdiag's start-up and
// single-file build stay as they are. Optimal string alignment distance, so a swap of two
// neighbouring letters ("crat" → "cart") costs one edit, as a person typing sees it.

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The existing names closest to `typed` (at most `limit`): within a third of its length in
 * edits (at least 1, at most 3), or names it is the start of ("api" → "api-service").
 */
export function nearestNames(typed: string, candidates: Iterable<string>, limit = 3): string[] {
  const word = typed.toLowerCase();
  const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(candidates)) {
    if (name === typed || !name) continue;
    const lower = name.toLowerCase();
    const distance = editDistance(word, lower);
    if (distance <= allowed) scored.push({ name, score: distance });
    else if (word.length >= 3 && lower.startsWith(word)) scored.push({ name, score: allowed + 1 });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((s) => s.name);
}

/** "; did you mean cart?" / "; did you mean cart or carts?" / "" when nothing is near. */
export function didYouMean(typed: string, candidates: Iterable<string>): string {
  const near = nearestNames(typed, candidates);
  if (near.length === 0) return '';
  const list = near.length === 1 ? near[0]! : `${near.slice(0, -1).join(', ')} or ${near.at(-1)!}`;
  return `; did you mean ${list}?`;
}
