// Progress for multi-step commands, on stderr so stdout stays the report. On a TTY each
// step is a listr2 task (spinner, then ✔/✖ with its note); otherwise plain lines for CI logs.
import type { ListrDefaultRendererLogLevels } from 'listr2';
import { signalExitClaimed, signalStatus } from '../interrupt.js';
import { sanitize } from './render.js';

type StepResult<T> = T | { value: T; note: string };

export interface Progress {
  step<T>(title: string, fn: () => Promise<StepResult<T>>): Promise<T>;
  note(text: string): void;
  done(): void;
}

function unwrap<T>(r: StepResult<T>): { value: T; note?: string } {
  if (r && typeof r === 'object' && 'note' in (r as object) && 'value' in (r as object)) return r as { value: T; note: string };
  return { value: r as T, note: typeof r === 'string' ? r : undefined };
}

export function plainProgress(write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Progress {
  return {
    async step(title, fn) {
      const started = performance.now();
      try {
        const { value, note } = unwrap(await fn());
        write(`✓ ${title}${note ? `: ${sanitize(note)}` : ''} (${((performance.now() - started) / 1000).toFixed(2)}s)`);
        return value;
      } catch (err) {
        write(`✗ ${title}: ${sanitize((err as Error).message.split('\n')[0] ?? '')}`);
        throw err;
      }
    },
    note: (text) => write(`  ${sanitize(text)}`),
    done: () => undefined,
  };
}

/**
 * A task list needs a terminal that reports its width: a pseudo-terminal that was never given a
 * size (`script` run from a pipe, some CI runners) says 0 columns, and listr2 then wraps every
 * title at one character a line. Such a terminal, or one narrower than 40 columns, gets plain lines.
 */
export function canDraw(stream: { isTTY?: boolean; columns?: number }): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) >= 40;
}

export async function ttyProgress(): Promise<Progress> {
  const { DefaultRenderer, Listr, ListrLogger, ProcessOutput } = await import('listr2');
  // listr2 chooses its renderer by stdout alone and falls back to one that prints on stdout, so
  // `kdiag check -o junit > kdiag.xml` at a terminal wrote the task lines into the XML file.
  // kdiag draws on stderr (the terminal here), whatever stdout is.
  // The renderer of the step now running, to stop on a signal.
  const drawing: { renderer?: StderrRenderer } = {};
  class StderrRenderer extends DefaultRenderer {
    static override nonTTY = true;
    private ended = false;
    constructor(...args: ConstructorParameters<typeof DefaultRenderer>) {
      super(...args);
      drawing.renderer = this;
    }
    // Ended by a signal (below), then again by listr2 if the step still finishes.
    override end(): void {
      if (this.ended) return;
      this.ended = true;
      super.end();
    }
  }
  const output = new ProcessOutput(process.stderr, process.stderr);
  // One logger instance for the renderer and for notes: listr2 wants an instance here (handing it
  // the class compiled only behind a cast, and crashed every TTY run in DefaultRenderer).
  const logger = new ListrLogger<ListrDefaultRendererLogLevels>({ processOutput: output });
  return {
    async step<T>(title: string, fn: () => Promise<StepResult<T>>): Promise<T> {
      let result: { value: T; note?: string } | undefined;
      const list = new Listr(
        [
          {
            title,
            task: async (_ctx, task) => {
              result = unwrap(await fn());
              if (result.note) task.title = `${title}: ${sanitize(result.note)}`;
            },
          },
        ],
        { renderer: StderrRenderer, rendererOptions: { logger }, exitOnError: true, registerSignalListeners: false },
      );
      // listr2 hides the cursor and buffers process.stderr while it draws: on a signal, stop drawing
      // so the terminal gets its cursor back and the lines written while kdiag tidies up (the probe
      // runner's "deleting probe Job") reach it. listr2's own signal listeners are off: kdiag decides the exit.
      const onSignal = (signal: NodeJS.Signals) => {
        try {
          drawing.renderer?.end();
        } catch {
          // Not drawing yet (render() is async): nothing hidden or buffered to give back.
        }
        drawing.renderer = undefined;
        if (!signalExitClaimed()) process.exit(signalStatus(signal));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await list.run();
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      // exitOnError: a failing task rejects run(), so a result is always set here.
      if (!result) throw new Error(`${title}: ended without a result`);
      return result.value;
    },
    note: (text) => logger.toStderr(`  ${sanitize(text)}`),
    done: () => undefined,
  };
}
