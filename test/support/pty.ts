// Runs the real kdiag binary the way a person does: in a terminal. Each session is a tmux
// server of its own (socket in a temporary directory) with one pane of a set size, so the
// binary sees a real pseudo-terminal on stdin, stdout and stderr (isTTY, columns, SIGINT on
// Ctrl-C). The screen is read back with capture-pane: what a person would see, wrapped lines
// joined, optionally with the colour escapes tmux keeps for it.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './run.js';

const exec = promisify(execFile);

export interface PtyOptions {
  cols?: number;
  rows?: number;
  /** Added to the environment (NO_COLOR, FORCE_COLOR and CI are removed first: a plain terminal). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface PtyExit {
  /** Exit status, or undefined when a signal ended the process. */
  code?: number;
  signal?: number;
  /** Milliseconds from start to exit. */
  ms: number;
}

/** The status a shell would report: the exit code, or 128 + the signal. */
export function shellStatus(exit: PtyExit): number {
  return exit.code ?? 128 + (exit.signal ?? 0);
}

/**
 * Fails unless the shell status is `expected`, and then prints the screen the program left: a
 * wrong exit status alone does not say which finding or failure caused it.
 */
export function expectStatus(exit: PtyExit & { screen?: string }, expected: number): void {
  const status = shellStatus(exit);
  if (status !== expected) throw new Error(`exit status ${status}, expected ${expected}. The screen:\n${exit.screen ?? '(not captured)'}`);
}

export interface PtyResult extends PtyExit {
  /** Whether the program left the cursor visible. */
  cursor: boolean;
  /** The bytes the program wrote to the terminal. */
  raw: string;
  /** The whole screen and scroll-back as text, wrapped lines joined, trailing blanks dropped. */
  screen: string;
  /** The same with the colour escapes (SGR) the terminal keeps. */
  coloured: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Quotes one word for sh. */
export function shQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A directory with a `kdiag` on it that runs this checkout's binary with the test's Node. */
let binDir: string | undefined;
export function kdiagBinDir(): string {
  if (!binDir) {
    binDir = mkdtempSync(join(tmpdir(), 'kdiag-pty-bin-'));
    const script = join(binDir, 'kdiag');
    writeFileSync(script, `#!/bin/sh\nexec ${shQuote(process.execPath)} ${shQuote(join(ROOT, 'bin', 'run.js'))} "$@"\n`);
    chmodSync(script, 0o755);
  }
  return binDir;
}

export class PtySession {
  private readonly started = Date.now();
  private ended?: PtyExit;

  private constructor(private readonly dir: string) {}

  private get socket(): string {
    return join(this.dir, 'tmux.sock');
  }

  /**
   * Starts `command` (a shell command line; `kdiag` on PATH is this checkout's binary) in a
   * new terminal of cols × rows.
   */
  static async start(command: string, options: PtyOptions = {}): Promise<PtySession> {
    const dir = mkdtempSync(join(tmpdir(), 'kdiag-pty-'));
    const conf = join(dir, 'tmux.conf');
    // remain-on-exit keeps the pane (and its exit status) after the process ends.
    writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 100000\nset -g status off\n');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['NO_COLOR', 'FORCE_COLOR', 'CI', 'TMUX', 'TMUX_PANE', 'COLUMNS', 'LINES']) delete env[name];
    Object.assign(env, { PATH: `${kdiagBinDir()}:${process.env.PATH ?? ''}`, TERM: 'xterm-256color' }, options.env ?? {});
    const session = new PtySession(dir);
    // The pane waits on a tmux channel so the session exists (and is set up) before kdiag starts.
    const gated = `${shQuote('tmux')} -S ${shQuote(session.socket)} wait-for go; cd ${shQuote(options.cwd ?? ROOT)} && exec ${command}`;
    await exec(
      'tmux',
      ['-S', session.socket, '-f', conf, 'new-session', '-d', '-x', String(options.cols ?? 80), '-y', String(options.rows ?? 40), 'sh', '-c', gated],
      { env },
    );
    // Everything the program writes, as bytes (escape sequences included), for what the screen cannot show.
    await session.tmux('pipe-pane', '-O', `cat > ${shQuote(session.rawFile)}`);
    await session.tmux('wait-for', '-S', 'go');
    return session;
  }

  private async tmux(...args: string[]): Promise<string> {
    const { stdout } = await exec('tmux', ['-S', this.socket, ...args]);
    return stdout;
  }

  /** The screen and scroll-back now. */
  async screen(options: { colours?: boolean; wrapped?: boolean } = {}): Promise<string> {
    // -J joins the lines the terminal wrapped; `wrapped` keeps them as the person sees them.
    const text = await this.tmux('capture-pane', '-p', ...(options.wrapped ? [] : ['-J']), '-S', '-', '-E', '-', ...(options.colours ? ['-e'] : []));
    return text
      .split('\n')
      .filter((line) => !/^Pane is dead \(/.test(line))
      .map((line) => line.replace(/\s+$/, ''))
      .join('\n')
      .replace(/\n+$/, '');
  }

  /** Waits until the screen matches (or the process ended without it: then throws with the screen). */
  async waitForScreen(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (pattern.test(screen)) return screen;
      if ((await this.exit()) || Date.now() > deadline) {
        throw new Error(`screen never matched ${pattern}:\n${screen}`);
      }
      await sleep(100);
    }
  }

  private get rawFile(): string {
    return join(this.dir, 'output.raw');
  }

  /** The bytes written to the terminal so far. */
  raw(): string {
    return existsSync(this.rawFile) ? readFileSync(this.rawFile, 'utf8') : '';
  }

  /** Waits until the raw output stops growing (tmux passes the last bytes on after the exit). */
  async settled(): Promise<void> {
    let size = -1;
    for (let i = 0; i < 40; i++) {
      const now = this.raw().length;
      if (now === size) return;
      size = now;
      await sleep(75);
    }
  }

  /** Whether the program left the cursor shown (the last show/hide it wrote was a show, or none). */
  cursorLeftVisible(): boolean {
    const raw = this.raw();
    return raw.lastIndexOf('\u001b[?25l') <= raw.lastIndexOf('\u001b[?25h');
  }

  /** Keys as tmux names them: 'C-c', 'Enter', 'q'. */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', ...keys);
  }

  /** The exit once the process ended, else undefined. */
  async exit(): Promise<PtyExit | undefined> {
    if (this.ended) return this.ended;
    const [dead, status, signal] = (await this.tmux('list-panes', '-F', '#{pane_dead} #{pane_dead_status} #{pane_dead_signal}')).trim().split(' ');
    if (dead !== '1') return undefined;
    if (!status && !signal) {
      // The pane is dead at the pty's end of file; its status comes once tmux has reaped the
      // process. tmux 3.3 sometimes misses that SIGCHLD (the process stays a zombie): repeat it.
      const server = Number((await this.tmux('display-message', '-p', '#{pid}')).trim());
      if (server > 0) process.kill(server, 'SIGCHLD');
      return undefined;
    }
    this.ended = { code: status ? Number(status) : undefined, signal: signal ? Number(signal) : undefined, ms: Date.now() - this.started };
    return this.ended;
  }

  async waitForExit(timeoutMs = 60_000): Promise<PtyExit> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ended = await this.exit();
      if (ended) return ended;
      if (Date.now() > deadline) throw new Error(`still running after ${timeoutMs} ms:\n${await this.screen()}`);
      await sleep(50);
    }
  }

  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs a shell command line in a terminal to its end; the result is what was on the screen. */
export async function runInPty(command: string, options: PtyOptions & { timeoutMs?: number } = {}): Promise<PtyResult> {
  const session = await PtySession.start(command, options);
  try {
    const ended = await session.waitForExit(options.timeoutMs ?? 60_000);
    await session.settled();
    return {
      ...ended,
      screen: await session.screen(),
      coloured: await session.screen({ colours: true }),
      cursor: session.cursorLeftVisible(),
      raw: session.raw(),
    };
  } finally {
    await session.close();
  }
}

/** `kdiag` with these arguments, quoted for the shell. */
export function kdiagLine(args: readonly string[]): string {
  return ['kdiag', ...args].map(shQuote).join(' ');
}

/** True when the text carries an SGR colour escape. */
export function hasColour(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /\u001b\[[0-9;]*m/.test(text);
}

/** The longest line's width in terminal columns (ASCII and the box/tick symbols kdiag prints are one column each). */
export function widest(screen: string): number {
  return Math.max(0, ...screen.split('\n').map((line) => [...line].length));
}
