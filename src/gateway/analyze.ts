// Does each Gateway accept traffic, and does each route lead to something alive? The
// GatewayClass and its controller's verdict, the Gateway's conditions and addresses, each
// listener (conditions, certificates with the checks of `kdiag ingress`, allowedRoutes),
// each HTTPRoute/GRPCRoute per parent (conditions, missing Gateways or sections, hostnames
// that meet no listener) and each backendRef (Service, port, ready endpoints with the
// endpoints check's cause, ReferenceGrants, weights). Pure over the snapshot and the objects.
import type { V1LabelSelector, V1Service } from '@kubernetes/client-node';
import { answerPhrase, profileForGatewayController, type ControllerAnswers } from '../checks/data/controllers.js';
import { INGRESS_NGINX_CONTROLLER } from '../checks/data/nginx-annotations.js';
import { serviceAnalyzer } from '../checks/endpoints.js';
import { requestedClass, resolveServicePort } from '../checks/ingress-match.js';
import { checkTlsSecret, type TlsStatus } from '../checks/ingress-tls.js';
import { finding } from '../checks/lib/finding.js';
import { matchesSelector } from '../checks/lib/labels.js';
import type { CheckOptions } from '../checks/types.js';
import type { Code } from '../report/codes.js';
import { severityRank, type Finding, type ObjectRef, type Severity } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { intersectingHostnames } from './match.js';
import { condition, conditionIn, GATEWAY_GROUP, type BackendRef, type Condition, type GatewayObjects, type Listener, type ParentReference, type Route } from './types.js';

export const GATEWAY_API_MIGRATION = 'https://gateway-api.sigs.k8s.io/guides/migrating-from-ingress/';

export type ResultStatus = 'OK' | 'WARNING' | 'ERROR';

export interface ListenerResult {
  name: string;
  port: number;
  protocol: string;
  hostname: string;
  /** status.listeners[].attachedRoutes as the controller counts them. */
  attachedRoutes?: number;
  /** Routes in view that kdiag finds attached (namespace/name). */
  routes: string[];
  conditions: string;
  tls?: { secrets: { secret: string; status: TlsStatus | 'missing' | 'not permitted'; summary: string; daysLeft?: number }[] };
}

export interface GatewayResult {
  namespace: string;
  name: string;
  class: string;
  controller?: string;
  accepted: string;
  programmed: string;
  addresses: string[];
  listeners: ListenerResult[];
  status: ResultStatus;
  findings: Finding[];
}

export type BackendStatus = 'OK' | 'NO SERVICE' | 'NO PORT' | 'NO ENDPOINTS' | 'NOT PERMITTED' | 'EXTERNAL' | 'NOT CHECKED';

export interface BackendResult {
  /** `ns/name:port` (Service) or `Kind/name`. */
  backend: string;
  namespace: string;
  name: string;
  kind: string;
  port?: number;
  weight: number;
  status: BackendStatus;
  ready: number;
  total: number;
  cause?: string;
}

export interface ParentResult {
  gateway: string;
  sectionName?: string;
  accepted: string;
  resolvedRefs: string;
  /** Listeners kdiag finds the route attached to. */
  listeners: string[];
}

export interface RouteResult {
  namespace: string;
  name: string;
  kind: 'HTTPRoute' | 'GRPCRoute';
  hostnames: string[];
  parents: ParentResult[];
  rules: { name?: string; backends: BackendResult[] }[];
  backends: { ready: number; total: number };
  status: ResultStatus;
  findings: Finding[];
}

export interface GatewayClassResult {
  name: string;
  controller: string;
  accepted: string;
}

export interface GatewayAnalysis {
  classes: GatewayClassResult[];
  gateways: GatewayResult[];
  routes: RouteResult[];
  /** Findings not tied to one Gateway or route (GatewayClasses, Ingresses, skipped checks). */
  global: Finding[];
  findings: Finding[];
}

const key = (ns: string | undefined, name: string | undefined) => `${ns ?? ''}/${name ?? ''}`;

function condText(c: Condition | undefined): string {
  if (!c) return 'Unknown';
  return `${c.status}${c.reason ? ` (${c.reason})` : ''}`;
}

function condDetail(c: Condition | undefined): string {
  if (!c) return 'no condition reported';
  return `${c.type}=${c.status}${c.reason ? ` reason ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`;
}

function ageMs(meta: { creationTimestamp?: string } | undefined, now: Date): number {
  const t = meta?.creationTimestamp ? new Date(meta.creationTimestamp).getTime() : 0;
  return t ? now.getTime() - t : Number.POSITIVE_INFINITY;
}

/** Route kinds a listener admits when allowedRoutes.kinds is empty (by protocol). */
function defaultKinds(protocol: string): string[] {
  switch (protocol) {
    case 'HTTP':
    case 'HTTPS':
      return ['HTTPRoute', 'GRPCRoute'];
    case 'TLS':
      return ['TLSRoute'];
    case 'TCP':
      return ['TCPRoute'];
    case 'UDP':
      return ['UDPRoute'];
    default:
      return [];
  }
}

/** Whether the listener admits the route; when it does not, why. */
export function listenerAdmits(listener: Listener, gatewayNs: string, route: Route, routeKind: string, namespaceLabels: ((ns: string) => Record<string, string> | undefined) | undefined): { ok: boolean; why?: string } {
  const routeNs = route.metadata?.namespace ?? '';
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'Same' && routeNs !== gatewayNs) return { ok: false, why: `listener ${listener.name} admits routes from namespace ${gatewayNs} only (allowedRoutes.namespaces.from: Same)` };
  if (from === 'Selector') {
    const labels = namespaceLabels?.(routeNs);
    if (labels !== undefined && !matchesSelector(listener.allowedRoutes?.namespaces?.selector as V1LabelSelector | undefined, labels)) {
      return { ok: false, why: `listener ${listener.name} admits routes from namespaces matching its selector, and namespace ${routeNs} does not match` };
    }
  }
  const kinds = listener.allowedRoutes?.kinds?.length ? listener.allowedRoutes.kinds.filter((k) => (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP).map((k) => k.kind) : defaultKinds(listener.protocol);
  if (!kinds.includes(routeKind)) return { ok: false, why: `listener ${listener.name} (${listener.protocol}) admits ${kinds.join(', ') || 'no route kinds'}, not ${routeKind}` };
  return { ok: true };
}

function sameParent(a: ParentReference, b: ParentReference, routeNs: string): boolean {
  return a.name === b.name && (a.namespace ?? routeNs) === (b.namespace ?? routeNs) && (a.sectionName ?? '') === (b.sectionName ?? '') && (a.port ?? 0) === (b.port ?? 0) && (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway');
}

export function parentStatus(route: Route, ref: ParentReference) {
  const ns = route.metadata?.namespace ?? '';
  return route.status?.parents?.find((p) => sameParent(p.parentRef, ref, ns));
}

/** Whether a ReferenceGrant in `toNs` lets `fromKind` objects of `fromNs` refer to `toKind` `toName`. */
export function referenceGranted(objects: GatewayObjects, fromKind: string, fromNs: string, toNs: string, toKind: string, toName: string): boolean {
  return objects.referenceGrants.some(
    (g) =>
      g.metadata?.namespace === toNs &&
      (g.spec?.from ?? []).some((f) => f.group === GATEWAY_GROUP && f.kind === fromKind && f.namespace === fromNs) &&
      (g.spec?.to ?? []).some((t) => (t.group ?? '') === '' && t.kind === toKind && (!t.name || t.name === toName)),
  );
}

function grantYaml(fromKind: string, fromNs: string, toNs: string, toKind: string, toName: string): string {
  return `kubectl apply -f - <<EOF
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: allow-${fromNs}-${fromKind.toLowerCase()}s, namespace: ${toNs}}
spec:
  from: [{group: gateway.networking.k8s.io, kind: ${fromKind}, namespace: ${fromNs}}]
  to: [{group: "", kind: ${toKind}, name: ${toName}}]
EOF`;
}

function statusOf(findings: readonly Finding[]): ResultStatus {
  const worst = Math.max(0, ...findings.map((f) => severityRank(f.severity)));
  return worst >= severityRank('error') ? 'ERROR' : worst >= severityRank('warning') ? 'WARNING' : 'OK';
}

export function backendLabel(ref: BackendRef, routeNs: string): string {
  const kind = ref.kind ?? 'Service';
  const ns = ref.namespace ?? routeNs;
  if (kind !== 'Service' || (ref.group ?? '') !== '') return `${kind}/${ns === routeNs ? '' : `${ns}/`}${ref.name}`;
  return `${ns === routeNs ? '' : `${ns}/`}${ref.name}:${ref.port ?? '?'}`;
}

/** Ingresses whose class is served by ingress-nginx, which was retired (KD7030). */
export function retiredIngressFindings(snapshot: Snapshot): Finding[] {
  const classes = new Map(snapshot.ingressclasses.map((c) => [c.metadata?.name ?? '', c]));
  const defaultClass = snapshot.ingressclasses.find((c) => c.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
  const out: Finding[] = [];
  for (const ing of snapshot.ingresses) {
    const asked = requestedClass(ing).name;
    const cls = asked ? classes.get(asked) : defaultClass;
    if (cls?.spec?.controller !== INGRESS_NGINX_CONTROLLER) continue;
    const ns = ing.metadata?.namespace ?? '';
    const name = ing.metadata?.name ?? '';
    out.push(
      finding('KD7030', { kind: 'Ingress', namespace: ns, name }, {
        message: `${name}: served by ingress-nginx (class ${cls.metadata?.name}), a retired controller`,
        cause: `IngressClass ${cls.metadata?.name} names controller ${INGRESS_NGINX_CONTROLLER}; ingress-nginx's best-effort maintenance ended in March 2026, so it gets no more fixes, including security fixes.`,
        fix: `Plan the move to the Gateway API (a Gateway and HTTPRoutes replace the Ingress and its nginx annotations): ${GATEWAY_API_MIGRATION}; ingress2gateway translates existing Ingresses.`,
      }),
    );
  }
  return out;
}

export function analyzeGateways(snapshot: Snapshot, objects: GatewayObjects, options: CheckOptions = {}): GatewayAnalysis {
  const global: Finding[] = [];
  const analysis: GatewayAnalysis = { classes: [], gateways: [], routes: [], global, findings: [] };
  if (snapshot.loaded.includes('ingresses') && snapshot.loaded.includes('ingressclasses')) global.push(...retiredIngressFindings(snapshot));
  if (objects.unavailable) {
    if (objects.unavailable.reason === 'forbidden') {
      global.push(
        finding('KD7022', { kind: 'Gateway', name: 'gateways' }, {
          message: 'gateways: Gateway API objects could not be read',
          cause: `${objects.unavailable.message}; Gateways and their routes were not checked.`,
          fix: 'Grant get and list on gatewayclasses, gateways, httproutes, grpcroutes and referencegrants (gateway.networking.k8s.io), see deploy/rbac.yaml.',
        }),
      );
    }
    analysis.findings = [...global];
    return analysis;
  }

  const warnDays = options.certWarnDays ?? 14;
  const grace = (options.addressGraceSeconds ?? 300) * 1000;
  const extra = new Set(objects.extraNamespaces ?? []);
  const covers = (ns: string) => snapshot.namespace === undefined || ns === snapshot.namespace || extra.has(ns);
  const services = new Map<string, V1Service>(snapshot.services.map((s) => [key(s.metadata?.namespace, s.metadata?.name), s]));
  const analyzed = serviceAnalyzer(snapshot);
  const listed = (k: 'endpointslices' | 'endpoints') => snapshot.loaded.includes(k) && !snapshot.unavailable[k];
  const endpointsUnavailable = listed('endpointslices') || listed('endpoints') ? undefined : (snapshot.unavailable.endpointslices ?? 'EndpointSlices were not listed');
  const tlsSecrets = new Map(snapshot.tlssecrets.map((s) => [key(s.metadata?.namespace, s.metadata?.name), s]));
  const tlsUnavailable = snapshot.unavailable.tlssecrets ?? (snapshot.loaded.includes('tlssecrets') ? undefined : 'Secrets were not listed');
  const namespaceLabels = snapshot.loaded.includes('namespaces') && snapshot.namespaces.length ? (ns: string) => snapshot.namespaces.find((n) => n.metadata?.name === ns)?.metadata?.labels ?? {} : undefined;
  const classes = new Map(objects.gatewayClasses.map((c) => [c.metadata?.name ?? '', c]));
  const gateways = new Map(objects.gateways.map((g) => [key(g.metadata?.namespace, g.metadata?.name), g]));
  const gatewaySeen = (ns: string) => objects.gatewayNamespaces === undefined || objects.gatewayNamespaces.includes(ns);
  const grantsKnown = objects.missing.referencegrants === undefined;

  // --- GatewayClasses ---------------------------------------------------------------------------
  const usedClasses = new Set(objects.gateways.map((g) => g.spec?.gatewayClassName ?? ''));
  for (const cls of [...objects.gatewayClasses].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const name = cls.metadata?.name ?? '';
    const accepted = condition(cls, 'Accepted');
    analysis.classes.push({ name, controller: cls.spec?.controllerName ?? '', accepted: condText(accepted) });
    if (accepted?.status !== 'True' && usedClasses.has(name)) {
      const young = !accepted && ageMs(cls.metadata, snapshot.now) < grace;
      global.push(
        finding('KD7002', { kind: 'GatewayClass', name }, {
          message: `${name}: GatewayClass not Accepted${accepted?.reason ? ` (${accepted.reason})` : ''}`,
          cause: accepted
            ? `Controller ${cls.spec?.controllerName} reports ${condDetail(accepted)}; its Gateways are not programmed.`
            : `No controller has reported on GatewayClass ${name}: nothing runs controller ${cls.spec?.controllerName ?? '(none)'}, or it does not handle this class, so its Gateways get no data plane.`,
          fix: accepted ? `kubectl describe gatewayclass ${name}` : `Install or start the Gateway controller ${cls.spec?.controllerName}, or use a class whose controller runs: kubectl get gatewayclass`,
          severity: young ? 'info' : undefined,
        }),
      );
    }
  }

  // --- Routes: attachments (computed first: listeners show their routes) ----------------------------
  const allRoutes: { route: Route; kind: 'HTTPRoute' | 'GRPCRoute' }[] = [
    ...objects.httpRoutes.map((route) => ({ route, kind: 'HTTPRoute' as const })),
    ...objects.grpcRoutes.map((route) => ({ route, kind: 'GRPCRoute' as const })),
  ].sort((a, b) => (a.route.metadata?.namespace ?? '').localeCompare(b.route.metadata?.namespace ?? '') || (a.route.metadata?.name ?? '').localeCompare(b.route.metadata?.name ?? '') || a.kind.localeCompare(b.kind));
  const attached = new Map<string, string[]>(); // gateway ns/name/listener -> routes

  for (const { route, kind } of allRoutes) {
    const ns = route.metadata?.namespace ?? '';
    const name = route.metadata?.name ?? '';
    const ref: ObjectRef = { kind, namespace: ns, name };
    const findings: Finding[] = [];
    const add = (code: Code, message: string, cause: string, fix: string, severity?: Severity) => findings.push(finding(code, ref, { message: `${name}: ${message}`, cause, fix, severity }));
    const edit = `kubectl -n ${ns} edit ${kind.toLowerCase()} ${name}`;
    const parents: ParentResult[] = [];
    const unresolved: { gateway: string; cond: Condition }[] = [];
    const hostnames = route.spec?.hostnames ?? [];

    for (const p of route.spec?.parentRefs ?? []) {
      if ((p.kind ?? 'Gateway') !== 'Gateway' || (p.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) continue;
      const gns = p.namespace ?? ns;
      const gwLabel = `${gns}/${p.name}${p.sectionName ? `/${p.sectionName}` : ''}${p.port ? `:${p.port}` : ''}`;
      const st = parentStatus(route, p);
      const accepted = conditionIn(st?.conditions, 'Accepted');
      const resolved = conditionIn(st?.conditions, 'ResolvedRefs');
      const parent: ParentResult = { gateway: `${gns}/${p.name}`, sectionName: p.sectionName, accepted: condText(accepted), resolvedRefs: condText(resolved), listeners: [] };
      parents.push(parent);
      let explained = false;
      const gw = gateways.get(key(gns, p.name));
      if (!gw) {
        if (gatewaySeen(gns)) {
          const names = objects.gateways.filter((g) => g.metadata?.namespace === gns).map((g) => g.metadata?.name ?? '');
          add('KD7013', `parent Gateway ${gns}/${p.name} not found`, `parentRefs names Gateway ${p.name} in namespace ${gns}, which does not exist${names.length ? ` (Gateways there: ${names.join(', ')})` : ''}; the route is attached to nothing and serves no traffic.`, `Point parentRefs at an existing Gateway (kubectl get gateways -A): ${edit}`);
          explained = true;
        }
      } else {
        const listeners = (gw.spec?.listeners ?? []).filter((l) => (!p.sectionName || l.name === p.sectionName) && (!p.port || l.port === p.port));
        if (listeners.length === 0) {
          const all = (gw.spec?.listeners ?? []).map((l) => `${l.name} (${l.protocol} ${l.port})`).join(', ');
          add('KD7013', `parent ${gwLabel}: Gateway ${gns}/${p.name} has no listener ${p.sectionName ? `named ${p.sectionName}` : ''}${p.sectionName && p.port ? ' ' : ''}${p.port ? `on port ${p.port}` : ''}`, `Gateway ${gns}/${p.name} has listeners ${all || '(none)'}; parentRefs[].${p.sectionName ? 'sectionName' : 'port'} matches none, so the route is not attached.`, `Use one of the listener names (${(gw.spec?.listeners ?? []).map((l) => l.name).join(', ')}) in sectionName: ${edit}`);
          explained = true;
        } else {
          const verdicts = listeners.map((l) => ({ l, v: listenerAdmits(l, gns, route, kind, namespaceLabels) }));
          const admitting = verdicts.filter((x) => x.v.ok).map((x) => x.l);
          if (admitting.length === 0) {
            add('KD7020', `no listener of Gateway ${gns}/${p.name} allows the route to attach`, `${verdicts.map((x) => x.v.why).join('; ')}.${accepted?.status === 'False' ? ` The controller agrees: ${condDetail(accepted)}.` : ''}`, `Widen the listener's allowedRoutes (e.g. namespaces: {from: All}, or a selector matching namespace ${ns}): kubectl -n ${gns} edit gateway ${p.name}; or attach the route to a listener that admits it.`);
            explained = true;
          } else {
            const matching = admitting.filter((l) => intersectingHostnames(l.hostname, hostnames).length > 0);
            if (matching.length === 0) {
              add('KD7014', `hostnames ${hostnames.join(', ')} match no listener of Gateway ${gns}/${p.name}`, `The route's hostnames ${hostnames.join(', ')} intersect none of the listener hostnames ${admitting.map((l) => `${l.name}: ${l.hostname ?? '(any)'}`).join(', ')} (a wildcard *.example.com covers one or more labels before example.com); the route serves no host on this Gateway.${accepted?.status === 'False' ? ` The controller agrees: ${condDetail(accepted)}.` : ''}`, `Change spec.hostnames to a host the listener serves, or add a listener for it: ${edit}`);
              explained = true;
            }
            for (const l of matching) {
              parent.listeners.push(l.name);
              const k = `${gns}/${p.name}/${l.name}`;
              attached.set(k, [...(attached.get(k) ?? []), `${ns}/${name}`]);
            }
          }
        }
      }
      if (!st) {
        if (!explained) {
          const young = ageMs(route.metadata, snapshot.now) < grace;
          add('KD7021', `no controller reported status for parent ${gwLabel}`, `status.parents has no entry for ${gwLabel}: the Gateway's controller has not processed the route (not running, not watching namespace ${ns}, or it does not own GatewayClass ${gw?.spec?.gatewayClassName ?? '?'}).`, `kubectl -n ${ns} describe ${kind.toLowerCase()} ${name}; check the controller of GatewayClass ${gw?.spec?.gatewayClassName ?? '?'} (kubectl get gatewayclass)`, young ? 'info' : undefined);
        }
      } else if (accepted && accepted.status !== 'True' && !explained) {
        add('KD7011', `not Accepted by ${gwLabel} (${accepted.reason ?? accepted.status})`, `The controller${st.controllerName ? ` ${st.controllerName}` : ''} reports ${condDetail(accepted)}; the route serves no traffic through this parent.`, reasonFix(accepted.reason, ns, name, kind, gns, p.name));
      }
      if (resolved?.status === 'False') unresolved.push({ gateway: gwLabel, cond: resolved });
    }

    // --- Backends ----------------------------------------------------------------------------
    const rules: RouteResult['rules'] = [];
    const reported = new Set<string>();
    let backendProblem = false;
    // What the implementation that reported on the route answers (when kdiag knows it).
    const implementation = profileForGatewayController((route.status?.parents ?? []).find((x) => x.controllerName)?.controllerName);
    const answers = (what: keyof ControllerAnswers) => (implementation?.gateway?.[what] !== undefined ? ` (${answerPhrase(implementation, 'gateway', what, '')})` : '');
    (route.spec?.rules ?? []).forEach((rule, i) => {
      const refs = rule.backendRefs ?? [];
      const where = rule.name ? `rule ${rule.name}` : `rule ${i + 1}`;
      if (refs.length > 0 && refs.every((r) => (r.weight ?? 1) === 0)) {
        add('KD7019', `${where}: every backendRef has weight 0`, `The weights of ${where}'s backendRefs (${refs.map((r) => `${backendLabel(r, ns)}=0`).join(', ')}) sum to zero, so no backend gets traffic: the Gateway answers 500 for requests matching it.`, `Give at least one backendRef a positive weight (default 1): ${edit}`);
        backendProblem = true;
      }
      const backends: BackendResult[] = [];
      for (const r of refs) {
        const bkind = r.kind ?? 'Service';
        const bns = r.namespace ?? ns;
        const label = backendLabel(r, ns);
        const node: BackendResult = { backend: label, namespace: bns, name: r.name, kind: bkind, port: r.port, weight: r.weight ?? 1, status: 'OK', ready: 0, total: 0 };
        backends.push(node);
        const first = !reported.has(label);
        reported.add(label);
        if (bkind !== 'Service' || (r.group ?? '') !== '') {
          node.status = 'NOT CHECKED';
          node.cause = `${bkind} backends are implementation-specific; kdiag checks Service backends`;
          continue;
        }
        if (bns !== ns && grantsKnown && !referenceGranted(objects, kind, ns, bns, 'Service', r.name)) {
          node.status = 'NOT PERMITTED';
          node.cause = `no ReferenceGrant in ${bns} allows ${kind}s of ${ns}`;
          if (first) {
            const grants = objects.referenceGrants.filter((g) => g.metadata?.namespace === bns).map((g) => g.metadata?.name ?? '');
            add('KD7018', `backendRef ${label} in namespace ${bns} is not permitted (no ReferenceGrant)`, `The backendRef crosses from namespace ${ns} to ${bns}; only a ReferenceGrant in ${bns} that lists {group: gateway.networking.k8s.io, kind: ${kind}, namespace: ${ns}} in from and Service ${r.name} (or all Services) in to permits it${grants.length ? ` (ReferenceGrants in ${bns}: ${grants.join(', ')}, none matching)` : ` (there is none in ${bns})`}; the controller refuses the reference (ResolvedRefs: RefNotPermitted) and answers 500 for this backend${answers('refNotPermitted')}.`, grantYaml(kind, ns, bns, 'Service', r.name));
          }
          backendProblem = true;
          continue;
        }
        if (!covers(bns)) {
          node.status = 'NOT CHECKED';
          node.cause = `namespace ${bns} was not loaded (run with -A)`;
          continue;
        }
        const svc = services.get(key(bns, r.name));
        if (!svc) {
          node.status = 'NO SERVICE';
          node.cause = `Service ${bns}/${r.name} not found`;
          backendProblem = true;
          if (first) {
            const names = snapshot.services.filter((s) => s.metadata?.namespace === bns).map((s) => s.metadata?.name ?? '');
            add('KD7015', `backend Service ${bns === ns ? r.name : `${bns}/${r.name}`} not found (${where})`, `No Service ${r.name} in namespace ${bns}${names.length ? ` (Services there: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})` : ''}; the controller reports ResolvedRefs: BackendNotFound and answers 500 for the share of requests sent to it${answers('missingService')}.`, `Create the Service, or point the backendRef at an existing one: ${edit}`);
          }
          continue;
        }
        if (svc.spec?.type === 'ExternalName') {
          node.status = 'EXTERNAL';
          node.cause = `ExternalName → ${svc.spec.externalName}`;
          continue;
        }
        const port = resolveServicePort(svc, r.port === undefined ? undefined : { number: r.port });
        if (!port) {
          node.status = 'NO PORT';
          const ports = (svc.spec?.ports ?? []).map((x) => (x.name ? `${x.name}:${x.port}` : String(x.port))).join(', ');
          node.cause = r.port === undefined ? 'backendRef has no port' : `Service has no port ${r.port}`;
          backendProblem = true;
          if (first) add('KD7016', `backendRef ${label}: Service ${r.name} has no port ${r.port ?? '(none given)'} (${where})`, `Service ${bns}/${r.name} has ports ${ports || '(none)'}; ${r.port === undefined ? 'a Service backendRef must give port' : `the backendRef names port ${r.port}`}, so the controller cannot route to it${answers('missingPort')}.`, `Use one of the Service's ports (${ports}) in backendRefs[].port: ${edit}`);
          continue;
        }
        if (endpointsUnavailable) {
          node.status = 'NOT CHECKED';
          node.cause = `endpoints not checked: ${endpointsUnavailable}`;
          continue;
        }
        const a = analyzed(svc);
        const row = a.ports.find((x) => x.port === port.port);
        node.ready = row?.readyEndpoints ?? 0;
        node.total = a.endpoints.length;
        if (a.status === 'NO ENDPOINTS' || node.ready === 0) {
          node.status = 'NO ENDPOINTS';
          node.cause = a.cause ?? `no endpoint ready on port ${port.port}`;
          backendProblem = true;
          const cause = a.findings[0];
          if (first) add('KD7017', `backend ${label} has no ready endpoints (${where}): ${node.cause}`, cause ? `${cause.cause}${implementation?.gateway?.noEndpoints !== undefined ? ` ${answerPhrase(implementation, 'gateway', 'noEndpoints', '')} for requests routed to it.` : ''}` : `Service ${bns}/${r.name} has ${node.total} endpoint(s), none ready on port ${port.port}; requests routed to it fail with 503${answers('noEndpoints')}.`, cause ? cause.fix : `kdiag endpoints ${r.name} -n ${bns}`);
        }
      }
      rules.push({ name: rule.name, backends });
    });
    if (!backendProblem) {
      for (const u of unresolved) {
        add('KD7012', `references not resolved for parent ${u.gateway} (${u.cond.reason ?? 'False'})`, `The controller reports ${condDetail(u.cond)}.`, reasonFix(u.cond.reason, ns, name, kind, u.gateway.split('/')[0]!, u.gateway.split('/')[1]!));
      }
    }
    const all = rules.flatMap((r) => r.backends).filter((b) => b.kind === 'Service');
    analysis.routes.push({
      namespace: ns,
      name,
      kind,
      hostnames,
      parents,
      rules,
      backends: { ready: all.filter((b) => b.status === 'OK' || b.status === 'EXTERNAL').length, total: all.length },
      status: statusOf(findings),
      findings,
    });
  }

  // --- Gateways -------------------------------------------------------------------------------
  let tlsSkipReported = false;
  const sortedGateways = [...objects.gateways].sort((a, b) => (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const gw of sortedGateways) {
    const ns = gw.metadata?.namespace ?? '';
    const name = gw.metadata?.name ?? '';
    const ref: ObjectRef = { kind: 'Gateway', namespace: ns, name };
    const findings: Finding[] = [];
    const add = (code: Code, message: string, cause: string, fix: string, severity?: Severity) => findings.push(finding(code, ref, { message: `${name}: ${message}`, cause, fix, severity }));
    const className = gw.spec?.gatewayClassName ?? '';
    const cls = classes.get(className);
    const young = ageMs(gw.metadata, snapshot.now) < grace;
    if (!cls && objects.missing.gatewayclasses === undefined) {
      const known = [...classes.keys()].sort();
      add('KD7001', `GatewayClass ${className} not found`, `spec.gatewayClassName names ${className}, but the cluster has ${known.length ? `only ${known.join(', ')}` : 'no GatewayClass'}; no controller programs this Gateway.`, known.length ? `kubectl -n ${ns} patch gateway ${name} --type=merge -p '{"spec":{"gatewayClassName":"${known[0]}"}}' (or install the controller that provides ${className})` : 'Install a Gateway API implementation (it creates its GatewayClass), then set spec.gatewayClassName.');
    }
    const accepted = condition(gw, 'Accepted');
    const programmed = condition(gw, 'Programmed');
    const controller = cls?.spec?.controllerName;
    const pendingSeverity = young && (!accepted || accepted.status === 'Unknown') ? 'info' : undefined;
    if (accepted?.status !== 'True' && cls) {
      add('KD7003', `not Accepted (${accepted?.reason ?? 'no status'})${accepted?.message ? `: ${accepted.message}` : ''}`, accepted && accepted.status !== 'Unknown' ? `Controller ${controller} reports ${condDetail(accepted)}.` : `Accepted is ${accepted ? `${accepted.status}${accepted.reason ? ` (${accepted.reason})` : ''}` : 'not reported'}: controller ${controller} has not processed Gateway ${ns}/${name} (not running, or not the owner of GatewayClass ${className}).`, `kubectl -n ${ns} describe gateway ${name}`, pendingSeverity);
    } else if (accepted?.status === 'True' && programmed?.status !== 'True') {
      add('KD7004', `not Programmed (${programmed?.reason ?? 'no status'})${programmed?.message ? `: ${programmed.message}` : ''}`, `Controller ${controller} accepted the Gateway but reports ${condDetail(programmed)}: its data plane is not serving the listeners (addresses pending, proxy Pods not ready, or invalid listeners).`, `kubectl -n ${ns} describe gateway ${name}; kubectl -n ${ns} get pods -l gateway.networking.k8s.io/gateway-name=${name}`, young ? 'info' : undefined);
    }
    const addresses = (gw.status?.addresses ?? []).map((a) => a.value).filter(Boolean);
    if (addresses.length === 0 && programmed?.status === 'True') {
      add('KD7005', 'no address assigned', `status.addresses of Gateway ${ns}/${name} is empty although it is Programmed; DNS for its hostnames has nothing to point at.`, `kubectl -n ${ns} get gateway ${name} -o jsonpath='{.status.addresses}'; check the load balancer Service of its data plane (kubectl -n ${ns} get svc -l gateway.networking.k8s.io/gateway-name=${name})`, young ? 'info' : undefined);
    }

    const listeners: ListenerResult[] = [];
    for (const l of gw.spec?.listeners ?? []) {
      const ls = gw.status?.listeners?.find((s) => s.name === l.name);
      const result: ListenerResult = { name: l.name, port: l.port, protocol: l.protocol, hostname: l.hostname ?? '*', attachedRoutes: ls?.attachedRoutes, routes: attached.get(`${ns}/${name}/${l.name}`) ?? [], conditions: (ls?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(',') };
      listeners.push(result);
      let certProblem = false;
      const terminates = l.protocol === 'HTTPS' || (l.protocol === 'TLS' && (l.tls?.mode ?? 'Terminate') === 'Terminate');
      if (terminates) {
        result.tls = { secrets: [] };
        for (const c of l.tls?.certificateRefs ?? []) {
          if ((c.kind ?? 'Secret') !== 'Secret' || (c.group ?? '') !== '') continue;
          const sns = c.namespace ?? ns;
          const label = sns === ns ? c.name : `${sns}/${c.name}`;
          if (sns !== ns && grantsKnown && !referenceGranted(objects, 'Gateway', ns, sns, 'Secret', c.name)) {
            certProblem = true;
            result.tls.secrets.push({ secret: label, status: 'not permitted', summary: `no ReferenceGrant in ${sns}` });
            add('KD7008', `listener ${l.name}: certificateRef ${label} is not permitted (no ReferenceGrant)`, `The listener's certificate Secret lives in namespace ${sns}; only a ReferenceGrant there listing {group: gateway.networking.k8s.io, kind: Gateway, namespace: ${ns}} in from permits the reference. The controller reports ResolvedRefs: RefNotPermitted and the listener serves no TLS.`, grantYaml('Gateway', ns, sns, 'Secret', c.name));
            continue;
          }
          if (tlsUnavailable) {
            result.tls.secrets.push({ secret: label, status: 'skipped', summary: 'not checked' });
            if (!tlsSkipReported) {
              tlsSkipReported = true;
              global.push(finding('KD7023', ref, { message: `${name}: listener TLS check skipped: Secrets cannot be read`, cause: `kdiag could not list Secrets (${tlsUnavailable}); listener certificates were not checked.`, fix: `Grant list on secrets in namespace ${ns} (see deploy/rbac.yaml), or run as a user who may read them.` }));
            }
            continue;
          }
          if (!covers(sns)) {
            result.tls.secrets.push({ secret: label, status: 'skipped', summary: `namespace ${sns} not loaded` });
            continue;
          }
          const secret = tlsSecrets.get(key(sns, c.name));
          if (!secret) {
            certProblem = true;
            result.tls.secrets.push({ secret: label, status: 'missing', summary: 'secret not found' });
            add('KD7007', `listener ${l.name}: certificate Secret ${label} not found`, `tls.certificateRefs of listener ${l.name} names Secret ${c.name}, and namespace ${sns} has no Secret of type kubernetes.io/tls by that name; the controller reports ResolvedRefs: InvalidCertificateRef and the listener serves no TLS.`, `kubectl -n ${sns} create secret tls ${c.name} --cert=tls.crt --key=tls.key (or let cert-manager issue it)`);
            continue;
          }
          const r = checkTlsSecret({ namespace: sns, ingress: name, secretName: c.name, secret, hosts: l.hostname ? [l.hostname] : [], now: snapshot.now, warnDays });
          result.tls.secrets.push({ secret: label, status: r.status, summary: r.summary, daysLeft: r.daysLeft });
          for (const p of r.problems) {
            if (p.code === 'KD3021') continue;
            if (p.code !== 'KD3025') certProblem = true;
            add(p.code === 'KD3025' ? 'KD7010' : 'KD7009', `listener ${l.name} (${l.hostname ?? 'any host'}): ${p.message.replace(/^TLS secret /, 'secret ')}`, p.cause, p.fix);
          }
        }
      }
      const resolved = conditionIn(ls?.conditions, 'ResolvedRefs');
      const conflicted = conditionIn(ls?.conditions, 'Conflicted');
      const lAccepted = conditionIn(ls?.conditions, 'Accepted');
      const lProgrammed = conditionIn(ls?.conditions, 'Programmed');
      const bad = [
        resolved?.status === 'False' && !certProblem ? resolved : undefined,
        conflicted?.status === 'True' ? conflicted : undefined,
        lAccepted?.status === 'False' ? lAccepted : undefined,
        lProgrammed?.status === 'False' && accepted?.status === 'True' && programmed?.status === 'True' ? lProgrammed : undefined,
      ].filter((c): c is Condition => c !== undefined);
      if (bad.length) {
        add('KD7006', `listener ${l.name}: ${bad.map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`).join(', ')}`, `The controller reports ${bad.map(condDetail).join('; ')} for listener ${l.name} (${l.protocol} ${l.port}${l.hostname ? ` ${l.hostname}` : ''}).`, conflicted?.status === 'True' ? `Give the listener a distinct port or hostname: kubectl -n ${ns} edit gateway ${name}` : `kubectl -n ${ns} describe gateway ${name}`);
      }
    }
    analysis.gateways.push({ namespace: ns, name, class: className, controller, accepted: condText(accepted), programmed: condText(programmed), addresses, listeners, status: statusOf(findings), findings });
  }

  analysis.findings = [...global, ...analysis.gateways.flatMap((g) => g.findings), ...analysis.routes.flatMap((r) => r.findings)];
  return analysis;
}

/** What to do for the reasons the Gateway API defines on route conditions. */
function reasonFix(reason: string | undefined, ns: string, name: string, kind: string, gns: string, gateway: string): string {
  const edit = `kubectl -n ${ns} edit ${kind.toLowerCase()} ${name}`;
  switch (reason) {
    case 'NotAllowedByListeners':
      return `Let the listener admit the route (allowedRoutes.namespaces/kinds): kubectl -n ${gns} edit gateway ${gateway}`;
    case 'NoMatchingListenerHostname':
      return `Use a hostname the Gateway's listeners serve: ${edit}`;
    case 'NoMatchingParent':
      return `Fix parentRefs (sectionName, port): ${edit}`;
    case 'BackendNotFound':
      return `Create the backend Service or fix backendRefs: ${edit}`;
    case 'RefNotPermitted':
      return `Create a ReferenceGrant in the backend's namespace for ${kind}s of ${ns}`;
    case 'InvalidKind':
      return `Use a backend kind the implementation supports (Service): ${edit}`;
    case 'UnsupportedValue':
      return `Remove the unsupported field: kubectl -n ${ns} describe ${kind.toLowerCase()} ${name}`;
    default:
      return `kubectl -n ${ns} describe ${kind.toLowerCase()} ${name}`;
  }
}
