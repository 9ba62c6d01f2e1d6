// The Gateway API rules about HTTPRoutes and GRPCRoutes: where each parentRef attaches
// (missing Gateways or listeners, allowedRoutes, hostnames), what the controller reports
// per parent, and every backendRef down to ready endpoints. One function per concern.
import type { V1LabelSelector } from '@kubernetes/client-node';
import { matchesSelector } from '../checks/lib/labels.js';
import { fix, kubectl, kubectlApply, type FixCommand, type FixSpec } from '../report/fix.js';
import { ageMs, key, type GatewayContext, type Subject } from './context.js';
import { intersectingHostnames } from './match.js';
import {
  conditionIn,
  GATEWAY_GROUP,
  type BackendRef,
  type Condition,
  type Gateway,
  type GatewayObjects,
  type Listener,
  type ParentReference,
  type Route,
} from './types.js';
import type { ParentResult, RouteKind } from './results.js';

export function condText(c: Condition | undefined): string {
  if (!c) return 'Unknown';
  return `${c.status}${c.reason ? ` (${c.reason})` : ''}`;
}

export function condDetail(c: Condition | undefined): string {
  if (!c) return 'no condition reported';
  return `${c.type}=${c.status}${c.reason ? ` reason ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`;
}

/** Route kinds a listener admits when allowedRoutes.kinds is empty (by protocol). */
function defaultKinds(protocol: string): string[] {
  const kinds: Record<string, string[]> = {
    HTTP: ['HTTPRoute', 'GRPCRoute'],
    HTTPS: ['HTTPRoute', 'GRPCRoute'],
    TLS: ['TLSRoute'],
    TCP: ['TCPRoute'],
    UDP: ['UDPRoute'],
  };
  return kinds[protocol] ?? [];
}

/** Whether the listener admits the route; when it does not, why. */
export function listenerAdmits(
  listener: Listener,
  gatewayNs: string,
  route: Route,
  routeKind: string,
  namespaceLabels: ((ns: string) => Record<string, string> | undefined) | undefined,
): { ok: boolean; why?: string } {
  const routeNs = route.metadata?.namespace ?? '';
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'Same' && routeNs !== gatewayNs)
    return { ok: false, why: `listener ${listener.name} admits routes from namespace ${gatewayNs} only (allowedRoutes.namespaces.from: Same)` };
  if (from === 'Selector') {
    const labels = namespaceLabels?.(routeNs);
    const selector: V1LabelSelector | undefined = listener.allowedRoutes?.namespaces?.selector;
    if (labels !== undefined && !matchesSelector(selector, labels)) {
      return { ok: false, why: `listener ${listener.name} admits routes from namespaces matching its selector, and namespace ${routeNs} does not match` };
    }
  }
  const kinds = listener.allowedRoutes?.kinds?.length
    ? listener.allowedRoutes.kinds.filter((k) => (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP).map((k) => k.kind)
    : defaultKinds(listener.protocol);
  if (!kinds.includes(routeKind))
    return { ok: false, why: `listener ${listener.name} (${listener.protocol}) admits ${kinds.join(', ') || 'no route kinds'}, not ${routeKind}` };
  return { ok: true };
}

function sameParent(a: ParentReference, b: ParentReference, routeNs: string): boolean {
  return (
    a.name === b.name &&
    (a.namespace ?? routeNs) === (b.namespace ?? routeNs) &&
    (a.sectionName ?? '') === (b.sectionName ?? '') &&
    (a.port ?? 0) === (b.port ?? 0) &&
    (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway')
  );
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

/**
 * The ReferenceGrants of `toNs` and why none permits the reference: each grant's `from` must name
 * {gateway.networking.k8s.io, fromKind, fromNs} and its `to` {"" , toKind} with the name or none.
 */
export function grantsMismatch(objects: GatewayObjects, fromKind: string, fromNs: string, toNs: string, toKind: string, toName: string): string {
  const grants = objects.referenceGrants.filter((g) => g.metadata?.namespace === toNs);
  if (grants.length === 0) return `there is no ReferenceGrant in ${toNs}`;
  const why = grants.map((g) => {
    const fromOk = (g.spec?.from ?? []).some((f) => f.group === GATEWAY_GROUP && f.kind === fromKind && f.namespace === fromNs);
    const to = (g.spec?.to ?? []).filter((t) => (t.group ?? '') === '' && t.kind === toKind);
    const reasons = [
      fromOk ? '' : `from lists ${(g.spec?.from ?? []).map((f) => `${f.kind} of ${f.namespace}`).join(', ') || 'nothing'}, not ${fromKind} of ${fromNs}`,
      to.length === 0
        ? `to names no core ${toKind}`
        : to.some((t) => !t.name || t.name === toName)
          ? ''
          : `to names ${toKind} ${to.map((t) => t.name).join(', ')}, not ${toName}`,
    ].filter(Boolean);
    return `${g.metadata?.name ?? ''}: ${reasons.join('; ')}`;
  });
  return `ReferenceGrants in ${toNs}, none matching: ${why.join(' | ')}`;
}

/** `kubectl apply` of the ReferenceGrant that permits the reference (a manifest, serialised by the fix builder). */
export function grantFix(fromKind: string, fromNs: string, toNs: string, toKind: string, toName: string): FixSpec {
  return fix`${kubectlApply({
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: `allow-${fromNs}-${fromKind.toLowerCase()}s`, namespace: toNs },
    spec: { from: [{ group: GATEWAY_GROUP, kind: fromKind, namespace: fromNs }], to: [{ group: '', kind: toKind, name: toName }] },
  })}`;
}

export function backendLabel(ref: BackendRef, routeNs: string): string {
  const kind = ref.kind ?? 'Service';
  const ns = ref.namespace ?? routeNs;
  if (kind !== 'Service' || (ref.group ?? '') !== '') return `${kind}/${ns === routeNs ? '' : `${ns}/`}${ref.name}`;
  return `${ns === routeNs ? '' : `${ns}/`}${ref.name}:${ref.port ?? '?'}`;
}

/** One route under analysis. */
export interface RouteSubject extends Subject {
  route: Route;
  kind: RouteKind;
  hostnames: string[];
  edit: FixCommand;
}

/** What to do for the reasons the Gateway API defines on route conditions. */
export function reasonFix(reason: string | undefined, r: RouteSubject, gns: string, gateway: string): FixSpec {
  const describe = kubectl('-n', r.ns, 'describe', r.kind.toLowerCase(), r.name);
  switch (reason) {
    case 'NotAllowedByListeners':
      return fix`Let the listener admit the route (allowedRoutes.namespaces/kinds): ${kubectl('-n', gns, 'edit', 'gateway', gateway)}`;
    case 'NoMatchingListenerHostname':
      return fix`Use a hostname the Gateway's listeners serve: ${r.edit}`;
    case 'NoMatchingParent':
      return fix`Fix parentRefs (sectionName, port): ${r.edit}`;
    case 'BackendNotFound':
      return fix`Create the backend Service or fix backendRefs: ${r.edit}`;
    case 'RefNotPermitted':
      return fix`Create a ReferenceGrant in the backend's namespace for ${r.kind}s of ${r.ns}`;
    case 'InvalidKind':
      return fix`Use a backend kind the implementation supports (Service): ${r.edit}`;
    case 'UnsupportedValue':
      return fix`Remove the unsupported field: ${describe}`;
    default:
      return fix`${describe}`;
  }
}

/** KD7013 (no such listener), KD7020 (allowedRoutes refuse), KD7014 (hostnames): the listeners a parentRef attaches to. */
function attach(
  r: RouteSubject,
  p: ParentReference,
  gw: Gateway,
  accepted: Condition | undefined,
  ctx: GatewayContext,
): { listeners: string[]; explained: boolean } {
  const gns = gw.metadata?.namespace ?? '';
  const all = gw.spec?.listeners ?? [];
  const listeners = all.filter((l) => (!p.sectionName || l.name === p.sectionName) && (!p.port || l.port === p.port));
  const agrees = accepted?.status === 'False' ? ` The controller agrees: ${condDetail(accepted)}.` : '';
  if (listeners.length === 0) {
    const gwLabel = `${gns}/${p.name}${p.sectionName ? `/${p.sectionName}` : ''}${p.port ? `:${p.port}` : ''}`;
    const which = [p.sectionName ? `named ${p.sectionName}` : '', p.port ? `on port ${p.port}` : ''].filter(Boolean).join(' ');
    r.add('KD7013', {
      message: `parent ${gwLabel}: Gateway ${gns}/${p.name} has no listener ${which}`,
      cause: `Gateway ${gns}/${p.name} has listeners ${all.map((l) => `${l.name} (${l.protocol} ${l.port})`).join(', ') || '(none)'}; parentRefs[].${p.sectionName ? 'sectionName' : 'port'} matches none, so the route is not attached.`,
      fix: fix`Use one of the listener names (${all.map((l) => l.name).join(', ')}) in sectionName: ${r.edit}`,
    });
    return { listeners: [], explained: true };
  }
  const verdicts = listeners.map((l) => ({ l, v: listenerAdmits(l, gns, r.route, r.kind, ctx.namespaceLabels) }));
  const admitting = verdicts.filter((x) => x.v.ok).map((x) => x.l);
  if (admitting.length === 0) {
    r.add('KD7020', {
      message: `no listener of Gateway ${gns}/${p.name} allows the route to attach`,
      cause: `${verdicts.map((x) => x.v.why).join('; ')}.${agrees}`,
      fix: fix`Widen the listener's allowedRoutes (e.g. namespaces: {from: All}, or a selector matching namespace ${r.ns}): ${kubectl('-n', gns, 'edit', 'gateway', p.name)}; or attach the route to a listener that admits it.`,
    });
    return { listeners: [], explained: true };
  }
  const matching = admitting.filter((l) => intersectingHostnames(l.hostname, r.hostnames).length > 0);
  if (matching.length === 0) {
    r.add('KD7014', {
      message: `hostnames ${r.hostnames.join(', ')} match no listener of Gateway ${gns}/${p.name}`,
      cause: `The route's hostnames ${r.hostnames.join(', ')} intersect none of the listener hostnames ${admitting.map((l) => `${l.name}: ${l.hostname ?? '(any)'}`).join(', ')} (a wildcard *.example.com covers one or more labels before example.com); the route serves no host on this Gateway.${agrees}`,
      fix: fix`Change spec.hostnames to a host the listener serves, or add a listener for it: ${r.edit}`,
    });
    return { listeners: [], explained: true };
  }
  return { listeners: matching.map((l) => l.name), explained: false };
}

/** KD7013 for a missing Gateway, then the attachment; records the listeners the route attaches to. */
function attachParent(
  r: RouteSubject,
  p: ParentReference,
  accepted: Condition | undefined,
  ctx: GatewayContext,
): { gw?: Gateway; listeners: string[]; explained: boolean } {
  const gns = p.namespace ?? r.ns;
  const gw = ctx.gateways.get(key(gns, p.name));
  if (!gw) {
    if (!ctx.gatewaySeen(gns)) return { listeners: [], explained: false };
    const names = ctx.objects.gateways.filter((g) => g.metadata?.namespace === gns).map((g) => g.metadata?.name ?? '');
    r.add('KD7013', {
      message: `parent Gateway ${gns}/${p.name} not found`,
      cause: `parentRefs names Gateway ${p.name} in namespace ${gns}, which does not exist${names.length ? ` (Gateways there: ${names.join(', ')})` : ''}; the route is attached to nothing and serves no traffic.`,
      fix: fix`Point parentRefs at an existing Gateway (${kubectl('get', 'gateways', '-A')}): ${r.edit}`,
    });
    return { listeners: [], explained: true };
  }
  const a = attach(r, p, gw, accepted, ctx);
  for (const l of a.listeners) {
    const k = `${gns}/${p.name}/${l}`;
    ctx.attached.set(k, [...(ctx.attached.get(k) ?? []), `${r.ns}/${r.name}`]);
  }
  return { gw, ...a };
}

/** Every Gateway parentRef: attachment, then KD7021 (no status) or KD7011 (not Accepted). Returns unresolved refs for KD7012. */
export function lintParents(r: RouteSubject, ctx: GatewayContext): { parents: ParentResult[]; unresolved: { gateway: string; cond: Condition }[] } {
  const parents: ParentResult[] = [];
  const unresolved: { gateway: string; cond: Condition }[] = [];
  for (const p of r.route.spec?.parentRefs ?? []) {
    if ((p.kind ?? 'Gateway') !== 'Gateway' || (p.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) continue;
    const gns = p.namespace ?? r.ns;
    const gwLabel = `${gns}/${p.name}${p.sectionName ? `/${p.sectionName}` : ''}${p.port ? `:${p.port}` : ''}`;
    const st = parentStatus(r.route, p);
    const accepted = conditionIn(st?.conditions, 'Accepted');
    const resolved = conditionIn(st?.conditions, 'ResolvedRefs');
    const { gw, listeners, explained } = attachParent(r, p, accepted, ctx);
    parents.push({ gateway: `${gns}/${p.name}`, sectionName: p.sectionName, accepted: condText(accepted), resolvedRefs: condText(resolved), listeners });
    const cls = gw?.spec?.gatewayClassName ?? '?';
    if (!st && !explained) {
      r.add('KD7021', {
        message: `no controller reported status for parent ${gwLabel}`,
        cause: `status.parents has no entry for ${gwLabel}: the Gateway's controller has not processed the route (not running, not watching namespace ${r.ns}, or it does not own GatewayClass ${cls}).`,
        fix: fix`${kubectl('-n', r.ns, 'describe', r.kind.toLowerCase(), r.name)}; check the controller of GatewayClass ${cls} (${kubectl('get', 'gatewayclass')})`,
        severity: ageMs(r.route.metadata, ctx.now) < ctx.graceMs ? 'info' : undefined,
      });
    } else if (st && accepted && accepted.status !== 'True' && !explained) {
      r.add('KD7011', {
        message: `not Accepted by ${gwLabel} (${accepted.reason ?? accepted.status})`,
        cause: `The controller${st.controllerName ? ` ${st.controllerName}` : ''} reports ${condDetail(accepted)}; the route serves no traffic through this parent.`,
        fix: reasonFix(accepted.reason, r, gns, p.name),
      });
    }
    if (resolved?.status === 'False') unresolved.push({ gateway: gwLabel, cond: resolved });
  }
  return { parents, unresolved };
}

/** KD7012: the controller reports unresolved references that no backend rule explained. */
export function lintUnresolved(r: RouteSubject, unresolved: readonly { gateway: string; cond: Condition }[]): void {
  for (const u of unresolved) {
    const [gns = '', gateway = ''] = u.gateway.split('/');
    r.add('KD7012', {
      message: `references not resolved for parent ${u.gateway} (${u.cond.reason ?? 'False'})`,
      cause: `The controller reports ${condDetail(u.cond)}.`,
      fix: reasonFix(u.cond.reason, r, gns, gateway),
    });
  }
}
