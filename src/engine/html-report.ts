// `kdiag check -o html`: the page (src/report/html) over the check report, with the
// NetworkPolicy reachability matrix of the namespace(s) computed from the same snapshot.
import { reachabilityMatrix } from '../netpol/matrix.js';
import { renderHtml, type HtmlInput } from '../report/html/render.js';
import type { Snapshot } from '../snapshot.js';

export function htmlReport(report: HtmlInput['report'], snapshot: Snapshot | undefined, now = new Date()): string {
  const havePolicyData = snapshot && ['pods', 'networkpolicies'].every((k) => snapshot.loaded.includes(k as never));
  const namespaces = snapshot ? (snapshot.namespace ? [snapshot.namespace] : [...new Set(snapshot.pods.map((p) => p.metadata?.namespace ?? ''))].filter(Boolean).sort()) : [];
  const matrix = havePolicyData ? reachabilityMatrix(snapshot, namespaces) : undefined;
  return renderHtml({ report, generatedAt: now, ...(matrix ? { matrix } : {}) });
}
