// Direct endpoint probing's cost: `kdiag connectivity` of a Service with 3 ready endpoints,
// with differential probing (this build: name + ClusterIP + 3 endpoints + kube-proxy health in
// one pod) and without it (KDIAG_BENCH_BASE: a build of kdiag before differential probing),
// alternating runs, median of 5 each. Needs the local cluster; creates and deletes its namespace.
//   node bench/differential.js [--base DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBECONFIG } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--base');
const BASE = at > 0 ? process.argv[at + 1] : process.env.KDIAG_BENCH_BASE;
if (!BASE) throw new Error('give --base DIR: a checkout of kdiag before differential probing, built');
const RUNS = Number(process.env.KDIAG_BENCH_RUNS ?? 5);
const NS = `kdiag-bench-diff-${Math.random().toString(36).slice(2, 6)}`;
const kubectl = (...args) =>
  execFileSync('kubectl', ['--kubeconfig', KUBECONFIG, ...args], { encoding: 'utf8', input: args.includes('-') ? MANIFEST : undefined });
const MANIFEST = `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: ${NS}}
spec:
  replicas: 3
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers:
      - name: cart
        image: kdiag.local/backend:1.0
        env: [{name: HTTP_PORTS, value: "8080"}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: ${NS}}
spec:
  selector: {app: cart}
  ports: [{name: http, port: 80, targetPort: http}]
`;

function once(dir) {
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [join(dir, 'bin', 'run.js'), 'connectivity', 'cart', '--path', '/health', '-n', NS, '-o', 'json', '--kubeconfig', KUBECONFIG],
    { encoding: 'utf8' },
  );
  const wall = performance.now() - started;
  const report = JSON.parse(r.stdout);
  if (report.targets[0].status !== 'HTTP 200') throw new Error(`unexpected: ${r.stdout}`);
  return { wall, probe: report.probe.elapsedMs, direct: (report.direct ?? []).length };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

kubectl('apply', '-f', '-');
try {
  kubectl('-n', NS, 'rollout', 'status', 'deployment/cart', '--timeout=120s');
  once(ROOT);
  once(BASE); // warm-up
  const withD = [];
  const without = [];
  for (let i = 0; i < RUNS; i++) {
    withD.push(once(ROOT));
    without.push(once(BASE));
  }
  const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const line = (name, xs) =>
    `| ${name} | ${fmt(median(xs.map((x) => x.wall)))} (${fmt(Math.min(...xs.map((x) => x.wall)))}–${fmt(Math.max(...xs.map((x) => x.wall)))}) | ${fmt(median(xs.map((x) => x.probe)))} | ${xs[0].direct} |`;
  const delta = median(withD.map((x) => x.wall)) - median(without.map((x) => x.wall));
  console.log(
    [
      `| kdiag connectivity cart (3 endpoints), median of ${RUNS} | wall | probe pod (create → result) | direct tries |`,
      '| --- | --- | --- | --- |',
      line('with differential probing', withD),
      line('without (before differential probing)', without),
      '',
      `Difference of the medians: ${delta >= 0 ? '+' : ''}${fmt(delta)} (target: at most +1 s).`,
    ].join('\n'),
  );
} finally {
  try {
    kubectl('delete', 'namespace', NS, '--wait=false');
  } catch {
    // not created
  }
}
