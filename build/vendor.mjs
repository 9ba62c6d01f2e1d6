#!/usr/bin/env node
// Replaces <dist>/cluster/k8s.js, tsc's re-export of @kubernetes/client-node, with an esbuild
// bundle of only the names it exports, taken from the package's own modules (deep imports:
// the package has no "exports" field). Importing the package's index costs ~300 ms at every
// start because it loads every generated API; the bundle is client-node's code, just less
// of it. `npm run build` runs this on dist.next, before dist.next becomes dist.
// Usage: node build/vendor.mjs [dist folder, default dist]
import { renameSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PKG = '@kubernetes/client-node';
// Where the package's index gets each name from; `prefix` for the API classes, which the
// index exports as CoreV1Api for ObjectCoreV1Api.
const MODULES = [
  { path: 'dist/config.js' },
  { path: 'dist/watch.js' },
  { path: 'dist/gen/apis/exception.js' },
  { path: 'dist/gen/rxjsStub.js' },
  { path: 'dist/gen/http/http.js' },
  { path: 'dist/gen/types/ObjectParamAPI.js', prefix: 'Object' },
];

/**
 * The esbuild entry for these names: each re-exported from the client-node module that
 * defines it (the very same object the package index exports, or this fails). Also used by
 * build/single/build.mjs, so the single executable carries the same small part of client-node.
 */
export async function clientNodeEntry(names) {
  const index = await import(PKG);
  const byModule = new Map();
  for (const name of names) {
    let found;
    for (const m of MODULES) {
      const exported = (await import(`${PKG}/${m.path}`))[`${m.prefix ?? ''}${name}`];
      if (exported !== undefined && exported === index[name]) {
        found = m;
        break;
      }
    }
    if (!found) throw new Error(`build/vendor.mjs: no module for ${name}: add the client-node module that defines it to MODULES`);
    byModule.set(found, [...(byModule.get(found) ?? []), name]);
  }
  return [
    // The index's first import (globalThis.File for old Node; a no-op on Node >= 20).
    `import '${PKG}/dist/polyfill.js';`,
    ...[...byModule].map(([m, list]) => `export { ${list.map((n) => (m.prefix ? `${m.prefix}${n} as ${n}` : n)).join(', ')} } from '${PKG}/${m.path}';`),
  ].join('\n');
}

/** The names src/cluster/k8s.ts re-exports (read from the source, for builds that start there). */
export function sourceNames() {
  const text = readFileSync(join(ROOT, 'src', 'cluster', 'k8s.ts'), 'utf8');
  const list = /export \{([^}]*)\} from '@kubernetes\/client-node'/.exec(text)?.[1];
  if (!list) throw new Error("src/cluster/k8s.ts: no `export { … } from '@kubernetes/client-node'`");
  return list
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await vendor(resolve(ROOT, process.argv[2] ?? 'dist'));

async function vendor(dist) {
  const target = join(dist, 'cluster', 'k8s.js');
  const tscOutput = readFileSync(target, 'utf8');
  if (!/from ['"]@kubernetes\/client-node['"]/.test(tscOutput)) {
    throw new Error(`${relative(ROOT, target)} is not tsc's re-export of ${PKG} (already bundled?): run npm run build`);
  }

  // The names src/cluster/k8s.ts exports (as tsc wrote them).
  const names = Object.keys(await import(pathToFileURL(target).href));
  const entry = await clientNodeEntry(names);

  const temp = `${target}.tmp-${process.pid}.js`;
  const started = Date.now();
  try {
    const result = await build({
      stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'k8s-entry.js', loader: 'js' },
      outfile: temp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      // CommonJS dependencies (undici, socks, …) call require(); an ESM bundle has none.
      banner: { js: "import { createRequire as __kdiagCreateRequire } from 'node:module';\nconst require = __kdiagCreateRequire(import.meta.url);" },
      // Whitespace and syntax only: class names stay (errors and --debug print them).
      minifyWhitespace: true,
      minifySyntax: true,
      keepNames: true,
      metafile: true,
      logLevel: 'warning',
    });
    // The bundle exports what tsc's file did.
    const bundled = Object.keys(await import(pathToFileURL(temp).href)).sort();
    if (bundled.join() !== [...names].sort().join()) throw new Error(`bundle exports ${bundled.join(', ')}; expected ${names.join(', ')}`);
    renameSync(temp, target);
    const inputs = Object.keys(result.metafile.inputs).length;
    console.log(
      `vendor: ${relative(ROOT, target)} (${(statSync(target).size / 1e6).toFixed(1)} MB, ${inputs} modules, ${names.length} names, ${Date.now() - started} ms)`,
    );
  } finally {
    rmSync(temp, { force: true });
  }
}
