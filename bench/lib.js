// Shared helpers for the benchmarks: run a command N times, report median and range.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The local cluster's kubeconfig (cluster/up.sh), or the one the e2e tests are given. */
export const KUBECONFIG = process.env.KDIAG_E2E_KUBECONFIG ?? join(process.env.KDIAG_STATE ?? '/var/lib/kdiag/cluster', 'kubeconfig');

export function timeCommand(cmd, args, { runs = 7, warmup = 1, env = {}, input } = {}) {
  const samples = [];
  let last;
  for (let i = 0; i < warmup + runs; i++) {
    const started = process.hrtime.bigint();
    last = spawnSync(cmd, args, { env: { ...process.env, ...env }, input, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (i >= warmup) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(samples.length / 2)],
    min: samples[0],
    max: samples[samples.length - 1],
    status: last.status,
    stdout: last.stdout,
    stderr: last.stderr,
  };
}

export function fmt(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function row(cells) {
  return `| ${cells.join(' | ')} |`;
}

export function clusterUp() {
  if (!existsSync(KUBECONFIG)) return false;
  return spawnSync('kubectl', ['--kubeconfig', KUBECONFIG, 'get', '--raw', '/readyz'], { encoding: 'utf8', timeout: 10_000 }).status === 0;
}

/** Peak RSS (MB) and wall time of one run, via GNU time. */
export function peak(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%M %e', cmd, ...args], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [kb, secs] = last.split(' ').map(Number);
  return { rssMb: kb / 1024, seconds: secs, status: r.status };
}

/** LIST requests per resource from the API server's metrics. */
export function listCounts() {
  const r = spawnSync('kubectl', ['--kubeconfig', KUBECONFIG, 'get', '--raw', '/metrics'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const counts = {};
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('apiserver_request_total{') || !line.includes('verb="LIST"')) continue;
    const resource = /resource="([^"]*)"/.exec(line)?.[1];
    const n = Number(line.split(' ').pop());
    if (resource) counts[resource] = (counts[resource] ?? 0) + n;
  }
  return counts;
}

export function count(resource) {
  const r = spawnSync('kubectl', ['--kubeconfig', KUBECONFIG, 'get', resource, '-A', '--no-headers', '-o', 'name'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return r.stdout.split('\n').filter(Boolean).length;
}
