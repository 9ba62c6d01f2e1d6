// `--help` without loading oclif: the text oclif and src/help.ts printed the last time the same
// inputs were given, from the user's cache directory. The key holds everything that text
// depends on: the arguments, the name kdiag was started as, kdiag's package.json, manifest,
// help class and oclif bundle, oclif's entry file, Node's version and platform, the width
// oclif wraps at, how ansis (oclif's colours) styles bold and 24-bit text here, and every
// KDIAG_ and OCLIF_ variable. A user theme or DEBUG skips the cache. A miss returns the file
// and key: the help class (src/help.ts) saves what it prints there.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** oclif's width for help (@oclif/core lib/screen.js). */
function width() {
  const columns = Number.parseInt(process.env.OCLIF_COLUMNS ?? '', 10);
  if (columns) return columns;
  if (!process.stdout.isTTY) return 80;
  const [w] = process.stdout.getWindowSize();
  return w < 1 ? 80 : Math.max(w, 40);
}

/** 64 bits of FNV-1a, as a file name (the file holds the whole key, compared on read). */
function hash(text) {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 ^ 0x5bd1e995) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

const stamp = (path) => {
  const s = statSync(path);
  return `${s.size}:${s.mtimeMs}`;
};

/** `{ file, key, text }` (text only on a hit), or undefined when the cache must not be used. */
export function cachedHelp(args, cacheHome) {
  try {
    if (process.env.DEBUG || process.env.KDIAG_CONFIG_DIR) return undefined;
    const configHome = process.env.XDG_CONFIG_HOME || (process.platform === 'win32' && process.env.LOCALAPPDATA) || join(homedir(), '.config');
    if (existsSync(join(configHome, 'kdiag', 'theme.json'))) return undefined;
    const root = fileURLToPath(new URL('..', import.meta.url));
    const oclif = fileURLToPath(import.meta.resolve('@oclif/core'));
    const ansis = createRequire(oclif)('ansis');
    const key = JSON.stringify({
      args,
      bin: basename(process.argv[1] ?? ''),
      kdiag: ['package.json', 'oclif.manifest.json', join('dist', 'help.js'), join('dist', 'vendor', 'oclif.cjs')].map((f) => stamp(join(root, f))),
      oclif: [oclif, stamp(oclif)],
      node: [process.version, process.platform, process.arch],
      width: width(),
      colours: [ansis.bold('x'), ansis.hex('#010203')('x')],
      env: Object.entries(process.env)
        .filter(([name]) => /^(KDIAG|OCLIF)_/.test(name))
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    });
    const file = join(cacheHome, 'help', `${hash(key)}.txt`);
    let text;
    try {
      const saved = readFileSync(file, 'utf8');
      const end = saved.indexOf('\n');
      if (end > 0 && saved.slice(0, end) === key) text = saved.slice(end + 1);
    } catch {
      // not saved yet
    }
    return { file, key, text };
  } catch {
    return undefined;
  }
}
