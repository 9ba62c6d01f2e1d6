// What every Ingress rule reads, built once per run: indexes of Services, Secrets and
// IngressClasses, the endpoints analysis, controller Pods per controller; and the facts
// about one Ingress that several rules share (its class, its routing tree). Pure.
import type { V1Ingress, V1IngressBackend, V1IngressClass, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import type { Code } from '../report/codes.js';
import type { Finding, ObjectRef } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { CONTROLLER_POD_LABELS, INGRESS_NGINX_CONTROLLER } from './data/nginx-annotations.js';
import { serviceAnalyzer, type ServiceEndpoints } from './endpoints.js';
import { backendLabel, requestedClass, resolveServicePort } from './ingress-match.js';
import type { BackendNode, CertManagerObjects, HostNode, IngressInputs, IngressResult } from './ingress-types.js';
import { finding, type FindingText } from './lib/finding.js';
import { formatMap, matchesMap } from './lib/labels.js';
import { isPodReady } from './lib/pods.js';
import type { CheckOptions } from './types.js';

export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export const key = (ns: string | undefined, name: string | undefined): string => `${ns ?? ''}/${name ?? ''}`;

/** Controller Pods' readiness for one IngressClass controller. */
export interface ControllerState {
  known: boolean;
  name?: string;
  /** The label sets kdiag looks for, each as `k=v,k=v`. */
  selectors?: string[];
  pods?: V1Pod[];
  ready?: number;
  unavailable?: string;
}

/** The run-wide inputs of the Ingress rules. */
export interface IngressContext {
  snapshot: Snapshot;
  now: Date;
  warnDays: number;
  graceMs: number;
  services: Map<string, V1Service>;
  analyzed: (svc: V1Service) => ServiceEndpoints;
  classes: Map<string, V1IngressClass>;
  /** Names of every IngressClass, sorted. */
  classNames: string[];
  defaults: V1IngressClass[];
  classesUnavailable?: string;
  /** A TLS Secret from the snapshot, or another Secret read by name. */
  secret(ns: string, name: string): V1Secret | undefined;
  secretError(ns: string, name: string): string | undefined;
  secretsLookedUp: boolean;
  tlsUnavailable?: string;
  controller(controller: string): ControllerState;
  /** The API refused the list of controller Pods (reported once by the caller, KD6006). */
  controllerPodsRefused: boolean;
  certManager?: CertManagerObjects;
  /** Run-wide findings (each reported once, naming the first Ingress it concerns). */
  global: Finding[];
  once: Set<Code>;
}

function controllerState(controller: string, pods: V1Pod[] | undefined, unavailable: string | undefined): ControllerState {
  const known = CONTROLLER_POD_LABELS[controller];
  if (!known) return { known: false };
  const selectors = known.labels.map(formatMap);
  if (!pods) return { known: true, name: known.name, selectors, unavailable: unavailable ?? 'controller Pods in other namespaces were not listed' };
  const matching = pods.filter((p) => known.labels.some((l) => matchesMap(l, p.metadata?.labels)));
  return { known: true, name: known.name, selectors, pods: matching, ready: matching.filter(isPodReady).length };
}

export function ingressContext(snapshot: Snapshot, options: CheckOptions, inputs: IngressInputs): IngressContext {
  const byKey = <T extends { metadata?: { namespace?: string; name?: string } }>(items: readonly T[]) =>
    new Map(items.map((s) => [key(s.metadata?.namespace, s.metadata?.name), s]));
  const tlsSecrets = byKey(snapshot.tlssecrets);
  const otherSecrets = byKey(inputs.secrets ?? []);
  const controllerPods = inputs.controllerPods ?? (snapshot.namespace === undefined && snapshot.loaded.includes('pods') ? snapshot.pods : undefined);
  const states = new Map<string, ControllerState>();
  return {
    snapshot,
    now: snapshot.now,
    warnDays: options.certWarnDays ?? 14,
    graceMs: (options.addressGraceSeconds ?? 300) * 1000,
    services: byKey(snapshot.services),
    analyzed: serviceAnalyzer(snapshot),
    classes: new Map(snapshot.ingressclasses.map((c) => [c.metadata?.name ?? '', c])),
    classNames: snapshot.ingressclasses.map((c) => c.metadata?.name ?? '').sort(),
    defaults: snapshot.ingressclasses.filter((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true'),
    classesUnavailable: snapshot.unavailable.ingressclasses,
    secret: (ns, name) => tlsSecrets.get(key(ns, name)) ?? otherSecrets.get(key(ns, name)),
    secretError: (ns, name) => inputs.secretErrors?.[key(ns, name)],
    secretsLookedUp: inputs.secretsLookedUp ?? false,
    tlsUnavailable: snapshot.unavailable.tlssecrets ?? (snapshot.loaded.includes('tlssecrets') ? undefined : 'Secrets were not listed'),
    controller: (controller) => {
      let state = states.get(controller);
      if (!state) states.set(controller, (state = controllerState(controller, controllerPods, inputs.controllerPodsUnavailable)));
      return state;
    },
    controllerPodsRefused: inputs.controllerPodsUnavailable !== undefined,
    certManager: inputs.certManager,
    global: [],
    once: new Set(),
  };
}

/** One Ingress under analysis: its identity and the findings the rules add to it. */
export interface IngressSubject {
  ing: V1Ingress;
  ns: string;
  name: string;
  ref: ObjectRef;
  annotations: Record<string, string>;
  findings: Finding[];
  add(code: Code, text: FindingText): void;
  /** A finding reported once per run (in `global`), naming this Ingress. */
  addOnce(code: Code, text: FindingText): void;
}

export function subjectOf(ing: V1Ingress, ctx: IngressContext): IngressSubject {
  const ns = ing.metadata?.namespace ?? '';
  const name = ing.metadata?.name ?? '';
  const ref: ObjectRef = { kind: 'Ingress', namespace: ns, name };
  const findings: Finding[] = [];
  const make = (code: Code, t: FindingText) => finding(code, ref, { ...t, message: `${name}: ${t.message}` });
  return {
    ing,
    ns,
    name,
    ref,
    annotations: ing.metadata?.annotations ?? {},
    findings,
    add: (code, t) => findings.push(make(code, t)),
    addOnce: (code, t) => {
      if (ctx.once.has(code)) return;
      ctx.once.add(code);
      ctx.global.push(make(code, t));
    },
  };
}

/** Which IngressClass serves the Ingress, and whether its controller runs. */
export interface ClassFacts {
  asked: ReturnType<typeof requestedClass>;
  cls?: V1IngressClass;
  className: string | null;
  classSource: IngressResult['classSource'];
  controller?: string;
  state?: ControllerState;
  controllerStatus?: string;
  /** Served by ingress-nginx (or, without a class object, a class named like it). */
  nginx: boolean;
}

export function classFacts(ing: V1Ingress, ctx: IngressContext): ClassFacts {
  const asked = requestedClass(ing);
  let cls: V1IngressClass | undefined;
  let source: IngressResult['classSource'] = asked.source;
  if (!ctx.classesUnavailable) {
    if (asked.name) cls = ctx.classes.get(asked.name);
    else if (ctx.defaults.length === 1) {
      cls = ctx.defaults[0];
      source = 'default';
    }
  }
  const className = cls?.metadata?.name ?? asked.name ?? null;
  const controller = cls?.spec?.controller;
  const state = controller ? ctx.controller(controller) : undefined;
  const controllerStatus = !state
    ? undefined
    : !state.known || state.pods === undefined
      ? 'unknown'
      : state.ready === 0
        ? 'not running'
        : `${state.ready}/${state.pods.length} ready`;
  const nginx = controller === INGRESS_NGINX_CONTROLLER || (!cls && (className ?? '').includes('nginx'));
  return { asked, cls, className, classSource: className ? source : 'none', controller, state, controllerStatus, nginx };
}

/** A backend of the Ingress with every place (host+path) that routes to it. */
export interface BackendUse {
  node: BackendNode;
  where: string[];
  svcResult?: ServiceEndpoints;
}

export interface RoutingFacts {
  hosts: HostNode[];
  defaultBackend?: BackendNode;
  /** By backend label, in first-use order. */
  backends: Map<string, BackendUse>;
}

function serviceBackend(backend: V1IngressBackend, label: string, ns: string, ctx: IngressContext): { node: BackendNode; svcResult?: ServiceEndpoints } {
  const svcName = backend.service?.name ?? '';
  const portText = String(backend.service?.port?.number ?? backend.service?.port?.name ?? '');
  const node: BackendNode = { backend: label, kind: 'service', service: svcName, port: portText, status: 'OK', ready: 0, total: 0 };
  const svc = ctx.services.get(key(ns, svcName));
  if (!svc) return { node: { ...node, status: 'NO SERVICE', cause: `Service ${svcName} not found` } };
  // The controller proxies to the external name on the backend's port; such Services often list no ports.
  if (svc.spec?.type === 'ExternalName') return { node: { ...node, status: 'EXTERNAL', cause: `ExternalName → ${svc.spec.externalName ?? '?'}` } };
  const sp = resolveServicePort(svc, backend.service?.port);
  if (!sp) return { node: { ...node, status: 'NO PORT', cause: `Service ${svcName} has no port ${portText}` } };
  const svcResult = ctx.analyzed(svc);
  node.servicePort = sp.port;
  node.targetPort = String(sp.targetPort ?? sp.port);
  node.total = svcResult.endpoints.length;
  node.ready = svcResult.ports.find((p) => p.port === sp.port && p.name === (sp.name ?? ''))?.readyEndpoints ?? 0;
  if (node.ready === 0) {
    node.status = 'NO ENDPOINTS';
    node.cause = `${svcName}: ${svcResult.cause ?? 'no ready endpoints'}`;
  }
  return { node, svcResult };
}

function backendNode(backend: V1IngressBackend, label: string, ns: string, ctx: IngressContext): { node: BackendNode; svcResult?: ServiceEndpoints } {
  if (!backend.resource) return serviceBackend(backend, label, ns, ctx);
  const group = backend.resource.apiGroup ? `${backend.resource.apiGroup}/` : '';
  return { node: { backend: label, kind: 'resource', status: 'RESOURCE', ready: 0, total: 0, cause: `resource backend ${group}${label}` } };
}

/** host → path → backend, each backend resolved once down to its ready endpoints. */
export function routingFacts(ing: V1Ingress, ctx: IngressContext): RoutingFacts {
  const ns = ing.metadata?.namespace ?? '';
  const backends = new Map<string, BackendUse>();
  const resolve = (backend: V1IngressBackend, where: string): BackendNode => {
    const label = backendLabel(backend);
    const seen = backends.get(label);
    if (seen) {
      seen.where.push(where);
      return seen.node;
    }
    const { node, svcResult } = backendNode(backend, label, ns, ctx);
    backends.set(label, { node, where: [where], svcResult });
    return node;
  };
  const hosts: HostNode[] = [];
  for (const rule of ing.spec?.rules ?? []) {
    const host = rule.host || '*';
    let node = hosts.find((h) => h.host === host);
    if (!node) hosts.push((node = { host, paths: [] }));
    for (const p of rule.http?.paths ?? []) {
      const path = p.path || '/';
      node.paths.push({ path, pathType: p.pathType ?? 'ImplementationSpecific', backend: resolve(p.backend, `${host === '*' ? '' : host}${path}`) });
    }
  }
  const defaultBackend = ing.spec?.defaultBackend ? resolve(ing.spec.defaultBackend, '(default backend)') : undefined;
  return { hosts, defaultBackend, backends };
}
