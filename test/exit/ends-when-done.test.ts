// A command in a runbook or CI must end once its output is written. This runs
// `kdiag endpoints -A -o json` through the real binary against the fake API (served over
// HTTPS on 127.0.0.1) many times and fails on any run that stays alive more than a second
// after the last byte of its output. Run it with `npm run test:exit` (KDIAG_EXIT_RUNS
// changes the count, default 200).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fakeApiServer, type FakeApiServer } from '../support/fake-api-server.js';
import { loadFixture } from '../support/fixtures.js';
import { ROOT } from '../support/run.js';

const RUNS = Number(process.env.KDIAG_EXIT_RUNS ?? 200);
const PARALLEL = 1;
const MAX_LINGER_MS = 1000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the last stdout byte to the process's exit. */
  lingerMs: number;
}

function runBinary(args: string[], env: NodeJS.ProcessEnv, onFirstOutput?: (child: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let lastOutput = performance.now();
    child.stdout.on('data', (chunk: Buffer) => {
      if (out.length === 0) onFirstOutput?.(child);
      out.push(chunk);
      lastOutput = performance.now();
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // A hung run is killed after a minute and reported with its linger time.
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    // 'exit', not 'close': the moment the process ended, before its pipes are drained here.
    child.on('exit', (code, signal) => {
      const exitedAt = performance.now();
      clearTimeout(kill);
      child.on('close', () =>
        resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), lingerMs: exitedAt - lastOutput }),
      );
    });
  });
}

describe('kdiag ends when its output is written', () => {
  let server: FakeApiServer;

  beforeAll(async () => {
    server = await fakeApiServer([...loadFixture('production.yaml'), ...loadFixture('kube-system.yaml')]);
  });

  afterAll(async () => {
    await server?.close();
  });

  it(
    `endpoints -A -o json exits within ${MAX_LINGER_MS} ms of its last output, ${RUNS} times`,
    async () => {
      const runs: Run[] = [];
      let next = 0;
      const worker = async () => {
        while (next < RUNS) {
          next++;
          runs.push(await runBinary(['endpoints', '-A', '-o', 'json', '--kubeconfig', server.kubeconfig], {}));
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));

      const lingering = runs.filter((r) => r.lingerMs > MAX_LINGER_MS || r.signal !== null);
      const broken = runs.filter((r) => r.code !== 0 && r.code !== 1);
      const incomplete = runs.filter((r) => {
        try {
          return (JSON.parse(r.stdout) as { kind?: string }).kind !== 'EndpointsReport';
        } catch {
          return true;
        }
      });
      const sorted = runs.map((r) => r.lingerMs).sort((a, b) => a - b);
      const pct = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
      process.stderr.write(`exit test: ${runs.length} runs, linger after last output p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms\n`);

      expect(runs).toHaveLength(RUNS);
      expect(broken.map((r) => `exit ${r.code}: ${r.stderr.trim()}`)).toEqual([]);
      expect(incomplete.map((r) => r.stdout.slice(-200))).toEqual([]);
      expect(lingering.map((r) => `stayed ${Math.round(r.lingerMs)} ms (signal ${r.signal})`)).toEqual([]);
      // Every run asked the API the same questions; none asked anything the fake does not know.
      expect(server.api.unexpected).toEqual([]);
    },
    30 * 60_000,
  );

  it(
    'endpoints -A --watch ends within a second of Ctrl-C, also while its watches are being opened',
    async () => {
      // Ctrl-C as soon as the first screen is out: the watches are still being opened then.
      const runs: Run[] = [];
      for (let i = 0; i < 10; i++)
        runs.push(await runBinary(['endpoints', '-A', '--watch', '--kubeconfig', server.kubeconfig], {}, (child) => child.kill('SIGINT')));
      const slow = runs.filter((r) => r.signal === 'SIGKILL' || r.lingerMs > MAX_LINGER_MS);
      expect(slow.map((r) => `stayed ${Math.round(r.lingerMs)} ms after its output (exit ${r.code}, ${r.signal}): ${r.stderr.trim()}`)).toEqual([]);
    },
    10 * 60_000,
  );
});
