// dist/cluster/k8s.js is not tsc's output: build/vendor.mjs replaces it with a bundle of the
// client-node modules kdiag uses (`npm test` builds first). It must export what
// src/cluster/k8s.ts exports, the same classes by name, and run without the package.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import * as source from '../../src/cluster/k8s.js';
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
