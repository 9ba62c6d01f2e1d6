// Where `-o prometheus` metrics go: stdout, a file (written then renamed, so the node_exporter
// textfile collector never reads half a file) and/or a Pushgateway.
import { rename, writeFile } from 'node:fs/promises';
import { KdiagError } from '../errors.js';
import { parseMetricsLabel, pushMetrics, renderPrometheus } from './prometheus.js';
import type { Report } from './types.js';

export interface MetricsSinks {
  command: string;
  version: string;
  outputFile?: string;
  /** name=value labels for every series and the Pushgateway group. */
  labels?: string[];
  pushgateway?: string;
  stdout: (text: string) => void;
  note: (line: string) => void;
}

/** --metrics-label values as labels; a bad one is a usage error. */
export function metricsLabels(values: readonly string[] = []): Record<string, string> {
  try {
    return Object.fromEntries(values.map(parseMetricsLabel));
  } catch (err) {
    throw new KdiagError((err as Error).message);
  }
}

export async function writeMetrics(reports: Report[], sinks: MetricsSinks): Promise<void> {
  const extraLabels = metricsLabels(sinks.labels);
  const render = (list: Report[]) =>
    renderPrometheus({ command: sinks.command, reports: list, timestamp: Math.floor(Date.now() / 1000), version: sinks.version, extraLabels });
  const text = render(reports);
  if (sinks.outputFile) {
    const tmp = `${sinks.outputFile}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, text);
      await rename(tmp, sinks.outputFile);
    } catch (err) {
      throw new KdiagError(`cannot write ${sinks.outputFile}: ${(err as Error).message}`, { cause: err });
    }
    sinks.note(`metrics written to ${sinks.outputFile}`);
  }
  if (sinks.pushgateway) {
    // One group per context: a run for one cluster replaces only that cluster's series.
    const contexts = [...new Set(reports.map((r) => (typeof r.context === 'string' ? r.context : '')))];
    for (const context of contexts) {
      const body = contexts.length === 1 ? text : render(reports.filter((r) => (r.context ?? '') === context));
      try {
        const url = await pushMetrics(sinks.pushgateway, { ...extraLabels, ...(context ? { context } : {}) }, body);
        sinks.note(`metrics pushed to ${url}`);
      } catch (err) {
        const e = err as Error & { status?: number };
        throw new KdiagError(`could not push the metrics to ${sinks.pushgateway}: ${e.cause instanceof Error ? e.cause.message : e.message}`, {
          cause: err,
          status: e.status,
        });
      }
    }
  }
  if (!sinks.outputFile && !sinks.pushgateway) sinks.stdout(text);
}
