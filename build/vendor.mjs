#!/usr/bin/env node
// Replaces <dist>/cluster/k8s.js, tsc's re-export of @kubernetes/client-node, with an esbuild
// bundle of only the names it exports, taken from the package's own modules (deep imports:
// the package has no "exports" field). Importing the package's index costs ~300 ms at every
// start because it loads every generated API; the bundle is client-node's code, just less
// of it. `npm run build` runs this on dist.next, before dist.next becomes dist.
// Usage: node build/vendor.mjs [dist folder, default dist]
import { readdirSync, renameSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
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

/**
 * esbuild plugin: the bundle's `import … from 'node:http'` (and every other Node built-in)
 * becomes a require() of it. An ESM import of a built-in makes Node build the module's ESM
 * face, which reads every export, and node:http's WebSocket, CloseEvent and MessageEvent
 * exports load Node's own copy of undici (≈ 15 ms at every start) that kdiag never uses.
 */
export const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) =>
      args.kind === 'import-statement' && isBuiltin(args.path) ? { path: args.path, namespace: 'builtin-by-require' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * The packages client-node imports for its own HTTP path (undici's fetch and Agent) and for
 * proxies (socks, socks-proxy-agent, hpagent), with the names it imports. kdiag sends requests
 * through its own transport and reaches undici only for watches and for clusters behind a
 * proxy, yet evaluating these at every start cost ≈ 15 ms (undici alone ≈ 12).
 */
export const LAZY_PACKAGES = {
  undici: ['fetch', 'Agent', 'ProxyAgent'],
  socks: ['SocksClient'],
  'socks-proxy-agent': ['SocksProxyAgent'],
  hpagent: ['HttpProxyAgent', 'HttpsProxyAgent'],
};

/**
 * esbuild plugin: client-node's `import { fetch } from 'undici'` (and the proxy packages)
 * gets a stand-in whose names load the real package the first time they are called,
 * constructed or read. The real package is still bundled (as a CommonJS module, which esbuild
 * evaluates only when first required); only its evaluation waits until kdiag needs it. The
 * build fails if client-node imports a name the stand-in does not have.
 */
export const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    const alternatives = Object.keys(LAZY_PACKAGES).join('|');
    const filter = new RegExp(`^(${alternatives})$`);
    const whole = new RegExp(`import\\s+(\\*\\s+as\\s+)?\\w+\\s+from\\s*['"](${alternatives})['"]`);
    b.onResolve({ filter }, (args) =>
      args.kind === 'import-statement' && args.importer.includes(`${sep}@kubernetes${sep}client-node${sep}`)
        ? { path: args.path, namespace: 'lazy-package' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => ({
      // CommonJS, so that esbuild keeps the require() below inside a function.
      contents: [
        'let real;',
        `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        'const lazy = (name) => new Proxy(function () {}, {',
        '  apply: (_target, self, args) => Reflect.apply(load()[name], self, args),',
        '  construct: (_target, args) => Reflect.construct(load()[name], args),',
        '  get: (_target, key) => load()[name][key],',
        '});',
        `module.exports = { ${LAZY_PACKAGES[args.path].map((n) => `${n}: lazy(${JSON.stringify(n)})`).join(', ')} };`,
      ].join('\n'),
      loader: 'js',
      resolveDir: ROOT,
    }));
    // Every name client-node imports from these packages must be one the stand-in exports.
    b.onLoad({ filter: /[\\/]@kubernetes[\\/]client-node[\\/].*\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      for (const [, names, pkg] of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
        if (!(pkg in LAZY_PACKAGES)) continue;
        for (const name of names
          .split(',')
          .map((n) => n.trim().split(/\s+as\s+/)[0])
          .filter(Boolean)) {
          if (!LAZY_PACKAGES[pkg].includes(name)) throw new Error(`build/vendor.mjs: ${args.path} imports ${name} from ${pkg}: add it to LAZY_PACKAGES`);
        }
      }
      if (whole.test(text)) throw new Error(`build/vendor.mjs: ${args.path} imports a lazy package whole: name what it uses in LAZY_PACKAGES`);
      return undefined;
    });
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = resolve(ROOT, process.argv[2] ?? 'dist');
  await vendor(dist);
  await vendorOclif(dist);
}

/**
 * <dist>/vendor/oclif.cjs: @oclif/core and its dependencies as one CommonJS file, and every
 * `from '@oclif/core'` in <dist> pointed at <dist>/vendor/oclif.js, which re-exports it by
 * name. oclif's index requires all of its 170 modules at every start; from one file (its
 * modules still evaluated only when first required) Node skips resolving, reading and
 * compiling each: importing oclif and loading the config 57 → 30 ms of CPU. The same code
 * as the installed package (which stays a dependency: the help cache reads it).
 */
async function vendorOclif(dist) {
  const started = Date.now();
  const out = join(dist, 'vendor', 'oclif.cjs');
  const result = await build({
    entryPoints: [fileURLToPath(import.meta.resolve('@oclif/core'))],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    // Loaded only for TypeScript sources in development (never from dist).
    external: ['typescript', 'ts-node', 'tsx', '@swc/core', 'pnpapi'],
    metafile: true,
    logLevel: 'warning',
  });
  const names = Object.keys(createRequire(import.meta.url)(out)).filter((n) => n !== 'default' && n !== '__esModule');
  const expected = Object.keys(await import('@oclif/core')).filter((n) => n !== 'default' && n !== 'module.exports' && n !== '__esModule');
  if (names.sort().join() !== expected.sort().join())
    throw new Error(`vendor/oclif.cjs exports ${names.join(', ')}; @oclif/core exports ${expected.join(', ')}`);
  writeFileSync(
    join(dist, 'vendor', 'oclif.js'),
    [
      '// @oclif/core from vendor/oclif.cjs (build/vendor.mjs), by name for ES modules.',
      "import { createRequire } from 'node:module';",
      "const oclif = createRequire(import.meta.url)('./oclif.cjs');",
      'export default oclif;',
      `export const { ${names.join(', ')} } = oclif;`,
      '',
    ].join('\n'),
  );
  let rewritten = 0;
  for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.js') || file.startsWith('vendor')) continue;
    const path = join(dist, file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes("from '@oclif/core'")) continue;
    let spec = relative(dirname(path), join(dist, 'vendor', 'oclif.js'))
      .split(sep)
      .join('/');
    if (!spec.startsWith('.')) spec = `./${spec}`;
    writeFileSync(path, text.replaceAll("from '@oclif/core'", `from '${spec}'`));
    rewritten++;
  }
  const inputs = Object.keys(result.metafile.inputs).length;
  console.log(
    `vendor: ${relative(ROOT, out)} (${(statSync(out).size / 1e6).toFixed(1)} MB, ${inputs} modules, ${names.length} names, ${rewritten} files pointed at it, ${Date.now() - started} ms)`,
  );
}

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
      plugins: [builtinsByRequire, lazyPackages],
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
