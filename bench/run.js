// `npm run bench`: every speed target of issues 8 and 21, side by side with its baseline in the
// same run, written to BENCHMARKS.md with the machine. A figure whose prerequisite is
// missing (no local cluster, no scale load) is reported as not measured, with the reason.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBECONFIG, clusterUp, count, fmt, fmtRun, interleaved, peak, row, timeCommand } from './lib.js';
import { startApiServer } from './api-server.js';
import { growthSection, readPoints } from './growth.js';
import { startupFigures } from './startup.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const KDIAG = join(ROOT, 'bin', 'run.js');
const RUNS = Number(process.env.KDIAG_BENCH_RUNS ?? 5);
const rows = [];
const notes = [];
/** The small commands' parts (section 2), for the table "Small commands: where the time goes". */
let smallParts;

function add(figure, kdiag, baseline, target, pass, note = '') {
  rows.push({ figure, kdiag, baseline, target, pass, note });
}

const kd = (...args) => [KDIAG, ...args, '--kubeconfig', KUBECONFIG];

// 1. Start-up (interleaved with kubectl).
const startup = startupFigures();
for (const f of startup.figures) {
  add(
    f.name,
    `${fmt(f.t.wall.median)} (${fmt(f.t.wall.min)}–${fmt(f.t.wall.max)}), CPU ${fmt(f.t.cpu.median)}`,
    f.baseline ? `${f.baselineName} ${fmt(f.baseline.wall.median)}, CPU ${fmt(f.baseline.cpu.median)}` : 'n/a',
    f.target,
    f.pass,
    f.ratio ? `${f.ratio.toFixed(2)}×` : '',
  );
}

const up = clusterUp();
if (!up) notes.push(`The local cluster is not running (${KUBECONFIG}): start it with \`npm run cluster:up\` for the cluster figures.`);

// 2. Small commands, interleaved with kubectl doing the same reads.
const NS = process.env.KDIAG_BENCH_NAMESPACE ?? 'production';
if (up) {
  const kc = ['--kubeconfig', KUBECONFIG];
  const floorOf = (...args) => [process.execPath, [join(ROOT, 'bench', 'floor.js'), ...kc, ...listsRead(kd(...args)).lists]];
  const r = interleaved(
    {
      endpoints: [process.execPath, kd('endpoints', '-n', NS)],
      slices: ['kubectl', [...kc, 'get', 'endpointslices', '-n', NS]],
      check: [process.execPath, kd('check', '-n', NS, '-o', 'json')],
      kinds: ['kubectl', [...kc, 'get', 'services,endpointslices,pods,ingresses,networkpolicies', '-n', NS, '-o', 'json']],
      // Where the time goes: Node alone, the two libraries the stack prescribes, the same reads without either.
      node: [process.execPath, ['-e', '0']],
      oclif: [process.execPath, [join(ROOT, 'bench', 'parts.js'), 'oclif']],
      clientNode: [process.execPath, [join(ROOT, 'bench', 'parts.js'), 'client-node']],
      endpointsFloor: floorOf('endpoints', '-n', NS),
      checkFloor: floorOf('check', '-n', NS, '-o', 'json'),
    },
    { runs: RUNS },
  );
  // kdiag exits 1 here (the scenario's broken Services); the parts and floors must succeed.
  for (const name of ['node', 'oclif', 'clientNode', 'endpointsFloor', 'checkFloor'])
    if (r[name].status !== 0) throw new Error(`bench: ${name} exited ${r[name].status}: ${r[name].stderr}`);
  const small = (figure, k, b, baseline, limit) => {
    const ratio = k.wall.median / b.wall.median;
    add(
      figure,
      fmtRun(k),
      `${baseline} ${fmtRun(b)}`,
      `≤ ${limit}× kubectl`,
      ratio <= limit,
      `${ratio.toFixed(2)}× (CPU ${(k.cpu.median / b.cpu.median).toFixed(2)}×)`,
    );
  };
  small(`kdiag endpoints -n ${NS}`, r.endpoints, r.slices, `kubectl get endpointslices -n ${NS}`, 1.5);
  small(`kdiag check -n ${NS} -o json`, r.check, r.kinds, `kubectl get services,endpointslices,pods,ingresses,networkpolicies -n ${NS} -o json`, 2);
  smallParts = { r, NS };
}

/**
 * The lists a kdiag command read, from one run with --debug (path and query without limit and
 * continue), and how many requests it sent for each.
 */
function listsRead(command) {
  const debug = spawnSync(process.execPath, [...command, '--debug'], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  const gets = debug.stderr
    .split('\n')
    .map((l) => /^→ GET (\S+)/.exec(l)?.[1])
    .filter((u) => u && /[?&]limit=500\b/.test(u))
    .map((u) => {
      const url = new URL(u);
      const query = [...url.searchParams].filter(([k]) => k !== 'limit' && k !== 'continue');
      return `${url.pathname}${query.length ? `?${new URLSearchParams(query)}` : ''}`;
    });
  const lists = [...new Set(gets)];
  return { lists, requests: Object.fromEntries(lists.map((l) => [l, gets.filter((g) => g === l).length])) };
}

/**
 * kdiag's scans side by side with the fetch floor (bench/floor.js) of exactly the lists the
 * scan read (taken from its --debug log), on one API server: wall and CPU, peak RSS, and
 * whether kdiag sent one LIST request per page of 500.
 */
function scans(label, kubeconfig, { memoryTargetMb } = {}) {
  for (const [name, args] of [
    ['kdiag check -A', ['check', '-A', '-o', 'json']],
    ['kdiag endpoints -A', ['endpoints', '-A', '-o', 'json']],
  ]) {
    const command = [KDIAG, ...args, '--kubeconfig', kubeconfig];
    const { lists, requests } = listsRead(command);
    const r = interleaved(
      {
        kdiag: [process.execPath, command],
        floor: [process.execPath, [join(ROOT, 'bench', 'floor.js'), '--kubeconfig', kubeconfig, ...lists]],
      },
      { runs: RUNS },
    );
    const ratio = r.kdiag.wall.median / r.floor.wall.median;
    const cpuRatio = r.kdiag.cpu.median / r.floor.cpu.median;
    add(
      `${name} (${label})`,
      fmtRun(r.kdiag, { rss: true }),
      `fetch floor of ${lists.length} lists ${fmtRun(r.floor, { rss: true })}`,
      '≤ 1.5× the floor',
      ratio <= 1.5,
      `${ratio.toFixed(2)}× (CPU ${cpuRatio.toFixed(2)}×)`,
    );
    if (memoryTargetMb) add(`${name} peak RSS (${label})`, `${Math.round(r.kdiag.rssMb)} MB`, '', `≤ ${memoryTargetMb} MB`, r.kdiag.rssMb <= memoryTargetMb);
    // The floor's pages: one line per list on its stderr ("PATH N pages M objects").
    const pages = Object.fromEntries(
      r.floor.stderr
        .split('\n')
        .map((l) => /^(\S+) (\d+) pages/.exec(l))
        .filter(Boolean)
        .map((m) => [m[1], Number(m[2])]),
    );
    const short = (o) => pairs(Object.fromEntries(Object.entries(o).map(([k, v]) => [k.split('/').pop().split('?')[0], v])));
    const same = lists.length > 0 && lists.every((l) => requests[l] === pages[l]);
    add(`${name} LIST requests = pages (${label})`, short(requests), short(pages), 'equal', same);
  }
}

const pairs = (o) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

// 3. Scans on the stand-in API server (bench/api-server.js), which serves the scale load from
// pre-generated pages: the shared cluster never carries it. 1× = 5,000 Services, 20,000 Pods.
if (process.env.KDIAG_BENCH_FAKE !== '0') {
  for (const level of [1, 2]) {
    const server = await startApiServer(level);
    try {
      scans(`stand-in API ${level}×`, server.kubeconfig, { memoryTargetMb: level === 2 ? 300 : undefined });
    } finally {
      server.stop();
    }
  }
  notes.push(
    'Stand-in API (`bench/api-server.js`): the scale load (1×: 5,000 Services, 20,000 Pods, 5,000 EndpointSlices, 200 NetworkPolicies, 500 Ingresses in 100 namespaces) shaped as the API server returns it (managedFields, kwok status), every page pre-serialised and gzipped, HTTPS on 127.0.0.1.',
  );
}

// 4. Scans on the local cluster when it carries the scale load (cluster/scale.sh).
const scaleLoaded = up && count('namespaces') >= 100;
if (up && !scaleLoaded)
  notes.push('The local cluster has no scale load (`bash cluster/scale.sh up`, on a cluster nobody else uses): its scan rows are not measured.');
if (scaleLoaded) {
  notes.push(
    `Local cluster scale load: ${count('services')} Services, ${count('pods')} Pods, ${count('endpointslices.discovery.k8s.io')} EndpointSlices, ${count('networkpolicies')} NetworkPolicies, ${count('ingresses')} Ingresses.`,
  );
  scans('local cluster, scale load', KUBECONFIG, { memoryTargetMb: 300 });
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

// 5. Probes, each interleaved with doing the same by hand: `kubectl run --rm -i` of the image
// kdiag's probe uses (imported on the local cluster), against the scenario's own Services.
if (up && process.env.KDIAG_BENCH_PROBES !== '0' && existsSync(join(ROOT, 'dist', 'commands', 'dns.js'))) {
  const byHand = (name, namespace, image, command) => [
    'kubectl',
    [
      '--kubeconfig',
      KUBECONFIG,
      'run',
      `${name}-${process.pid}`,
      '-n',
      namespace,
      '--rm',
      '-i',
      '--restart=Never',
      `--image=${image}`,
      '--image-pull-policy=IfNotPresent',
      '--',
      ...command,
    ],
    { input: '' },
  ];
  const probeRow = (figure, k, b, baseline, limit) => {
    const ratio = k.wall.median / b.wall.median;
    add(
      figure,
      fmtRun(k),
      `${baseline} ${fmtRun(b)}`,
      `≤ ${limit}× kubectl run`,
      ratio <= limit,
      `${ratio.toFixed(2)}× (CPU ${(k.cpu.median / b.cpu.median).toFixed(2)}×)`,
    );
  };
  const dns = interleaved(
    {
      kdiag: [process.execPath, kd('dns', 'api-service', '-n', 'production', '-o', 'json')],
      kubectl: byHand('dns-bench', 'production', 'busybox:1.36', ['nslookup', 'api-service.production.svc.cluster.local']),
    },
    { runs: RUNS },
  );
  probeRow('kdiag dns api-service -n production', dns.kdiag, dns.kubectl, 'kubectl run … busybox:1.36 nslookup', 1.0);
  // payment-service: a live HTTP backend in a namespace without NetworkPolicies (the probe's
  // request succeeds, no settle time); kdiag also tries the ClusterIP and each endpoint directly.
  const conn = interleaved(
    {
      kdiag: [process.execPath, kd('connectivity', 'payment-service', '-n', 'payment-service', '-o', 'json')],
      kubectl: byHand('conn-bench', 'payment-service', 'curlimages/curl:8.11.1', [
        'curl',
        '-sS',
        '-m',
        '10',
        'http://payment-service.payment-service.svc.cluster.local/',
      ]),
    },
    { runs: RUNS },
  );
  probeRow('kdiag connectivity payment-service -n payment-service', conn.kdiag, conn.kubectl, 'kubectl run … curlimages/curl:8.11.1 curl', 0.8);
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

/**
 * The small commands against what no Node program built on the prescribed stack can beat: Node's
 * start, loading oclif and its Config, loading the client-node bundle (each less Node's start),
 * and the same GET requests sent by a bare Node script (bench/floor.js: all at once, no oclif, no
 * client-node, no analysis; check's SelfSubjectAccessReviews left out). The sum is a lower bound
 * for kdiag on this stack, measured in the same interleaved rounds as the rows above.
 */
function partsSection({ r, NS }) {
  const ms = (t) => t.wall.median;
  const own = (t) => Math.max(0, ms(t) - ms(r.node));
  const stack = own(r.oclif) + own(r.clientNode);
  const bound = (floor, kubectl, limit) => {
    const sum = ms(floor) + stack;
    return `${fmt(sum)} = ${(sum / ms(kubectl)).toFixed(2)}× kubectl (target ${limit}×: ${fmt(limit * ms(kubectl))})`;
  };
  return [
    '### Small commands: where the time goes (same run, medians)',
    '',
    row(['part', 'wall', 'CPU']),
    row(['---', '---', '---']),
    row(['`node -e 0` (Node starts and ends)', fmt(ms(r.node)), fmt(r.node.cpu.median)]),
    row(['oclif: `@oclif/core` and `Config.load` (less Node)', fmt(own(r.oclif)), fmt(Math.max(0, r.oclif.cpu.median - r.node.cpu.median))]),
    row(['client-node bundle (less Node)', fmt(own(r.clientNode)), fmt(Math.max(0, r.clientNode.cpu.median - r.node.cpu.median))]),
    row([`\`endpoints -n ${NS}\`'s GETs from bare Node (bench/floor.js)`, fmt(ms(r.endpointsFloor)), fmt(r.endpointsFloor.cpu.median)]),
    row([`\`check -n ${NS}\`'s GETs from bare Node, all at once`, fmt(ms(r.checkFloor)), fmt(r.checkFloor.cpu.median)]),
    row([`lower bound for \`endpoints -n\` on oclif + client-node (GETs + both loads)`, bound(r.endpointsFloor, r.slices, 1.5), '']),
    row([`lower bound for \`check -n\` on oclif + client-node`, bound(r.checkFloor, r.kinds, 2), '']),
    row([
      `kdiag itself: \`endpoints -n\` / \`check -n\``,
      `${fmt(ms(r.endpoints))} / ${fmt(ms(r.check))}`,
      `${fmt(r.endpoints.cpu.median)} / ${fmt(r.check.cpu.median)}`,
    ]),
    '',
  ];
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
  `Each figure: median of ${RUNS} runs after a warm-up (min–max in brackets), the command and its baseline run in turn (interleaved) so both see the same load; CPU = user + sys of the process; ratios compare the wall-time medians (the CPU ratio beside them).`,
  '',
  row(['figure', 'kdiag', 'baseline', 'target', 'result', 'ratio']),
  row(['---', '---', '---', '---', '---', '---']),
  ...rows.map((r) => row([r.figure, r.kdiag, r.baseline, r.target, r.pass ? 'pass' : 'FAIL', r.note])),
  '',
  ...notes.map((n) => `- ${n}`),
  '',
  ...(smallParts ? partsSection(smallParts) : []),
  // Kept from the last `npm run bench:growth` (loading each level takes many minutes).
  growthSection(readPoints()),
  '',
  // Where the time and memory go (profiles written by hand, kept with the numbers).
  ...(existsSync(join(ROOT, 'bench', 'analysis.md')) ? [readFileSync(join(ROOT, 'bench', 'analysis.md'), 'utf8').trimEnd(), ''] : []),
];
const text = lines.join('\n');
console.log(text);
if (!process.argv.includes('--no-write')) writeFileSync(join(ROOT, 'BENCHMARKS.md'), text);
