// `-o prometheus`: a report as Prometheus text exposition format (version 0.0.4), for
// node_exporter's textfile collector, a Pushgateway or any scrape of a file.
// Every series is a gauge describing the last run; a run over several clusters (fleet)
// passes one report per context and every series carries its `context` label.
import type { Report } from './types.js';
import { SEVERITIES } from './types.js';

/** What a check reports about itself (the check command's `checks[]`). */
interface CheckEntry {
  id: string;
  status: string;
  durationMs: number;
}

/** One probed target (the check command's `probes.targets[]` with --probes). */
export interface ProbeEntry {
  namespace: string;
  target: string;
  outcome: string;
  totalMs?: number;
}

/** `probes` in a check report when --probes ran. */
export interface ProbeSummary {
  pods: number;
  maxAlive: number;
  results: ProbeEntry[];
}

export interface MetricsInput {
  /** The command that made the reports (`check`, `endpoints`, ...). */
  command: string;
  reports: readonly Report[];
  /** Unix time of the run, in seconds. */
  timestamp: number;
  /** kdiag's version. */
  version: string;
  /** Constant labels on every series (--metrics-label cluster=prod-eu). */
  extraLabels?: Record<string, string>;
}

/** Labels kdiag's own series use: --metrics-label may not take them. */
export const RESERVED_LABELS = [
  'context',
  'command',
  'server_version',
  'kdiag_version',
  'severity',
  'code',
  'check',
  'namespace',
  'kind',
  'status',
  'target',
  'outcome',
  'job',
  'instance',
];

/** Parses `name=value` for --metrics-label; throws a sentence on a bad or reserved name. */
export function parseMetricsLabel(text: string): [string, string] {
  const eq = text.indexOf('=');
  const name = eq > 0 ? text.slice(0, eq) : '';
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || name.startsWith('__'))
    throw new Error(`--metrics-label wants name=value with a Prometheus label name, not "${text}"`);
  if (RESERVED_LABELS.includes(name))
    throw new Error(`--metrics-label ${name}: kdiag's metrics use that label already (reserved: ${RESERVED_LABELS.join(', ')})`);
  return [name, text.slice(eq + 1)];
}

type Labels = Record<string, string>;

class Family {
  readonly samples: { labels: Labels; value: number }[] = [];
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  add(labels: Labels, value: number): void {
    this.samples.push({ labels, value });
  }
}

/** Label values may hold anything an object's author wrote: escape \, " and newlines. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

/** HELP text escapes only \ and newlines. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** The report's metrics in the text exposition format (ends with a newline). */
export function renderPrometheus(input: MetricsInput): string {
  const f = {
    info: new Family('kdiag_run_info', 'The kdiag run that produced these metrics: command, kubeconfig context, API server version, kdiag version.'),
    success: new Family(
      'kdiag_run_success',
      '1 when kdiag could do its job on the cluster, 0 when it could not (unreachable or refusing API, a check errored).',
    ),
    timestamp: new Family('kdiag_run_timestamp_seconds', 'When the run ended, in seconds since the Unix epoch.'),
    bySeverity: new Family('kdiag_findings_by_severity', 'Findings of the run by severity (every severity, 0 when none).'),
    findings: new Family('kdiag_findings', 'Findings of the run by code, check, severity, namespace and object kind.'),
    checkDuration: new Family('kdiag_check_duration_seconds', 'How long each check took.'),
    checkStatus: new Family('kdiag_check_status', 'Each check with its status (passed, failed, skipped or errored) as a label; the value is always 1.'),
    probePods: new Family('kdiag_probe_pods', 'Probe pods started by --probes.'),
    probeSuccess: new Family('kdiag_probe_success', '1 when the probe reached the target (HTTP answer or TCP connection), 0 when it did not.'),
    probeDuration: new Family('kdiag_probe_duration_seconds', "The probe request's total time (DNS, connect, TLS, first byte) per target."),
  };
  for (const report of input.reports) {
    const ctx: Labels = { ...(input.extraLabels ?? {}), ...(report.context !== undefined ? { context: String(report.context) } : {}) };
    const failed = report.error !== undefined || (Array.isArray(report.checks) && (report.checks as CheckEntry[]).some((c) => c.status === 'errored'));
    f.info.add({ ...ctx, command: input.command, server_version: serverVersion(report), kdiag_version: input.version }, 1);
    f.success.add(ctx, failed ? 0 : 1);
    f.timestamp.add(ctx, input.timestamp);
    for (const severity of SEVERITIES) f.bySeverity.add({ ...ctx, severity }, report.findings.filter((x) => x.severity === severity).length);

    const counts = new Map<string, { labels: Labels; n: number }>();
    for (const x of report.findings) {
      const labels: Labels = { ...ctx, code: x.code, check: x.check, severity: x.severity, namespace: x.object.namespace ?? '', kind: x.object.kind };
      const key = JSON.stringify(labels);
      const entry = counts.get(key) ?? { labels, n: 0 };
      entry.n++;
      counts.set(key, entry);
    }
    for (const { labels, n } of [...counts.values()].sort((a, b) => compareLabels(a.labels, b.labels))) f.findings.add(labels, n);

    for (const c of (report.checks as CheckEntry[] | undefined) ?? []) {
      f.checkDuration.add({ ...ctx, check: c.id }, round(c.durationMs / 1000));
      f.checkStatus.add({ ...ctx, check: c.id, status: c.status }, 1);
    }
    const probes = report.probes as ProbeSummary | undefined;
    if (probes) {
      f.probePods.add(ctx, probes.pods);
      for (const p of probes.results) {
        const labels = { ...ctx, namespace: p.namespace, target: p.target, outcome: p.outcome };
        f.probeSuccess.add(labels, p.outcome === 'ok' || p.outcome === 'client-error' || p.outcome === 'server-error' || p.outcome === 'connected' ? 1 : 0);
        if (p.totalMs !== undefined) f.probeDuration.add(labels, round(p.totalMs / 1000));
      }
    }
  }
  const lines: string[] = [];
  for (const family of Object.values(f)) {
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} gauge`);
    for (const s of family.samples) lines.push(`${family.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

function serverVersion(report: Report): string {
  const v = typeof report.serverVersion === 'string' ? report.serverVersion : '';
  // The check command's serverVersion is "https://host:port (v1.35.8)": keep the version.
  return /\((v[^)]+)\)\s*$/.exec(v)?.[1] ?? v;
}

function round(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

function compareLabels(a: Labels, b: Labels): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}

/**
 * The Pushgateway URL for this run's group: `<base>/metrics/job/kdiag[/context@base64/<ctx>]`.
 * Label values go base64url-encoded so a context name with `/` or `%` stays one path segment.
 */
export function pushgatewayUrl(base: string, grouping: Labels): string {
  const url = new URL(base);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the Pushgateway URL must be http:// or https://, not ${url.protocol}`);
  const path = url.pathname.replace(/\/+$/, '');
  const parts = ['metrics', 'job', 'kdiag'];
  for (const [name, value] of Object.entries(grouping)) {
    parts.push(`${name}@base64`, value === '' ? '=' : Buffer.from(value, 'utf8').toString('base64url'));
  }
  url.pathname = `${path}/${parts.join('/')}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/**
 * PUTs the metrics to a Pushgateway (PUT replaces the whole group, so series of findings that
 * are gone disappear). Resolves with the URL pushed to; rejects with the gateway's status.
 */
export async function pushMetrics(base: string, grouping: Labels, body: string, timeoutMs = 30_000): Promise<string> {
  const url = pushgatewayUrl(base, grouping);
  const res = await fetch(url, {
    method: 'PUT',
    headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).trim().split('\n')[0] ?? '';
    throw Object.assign(new Error(`the Pushgateway answered ${res.status} ${res.statusText}${text ? `: ${text}` : ''}`), { status: res.status });
  }
  return url;
}
