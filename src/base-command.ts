// Conventions every command shares, written once: kubectl's flags, the output contract,
// exit codes and error handling. Heavy modules (client-node) load only inside run().
import { Command, Flags, Interfaces } from '@oclif/core';
import { EXIT_CODES_HELP, EXIT_FAILURE, EXIT_FINDINGS, KdiagError, redact } from './errors.js';
import type { CheckOptions } from './checks/types.js';
import type { ClusterClient } from './cluster/client.js';
import type { KdiagConfig } from './config.js';
import type { WatchTarget } from './cluster/watch.js';
import type { FleetChild } from './fleet/command.js';
import { DEFAULT_MAX_ENTRIES, renderFindings, renderJson, renderJsonPieces, renderYaml, type FindingsView } from './report/render.js';
import type { Progress } from './report/progress.js';
import { makeStyle, type Style } from './report/style.js';
import { renderTable } from './report/table.js';
import { atOrAbove, SEVERITIES, type Report, type Severity } from './report/types.js';
import { dnsLabel, duration } from './validate.js';

export type Flags<T extends typeof Command> = Interfaces.InferredFlags<(typeof KdiagCommand)['baseFlags'] & T['flags']>;
export type Args<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number] | 'junit' | 'markdown' | 'prometheus' | 'html';

/** `--watch` for the static commands: re-run when the kinds they read change. */
export const WATCH_FLAG = {
  watch: Flags.boolean({
    char: 'w',
    description: 'Keep running: redraw when the objects this command reads change (like kubectl get -w). Ctrl-C stops.',
    default: false,
    helpGroup: 'OUTPUT',
  }),
};

/** `-o prometheus` and where its metrics go (src/report/prometheus.ts); a command opts in with these and `extraOutputs`. */
export const PROMETHEUS_FLAGS = {
  'output-file': Flags.string({
    description:
      'With -o prometheus: write the metrics to this file (written whole, then renamed into place, for the node_exporter textfile collector) instead of stdout.',
    helpGroup: 'OUTPUT',
  }),
  pushgateway: Flags.string({
    description: 'With -o prometheus: PUT the metrics to this Pushgateway (http(s)://host:port), grouped by job=kdiag and context.',
    helpGroup: 'OUTPUT',
  }),
  'metrics-label': Flags.string({
    description:
      'With -o prometheus: add this label (name=value, repeatable) to every series and the Pushgateway group, e.g. cluster=prod-eu (in a pod the context is always inClusterContext).',
    multiple: true,
    helpGroup: 'OUTPUT',
  }),
  quiet: Flags.boolean({
    char: 'q',
    description: 'Print no progress on stderr (errors still are): for CronJobs, whose log then holds only the output.',
    default: false,
    helpGroup: 'OUTPUT',
  }),
};

let fleetArgv: typeof import('./fleet/argv.js') | undefined;

export const EXIT_CODES_TEXT = EXIT_CODES_HELP.map(([code, text]) => `  ${code}  ${text}`).join('\n');

export abstract class KdiagCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    kubeconfig: Flags.string({
      description: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).',
      helpGroup: 'CLUSTER',
    }),
    context: Flags.string({
      description: 'The kubeconfig context to use; several, comma-separated (a,b,c), run the command against each cluster (at most 4 at once).',
      helpGroup: 'CLUSTER',
    }),
    'all-contexts': Flags.boolean({
      description:
        'Run the command against every context of the kubeconfig (at most 4 at once): a summary row per cluster, findings tagged with their context, the worst exit code.',
      default: false,
      helpGroup: 'CLUSTER',
    }),
    namespace: Flags.string({ char: 'n', description: "Namespace to inspect (default: the context's namespace, else default).", helpGroup: 'CLUSTER' }),
    'all-namespaces': Flags.boolean({ char: 'A', description: 'Inspect all namespaces.', default: false, helpGroup: 'CLUSTER' }),
    'request-timeout': Flags.string({ description: 'Time limit for each API request (e.g. 30s, 1m; 0 for none).', default: '30s', helpGroup: 'CLUSTER' }),
    output: Flags.string({ char: 'o', description: 'Output format: table, wide, json or yaml.', default: 'table', helpGroup: 'OUTPUT' }),
    'no-headers': Flags.boolean({ description: 'Print tables without the header row.', default: false, helpGroup: 'OUTPUT' }),
    'fail-on': Flags.option({
      options: SEVERITIES,
      description: 'Exit 1 when a finding of this severity or worse is found.',
      default: 'error' as Severity,
      helpGroup: 'OUTPUT',
    })(),
    'max-findings': Flags.integer({
      description:
        'Table output: print at most this many findings; repeated findings grouped into one entry count once (0: all). JSON, YAML and JUnit always hold every finding.',
      default: DEFAULT_MAX_ENTRIES,
      min: 0,
      helpGroup: 'OUTPUT',
    }),
    details: Flags.boolean({
      description: 'Table output: print info findings with their cause and fix too (by default one line each), and every line of long fixes in big reports.',
      default: false,
      helpGroup: 'OUTPUT',
    }),
    'all-objects': Flags.boolean({
      description: 'Table output: list every object of a group of repeated findings (by default the first 5 and a count; -o wide lists all too).',
      default: false,
      helpGroup: 'OUTPUT',
    }),
    'no-color': Flags.boolean({ description: 'Never colour the output (NO_COLOR is honoured too).', default: false, helpGroup: 'OUTPUT' }),
    debug: Flags.boolean({ description: 'Log API requests and error details to stderr (credentials redacted).', default: false, helpGroup: 'OUTPUT' }),
    config: Flags.string({ description: 'Config file that silences findings and sets thresholds (default: ./.kdiag.yaml when present).', helpGroup: 'OUTPUT' }),
  };

  /** Output formats this command accepts beyond table/wide/json/yaml. */
  static extraOutputs: readonly string[] = [];

  protected flags!: Flags<T>;
  protected args!: Args<T>;
  protected style!: Style;
  private clientInstance?: ClusterClient;

  public override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse(this.kdiagCtor);
    this.flags = flags as Flags<T>;
    this.args = args as Args<T>;
    this.style = makeStyle(!this.flags['no-color']);
    const allowed = [...OUTPUT_FORMATS, ...this.kdiagCtor.extraOutputs];
    if (!allowed.includes(this.flags.output)) {
      throw new KdiagError(`unknown output format "${this.flags.output}": use one of ${allowed.join(', ')}`);
    }
    const sinks = this.flags as { 'output-file'?: string; pushgateway?: string; 'metrics-label'?: string[] };
    if ((sinks['output-file'] !== undefined || sinks.pushgateway !== undefined || sinks['metrics-label'] !== undefined) && this.flags.output !== 'prometheus') {
      throw new KdiagError('--output-file, --pushgateway and --metrics-label go with -o prometheus');
    }
    if (sinks['metrics-label']) (await import('./report/metrics-output.js')).metricsLabels(sinks['metrics-label']);
    if (this.flags.namespace !== undefined) dnsLabel(this.flags.namespace, 'namespace');
    duration(this.flags['request-timeout']);
    if (!this.fleetChild && (this.flags['all-contexts'] || this.flags.context?.includes(','))) {
      fleetArgv = await import('./fleet/argv.js');
      // This instance coordinates: one run of the same command per context replaces run().
      // cast: run() is the subclass's own method; oclif calls it on the instance, so an own property wins.
      (this as unknown as { run: () => Promise<void> }).run = () => this.runFleet();
    }
  }

  private async runFleet(): Promise<void> {
    const { fleetMode } = await import('./fleet/command.js');
    const flags = this.flags as Flags<T> & { quiet?: boolean };
    await fleetMode({
      id: this.id ?? 'kdiag',
      output: this.output,
      contextFlag: flags.context,
      allContexts: flags['all-contexts'],
      kubeconfig: flags.kubeconfig,
      requestTimeoutMs: duration(flags['request-timeout']),
      failOn: flags['fail-on'] as Severity,
      watch: Boolean((flags as { watch?: boolean }).watch),
      style: this.style,
      table: (head, rows) => this.table(head, rows),
      log: (text) => this.log(text),
      note: flags.quiet ? () => undefined : (line) => this.logToStderr(line),
      emitMetrics: (reports) => this.emitMetrics(reports),
      exit: (code) => this.exit(code),
      child: (context) => {
        const { childArgv } = fleetArgv!;
        // cast: the instance's constructor is the concrete command class, built by oclif with (argv, config).
        const Ctor = this.constructor as unknown as new (argv: string[], config: typeof this.config) => KdiagCommand<T>;
        const child = new Ctor([...childArgv(this.argv), '--context', context, '-o', 'json'], this.config);
        child.id = this.id;
        child.fleetChild = true;
        // cast: FleetChild names the public parts of a command the fleet runner calls; the command has them.
        return child as unknown as FleetChild;
      },
    });
  }

  /** Set on the per-context runs of a fleet run: silent, JSON, never a fleet themselves. */
  fleetChild = false;

  protected get output(): OutputFormat {
    return this.flags.output as OutputFormat;
  }

  /** The connected client (kubeconfig loaded lazily, with client-node, on first use). */
  protected async client(): Promise<ClusterClient> {
    if (!this.clientInstance) {
      const { ClusterClient } = await import('./cluster/client.js');
      this.clientInstance = new ClusterClient({
        kubeconfig: this.flags.kubeconfig,
        context: this.flags.context,
        requestTimeoutMs: duration(this.flags['request-timeout']),
        debug: this.flags.debug ? (line) => process.stderr.write(`${redact(line)}\n`) : undefined,
      });
    }
    return this.clientInstance;
  }

  private configPromise?: Promise<KdiagConfig>;

  /** .kdiag.yaml (or --config): silenced findings and thresholds; loaded once, lazily. */
  protected async kdiagConfig(): Promise<KdiagConfig> {
    this.configPromise ??= import('./config.js').then(({ loadConfig }) => loadConfig(this.flags.config));
    return this.configPromise;
  }

  /** Check thresholds from .kdiag.yaml, overridden by `overrides` (flags that were given). */
  protected async checkOptions(overrides: Partial<CheckOptions> = {}): Promise<CheckOptions> {
    const { thresholds } = await this.kdiagConfig();
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
    return { certWarnDays: thresholds.certWarnDays, addressGraceSeconds: thresholds.addressGraceSeconds, ...defined };
  }

  /** The namespace to scope to, or undefined for -A. */
  protected async namespaceScope(): Promise<string | undefined> {
    if (this.flags['all-namespaces']) return undefined;
    return this.flags.namespace ?? (await this.client()).defaultNamespace;
  }

  /**
   * The width tables fit: COLUMNS when set (it wins over the terminal's size, as for GNU ls and
   * Python's get_terminal_size, so `COLUMNS=100 kdiag … | less` works), else the terminal's
   * width; piped output without COLUMNS is never wrapped or cut (kubectl and `gh` do not cut
   * piped output either: a script or grep sees whole rows).
   */
  protected terminalWidth(): number | undefined {
    const columns = Number(process.env.COLUMNS);
    if (Number.isInteger(columns) && columns > 0) return columns;
    return process.stdout.isTTY ? process.stdout.columns || 80 : undefined;
  }

  /** A table fitted to the terminal; `drop` lists the columns that may be left out there, first first. */
  protected table(head: string[], rows: string[][], drop?: string[]): string {
    const dropIndices = (drop ?? []).map((name) => head.indexOf(name)).filter((i) => i >= 0);
    return renderTable(head, rows, { noHeaders: this.flags['no-headers'], width: this.terminalWidth(), drop: dropIndices });
  }

  /** `-o json`: the report written in pieces of about 1 MB (renderJsonPieces), waiting for stdout to drain. */
  private async writeJson(report: Report): Promise<void> {
    // A fleet run collects each context's output through log().
    if (this.fleetChild) return this.log(renderJson(report));
    let buffered = '';
    const flush = async () => {
      if (!process.stdout.write(buffered)) await new Promise((resolve) => process.stdout.once('drain', resolve));
      buffered = '';
    };
    for (const piece of renderJsonPieces(report)) {
      buffered += piece;
      if (buffered.length >= 1 << 20) await flush();
    }
    buffered += '\n';
    await flush();
  }

  /**
   * Prints the report in the chosen format and exits 1 when a finding is at or above
   * --fail-on. `human` renders table/wide output (findings are appended after it).
   */
  protected async emit(
    report: Report,
    human: (wide: boolean) => string,
    options: { findings?: boolean; exit?: boolean; checksShown?: boolean } = {},
  ): Promise<void> {
    const { applyConfig } = await import('./config.js');
    report.findings = applyConfig(report.findings, await this.kdiagConfig());
    switch (this.output) {
      case 'json':
        await this.writeJson(report);
        break;
      case 'yaml':
        this.log(await renderYaml(report));
        break;
      case 'prometheus':
        await this.emitMetrics([report]);
        break;
      default: {
        const body = human(this.output === 'wide');
        if (body) this.log(body);
        if (options.findings !== false) {
          const list = renderFindings(report.findings, this.style, { ...this.findingsView(), checksShown: options.checksShown });
          if (list) this.log(`\n${list}`);
        }
      }
    }
    // A pipe may still hold part of a large report (over 64 KiB), and a finding's exit code ends the
    // process inside oclif: wait until the stream has taken every byte.
    if (process.stdout.writableNeedDrain) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
    if (options.exit !== false) this.exitForFindings(report.findings);
  }

  /** `-o prometheus`: the reports' metrics to stdout, --output-file and/or --pushgateway. */
  protected async emitMetrics(reports: Report[]): Promise<void> {
    const { writeMetrics } = await import('./report/metrics-output.js');
    const flags = this.flags as { 'output-file'?: string; pushgateway?: string; quiet?: boolean; 'metrics-label'?: string[] };
    await writeMetrics(reports, {
      command: this.id ?? 'kdiag',
      version: this.config.version,
      outputFile: flags['output-file'],
      pushgateway: flags.pushgateway,
      labels: flags['metrics-label'],
      stdout: (text) => process.stdout.write(text),
      note: flags.quiet ? () => undefined : (line) => this.logToStderr(line),
    });
  }

  /** How table output shows findings: the same flags on every command. */
  protected findingsView(): FindingsView {
    return { details: this.flags.details, allObjects: this.flags['all-objects'] || this.output === 'wide', maxEntries: this.flags['max-findings'] };
  }

  private watching = false;

  /**
   * Runs `render` once, or with --watch again whenever one of `kinds` changes: the screen is
   * redrawn on a terminal, a separator line is printed otherwise. Ctrl-C ends the watch (exit 0).
   */
  protected async runStatic(kinds: readonly WatchTarget[], namespace: string | undefined, render: () => Promise<void>): Promise<void> {
    if (!(this.flags as { watch?: boolean }).watch) return render();
    this.watching = true;
    const tty = Boolean(process.stdout.isTTY);
    const { watchKinds } = await import('./cluster/watch.js');
    const client = await this.client();
    let running = Promise.resolve();
    const draw = async (first: boolean) => {
      if (tty) process.stdout.write('\u001b[2J\u001b[H');
      else if (!first) this.log(`--- ${new Date().toISOString()} ---`);
      try {
        await render();
      } catch (err) {
        this.logToStderr(`kdiag: ${(err as Error).message}`);
      }
    };
    await draw(true);
    // Ctrl-C ends the watch, and kdiag then exits 0 by itself.
    const { claimSignalExit } = await import('./interrupt.js');
    const releaseExit = claimSignalExit();
    await new Promise<void>((resolve) => {
      const watcher = watchKinds(client, kinds, namespace, () => {
        running = running.then(() => draw(false));
      });
      const stop = () => {
        watcher.stop();
        releaseExit();
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await running;
    // A request still in flight (a watch being opened) would keep Node alive until it answers.
    this.exit(0);
  }

  /** Exit 1 when a finding is at or above --fail-on. */
  protected exitForFindings(findings: Report['findings']): void {
    if (this.watching) return;
    if (atOrAbove(findings, this.flags['fail-on'] as Severity).length > 0) this.exit(EXIT_FINDINGS);
  }

  /** Step-by-step progress on stderr: listr2 on a TTY, plain lines otherwise. */
  protected async progress(): Promise<Progress> {
    const { canDraw, plainProgress, ttyProgress } = await import('./report/progress.js');
    if ((this.flags as { quiet?: boolean }).quiet || this.fleetChild) return plainProgress(() => undefined);
    return canDraw(process.stderr) && !this.flags['no-color'] ? ttyProgress() : plainProgress();
  }

  private get kdiagCtor(): typeof KdiagCommand {
    return this.constructor as typeof KdiagCommand;
  }

  /**
   * Runs after the command, also when it ends with an exit code (findings: 1, failure: 2), just
   * before oclif calls process.exit: output to a pipe may still be queued (more than the pipe's
   * 64 KiB), and process.exit would cut it (`kdiag check -A -o json | jq` read truncated JSON).
   */
  protected override async finally(err: Error | undefined): Promise<unknown> {
    // Only a stream with bytes still queued is waited for (a test's stub of write() never calls back).
    const written = (stream: NodeJS.WriteStream) =>
      stream.writableLength > 0 ? new Promise<void>((resolve) => stream.write('', () => resolve())) : Promise.resolve();
    await Promise.all([written(process.stdout), written(process.stderr)]);
    return super.finally(err);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // this.exit() throws an ExitError that oclif turns into the exit code: let it through.
    // oclif ends the process at once (process.exit) on it: first let stdout and stderr take every
    // byte, or a report larger than the pipe's buffer (64 KiB) is cut off in `kdiag … -o json | jq`.
    if ((err as { code?: string }).code === 'EEXIT') {
      // Only what is still queued is waited for (a captured stream in tests queues nothing).
      const drained = (stream: NodeJS.WriteStream) => (stream.writableLength > 0 ? new Promise((resolve) => stream.write('', resolve)) : undefined);
      await Promise.all([drained(process.stdout), drained(process.stderr)]);
      throw err;
    }
    const debug = this.flags?.debug ?? process.argv.includes('--debug');
    if (err instanceof KdiagError) {
      if (debug && err.detail) process.stderr.write(`${err.detail}\n`);
      this.logToStderr(`kdiag: ${err.message}`);
      this.exit(err.exitCode);
    }
    // oclif's own errors (unknown flag, missing argument, bad option value) carry their exit code.
    if (err.oclif?.exit !== undefined) {
      this.logToStderr(`kdiag: ${err.message.split('\n')[0]}\nSee '${this.config.bin} ${this.id ?? ''} --help'.`.replace('  --help', ' --help'));
      this.exit(EXIT_FAILURE);
    }
    if (debug) process.stderr.write(`${redact(err.stack ?? String(err))}\n`);
    this.logToStderr(`kdiag: unexpected failure: ${redact(err.message.split('\n')[0] ?? '')} (rerun with --debug for details)`);
    this.exit(EXIT_FAILURE);
  }
}
