// Adds the exit-code table to the root help (commands carry it in their description), and
// wraps a command's summary line to the terminal like the rest of its help (oclif prints it
// as one line, 83–100 columns for several commands on an 80-column terminal).
import { Command, Help } from '@oclif/core';
import { EXIT_CODES_HELP } from './errors.js';

export default class KdiagHelp extends Help {
  private shownCommand?: string;

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
