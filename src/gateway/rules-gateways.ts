// The Gateway API rules about GatewayClasses, Gateways and their listeners: the class and
// its controller's verdict, the Gateway's conditions and address, each listener's
// certificates (the checks of `kdiag ingress`) and conditions. One function per concern.
import { INGRESS_NGINX_CONTROLLER } from '../checks/data/nginx-annotations.js';
import { requestedClass } from '../checks/ingress-match.js';
import { checkTlsSecret } from '../checks/ingress-tls.js';
import { finding } from '../checks/lib/finding.js';
import { fix, kubectl } from '../report/fix.js';
import type { Finding } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { ageMs, key, type GatewayContext, type Subject } from './context.js';
import type { GatewayClassResult, ListenerResult } from './results.js';
import { condDetail, condText, grantFix, grantsMismatch, referenceGranted } from './rules-routes.js';
import {
  condition,
  conditionIn,
  GATEWAY_GROUP,
  kindServed,
  parametersKey,
  type Condition,
  type Gateway,
  type GatewayObjects,
  type Listener,
  type ParametersReference,
  type RouteGroupKind,
  type SecretObjectRef,
} from './types.js';

export const GATEWAY_API_MIGRATION = 'https://gateway-api.sigs.k8s.io/guides/migrating-from-ingress/';

/** KD7030: Ingresses whose class is served by ingress-nginx, which was retired. */
export function retiredIngressFindings(snapshot: Snapshot): Finding[] {
  const classes = new Map(snapshot.ingressclasses.map((c) => [c.metadata?.name ?? '', c]));
  const defaultClass = snapshot.ingressclasses.find((c) => c.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
  const out: Finding[] = [];
  for (const ing of snapshot.ingresses) {
    const asked = requestedClass(ing).name;
    const cls = asked ? classes.get(asked) : defaultClass;
    if (cls?.spec?.controller !== INGRESS_NGINX_CONTROLLER) continue;
    const name = ing.metadata?.name ?? '';
    out.push(
      finding(
        'KD7030',
        { kind: 'Ingress', namespace: ing.metadata?.namespace ?? '', name },
        {
          message: `${name}: served by ingress-nginx (class ${cls.metadata?.name}), a retired controller`,
          cause: `IngressClass ${cls.metadata?.name} names controller ${INGRESS_NGINX_CONTROLLER}; ingress-nginx's best-effort maintenance ended in March 2026, so it gets no more fixes, including security fixes.`,
          fix: `Plan the move to the Gateway API (a Gateway and HTTPRoutes replace the Ingress and its nginx annotations): ${GATEWAY_API_MIGRATION}; ingress2gateway translates existing Ingresses.`,
        },
      ),
    );
  }
  return out;
}

/** KD7022: Gateway API objects may not be read. */
export function unreadableFindings(objects: GatewayObjects): Finding[] {
  if (objects.unavailable?.reason !== 'forbidden') return [];
  return [
    finding(
      'KD7022',
      { kind: 'Gateway', name: 'gateways' },
      {
        message: 'gateways: Gateway API objects could not be read',
        cause: `${objects.unavailable.message}; Gateways and their routes were not checked.`,
        fix: 'Grant get and list on gatewayclasses, gateways, httproutes, grpcroutes and referencegrants (gateway.networking.k8s.io), see deploy/rbac.yaml.',
      },
    ),
  ];
}

/** KD7002: a GatewayClass that Gateways use is not Accepted by its controller. */
export function lintGatewayClasses(ctx: GatewayContext): GatewayClassResult[] {
  const used = new Set(ctx.objects.gateways.map((g) => g.spec?.gatewayClassName ?? ''));
  const sorted = [...ctx.objects.gatewayClasses].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  return sorted.map((cls) => {
    const name = cls.metadata?.name ?? '';
    const controller = cls.spec?.controllerName;
    const accepted = condition(cls, 'Accepted');
    const explained = lintClassParameters(name, cls.spec?.parametersRef, accepted, ctx);
    if (accepted?.status !== 'True' && used.has(name) && !(explained && accepted?.reason === 'InvalidParameters')) {
      ctx.global.push(
        finding(
          'KD7002',
          { kind: 'GatewayClass', name },
          {
            message: `${name}: GatewayClass not Accepted${accepted?.reason ? ` (${accepted.reason})` : ''}`,
            cause: accepted
              ? `Controller ${controller} reports ${condDetail(accepted)}; its Gateways are not programmed.`
              : `No controller has reported on GatewayClass ${name}: nothing runs controller ${controller ?? '(none)'}, or it does not handle this class, so its Gateways get no data plane.`,
            fix: accepted
              ? fix`${kubectl('describe', 'gatewayclass', name)}`
              : fix`Install or start the Gateway controller ${controller ?? ''}, or use a class whose controller runs: ${kubectl('get', 'gatewayclass')}`,
            severity: !accepted && ageMs(cls.metadata, ctx.now) < ctx.graceMs ? 'info' : undefined,
          },
        ),
      );
    }
    return { name, controller: controller ?? '', accepted: condText(accepted) };
  });
}

/** What is wrong with a parametersRef from discovery and a read of its object; undefined: fine or unknown. */
function parametersProblem(objects: GatewayObjects, ref: ParametersReference, namespace: string | undefined): { skipped: boolean; text: string } | undefined {
  const group = ref.group ?? '';
  const named = group ? `${ref.kind}.${group}` : ref.kind;
  const where = namespace ? ` in namespace ${namespace}` : '';
  if (kindServed(objects, group, ref.kind) === false) {
    const how = objects.servedKinds?.[group] ? `API group ${group || '(core)'} serves no kind ${ref.kind}` : `API discovery lists no group ${group}`;
    return { skipped: false, text: `${how}, so nothing can read ${named} ${ref.name}` };
  }
  const found = objects.parameters?.[parametersKey(ref, namespace)];
  if (found?.status === 'missing') return { skipped: false, text: `${named} ${ref.name} does not exist${where}${found.message ? ` (${found.message})` : ''}` };
  if (found?.status === 'unreadable') return { skipped: true, text: `${named} ${ref.name}${where} could not be read (${found.message ?? 'refused'})` };
  return undefined;
}

/** KD7032 (or KD7034 when unreadable): a GatewayClass parametersRef that does not resolve. Returns whether it was reported. */
function lintClassParameters(name: string, ref: ParametersReference | undefined, accepted: Condition | undefined, ctx: GatewayContext): boolean {
  const problem = ref && parametersProblem(ctx.objects, ref, ref.namespace);
  if (!ref || !problem) return false;
  const edit = kubectl('edit', 'gatewayclass', name);
  ctx.global.push(
    problem.skipped
      ? finding('KD7034', { kind: 'GatewayClass', name }, parametersSkipped(name, 'spec.parametersRef', problem.text))
      : finding(
          'KD7032',
          { kind: 'GatewayClass', name },
          {
            message: `${name}: parametersRef does not resolve: ${problem.text}`,
            cause: `spec.parametersRef names ${ref.group ? `${ref.kind}.${ref.group}` : ref.kind} ${ref.name}; when the referent cannot be found or is of an unsupported kind, a conformant controller rejects the class (Accepted: False, reason InvalidParameters) and programs none of its Gateways.${acceptedAnyway(accepted)}`,
            fix: fix`Create the parameters object, or point spec.parametersRef at an existing one (or remove it): ${edit}`,
            severity: accepted?.status === 'True' ? 'warning' : undefined,
          },
        ),
  );
  return !problem.skipped;
}

/** The controller accepted the object although its parameters do not resolve: its verdict stands, kdiag's is a warning. */
function acceptedAnyway(accepted: Condition | undefined): string {
  return accepted?.status === 'True'
    ? ' The controller reports Accepted: True nonetheless (it may not read these parameters, or read them from elsewhere).'
    : '';
}

function parametersSkipped(name: string, field: string, text: string) {
  return {
    message: `${name}: ${field} not checked: ${text}`,
    cause: `kdiag could not read the object ${field} names (${text}); whether it exists was not checked.`,
    fix: 'Grant get on the parameters kind (or run as a user who may read it) to have it checked.',
  };
}

/** KD7033 (or KD7034 when unreadable): spec.infrastructure.parametersRef of a Gateway that does not resolve. */
export function lintGatewayParameters(g: Subject, gw: Gateway, ctx: GatewayContext): void {
  const ref = gw.spec?.infrastructure?.parametersRef;
  const problem = ref && parametersProblem(ctx.objects, ref, g.ns);
  if (!ref || !problem) return;
  const accepted = condition(gw, 'Accepted');
  if (problem.skipped) {
    g.add('KD7034', parametersSkipped(g.name, 'spec.infrastructure.parametersRef', problem.text));
    return;
  }
  g.add('KD7033', {
    message: `infrastructure.parametersRef does not resolve: ${problem.text}`,
    cause: `spec.infrastructure.parametersRef names ${ref.group ? `${ref.kind}.${ref.group}` : ref.kind} ${ref.name} in the Gateway's namespace ${g.ns}; when the referent cannot be found or is of an unsupported kind, a conformant controller rejects the Gateway (Accepted: False, reason InvalidParameters) and none of its listeners serve.${acceptedAnyway(accepted)}`,
    fix: fix`Create the parameters object in namespace ${g.ns}, or point spec.infrastructure.parametersRef at an existing one (or remove it): ${kubectl('-n', g.ns, 'edit', 'gateway', g.name)}`,
    severity: accepted?.status === 'True' ? 'warning' : undefined,
  });
}

/** KD7001 class missing, KD7003 not Accepted, KD7004 not Programmed, KD7005 no address. */
export function lintGateway(g: Subject, gw: Gateway, ctx: GatewayContext): void {
  const className = gw.spec?.gatewayClassName ?? '';
  const cls = ctx.classes.get(className);
  const young = ageMs(gw.metadata, ctx.now) < ctx.graceMs;
  const describe = kubectl('-n', g.ns, 'describe', 'gateway', g.name);
  if (!cls && ctx.objects.missing.gatewayclasses === undefined) {
    const known = [...ctx.classes.keys()].sort();
    g.add('KD7001', {
      message: `GatewayClass ${className} not found`,
      cause: `spec.gatewayClassName names ${className}, but the cluster has ${known.length ? `only ${known.join(', ')}` : 'no GatewayClass'}; no controller programs this Gateway.`,
      fix: known[0]
        ? fix`${kubectl('-n', g.ns, 'patch', 'gateway', g.name, '--type=merge', '-p', { spec: { gatewayClassName: known[0] } })} (or install the controller that provides ${className})`
        : 'Install a Gateway API implementation (it creates its GatewayClass), then set spec.gatewayClassName.',
    });
  }
  const accepted = condition(gw, 'Accepted');
  const programmed = condition(gw, 'Programmed');
  const controller = cls?.spec?.controllerName;
  const explained = accepted?.reason === 'InvalidParameters' && g.findings.some((f) => f.code === 'KD7033');
  if (accepted?.status !== 'True' && cls && !explained) {
    g.add('KD7003', {
      message: `not Accepted (${accepted?.reason ?? 'no status'})${accepted?.message ? `: ${accepted.message}` : ''}`,
      cause:
        accepted && accepted.status !== 'Unknown'
          ? `Controller ${controller} reports ${condDetail(accepted)}.`
          : `Accepted is ${accepted ? condText(accepted) : 'not reported'}: controller ${controller} has not processed Gateway ${g.ns}/${g.name} (not running, or not the owner of GatewayClass ${className}).`,
      fix: fix`${describe}`,
      severity: young && (!accepted || accepted.status === 'Unknown') ? 'info' : undefined,
    });
  } else if (accepted?.status === 'True' && programmed?.status !== 'True') {
    g.add('KD7004', {
      message: `not Programmed (${programmed?.reason ?? 'no status'})${programmed?.message ? `: ${programmed.message}` : ''}`,
      cause: `Controller ${controller} accepted the Gateway but reports ${condDetail(programmed)}: its data plane is not serving the listeners (addresses pending, proxy Pods not ready, or invalid listeners).`,
      fix: fix`${describe}; ${kubectl('-n', g.ns, 'get', 'pods', '-l', `gateway.networking.k8s.io/gateway-name=${g.name}`)}`,
      severity: young ? 'info' : undefined,
    });
  }
  if ((gw.status?.addresses ?? []).some((a) => a.value) || programmed?.status !== 'True') return;
  g.add('KD7005', {
    message: 'no address assigned',
    cause: `status.addresses of Gateway ${g.ns}/${g.name} is empty although it is Programmed; DNS for its hostnames has nothing to point at.`,
    fix: fix`${kubectl('-n', g.ns, 'get', 'gateway', g.name, '-o', 'jsonpath={.status.addresses}')}; check the load balancer Service of its data plane (${kubectl('-n', g.ns, 'get', 'svc', '-l', `gateway.networking.k8s.io/gateway-name=${g.name}`)})`,
    severity: young ? 'info' : undefined,
  });
}

type ListenerTls = NonNullable<ListenerResult['tls']>['secrets'][number];

/** One certificateRef: KD7008 (no grant), KD7023 (Secrets unreadable), KD7007 (missing), KD7009/KD7010 (the certificate). */
function certificateRef(g: Subject, l: Listener, c: SecretObjectRef, ctx: GatewayContext): { tls: ListenerTls; broken: boolean } {
  const sns = c.namespace ?? g.ns;
  const label = sns === g.ns ? c.name : `${sns}/${c.name}`;
  if (sns !== g.ns && ctx.grantsKnown && !referenceGranted(ctx.objects, 'Gateway', g.ns, sns, 'Secret', c.name)) {
    g.add('KD7008', {
      message: `listener ${l.name}: certificateRef ${label} is not permitted (no ReferenceGrant)`,
      cause: `The listener's certificate Secret lives in namespace ${sns}; only a ReferenceGrant there listing {group: gateway.networking.k8s.io, kind: Gateway, namespace: ${g.ns}} in from and Secret ${c.name} (or all Secrets) in to permits the reference (${grantsMismatch(ctx.objects, 'Gateway', g.ns, sns, 'Secret', c.name)}). The controller reports ResolvedRefs: RefNotPermitted and the listener serves no TLS.`,
      fix: grantFix('Gateway', g.ns, sns, 'Secret', c.name),
    });
    return { tls: { secret: label, status: 'not permitted', summary: `no ReferenceGrant in ${sns}` }, broken: true };
  }
  if (ctx.tlsUnavailable) {
    g.addOnce('KD7023', {
      message: 'listener TLS check skipped: Secrets cannot be read',
      cause: `kdiag could not list Secrets (${ctx.tlsUnavailable}); listener certificates were not checked.`,
      fix: `Grant list on secrets in namespace ${g.ns} (see deploy/rbac.yaml), or run as a user who may read them.`,
    });
    return { tls: { secret: label, status: 'skipped', summary: 'not checked' }, broken: false };
  }
  if (!ctx.covers(sns)) return { tls: { secret: label, status: 'skipped', summary: `namespace ${sns} not loaded` }, broken: false };
  const secret = ctx.tlsSecrets.get(key(sns, c.name));
  if (!secret) {
    g.add('KD7007', {
      message: `listener ${l.name}: certificate Secret ${label} not found`,
      cause: `tls.certificateRefs of listener ${l.name} names Secret ${c.name}, and namespace ${sns} has no Secret of type kubernetes.io/tls by that name; the controller reports ResolvedRefs: InvalidCertificateRef and the listener serves no TLS.`,
      fix: fix`${kubectl('-n', sns, 'create', 'secret', 'tls', c.name, '--cert=tls.crt', '--key=tls.key')} (or let cert-manager issue it)`,
    });
    return { tls: { secret: label, status: 'missing', summary: 'secret not found' }, broken: true };
  }
  const r = checkTlsSecret({
    namespace: sns,
    ingress: g.name,
    secretName: c.name,
    secret,
    hosts: l.hostname ? [l.hostname] : [],
    now: ctx.now,
    warnDays: ctx.warnDays,
  });
  let broken = false;
  for (const p of r.problems) {
    if (p.code === 'KD3021') continue;
    if (p.code !== 'KD3025') broken = true;
    g.add(p.code === 'KD3025' ? 'KD7010' : 'KD7009', {
      message: `listener ${l.name} (${l.hostname ?? 'any host'}): ${p.message.replace(/^TLS secret /, 'secret ')}`,
      cause: p.cause,
      fix: { text: p.fix, remediation: p.remediation },
    });
  }
  return { tls: { secret: label, status: r.status, summary: r.summary, daysLeft: r.daysLeft }, broken };
}

/** KD7006: the controller reports a listener condition that kdiag did not already explain. */
function lintListenerConditions(
  g: Subject,
  l: Listener,
  conditions: Condition[] | undefined,
  gateway: { accepted?: Condition; programmed?: Condition },
  explained: { certProblem: boolean; kindsProblem: boolean },
): void {
  const { certProblem, kindsProblem } = explained;
  const resolved = conditionIn(conditions, 'ResolvedRefs');
  const conflicted = conditionIn(conditions, 'Conflicted');
  const accepted = conditionIn(conditions, 'Accepted');
  const programmed = conditionIn(conditions, 'Programmed');
  const bad = [
    resolved?.status === 'False' && !certProblem && !(kindsProblem && resolved.reason === 'InvalidRouteKinds') ? resolved : undefined,
    conflicted?.status === 'True' ? conflicted : undefined,
    accepted?.status === 'False' ? accepted : undefined,
    programmed?.status === 'False' && gateway.accepted?.status === 'True' && gateway.programmed?.status === 'True' ? programmed : undefined,
  ].filter((c): c is Condition => c !== undefined);
  if (bad.length === 0) return;
  g.add('KD7006', {
    message: `listener ${l.name}: ${bad.map((c) => `${c.type}=${condText(c)}`).join(', ')}`,
    cause: `The controller reports ${bad.map(condDetail).join('; ')} for listener ${l.name} (${l.protocol} ${l.port}${l.hostname ? ` ${l.hostname}` : ''}).`,
    fix:
      conflicted?.status === 'True'
        ? fix`Give the listener a distinct port or hostname: ${kubectl('-n', g.ns, 'edit', 'gateway', g.name)}`
        : fix`${kubectl('-n', g.ns, 'describe', 'gateway', g.name)}`,
  });
}

/** The Gateway API's core listener protocols; any other must be domain-prefixed (`example.com/PROTO`). */
export const CORE_PROTOCOLS = ['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP'];
const DOMAIN_PREFIXED = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$/;

/**
 * KD7024, KD7025: what the specification says an implementation must reject or may not support,
 * found from the listener alone (no controller status needed).
 */
export function lintListenerSpec(g: Subject, l: Listener): void {
  if (!CORE_PROTOCOLS.includes(l.protocol) && !DOMAIN_PREFIXED.test(l.protocol)) {
    g.add('KD7024', {
      message: `listener ${l.name}: protocol ${l.protocol} is neither a core protocol nor domain-prefixed`,
      cause: `The Gateway API's ProtocolType allows the core protocols ${CORE_PROTOCOLS.join(', ')} and implementation-specific ones only with a domain prefix (example.com/${l.protocol}); a conformant controller does not accept listener ${l.name} (Accepted: False, reason UnsupportedProtocol) and it serves nothing.`,
      fix: fix`Use a core protocol (${CORE_PROTOCOLS.join(', ')}) or the domain-prefixed name your implementation documents: ${kubectl('-n', g.ns, 'edit', 'gateway', g.name)}`,
    });
  }
  for (const c of l.tls?.certificateRefs ?? []) {
    const group = c.group ?? '';
    const kind = c.kind ?? 'Secret';
    if (group === '' && kind === 'Secret') continue;
    g.add('KD7025', {
      message: `listener ${l.name}: certificateRef ${group ? `${kind}.${group}` : kind}/${c.name} is not a core Secret`,
      cause: `Core support for tls.certificateRefs is a Secret of the core API group (group "", kind Secret); other kinds are implementation-specific. A controller that does not support ${group ? `${kind}.${group}` : kind} reports ResolvedRefs: False (InvalidCertificateRef) and the listener serves no TLS; kdiag does not check such certificates.`,
      fix: fix`Reference a Secret of type kubernetes.io/tls (group "", kind Secret) unless your implementation documents ${kind}: ${kubectl('-n', g.ns, 'edit', 'gateway', g.name)}`,
    });
  }
}

/** The route kinds of the Gateway API, and those each core listener protocol carries. */
export const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];
const KINDS_BY_PROTOCOL: Record<string, string[]> = {
  HTTP: ['HTTPRoute', 'GRPCRoute'],
  HTTPS: ['HTTPRoute', 'GRPCRoute'],
  TLS: ['TLSRoute', 'TCPRoute'],
  TCP: ['TCPRoute'],
  UDP: ['UDPRoute'],
};

/** Why a listener cannot carry an allowedRoutes kind; undefined when it can (or kdiag cannot say). */
function invalidRouteKind(k: RouteGroupKind, protocol: string, objects: GatewayObjects): string | undefined {
  const group = k.group ?? GATEWAY_GROUP;
  if (group !== GATEWAY_GROUP) return kindServed(objects, group, k.kind) === false ? `${k.kind}.${group} is not served by this cluster` : undefined;
  if (!ROUTE_KINDS.includes(k.kind)) return `${k.kind} is not a route kind of the Gateway API (${ROUTE_KINDS.join(', ')})`;
  const carried = KINDS_BY_PROTOCOL[protocol];
  if (carried && !carried.includes(k.kind)) return `${k.kind} does not fit protocol ${protocol} (${carried.join(', ')} do)`;
  return undefined;
}

/** KD7031: allowedRoutes.kinds naming kinds the listener cannot carry (ResolvedRefs False, InvalidRouteKinds). Returns whether reported. */
export function lintAllowedKinds(g: Subject, l: Listener, objects: GatewayObjects): boolean {
  const kinds = l.allowedRoutes?.kinds ?? [];
  const verdicts = kinds.map((k) => ({ k, why: invalidRouteKind(k, l.protocol, objects) }));
  const bad = verdicts.filter((v) => v.why !== undefined);
  if (bad.length === 0) return false;
  const valid = verdicts.filter((v) => v.why === undefined).map((v) => v.k.kind);
  g.add('KD7031', {
    message: `listener ${l.name}: allowedRoutes.kinds names ${bad.map((v) => v.k.kind).join(', ')}, which it cannot carry`,
    cause: `${bad.map((v) => v.why).join('; ')}. A conformant controller sets ResolvedRefs: False with reason InvalidRouteKinds on listener ${l.name} and lists only the kinds it supports in supportedKinds; ${valid.length ? `routes of kind ${valid.join(', ')} still attach` : 'no route can attach to it'}.`,
    fix: fix`Name route kinds the ${l.protocol} listener carries in allowedRoutes.kinds (or leave it empty to take the protocol's defaults): ${kubectl('-n', g.ns, 'edit', 'gateway', g.name)}`,
  });
  return true;
}

/** KD7006–KD7010, KD7023–KD7025: every listener's certificates, conditions and spec. */
export function lintListeners(g: Subject, gw: Gateway, ctx: GatewayContext): ListenerResult[] {
  const gateway = { accepted: condition(gw, 'Accepted'), programmed: condition(gw, 'Programmed') };
  return (gw.spec?.listeners ?? []).map((l) => {
    const ls = gw.status?.listeners?.find((x) => x.name === l.name);
    const result: ListenerResult = {
      name: l.name,
      port: l.port,
      protocol: l.protocol,
      hostname: l.hostname ?? '*',
      attachedRoutes: ls?.attachedRoutes,
      routes: ctx.attached.get(`${g.ns}/${g.name}/${l.name}`) ?? [],
      conditions: (ls?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(','),
    };
    let certProblem = false;
    if (l.protocol === 'HTTPS' || (l.protocol === 'TLS' && (l.tls?.mode ?? 'Terminate') === 'Terminate')) {
      const refs = (l.tls?.certificateRefs ?? []).filter((c) => (c.kind ?? 'Secret') === 'Secret' && (c.group ?? '') === '');
      const checked = refs.map((c) => certificateRef(g, l, c, ctx));
      certProblem = checked.some((c) => c.broken);
      result.tls = { secrets: checked.map((c) => c.tls) };
    }
    const kindsProblem = lintAllowedKinds(g, l, ctx.objects);
    lintListenerConditions(g, l, ls?.conditions, gateway, { certProblem, kindsProblem });
    lintListenerSpec(g, l);
    return result;
  });
}
