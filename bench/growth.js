// `npm run bench:growth`: time and peak memory of `kdiag check -A` as the cluster grows.
// For each level (default 0.5, 1, 2 and 4 times the scale load of 5,000 Services and 20,000
// Pods in 100 namespaces) it loads the level with cluster/scale.sh (a larger level only adds
// the difference), waits KDIAG_BENCH_SETTLE seconds (90) for the cluster to calm down, runs
// `kdiag check -A -o json` (median of KDIAG_BENCH_RUNS after a warm-up,
// peak RSS the largest of those runs), records the point in bench/growth.json and rewrites the
// growth section of BENCHMARKS.md. Needs the local cluster (npm run cluster:up) and root.
//   node bench/growth.js [levels...]      e.g. node bench/growth.js 0.5 1 2
//   node bench/growth.js --no-load 2      measure the load present as level 2 (again, once the
//                                         cluster has settled after loading it)
//   node bench/growth.js --stand-in       measure on the stand-in API (bench/api-server.js) instead:
//                                         no cluster needed, nothing loaded into one (minutes, not hours)
// Memory targets (issue 21): peak RSS at most 300 MB at 2× and 450 MB at 4×.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBECONFIG, clusterUp, count, fmt, measureOnce, row } from './lib.js';
import { startApiServer } from './api-server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'growth.json');
const RUNS = Number(process.env.KDIAG_BENCH_RUNS ?? 5);
// After loading a level the controllers and kwok keep the API server busy for a while (the first
// 2× measurement once had a 63 s run); measure once they have calmed down.
const SETTLE_S = Number(process.env.KDIAG_BENCH_SETTLE ?? 90);
const START = '<!-- growth:start -->';
const END = '<!-- growth:end -->';
/** Peak RSS targets per level (MB). */
const MEMORY_TARGETS = { 2: 300, 4: 450 };

/** The scale load at a level: 1 is the 5,000 Services / 20,000 Pods. */
export function loadAt(level) {
  return {
    services: Math.round(5000 * level),
    pods: Math.round(20000 * level),
    namespaces: 100,
    netpols: Math.round(200 * level),
    ingresses: Math.round(500 * level),
    // At least 200 fake nodes (the same nodes from 0.5× to 2×), 200 Pods per node above that:
    // each node has a /24 of the pod range.
    nodes: Math.max(200, Math.ceil((20000 * level) / 200)),
  };
}

/** The growth section of BENCHMARKS.md from the recorded points. */
export function growthSection(points) {
  if (points.length === 0) return `${START}\n${END}`;
  const sorted = [...points].sort((a, b) => (a.source ?? '').localeCompare(b.source ?? '') || a.pods - b.pods);
  const first = sorted[0];
  const x = (a, b) => `${(a / b).toFixed(2)}×`;
  const lines = [
    START,
    '## Growth: `kdiag check -A` as the cluster grows (`npm run bench:growth`)',
    '',
    `Each level loaded with \`cluster/scale.sh\` (source: local cluster) or served by the stand-in API (\`node bench/growth.js --stand-in\`, bench/api-server.js); ${first.runs} runs after a warm-up, median (min–max); peak RSS the largest of the runs, with its target (at most 300 MB at 2×, 450 MB at 4×). Each ratio compares a level with the one before it from the same source (load = Pods).`,
    '',
    row([
      'level',
      'source',
      'Services',
      'Pods',
      'EndpointSlices',
      'wall time',
      'CPU',
      'peak RSS',
      'memory target',
      'load ratio',
      'time ratio',
      'memory ratio',
      'measured',
    ]),
    row(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---']),
    ...sorted.map((p) => {
      const same = sorted.filter((q) => (q.source ?? 'local cluster') === (p.source ?? 'local cluster'));
      const prev = same[same.indexOf(p) - 1];
      const target = MEMORY_TARGETS[p.level];
      return row([
        `${p.level}×`,
        p.source ?? 'local cluster',
        String(p.services),
        String(p.pods),
        String(p.endpointslices),
        `${fmt(p.median)} (${fmt(p.min)}–${fmt(p.max)})`,
        p.cpu === undefined ? '' : fmt(p.cpu),
        `${Math.round(p.rssMb)} MB`,
        target ? `≤ ${target} MB: ${p.rssMb <= target ? 'pass' : 'FAIL'}` : '',
        prev ? x(p.pods, prev.pods) : '',
        prev ? `${x(p.median, prev.median)} (min to min ${x(p.min, prev.min)})` : '',
        prev ? x(p.rssMb, prev.rssMb) : '',
        p.date,
      ]);
    }),
    '',
    ...[...new Set(sorted.map((p) => p.source ?? 'local cluster'))].map((source) => {
      const same = sorted.filter((p) => (p.source ?? 'local cluster') === source);
      const [a, b] = [same[0], same[same.length - 1]];
      return `${source}, from ${a.level}× to ${b.level}×: ${x(b.pods, a.pods)} the load, ${x(b.median, a.median)} the time, ${x(b.rssMb, a.rssMb)} the memory.`;
    }),
    '',
    'Linear or better means the time ratio and the memory ratio are at most the load ratio.',
    END,
  ];
  return lines.join('\n');
}

/** Replaces (or appends) the growth section of BENCHMARKS.md. */
export function writeGrowthSection(points) {
  const file = join(ROOT, 'BENCHMARKS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const section = growthSection(points);
  const i = text.indexOf(START);
  const j = text.indexOf(END);
  const next = i >= 0 && j > i ? text.slice(0, i) + section + text.slice(j + END.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

export function readPoints() {
  return existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : [];
}

function measure(level, kubeconfig = KUBECONFIG, objects) {
  const kd = [join(ROOT, 'bin', 'run.js'), 'check', '-A', '-o', 'json', '--kubeconfig', kubeconfig];
  measureOnce(process.execPath, kd); // warm-up
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const m = measureOnce(process.execPath, kd);
    runs.push({ seconds: m.wall / 1000, rssMb: m.rssMb, cpu: m.cpu });
  }
  const times = runs.map((r) => r.seconds * 1000).sort((a, b) => a - b);
  const cpus = runs.map((r) => r.cpu).sort((a, b) => a - b);
  return {
    level,
    ...(objects ? { source: 'stand-in API' } : {}),
    services: objects?.services ?? count('services'),
    pods: objects?.pods ?? count('pods'),
    endpointslices: objects?.endpointslices ?? count('endpointslices.discovery.k8s.io'),
    cpu: cpus[Math.floor(cpus.length / 2)],
    runs: RUNS,
    median: times[Math.floor(times.length / 2)],
    min: times[0],
    max: times[times.length - 1],
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
    date: new Date().toISOString().slice(0, 10),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const standIn = process.argv.includes('--stand-in');
  const noLoad = process.argv.includes('--no-load');
  const levels = process.argv
    .slice(2)
    .filter((a) => !a.startsWith('--'))
    .map(Number);
  if (!standIn && !clusterUp()) {
    console.error(`The local cluster is not running (${KUBECONFIG}): npm run cluster:up first (or --stand-in).`);
    process.exit(2);
  }
  for (const level of levels.length ? levels : [0.5, 1, 2, 4]) {
    let point;
    if (standIn) {
      const server = await startApiServer(level);
      try {
        point = measure(level, server.kubeconfig, {
          services: Math.round(5000 * level),
          pods: Math.round(20000 * level),
          endpointslices: Math.round(5000 * level),
        });
      } finally {
        server.stop();
      }
    } else {
      const load = loadAt(level);
      // scalegen's own time limit (30 min by default) is too short for 4× on 2 cores.
      const args = [...Object.entries(load).flatMap(([k, v]) => [`--${k}`, String(v)]), '--timeout', '3h'];
      if (!noLoad) {
        console.log(`level ${level}×: loading ${load.services} Services, ${load.pods} Pods …`);
        const loaded = spawnSync('bash', [join(ROOT, 'cluster', 'scale.sh'), 'up', ...args], { stdio: 'inherit' });
        if (loaded.status !== 0) process.exit(loaded.status ?? 1);
        console.log(`level ${level}×: loaded; measuring in ${SETTLE_S} s`);
        await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
      }
      point = measure(level);
    }
    const points = readPoints().filter((p) => p.level !== level || (p.source ?? 'local cluster') !== (point.source ?? 'local cluster'));
    points.push(point);
    writeFileSync(RESULTS, `${JSON.stringify(points, null, 2)}\n`);
    writeGrowthSection(points);
    console.log(
      `level ${level}× (${point.source ?? 'local cluster'}): ${fmt(point.median)} (${fmt(point.min)}–${fmt(point.max)}), CPU ${fmt(point.cpu)}, peak RSS ${Math.round(point.rssMb)} MB`,
    );
  }
  console.log(growthSection(readPoints()));
}
