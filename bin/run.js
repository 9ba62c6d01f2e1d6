#!/usr/bin/env node
// Entry point for `kdiag` and `kubectl-kdiag`. Node's compile cache makes warm starts faster.
import { readFileSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(`kdiag: needs Node.js 22.19 or later; this is ${process.version}\n`);
  process.exit(2);
}
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  // The same line oclif prints, without loading oclif (start-up is a feature).
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`kdiag/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
  process.exit(0);
}
const cacheHome = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kdiag');
// Node's compile cache (V8 code cache of every module loaded) in the user's cache directory:
// it outlives /tmp cleanups and is kdiag's own (NODE_COMPILE_CACHE still wins).
module.enableCompileCache?.(process.env.NODE_COMPILE_CACHE || join(cacheHome, 'compile-cache'));
// `--help` as oclif and src/help.ts printed it last time with the same inputs, without loading
// oclif (≈ 70 ms); bin/help-cache.js says what the inputs are. A miss runs oclif, which saves it.
const dashes = args.indexOf('--');
if (args.length === 0 || (dashes === -1 ? args : args.slice(0, dashes)).includes('--help')) {
  const { cachedHelp } = await import('./help-cache.js');
  const help = cachedHelp(args, cacheHome);
  if (help?.text !== undefined) {
    process.stdout.write(help.text, () => process.exit(0));
    await new Promise(() => {});
  }
  if (help) globalThis[Symbol.for('kdiag.helpCache')] = help;
}
// oclif checks its own Node requirement (22.0) with semver, 47 modules loaded at every start;
// the check above is stricter.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
// @oclif/core as one file (build/vendor.mjs), the copy every command imports.
const { execute } = await import('../dist/vendor/oclif.js');
if (basename(process.argv[1] ?? '') === 'kubectl-kdiag') {
  // As a kubectl plugin, help and errors say `kubectl kdiag`.
  const root = fileURLToPath(new URL('..', import.meta.url));
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  await execute({ loadOptions: { root, pjson: { ...pjson, oclif: { ...pjson.oclif, bin: 'kubectl kdiag' } } } });
} else {
  await execute({ dir: import.meta.url });
}
// The command has returned (failures exit inside execute): once stdout and stderr have taken
// every byte, end. A kept-alive API connection, a request nobody awaits or a stray timer must
// not hold a runbook or CI job open (--watch returns only when stopped).
const written = (stream) => new Promise((resolve) => stream.write('', resolve));
await Promise.all([written(process.stdout), written(process.stderr)]);
process.exit();
