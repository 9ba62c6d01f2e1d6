#!/usr/bin/env node
// Single-file build for machines without npm (`npm run build:single`):
//   build/out/kdiag.cjs  one JavaScript file (esbuild bundle of kdiag and its dependencies),
//                        runs with any Node >= 22.19: `node kdiag.cjs endpoints -n production`
//   build/out/kdiag      a Node single executable application (SEA): that bundle, its V8
//                        code cache and docs/checks/*.md injected into a copy of this Node
//                        binary with postject. Needs nothing installed; Linux x64 like the
//                        machine that built it.
// Usage: node build/single/build.mjs [--bundle-only]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { clientNodeEntry, lazyPackages, sourceNames } from '../vendor.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'build', 'out');
const bundleOnly = process.argv.includes('--bundle-only');

/** Command ids from src/commands, the way oclif names them (folders are topics, index is the topic). */
function commandFiles(dir = join(ROOT, 'src', 'commands'), topic = []) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return commandFiles(path, [...topic, name]);
    if (!name.endsWith('.ts') || name.endsWith('.d.ts')) return [];
    const base = name.slice(0, -3);
    const id = [...topic, ...(base === 'index' ? [] : [base])].join(':');
    return [{ id, path }];
  });
}

// The explicit command index: every command class, keyed by its id.
const commands = commandFiles().sort((a, b) => a.id.localeCompare(b.id));
const commandIndex = [
  ...commands.map((c, i) => `import C${i} from ${JSON.stringify(c.path)};`),
  `export const COMMANDS = { ${commands.map((c, i) => `${JSON.stringify(c.id)}: C${i}`).join(', ')} };`,
].join('\n');

const virtualCommands = {
  name: 'kdiag-commands',
  setup(b) {
    b.onResolve({ filter: /^kdiag:commands$/ }, () => ({ path: 'kdiag:commands', namespace: 'kdiag' }));
    b.onLoad({ filter: /.*/, namespace: 'kdiag' }, () => ({ contents: commandIndex, loader: 'ts', resolveDir: ROOT }));
  },
};

// src/cluster/k8s.ts re-exports client-node's index (every generated API); bundle only the
// modules kdiag uses instead, as `npm run build` does for dist (build/vendor.mjs).
const k8sEntry = await clientNodeEntry(sourceNames());
const smallClientNode = {
  name: 'kdiag-client-node',
  setup(b) {
    b.onResolve({ filter: /^\.\/k8s\.js$/ }, (args) =>
      dirname(args.importer) === join(ROOT, 'src', 'cluster') ? { path: 'k8s', namespace: 'kdiag-client-node' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'kdiag-client-node' }, () => ({ contents: k8sEntry, loader: 'js', resolveDir: ROOT }));
  },
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
writeFileSync(join(ROOT, 'build', '.gitignore'), 'out/\n');
const bundle = join(OUT, 'kdiag.cjs');
const started = Date.now();
const result = await build({
  entryPoints: [join(ROOT, 'build', 'single', 'entry.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  // ESM-first packages (client-node, undici) pick their ESM builds; esbuild turns them into CJS.
  mainFields: ['module', 'main'],
  plugins: [virtualCommands, smallClientNode, lazyPackages],
  // oclif requires TypeScript only to run commands from .ts sources in development, which
  // the entry turns off; bundled, it would be 9 MB of the 12 parsed at every start.
  external: ['typescript'],
  // Whitespace and syntax only: class and function names stay (oclif and errors print them).
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  metafile: true,
  logLevel: 'warning',
});
chmodSync(bundle, 0o755);
// kdiag.cjs reads `kdiag docs` from docs/checks beside it (the executable embeds them).
cpSync(join(ROOT, 'docs', 'checks'), join(OUT, 'docs', 'checks'), { recursive: true });
const inputs = Object.keys(result.metafile.inputs).length;
console.log(
  `bundle: ${relative(ROOT, bundle)} (${(statSync(bundle).size / 1e6).toFixed(1)} MB, ${inputs} modules, ${commands.length} commands, ${Date.now() - started} ms)`,
);
if (bundleOnly) process.exit(0);

// Single executable application: https://nodejs.org/api/single-executable-applications.html
const docsDir = join(ROOT, 'docs', 'checks');
const assets = Object.fromEntries(
  readdirSync(docsDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => [`docs/checks/${f}`, join(docsDir, f)]),
);
const seaConfig = join(OUT, 'sea-config.json');
const blob = join(OUT, 'kdiag.blob');
writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets }, null, 2));
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'ignore' });
const exe = join(OUT, 'kdiag');
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
// Node's debug symbols are a sixth of the binary; drop them when binutils is there.
spawnSync('strip', [exe], { stdio: 'ignore' });
const postject = join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js');
// postject warns about the many ELF notes of Node's binary; show its output only if it fails.
const injected = spawnSync(process.execPath, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], {
  encoding: 'utf8',
});
if (injected.status !== 0) throw new Error(`postject failed: ${injected.stderr}${injected.stdout}`);
rmSync(blob);
console.log(
  `executable: ${relative(ROOT, exe)} (${(statSync(exe).size / 1e6).toFixed(0)} MB, Node ${process.versions.node}, ${Object.keys(assets).length} docs)`,
);

// krew: the executable as kubectl-kdiag in an archive, and deploy/krew/kdiag.yaml filled in.
if (process.platform === 'linux' && process.arch === 'x64') {
  const stage = join(OUT, 'krew');
  mkdirSync(stage);
  copyFileSync(exe, join(stage, 'kubectl-kdiag'));
  const archive = join(OUT, 'kdiag-linux-amd64.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', stage, 'kubectl-kdiag']);
  rmSync(stage, { recursive: true });
  const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const manifest = readFileSync(join(ROOT, 'deploy', 'krew', 'kdiag.yaml'), 'utf8')
    .replaceAll('{{VERSION}}', pkg.version)
    .replaceAll('{{HOMEPAGE}}', process.env.KDIAG_HOMEPAGE ?? pkg.homepage ?? 'https://example.invalid/kdiag')
    .replaceAll('{{RELEASE_URL}}', process.env.KDIAG_RELEASE_URL ?? `https://example.invalid/kdiag/releases/v${pkg.version}`)
    .replaceAll('{{SHA256_LINUX_AMD64}}', sha256);
  writeFileSync(join(OUT, 'kdiag.krew.yaml'), manifest);
  console.log(`krew: ${relative(ROOT, archive)} (${(statSync(archive).size / 1e6).toFixed(0)} MB, sha256 ${sha256}) and build/out/kdiag.krew.yaml`);
}
