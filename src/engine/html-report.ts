// `kdiag check -o html`: the page (src/report/html) over the check report, with the
// NetworkPolicy reachability matrix of the namespace(s) computed from the same snapshot.
import { reachabilityMatrix } from '../netpol/matrix.js';
import { drawnTrace, gatewayPaths, type DataPlanes } from './gateway-paths.js';
import { renderHtml, type HtmlInput, type HtmlPath } from '../report/html/render.js';
import type { Snapshot } from '../snapshot.js';
import { selectRoute, traceIngress } from '../trace/trace.js';
import { parseTraceUrl } from '../trace/url.js';

/** Every Ingress host and path traced hop by hop (load balancer → controller → rule → Service → Pods). */
export function ingressPaths(snapshot: Snapshot, certWarnDays = 14): HtmlPath[] {
  const paths: HtmlPath[] = [];
  for (const ing of snapshot.ingresses) {
    const tls = new Set((ing.spec?.tls ?? []).flatMap((t) => t.hosts ?? []));
    for (const rule of ing.spec?.rules ?? []) {
      const host = rule.host && !rule.host.startsWith('*') ? rule.host : 'any-host.invalid';
      for (const p of rule.http?.paths ?? [{ path: '/' }]) {
        const path = (p.path ?? '/').replace(/[^A-Za-z0-9/._~-]/g, '') || '/';
        try {
          const request = parseTraceUrl(`${tls.has(rule.host ?? '') ? 'https' : 'http'}://${host}${path.startsWith('/') ? path : `/${path}`}`);
          const result = traceIngress(snapshot, request, selectRoute(snapshot.ingresses, request), {
            controllerPods: snapshot.ingress?.controllerPods ?? [],
            ...(snapshot.ingress?.controllerPodsUnavailable ? { controllerPodsUnavailable: snapshot.ingress.controllerPodsUnavailable } : {}),
            dnsPods: snapshot.clusterDns?.pods ?? [],
            certWarnDays,
          });
          paths.push({
            kind: 'ingress',
            group: 'Ingress',
            title: `Ingress ${ing.metadata?.namespace}/${ing.metadata?.name}: ${rule.host ?? '*'}${path}`,
            ...drawnTrace(result),
          });
        } catch {
          // A host or path kdiag cannot turn into a URL has no diagram; the ingress check reports it.
        }
      }
    }
  }
  return paths;
}

/** The page over a check report; `planes`: the Gateways' data-plane Pods, listed by the command. */
export function htmlReport(report: HtmlInput['report'], snapshot: Snapshot | undefined, now = new Date(), planes?: DataPlanes): string {
  const havePolicyData = snapshot && (['pods', 'networkpolicies'] as const).every((k) => snapshot.loaded.includes(k));
  const namespaces = snapshot
    ? snapshot.namespace
      ? [snapshot.namespace]
      : [...new Set(snapshot.pods.map((p) => p.metadata?.namespace ?? ''))].filter(Boolean).sort()
    : [];
  const matrix = havePolicyData ? reachabilityMatrix(snapshot, namespaces) : undefined;
  const paths = [...(snapshot && snapshot.loaded.includes('ingresses') ? ingressPaths(snapshot) : []), ...(snapshot ? gatewayPaths(snapshot, planes) : [])];
  return renderHtml({ report, generatedAt: now, ...(matrix ? { matrix } : {}), paths });
}
