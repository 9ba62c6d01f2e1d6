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

/** One run under GNU time: wall (ms, measured here), CPU (user + sys, ms) and peak RSS (MB). */
export function measureOnce(cmd, args, { env = {}, input } = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'KDIAG-BENCH %U %S %M', cmd, ...args], {
    env: { ...process.env, ...env },
    input,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  const line = r.stderr
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('KDIAG-BENCH '));
  const [user, sys, kb] = (line ?? 'KDIAG-BENCH NaN NaN NaN').split(' ').slice(1).map(Number);
  return { wall, cpu: (user + sys) * 1000, rssMb: kb / 1024, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const stats = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};

/**
 * Runs each command of `cases` ({name: [cmd, args, options]}) in turn, `runs` rounds after
 * `warmup` rounds, so that all of them see the same load on a busy machine. Per case: wall and
 * CPU medians with their ranges, and the largest peak RSS.
 */
export function interleaved(cases, { runs = 5, warmup = 1 } = {}) {
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const [name, [cmd, args, options]] of Object.entries(cases)) {
      const m = measureOnce(cmd, args, options);
      if (i >= warmup) samples[name].push(m);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [
      name,
      {
        wall: stats(list.map((m) => m.wall)),
        cpu: stats(list.map((m) => m.cpu)),
        rssMb: Math.max(...list.map((m) => m.rssMb)),
        status: list[list.length - 1].status,
        stderr: list[list.length - 1].stderr,
      },
    ]),
  );
}

/** "1.23 s (1.10 s–1.40 s), CPU 0.90 s" */
export function fmtRun(r, { rss = false } = {}) {
  return `${fmt(r.wall.median)} (${fmt(r.wall.min)}–${fmt(r.wall.max)}), CPU ${fmt(r.cpu.median)}${rss ? `, ${Math.round(r.rssMb)} MB` : ''}`;
}
