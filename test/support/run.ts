// Runs kdiag commands in-process (for nock) or as the real binary (for exit codes and stderr).
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** In the test process, so nock intercepts the requests. */
export async function kdiag(args: string[]): Promise<RunResult> {
  const { stdout, stderr, error } = await runCommand(args, { root: ROOT });
  const code = error ? ((error as { oclif?: { exit?: number } }).oclif?.exit ?? 2) : 0;
  return { stdout, stderr, code };
}

/** The real binary, in a child process with the same Node. */
export function kdiagBinary(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', 'run.js'), ...args],
      { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 2) : 0;
        resolve({ stdout, stderr, code });
      },
    );
  });
}
