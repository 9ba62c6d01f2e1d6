// `kdiag check --probes`: one connectivity probe pod per namespace tests every Service of
// that namespace (curl resolves each Service's name, so cluster DNS is tested too), with at
// most `concurrency` probe pods alive at once across namespaces. The log is explained as
// kdiag connectivity explains it (analyzeCurlProbe), the unrestricted retry (KD5046) included:
// that second pod runs in its namespace's slot, after the first one is deleted.
import type { ClusterClient } from '../cluster/client.js';
import { finding, fixSpecOf, withFix } from '../checks/lib/finding.js';
import { cmd, fix, joinFixes } from '../report/fix.js';
import { sanitize } from '../report/render.js';
import type { Finding } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { executeProbe, podDeadlineSeconds, randomNonce, resolveSource, settleSecondsFor, type ProbeSettings } from './probe-cli.js';
import { parseTarget, planConnectivity } from '../probes/plan.js';
import { DEFAULT_CURL_IMAGE, finishMarker, newRunId } from '../probes/pod-spec.js';
import { CURL_SCRIPT } from '../probes/scripts.js';
import { analyzeCurlProbe, planProbeArgs, unrestrictedRetryFor, type UnrestrictedRetry } from './differential.js';

/** Endpoints of each Service tried directly by check --probes (bounded: up to 20 Services share one pod). */
export const RUNBOOK_MAX_ENDPOINTS = 3;

/** The most targets one probe pod tests (the connectivity command's limit). */
export const TARGETS_PER_POD = 20;

export interface RunbookProbeResult {
  findings: Finding[];
  /** Probe pods started, and the most alive at the same time. */
  pods: number;
  maxAlive: number;
  targets: number;
  /** Each probed Service with the probe's outcome (curl's, see interpret-http.ts). */
  results: { namespace: string; target: string; outcome: string; totalMs?: number }[];
}

/** Services worth probing: with a selector or endpoints, not ExternalName. */
export function probeTargets(snapshot: Snapshot, namespace: string): string[] {
  return snapshot.services
    .filter((s) => s.metadata?.namespace === namespace && s.spec?.type !== 'ExternalName' && (s.spec?.ports?.length ?? 0) > 0)
    .map((s) => `${s.metadata?.name}.${namespace}`)
    .sort();
}

/** Runs `tasks` with at most `limit` running at once; resolves when all settle. */
export async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item);
    }
  });
  await Promise.all(workers);
}

const labelsText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** Counts probe pods: started (one more alive), replaced (one started where one was just deleted) and ended (deleted). */
interface PodAccounting {
  started(): void;
  replaced(): void;
  ended(): void;
}

/**
 * The unrestricted retry's second pod, counted like the first. executeProbe returns only once
 * the first pod's deletion is acknowledged (grace period 0), so without --keep the second pod
 * takes the first one's slot: the "at most N at once" of check's Probes step stays true. With
 * --keep the first pod stays, and both count as alive while the second runs.
 */
function countedRetry(retry: UnrestrictedRetry, keep: boolean, accounting: PodAccounting): UnrestrictedRetry {
  return {
    ...retry,
    run: async (alt, extras) => {
      if (keep) accounting.started();
      else accounting.replaced();
      try {
        return await retry.run(alt, extras);
      } finally {
        if (keep) accounting.ended();
      }
    },
  };
}

export async function probeNamespaces(
  client: ClusterClient,
  snapshot: Snapshot,
  namespaces: readonly string[],
  options: { settings: ProbeSettings; concurrency: number; image?: string; note?: (line: string) => void },
): Promise<RunbookProbeResult> {
  const { settings, concurrency } = options;
  const image = options.image ?? DEFAULT_CURL_IMAGE;
  const jobs: { namespace: string; targets: string[] }[] = [];
  for (const ns of namespaces) {
    const all = probeTargets(snapshot, ns);
    for (let i = 0; i < all.length; i += TARGETS_PER_POD) jobs.push({ namespace: ns, targets: all.slice(i, i + TARGETS_PER_POD) });
  }
  const result: RunbookProbeResult = { findings: [], pods: 0, maxAlive: 0, targets: 0, results: [] };
  let alive = 0;
  const accounting: PodAccounting = {
    started() {
      alive++;
      result.pods++;
      result.maxAlive = Math.max(result.maxAlive, alive);
    },
    replaced() {
      result.pods++;
    },
    ended() {
      alive--;
    },
  };
  await pool(jobs, concurrency, async (job) => {
    const parsed = job.targets.map((t) => parseTarget(t, job.namespace, settings.clusterDomain));
    const targets = planConnectivity(parsed, snapshot, {});
    const probed = targets.filter((t) => !t.unresolved);
    if (probed.length === 0) return;
    const diff = planProbeArgs(targets, snapshot, { maxEndpoints: RUNBOOK_MAX_ENDPOINTS });
    const runId = newRunId();
    const nonce = randomNonce();
    const command = `kdiag check --probes -n ${job.namespace}`;
    accounting.started();
    try {
      const source = await resolveSource(client, settings, job.namespace, 'connectivity', runId);
      const targetNamespaces = [...new Set(parsed.map((t) => t.namespace).filter((n): n is string => Boolean(n)))];
      const settle = settleSecondsFor(settings, snapshot, { namespace: source.namespace, labels: source.effectiveLabels }, targetNamespaces);
      const run = await executeProbe(
        client,
        {
          kind: 'connectivity',
          runId,
          namespace: source.namespace,
          image,
          script: CURL_SCRIPT,
          args: [nonce, '5', String(settle), ...diff.args],
          finish: finishMarker(nonce, settle),
          deadlineSeconds: podDeadlineSeconds(settings.timeoutMs),
          imagePullSecret: settings.imagePullSecret,
          nodeSelector: settings.nodeSelector,
          workloadLabels: source.labels,
          keep: settings.keep,
          command,
        },
        settings,
        { interactive: false, quiet: true },
      );
      const probeSource = { namespace: source.namespace, labels: source.effectiveLabels };
      const retry = unrestrictedRetryFor(client, { snapshot, settings, image, source, command, quiet: true });
      const analysis = await analyzeCurlProbe(client, {
        log: run.log,
        nonce,
        targets,
        extras: diff.extras,
        snapshot,
        source: probeSource,
        ...(run.node ? { probeNode: run.node } : {}),
        retry: countedRetry(retry, settings.keep, accounting),
      });
      // Without --from-labels the runbook probe carries no client's labels: in a namespace with
      // default-deny, a connection refused by NetworkPolicy is what the policies intend, not an
      // outage (probe as the real client with kdiag connectivity --from to test the allowed path).
      for (const f of analysis.findings) {
        result.findings.push(
          f.code === 'KD5039' && !source.labels
            ? {
                ...withFix(
                  f,
                  joinFixes(
                    [
                      fixSpecOf(f),
                      fix`To test the path the real client takes: ${cmd('kdiag', 'connectivity', f.object.name, '-n', f.object.namespace ?? '', '--from', 'NAMESPACE/POD')}`,
                    ],
                    ' ',
                  ),
                ),
                severity: 'info',
              }
            : f,
        );
      }
      result.targets += probed.length;
      for (const row of analysis.rows)
        result.results.push({ namespace: job.namespace, target: row.target, outcome: row.outcome, ...(row.timings ? { totalMs: row.timings.totalMs } : {}) });
      options.note?.(
        `probe ${job.namespace}: ${probed.length} Service(s), ${analysis.findings.filter((f) => f.severity === 'error').length} failing (${(run.elapsedMs / 1000).toFixed(1)}s)${analysis.unrestricted ? `; tried again from ${analysis.unrestricted.source}${analysis.unrestricted.error ? ` (could not run: ${sanitize(analysis.unrestricted.error)})` : ''}` : ''}`,
      );
    } catch (err) {
      const reason = sanitize((err as Error).message.split('\n')[0] ?? 'failed');
      result.findings.push(
        finding(
          'KD6005',
          { kind: 'Namespace', name: job.namespace },
          {
            message: `${job.namespace}: the probe pod could not run: ${reason}`,
            cause: `kdiag check --probes starts one short-lived curl pod per namespace; in ${job.namespace} it failed: ${reason}`,
            fix: fix`Run it alone for details: ${cmd(
              'kdiag',
              'connectivity',
              ...job.targets.slice(0, 3),
              '-n',
              job.namespace,
              ...(settings.fromLabels ? ['--from-namespace', job.namespace, '--from-labels', labelsText(settings.fromLabels)] : []),
            )}`,
          },
        ),
      );
      options.note?.(`probe ${job.namespace}: could not run (${reason})`);
    } finally {
      accounting.ended();
    }
  });
  return result;
}
