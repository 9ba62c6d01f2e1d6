// What a person sees in an 80 × 40 terminal: no colour with NO_COLOR or --no-color (colour by
// default is in examples.test.ts), Ctrl-C during a slow step, and the screens of check, endpoints
// and netpol kept as reviewed text (test/fixtures/screens; UPDATE_SCREENS=1 rewrites them).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeApiServer, type FakeApiServer } from '../support/fake-api-server.js';
import { hasColour, kdiagLine, PtySession, runInPty, expectStatus, shellStatus, type PtyResult } from '../support/pty.js';
import { ROOT } from '../support/run.js';
import { COLOURED, EXPECTED, fakeCluster, lastLine, normaliseScreen, pool, shellFor } from './support.js';

const SCREENS = join(ROOT, 'test', 'fixtures', 'screens');

/** Screens kept as fixtures (check without the Ingress and Gateway checks, which are being rewritten). */
const SCREENS_OF: Record<string, string[]> = {
  check: ['check', '-n', 'production', '--skip', 'ingress,gateway'],
  endpoints: ['endpoints', '-n', 'production'],
  netpol: ['netpol', '-n', 'production'],
};

/** The two ways to turn colour off. */
const PLAIN = {
  NO_COLOR: (line: string) => ({ line, env: { NO_COLOR: '1' } }),
  '--no-color': (line: string) => ({ line: `${line} --no-color`, env: {} }),
} as const;

describe('at a terminal', () => {
  let api: FakeApiServer;
  let slow: FakeApiServer;
  const runs = new Map<string, PtyResult>();

  beforeAll(async () => {
    api = await fakeApiServer(fakeCluster());
    // An API server that takes 30 s for every answer: a long step to interrupt.
    slow = await fakeApiServer(fakeCluster(), { delayMs: 30_000 });
    const jobs = COLOURED.flatMap((example) =>
      Object.entries(PLAIN).map(([mode, variant]) => async () => {
        const { line, env } = variant(example);
        runs.set(`${example} ${mode}`, await runInPty(shellFor(line, ROOT), { cols: 80, rows: 40, env: { ...env, KUBECONFIG: api.kubeconfig } }));
      }),
    );
    const screens = Object.entries(SCREENS_OF).map(([name, args]) => async () => {
      runs.set(`${name} screen`, await runInPty(kdiagLine([...args, '--kubeconfig', api.kubeconfig]), { cols: 80, rows: 40 }));
    });
    await pool([...jobs, ...screens], 4);
  }, 600_000);
  afterAll(async () => {
    await api.close();
    await slow.close();
  });

  describe.each(COLOURED)('%s', (example) => {
    it.each(Object.keys(PLAIN))('has no colour with %s, and ends as it does in colour', (mode) => {
      const r = runs.get(`${example} ${mode}`)!;
      expect(hasColour(r.raw)).toBe(false);
      expect(r.screen).not.toMatch(/unexpected failure/);
      expect({ status: shellStatus(r), last: lastLine(r.screen) }).toEqual({
        status: EXPECTED[example]!.status,
        last: expect.stringMatching(EXPECTED[example]!.last),
      });
    });
  });

  it('without colour, check prints its steps as plain lines with ✓ (no cursor movement)', () => {
    const r = runs.get('kdiag check -n production --no-color')!;
    expect(r.screen).toMatch(
      /^✓ Cluster reachable: https:\/\/127\.0\.0\.1:\d+ \(v1\.35\.0\) \(\d+\.\d\ds\)\n✓ Permissions: \d+ allowed \(\d+\.\d\ds\)\n✓ Snapshot: /,
    );
    // eslint-disable-next-line no-control-regex -- the escapes are what this looks for
    expect(r.raw).not.toMatch(/\u001b\[\d*[AGK]|\u001b\[\?25l/);
  });

  describe.each([
    ['check, in its first step', ['check', '-n', 'production']],
    ['check --no-color, in its first step', ['check', '-n', 'production', '--no-color']],
    ['endpoints, waiting for the API', ['endpoints', '-n', 'production']],
    ['dns, before its probe pod exists', ['dns', 'api-service', '-n', 'production']],
  ])('Ctrl-C during %s', (_name, args) => {
    it('exits at once with status 130 and leaves the cursor visible', async () => {
      const before = slow.received();
      const session = await PtySession.start(kdiagLine([...args, '--kubeconfig', slow.kubeconfig]), { cols: 80, rows: 40 });
      try {
        // kdiag has sent its first request and waits for the answer.
        for (let i = 0; slow.received() === before; i++) {
          if (i > 300 || (await session.exit())) throw new Error(`kdiag sent no request:\n${await session.screen()}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await session.exit()).toBeUndefined();
        const pressed = Date.now();
        await session.keys('C-c');
        const ended = await session.waitForExit(10_000);
        expect(Date.now() - pressed).toBeLessThan(2_000);
        expectStatus(ended, 130);
        await session.settled();
        expect(session.cursorLeftVisible()).toBe(true);
        expect(await session.screen()).not.toMatch(/unexpected failure/);
      } finally {
        await session.close();
      }
    }, 60_000);
  });

  it('Ctrl-C while --watch is still opening its watches ends it at once, with status 0', async () => {
    // Lists with limit=1 (the watch's starting resourceVersion) answer after 20 s.
    let opened = 0;
    const opening = await fakeApiServer(fakeCluster(), { delayMs: (_path, query) => (query.get('limit') === '1' ? (opened++, 20_000) : 0) });
    const session = await PtySession.start(kdiagLine(['endpoints', '-n', 'production', '--watch', '--kubeconfig', opening.kubeconfig]), { cols: 80, rows: 40 });
    try {
      await session.waitForScreen(new RegExp(EXPECTED['kdiag endpoints -n production']!.last.source, 'm'));
      for (let i = 0; opened === 0 && i < 100; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(opened).toBeGreaterThan(0);
      const pressed = Date.now();
      await session.keys('C-c');
      const ended = await session.waitForExit(15_000);
      expect(Date.now() - pressed).toBeLessThan(3_000);
      expectStatus(ended, 0);
    } finally {
      await session.close();
      await opening.close();
    }
  }, 60_000);

  describe.each(Object.keys(SCREENS_OF))('the screen of kdiag %s', (name) => {
    it('matches the reviewed fixture (test/fixtures/screens)', () => {
      const screen = `${normaliseScreen(runs.get(`${name} screen`)!.screen)}\n`;
      const file = join(SCREENS, `${name}.txt`);
      if (process.env.UPDATE_SCREENS === '1') {
        mkdirSync(SCREENS, { recursive: true });
        writeFileSync(file, screen);
      }
      expect(screen).toBe(readFileSync(file, 'utf8'));
    });
  });
});
