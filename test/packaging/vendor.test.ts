// dist/cluster/k8s.js is not tsc's output: build/vendor.mjs replaces it with a bundle of the
// client-node modules kdiag uses (`npm test` builds first). It must export what
// src/cluster/k8s.ts exports, the same classes by name, and run without the package.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import * as source from '../../src/cluster/k8s.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { ROOT } from '../support/run.js';

const BUNDLE = join(ROOT, 'dist', 'cluster', 'k8s.js');
const dir = mkdtempSync(join(tmpdir(), 'kdiag-vendor-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each export of the module at `file` as `name typeof constructor-name`, imported by a plain Node. */
function exportsOf(file: string): string[] {
  const script = `const m = await import(${JSON.stringify(file)}); console.log(JSON.stringify(Object.entries(m).map(([k, v]) => \`\${k} \${typeof v} \${v?.name}\`)));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' })).sort();
}

describe('dist/cluster/k8s.js', () => {
  const expected = Object.entries(source)
    .map(([k, v]) => `${k} ${typeof v} ${(v as { name?: string }).name}`)
    .sort();

  it('exports every name src/cluster/k8s.ts exports, the same classes (names kept)', () => {
    expect(expected.length).toBeGreaterThan(0);
    expect(exportsOf(BUNDLE)).toEqual(expected);
  });

  it('is a bundle: it does not import @kubernetes/client-node at run time', () => {
    const code = readFileSync(BUNDLE, 'utf8');
    expect(code).not.toMatch(/\bfrom\s*["']@kubernetes\/client-node/);
    expect(code).not.toMatch(/\b(import|require)\s*\(\s*["']@kubernetes\/client-node/);
    // Copied where no node_modules can be found, it still loads.
    const alone = join(dir, 'k8s.js');
    copyFileSync(BUNDLE, alone);
    expect(exportsOf(alone)).toEqual(expected);
  });
});

describe('dist/vendor/oclif.cjs', () => {
  const OCLIF = join(ROOT, 'dist', 'vendor', 'oclif.js');

  it('exports what @oclif/core exports, and every dist module imports it instead of the package', async () => {
    const oclif = await import('@oclif/core');
    const names = (m: object) =>
      Object.keys(m)
        .filter((n) => !['default', '__esModule', 'module.exports'].includes(n))
        .sort();
    const script = `const m = await import(${JSON.stringify(OCLIF)}); console.log(JSON.stringify(Object.keys(m)));`;
    const bundled = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' })) as string[];
    expect(names(Object.fromEntries(bundled.map((n) => [n, 1])))).toEqual(names(oclif));
    const files = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js') && !f.startsWith('vendor'));
    expect(files.filter((f) => /from\s*["']@oclif\/core["']|import\(\s*["']@oclif\/core["']/.test(readFileSync(join(ROOT, 'dist', f), 'utf8')))).toEqual([]);
    expect(files.filter((f) => readFileSync(join(ROOT, 'dist', f), 'utf8').includes('vendor/oclif.js')).length).toBeGreaterThan(10);
  });

  it("a start loads neither @oclif/core from node_modules nor Node's own undici, nor evaluates the bundle's", () => {
    // kdiag endpoints against a closed port: oclif, the client-node bundle and a request that fails.
    const BIN = join(ROOT, 'bin', 'run.js');
    const kubeconfig = writeKubeconfig({ server: 'https://127.0.0.1:9', user: { token: 't' } });
    const script = [
      "import { createRequire } from 'node:module';",
      'const cache = createRequire(import.meta.url).cache;',
      "process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify({ undici: process.moduleLoadList.filter((m) => m.includes('undici')), oclif: Object.keys(cache).filter((k) => k.includes('@oclif')), bundledUndici: Symbol.for('undici.globalDispatcher.2') in globalThis })));",
      `process.argv.splice(1, Infinity, ${JSON.stringify(BIN)}, 'endpoints', '-n', 'x', '--kubeconfig', ${JSON.stringify(kubeconfig)});`,
      `await import(${JSON.stringify(BIN)});`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.stderr).toMatch(/^kdiag: .*127\.0\.0\.1:9/);
    expect(run.status).toBe(2);
    const loaded = JSON.parse(run.stderr.split('\nLOADED ').pop()!) as { undici: string[]; oclif: string[]; bundledUndici: boolean };
    // Nor the bundle's undici (it sets its global dispatcher when evaluated): build/vendor.mjs loads it at first use.
    expect(loaded).toEqual({ undici: [], oclif: [], bundledUndici: false });
  });
});
