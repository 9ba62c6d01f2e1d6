// The NetworkPolicy reachability of namespaces as a matrix: workloads × workloads, each cell
// allowed, denied, depends on the port (some of the destination's ports allowed, others not)
// or unknown, with the policies that decided it. Pure: built from a snapshot with the engine.
import type { Snapshot } from '../snapshot.js';
import { decidingPolicies, explainConnection, type ConnectionVerdict, type SideVerdict } from './explain.js';
import { buildContext, livePods, podEndpoint, type PodEndpoint } from './policy.js';

export type CellVerdict = 'allowed' | 'denied' | 'port' | 'unknown';

export interface MatrixCell {
  verdict: CellVerdict;
  /** Per destination port: `TCP/8080 allowed`. */
  ports: string[];
  /** The policies that decided (ns/name), deduplicated. */
  policies: string[];
}

export interface ReachabilityMatrix {
  namespaces: string[];
  /** Workloads (`ns/app`), rows are sources and columns destinations, same order. */
  workloads: string[];
  /** cells[source][destination]. */
  cells: MatrixCell[][];
}

/** A workload's name: its app label (app.kubernetes.io/name or app), else its pod's name. */
function workloadOf(p: PodEndpoint): string {
  const name = p.labels['app.kubernetes.io/name'] ?? p.labels.app ?? p.name;
  return `${p.namespace}/${name}`;
}

/** The rule that allowed a side, or for a side that denies, the policies that isolate it. */
function deciders(v: ConnectionVerdict): string[] {
  const isolating = (side: SideVerdict) =>
    side.allowed || side.unknown ? [] : side.policies.filter((p) => p.appliesToDirection).map((p) => `${p.namespace}/${p.name}`);
  return [...decidingPolicies(v), ...isolating(v.egress), ...isolating(v.ingress)];
}

/** At most `limit` workloads (the first by name), so a big namespace stays a readable table. */
export function reachabilityMatrix(snapshot: Snapshot, namespaces: readonly string[], limit = 20): ReachabilityMatrix {
  const ctx = buildContext(snapshot);
  const reps = new Map<string, PodEndpoint>();
  for (const ns of namespaces) {
    for (const pod of livePods(ctx, ns)) {
      const e = podEndpoint(pod);
      if (e.hostNetwork) continue;
      const w = workloadOf(e);
      if (!reps.has(w)) reps.set(w, e);
    }
  }
  const workloads = [...reps.keys()].sort().slice(0, limit);
  const cells = workloads.map((from) =>
    workloads.map((to): MatrixCell => {
      const src = reps.get(from)!;
      const dst = reps.get(to)!;
      const ports = dst.ports.length ? dst.ports : [{ port: 80, protocol: 'TCP' as const, name: undefined }];
      const verdicts = ports.map((p) => explainConnection(snapshot, src, dst, p.port, p.protocol, { context: ctx }));
      const kinds = new Set(verdicts.map((v) => v.verdict));
      const verdict: CellVerdict =
        kinds.size === 1 ? ([...kinds][0] as CellVerdict) : kinds.has('allowed') ? 'port' : kinds.has('unknown') ? 'unknown' : 'denied';
      return {
        verdict,
        ports: verdicts.map((v) => `${v.protocol}/${v.port} ${v.verdict}`),
        policies: [...new Set(verdicts.flatMap(deciders))].sort(),
      };
    }),
  );
  return { namespaces: [...namespaces], workloads, cells };
}
