// `--help` from the user's cache (bin/help-cache.js): the second run prints exactly what oclif and
// src/help.ts printed the first time, for every command, at 80 and 120 columns, with and without
// colour; other inputs (width, colour, name) never get another run's text.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kdiagBinary, ROOT } from '../support/run.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
const helpArgs: string[][] = [[], ['--help'], ...Object.keys(manifest.commands).map((id) => [...id.split(':'), '--help'])];

const freshCache = () => mkdtempSync(join(tmpdir(), 'kdiag-help-cache-'));
const saved = (cache: string) => {
  try {
    return readdirSync(join(cache, 'kdiag', 'help'));
  } catch {
    return [];
  }
};

/** Runs `fn` over `items`, `n` at a time (each is two kdiag processes). */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

describe('--help from the cache', () => {
  const variants: [string, NodeJS.ProcessEnv][] = [
    ['80 columns, NO_COLOR', { OCLIF_COLUMNS: '80', NO_COLOR: '1' }],
    ['120 columns, colour', { OCLIF_COLUMNS: '120', NO_COLOR: '', FORCE_COLOR: '1' }],
  ];
  it.each(variants)(
    'is byte-identical to oclif for every command (%s)',
    async (_name, env) => {
      const cache = freshCache();
      const failures: string[] = [];
      await pool(helpArgs, 4, async (args) => {
        const first = await kdiagBinary(args, { ...env, XDG_CACHE_HOME: cache });
        const second = await kdiagBinary(args, { ...env, XDG_CACHE_HOME: cache });
        expect(first.code).toBe(0);
        expect(first.stdout).toMatch(/USAGE/);
        if (second.stdout !== first.stdout || second.code !== 0 || second.stderr !== first.stderr) failures.push(args.join(' '));
      });
      expect(failures).toEqual([]);
      // One saved text per spelling (no arguments and --help print the same root help).
      expect(saved(cache)).toHaveLength(helpArgs.length);
      if (env.FORCE_COLOR) expect((await kdiagBinary(['--help'], { ...env, XDG_CACHE_HOME: cache })).stdout).toContain('\u001b[1mUSAGE');
    },
    240_000,
  );

  it('prints the saved text without running oclif, and only for the same inputs', async () => {
    const cache = freshCache();
    const env = { XDG_CACHE_HOME: cache, OCLIF_COLUMNS: '80' };
    const oclif80 = await kdiagBinary(['endpoints', '--help'], env);
    const [file] = saved(cache);
    const path = join(cache, 'kdiag', 'help', file!);
    const [key] = readFileSync(path, 'utf8').split('\n', 1);
    writeFileSync(path, `${key}\nfrom the cache\n`);
    expect((await kdiagBinary(['endpoints', '--help'], env)).stdout).toBe('from the cache\n');

    // Another width, colour or spelling is rendered by oclif (and saved beside it).
    const wide = await kdiagBinary(['endpoints', '--help'], { ...env, OCLIF_COLUMNS: '120' });
    expect(wide.stdout).not.toBe('from the cache\n');
    expect(wide.stdout).not.toBe(oclif80.stdout);
    expect(wide.stdout.split('\n').some((l) => l.length > 80)).toBe(true);
    const coloured = await kdiagBinary(['endpoints', '--help'], { ...env, NO_COLOR: '', FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\u001b[1mUSAGE');
    expect((await kdiagBinary(['endpoints', '-n', 'x', '--help'], env)).stdout).toBe(oclif80.stdout);
    expect(saved(cache)).toHaveLength(4);

    // A saved text whose key does not match (a hash collision, an older format) is not printed.
    writeFileSync(path, `{"other":1}\nfrom the cache\n`);
    expect((await kdiagBinary(['endpoints', '--help'], env)).stdout).toBe(oclif80.stdout);
  }, 120_000);

  it('leaves --help after -- to the command, and works without a writable cache', async () => {
    const file = join(freshCache(), 'not-a-dir');
    writeFileSync(file, '');
    const help = await kdiagBinary(['docs', '--help'], { XDG_CACHE_HOME: file });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^USAGE|\nUSAGE/);
    expect((await kdiagBinary(['docs', '--help'], { XDG_CACHE_HOME: file })).stdout).toBe(help.stdout);
    const cache = freshCache();
    const afterDashes = await kdiagBinary(['docs', '--', '--help'], { XDG_CACHE_HOME: cache });
    expect(afterDashes.stdout).not.toMatch(/USAGE/);
    expect(saved(cache)).toEqual([]);
  }, 60_000);
});
