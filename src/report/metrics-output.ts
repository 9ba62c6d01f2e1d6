// Where `-o prometheus` metrics go: stdout, a file (written then renamed, so the node_exporter
// textfile collector never reads half a file) and/or a Pushgateway.
import { rename, writeFile } from 'node:fs/promises';
import { KdiagError } from '../errors.js';
import { pushMetrics, renderPrometheus } from './prometheus.js';
import type { Report } from './types.js';

export interface MetricsSinks {
  command: string;
  version: string;
  outputFile?: string;
  pushgateway?: string;
  stdout: (text: string) => void;
  note: (line: string) => void;
}

export async function writeMetrics(reports: Report[], sinks: MetricsSinks): Promise<void> {
  const text = renderPrometheus({ command: sinks.command, reports, timestamp: Math.floor(Date.now() / 1000), version: sinks.version });
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
      const body = contexts.length === 1 ? text : renderPrometheus({ command: sinks.command, reports: reports.filter((r) => (r.context ?? '') === context), timestamp: Math.floor(Date.now() / 1000), version: sinks.version });
      try {
        const url = await pushMetrics(sinks.pushgateway, context ? { context } : {}, body);
        sinks.note(`metrics pushed to ${url}`);
      } catch (err) {
        const e = err as Error & { status?: number };
        throw new KdiagError(`could not push the metrics to ${sinks.pushgateway}: ${e.cause instanceof Error ? e.cause.message : e.message}`, { cause: err, status: e.status });
      }
    }
  }
  if (!sinks.outputFile && !sinks.pushgateway) sinks.stdout(text);
}
