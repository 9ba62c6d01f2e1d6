// A pseudo-terminal that was never given a size (`script` started from a pipe, some CI runners)
// reports 0 columns. A task list drawn there wrapped every title at one character a line; kdiag
// prints its plain progress lines instead, and the report itself is unchanged.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fakeApiServer, type FakeApiServer } from '../support/fake-api-server.js';
import { kdiagBinDir, kdiagLine } from '../support/pty.js';
import { ROOT } from '../support/run.js';
import { fakeCluster } from './support.js';

const exec = promisify(execFile);

describe('a terminal of no size', () => {
  let api: FakeApiServer;
  beforeAll(async () => {
    api = await fakeApiServer(fakeCluster());
  });
  afterAll(async () => {
    await api.close();
  });

  it('gets plain progress lines from check, not a task list wrapped at one character', async () => {
    // script's pty takes its size from stdin; a pipe has none, so the terminal says 0 × 0.
    const line = kdiagLine(['check', '-n', 'production']);
    const run = await exec('script', ['-qec', `stty size; ${line}; echo "exit=$?"`, '/dev/null'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PATH: `${kdiagBinDir()}:${process.env.PATH ?? ''}`,
        TERM: 'xterm-256color',
        KUBECONFIG: api.kubeconfig,
        COLUMNS: '',
        NO_COLOR: '',
        CI: '',
      },
      timeout: 60_000,
    }).catch((err: { stdout: string }) => err);
    const screen = run.stdout.replace(/\r/g, '');
    expect(screen).toMatch(/^0 0$/m);
    expect(screen).toMatch(/^exit=1$/m);
    expect(screen).toMatch(/^✓ Cluster reachable: https:\/\/127\.0\.0\.1:\d+/m);
    expect(screen).not.toMatch(/^ {2}\S$/m);
    expect(screen).toMatch(/^\d+ error\(s\), \d+ warning\(s\), \d+ info$/m);
    expect(screen).not.toContain('unexpected failure');
  }, 90_000);
});
