// `kdiag docs [CODE]`: the documentation of a finding code, offline (docs/checks ships in
// the package; the single-file build embeds it as SEA assets).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Args, Command, Flags } from '@oclif/core';
import { EXIT_FAILURE } from '../errors.js';
import { CODES, type CodeInfo } from '../report/codes.js';

const FORMATS = ['table', 'json', 'yaml'] as const;

export default class Docs extends Command {
  static override summary = 'Print the documentation of a finding code (what it means, why it matters, how to fix it).';
  static override description = `Without a code, lists every finding code with its severity, check and title. With a code (e.g. KD1001), prints its documentation: what it means, why it matters, how to fix it, and the Kubernetes documentation page for the concept.

EXIT CODES
  0  the code is known (or the list was printed)
  2  unknown code (the known codes are listed on stderr)`;

  static override examples = [
    { description: 'Every finding code', command: '<%= config.bin %> docs' },
    { description: 'What KD1001 means and how to fix it', command: '<%= config.bin %> docs KD1001' },
  ];

  static override args = {
    code: Args.string({ description: 'A finding code, e.g. KD1001 (case does not matter).', required: false }),
  };

  static override flags = {
    output: Flags.option({
      char: 'o',
      options: FORMATS,
      description: 'Output format: table (markdown for one code), json or yaml.',
      default: 'table' as const,
    })(),
    'no-headers': Flags.boolean({ description: 'Print the list without the header row.', default: false }),
  };

  public async run(): Promise<void> {
    const { args, flags } = await this.parse(Docs);
    if (args.code === undefined) return this.list(flags.output, flags['no-headers']);
    const code = args.code.toUpperCase();
    const info = (CODES as Record<string, CodeInfo>)[code];
    if (!info) {
      this.logToStderr(`kdiag: unknown finding code "${args.code}". Known codes:\n${wrap(Object.keys(CODES).sort().join(', '))}`);
      this.exit(EXIT_FAILURE);
    }
    const markdown = await readDoc(this.config.root, code);
    if (flags.output === 'table') {
      this.log(
        markdown?.trimEnd() ??
          `# ${code}: ${info.title}\n\n- Check: \`${info.check}\`\n- Severity: ${info.severity}\n\n(no documentation file for this code in this build)`,
      );
      return;
    }
    await this.print(flags.output, { apiVersion: 'kdiag/v1', kind: 'FindingCodeDoc', code, ...info, markdown: markdown ?? null });
  }

  private async list(output: (typeof FORMATS)[number], noHeaders: boolean): Promise<void> {
    const codes = Object.entries(CODES as Record<string, CodeInfo>)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, info]) => ({ code, severity: info.severity, check: info.check, title: info.title }));
    if (output !== 'table') return this.print(output, { apiVersion: 'kdiag/v1', kind: 'FindingCodeList', codes });
    const { renderTable } = await import('../report/table.js');
    // As every table (BaseCommand.terminalWidth): COLUMNS wins, else the terminal's width.
    const columns = Number(process.env.COLUMNS);
    const width = Number.isInteger(columns) && columns > 0 ? columns : process.stdout.isTTY ? process.stdout.columns || 80 : undefined;
    this.log(
      renderTable(
        ['CODE', 'SEVERITY', 'CHECK', 'TITLE'],
        codes.map((c) => [c.code, c.severity, c.check, c.title]),
        { noHeaders, width },
      ),
    );
  }

  private async print(output: 'json' | 'yaml', data: object): Promise<void> {
    if (output === 'json') {
      this.log(JSON.stringify(data, null, 2));
      return;
    }
    const { dump } = await import('js-yaml');
    this.log(dump(data, { noRefs: true, lineWidth: -1 }).trimEnd());
  }
}

/** docs/checks/CODE.md from the package, or from the single executable's assets. */
async function readDoc(root: string, code: string): Promise<string | undefined> {
  const sea = await import('node:sea').catch(() => undefined);
  if (sea?.isSea()) {
    try {
      return sea.getAsset(`docs/checks/${code}.md`, 'utf8');
    } catch {
      return undefined;
    }
  }
  return readFile(join(root, 'docs', 'checks', `${code}.md`), 'utf8').catch(() => undefined);
}

function wrap(text: string, width = 78): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => `  ${l}`).join('\n');
}
