// What every Gateway API rule reads, built once per run: the snapshot joined with the data
// of the namespaces routes point into, indexes of Services, TLS Secrets, GatewayClasses and
// Gateways, the endpoints analysis, and where each route attached (listeners list their
// routes). Pure.
import type { V1Secret, V1Service } from '@kubernetes/client-node';
import { serviceAnalyzer, type ServiceEndpoints } from '../checks/endpoints.js';
import { finding, type FindingText } from '../checks/lib/finding.js';
import type { CheckOptions } from '../checks/types.js';
import type { Code } from '../report/codes.js';
import type { Finding, ObjectRef } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import type { Gateway, GatewayClass, GatewayObjects } from './types.js';

export const key = (ns: string | undefined, name: string | undefined): string => `${ns ?? ''}/${name ?? ''}`;

export interface GatewayContext {
  /** The snapshot with the Services, EndpointSlices, Pods and Secrets of referenced namespaces added. */
  snapshot: Snapshot;
  objects: GatewayObjects;
  now: Date;
  warnDays: number;
  graceMs: number;
  services: Map<string, V1Service>;
  analyzed: (svc: V1Service) => ServiceEndpoints;
  endpointsUnavailable?: string;
  tlsSecrets: Map<string, V1Secret>;
  tlsUnavailable?: string;
  namespaceLabels?: (ns: string) => Record<string, string> | undefined;
  classes: Map<string, GatewayClass>;
  gateways: Map<string, Gateway>;
  /** Whether the Services of a namespace were loaded. */
  covers(ns: string): boolean;
  /** Whether the Gateways of a namespace were listed (a parentRef elsewhere is not reported missing). */
  gatewaySeen(ns: string): boolean;
  /** Whether ReferenceGrants could be read. */
  grantsKnown: boolean;
  /** `gatewayNs/gateway/listener` → routes (`ns/name`) attached to it. */
  attached: Map<string, string[]>;
  global: Finding[];
  once: Set<Code>;
}

/** The snapshot joined with the objects of the namespaces that routes and listeners point into. */
function joined(snapshot: Snapshot, objects: GatewayObjects): Snapshot {
  const extra = objects.extraObjects;
  if (!extra) return snapshot;
  return {
    ...snapshot,
    services: [...snapshot.services, ...extra.services],
    endpointslices: [...snapshot.endpointslices, ...extra.endpointslices],
    endpoints: [...snapshot.endpoints, ...extra.endpoints],
    pods: [...snapshot.pods, ...extra.pods],
    tlssecrets: [...snapshot.tlssecrets, ...extra.tlssecrets],
  };
}

export function gatewayContext(base: Snapshot, objects: GatewayObjects, options: CheckOptions): GatewayContext {
  const snapshot = joined(base, objects);
  const byKey = <T extends { metadata?: { namespace?: string; name?: string } }>(items: readonly T[]) =>
    new Map(items.map((s) => [key(s.metadata?.namespace, s.metadata?.name), s]));
  const listed = (k: 'endpointslices' | 'endpoints') => snapshot.loaded.includes(k) && !snapshot.unavailable[k];
  const extra = new Set(objects.extraNamespaces ?? []);
  const labels =
    snapshot.loaded.includes('namespaces') && snapshot.namespaces.length
      ? new Map(snapshot.namespaces.map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]))
      : undefined;
  return {
    snapshot,
    objects,
    now: snapshot.now,
    warnDays: options.certWarnDays ?? 14,
    graceMs: (options.addressGraceSeconds ?? 300) * 1000,
    services: byKey(snapshot.services),
    analyzed: serviceAnalyzer(snapshot),
    endpointsUnavailable:
      listed('endpointslices') || listed('endpoints') ? undefined : (snapshot.unavailable.endpointslices ?? 'EndpointSlices were not listed'),
    tlsSecrets: byKey(snapshot.tlssecrets),
    tlsUnavailable: snapshot.unavailable.tlssecrets ?? (snapshot.loaded.includes('tlssecrets') ? undefined : 'Secrets were not listed'),
    namespaceLabels: labels ? (ns) => labels.get(ns) ?? {} : undefined,
    classes: new Map(objects.gatewayClasses.map((c) => [c.metadata?.name ?? '', c])),
    gateways: byKey(objects.gateways),
    covers: (ns) => snapshot.namespace === undefined || ns === snapshot.namespace || extra.has(ns),
    gatewaySeen: (ns) => objects.gatewayNamespaces === undefined || objects.gatewayNamespaces.includes(ns),
    grantsKnown: objects.missing.referencegrants === undefined,
    attached: new Map(),
    global: [],
    once: new Set(),
  };
}

/** One Gateway or route under analysis: its identity and its findings. */
export interface Subject {
  ns: string;
  name: string;
  ref: ObjectRef;
  findings: Finding[];
  add(code: Code, text: FindingText): void;
  /** A finding reported once per run (in `global`), naming this object. */
  addOnce(code: Code, text: FindingText): void;
}

export function subject(kind: string, obj: { metadata?: { namespace?: string; name?: string } }, ctx: GatewayContext): Subject {
  const ns = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  const ref: ObjectRef = { kind, namespace: ns, name };
  const findings: Finding[] = [];
  const make = (code: Code, t: FindingText) => finding(code, ref, { ...t, message: `${name}: ${t.message}` });
  return {
    ns,
    name,
    ref,
    findings,
    add: (code, t) => findings.push(make(code, t)),
    addOnce: (code, t) => {
      if (ctx.once.has(code)) return;
      ctx.once.add(code);
      ctx.global.push(make(code, t));
    },
  };
}

export function ageMs(meta: { creationTimestamp?: string } | undefined, now: Date): number {
  const t = meta?.creationTimestamp ? new Date(meta.creationTimestamp).getTime() : 0;
  return t ? now.getTime() - t : Number.POSITIVE_INFINITY;
}
