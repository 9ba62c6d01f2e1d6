// A cast that silences the compiler about a type (`as never`, `as unknown as`) hid the crash of
// issue 22: every one in src/ must say why it is safe, in a `// cast:` comment on the same line
// or in the comment block right above it.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../support/run.js';

const SILENCING = /\bas never\b|\bas unknown as\b/;

/** Lines (1-based) with a silencing cast and no `// cast:` reason. */
export function unexplainedCasts(source: string): number[] {
  const lines = source.split('\n');
  const found: number[] = [];
  lines.forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    if (!SILENCING.test(code)) return;
    if (/\/\/\s*cast:/.test(line)) return;
    // The comment block right above (contiguous // lines).
    for (let j = i - 1; j >= 0 && /^\s*\/\//.test(lines[j]!); j--) {
      if (/\/\/\s*cast:/.test(lines[j]!)) return;
    }
    found.push(i + 1);
  });
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('silencing casts', () => {
  it.each([
    ['const a = b as Foo;', []],
    ['const a = b as never; // cast: the API takes any value here', []],
    ['// cast: fromEntries forgets the keys\nconst a = Object.fromEntries(x) as unknown as Objects;', []],
    ['// cast: the generated classes take more arguments;\n// the subclass is still a T.\nreturn class extends (Api as unknown as Ctor) {', []],
    ['// a comment that gives no reason\nconst a = b as never;', [2]],
    ['// cast: a reason for the first\nconst a = b as never;\n\nconst c = d as unknown as E;', [4]],
    ['const a = b as never;', [1]],
    ['// the words as never in a comment are fine', []],
  ])('%j → unexplained on lines %j', (source, lines) => {
    expect(unexplainedCasts(source)).toEqual(lines);
  });

  it('every silencing cast in src/ says why it is safe', () => {
    const missing = sources(join(ROOT, 'src')).flatMap((file) => unexplainedCasts(readFileSync(file, 'utf8')).map((line) => `${relative(ROOT, file)}:${line}`));
    expect(missing).toEqual([]);
  });
});
