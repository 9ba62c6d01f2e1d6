// Hostile input for every rule: values an object's author controls (names where the API allows
// it, labels, annotations, paths, hosts, Secret names) that would run a command, break YAML or
// drive the terminal if kdiag concatenated them into a fix. The assertions read a fix the way a
// person pasting it would: bash parses each command, js-yaml each manifest.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { renderCommand, toYaml } from '../../src/report/fix.js';
import { renderFindings } from '../../src/report/render.js';
import { makeStyle } from '../../src/report/style.js';
import type { Finding } from '../../src/report/types.js';

/** Each would do harm (run `touch PWNED`, end a quote, fake a terminal line) if not quoted. */
export const HOSTILE_STRINGS: readonly string[] = [
  "x'; touch PWNED; echo '",
  'x"; touch PWNED; echo "',
  '$(touch PWNED)',
  '`touch PWNED`',
  'a;touch PWNED',
  'a && touch PWNED',
  'a | touch PWNED',
  'line1\ntouch PWNED',
  '\u001b[2J\u001b[31mFAKE\u001b[0m',
  '\u001b]8;;http://127.0.0.1/\u0007link\u001b]8;;\u0007',
  'ab\u202ecd',
  'zero\u200bwidth',
  'аpi', // Cyrillic а
  'true',
  'no',
  '0x1',
  '~',
  'null',
  '- item',
  '{a: b}',
  '#comment',
  '*alias',
  "it's",
  'back\\slash',
  '',
];

/** YAML-special values that must stay strings (labels and annotation values are strings). */
export const YAML_SPECIAL: readonly string[] = ['true', 'no', 'yes', 'on', 'off', '0x1', '012', '1e3', '~', 'null', '.inf'];

/**
 * The argument vector bash gives a command line whose first word is a program: the program is
 * replaced by a function that prints its arguments, the line runs in an empty folder, and any
 * injected `touch PWNED` shows up as a file there (and fails the assertion).
 */
export function shellArgv(commandLine: string): string[] {
  return shellArgvs([commandLine])[0]!;
}

/** Printed after each line's argument vector (no argument of a fix is this word). */
const END = '--kdiag-end-of-command--';

/** shellArgv for several command lines in one bash (one process per finding list, not per command). */
export function shellArgvs(commandLines: readonly string[]): string[][] {
  if (commandLines.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'kdiag-hostile-'));
  try {
    const programs = [...new Set(commandLines.map((l) => /^\s*([A-Za-z0-9_-]+)/.exec(l)?.[1] ?? 'kubectl'))];
    const fns = programs.map((p) => `${p}() { printf '%s\\0' ${p} "$@"; }`).join('; ');
    // Each line runs in a subshell with empty input; a marker ends its output.
    const body = commandLines.map((l) => `( ${l}\n) </dev/null; printf '%s\\0' ${END}`).join('\n');
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `${fns}\n${body}`], { cwd: dir, encoding: 'utf8', input: '' });
    if (existsSync(join(dir, 'PWNED'))) throw new Error(`injection: one of ${JSON.stringify(commandLines)} ran a command`);
    const vectors: string[][] = [[]];
    for (const word of out.split('\0').slice(0, -1)) {
      if (word === END) vectors.push([]);
      else vectors[vectors.length - 1]!.push(word);
    }
    return vectors.slice(0, -1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * What every finding must satisfy: each command in its remediation is printed in the fix text and
 * parses to exactly its argv; each manifest (and command input) round-trips through YAML; the fix
 * text holds no kubectl command that is not one of them (no concatenated command); and the
 * terminal rendering has no raw control character.
 */
export function expectSafeFindings(findings: readonly Finding[]): void {
  const commands = findings.flatMap((f) => (f.remediation?.commands ?? []).map((c) => ({ f, c, rendered: renderCommand(c) })));
  const parsed = shellArgvs(commands.map(({ rendered }) => (rendered.split('\n')[0] ?? '').replace(/ <<'[^']+'$/, '')));
  commands.forEach(({ f, c }, i) => expect({ code: f.code, argv: parsed[i] }).toEqual({ code: f.code, argv: c.argv }));
  for (const f of findings) {
    let rest = f.fix;
    for (const c of f.remediation?.commands ?? []) {
      const rendered = renderCommand(c);
      expect({ code: f.code, fix: f.fix, contains: f.fix.includes(rendered) }).toEqual({ code: f.code, fix: f.fix, contains: true });
      if (c.stdin) expect(load(toYaml(c.stdin))).toEqual(c.stdin);
      rest = rest.replace(rendered, '');
    }
    for (const m of f.remediation?.manifests ?? []) expect(load(toYaml(m))).toEqual(m);
    expect({ code: f.code, concatenated: /\bkubectl\s+[a-z-]/.test(rest) ? rest : '' }).toEqual({ code: f.code, concatenated: '' });
  }
  const screen = renderFindings(findings, makeStyle(false));
  expect(RAW_CONTROL.test(screen.replace(/\n/g, ''))).toBe(false);
}
