// Every command's --help and every example in it, run as a person runs them: the real binary in
// an 80 × 40 terminal (tmux), against the fake API on a real socket. Examples that need a real
// cluster (probes) reach the fake API too and must end with kdiag's own message.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { fakeApiServer, type FakeApiServer } from '../support/fake-api-server.js';
import { hasColour, PtySession, runInPty, expectStatus, shellStatus, type PtyResult } from '../support/pty.js';
import { COLOURED, EXPECTED, examples, fakeCluster, lastLine, manifestCommands, pool, shellFor } from './support.js';

const COLS = 80;

interface Ran extends PtyResult {
  home: string;
}

/** A fresh home and working directory per run (kdiag.xml, the zsh completion file land there). */
function home(): string {
  return mkdtempSync(join(tmpdir(), 'kdiag-pty-home-'));
}

/** The tables on a screen: from a header row of capitals to the next blank line. */
function tables(screen: string): string[][] {
  const found: string[][] = [];
  let current: string[] | undefined;
  for (const line of screen.split('\n')) {
    if (!current && /^[A-Z][A-Z-]*(?: [A-Z-]+)*(?: {2,}[A-Z][A-Z-]*(?: [A-Z-]+)*)+$/.test(line)) current = [line];
    else if (current && line.trim() === '') {
      found.push(current);
      current = undefined;
    } else current?.push(line);
  }
  if (current) found.push(current);
  return found;
}

describe('every command and example, at a terminal', () => {
  let api: FakeApiServer;
  const runs = new Map<string, Ran>();
  const helps = new Map<string, PtyResult>();
  const commands = manifestCommands().filter((c) => !c.hidden);

  beforeAll(async () => {
    api = await fakeApiServer(fakeCluster());
    const env = (dir: string) => ({ KUBECONFIG: api.kubeconfig, HOME: dir });
    // Several terminals at once: each run mostly waits for Node to start.
    await pool(
      [
        ...examples()
          .filter((e) => !e.line.includes('--watch'))
          .map((e) => async () => {
            const dir = home();
            runs.set(e.line, { ...(await runInPty(shellFor(e.line, dir), { cols: COLS, env: env(dir), cwd: dir })), home: dir });
          }),
        ...['', ...commands.map((c) => c.id.replace(/:/g, ' '))].map((command) => async () => {
          const dir = home();
          helps.set(command, await runInPty(`kdiag ${command} --help`, { cols: COLS, env: env(dir), cwd: dir }));
        }),
      ],
      4,
    );
  }, 600_000);
  afterAll(() => api.close());

  it('knows what every example in --help should end with (and nothing else)', () => {
    expect(
      examples()
        .map((e) => e.line)
        .sort(),
    ).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(['', ...commands.map((c) => c.id.replace(/:/g, ' '))])('kdiag %s --help', (command) => {
    it('prints usage (and examples) within 80 columns, exit 0', () => {
      const r = helps.get(command)!;
      expectStatus(r, 0);
      expect(r.screen).toMatch(/^USAGE$/m);
      expect(r.screen).not.toMatch(/unexpected failure/);
      for (const line of r.screen.split('\n')) expect([...line].length).toBeLessThanOrEqual(COLS);
    });
  });

  describe.each(
    examples()
      .filter((e) => !e.line.includes('--watch'))
      .map((e) => e.line),
  )('%s', (line) => {
    it('ends with its expected status and message, never an unexpected failure', () => {
      const r = runs.get(line)!;
      const expected = EXPECTED[line]!;
      expect(r.screen).not.toMatch(/unexpected failure|\n\s+at .*\(.*:\d+:\d+\)/);
      expect({ status: shellStatus(r), last: lastLine(r.screen) }).toEqual({ status: expected.status, last: expect.stringMatching(expected.last) });
      expect(r.cursor).toBe(true);
    });
  });

  it.each(COLOURED)('%s is coloured by default (NO_COLOR and --no-color: screens.test.ts)', (line) => {
    expect(hasColour(runs.get(line)!.raw)).toBe(true);
  });

  it('check draws its task list on the terminal and ends each step with ✔', () => {
    for (const line of ['kdiag check -n production', 'kdiag check -A -o junit > kdiag.xml']) {
      const screen = runs.get(line)!.screen;
      expect(screen).toMatch(/^✔ Cluster reachable: https:\/\/127\.0\.0\.1:\d+ \(v1\.35\.0\)\n✔ Permissions: \d+ allowed\n✔ Snapshot: \d+ services, /);
      // No spinner frame or pending mark is left on the screen.
      expect(screen).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏◼❯]/);
    }
  });

  it('tables fit an 80-column terminal (check, docs, one Service)', () => {
    // The list tables of endpoints, services, ingress, gateway and netpol are still wider
    // (98–139 columns): src/report/table.ts only wraps the last column. Reported with issue 22.
    for (const line of [
      'kdiag check -n production',
      'kdiag check -n production --only endpoints,ingress --fail-on warning',
      'kdiag docs',
      'kdiag endpoints api-service -n production',
    ]) {
      const found = tables(runs.get(line)!.screen);
      expect(found.length).toBeGreaterThan(0);
      for (const table of found) for (const row of table) expect([...row].length).toBeLessThanOrEqual(COLS);
    }
  });

  it('check -o junit > kdiag.xml writes only the XML to the file; the task list stays on the terminal', () => {
    const r = runs.get('kdiag check -A -o junit > kdiag.xml')!;
    const xml = readFileSync(join(r.home, 'kdiag.xml'), 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kdiag check"')).toBe(true);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toMatch(/[✔✖❯⠋]/);
    expect(xml).not.toContain('\u001b');
  });

  it('completion zsh > "${fpath[1]}/_kdiag" writes the completion where zsh looks', () => {
    const r = runs.get('kdiag completion zsh > "${fpath[1]}/_kdiag"')!;
    expect(existsSync(join(r.home, '_kdiag'))).toBe(true);
  });

  it('JSON at a terminal is plain JSON: no colour, parses whole', () => {
    for (const line of examples()
      .map((e) => e.line)
      .filter((l) => /-o json$/.test(l))) {
      const r = runs.get(line)!;
      expect(r.coloured).not.toContain('\u001b[');
      expect(() => JSON.parse(r.screen)).not.toThrow();
    }
  });

  it('the probe commands against an API that refuses the probe pod show a failed task list, then one line', () => {
    const r = runs.get('kdiag dns api-service -n production')!;
    expect(r.screen.split('\n')[0]).toBe('✖ Creating the probe pod');
    expect(r.screen).toMatch(/^◼ Reading the result$/m);
  });

  it('--watch draws, keeps running, and Ctrl-C ends it with status 0', async () => {
    const dir = home();
    const watches = () => api.api.requests.filter((r) => r.query.get('watch') === 'true').length;
    const watchesBefore = watches();
    const session = await PtySession.start('kdiag gateway -n production --watch', { cols: COLS, env: { KUBECONFIG: api.kubeconfig, HOME: dir }, cwd: dir });
    try {
      await session.waitForScreen(new RegExp(EXPECTED['kdiag gateway -n production --watch']!.last.source, 'm'));
      expect(await session.exit()).toBeUndefined();
      // The watches go out through client-node's fetch over TLS, whose undici Agent the build
      // loads only at first use (build/vendor.mjs, lazyPackages; src/cluster/client.ts, deferred).
      for (let waited = 0; watches() === watchesBefore && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(watches()).toBeGreaterThan(watchesBefore);
      const pressed = Date.now();
      await session.keys('C-c');
      const ended = await session.waitForExit(10_000);
      expect(Date.now() - pressed).toBeLessThan(3_000);
      expectStatus(ended, 0);
      await session.settled();
      expect(session.cursorLeftVisible()).toBe(true);
      expect(await session.screen()).not.toMatch(/unexpected failure/);
    } finally {
      await session.close();
    }
  }, 60_000);
});
