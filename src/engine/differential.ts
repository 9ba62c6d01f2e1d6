// Glue for the probe commands (connectivity, check --probes, trace --probe): the curl
// arguments with the differential probes added, and the findings after the run, with the
// data-plane view loaded only when a verdict needs it.
import type { ClusterClient } from '../cluster/client.js';
import type { Finding } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { parseCurlProbeLog, type CurlResult } from '../probes/interpret-http.js';
import { curlArgs, type ProbeTarget } from '../probes/plan.js';
import type { DataplaneView } from '../dataplane/components.js';
import { analyzeDifferential, mergeFindings, needsDataplaneView, type DirectRow } from '../dataplane/differential.js';
import { extraArgs, planDifferential, type DifferentialOptions, type ExtraProbe } from '../dataplane/plan.js';

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
  return { findings: mergeFindings(input.base, d, view, input.probeNode), direct: d.rows, ...(view ? { skipped: view.skipped } : {}) };
}
