// What a person sees in an 80 × 40 terminal: colour by default and none with NO_COLOR or
// --no-color, Ctrl-C during a slow step, and the screens of check, endpoints and netpol kept
// as reviewed text (test/fixtures/screens; UPDATE_SCREENS=1 rewrites them for review).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeApiServer, type FakeApiServer } from '../support/fake-api-server.js';
import { hasColour, kdiagLine, PtySession, runInPty, shellStatus, type PtyResult } from '../support/pty.js';
import { ROOT } from '../support/run.js';
import { fakeCluster, pool } from './support.js';

const SCREENS = join(ROOT, 'test', 'fixtures', 'screens');

/** One command per area, each with coloured marks in its human output. */
const COLOURED: Record<string, string[]> = {
  check: ['check', '-n', 'production'],
  endpoints: ['endpoints', '-n', 'production'],
  services: ['services', '-n', 'production'],
  ingress: ['ingress', '-n', 'production'],
  gateway: ['gateway', '-n', 'production'],
  netpol: ['netpol', '-n', 'production'],
  'netpol explain': ['netpol', 'explain', '--from', 'production:app=api-server', '--to', 'kube-system:k8s-app=kube-dns', '--port', '53/UDP'],
  trace: ['trace', 'https://api.example.com/api/v1/users'],
  // Against the fake API the probe fails at its first step: the task list still shows ✖.
  dns: ['dns', 'api-service', '-n', 'production'],
  connectivity: ['connectivity', 'api-service', '-n', 'production'],
};

/** Screens kept as fixtures (check without the Ingress and Gateway checks, which are being rewritten). */
const SCREENS_OF: Record<string, string[]> = {
  check: ['check', '-n', 'production', '--skip', 'ingress,gateway'],
  endpoints: ['endpoints', '-n', 'production'],
  netpol: ['netpol', '-n', 'production'],
};

const MODES = { default: { env: {}, args: [] }, NO_COLOR: { env: { NO_COLOR: '1' }, args: [] }, '--no-color': { env: {}, args: ['--no-color'] } } as const;

/** The terminal's wrapping of long lines at `cols` columns. */
function wrapAt(text: string, cols: number): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const chars = [...line];
      if (chars.length <= cols) return [line];
      const parts: string[] = [];
      for (let i = 0; i < chars.length; i += cols) parts.push(chars.slice(i, i + cols).join('').replace(/\s+$/, ''));
      return parts;
    })
    .join('\n');
}

/**
 * A screen made comparable: the fake API's port, timings and ages change from run to run.
 * Normalised on the joined lines, then wrapped as the 80-column terminal wraps them.
 */
export function normaliseScreen(screen: string, cols = 80): string {
  const normalised = screen
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(/\(\d+\.\d+s\)/g, '(0.00s)')
    .replace(/(?<= )\d+\.\d\ds$/gm, '0.00s')
    .replace(/\b\d+ (minutes|hours|days) (after creation|ago)/g, 'N $1 $2');
  return wrapAt(normalised, cols);
}

describe('at a terminal', () => {
  let api: FakeApiServer;
  let slow: FakeApiServer;
  const runs = new Map<string, PtyResult>();

  beforeAll(async () => {
    api = await fakeApiServer(fakeCluster());
    // An API server that takes 30 s for every answer: a long step to interrupt.
    slow = await fakeApiServer(fakeCluster(), { delayMs: 30_000 });
    const jobs = Object.entries(COLOURED).flatMap(([name, args]) =>
      Object.entries(MODES).map(([mode, { env, args: extra }]) => async () => {
        runs.set(`${name} ${mode}`, await runInPty(kdiagLine([...args, ...extra, '--kubeconfig', api.kubeconfig]), { cols: 80, rows: 40, env }));
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

  describe.each(Object.keys(COLOURED))('kdiag %s', (name) => {
    it('is coloured by default, and not with NO_COLOR=1 or --no-color; same exit status', () => {
      const statuses = Object.keys(MODES).map((mode) => shellStatus(runs.get(`${name} ${mode}`)!));
      expect(new Set(statuses).size).toBe(1);
      expect([0, 1, 2]).toContain(statuses[0]);
      expect(hasColour(runs.get(`${name} default`)!.raw)).toBe(true);
      expect(hasColour(runs.get(`${name} NO_COLOR`)!.raw)).toBe(false);
      expect(hasColour(runs.get(`${name} --no-color`)!.raw)).toBe(false);
      for (const mode of Object.keys(MODES)) expect(runs.get(`${name} ${mode}`)!.screen).not.toMatch(/unexpected failure/);
    });
  });

  it('without colour, check prints its steps as plain lines with ✓ (no cursor movement)', () => {
    const r = runs.get('check --no-color')!;
    expect(r.screen).toMatch(/^✓ Cluster reachable: https:\/\/127\.0\.0\.1:\d+ \(v1\.35\.0\) \(\d+\.\d\ds\)\n✓ Permissions: \d+ allowed \(\d+\.\d\ds\)\n✓ Snapshot: /);
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
        expect(shellStatus(ended)).toBe(130);
        await session.settled();
        expect(session.cursorLeftVisible()).toBe(true);
        expect(await session.screen()).not.toMatch(/unexpected failure/);
      } finally {
        await session.close();
      }
    }, 60_000);
  });

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
