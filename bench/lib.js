// Shared helpers for the benchmarks: run a command N times, report median and range.
import { spawnSync } from 'node:child_process';

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
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], max: samples[samples.length - 1], status: last.status, stdout: last.stdout, stderr: last.stderr };
}

export function fmt(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function row(cells) {
  return `| ${cells.join(' | ')} |`;
}
