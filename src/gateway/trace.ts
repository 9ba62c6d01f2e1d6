// `kdiag trace` through the Gateway API: load balancer (the Gateway's address) → Gateway
// and listener (by port, protocol and hostname) → TLS → the HTTPRoute rule chosen by the
// specification's precedence → each backendRef with its weight → Service → Pods → the
// NetworkPolicies that must admit the Gateway's data-plane Pods → egress. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { checkTlsSecret } from '../checks/ingress-tls.js';
import { isPodReady, isTerminal } from '../checks/lib/pods.js';
import { buildContext } from '../netpol/explain.js';
import type { Snapshot } from '../snapshot.js';
import { finish, hop, traceBackend, type Hop, type TraceEntry, type TraceResult } from '../trace/trace.js';
import type { TraceRequest } from '../trace/url.js';
import { backendLabel, listenerAdmits, parentStatus, referenceGranted } from './analyze.js';
import { candidateMatches, describeMatch, selectListener, type HttpRequest, type RuleMatch } from './match.js';
import { condition, conditionIn, GATEWAY_GROUP, type Gateway, type GatewayObjects, type Listener, type Route } from './types.js';

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
export function routesOnListener(objects: GatewayObjects, gateway: Gateway, listener: Listener, namespaceLabels?: (ns: string) => Record<string, string> | undefined): Route[] {
  const gns = gateway.metadata?.namespace ?? '';
  const gname = gateway.metadata?.name ?? '';
  return objects.httpRoutes.filter((r) => {
    const rns = r.metadata?.namespace ?? '';
    const ref = (r.spec?.parentRefs ?? []).some(
      (p) => (p.kind ?? 'Gateway') === 'Gateway' && (p.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && p.name === gname && (p.namespace ?? rns) === gns && (!p.sectionName || p.sectionName === listener.name) && (!p.port || p.port === listener.port),
    );
    return ref && listenerAdmits(listener, gns, r, 'HTTPRoute', namespaceLabels).ok;
  });
}

/** The Gateway, listener and route rule a request takes; undefined when no Gateway listener serves the host and port. */
export function selectGatewayRoute(objects: GatewayObjects, request: GatewayRequest, namespaceLabels?: (ns: string) => Record<string, string> | undefined): GatewayChoice | undefined {
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

export interface GatewayTraceInputs {
  /** The Gateway's data-plane Pods (undefined: they could not be listed). */
  dataPlanePods?: V1Pod[];
  dnsPods: V1Pod[];
  certWarnDays: number;
}

export function traceGateway(snapshot: Snapshot, request: GatewayRequest, choice: GatewayChoice, objects: GatewayObjects, inputs: GatewayTraceInputs): TraceResult {
  const { gateway, listener, match } = choice;
  const gns = gateway.metadata?.namespace ?? '';
  const gname = gateway.metadata?.name ?? '';
  const hops: Hop[] = [];

  // 1. The Gateway's address.
  const addresses = (gateway.status?.addresses ?? []).map((a) => a.value).filter(Boolean);
  hops.push(
    addresses.length
      ? hop('load-balancer', 'Load balancer', 'ok', `Gateway address ${addresses.join(', ')}`)
      : hop('load-balancer', 'Load balancer', 'fail', 'the Gateway has no address', {
          explanation: `status.addresses of Gateway ${gns}/${gname} is empty: its controller has not programmed it (see the Gateway's conditions) or its load balancer is pending, so DNS for ${request.host} has nothing to point at.`,
        }),
  );

  // 2. Gateway and listener.
  const cls = objects.gatewayClasses.find((c) => c.metadata?.name === gateway.spec?.gatewayClassName);
  const accepted = condition(gateway, 'Accepted');
  const programmed = condition(gateway, 'Programmed');
  const listenerText = `listener ${listener.name} (${listener.protocol} ${listener.port}, ${listener.hostname ?? 'any host'})`;
  const lstatus = gateway.status?.listeners?.find((l) => l.name === listener.name);
  const badListener = (lstatus?.conditions ?? []).find((c) => (c.type === 'Conflicted' ? c.status === 'True' : ['Accepted', 'Programmed', 'ResolvedRefs'].includes(c.type) && c.status === 'False'));
  const pods = (inputs.dataPlanePods ?? []).filter((p) => !isTerminal(p));
  const ready = pods.filter(isPodReady);
  const entryOf = (namespace: string): TraceEntry => ({
    api: 'gateway',
    controller: cls?.spec?.controllerName,
    namespace,
    ...(ready[0] ? { pod: { namespace: ready[0].metadata?.namespace ?? '', labels: ready[0].metadata?.labels ?? {} } } : {}),
  });
  const plane = inputs.dataPlanePods === undefined ? 'data-plane Pods not listed' : pods.length ? `${ready.length}/${pods.length} data-plane pod${pods.length === 1 ? '' : 's'} Ready` : 'no data-plane Pod found by the gateway-name labels';
  if (!cls && objects.missing.gatewayclasses === undefined) {
    hops.push(hop('gateway', `Gateway ${gns}/${gname}`, 'fail', `GatewayClass ${gateway.spec?.gatewayClassName} does not exist`, { explanation: `No controller programs Gateway ${gns}/${gname}: set spec.gatewayClassName to an existing class (kubectl get gatewayclass).` }));
  } else if (accepted?.status !== 'True' || programmed?.status !== 'True') {
    const bad = accepted?.status !== 'True' ? accepted : programmed;
    const type = accepted?.status !== 'True' ? 'Accepted' : 'Programmed';
    hops.push(
      hop('gateway', `Gateway ${gns}/${gname}`, 'fail', `not ${type}${bad?.reason ? ` (${bad.reason})` : ''}: ${listenerText}`, {
        explanation: `Controller ${cls?.spec?.controllerName ?? '?'} reports ${bad ? `${bad.type}=${bad.status}${bad.reason ? ` reason ${bad.reason}` : ''}${bad.message ? `: ${bad.message}` : ''}` : `no ${type} condition (is the controller running?)`}. kubectl -n ${gns} describe gateway ${gname}`,
      }),
    );
  } else if (badListener) {
    hops.push(hop('gateway', `Gateway ${gns}/${gname}`, 'fail', `${listenerText}: ${badListener.type}=${badListener.status}${badListener.reason ? ` (${badListener.reason})` : ''}`, { explanation: `${badListener.message ?? 'The controller reports a problem on the listener.'} kubectl -n ${gns} describe gateway ${gname}` }));
  } else if (inputs.dataPlanePods !== undefined && pods.length > 0 && ready.length === 0) {
    hops.push(hop('gateway', `Gateway ${gns}/${gname}`, 'fail', `${listenerText}: no data-plane Pod is Ready`, { explanation: `The Gateway's proxy Pods (${pods.map((p) => p.metadata?.name).join(', ')}) are not Ready: nothing serves the listener. kubectl -n ${pods[0]!.metadata?.namespace} describe pod ${pods[0]!.metadata?.name}` }));
  } else {
    hops.push(hop('gateway', `Gateway ${gns}/${gname}`, 'ok', `class ${gateway.spec?.gatewayClassName}${cls?.spec?.controllerName ? ` (${cls.spec.controllerName})` : ''}, ${listenerText}, ${plane}`));
  }

  // 3. TLS.
  if (request.scheme === 'https') {
    const ref = (listener.tls?.certificateRefs ?? []).find((c) => (c.kind ?? 'Secret') === 'Secret' && (c.group ?? '') === '');
    if (!ref) {
      hops.push(hop('tls', 'TLS', 'fail', `${listenerText} has no certificateRefs`, { explanation: `Listener ${listener.name} of ${gns}/${gname} names no certificate Secret: add tls.certificateRefs.` }));
    } else {
      const sns = ref.namespace ?? gns;
      const label = sns === gns ? ref.name : `${sns}/${ref.name}`;
      if (sns !== gns && objects.missing.referencegrants === undefined && !referenceGranted(objects, 'Gateway', gns, sns, 'Secret', ref.name)) {
        hops.push(hop('tls', 'TLS', 'fail', `secret ${label}: not permitted (no ReferenceGrant in ${sns})`, { explanation: `A ReferenceGrant in ${sns} must allow Gateways of ${gns} to use Secret ${ref.name}; without it the listener serves no certificate.` }));
      } else if (snapshot.unavailable.tlssecrets) {
        hops.push(hop('tls', 'TLS', 'info', `secret ${label}: not checked (${snapshot.unavailable.tlssecrets})`));
      } else {
        const secret = snapshot.tlssecrets.find((s) => s.metadata?.namespace === sns && s.metadata?.name === ref.name);
        const r = checkTlsSecret({ namespace: sns, ingress: gname, secretName: ref.name, secret, hosts: [request.host], now: snapshot.now, warnDays: inputs.certWarnDays });
        const problem = r.problems.find((p) => p.code !== 'KD3021' && p.code !== 'KD3025');
        hops.push(
          !secret
            ? hop('tls', 'TLS', 'fail', `secret ${label} not found`, { explanation: `Listener ${listener.name} names Secret ${ref.name}, which does not exist in ${sns} (as a kubernetes.io/tls Secret). kubectl -n ${sns} create secret tls ${ref.name} --cert=tls.crt --key=tls.key` })
            : problem
              ? hop('tls', 'TLS', 'fail', `secret ${label}: ${problem.message.replace(/^TLS secret \S+: /, '')}`, { explanation: `${problem.cause} Fix: ${problem.fix}` })
              : hop('tls', 'TLS', r.status === 'expiring' ? 'warn' : 'ok', `secret ${label}: ${r.summary}`),
        );
      }
    }
  }

  // 4. The route rule.
  if (!match) {
    const names = choice.routes.map((r) => `${r.metadata?.namespace}/${r.metadata?.name}`);
    hops.push(
      hop('route', 'HTTPRoute', 'fail', `no HTTPRoute rule of ${listenerText} matches ${request.host}${request.path}`, {
        explanation: `${names.length ? `Routes attached to the listener (${names.join(', ')}) have no hostname and rule matching the request` : `No HTTPRoute is attached to listener ${listener.name} (parentRefs, sectionName, allowedRoutes)`}: the Gateway answers 404. kdiag gateway ${gname} -n ${gns} shows what is attached.`,
      }),
    );
    return finish({ url: request.url, mode: 'gateway', hops, entry: entryOf(gns) }, { kind: 'Gateway', namespace: gns, name: gname });
  }
  const route = match.route;
  const rns = route.metadata?.namespace ?? '';
  const rname = route.metadata?.name ?? '';
  const ref = { kind: 'HTTPRoute', namespace: rns, name: rname };
  const parentRef = (route.spec?.parentRefs ?? []).find((p) => p.name === gname && (p.namespace ?? rns) === gns && (!p.sectionName || p.sectionName === listener.name));
  const st = parentRef ? parentStatus(route, parentRef) : undefined;
  const routeAccepted = conditionIn(st?.conditions, 'Accepted');
  const refs = match.rule.backendRefs ?? [];
  const total = refs.reduce((n, b) => n + (b.weight ?? 1), 0);
  const share = (w: number) => (total > 0 ? `${Math.round((w / total) * 1000) / 10}%` : '0%');
  const items = refs.map((b) => ({ status: ((b.weight ?? 1) > 0 ? 'ok' : 'info') as Hop['status'], text: `${backendLabel(b, rns)} weight ${b.weight ?? 1} (${share(b.weight ?? 1)})` }));
  const ruleText = `${rns}/${rname} rule ${match.rule.name ?? match.ruleIndex + 1} (${describeMatch(match.match)}${match.hostname !== '*' ? `, host ${match.hostname}` : ''})`;
  if (routeAccepted?.status === 'False') {
    hops.push(hop('route', 'HTTPRoute', 'fail', `${ruleText}: not Accepted (${routeAccepted.reason ?? 'False'})`, { explanation: `The controller reports Accepted=False${routeAccepted.reason ? ` reason ${routeAccepted.reason}` : ''}${routeAccepted.message ? `: ${routeAccepted.message}` : ''}; the route is not served. kdiag gateway -n ${rns}`, items }));
  } else if (refs.length === 0) {
    hops.push(hop('route', 'HTTPRoute', 'fail', `${ruleText} has no backendRefs`, { explanation: 'A rule without backendRefs (and without a redirect filter) answers 500.' }));
  } else if (total === 0) {
    hops.push(hop('route', 'HTTPRoute', 'fail', `${ruleText}: every backendRef has weight 0`, { explanation: 'No backend gets the traffic of this rule: the Gateway answers 500. Give a backendRef a positive weight.', items }));
  } else {
    hops.push(hop('route', 'HTTPRoute', !st ? 'warn' : 'ok', `${ruleText} → ${refs.length} backend${refs.length === 1 ? '' : 's'}${!st ? ' (no controller status for this parent)' : ''}`, { items }));
  }

  // 5. Each backend with a share of the traffic, down to the Pods and the policies that must admit the data plane.
  const ctx = buildContext(snapshot);
  const sourceLabel = `Gateway ${gname} data plane`;
  let probe: TraceResult['probe'];
  if (hops.every((h) => h.status !== 'fail')) {
    for (const b of refs.filter((x) => (x.weight ?? 1) > 0 || refs.length === 1)) {
      const kind = b.kind ?? 'Service';
      const bns = b.namespace ?? rns;
      if (kind !== 'Service' || (b.group ?? '') !== '') {
        hops.push(hop('service', `Backend ${kind}/${b.name}`, 'info', `${kind} backends are implementation-specific: kdiag does not follow them`));
        continue;
      }
      if (bns !== rns && objects.missing.referencegrants === undefined && !referenceGranted(objects, 'HTTPRoute', rns, bns, 'Service', b.name)) {
        hops.push(hop('service', `Service ${bns}/${b.name}`, 'fail', 'reference not permitted (no ReferenceGrant)', { explanation: `The backendRef crosses from ${rns} to ${bns}; without a ReferenceGrant in ${bns} for HTTPRoutes of ${rns} the Gateway answers 500. kdiag gateway -n ${rns} prints the ReferenceGrant to apply.` }));
        continue;
      }
      const svc = snapshot.services.find((s) => s.metadata?.namespace === bns && s.metadata?.name === b.name);
      const backend = traceBackend(snapshot, ctx, svc, bns, b.name, b.port === undefined ? undefined : { number: b.port }, ready, sourceLabel, inputs.dnsPods);
      hops.push(...backend.hops);
      const src = ready[0];
      if (!probe && src && backend.servicePort) probe = { namespace: src.metadata?.namespace ?? '', labels: src.metadata?.labels ?? {}, service: b.name, serviceNamespace: bns, port: backend.servicePort, path: request.path };
    }
  }
  return finish({ url: request.url, mode: 'gateway', hops, entry: entryOf(rns), ...(probe ? { probe } : {}) }, ref);
}
