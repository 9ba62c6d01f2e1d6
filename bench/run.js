// `npm run bench`: every speed target of issue 8, side by side with its baseline in the
// same run, written to BENCHMARKS.md with the machine. A figure whose prerequisite is
// missing (no local cluster, no scale load) is reported as not measured, with the reason.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBECONFIG, clusterUp, count, fmt, listCounts, peak, row, timeCommand } from './lib.js';
import { growthSection, readPoints } from './growth.js';
import { startupFigures } from './startup.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const KDIAG = join(ROOT, 'bin', 'run.js');
const RUNS = Number(process.env.KDIAG_BENCH_RUNS ?? 5);
const rows = [];
const notes = [];

function add(figure, kdiag, baseline, target, pass, note = '') {
  rows.push({ figure, kdiag, baseline, target, pass, note });
}

const kd = (...args) => [KDIAG, ...args, '--kubeconfig', KUBECONFIG];

// 1. Start-up.
const startup = startupFigures();
for (const f of startup.figures) {
  add(
    f.name,
    `${fmt(f.t.median)} (${fmt(f.t.min)}–${fmt(f.t.max)})`,
    startup.kubectl ? `kubectl version --client ${fmt(startup.kubectl.median)}` : 'n/a',
    `≤ ${f.target} ms${f.name.endsWith('endpoints --help') ? '' : ', ≤ 3× kubectl'}`,
    f.pass,
    f.ratio ? `${f.ratio.toFixed(1)}×` : '',
  );
}

const up = clusterUp();
if (!up) notes.push(`The local cluster is not running (${KUBECONFIG}): start it with \`npm run cluster:up\` for the cluster figures.`);

// 2. A small command.
if (up) {
  const k = timeCommand(process.execPath, kd('endpoints', '-n', 'production', '-o', 'json'), { runs: RUNS });
  const b = timeCommand('kubectl', ['--kubeconfig', KUBECONFIG, 'get', 'endpointslices', '-n', 'production', '-o', 'json'], { runs: RUNS });
  const ratio = k.median / b.median;
  add(
    'kdiag endpoints -n production',
    `${fmt(k.median)} (${fmt(k.min)}–${fmt(k.max)})`,
    `kubectl get endpointslices -n production ${fmt(b.median)}`,
    '≤ 2× kubectl',
    ratio <= 2,
    `${ratio.toFixed(2)}×`,
  );
}

/** How many objects a LIST of this resource (API server metrics label) returns cluster-wide. */
function objects(resource) {
  const names = {
    endpointslices: 'endpointslices.discovery.k8s.io',
    gateways: 'gateways.gateway.networking.k8s.io',
    httproutes: 'httproutes.gateway.networking.k8s.io',
  };
  if (resource === 'secrets') {
    // kdiag lists only TLS Secrets (a field selector).
    const r = spawnSync('kubectl', ['--kubeconfig', KUBECONFIG, 'get', 'secrets', '-A', '--field-selector', 'type=kubernetes.io/tls', '-o', 'name'], {
      encoding: 'utf8',
    });
    return r.stdout.split('\n').filter(Boolean).length;
  }
  return count(names[resource] ?? resource);
}
const pairs = (o) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

// 3. Scale (kwok load: cluster/scale.sh).
const scaleLoaded = up && count('namespaces') >= 100;
if (up && !scaleLoaded)
  notes.push('The scale load is not present: `bash cluster/scale.sh up` loads 5,000 Services, 20,000 Pods in 100 namespaces (then rerun).');
if (scaleLoaded) {
  const services = count('services');
  const pods = count('pods');
  const slices = count('endpointslices.discovery.k8s.io');
  notes.push(
    `Scale load: ${services} Services, ${pods} Pods, ${slices} EndpointSlices, ${count('networkpolicies')} NetworkPolicies, ${count('ingresses')} Ingresses.`,
  );
  const base = timeCommand('sh', ['-c', `kubectl --kubeconfig ${KUBECONFIG} get services,endpointslices,pods -A -o json > /dev/null`], { runs: RUNS });
  for (const [name, args] of [
    ['kdiag endpoints -A', ['endpoints', '-A', '-o', 'json']],
    ['kdiag check -A', ['check', '-A', '-o', 'json']],
  ]) {
    const t = timeCommand('sh', ['-c', `${process.execPath} ${kd(...args).join(' ')} > /dev/null 2>&1; true`], { runs: RUNS });
    const ratio = t.median / base.median;
    add(
      `${name} (scale)`,
      `${fmt(t.median)} (${fmt(t.min)}–${fmt(t.max)})`,
      `kubectl get services,endpointslices,pods -A -o json ${fmt(base.median)}`,
      '≤ 1.3× kubectl',
      ratio <= 1.3,
      `${ratio.toFixed(2)}×`,
    );
    const before = listCounts();
    const p = peak(process.execPath, kd(...args));
    const after = listCounts();
    add(`${name} peak RSS`, `${Math.round(p.rssMb)} MB`, '', '≤ 300 MB', p.rssMb <= 300);
    // Every resource kdiag listed (from the API server's own counters): one request per page of 500.
    const got = Object.fromEntries(
      Object.keys(after)
        .map((r) => [r, (after[r] ?? 0) - (before[r] ?? 0)])
        .filter(([, n]) => n > 0),
    );
    const expectPages = Object.fromEntries(Object.keys(got).map((r) => [r, Math.max(1, Math.ceil(objects(r) / 500))]));
    const same = Object.keys(expectPages).length > 0 && Object.keys(expectPages).every((r) => got[r] === expectPages[r]);
    add(`${name} LIST requests = pages`, pairs(got), pairs(expectPages), 'equal', same);
  }
}

// 6. Side by side with Popeye (bench/popeye.sh builds it from the Go module proxy once).
if (scaleLoaded && process.env.KDIAG_BENCH_POPEYE !== '0') {
  const built = spawnSync('bash', [join(ROOT, 'bench', 'popeye.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const popeye = built.stdout.trim();
  if (built.status !== 0 || !popeye) {
    notes.push('Popeye could not be built here (bench/popeye.sh failed); not compared.');
  } else {
    const version = spawnSync(popeye, ['version'], { encoding: 'utf8' }).stdout.match(/v\d+\.\d+\.\d+/)?.[0] ?? '?';
    // --force-exit-zero: Popeye exits 1 for findings as well as for failures; 0 then means it finished.
    const args = ['--kubeconfig', KUBECONFIG, '-A', '-s', 'svc,ing,np', '-o', 'json', '--force-exit-zero', '--logs', join(tmpdir(), 'kdiag-bench-popeye.log')];
    const pt = timeCommand(popeye, args, { runs: RUNS });
    const pp = peak(popeye, args);
    const kt = timeCommand(process.execPath, kd('check', '-A', '-o', 'json'), { runs: RUNS });
    const kp = peak(process.execPath, kd('check', '-A', '-o', 'json'));
    const ok = pt.status === 0 && pp.status !== null;
    add(
      `kdiag check -A vs Popeye ${version} (scale)`,
      `${fmt(kt.median)} (${fmt(kt.min)}–${fmt(kt.max)}), ${Math.round(kp.rssMb)} MB`,
      `popeye -A -s svc,ing,np -o json ${fmt(pt.median)} (${fmt(pt.min)}–${fmt(pt.max)}), ${Math.round(pp.rssMb)} MB`,
      'faster and less memory than Popeye',
      ok && kt.median < pt.median && kp.rssMb < pp.rssMb,
      `${(kt.median / pt.median).toFixed(2)}× time, ${(kp.rssMb / pp.rssMb).toFixed(2)}× memory${ok ? '' : ' (Popeye failed)'}`,
    );
  }
}

// 5. Probes.
if (up && existsSync(join(ROOT, 'dist', 'commands', 'dns.js'))) {
  const k = timeCommand(process.execPath, kd('dns', 'api-service', '-n', 'production', '-o', 'json'), { runs: RUNS, warmup: 1 });
  const b = timeCommand(
    'kubectl',
    [
      '--kubeconfig',
      KUBECONFIG,
      'run',
      `dns-bench-${process.pid}`,
      '-n',
      'production',
      '--rm',
      '-i',
      '--restart=Never',
      '--image=busybox:1.36',
      '--image-pull-policy=IfNotPresent',
      '--',
      'nslookup',
      'api-service.production.svc.cluster.local',
    ],
    { runs: RUNS, warmup: 1, input: '' },
  );
  const ratio = k.median / b.median;
  add(
    'kdiag dns api-service -n production',
    `${fmt(k.median)} (${fmt(k.min)}–${fmt(k.max)})`,
    `kubectl run … nslookup ${fmt(b.median)}`,
    '≤ 1.0× kubectl run',
    ratio <= 1.0,
    `${ratio.toFixed(2)}×`,
  );
  const one = timeCommand(process.execPath, kd('connectivity', 'api-service', '-n', 'production', '-o', 'json'), { runs: RUNS });
  const five = timeCommand(
    process.execPath,
    kd(
      'connectivity',
      'api-service',
      'api-v1-service',
      'postgres:5432',
      'redis-headless:6379',
      'payment-service.payment-service',
      '-n',
      'production',
      '-o',
      'json',
    ),
    { runs: RUNS },
  );
  const r5 = five.median / one.median;
  add('kdiag connectivity, 5 targets in one pod', `${fmt(five.median)}`, `1 target ${fmt(one.median)}`, '≤ 1.3× one target', r5 <= 1.3, `${r5.toFixed(2)}×`);
}

const kubectlVersion = (() => {
  try {
    return execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return 'not found';
  }
})();
const lines = [
  '# Benchmarks',
  '',
  `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${kubectlVersion}.`,
  `Each figure: median of ${RUNS} runs after a warm-up (min–max in brackets); baselines measured in the same run.`,
  '',
  row(['figure', 'kdiag', 'baseline', 'target', 'result', 'ratio']),
  row(['---', '---', '---', '---', '---', '---']),
  ...rows.map((r) => row([r.figure, r.kdiag, r.baseline, r.target, r.pass ? 'pass' : 'FAIL', r.note])),
  '',
  ...notes.map((n) => `- ${n}`),
  '',
  // Kept from the last `npm run bench:growth` (loading each level takes many minutes).
  growthSection(readPoints()),
  '',
  // Where the time and memory go (profiles written by hand, kept with the numbers).
  ...(existsSync(join(ROOT, 'bench', 'analysis.md')) ? [readFileSync(join(ROOT, 'bench', 'analysis.md'), 'utf8').trimEnd(), ''] : []),
];
const text = lines.join('\n');
console.log(text);
if (!process.argv.includes('--no-write')) writeFileSync(join(ROOT, 'BENCHMARKS.md'), text);
