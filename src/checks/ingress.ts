// Does each Ingress route to something alive, over a valid certificate? The analysis is a
// list of rules (one per concern, each declaring its codes and what it reads) run over one
// context built from the snapshot and the loader's inputs (src/cluster/ingress.ts), which
// `kdiag check` and `kdiag ingress` share: the same data, the same rules, the same findings.
import type { V1Ingress } from '@kubernetes/client-node';
import type { Code } from '../report/codes.js';
import { severityRank, type Finding } from '../report/types.js';
import type { Kind, Snapshot } from '../snapshot.js';
import { annotationFindings } from './ingress-annotations.js';
import {
  classFacts,
  ingressContext,
  routingFacts,
  subjectOf,
  type ClassFacts,
  type IngressContext,
  type IngressSubject,
  type RoutingFacts,
} from './ingress-context.js';
import { addressesOf, lintAddress, lintBackends, lintClass, lintConflicts, lintController, lintDefaultClasses, lintPaths } from './ingress-rules.js';
import { lintCertManager, lintTls } from './ingress-rules-tls.js';
import type { IngressAnalysis, IngressInputs, IngressResult, IngressTlsResult } from './ingress-types.js';
import type { Check, CheckOptions } from './types.js';

export { matchRoute, pathMatches, hostMatches, resolveServicePort, backendLabel } from './ingress-match.js';
export type * from './ingress-types.js';

/** What the rules know about one Ingress before they run. */
export interface IngressFacts {
  cls: ClassFacts;
  routing: RoutingFacts;
  /** Set by the TLS rule. */
  tls: IngressTlsResult;
}

/** The loader inputs a rule reads beyond the snapshot's kinds. */
type IngressInput = 'controllerPods' | 'secretsByName' | 'certManager';

export interface IngressRule {
  id: string;
  codes: readonly Code[];
  needs: readonly (Kind | IngressInput)[];
  run(s: IngressSubject, facts: IngressFacts, ctx: IngressContext): void;
}

/** Every rule run on each Ingress, in the order their findings are listed. */
export const INGRESS_RULES: readonly IngressRule[] = [
  { id: 'class', codes: ['KD3001', 'KD3002', 'KD3016'], needs: ['ingressclasses'], run: (s, f, ctx) => lintClass(s, f.cls, ctx) },
  { id: 'controller', codes: ['KD3004', 'KD3005'], needs: ['ingressclasses', 'pods', 'controllerPods'], run: (s, f, ctx) => lintController(s, f.cls, ctx) },
  { id: 'address', codes: ['KD3006', 'KD3007'], needs: ['ingresses'], run: (s, f, ctx) => lintAddress(s, f.cls, ctx) },
  { id: 'paths', codes: ['KD3012', 'KD3013', 'KD3014'], needs: ['ingresses'], run: (s, f) => lintPaths(s, f.cls) },
  {
    id: 'backends',
    codes: ['KD3008', 'KD3009', 'KD3010', 'KD3011'],
    needs: ['services', 'endpointslices', 'pods'],
    run: (s, f, ctx) => lintBackends(s, f.routing, ctx, f.cls.controller),
  },
  {
    id: 'tls',
    codes: ['KD3020', 'KD3021', 'KD3022', 'KD3023', 'KD3024', 'KD3025', 'KD3026', 'KD3027', 'KD3028', 'KD3029', 'KD3030'],
    needs: ['tlssecrets', 'secretsByName'],
    run: (s, f, ctx) => void (f.tls = lintTls(s, f.routing.hosts, ctx)),
  },
  { id: 'cert-manager', codes: ['KD3031', 'KD3032', 'KD3033', 'KD3034', 'KD3035'], needs: ['certManager'], run: (s, _f, ctx) => lintCertManager(s, ctx) },
  {
    id: 'annotations',
    codes: ['KD3040', 'KD3041', 'KD3042', 'KD3043'],
    needs: ['ingresses'],
    run: (s, f) => void s.findings.push(...annotationFindings(s.ing, f.cls.nginx)),
  },
];

/** The rules run once over all Ingresses (their codes, for the catalogue of rules). */
export const INGRESS_RUN_RULES: readonly { id: string; codes: readonly Code[]; needs: readonly (Kind | IngressInput)[] }[] = [
  { id: 'default-classes', codes: ['KD3003'], needs: ['ingressclasses'] },
  { id: 'conflicts', codes: ['KD3015'], needs: ['ingresses', 'ingressclasses'] },
];

function statusOf(findings: readonly Finding[]): IngressResult['status'] {
  const worst = Math.max(0, ...findings.map((f) => severityRank(f.severity)));
  return worst >= severityRank('error') ? 'ERROR' : worst >= severityRank('warning') ? 'WARNING' : 'OK';
}

function analyzeOne(ing: V1Ingress, ctx: IngressContext): IngressResult {
  const s = subjectOf(ing, ctx);
  const facts: IngressFacts = { cls: classFacts(ing, ctx), routing: routingFacts(ing, ctx), tls: { status: 'none', summary: '-', secrets: [] } };
  for (const rule of INGRESS_RULES) rule.run(s, facts, ctx);
  const { cls, routing } = facts;
  const services = [...routing.backends.values()].filter((b) => b.node.kind === 'service');
  return {
    namespace: s.ns,
    name: s.name,
    class: cls.className,
    classSource: cls.classSource,
    controller: cls.controller,
    controllerStatus: cls.controllerStatus,
    address: addressesOf(ing),
    hosts: routing.hosts.map((h) => h.host),
    tls: facts.tls,
    backends: { ready: services.filter((b) => b.node.status === 'OK' || b.node.status === 'EXTERNAL').length, total: services.length },
    status: 'OK',
    tree: { hosts: routing.hosts, defaultBackend: routing.defaultBackend },
    findings: s.findings,
  };
}

/** Every rule over every Ingress of the snapshot. Pure. */
export function analyzeIngresses(snapshot: Snapshot, options: CheckOptions = {}, inputs: IngressInputs = {}): IngressAnalysis {
  const ctx = ingressContext(snapshot, options, inputs);
  ctx.global.push(...lintDefaultClasses(ctx));
  // The Ingresses the caller shows come first, so run-wide findings name one of them.
  const focus = new Set(inputs.focus ?? []);
  const ingresses = [...snapshot.ingresses].sort(
    (a, b) =>
      Number(focus.has(b)) - Number(focus.has(a)) ||
      (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') ||
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
  const byIngress = new Map(ingresses.map((ing) => [ing, analyzeOne(ing, ctx)]));
  lintConflicts(
    ingresses,
    (ing) => byIngress.get(ing)?.class ?? null,
    (loser, f) => byIngress.get(loser)?.findings.push(f),
  );
  const results = [...byIngress.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  for (const r of results) r.status = statusOf(r.findings);
  return { ingresses: results, global: ctx.global, findings: [...ctx.global, ...results.flatMap((r) => r.findings)] };
}

export const ingressCheck: Check = {
  id: 'ingress',
  title: 'Ingress routing and TLS',
  requires: ['ingresses', 'services', 'endpointslices', 'pods'],
  // IngressClasses are cluster-scoped: without them every rule but the class checks still runs.
  optional: ['tlssecrets', 'ingressclasses'],
  extras: ['ingress'],
  skippedWithout: {
    ingressclasses: "IngressClass checks (KD3001-KD3003) and whether the class's controller runs (KD3004)",
    'controller-pods': "whether the Ingress controller's Pods in other namespaces run (KD3004)",
  },
  run: (snapshot, options) => analyzeIngresses(snapshot, options, snapshot.ingress ?? {}).findings,
};
