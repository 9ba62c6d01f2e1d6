// Does each Gateway accept traffic, and does each route lead to something alive? A list of
// rules (one per concern, each declaring its codes and what it reads) over one context built
// from the snapshot and the Gateway API objects that src/cluster/gateway.ts loads for both
// `kdiag check` and `kdiag gateway`. Pure.
import type { CheckOptions } from '../checks/types.js';
import type { Code } from '../report/codes.js';
import { kubectl } from '../report/fix.js';
import { severityRank, type Finding } from '../report/types.js';
import type { Kind, Snapshot } from '../snapshot.js';
import { gatewayContext, subject, type GatewayContext } from './context.js';
import type { GatewayAnalysis, GatewayResult, ResultStatus, RouteKind, RouteResult } from './results.js';
import { lintBackends } from './rules-backends.js';
import { lintGateway, lintGatewayClasses, lintGatewayParameters, lintListeners, retiredIngressFindings, unreadableFindings } from './rules-gateways.js';
import { condText, lintParents, lintUnresolved, type RouteSubject } from './rules-routes.js';
import { condition, type Gateway, type GatewayObjects, type Route } from './types.js';

export type * from './results.js';
export { backendLabel, listenerAdmits, parentStatus, referenceGranted } from './rules-routes.js';
export { GATEWAY_API_MIGRATION, retiredIngressFindings } from './rules-gateways.js';

/** What a rule reads: snapshot kinds, or Gateway API resources. */
type GatewayInput = Kind | 'gatewayclasses' | 'gateways' | 'httproutes' | 'grpcroutes' | 'referencegrants';

/** The catalogue of Gateway API rules: codes and inputs, in the order of the analysis below. */
export const GATEWAY_RULES: readonly { id: string; codes: readonly Code[]; needs: readonly GatewayInput[] }[] = [
  { id: 'retired-ingress-controller', codes: ['KD7030'], needs: ['ingresses', 'ingressclasses'] },
  { id: 'unreadable', codes: ['KD7022'], needs: ['gateways'] },
  { id: 'gateway-classes', codes: ['KD7002'], needs: ['gatewayclasses', 'gateways'] },
  { id: 'parameters-refs', codes: ['KD7032', 'KD7033', 'KD7034'], needs: ['gatewayclasses', 'gateways'] },
  { id: 'route-parents', codes: ['KD7011', 'KD7012', 'KD7013', 'KD7014', 'KD7020', 'KD7021'], needs: ['httproutes', 'grpcroutes', 'gateways', 'namespaces'] },
  {
    id: 'route-backends',
    codes: ['KD7015', 'KD7016', 'KD7017', 'KD7018', 'KD7019', 'KD7026', 'KD7027'],
    needs: ['httproutes', 'grpcroutes', 'referencegrants', 'services', 'endpointslices', 'pods'],
  },
  { id: 'gateway', codes: ['KD7001', 'KD7003', 'KD7004', 'KD7005'], needs: ['gateways', 'gatewayclasses'] },
  { id: 'listeners', codes: ['KD7006', 'KD7007', 'KD7008', 'KD7009', 'KD7010', 'KD7023'], needs: ['gateways', 'referencegrants', 'tlssecrets'] },
  { id: 'listener-spec', codes: ['KD7024', 'KD7025', 'KD7031'], needs: ['gateways'] },
];

function statusOf(findings: readonly Finding[]): ResultStatus {
  const worst = Math.max(0, ...findings.map((f) => severityRank(f.severity)));
  return worst >= severityRank('error') ? 'ERROR' : worst >= severityRank('warning') ? 'WARNING' : 'OK';
}

const byName = <T extends { metadata?: { namespace?: string; name?: string } }>(a: T, b: T) =>
  (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

function analyzeRoute(route: Route, kind: RouteKind, ctx: GatewayContext): RouteResult {
  const base = subject(kind, route, ctx);
  const r: RouteSubject = { ...base, route, kind, hostnames: route.spec?.hostnames ?? [], edit: kubectl('-n', base.ns, 'edit', kind.toLowerCase(), base.name) };
  const { parents, unresolved } = lintParents(r, ctx);
  const { rules, broken } = lintBackends(r, ctx);
  if (!broken) lintUnresolved(r, unresolved);
  const services = rules.flatMap((x) => x.backends).filter((b) => b.kind === 'Service');
  const ready = services.filter((b) => b.status === 'OK' || b.status === 'EXTERNAL').length;
  return {
    namespace: r.ns,
    name: r.name,
    kind,
    hostnames: r.hostnames,
    parents,
    rules,
    backends: { ready, total: services.length },
    status: statusOf(r.findings),
    findings: r.findings,
  };
}

function analyzeGateway(gw: Gateway, ctx: GatewayContext): GatewayResult {
  const g = subject('Gateway', gw, ctx);
  lintGatewayParameters(g, gw, ctx);
  lintGateway(g, gw, ctx);
  const listeners = lintListeners(g, gw, ctx);
  const className = gw.spec?.gatewayClassName ?? '';
  return {
    namespace: g.ns,
    name: g.name,
    class: className,
    controller: ctx.classes.get(className)?.spec?.controllerName,
    accepted: condText(condition(gw, 'Accepted')),
    programmed: condText(condition(gw, 'Programmed')),
    addresses: (gw.status?.addresses ?? []).map((a) => a.value).filter(Boolean),
    listeners,
    status: statusOf(g.findings),
    findings: g.findings,
  };
}

export function analyzeGateways(snapshot: Snapshot, objects: GatewayObjects, options: CheckOptions = {}): GatewayAnalysis {
  const global: Finding[] = [];
  if (snapshot.loaded.includes('ingresses') && snapshot.loaded.includes('ingressclasses')) global.push(...retiredIngressFindings(snapshot));
  if (objects.unavailable) {
    global.push(...unreadableFindings(objects));
    return { classes: [], gateways: [], routes: [], global, findings: [...global] };
  }
  const ctx = gatewayContext(snapshot, objects, options);
  ctx.global.push(...global);
  const classes = lintGatewayClasses(ctx);
  // Routes first: listeners list the routes attached to them.
  const routes = [
    ...objects.httpRoutes.map((route) => ({ route, kind: 'HTTPRoute' as const })),
    ...objects.grpcRoutes.map((route) => ({ route, kind: 'GRPCRoute' as const })),
  ]
    .sort((a, b) => byName(a.route, b.route) || a.kind.localeCompare(b.kind))
    .map(({ route, kind }) => analyzeRoute(route, kind, ctx));
  const gateways = [...objects.gateways].sort(byName).map((gw) => analyzeGateway(gw, ctx));
  return {
    classes,
    gateways,
    routes,
    global: ctx.global,
    findings: [...ctx.global, ...gateways.flatMap((g) => g.findings), ...routes.flatMap((r) => r.findings)],
  };
}

/** With -n: the namespace's Gateways and those its routes attach to, its routes, and the run-wide findings. */
export function scopedGatewayFindings(
  a: GatewayAnalysis,
  namespace: string | undefined,
): { gateways: GatewayResult[]; routes: RouteResult[]; findings: Finding[] } {
  if (namespace === undefined) return { gateways: a.gateways, routes: a.routes, findings: a.findings };
  const parents = new Set(a.routes.flatMap((r) => r.parents.map((p) => p.gateway)));
  const gateways = a.gateways.filter((g) => g.namespace === namespace || parents.has(`${g.namespace}/${g.name}`));
  const routes = a.routes.filter((r) => r.namespace === namespace);
  return { gateways, routes, findings: [...a.global, ...gateways.flatMap((g) => g.findings), ...routes.flatMap((r) => r.findings)] };
}
