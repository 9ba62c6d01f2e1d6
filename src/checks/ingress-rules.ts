// The Ingress rules about routing: class and controller, address, paths, backends,
// conflicts between Ingresses. One function per concern, each reading the run's context
// and the facts about one Ingress; fixes through the fix builder (no cluster value is
// pasted into a command or manifest as text).
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import { cmd, fix, kubectl } from '../report/fix.js';
import type { Finding, ObjectRef } from '../report/types.js';
import { answerPhrase, profileForIngressController } from './data/controllers.js';
import {
  DEFAULT_CLASS_ANNOTATION,
  LEGACY_CLASS_ANNOTATION,
  type ClassFacts,
  type IngressContext,
  type IngressSubject,
  type RoutingFacts,
} from './ingress-context.js';
import { byAge, IMPLEMENTATION_SPECIFIC_NOTE } from './ingress-match.js';
import { finding } from './lib/finding.js';
import { matchesMap } from './lib/labels.js';
import { whyNotReady } from './lib/pods.js';

const REGEX_CHARS = /[\^$()[\]{}*+?|\\]/;

const patchClass = (s: IngressSubject, className: string) =>
  kubectl('-n', s.ns, 'patch', 'ingress', s.name, '--type=merge', '-p', { spec: { ingressClassName: className } });
const editIngress = (s: IngressSubject) => kubectl('-n', s.ns, 'edit', 'ingress', s.name);

/** KD3003: more than one IngressClass marked default (run-wide). */
export function lintDefaultClasses(ctx: IngressContext): Finding[] {
  if (ctx.defaults.length < 2) return [];
  const names = ctx.defaults.map((c) => c.metadata?.name ?? '').sort();
  return [
    finding(
      'KD3003',
      { kind: 'IngressClass', name: names[1]! },
      {
        message: `${names[1]}: ${names.length} IngressClasses are marked default (${names.join(', ')})`,
        cause: `IngressClasses ${names.join(', ')} all carry ${DEFAULT_CLASS_ANNOTATION}: "true"; the API server then refuses new Ingresses without ingressClassName.`,
        fix: fix`Keep one default: ${kubectl('annotate', 'ingressclass', ...names.slice(1), `${DEFAULT_CLASS_ANNOTATION}-`)}`,
      },
    ),
  ];
}

/** The IngressClass as the one cause shared by every Ingress of the class (a missing class, a stopped controller). */
const classRoot = (name: string): ObjectRef => ({ kind: 'IngressClass', name });

/** KD3001, KD3002, KD3016: the class the Ingress asks for. */
export function lintClass(s: IngressSubject, c: ClassFacts, ctx: IngressContext): void {
  const { asked } = c;
  const known = ctx.classNames;
  // IngressClasses not readable: not per Ingress, the caller reports the missing permission once (KD6006).
  if (ctx.classesUnavailable) return;
  if (asked.name) {
    const legacy = asked.source === 'annotation';
    if (!c.cls) {
      s.add('KD3001', {
        message: `IngressClass ${asked.name} not found`,
        cause: `${legacy ? `The ${LEGACY_CLASS_ANNOTATION} annotation` : 'spec.ingressClassName'} names ${asked.name}, but the cluster has ${known.length ? `only ${known.join(', ')}` : 'no IngressClass'}; ${legacy ? 'only a controller started with that class name in its flags serves it' : 'no controller serves this Ingress, so it gets no address and no traffic'}.`,
        fix: known.length
          ? fix`${patchClass(s, known[0]!)} (or create IngressClass ${asked.name})`
          : 'Install an Ingress controller (it creates its IngressClass), e.g. ingress-nginx, then set spec.ingressClassName.',
        severity: legacy ? 'warning' : undefined,
        root: classRoot(asked.name),
      });
    }
    if (legacy) {
      s.add('KD3016', {
        message: `uses the deprecated ${LEGACY_CLASS_ANNOTATION} annotation`,
        cause: `${LEGACY_CLASS_ANNOTATION}: ${asked.name} predates spec.ingressClassName (networking.k8s.io/v1); newer controllers may ignore it.`,
        fix: fix`${patchClass(s, asked.name)} && ${kubectl('-n', s.ns, 'annotate', 'ingress', s.name, `${LEGACY_CLASS_ANNOTATION}-`)}`,
      });
    }
  } else if (ctx.defaults.length === 0) {
    s.add('KD3002', {
      message: 'no IngressClass and no default IngressClass',
      cause: `The Ingress sets neither spec.ingressClassName nor ${LEGACY_CLASS_ANNOTATION}, and no IngressClass is marked default (${DEFAULT_CLASS_ANNOTATION}: "true"); controllers ignore it unless started to watch Ingresses without class (ingress-nginx: --watch-ingress-without-class).`,
      fix: known.length ? fix`${patchClass(s, known[0]!)}` : 'Install an Ingress controller, then set spec.ingressClassName.',
    });
  }
}

/** KD3004, KD3005: whether the controller of the class runs. */
export function lintController(s: IngressSubject, c: ClassFacts, ctx: IngressContext): void {
  const state = c.state;
  if (!state || !c.controller) return;
  if (!state.known) {
    s.add('KD3005', {
      message: `cannot tell whether controller ${c.controller} runs`,
      cause: `kdiag knows the Pod labels of ingress-nginx, the NGINX Ingress Controller, Traefik and HAProxy, not those of ${c.controller} (IngressClass ${c.className}).`,
      fix: fix`Check its Pods yourself: ${kubectl('get', 'pods', '-A')} | grep -i ingress`,
    });
    return;
  }
  const selector = (state.selectors ?? []).join(' or ');
  if (state.pods === undefined) {
    // A refused list is reported once by the caller (KD6006), not per Ingress.
    if (ctx.controllerPodsRefused) return;
    s.add('KD3005', {
      message: `cannot tell whether ${state.name} runs`,
      cause: `${state.unavailable}.`,
      fix: fix`${kubectl('get', 'pods', '-A', '-l', state.selectors?.[0] ?? '')}`,
    });
    return;
  }
  if (state.ready !== 0) return;
  const pods = state.pods;
  const first = pods[0];
  s.add('KD3004', {
    ...(c.className ? { root: classRoot(c.className) } : {}),
    message: `controller ${state.name} of class ${c.className} is not running`,
    cause: first
      ? `${pods.length} controller Pod(s) labelled ${selector}, none Ready: ${pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}: ${whyNotReady(p)}`).join('; ')}.`
      : `No Pod in any namespace carries the labels ${selector} of ${state.name} (IngressClass ${c.className}, controller ${c.controller}); nothing serves this Ingress.`,
    fix: first
      ? fix`${kubectl('-n', first.metadata?.namespace ?? '', 'describe', 'pod', first.metadata?.name ?? '')}`
      : `Install ${state.name} (e.g. helm install ingress-nginx ingress-nginx/ingress-nginx -n ingress-nginx --create-namespace), or fix ingressClassName.`,
  });
}

/** 45s, 12 minutes, 5 hours, 30 days. */
function formatAge(ms: number): string {
  const sec = Math.round(ms / 1000);
  if (sec < 120) return `${sec}s`;
  if (sec < 7200) return `${Math.round(sec / 60)} minutes`;
  if (sec < 172_800) return `${Math.round(sec / 3600)} hours`;
  return `${Math.round(sec / 86_400)} days`;
}

export function addressesOf(ing: V1Ingress): string[] {
  return (ing.status?.loadBalancer?.ingress ?? []).map((a) => a.ip ?? a.hostname ?? '').filter(Boolean);
}

/** KD3006, KD3007: status.loadBalancer is empty (after, or within, the grace period). */
export function lintAddress(s: IngressSubject, c: ClassFacts, ctx: IngressContext): void {
  if (addressesOf(s.ing).length > 0) return;
  const created = s.ing.metadata?.creationTimestamp ? new Date(s.ing.metadata.creationTimestamp).getTime() : 0;
  const age = ctx.now.getTime() - created;
  if (created > 0 && age < ctx.graceMs) {
    s.add('KD3007', {
      message: 'no address yet',
      cause: `Ingress ${s.ns}/${s.name} was created ${Math.round(age / 1000)}s ago; its controller has not written status.loadBalancer yet.`,
      fix: fix`Wait, then: ${kubectl('-n', s.ns, 'get', 'ingress', s.name, '-w')}`,
    });
    return;
  }
  const after = created ? ` ${formatAge(age)} after creation` : '';
  const pending = (c.state?.ready ?? 0) > 0 ? pendingControllerService(c, ctx) : undefined;
  if (pending) {
    const [pns, pname] = [pending.metadata?.namespace ?? '', pending.metadata?.name ?? ''];
    s.add('KD3006', {
      message: 'no address (status.loadBalancer is empty)',
      cause: `status.loadBalancer.ingress of ${s.ns}/${s.name} is empty${after}: the controller of class ${c.className} runs, but its LoadBalancer Service ${pns}/${pname} has no external address (pending), so the controller has none to publish.`,
      fix: fix`${kubectl('-n', pns, 'describe', 'service', pname)} (events: is a load-balancer provider such as the cloud's or MetalLB installed, and does it have addresses?); or make the Service a NodePort and let the controller publish that (ingress-nginx: --publish-status-address).`,
      root: { kind: 'Service', namespace: pns, name: pname },
    });
    return;
  }
  const classMissing = !c.cls && c.className !== null && !ctx.classesUnavailable;
  const why =
    c.controllerStatus === 'not running'
      ? 'its controller is not running'
      : classMissing
        ? `IngressClass ${c.className} does not exist, so no controller admits it`
        : c.className
          ? `the controller of class ${c.className} has not admitted it, or the controller's own LoadBalancer Service is pending`
          : 'no controller has admitted it (no IngressClass)';
  s.add('KD3006', {
    message: 'no address (status.loadBalancer is empty)',
    cause: `status.loadBalancer.ingress of ${s.ns}/${s.name} is empty${after}: ${why}.`,
    fix: fix`${kubectl('-n', s.ns, 'describe', 'ingress', s.name)} (events); ${kubectl('get', 'svc', '-A', '-l', 'app.kubernetes.io/component=controller')} (is the controller's Service pending?)`,
    ...((c.controllerStatus === 'not running' || classMissing) && c.className ? { root: classRoot(c.className) } : {}),
  });
}

/**
 * The controller's own LoadBalancer Service without an address: in the namespace of the
 * controller's Pods, selecting them. Every Ingress of the class stays without an address then.
 */
function pendingControllerService(c: ClassFacts, ctx: IngressContext): V1Service | undefined {
  const pods = c.state?.pods ?? [];
  return ctx.snapshot.services.find(
    (svc) =>
      svc.spec?.type === 'LoadBalancer' &&
      (svc.status?.loadBalancer?.ingress ?? []).length === 0 &&
      Object.keys(svc.spec.selector ?? {}).length > 0 &&
      pods.some((p) => p.metadata?.namespace === svc.metadata?.namespace && matchesMap(svc.spec?.selector, p.metadata?.labels)),
  );
}

/** KD3012, KD3013, KD3014: path types used as meant. */
export function lintPaths(s: IngressSubject, c: ClassFacts): void {
  for (const rule of s.ing.spec?.rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      const path = p.path ?? '';
      const pathType = p.pathType ?? 'ImplementationSpecific';
      const literal = pathType === 'Prefix' || pathType === 'Exact';
      if (literal && path && !path.startsWith('/')) {
        s.add('KD3012', {
          message: `path ${JSON.stringify(path)} (${pathType}) does not start with /`,
          cause: `${pathType} paths must be absolute paths starting with "/"; the API rejects or the controller ignores ${JSON.stringify(path)}.`,
          fix: fix`Set path: ${JSON.stringify(`/${path}`)} in ${editIngress(s)}`,
        });
      } else if (literal && REGEX_CHARS.test(path)) {
        s.add('KD3013', {
          message: `path ${JSON.stringify(path)} has regex characters under pathType ${pathType}`,
          cause: `${pathType} paths are matched literally${pathType === 'Prefix' ? ', element by element' : ''}; ${JSON.stringify(path)} looks like a regular expression, which only ImplementationSpecific paths (with ${c.nginx ? 'nginx.ingress.kubernetes.io/use-regex: "true"' : "the controller's regex support"}) interpret. ingress-nginx's strict path validation rejects it.`,
          fix: fix`Use pathType: ImplementationSpecific for a regex path${c.nginx ? ' and annotate use-regex=true' : ''}, or write the literal prefix: ${editIngress(s)}`,
        });
      } else if (pathType === 'ImplementationSpecific') {
        s.add('KD3014', {
          message: `path ${JSON.stringify(path || '/')} uses pathType ImplementationSpecific`,
          cause: `Matching of ImplementationSpecific paths is up to the controller; results differ between controllers. ${IMPLEMENTATION_SPECIFIC_NOTE.replace(/^pathType ImplementationSpecific leaves matching to the Ingress controller: /, 'What the common ones do: ')}.`,
          fix: fix`Prefer Prefix or Exact unless you need regex paths: ${editIngress(s)}`,
        });
      }
    }
  }
}

/** KD3008–KD3011: every backend exists, has the port and has ready endpoints (and what the class's controller, when kdiag knows it, answers). */
export function lintBackends(s: IngressSubject, r: RoutingFacts, ctx: IngressContext, controller?: string): void {
  const profile = profileForIngressController(controller);
  for (const { node, where, svcResult } of r.backends.values()) {
    const places = where.join(', ');
    if (node.status === 'RESOURCE') {
      const [kind = '', name = ''] = node.backend.split('/');
      s.add('KD3011', {
        message: `resource backend ${node.backend} (${places}) not checked`,
        cause: `Backends of kind ${kind} are served by the controller's own extension; kdiag checks only Service backends.`,
        fix: fix`${kubectl('-n', s.ns, 'get', kind.toLowerCase(), name)}`,
      });
    } else if (node.status === 'NO SERVICE') {
      const names = ctx.snapshot.services.filter((x) => x.metadata?.namespace === s.ns).map((x) => x.metadata?.name ?? '');
      const there = names.length ? ` (Services there: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})` : '';
      s.add('KD3008', {
        message: `backend Service ${node.service} not found (${places})`,
        cause: `No Service ${node.service} in namespace ${s.ns}${there}; ${answerPhrase(profile, 'ingress', 'missingService', 'the controller answers 503')} for ${places}.`,
        fix: fix`Create the Service, or point the backend at an existing one: ${editIngress(s)}`,
      });
    } else if (node.status === 'NO PORT') {
      const svc = ctx.services.get(`${s.ns}/${node.service}`);
      const ports = (svc?.spec?.ports ?? []).map((p) => (p.name ? `${p.name}:${p.port}` : String(p.port))).join(', ');
      s.add('KD3009', {
        message: `backend ${node.backend}: Service ${node.service} has no port ${node.port} (${places})`,
        cause: `Service ${s.ns}/${node.service} has ports ${ports || '(none)'}; the backend names port ${/^\d+$/.test(node.port ?? '') ? 'number' : 'name'} ${node.port}, so the controller cannot route ${places}${profile ? ` (${answerPhrase(profile, 'ingress', 'missingPort', '')})` : ''}.`,
        fix: fix`Use one of the Service's ports (${ports}) in the backend: ${editIngress(s)}`,
      });
    } else if (node.status === 'NO ENDPOINTS') {
      const cause = svcResult?.findings[0];
      s.add('KD3010', {
        message: `backend ${node.backend} has no ready endpoints (${places}): ${node.cause}`,
        cause: cause
          ? `${cause.cause}${profile ? ` ${answerPhrase(profile, 'ingress', 'noEndpoints', '')} for ${places}.` : ''}`
          : `Service ${s.ns}/${node.service} has ${node.total} endpoint(s), none ready on port ${node.port}; ${answerPhrase(profile, 'ingress', 'noEndpoints', 'the controller answers 503')} for ${places}.`,
        // The endpoints check's own fix for the cause it found (already built safely there).
        fix: cause ? { text: cause.fix, remediation: cause.remediation } : fix`${cmd('kdiag', 'endpoints', node.service ?? '', '-n', s.ns)}`,
      });
    }
  }
}

/** KD3015: the same host+path in two Ingresses of one class (ingress-nginx: the oldest wins). */
export function lintConflicts(ingresses: readonly V1Ingress[], classOf: (ing: V1Ingress) => string | null, add: (loser: V1Ingress, f: Finding) => void): void {
  const owners = new Map<string, { cls: string; host: string; path: string; pathType: string; list: V1Ingress[] }>();
  for (const ing of ingresses) {
    const cls = classOf(ing);
    if (!cls) continue;
    for (const rule of ing.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const route = { cls, host: rule.host || '*', path: p.path || '/', pathType: p.pathType ?? 'ImplementationSpecific' };
        const k = JSON.stringify(route);
        const entry = owners.get(k) ?? { ...route, list: [] };
        if (!entry.list.includes(ing)) entry.list.push(ing);
        owners.set(k, entry);
      }
    }
  }
  for (const { cls, host, path, pathType, list } of owners.values()) {
    const [winner, ...losers] = [...list].sort(byAge);
    for (const loser of losers) {
      const ns = loser.metadata?.namespace ?? '';
      const name = loser.metadata?.name ?? '';
      const other = `${winner!.metadata?.namespace}/${winner!.metadata?.name}`;
      add(
        loser,
        finding(
          'KD3015',
          { kind: 'Ingress', namespace: ns, name },
          {
            message: `${name}: ${host}${path} (${pathType}) is also served by Ingress ${other}`,
            cause: `Ingresses ${other} and ${ns}/${name} of class ${cls} both route host ${host} path ${path}; ingress-nginx uses the older one (${winner!.metadata?.name}) and ignores the other's rule.`,
            fix: fix`Keep the route in one Ingress: remove it from one of them (${kubectl('-n', ns, 'edit', 'ingress', name)}).`,
          },
        ),
      );
    }
  }
}
