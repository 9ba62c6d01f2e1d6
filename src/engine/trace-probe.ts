// `kdiag trace URL --probe`: sends the request from a pod that imitates the traffic's source
// (the ingress controller's namespace and labels) to the backend Service, under the probe
// engine's safety rules, and turns the answer into one more hop.
import type { ClusterClient } from '../cluster/client.js';
import type { Hop } from '../trace/trace.js';
import type { Snapshot } from '../snapshot.js';
import { AUTO_SETTLE_SECONDS, executeProbe, podDeadlineSeconds, randomNonce, type ProbeSettings } from './probe-cli.js';
import { analyzeConnectivity } from '../probes/interpret-http.js';
import { parseTarget, planConnectivity } from '../probes/plan.js';
import { DEFAULT_CURL_IMAGE, finishMarker, newRunId, workloadLabelsOf } from '../probes/pod-spec.js';
import { CURL_SCRIPT } from '../probes/scripts.js';
import { explainWithDifferential, parseProbeLog, planProbeArgs } from './differential.js';

export interface TraceProbeInput {
  namespace: string;
  labels: Record<string, string>;
  service: string;
  serviceNamespace: string;
  port: number;
  path: string;
}

export async function probeHop(client: ClusterClient, snapshot: Snapshot, probe: TraceProbeInput, settings: ProbeSettings, image = DEFAULT_CURL_IMAGE): Promise<Hop> {
  const target = `http://${probe.service}.${probe.serviceNamespace}.svc.${settings.clusterDomain}:${probe.port}${probe.path}`;
  const parsed = [parseTarget(target, probe.serviceNamespace, settings.clusterDomain)];
  const targets = planConnectivity(parsed, snapshot, {});
  const diff = planProbeArgs(targets, snapshot);
  const runId = newRunId();
  const nonce = randomNonce();
  const labels = workloadLabelsOf(probe.labels);
  const from = Object.keys(labels).length ? `${probe.namespace} with the labels of ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')}` : probe.namespace;
  try {
    const run = await executeProbe(
      client,
      {
        kind: 'connectivity',
        runId,
        namespace: probe.namespace,
        image,
        script: CURL_SCRIPT,
        args: [nonce, '5', String(settings.settleSeconds ?? AUTO_SETTLE_SECONDS), ...diff.args],
        finish: finishMarker(nonce, settings.settleSeconds ?? AUTO_SETTLE_SECONDS),
        deadlineSeconds: podDeadlineSeconds(settings.timeoutMs),
        workloadLabels: Object.keys(labels).length ? labels : undefined,
        keep: false,
        command: `kdiag trace --probe ${target}`,
      },
      settings,
      { interactive: false, quiet: true },
    );
    const { results, extraResults } = parseProbeLog(run.log, nonce, targets, diff.extras);
    const source = { namespace: probe.namespace, labels: { ...labels } };
    const base = analyzeConnectivity({ targets, results, snapshot, source });
    const explained = await explainWithDifferential(client, { targets, results, extras: diff.extras, extraResults, snapshot, source, ...(run.node ? { probeNode: run.node } : {}), base: base.findings });
    const analysis = { rows: base.rows, findings: explained.findings };
    const row = analysis.rows[0];
    const ok = row?.outcome === 'ok' || row?.outcome === 'client-error';
    const detail = `${row?.status ?? 'no result'} from a pod in ${from} → ${target}${row?.answeredBy ? ` (answered by ${row.answeredBy})` : ''}`;
    const dataplane = analysis.findings.find((f) => f.check === 'dataplane');
    return ok
      ? dataplane
        ? { id: 'probe', title: 'Live probe', status: 'warn', detail, explanation: `${dataplane.message}. ${dataplane.cause} Fix: ${dataplane.fix}` }
        : { id: 'probe', title: 'Live probe', status: row?.outcome === 'ok' ? 'ok' : 'warn', detail }
      : { id: 'probe', title: 'Live probe', status: 'fail', detail, explanation: analysis.findings[0] ? `${analysis.findings[0].cause} Fix: ${analysis.findings[0].fix}` : row?.error ?? 'the probe got no answer' };
  } catch (err) {
    return { id: 'probe', title: 'Live probe', status: 'fail', detail: `the probe pod could not run: ${(err as Error).message.split('\n')[0]}`, explanation: 'Run kdiag connectivity with --from-namespace/--from-labels for details.' };
  }
}
