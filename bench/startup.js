// Start-up figures, side by side with kubectl in the same run (interleaved: each round runs
// kdiag and kubectl one after the other). Targets (issue 21): `kdiag --help` and
// `kdiag endpoints --help` at most 1.5× `kubectl get --help`; `kdiag --version` at most 150 ms
// and 3× `kubectl version --client`. With --check (CI) it fails only on a gross regression:
// more than twice a target.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, interleaved, row } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const KDIAG = join(ROOT, 'bin', 'run.js');
const check = process.argv.includes('--check');

const hasKubectl = () => existsSync('/usr/bin/kubectl') || process.env.PATH?.split(':').some((d) => existsSync(join(d, 'kubectl')));

export function startupFigures({ runs = Number(process.env.KDIAG_BENCH_RUNS ?? 7) } = {}) {
  const env = { NO_COLOR: '1' };
  const cases = {
    'kdiag --version': [process.execPath, [KDIAG, '--version'], { env }],
    'kdiag --help': [process.execPath, [KDIAG, '--help'], { env }],
    'kdiag endpoints --help': [process.execPath, [KDIAG, 'endpoints', '--help'], { env }],
  };
  const kubectl = hasKubectl();
  if (kubectl) {
    cases['kubectl version --client'] = ['kubectl', ['version', '--client']];
    cases['kubectl get --help'] = ['kubectl', ['get', '--help']];
  }
  const r = interleaved(cases, { runs, warmup: 2 });
  const out = [];
  for (const name of ['kdiag --version', 'kdiag --help', 'kdiag endpoints --help']) {
    const t = r[name];
    if (t.status !== 0) throw new Error(`${name} exited ${t.status}: ${t.stderr}`);
    const version = name === 'kdiag --version';
    const baselineName = version ? 'kubectl version --client' : 'kubectl get --help';
    const baseline = r[baselineName];
    const ratio = baseline ? t.wall.median / baseline.wall.median : undefined;
    const limit = version ? 3 : 1.5;
    const pass = (version ? t.wall.median <= 150 : true) && (ratio === undefined || ratio <= limit);
    out.push({
      name,
      t,
      baselineName,
      baseline,
      ratio,
      target: version ? '≤ 150 ms, ≤ 3× kubectl' : '≤ 1.5× kubectl',
      pass,
      gross: ratio !== undefined && ratio > 2 * limit,
    });
  }
  return { figures: out };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { figures } = startupFigures();
  console.log(row(['figure', 'kdiag median (min–max), CPU', 'baseline', 'ratio', 'target', 'result']));
  console.log(row(['---', '---', '---', '---', '---', '---']));
  for (const f of figures) {
    console.log(
      row([
        f.name,
        `${fmt(f.t.wall.median)} (${fmt(f.t.wall.min)}–${fmt(f.t.wall.max)}), CPU ${fmt(f.t.cpu.median)}`,
        f.baseline ? `${f.baselineName} ${fmt(f.baseline.wall.median)}, CPU ${fmt(f.baseline.cpu.median)}` : 'n/a',
        f.ratio ? `${f.ratio.toFixed(2)}×` : 'n/a',
        f.target,
        f.pass ? 'pass' : 'FAIL',
      ]),
    );
  }
  if (check && figures.some((f) => f.gross)) {
    console.error('start-up regressed to more than twice its target');
    process.exit(1);
  }
}
