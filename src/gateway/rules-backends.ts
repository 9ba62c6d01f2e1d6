// The Gateway API rules about a route's backendRefs: weights, ReferenceGrants, the Service,
// its port and its ready endpoints (with the endpoints check's cause).
import type { V1Service } from '@kubernetes/client-node';
import { answerPhrase, profileForGatewayController, type ControllerAnswers } from '../checks/data/controllers.js';
import { resolveServicePort } from '../checks/ingress-match.js';
import { cmd, fix } from '../report/fix.js';
import { key, type GatewayContext } from './context.js';
import type { BackendResult, RouteResult } from './results.js';
import { backendLabel, grantFix, grantsMismatch, referenceGranted, type RouteSubject } from './rules-routes.js';
import { kindServed, type BackendRef } from './types.js';

/** One backendRef under analysis: where it is, and whether its finding was already reported. */
interface BackendUse {
  ref: BackendRef;
  node: BackendResult;
  where: string;
  first: boolean;
}

/** " (Traefik answers 500)" when kdiag knows the implementation that reported on the route. */
function answerOf(r: RouteSubject, what: keyof ControllerAnswers): string {
  const profile = profileForGatewayController((r.route.status?.parents ?? []).find((p) => p.controllerName)?.controllerName);
  return profile?.gateway?.[what] !== undefined ? ` (${answerPhrase(profile, 'gateway', what, '')})` : '';
}

/** KD7018: a cross-namespace reference without a ReferenceGrant. */
function notPermitted(r: RouteSubject, b: BackendUse, ctx: GatewayContext): boolean {
  const bns = b.node.namespace;
  if (bns === r.ns || !ctx.grantsKnown || referenceGranted(ctx.objects, r.kind, r.ns, bns, 'Service', b.ref.name)) return false;
  b.node.status = 'NOT PERMITTED';
  b.node.cause = `no ReferenceGrant in ${bns} allows ${r.kind}s of ${r.ns}`;
  if (!b.first) return true;
  r.add('KD7018', {
    message: `backendRef ${b.node.backend} in namespace ${bns} is not permitted (no ReferenceGrant)`,
    cause: `The backendRef crosses from namespace ${r.ns} to ${bns}; only a ReferenceGrant in ${bns} that lists {group: gateway.networking.k8s.io, kind: ${r.kind}, namespace: ${r.ns}} in from and Service ${b.ref.name} (or all Services) in to permits it (${grantsMismatch(ctx.objects, r.kind, r.ns, bns, 'Service', b.ref.name)}); the controller refuses the reference (ResolvedRefs: RefNotPermitted) and answers 500 for this backend${answerOf(r, 'refNotPermitted')}.`,
    fix: grantFix(r.kind, r.ns, bns, 'Service', b.ref.name),
  });
  return true;
}

/**
 * KD7026, KD7027: a backendRef that is not a core Service. "Core" support is Service; other
 * kinds are implementation-specific. A group the cluster does not serve at all cannot resolve:
 * a conformant controller sets ResolvedRefs False with reason InvalidKind and answers 500.
 */
function otherKind(r: RouteSubject, b: BackendUse, ctx: GatewayContext): boolean {
  const group = b.ref.group ?? '';
  const kind = b.node.kind;
  const named = group ? `${kind}.${group}` : kind;
  if (kindServed(ctx.objects, group, kind) === false) {
    const groupKnown = ctx.objects.servedKinds?.[group] !== undefined;
    b.node.status = 'INVALID KIND';
    b.node.cause = groupKnown ? `API group ${group || '(core)'} serves no kind ${kind}` : `the API group ${group} is not served by this cluster`;
    if (b.first) {
      r.add('KD7026', {
        message: `backendRef ${named}/${b.ref.name} names a kind the cluster does not serve (${b.where})`,
        cause: `API discovery ${groupKnown ? `lists group ${group || '(core)'} without kind ${kind}` : `lists no group ${group}`}, so nothing can resolve ${named}; a conformant controller sets ResolvedRefs: False with reason InvalidKind and answers HTTP 500 for the requests sent to this backend.`,
        fix: fix`Point the backendRef at a Service (group "", kind Service), or install the implementation that provides ${named}: ${r.edit}`,
      });
    }
    return true;
  }
  b.node.status = 'NOT CHECKED';
  b.node.cause = `${named} backends are implementation-specific; kdiag checks Service backends`;
  if (b.first) {
    r.add('KD7027', {
      message: `backendRef ${named}/${b.ref.name} is an implementation-specific kind (${b.where})`,
      cause: `Only Service backends have core support in the Gateway API. Whether ${named} works depends on the implementation; one that does not support it sets ResolvedRefs: False with reason InvalidKind and answers HTTP 500 for this backend. kdiag does not follow it.`,
      fix: fix`Check that your Gateway implementation documents ${named} backends, or use a Service: ${r.edit}`,
    });
  }
  return false;
}

/** KD7015: the Service does not exist. */
function noService(r: RouteSubject, b: BackendUse, ctx: GatewayContext): void {
  const bns = b.node.namespace;
  b.node.status = 'NO SERVICE';
  b.node.cause = `Service ${bns}/${b.ref.name} not found`;
  if (!b.first) return;
  const names = ctx.snapshot.services.filter((s) => s.metadata?.namespace === bns).map((s) => s.metadata?.name ?? '');
  r.add('KD7015', {
    message: `backend Service ${bns === r.ns ? b.ref.name : `${bns}/${b.ref.name}`} not found (${b.where})`,
    cause: `No Service ${b.ref.name} in namespace ${bns}${names.length ? ` (Services there: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})` : ''}; the controller reports ResolvedRefs: BackendNotFound and answers 500 for the share of requests sent to it${answerOf(r, 'missingService')}.`,
    fix: fix`Create the Service, or point the backendRef at an existing one: ${r.edit}`,
  });
}

/** KD7016: the Service has no such port. */
function noPort(r: RouteSubject, b: BackendUse, svc: V1Service): void {
  const port = b.ref.port;
  const ports = (svc.spec?.ports ?? []).map((x) => (x.name ? `${x.name}:${x.port}` : String(x.port))).join(', ');
  b.node.status = 'NO PORT';
  b.node.cause = port === undefined ? 'backendRef has no port' : `Service has no port ${port}`;
  if (!b.first) return;
  r.add('KD7016', {
    message: `backendRef ${b.node.backend}: Service ${b.ref.name} has no port ${port ?? '(none given)'} (${b.where})`,
    cause: `Service ${b.node.namespace}/${b.ref.name} has ports ${ports || '(none)'}; ${port === undefined ? 'a Service backendRef must give port' : `the backendRef names port ${port}`}, so the controller cannot route to it${answerOf(r, 'missingPort')}.`,
    fix: fix`Use one of the Service's ports (${ports}) in backendRefs[].port: ${r.edit}`,
  });
}

/** KD7017: no endpoint is ready on the port (the endpoints check says why). */
function endpoints(r: RouteSubject, b: BackendUse, svc: V1Service, port: number, ctx: GatewayContext): boolean {
  const a = ctx.analyzed(svc);
  b.node.ready = a.ports.find((x) => x.port === port)?.readyEndpoints ?? 0;
  b.node.total = a.endpoints.length;
  if (a.status !== 'NO ENDPOINTS' && b.node.ready > 0) return false;
  b.node.status = 'NO ENDPOINTS';
  b.node.cause = a.cause ?? `no endpoint ready on port ${port}`;
  const cause = a.findings[0];
  if (b.first) {
    r.add('KD7017', {
      message: `backend ${b.node.backend} has no ready endpoints (${b.where}): ${b.node.cause}`,
      cause: cause
        ? `${cause.cause}${answerOf(r, 'noEndpoints') ? ` ${answerOf(r, 'noEndpoints').slice(2, -1)} for requests routed to it.` : ''}`
        : `Service ${b.node.namespace}/${b.ref.name} has ${b.node.total} endpoint(s), none ready on port ${port}; requests routed to it fail with 503${answerOf(r, 'noEndpoints')}.`,
      // The endpoints check's own fix for the cause it found (already built safely there).
      fix: cause ? { text: cause.fix, remediation: cause.remediation } : fix`${cmd('kdiag', 'endpoints', b.ref.name, '-n', b.node.namespace)}`,
    });
  }
  return true;
}

/** One backendRef: returns whether it is broken. */
function checkBackend(r: RouteSubject, b: BackendUse, ctx: GatewayContext): boolean {
  const { ref, node } = b;
  if (node.kind !== 'Service' || (ref.group ?? '') !== '') return otherKind(r, b, ctx);
  if (notPermitted(r, b, ctx)) return true;
  if (!ctx.covers(node.namespace)) {
    node.status = 'NOT CHECKED';
    node.cause = `namespace ${node.namespace} was not loaded (run with -A)`;
    return false;
  }
  const svc = ctx.services.get(key(node.namespace, ref.name));
  if (!svc) {
    noService(r, b, ctx);
    return true;
  }
  if (svc.spec?.type === 'ExternalName') {
    node.status = 'EXTERNAL';
    node.cause = `ExternalName → ${svc.spec.externalName}`;
    return false;
  }
  const port = resolveServicePort(svc, ref.port === undefined ? undefined : { number: ref.port });
  if (!port) {
    noPort(r, b, svc);
    return true;
  }
  if (ctx.endpointsUnavailable) {
    node.status = 'NOT CHECKED';
    node.cause = `endpoints not checked: ${ctx.endpointsUnavailable}`;
    return false;
  }
  return endpoints(r, b, svc, port.port, ctx);
}

/** KD7015–KD7019 over every rule's backendRefs; whether any backend is broken (then KD7012 is not repeated). */
export function lintBackends(r: RouteSubject, ctx: GatewayContext): { rules: RouteResult['rules']; broken: boolean } {
  const rules: RouteResult['rules'] = [];
  const reported = new Set<string>();
  let broken = false;
  (r.route.spec?.rules ?? []).forEach((rule, i) => {
    const refs = rule.backendRefs ?? [];
    const where = rule.name ? `rule ${rule.name}` : `rule ${i + 1}`;
    if (refs.length > 0 && refs.every((x) => (x.weight ?? 1) === 0)) {
      r.add('KD7019', {
        message: `${where}: every backendRef has weight 0`,
        cause: `The weights of ${where}'s backendRefs (${refs.map((x) => `${backendLabel(x, r.ns)}=0`).join(', ')}) sum to zero, so no backend gets traffic: the Gateway answers 500 for requests matching it.`,
        fix: fix`Give at least one backendRef a positive weight (default 1): ${r.edit}`,
      });
      broken = true;
    }
    const backends = refs.map((ref) => {
      const label = backendLabel(ref, r.ns);
      const node: BackendResult = {
        backend: label,
        namespace: ref.namespace ?? r.ns,
        name: ref.name,
        kind: ref.kind ?? 'Service',
        port: ref.port,
        weight: ref.weight ?? 1,
        status: 'OK',
        ready: 0,
        total: 0,
      };
      const first = !reported.has(label);
      reported.add(label);
      if (checkBackend(r, { ref, node, where, first }, ctx)) broken = true;
      return node;
    });
    rules.push({ name: rule.name, backends });
  });
  return { rules, broken };
}
