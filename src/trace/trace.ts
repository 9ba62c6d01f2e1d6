// The guide's full traffic flow for one request, hop by hop:
//   load balancer → Ingress controller → TLS → Ingress rule → Service → Pods
//   → NetworkPolicy (does it admit the controller?) → what the Pods may reach by egress.
// Pure: the command loads the snapshot; this decides every hop and where traffic stops.
import type { V1Ingress, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import { CONTROLLER_POD_LABELS } from '../checks/data/nginx-annotations.js';
import { analyzeService, indexEndpoints } from '../checks/endpoints.js';
import {
  backendLabel,
  hostMatches,
  IMPLEMENTATION_SPECIFIC_NOTE,
  matchRoute,
  requestedClass,
  resolveServicePort,
  type RouteMatch,
} from '../checks/ingress-match.js';
import { checkTlsSecret } from '../checks/ingress-tls.js';
import { finding } from '../checks/lib/finding.js';
import { formatMap, matchesMap } from '../checks/lib/labels.js';
import { isPodReady, isTerminal } from '../checks/lib/pods.js';
import { buildContext, explainConnection, type PolicyContext } from '../netpol/explain.js';
import { podEndpoint } from '../netpol/policy.js';
import { cmd, fix, kubectl, renderCommand } from '../report/fix.js';
import type { Finding } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import type { TraceRequest } from './url.js';

export type HopStatus = 'ok' | 'fail' | 'warn' | 'info' | 'skipped';

export interface Hop {
  id:
    'probe' | 'request' | 'load-balancer' | 'controller' | 'tls' | 'ingress-rule' | 'service' | 'endpoints' | 'network-policy' | 'egress' | 'gateway' | 'route';
  title: string;
  status: HopStatus;
  /** One line: what kdiag found. */
  detail: string;
  /** Why traffic stops here and what to do (failed hops). */
  explanation?: string;
  /** Sub-results (e.g. one line per Pod or per egress target). */
  items?: { status: HopStatus; text: string }[];
}

export interface TraceResult {
  url: string;
  mode: 'ingress' | 'service' | 'gateway';
  hops: Hop[];
  /** The first failed hop, where the request stops. */
  stopsAt?: Hop['id'];
  /** What the probe pod should imitate and call (for --probe). */
  probe?: { namespace: string; labels: Record<string, string>; service: string; serviceNamespace: string; port: number; path: string };
  /** Where the request enters (for --probe's real request through the controller). */
  entry?: TraceEntry;
  findings: Finding[];
  /** What kdiag could not read for this trace, one line each (the permission that would enable it). */
  notChecked?: string[];
}

export interface TraceEntry {
  api: 'ingress' | 'gateway';
  /** IngressClass spec.controller or GatewayClass spec.controllerName. */
  controller?: string;
  /** Namespace of the Ingress or route: where the probe pod runs. */
  namespace: string;
  /** A ready controller (data-plane) Pod: its namespace and labels find the controller's Service. */
  pod?: { namespace: string; labels: Record<string, string> };
}

export interface TraceInputs {
  /** Pods of the Ingress controllers (any namespace). */
  controllerPods: V1Pod[];
  /** Cluster DNS Pods (k8s-app=kube-dns), for the egress DNS check. */
  dnsPods: V1Pod[];
  certWarnDays: number;
  /** Why controller Pods could not be listed (403): the controller hop is then undecided, not failed. */
  controllerPodsUnavailable?: string;
  /** Set when Ingresses could be searched in some namespaces only: which were searched. */
  searchedNamespaces?: string[];
  /** Set when NetworkPolicies could be read in some namespaces only: which were read. */
  policiesReadIn?: string[];
}

/** The policy context of a trace: a side in a namespace whose policies were not read is undecided. */
function traceContext(snapshot: Snapshot, inputs: TraceInputs): PolicyContext {
  const context = buildContext(snapshot);
  const read = inputs.policiesReadIn;
  if (read) context.policiesRead = (namespace) => read.includes(namespace);
  return context;
}

/** The Ingress route a request takes, among Ingresses of each class (undefined: none serves the host). */
export function selectRoute(ingresses: readonly V1Ingress[], request: TraceRequest): RouteMatch | undefined {
  const serving = ingresses.filter((i) => (i.spec?.rules ?? []).some((r) => hostMatches(r.host, request.host)) || i.spec?.defaultBackend);
  const byClass = new Map<string, V1Ingress[]>();
  for (const ing of serving) {
    const cls = requestedClass(ing).name ?? '';
    byClass.set(cls, [...(byClass.get(cls) ?? []), ing]);
  }
  // Prefer a class whose rules name the host over a catch-all default backend.
  let best: RouteMatch | undefined;
  for (const group of byClass.values()) {
    const m = matchRoute(group, request.host, request.path);
    if (m && (!best || (best.via === 'default-backend' && m.via === 'path') || (best.hostMatch !== 'exact' && m.hostMatch === 'exact'))) best = m;
  }
  return best;
}

export function hop(id: Hop['id'], title: string, status: HopStatus, detail: string, extra: Partial<Hop> = {}): Hop {
  return { id, title, status, detail, ...extra };
}

function controllerPodsFor(controller: string | undefined, pods: readonly V1Pod[]): V1Pod[] {
  const known = controller ? CONTROLLER_POD_LABELS[controller] : undefined;
  if (!known) return [];
  return pods.filter((p) => known.labels.some((l) => matchesMap(l, p.metadata?.labels)) && !isTerminal(p));
}

/** Service → ready endpoints → NetworkPolicy → egress, shared by every mode (src/gateway/trace.ts too). */
export function traceBackend(
  snapshot: Snapshot,
  ctx: PolicyContext,
  svc: V1Service | undefined,
  ns: string,
  name: string,
  portRef: { number?: number; name?: string } | undefined,
  sources: V1Pod[],
  sourceLabel: string | undefined,
  dnsPods: readonly V1Pod[],
  /** Why the source Pods could not be read (then the policy hop says so, and what would enable it). */
  sourcesUnavailable?: string,
): { hops: Hop[]; servicePort?: number; targetPort?: number | string } {
  const hops: Hop[] = [];
  if (!svc) {
    hops.push(
      hop('service', `Service ${ns}/${name}`, 'fail', 'does not exist', {
        explanation: `The backend names Service ${ns}/${name}, which does not exist in namespace ${ns}: create it or fix the backend's service name.`,
      }),
    );
    return { hops };
  }
  const port = resolveServicePort(svc, portRef);
  const portText = portRef?.number ?? portRef?.name ?? '(only port)';
  if (!port) {
    const ports = (svc.spec?.ports ?? []).map((p) => `${p.name ? `${p.name}:` : ''}${p.port}`).join(', ');
    hops.push(
      hop('service', `Service ${ns}/${name}`, 'fail', `has no port ${portText}`, {
        explanation: `Service ${ns}/${name} has ports ${ports || '(none)'}, not ${portText}: point the backend at one of them.`,
      }),
    );
    return { hops };
  }
  hops.push(
    hop(
      'service',
      `Service ${ns}/${name}`,
      'ok',
      `${svc.spec?.type ?? 'ClusterIP'} ${svc.spec?.clusterIP ?? ''} port ${port.port} → targetPort ${port.targetPort ?? port.port}`.replace(/ +/g, ' '),
    ),
  );

  const analysis = analyzeService(svc, indexEndpoints(snapshot));
  const portRow = analysis.ports.find((p) => p.port === port.port);
  const ready = portRow?.readyEndpoints ?? 0;
  const items = analysis.pods.map((p) => ({
    status: (p.ready ? 'ok' : 'fail') as HopStatus,
    text: `${p.name} ${p.ip ?? ''} ${p.ready ? 'Ready' : p.detail}`.replace(/ +/g, ' '),
  }));
  if (ready === 0) {
    const cause = analysis.findings[0];
    hops.push(
      hop('endpoints', 'Pods', 'fail', `no ready endpoint on port ${port.port}${analysis.cause ? `: ${analysis.cause}` : ''}`, {
        explanation: cause ? `${cause.cause} Fix: ${cause.fix}` : `No EndpointSlice of ${ns}/${name} lists a ready address for port ${port.port}.`,
        items,
      }),
    );
    return { hops, servicePort: port.port };
  }
  hops.push(
    hop('endpoints', 'Pods', ready === 1 ? 'warn' : 'ok', `${ready} ready endpoint${ready === 1 ? '' : 's'} (selector ${analysis.selector})`, { items }),
  );

  // The port the Pod receives: a number, or a name resolved on each Pod.
  const backendPods = snapshot.pods.filter((p) => p.metadata?.namespace === ns && matchesMap(svc.spec?.selector, p.metadata?.labels) && isPodReady(p));
  const target = port.targetPort ?? port.port;
  const targetNumber = (pod: V1Pod): number | undefined => {
    if (typeof target === 'number' || /^\d+$/.test(String(target))) return Number(target);
    for (const c of pod.spec?.containers ?? []) for (const cp of c.ports ?? []) if (cp.name === target) return cp.containerPort;
    return undefined;
  };
  const dest = backendPods[0];
  const destPort = dest ? targetNumber(dest) : undefined;
  if (dest && destPort !== undefined) {
    if (sources.length > 0) {
      const src = sources[0]!;
      const v = explainConnection(snapshot, podEndpoint(src), podEndpoint(dest), destPort, (port.protocol as 'TCP') ?? 'TCP', { context: ctx });
      if (v.verdict === 'unknown') {
        hops.push(
          hop(
            'network-policy',
            'NetworkPolicy',
            'info',
            `${sourceLabel} → ${dest.metadata?.name}:${destPort}: depends on objects kdiag cannot read (${(v.needs ?? []).join('; ')})`,
          ),
        );
      }
      const detail = v.allowed
        ? `${sourceLabel} → ${dest.metadata?.name}:${destPort} allowed (${v.ingress.decidedBy ? `by ${v.ingress.decidedBy.policy}` : v.ingress.reason})`
        : `${sourceLabel} → ${dest.metadata?.name}:${destPort} denied`;
      if (v.verdict !== 'unknown')
        hops.push(
          hop(
            'network-policy',
            'NetworkPolicy',
            v.allowed ? 'ok' : 'fail',
            detail,
            v.allowed
              ? {}
              : {
                  explanation: `${!v.egress.allowed ? v.egress.reason : v.ingress.reason}. Fix: add an ingress rule to a policy selecting ${formatMap(dest.metadata?.labels)} in ${ns} that allows pods of ${src.metadata?.namespace} (${sourceLabel}) on port ${destPort}, e.g. from: ${JSON.stringify([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': src.metadata?.namespace ?? '' } } }])} (JSON is YAML: the values stay strings).`,
                },
          ),
        );
    } else if (sourceLabel && sourcesUnavailable) {
      hops.push(
        hop(
          'network-policy',
          'NetworkPolicy',
          'info',
          `${sourceLabel} → ${dest.metadata?.name}:${destPort}: depends on objects kdiag cannot read (${sourcesUnavailable})`,
        ),
      );
    } else if (sourceLabel) {
      hops.push(hop('network-policy', 'NetworkPolicy', 'info', `cannot tell: no running ${sourceLabel} pod was found to evaluate as the source`));
    }
    // Egress: what the backend Pods may reach (other Services of the namespace, cluster DNS).
    const egressItems: { status: HopStatus; text: string }[] = [];
    const dnsPod = dnsPods.find(isPodReady) ?? dnsPods[0];
    if (dnsPod) {
      const udp = explainConnection(snapshot, podEndpoint(dest), podEndpoint(dnsPod), 53, 'UDP', { context: ctx });
      if (udp.verdict === 'unknown')
        egressItems.push({
          status: 'info',
          text: `cluster DNS ${dnsPod.metadata?.namespace}/${dnsPod.metadata?.name}:53/UDP: depends on objects kdiag cannot read (${(udp.needs ?? []).join('; ')})`,
        });
      else
        egressItems.push({
          status: udp.allowed ? 'ok' : 'fail',
          text: `cluster DNS ${dnsPod.metadata?.namespace}/${dnsPod.metadata?.name}:53/UDP ${udp.allowed ? 'allowed' : `denied — ${udp.egress.allowed ? udp.ingress.reason : udp.egress.reason}`}`,
        });
    }
    const notIntended: string[] = [];
    for (const other of snapshot.services) {
      if (other.metadata?.namespace !== ns || other.metadata?.name === name || !other.spec?.selector) continue;
      // A Service in front of the backend's own Pods is not a destination behind it.
      if (matchesMap(other.spec.selector, dest.metadata?.labels)) continue;
      const pod = snapshot.pods.find((p) => p.metadata?.namespace === ns && matchesMap(other.spec?.selector, p.metadata?.labels) && isPodReady(p));
      if (!pod) continue;
      for (const op of other.spec?.ports ?? []) {
        const t = op.targetPort ?? op.port;
        const n = typeof t === 'number' || /^\d+$/.test(String(t)) ? Number(t) : undefined;
        if (n === undefined) continue;
        const v = explainConnection(snapshot, podEndpoint(dest), podEndpoint(pod), n, (op.protocol as 'TCP') ?? 'TCP', { context: ctx });
        const label = `${other.metadata?.name}:${op.port} (pod port ${n})`;
        if (v.verdict === 'unknown')
          egressItems.push({ status: 'info', text: `${label}: depends on objects kdiag cannot read (${(v.needs ?? []).join('; ')})` });
        else if (v.allowed) egressItems.push({ status: 'ok', text: `${label} allowed` });
        else if (v.egress.allowed && v.egress.isolated) {
          // The backend's own egress policy lets it out, the destination refuses it: a contradiction.
          egressItems.push({ status: 'warn', text: `${label} denied by the destination — ${v.ingress.reason}` });
        } else if (!v.egress.allowed) notIntended.push(`${other.metadata?.name}:${op.port}`);
        else egressItems.push({ status: 'warn', text: `${label} denied — ${v.ingress.reason}` });
      }
    }
    if (notIntended.length)
      egressItems.push({ status: 'info', text: `not allowed by the backend's egress policy (probably by design): ${notIntended.join(', ')}` });
    if (egressItems.length) {
      const allowed = egressItems.filter((i) => i.status === 'ok').length;
      const broken = egressItems.filter((i) => i.status === 'warn' || i.status === 'fail').length;
      hops.push(
        hop(
          'egress',
          `Egress of ${dest.metadata?.name}`,
          broken ? 'warn' : 'ok',
          `${allowed} destination${allowed === 1 ? '' : 's'} reachable${broken ? `, ${broken} blocked` : ''}`,
          { items: egressItems },
        ),
      );
    }
  }
  return { hops, servicePort: port.port, targetPort: destPort };
}

export function finish(result: Omit<TraceResult, 'stopsAt' | 'findings'>, ref: { kind: string; namespace?: string; name: string }): TraceResult {
  const stop = result.hops.find((h) => h.status === 'fail');
  const findings: Finding[] = [];
  if (stop) {
    findings.push(
      finding('KD6010', ref, {
        message: `${ref.name}: ${result.url} stops at ${stop.title}: ${stop.detail}`,
        cause: stop.explanation ?? stop.detail,
        fix: fix`${cmd('kdiag', 'trace', result.url)} shows the whole path; fix the first failing hop (${stop.title}).`,
      }),
    );
  }
  for (const h of result.hops.filter((x) => x.id === 'egress' && x.status === 'warn')) {
    findings.push(
      finding('KD6011', ref, {
        message: `${ref.name}: ${h.title}: ${h.detail}`,
        cause: (h.items ?? [])
          .filter((i) => i.status === 'warn' || i.status === 'fail')
          .map((i) => i.text)
          .join('; '),
        fix: 'If the backend needs these destinations, add egress rules for them (and ingress rules on their side); see kdiag netpol explain.',
      }),
    );
  }
  return { ...result, stopsAt: stop?.id, findings };
}

/** Traces a request that enters through an Ingress. */
export function traceIngress(snapshot: Snapshot, request: TraceRequest, route: RouteMatch | undefined, inputs: TraceInputs): TraceResult {
  const hops: Hop[] = [];
  if (!route && inputs.searchedNamespaces) {
    // Not a confident "no Ingress serves it": the namespaces kdiag may not read were not searched.
    const where = inputs.searchedNamespaces.length
      ? `namespace${inputs.searchedNamespaces.length === 1 ? '' : 's'} ${inputs.searchedNamespaces.join(', ')}`
      : 'no namespace';
    hops.push(
      hop('ingress-rule', 'Ingress rule', 'info', `no Ingress in ${where} serves host ${request.host}; Ingresses of other namespaces could not be searched`),
    );
    return finish({ url: request.url, mode: 'ingress', hops }, { kind: 'URL', name: request.host });
  }
  if (!route) {
    hops.push(
      hop('ingress-rule', 'Ingress rule', 'fail', `no Ingress serves host ${request.host}${request.path !== '/' ? ` and path ${request.path}` : ''}`, {
        explanation: `No Ingress has a rule for host ${request.host} (exact or wildcard) matching ${request.path}, and none has a defaultBackend: the controller answers 404. Check the host in spec.rules[].host (${renderCommand(kubectl('get', 'ingress', '-A'))}).`,
      }),
    );
    return finish({ url: request.url, mode: 'ingress', hops }, { kind: 'URL', name: request.host });
  }
  const ing = route.ingress;
  const ns = ing.metadata?.namespace ?? '';
  const ingName = ing.metadata?.name ?? '';
  const ref = { kind: 'Ingress', namespace: ns, name: ingName };

  // 1. Load balancer: the address the controller published for the Ingress.
  const addresses = (ing.status?.loadBalancer?.ingress ?? []).map((a) => a.ip ?? a.hostname).filter(Boolean);
  hops.push(
    addresses.length
      ? hop('load-balancer', 'Load balancer', 'ok', `address ${addresses.join(', ')}`)
      : hop('load-balancer', 'Load balancer', 'fail', 'the Ingress has no address', {
          explanation: `status.loadBalancer.ingress of ${ns}/${ingName} is empty: the Ingress controller has not admitted this Ingress (class mismatch, controller down) or its load balancer is still pending, so DNS for ${request.host} has nothing to point at.`,
        }),
  );

  // 2. Ingress controller: the class and its running Pods.
  const cls = requestedClass(ing);
  const classes = snapshot.ingressclasses;
  const defaultClass = classes.find((c) => c.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
  const ingressClass = cls.name ? classes.find((c) => c.metadata?.name === cls.name) : defaultClass;
  const controller = ingressClass?.spec?.controller;
  const controllerPods = controllerPodsFor(controller, inputs.controllerPods);
  const readyControllers = controllerPods.filter(isPodReady);
  if (!ingressClass && snapshot.unavailable.ingressclasses) {
    hops.push(hop('controller', 'Ingress controller', 'info', `class ${cls.name ?? '(default)'}: not checked, IngressClasses (cluster-scoped) cannot be read`));
  } else if (!ingressClass) {
    hops.push(
      hop(
        'controller',
        'Ingress controller',
        'fail',
        cls.name ? `IngressClass ${cls.name} does not exist` : 'no ingressClassName and no default IngressClass',
        {
          explanation: `No controller claims ${ns}/${ingName}. ${cls.name ? `Create IngressClass ${cls.name} or set spec.ingressClassName to an existing class` : 'Set spec.ingressClassName'} (${renderCommand(kubectl('get', 'ingressclass'))}).`,
        },
      ),
    );
  } else if (!CONTROLLER_POD_LABELS[controller ?? '']) {
    hops.push(
      hop('controller', 'Ingress controller', 'info', `class ${ingressClass.metadata?.name} (${controller}): kdiag does not know this controller's Pods`),
    );
  } else if (readyControllers.length === 0 && inputs.controllerPodsUnavailable) {
    hops.push(
      hop(
        'controller',
        'Ingress controller',
        'info',
        `class ${ingressClass.metadata?.name} (${controller}): cannot tell whether its Pods run, Pods of other namespaces cannot be read`,
      ),
    );
  } else if (readyControllers.length === 0) {
    hops.push(
      hop(
        'controller',
        'Ingress controller',
        'fail',
        `class ${ingressClass.metadata?.name} (${controller}): ${controllerPods.length ? 'no controller Pod is Ready' : 'no controller Pod found'}`,
        {
          explanation: `Nothing runs the ${controller} controller: requests to the load balancer have no proxy to reach. ${renderCommand(kubectl('get', 'pods', '-A', '-l', formatMap(CONTROLLER_POD_LABELS[controller!]!.labels[0])))}`,
        },
      ),
    );
  } else {
    hops.push(
      hop(
        'controller',
        'Ingress controller',
        'ok',
        `class ${ingressClass.metadata?.name} (${controller}), ${readyControllers.length} controller pod${readyControllers.length === 1 ? '' : 's'} Ready in ${readyControllers[0]!.metadata?.namespace}`,
      ),
    );
  }

  // 3. TLS for https.
  if (request.scheme === 'https') {
    const entry = (ing.spec?.tls ?? []).find(
      (t) => (t.hosts ?? []).some((h) => hostMatches(h, request.host)) || ((t.hosts ?? []).length === 0 && t.secretName),
    );
    if (!entry?.secretName) {
      hops.push(
        hop('tls', 'TLS', 'fail', `no tls entry of ${ns}/${ingName} covers ${request.host}`, {
          explanation: `The controller serves its default (self-signed) certificate for ${request.host}; clients reject it. Add spec.tls: [{hosts: [${request.host}], secretName: <secret>}].`,
        }),
      );
    } else {
      const secret: V1Secret | undefined = snapshot.tlssecrets.find((s) => s.metadata?.namespace === ns && s.metadata?.name === entry.secretName);
      if (snapshot.unavailable.tlssecrets) {
        hops.push(hop('tls', 'TLS', 'info', `secret ${entry.secretName}: not checked (${snapshot.unavailable.tlssecrets})`));
      } else {
        const r = checkTlsSecret({
          namespace: ns,
          ingress: ingName,
          secretName: entry.secretName,
          secret,
          hosts: [request.host],
          now: snapshot.now,
          warnDays: inputs.certWarnDays,
        });
        const problem = r.problems[0];
        hops.push(
          problem
            ? hop('tls', 'TLS', 'fail', `secret ${entry.secretName}: ${problem.message}`, { explanation: `${problem.cause} Fix: ${problem.fix}` })
            : hop('tls', 'TLS', r.status === 'expiring' ? 'warn' : 'ok', `secret ${entry.secretName}: ${r.summary}`),
        );
      }
    }
  }

  // 4. The Ingress rule.
  const rulePath = route.path ? `${route.path.path ?? '/'} (${route.path.pathType ?? 'ImplementationSpecific'})` : 'defaultBackend';
  const implementationSpecific =
    route.path && (route.path.pathType ?? 'ImplementationSpecific') === 'ImplementationSpecific' ? ` (${IMPLEMENTATION_SPECIFIC_NOTE})` : '';
  hops.push(
    hop(
      'ingress-rule',
      'Ingress rule',
      'ok',
      `${ns}/${ingName} host ${route.host || '*'} path ${rulePath} → ${backendLabel(route.backend)}${implementationSpecific}`,
    ),
  );

  if (!route.backend.service) {
    hops.push(hop('service', 'Backend', 'info', `resource backend ${backendLabel(route.backend)}: kdiag does not follow resource backends`));
    return finish({ url: request.url, mode: 'ingress', hops }, ref);
  }
  const svcName = route.backend.service.name;
  const svc = snapshot.services.find((s) => s.metadata?.namespace === ns && s.metadata?.name === svcName);
  const ctx = traceContext(snapshot, inputs);
  const sourceName = CONTROLLER_POD_LABELS[controller ?? '']?.name ?? 'the Ingress controller';
  const backend = traceBackend(
    snapshot,
    ctx,
    svc,
    ns,
    svcName,
    route.backend.service.port,
    readyControllers,
    sourceName,
    inputs.dnsPods,
    inputs.controllerPodsUnavailable
      ? `the Pods of ${sourceName} and the NetworkPolicies of their namespace (list pods at cluster scope is not allowed)`
      : undefined,
  );
  hops.push(...backend.hops);
  const src = readyControllers[0];
  const result = finish(
    {
      url: request.url,
      mode: 'ingress',
      hops,
      entry: {
        api: 'ingress',
        controller,
        namespace: ns,
        ...(src ? { pod: { namespace: src.metadata?.namespace ?? '', labels: src.metadata?.labels ?? {} } } : {}),
      },
      ...(src && backend.servicePort
        ? {
            probe: {
              namespace: src.metadata?.namespace ?? '',
              labels: src.metadata?.labels ?? {},
              service: svcName,
              serviceNamespace: ns,
              port: backend.servicePort,
              path: request.path,
            },
          }
        : {}),
    },
    ref,
  );
  return result;
}

/** Traces `http://SERVICE.NS[:PORT]/path`: starts at the Service. */
export function traceService(snapshot: Snapshot, request: TraceRequest, inputs: TraceInputs): TraceResult {
  const { name, namespace } = request.service!;
  const svc = snapshot.services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  const portRef = request.explicitPort || svc?.spec?.ports?.some((p) => p.port === request.port) ? { number: request.port } : undefined;
  const ctx = traceContext(snapshot, inputs);
  const backend = traceBackend(snapshot, ctx, svc, namespace, name, portRef, [], undefined, inputs.dnsPods);
  return finish(
    {
      url: request.url,
      mode: 'service',
      hops: backend.hops,
      ...(backend.servicePort
        ? { probe: { namespace, labels: {}, service: name, serviceNamespace: namespace, port: backend.servicePort, path: request.path } }
        : {}),
    },
    { kind: 'Service', namespace, name },
  );
}
