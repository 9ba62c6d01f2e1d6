// `kdiag trace` through the Gateway API: load balancer (the Gateway's address) → Gateway
// and listener (by port, protocol and hostname) → TLS → the HTTPRoute rule chosen by the
// specification's precedence → each backendRef with its weight → Service → Pods → the
// NetworkPolicies that must admit the Gateway's data-plane Pods → egress. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { checkTlsSecret } from '../checks/ingress-tls.js';
import { isPodReady, isTerminal, isTerminating } from '../checks/lib/pods.js';
import { buildContext } from '../netpol/explain.js';
import type { Snapshot } from '../snapshot.js';
import { finish, hop, traceBackend, type Hop, type TraceEntry, type TraceResult } from '../trace/trace.js';
import type { TraceRequest } from '../trace/url.js';
import { kubectl, renderCommand, shellJoin } from '../report/fix.js';
import { backendLabel, listenerAdmits, parentStatus, referenceGranted } from './analyze.js';
import {
  candidateMatches,
  describeMatch,
  hostnameMatch,
  hostnamesIntersect,
  pathMatches,
  requestMatches,
  selectListener,
  type HttpRequest,
  type RuleMatch,
} from './match.js';
import {
  condition,
  conditionIn,
  GATEWAY_GROUP,
  type Condition,
  type Gateway,
  type GatewayObjects,
  type HTTPRouteMatch,
  type Listener,
  type Route,
} from './types.js';

export interface GatewayRequest extends TraceRequest {
  method?: string;
  headers?: Record<string, string>;
}

export interface GatewayChoice {
  gateway: Gateway;
  listener: Listener;
  /** The rule that serves the request; undefined when no route rule matches (404). */
  match?: RuleMatch;
  /** Routes attached to the listener (for the explanation of a 404). */
  routes: Route[];
}

export function httpRequestOf(request: GatewayRequest): HttpRequest {
  const query: Record<string, string> = {};
  try {
    for (const [k, v] of new URL(request.url).searchParams) if (!(k in query)) query[k] = v;
  } catch {
    // parseTraceUrl validated the URL already
  }
  return { host: request.host, path: request.path, method: request.method ?? 'GET', headers: request.headers ?? {}, query };
}

/** Routes of a kind attached to one listener of a Gateway (parentRef, sectionName/port, allowedRoutes). */
export function routesOnListener(
  objects: GatewayObjects,
  gateway: Gateway,
  listener: Listener,
  namespaceLabels?: (ns: string) => Record<string, string> | undefined,
): Route[] {
  const gns = gateway.metadata?.namespace ?? '';
  const gname = gateway.metadata?.name ?? '';
  return objects.httpRoutes.filter((r) => {
    const rns = r.metadata?.namespace ?? '';
    const ref = (r.spec?.parentRefs ?? []).some(
      (p) =>
        (p.kind ?? 'Gateway') === 'Gateway' &&
        (p.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
        p.name === gname &&
        (p.namespace ?? rns) === gns &&
        (!p.sectionName || p.sectionName === listener.name) &&
        (!p.port || p.port === listener.port),
    );
    return ref && listenerAdmits(listener, gns, r, 'HTTPRoute', namespaceLabels).ok;
  });
}

/** The Gateway, listener and route rule a request takes; undefined when no Gateway listener serves the host and port. */
export function selectGatewayRoute(
  objects: GatewayObjects,
  request: GatewayRequest,
  namespaceLabels?: (ns: string) => Record<string, string> | undefined,
): GatewayChoice | undefined {
  const http = httpRequestOf(request);
  const choices: GatewayChoice[] = [];
  for (const gateway of objects.gateways) {
    const listener = selectListener(gateway, request);
    if (!listener) continue;
    const routes = routesOnListener(objects, gateway, listener, namespaceLabels);
    const match = candidateMatches(routes, http, listener.hostname)[0];
    // A catch-all listener (no hostname) without a matching route does not claim the host.
    if (match || listener.hostname) choices.push({ gateway, listener, routes, match });
  }
  // A Gateway whose routes serve the request beats one that would answer 404; then the more specific listener.
  const specific = (l: Listener) => (!l.hostname ? 0 : l.hostname.startsWith('*.') ? l.hostname.length : 10_000 + l.hostname.length);
  choices.sort((a, b) => Number(Boolean(b.match)) - Number(Boolean(a.match)) || specific(b.listener) - specific(a.listener));
  return choices[0];
}

/** The first condition of one HTTPRouteMatch the request fails (path, method, header, query), or undefined when it matches. */
export function matchMiss(match: HTTPRouteMatch, request: HttpRequest): string | undefined {
  if (!pathMatches(match.path, request.path))
    return `path ${request.path.split('?')[0] || '/'} is not ${match.path?.type ?? 'PathPrefix'} ${match.path?.value ?? '/'}`;
  if (match.method && match.method.toUpperCase() !== (request.method ?? 'GET').toUpperCase())
    return `method ${request.method ?? 'GET'}, the match wants ${match.method}`;
  const headers = new Map(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const header = (match.headers ?? []).find(
    (h) => !requestMatches({ headers: [h] }, { ...request, path: '/', method: undefined, headers: Object.fromEntries(headers) }),
  );
  if (header)
    return `header ${header.name} ${headers.has(header.name.toLowerCase()) ? `is ${JSON.stringify(headers.get(header.name.toLowerCase()))}` : 'is absent'}, the match wants ${header.type === 'RegularExpression' ? '~' : ''}${JSON.stringify(header.value)}`;
  const query = (match.queryParams ?? []).find((q) => !requestMatches({ queryParams: [q] }, { ...request, path: '/', method: undefined }));
  if (query)
    return `query parameter ${query.name} ${request.query?.[query.name] !== undefined ? `is ${JSON.stringify(request.query[query.name])}` : 'is absent'}, the match wants ${query.type === 'RegularExpression' ? '~' : ''}${JSON.stringify(query.value)}`;
  return undefined;
}

/** Why one route attached to a listener does not take the request: its hostnames, or each rule's first failed condition. */
export function routeMiss(route: Route, request: HttpRequest, listenerHostname?: string): string {
  const name = `HTTPRoute ${route.metadata?.namespace ?? ''}/${route.metadata?.name ?? ''}`;
  const hostnames = route.spec?.hostnames ?? [];
  if (hostnames.length && !hostnames.some((h) => hostnameMatch(h, request.host) && hostnamesIntersect(listenerHostname, h)))
    return `${name}: hostnames ${hostnames.join(', ')} do not match host ${request.host}`;
  const rules = route.spec?.rules ?? [];
  if (rules.length === 0) return `${name}: no rules`;
  const misses = rules.flatMap((rule, i) =>
    (rule.matches?.length ? rule.matches : [{}]).map((m) => `rule ${rule.name ?? i + 1} (${describeMatch(m)}): ${matchMiss(m, request) ?? 'matches'}`),
  );
  return `${name}: ${misses.slice(0, 6).join('; ')}${misses.length > 6 ? `; ${misses.length - 6} more` : ''}`;
}

/** Why a listener does not take the request (port, protocol, hostname); undefined when it does. */
function listenerMiss(l: Listener, request: GatewayRequest): string | undefined {
  if (l.port !== request.port) return `port ${l.port}, not ${request.port}`;
  const want = request.scheme === 'https' ? 'HTTPS' : 'HTTP';
  if (l.protocol !== want) return `protocol ${l.protocol}, not ${want}`;
  if (!hostnameMatch(l.hostname, request.host)) return `hostname ${l.hostname} does not match ${request.host}`;
  return undefined;
}

/**
 * A request no Gateway takes, in Gateway API terms: no listener serves the host (each listener
 * considered and why not), or a listener for any host takes it and no HTTPRoute rule matches
 * (each route considered and why not). Undefined when there is no Gateway at all.
 */
export function traceUnserved(
  request: GatewayRequest,
  objects: GatewayObjects,
  namespaceLabels: ((ns: string) => Record<string, string> | undefined) | undefined,
  ingresses: number,
): TraceResult | undefined {
  if (objects.gateways.length === 0) return undefined;
  const http = httpRequestOf(request);
  const ingressNote = ingresses ? ` No Ingress rule names host ${request.host} either (${renderCommand(kubectl('get', 'ingress', '-A'))}).` : '';
  const listeners = objects.gateways.flatMap((gateway) => (gateway.spec?.listeners ?? []).map((listener) => ({ gateway, listener })));
  const label = (g: Gateway, l: Listener) => `Gateway ${g.metadata?.namespace}/${g.metadata?.name} ${listenerText(l)}`;
  const taking = listeners.filter(({ listener }) => listenerMiss(listener, request) === undefined);
  let result: Hop;
  let entry: TraceEntry | undefined;
  if (taking.length) {
    const first = taking[0]!.gateway;
    const controller = objects.gatewayClasses.find((c) => c.metadata?.name === first.spec?.gatewayClassName)?.spec?.controllerName;
    entry = { api: 'gateway', controller, namespace: first.metadata?.namespace ?? '' };
    const items = taking.flatMap(({ gateway, listener }) => {
      const routes = routesOnListener(objects, gateway, listener, namespaceLabels);
      if (routes.length === 0) return [{ status: 'fail' as const, text: `${label(gateway, listener)}: no HTTPRoute attached` }];
      return routes.map((r) => ({ status: 'fail' as const, text: `${label(gateway, listener)}: ${routeMiss(r, http, listener.hostname)}` }));
    });
    result = hop(
      'route',
      'HTTPRoute',
      'fail',
      `no HTTPRoute rule matches ${request.method ?? 'GET'} ${request.host}${request.path} on the listeners for any host`,
      {
        explanation: `Listener${taking.length === 1 ? '' : 's'} ${taking.map(({ gateway, listener }) => `${gateway.metadata?.namespace}/${gateway.metadata?.name}/${listener.name}`).join(', ')} take${taking.length === 1 ? 's' : ''} every host on port ${request.port}, and no rule of the HTTPRoutes attached there matches the request (hostnames, path, method, headers, query parameters): the Gateway answers 404.${ingressNote}`,
        items,
      },
    );
  } else {
    const items = listeners.map(({ gateway, listener }) => ({
      status: 'info' as const,
      text: `${label(gateway, listener)}: ${listenerMiss(listener, request)}`,
    }));
    result = hop('gateway', 'Gateway listener', 'fail', `no Gateway listener serves ${request.scheme} ${request.host} on port ${request.port}`, {
      explanation: `None of the ${listeners.length} listener${listeners.length === 1 ? '' : 's'} of the cluster's Gateways has port ${request.port}, protocol ${request.scheme === 'https' ? 'HTTPS' : 'HTTP'} and a hostname matching ${request.host} (a listener without hostname takes every host); a Gateway that resolves the name refuses or drops the request.${ingressNote} Add a listener for the host, or use a host a listener serves.`,
      items: items.slice(0, 60),
    });
  }
  return finish({ url: request.url, mode: 'gateway', hops: [result], ...(entry ? { entry } : {}) }, { kind: 'URL', name: request.host });
}

export interface GatewayTraceInputs {
  /** The Gateway's data-plane Pods (undefined: they could not be listed). */
  dataPlanePods?: V1Pod[];
  dnsPods: V1Pod[];
  certWarnDays: number;
}

/** 1. The Gateway's address. */
function addressHop(gateway: Gateway, request: GatewayRequest): Hop {
  const addresses = (gateway.status?.addresses ?? []).map((a) => a.value).filter(Boolean);
  if (addresses.length) return hop('load-balancer', 'Load balancer', 'ok', `Gateway address ${addresses.join(', ')}`);
  return hop('load-balancer', 'Load balancer', 'fail', 'the Gateway has no address', {
    explanation: `status.addresses of Gateway ${gateway.metadata?.namespace}/${gateway.metadata?.name} is empty: its controller has not programmed it (see the Gateway's conditions) or its load balancer is pending, so DNS for ${request.host} has nothing to point at.`,
  });
}

function listenerText(listener: Listener): string {
  return `listener ${listener.name} (${listener.protocol} ${listener.port}, ${listener.hostname ?? 'any host'})`;
}

/** 2. The Gateway and listener: class, conditions, data-plane Pods. */
function gatewayHop(choice: GatewayChoice, objects: GatewayObjects, dataPlanePods: V1Pod[] | undefined): Hop {
  const { gateway, listener } = choice;
  const gns = gateway.metadata?.namespace ?? '';
  const gname = gateway.metadata?.name ?? '';
  const title = `Gateway ${gns}/${gname}`;
  const text = listenerText(listener);
  const cls = objects.gatewayClasses.find((c) => c.metadata?.name === gateway.spec?.gatewayClassName);
  const accepted = condition(gateway, 'Accepted');
  const programmed = condition(gateway, 'Programmed');
  const lstatus = gateway.status?.listeners?.find((l) => l.name === listener.name);
  const badListener = (lstatus?.conditions ?? []).find((c) =>
    c.type === 'Conflicted' ? c.status === 'True' : ['Accepted', 'Programmed', 'ResolvedRefs'].includes(c.type) && c.status === 'False',
  );
  // A Pod being deleted (a rollout's old replica) no longer serves new connections: counted apart.
  const pods = (dataPlanePods ?? []).filter((p) => !isTerminal(p) && !isTerminating(p));
  const terminating = (dataPlanePods ?? []).filter((p) => !isTerminal(p) && isTerminating(p)).length;
  const ready = pods.filter(isPodReady);
  if (!cls && objects.missing.gatewayclasses === undefined) {
    return hop('gateway', title, 'fail', `GatewayClass ${gateway.spec?.gatewayClassName} does not exist`, {
      explanation: `No controller programs Gateway ${gns}/${gname}: set spec.gatewayClassName to an existing class (kubectl get gatewayclass).`,
    });
  }
  if (accepted?.status !== 'True' || programmed?.status !== 'True') {
    const bad = accepted?.status !== 'True' ? accepted : programmed;
    const type = accepted?.status !== 'True' ? 'Accepted' : 'Programmed';
    const reported = bad
      ? `${bad.type}=${bad.status}${bad.reason ? ` reason ${bad.reason}` : ''}${bad.message ? `: ${bad.message}` : ''}`
      : `no ${type} condition (is the controller running?)`;
    return hop('gateway', title, 'fail', `not ${type}${bad?.reason ? ` (${bad.reason})` : ''}: ${text}`, {
      explanation: `Controller ${cls?.spec?.controllerName ?? '?'} reports ${reported}. kubectl -n ${gns} describe gateway ${gname}`,
    });
  }
  if (badListener) {
    return hop('gateway', title, 'fail', `${text}: ${badListener.type}=${badListener.status}${badListener.reason ? ` (${badListener.reason})` : ''}`, {
      explanation: `${badListener.message ?? 'The controller reports a problem on the listener.'} kubectl -n ${gns} describe gateway ${gname}`,
    });
  }
  if (dataPlanePods !== undefined && pods.length > 0 && ready.length === 0) {
    return hop('gateway', title, 'fail', `${text}: no data-plane Pod is Ready`, {
      explanation: `The Gateway's proxy Pods (${pods.map((p) => p.metadata?.name).join(', ')}) are not Ready: nothing serves the listener. kubectl -n ${pods[0]!.metadata?.namespace} describe pod ${pods[0]!.metadata?.name}`,
    });
  }
  const plane =
    dataPlanePods === undefined
      ? 'data-plane Pods not listed'
      : pods.length
        ? `${ready.length}/${pods.length} data-plane pod${pods.length === 1 ? '' : 's'} Ready${terminating ? ` (${terminating} more terminating)` : ''}`
        : terminating
          ? `no data-plane Pod but ${terminating} terminating`
          : 'no data-plane Pod found by the gateway-name labels';
  return hop(
    'gateway',
    title,
    'ok',
    `class ${gateway.spec?.gatewayClassName}${cls?.spec?.controllerName ? ` (${cls.spec.controllerName})` : ''}, ${text}, ${plane}`,
  );
}

/** 3. TLS: the listener's certificate for the request's host. */
function tlsHop(snapshot: Snapshot, request: GatewayRequest, choice: GatewayChoice, objects: GatewayObjects, certWarnDays: number): Hop {
  const { gateway, listener } = choice;
  const gns = gateway.metadata?.namespace ?? '';
  const gname = gateway.metadata?.name ?? '';
  const ref = (listener.tls?.certificateRefs ?? []).find((c) => (c.kind ?? 'Secret') === 'Secret' && (c.group ?? '') === '');
  if (!ref)
    return hop('tls', 'TLS', 'fail', `${listenerText(listener)} has no certificateRefs`, {
      explanation: `Listener ${listener.name} of ${gns}/${gname} names no certificate Secret: add tls.certificateRefs.`,
    });
  const sns = ref.namespace ?? gns;
  const label = sns === gns ? ref.name : `${sns}/${ref.name}`;
  if (sns !== gns && objects.missing.referencegrants === undefined && !referenceGranted(objects, 'Gateway', gns, sns, 'Secret', ref.name)) {
    return hop('tls', 'TLS', 'fail', `secret ${label}: not permitted (no ReferenceGrant in ${sns})`, {
      explanation: `A ReferenceGrant in ${sns} must allow Gateways of ${gns} to use Secret ${ref.name}; without it the listener serves no certificate.`,
    });
  }
  if (snapshot.unavailable.tlssecrets) return hop('tls', 'TLS', 'info', `secret ${label}: not checked (${snapshot.unavailable.tlssecrets})`);
  const secret = snapshot.tlssecrets.find((s) => s.metadata?.namespace === sns && s.metadata?.name === ref.name);
  if (!secret) {
    return hop('tls', 'TLS', 'fail', `secret ${label} not found`, {
      explanation: `Listener ${listener.name} names Secret ${ref.name}, which does not exist in ${sns} (as a kubernetes.io/tls Secret). ${shellJoin(['kubectl', '-n', sns, 'create', 'secret', 'tls', ref.name, '--cert=tls.crt', '--key=tls.key'])}`,
    });
  }
  const r = checkTlsSecret({ namespace: sns, ingress: gname, secretName: ref.name, secret, hosts: [request.host], now: snapshot.now, warnDays: certWarnDays });
  const problem = r.problems.find((p) => p.code !== 'KD3021' && p.code !== 'KD3025');
  if (problem)
    return hop('tls', 'TLS', 'fail', `secret ${label}: ${problem.message.replace(/^TLS secret \S+: /, '')}`, {
      explanation: `${problem.cause} Fix: ${problem.fix}`,
    });
  return hop('tls', 'TLS', r.status === 'expiring' ? 'warn' : 'ok', `secret ${label}: ${r.summary}`);
}

/** 4. The route rule the request matched (with each backend's share), or the 404 when none did. */
function routeHop(request: GatewayRequest, choice: GatewayChoice): Hop {
  const { gateway, listener, match } = choice;
  const gns = gateway.metadata?.namespace ?? '';
  const gname = gateway.metadata?.name ?? '';
  if (!match) {
    const names = choice.routes.map((r) => `${r.metadata?.namespace}/${r.metadata?.name}`);
    const http = httpRequestOf(request);
    return hop(
      'route',
      'HTTPRoute',
      'fail',
      `no HTTPRoute rule of ${listenerText(listener)} matches ${request.method ?? 'GET'} ${request.host}${request.path}`,
      {
        explanation: `${names.length ? `Routes attached to the listener (${names.join(', ')}) have no hostname and rule matching the request (path, method, headers, query parameters)` : `No HTTPRoute is attached to listener ${listener.name} (parentRefs, sectionName, allowedRoutes)`}: the Gateway answers 404. kdiag gateway ${gname} -n ${gns} shows what is attached.`,
        items: choice.routes.map((r) => ({ status: 'fail' as const, text: routeMiss(r, http, listener.hostname) })),
      },
    );
  }
  const route = match.route;
  const rns = route.metadata?.namespace ?? '';
  const parentRef = (route.spec?.parentRefs ?? []).find(
    (p) => p.name === gname && (p.namespace ?? rns) === gns && (!p.sectionName || p.sectionName === listener.name),
  );
  const st = parentRef ? parentStatus(route, parentRef) : undefined;
  const routeAccepted = conditionIn(st?.conditions, 'Accepted');
  const refs = match.rule.backendRefs ?? [];
  const total = refs.reduce((n, b) => n + (b.weight ?? 1), 0);
  const share = (w: number) => (total > 0 ? `${Math.round((w / total) * 1000) / 10}%` : '0%');
  const items = refs.map((b) => ({
    status: ((b.weight ?? 1) > 0 ? 'ok' : 'info') as Hop['status'],
    text: `${backendLabel(b, rns)} weight ${b.weight ?? 1} (${share(b.weight ?? 1)})`,
  }));
  const ruleText = `${rns}/${route.metadata?.name ?? ''} rule ${match.rule.name ?? match.ruleIndex + 1} (${describeMatch(match.match)}${match.hostname !== '*' ? `, host ${match.hostname}` : ''})`;
  if (routeAccepted?.status === 'False') {
    return hop('route', 'HTTPRoute', 'fail', `${ruleText}: not Accepted (${routeAccepted.reason ?? 'False'})`, {
      explanation: `The controller reports Accepted=False${routeAccepted.reason ? ` reason ${routeAccepted.reason}` : ''}${routeAccepted.message ? `: ${routeAccepted.message}` : ''}; the route is not served. kdiag gateway -n ${rns}`,
      items,
    });
  }
  if (refs.length === 0)
    return hop('route', 'HTTPRoute', 'fail', `${ruleText} has no backendRefs`, {
      explanation: 'A rule without backendRefs (and without a redirect filter) answers 500.',
    });
  if (total === 0)
    return hop('route', 'HTTPRoute', 'fail', `${ruleText}: every backendRef has weight 0`, {
      explanation: 'No backend gets the traffic of this rule: the Gateway answers 500. Give a backendRef a positive weight.',
      items,
    });
  return hop(
    'route',
    'HTTPRoute',
    !st ? 'warn' : 'ok',
    `${ruleText} → ${refs.length} backend${refs.length === 1 ? '' : 's'}${!st ? ' (no controller status for this parent)' : ''}`,
    { items },
  );
}

/** 5. Each backend with a share of the traffic, down to the Pods and the policies that must admit the data plane. */
function backendHops(
  snapshot: Snapshot,
  request: GatewayRequest,
  choice: GatewayChoice & { match: RuleMatch },
  objects: GatewayObjects,
  readyPlane: V1Pod[],
  dnsPods: V1Pod[],
): { hops: Hop[]; probe?: TraceResult['probe'] } {
  const { match } = choice;
  const ctx = buildContext(snapshot);
  const rns = match.route.metadata?.namespace ?? '';
  const sourceLabel = `Gateway ${choice.gateway.metadata?.name ?? ''} data plane`;
  const refs = match.rule.backendRefs ?? [];
  const hops: Hop[] = [];
  let probe: TraceResult['probe'];
  for (const b of refs.filter((x) => (x.weight ?? 1) > 0 || refs.length === 1)) {
    const kind = b.kind ?? 'Service';
    const bns = b.namespace ?? rns;
    if (kind !== 'Service' || (b.group ?? '') !== '') {
      hops.push(hop('service', `Backend ${kind}/${b.name}`, 'info', `${kind} backends are implementation-specific: kdiag does not follow them`));
      continue;
    }
    if (bns !== rns && objects.missing.referencegrants === undefined && !referenceGranted(objects, 'HTTPRoute', rns, bns, 'Service', b.name)) {
      hops.push(
        hop('service', `Service ${bns}/${b.name}`, 'fail', 'reference not permitted (no ReferenceGrant)', {
          explanation: `The backendRef crosses from ${rns} to ${bns}; without a ReferenceGrant in ${bns} for HTTPRoutes of ${rns} the Gateway answers 500. kdiag gateway -n ${rns} prints the ReferenceGrant to apply.`,
        }),
      );
      continue;
    }
    const svc = snapshot.services.find((s) => s.metadata?.namespace === bns && s.metadata?.name === b.name);
    const backend = traceBackend(snapshot, ctx, svc, bns, b.name, b.port === undefined ? undefined : { number: b.port }, readyPlane, sourceLabel, dnsPods);
    hops.push(...backend.hops);
    const src = readyPlane[0];
    if (!probe && src && backend.servicePort)
      probe = {
        namespace: src.metadata?.namespace ?? '',
        labels: src.metadata?.labels ?? {},
        service: b.name,
        serviceNamespace: bns,
        port: backend.servicePort,
        path: request.path,
      };
  }
  return { hops, probe };
}

/** The route's ResolvedRefs condition for this Gateway, when a controller set it False. */
function unresolvedRefs(route: Route, gns: string, gname: string): Condition | undefined {
  const rns = route.metadata?.namespace ?? '';
  const parent = route.status?.parents?.find((p) => p.parentRef?.name === gname && (p.parentRef?.namespace ?? rns) === gns);
  const c = conditionIn(parent?.conditions, 'ResolvedRefs');
  return c?.status === 'False' ? c : undefined;
}

export function traceGateway(
  snapshot: Snapshot,
  request: GatewayRequest,
  choice: GatewayChoice,
  objects: GatewayObjects,
  inputs: GatewayTraceInputs,
): TraceResult {
  const { gateway, match } = choice;
  const gns = gateway.metadata?.namespace ?? '';
  const gname = gateway.metadata?.name ?? '';
  const hops: Hop[] = [addressHop(gateway, request), gatewayHop(choice, objects, inputs.dataPlanePods)];
  if (request.scheme === 'https') hops.push(tlsHop(snapshot, request, choice, objects, inputs.certWarnDays));
  hops.push(routeHop(request, choice));
  // Where the request enters, for --probe's real request through the implementation's Service.
  const readyPlane = (inputs.dataPlanePods ?? []).filter((p) => !isTerminal(p) && !isTerminating(p)).filter(isPodReady);
  const controller = objects.gatewayClasses.find((c) => c.metadata?.name === gateway.spec?.gatewayClassName)?.spec?.controllerName;
  const entryOf = (namespace: string): TraceEntry => ({
    api: 'gateway',
    controller,
    namespace,
    ...(readyPlane[0] ? { pod: { namespace: readyPlane[0].metadata?.namespace ?? '', labels: readyPlane[0].metadata?.labels ?? {} } } : {}),
  });
  if (!match) return finish({ url: request.url, mode: 'gateway', hops, entry: entryOf(gns) }, { kind: 'Gateway', namespace: gns, name: gname });
  const ref = { kind: 'HTTPRoute', namespace: match.route.metadata?.namespace ?? '', name: match.route.metadata?.name ?? '' };
  const entry = entryOf(ref.namespace);
  if (hops.some((h) => h.status === 'fail')) return finish({ url: request.url, mode: 'gateway', hops, entry }, ref);
  // BackendNotFound and RefNotPermitted are explained backend by backend below (a failing hop each).
  const unresolved = unresolvedRefs(match.route, gns, gname);
  if (unresolved && unresolved.reason !== 'BackendNotFound' && unresolved.reason !== 'RefNotPermitted') {
    // "If a reference … cannot be resolved … the implementation must return 500" (HTTPRouteRule backendRefs).
    hops.push(
      hop(
        'service',
        'Backends',
        'fail',
        `${ref.namespace}/${ref.name}: ResolvedRefs is False (${unresolved.reason ?? 'no reason'}): the Gateway answers HTTP 500`,
        {
          explanation: `The controller could not resolve a backendRef of the route${unresolved.message ? ` (${unresolved.message})` : ''}; the Gateway API specification has it answer HTTP 500 for requests to such a backend, so the trace stops here.`,
        },
      ),
    );
    return finish({ url: request.url, mode: 'gateway', hops, entry }, ref);
  }
  const backends = backendHops(snapshot, request, { ...choice, match }, objects, readyPlane, inputs.dnsPods);
  return finish({ url: request.url, mode: 'gateway', hops: [...hops, ...backends.hops], entry, ...(backends.probe ? { probe: backends.probe } : {}) }, ref);
}
