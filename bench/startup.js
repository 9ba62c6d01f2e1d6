// Start-up figures, side by side with kubectl in the same run. With --check (CI) it fails
// only on a gross regression: more than 2x a target.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, row, timeCommand } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const KDIAG = join(ROOT, 'bin', 'run.js');
const check = process.argv.includes('--check');

export function startupFigures() {
  const kubectl =
    existsSync('/usr/bin/kubectl') || process.env.PATH?.split(':').some((d) => existsSync(join(d, 'kubectl')))
      ? timeCommand('kubectl', ['version', '--client'])
      : undefined;
  const cases = [
    ['kdiag --version', ['--version'], 150],
    ['kdiag --help', ['--help'], 150],
    ['kdiag endpoints --help', ['endpoints', '--help'], 200],
  ];
  const out = [];
  for (const [name, args, target] of cases) {
    const t = timeCommand(process.execPath, [KDIAG, ...args], { env: { NO_COLOR: '1' } });
    if (t.status !== 0) throw new Error(`${name} exited ${t.status}: ${t.stderr}`);
    const ratio = kubectl ? t.median / kubectl.median : undefined;
    const pass = t.median <= target && (name === 'kdiag endpoints --help' || ratio === undefined || ratio <= 3);
    out.push({ name, t, target, ratio, pass, baseline: kubectl, gross: t.median > 2 * target });
  }
  return { kubectl, figures: out };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { kubectl, figures } = startupFigures();
  console.log(row(['figure', 'kdiag median (min–max)', 'kubectl version --client', 'ratio', 'target', 'result']));
  console.log(row(['---', '---', '---', '---', '---', '---']));
  for (const f of figures) {
    console.log(
      row([
        f.name,
        `${fmt(f.t.median)} (${fmt(f.t.min)}–${fmt(f.t.max)})`,
        kubectl ? fmt(kubectl.median) : 'n/a',
        f.ratio ? `${f.ratio.toFixed(1)}×` : 'n/a',
        `≤ ${f.target} ms${f.name === 'kdiag endpoints --help' ? '' : ', ≤ 3× kubectl'}`,
        f.pass ? 'pass' : 'FAIL',
      ]),
    );
  }
  if (check && figures.some((f) => f.gross)) {
    console.error('start-up regressed to more than twice its target');
    process.exit(1);
  }
}
