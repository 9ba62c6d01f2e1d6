// Adds the exit-code table to the root help (commands carry it in their description), and
// wraps a command's summary line to the terminal like the rest of its help (oclif prints it
// as one line, 83–100 columns for several commands on an 80-column terminal). What it prints
// is saved for bin/help-cache.js, which prints it next time without loading oclif.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, Help } from '@oclif/core';
import { EXIT_CODES_HELP } from './errors.js';

/** Set by bin/run.js when this help text may be saved: where, and under which key. */
const HELP_CACHE = Symbol.for('kdiag.helpCache');
/** More saved texts than this (terminal widths, argument spellings): start the cache afresh. */
const MAX_SAVED = 500;

function save(file: string, key: string, text: string): void {
  try {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true });
    if (readdirSync(dir).length > MAX_SAVED) rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const part = `${file}.${process.pid}`;
    writeFileSync(part, `${key}\n${text}`);
    renameSync(part, file);
  } catch {
    // A cache that cannot be written only costs the next --help its speed.
  }
}

export default class KdiagHelp extends Help {
  private shownCommand?: string;

  public override async showHelp(argv: string[]): Promise<void> {
    const cache = (globalThis as { [HELP_CACHE]?: { file: string; key: string } })[HELP_CACHE];
    if (!cache || this.config.theme) return super.showHelp(argv);
    const out = process.stdout;
    const write = out.write;
    const chunks: string[] = [];
    out.write = function (this: typeof out, chunk: string | Uint8Array, ...rest: unknown[]) {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof out.write;
    try {
      await super.showHelp(argv);
    } finally {
      out.write = write;
    }
    save(cache.file, cache.key, chunks.join(''));
  }

  public override formatRoot(): string {
    // The first line is package.json's description, which oclif does not wrap either.
    const [first = '', ...rest] = super.formatRoot().split('\n');
    const codes = this.renderList(
      EXIT_CODES_HELP.map(([code, text]) => [code, text]),
      { indentation: 2, spacer: '', stripAnsi: this.opts.stripAnsi },
    );
    return `${[this.wrap(first), ...rest].join('\n')}\n\n${this.section('EXIT CODES', codes)}`;
  }

  public override async showCommandHelp(command: Command.Loadable): Promise<void> {
    this.shownCommand = command.id;
    try {
      await super.showCommandHelp(command);
    } finally {
      this.shownCommand = undefined;
    }
  }

  protected override summary(c: Command.Loadable): string | undefined {
    const summary = super.summary(c);
    // Only the help's first line: in a list of commands oclif wraps the summaries itself.
    return summary && c.id === this.shownCommand ? this.wrap(summary) : summary;
  }
}
