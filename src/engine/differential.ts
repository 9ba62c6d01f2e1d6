// Glue for the probe commands (connectivity, check --probes, trace --probe): the curl
// arguments with the differential probes added, and the findings after the run, with the
// data-plane view loaded only when a verdict needs it. analyzeCurlProbe is the one analysis
// of a curl probe's log that every one of them runs.
import type { ClusterClient } from '../cluster/client.js';
import type { Finding } from '../report/types.js';
import type { ClusterPolicyObjects, Snapshot } from '../snapshot.js';
import { analyzeConnectivity, parseCurlProbeLog, type ConnectivityRow, type CurlResult } from '../probes/interpret-http.js';
import { curlArgs, type ProbeTarget } from '../probes/plan.js';
import type { DataplaneView } from '../dataplane/components.js';
import { analyzeDifferential, mergeFindings, needsDataplaneView, type Differential, type DirectRow } from '../dataplane/differential.js';
import { allowedButSilent, unevaluatedPolicyFindings, unrestrictedSource, type UnrestrictedSource } from '../dataplane/unevaluated.js';
import { extraArgs, planDifferential, type DifferentialOptions, type ExtraProbe } from '../dataplane/plan.js';
import { finishMarker, newRunId } from '../probes/pod-spec.js';
import { CURL_SCRIPT } from '../probes/scripts.js';
import { executeProbe, podDeadlineSeconds, randomNonce, settleSecondsFor, type ProbeSettings, type ProbeSource } from './probe-cli.js';

export interface DifferentialPlan {
  extras: ExtraProbe[];
  /** MODE URL pairs for the curl script: the targets first, then the extras. */
  args: string[];
}

export function planProbeArgs(targets: readonly ProbeTarget[], snapshot: Snapshot, options: DifferentialOptions = {}): DifferentialPlan {
  const extras = planDifferential(targets, snapshot, options);
  return { extras, args: [...curlArgs(targets), ...extraArgs(extras)] };
}

/** The probe's log split into the targets' own results and the extras' results. */
export function parseProbeLog(
  log: string,
  nonce: string,
  targets: readonly ProbeTarget[],
  extras: readonly ExtraProbe[],
): { results: CurlResult[]; extraResults: (CurlResult | undefined)[] } {
  const probed = targets.filter((t) => !t.unresolved);
  const all = parseCurlProbeLog(log, nonce, [...probed, ...extras]);
  return {
    results: all.filter((r) => r.index < probed.length),
    extraResults: extras.map((_, i) => all.find((r) => r.index === probed.length + i)),
  };
}

export interface DifferentialOutcome {
  findings: Finding[];
  direct: DirectRow[];
  /** What the data-plane view could not read, when it was loaded. */
  skipped?: string[];
  /** The second probe from an unrestricted source, when the first one's silence needed it. */
  unrestricted?: { source: string; namespace: string; direct: DirectRow[]; error?: string };
}

/**
 * How to try the silent endpoints again from an unrestricted source: the probe's identity and a
 * runner that starts one more probe pod there with the given endpoint probes (the command's own
 * probe machinery), returning each probe's result (undefined: no result).
 */
export interface UnrestrictedRetry {
  source: { namespace: string; labels: Record<string, string>; workloadLabels?: Record<string, string>; description: string };
  /** kdiag's own labels on every probe pod (they stay on the second one). */
  ownLabels: Record<string, string>;
  run: (source: UnrestrictedSource, extras: readonly ExtraProbe[]) => Promise<(CurlResult | undefined)[]>;
  /** Loads the policy kinds beyond NetworkPolicy (cluster-wide), to name them and to include the admin kinds in the prediction. */
  loadPolicies: () => Promise<ClusterPolicyObjects>;
}

/**
 * The retry as the probe commands run it: one more probe pod (kdiag's own labels only) in the
 * unrestricted source's namespace with the silent endpoints' probes, under the same settings.
 */
export function unrestrictedRetry(
  client: ClusterClient,
  o: {
    snapshot: Snapshot;
    settings: ProbeSettings;
    image: string;
    source: UnrestrictedRetry['source'];
    ownLabels: Record<string, string>;
    /** The command line, for the probe pod's annotation. */
    command: string;
    quiet?: boolean;
  },
): UnrestrictedRetry {
  return {
    source: o.source,
    ownLabels: o.ownLabels,
    run: async (alt, extras) => {
      const nonce = randomNonce();
      const settle = settleSecondsFor(o.settings, o.snapshot, { namespace: alt.namespace, labels: alt.labels }, [
        ...new Set(extras.map((e) => e.pod?.namespace ?? alt.namespace)),
      ]);
      const run = await executeProbe(
        client,
        {
          kind: 'connectivity',
          runId: newRunId(),
          namespace: alt.namespace,
          image: o.image,
          script: CURL_SCRIPT,
          args: [nonce, '5', String(settle), ...extraArgs(extras)],
          finish: finishMarker(nonce, settle),
          deadlineSeconds: podDeadlineSeconds(o.settings.timeoutMs),
          imagePullSecret: o.settings.imagePullSecret,
          nodeSelector: o.settings.nodeSelector,
          keep: o.settings.keep,
          command: `${o.command} (unrestricted source)`,
        },
        o.settings,
        { interactive: false, ...(o.quiet ? { quiet: true } : {}) },
      );
      const parsed = parseCurlProbeLog(run.log, nonce, extras);
      return extras.map((_, i) => parsed.find((r) => r.index === i));
    },
    loadPolicies: async () => (await import('../cluster/policies.js')).loadClusterPolicies(client),
  };
}

/**
 * The retry for a probe that resolveSource placed (connectivity, check --probes): its namespace
 * and the labels policies see, the workload's labels it stood in for, and kdiag's own labels,
 * which the second pod keeps.
 */
export function unrestrictedRetryFor(
  client: ClusterClient,
  o: { snapshot: Snapshot; settings: ProbeSettings; image: string; source: ProbeSource; command: string; quiet?: boolean },
): UnrestrictedRetry {
  const workload = o.source.labels ?? {};
  return unrestrictedRetry(client, {
    snapshot: o.snapshot,
    settings: o.settings,
    image: o.image,
    source: { namespace: o.source.namespace, labels: o.source.effectiveLabels, workloadLabels: workload, description: o.source.description },
    ownLabels: Object.fromEntries(Object.entries(o.source.effectiveLabels).filter(([k]) => !(k in workload))),
    command: o.command,
    ...(o.quiet ? { quiet: true } : {}),
  });
}

/**
 * Predicted allow, observed timeout: when every endpoint of a Service timed out from the probe
 * although kdiag predicts the connection allowed, the same endpoint probes run once more from an
 * unrestricted source; endpoints that answer it make the silence a policy kdiag cannot evaluate
 * (KD5046, replacing KD5042 for that Service).
 */
async function retryUnrestricted(
  d: Differential,
  snapshot: Snapshot,
  base: readonly Finding[],
  retry: UnrestrictedRetry,
): Promise<{ findings: Finding[]; replaced: Finding['object'][]; unrestricted?: DifferentialOutcome['unrestricted'] }> {
  if (!d.verdicts.some((v) => v.kind === 'pod-network')) return { findings: [], replaced: [] };
  // The admin kinds (AdminNetworkPolicy & co.) count in the prediction; the plugin kinds are named.
  const policies = snapshot.clusterPolicies ?? (await retry.loadPolicies().catch(() => undefined));
  const withPolicies: Snapshot = { ...snapshot, clusterPolicies: policies };
  const silent = allowedButSilent(d, withPolicies, retry.source, base);
  if (silent.length === 0) return { findings: [], replaced: [] };
  const alt = unrestrictedSource(silent, withPolicies, retry.source, retry.ownLabels);
  if (!alt) return { findings: [], replaced: [] };
  const extras = silent.flatMap((s) => s.endpoints.map((e) => e.probe));
  let results: (CurlResult | undefined)[];
  try {
    results = await retry.run(alt, extras);
  } catch (err) {
    // The second pod could not run (a quota, no permission in that namespace): the first verdict stands, and the report says why.
    return {
      findings: [],
      replaced: [],
      unrestricted: { source: alt.description, namespace: alt.namespace, direct: [], error: (err as Error).message.split('\n')[0] },
    };
  }
  const pairs = extras.map((probe, i) => ({ probe, ...(results[i] ? { result: results[i] } : {}) }));
  const findings = unevaluatedPolicyFindings(silent, alt, pairs, retry.source, policies);
  const direct = analyzeDifferential({ targets: silent.map((s) => s.target), results: [], extras: pairs, snapshot, source: alt }).rows;
  return { findings, replaced: findings.map((f) => f.object), unrestricted: { source: alt.description, namespace: alt.namespace, direct } };
}

export async function explainWithDifferential(
  client: ClusterClient,
  input: {
    targets: readonly ProbeTarget[];
    results: readonly CurlResult[];
    extras: readonly ExtraProbe[];
    extraResults: readonly (CurlResult | undefined)[];
    snapshot: Snapshot;
    source: { namespace: string; labels: Record<string, string> };
    probeNode?: string;
    base: readonly Finding[];
    /** Try silent endpoints again from an unrestricted source (kdiag connectivity). */
    retry?: UnrestrictedRetry;
  },
  load: (client: ClusterClient, options: { kubeProxyConfig: boolean }) => Promise<DataplaneView> = async (c, o) =>
    (await import('../cluster/dataplane.js')).loadDataplaneView(c, o),
): Promise<DifferentialOutcome> {
  const d = analyzeDifferential({
    targets: input.targets,
    results: input.results,
    extras: input.extras.map((probe, i) => ({ probe, ...(input.extraResults[i] ? { result: input.extraResults[i] } : {}) })),
    snapshot: input.snapshot,
    source: input.source,
    ...(input.probeNode ? { probeNode: input.probeNode } : {}),
  });
  const view = needsDataplaneView(d) ? await load(client, { kubeProxyConfig: d.verdicts.some((v) => v.kind === 'service-path') }) : undefined;
  const merged = mergeFindings(input.base, d, view, input.probeNode);
  const again = input.retry ? await retryUnrestricted(d, input.snapshot, input.base, input.retry) : { findings: [], replaced: [] };
  const replaced = (f: Finding) =>
    f.code === 'KD5042' && again.replaced.some((o) => o.kind === f.object.kind && o.namespace === f.object.namespace && o.name === f.object.name);
  return {
    findings: [...merged.filter((f) => !replaced(f)), ...again.findings],
    direct: d.rows,
    ...(view ? { skipped: view.skipped } : {}),
    ...(again.unrestricted ? { unrestricted: again.unrestricted } : {}),
  };
}

export interface CurlProbeInput {
  /** The probe pod's log; undefined when no pod ran (every target unresolved): the rows say why. */
  log: string | undefined;
  nonce: string;
  targets: readonly ProbeTarget[];
  /** The differential probes of planProbeArgs, in the order the curl script ran them. */
  extras: readonly ExtraProbe[];
  snapshot: Snapshot;
  /** The probe pod's namespace and the labels NetworkPolicies see on it. */
  source: { namespace: string; labels: Record<string, string> };
  probeNode?: string;
  /** Try endpoints silent despite a predicted allow again from an unrestricted source (KD5046). */
  retry?: UnrestrictedRetry;
  /** Called when the log holds no result for any target, before anything else runs (no second probe pod); its error is thrown. */
  noResult?: (log: string) => Promise<Error>;
}

export interface CurlProbeAnalysis extends DifferentialOutcome {
  /** One row per target (curl's outcome, timings, who answered). */
  rows: ConnectivityRow[];
}

/**
 * A curl probe's log, explained: the log split into the targets' and the differential probes'
 * results (parseProbeLog), the targets' rows and findings (analyzeConnectivity), then the
 * differential verdicts, with the data-plane view and the unrestricted retry when a verdict
 * needs them (explainWithDifferential). kdiag connectivity, check --probes and trace --probe
 * all run this one function.
 */
export async function analyzeCurlProbe(
  client: ClusterClient,
  input: CurlProbeInput,
  load?: (client: ClusterClient, options: { kubeProxyConfig: boolean }) => Promise<DataplaneView>,
): Promise<CurlProbeAnalysis> {
  const { results, extraResults } =
    input.log === undefined ? { results: [], extraResults: [] } : parseProbeLog(input.log, input.nonce, input.targets, input.extras);
  if (input.log !== undefined && results.length === 0 && input.noResult) throw await input.noResult(input.log);
  const base = analyzeConnectivity({ targets: input.targets, results, snapshot: input.snapshot, source: input.source });
  const explained = await explainWithDifferential(
    client,
    {
      targets: input.targets,
      results,
      extras: input.extras,
      extraResults,
      snapshot: input.snapshot,
      source: input.source,
      ...(input.probeNode ? { probeNode: input.probeNode } : {}),
      base: base.findings,
      ...(input.retry ? { retry: input.retry } : {}),
    },
    load,
  );
  return { rows: base.rows, ...explained };
}
