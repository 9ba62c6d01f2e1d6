// Does each Ingress route to something alive, over a valid certificate? Class and
// controller, address, every rule's backend down to ready endpoints (reusing the
// endpoints analysis for the cause), path types, conflicts, TLS Secrets and certificates,
// cert-manager objects and ingress-nginx annotations. Pure: the command gathers the
// extra inputs (controller Pods, Secrets read by name, cert-manager objects).
import type { V1Ingress, V1IngressBackend, V1IngressClass, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import type { CustomObject } from '../snapshot.js';
import type { Code } from '../report/codes.js';
import { severityRank, type Finding, type ObjectRef, type Severity } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { CONTROLLER_POD_LABELS, INGRESS_NGINX_CONTROLLER } from './data/nginx-annotations.js';
import { serviceAnalyzer, type ServiceEndpoints } from './endpoints.js';
import { annotationFindings } from './ingress-annotations.js';
import { backendLabel, byAge, hostMatches, requestedClass, resolveServicePort } from './ingress-match.js';
import { checkTlsSecret, type CertificateInfo, type TlsSecretResult, type TlsStatus } from './ingress-tls.js';
import { finding } from './lib/finding.js';
import { formatMap, matchesMap } from './lib/labels.js';
import { isPodReady, whyNotReady } from './lib/pods.js';
import type { Check, CheckOptions } from './types.js';

export { matchRoute, pathMatches, hostMatches, resolveServicePort, backendLabel } from './ingress-match.js';

const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const CLUSTER_ISSUER_ANNOTATION = 'cert-manager.io/cluster-issuer';
const ISSUER_ANNOTATION = 'cert-manager.io/issuer';
const ISSUER_KIND_ANNOTATION = 'cert-manager.io/issuer-kind';
const ISSUER_GROUP_ANNOTATION = 'cert-manager.io/issuer-group';
const REGEX_CHARS = /[\^$()[\]{}*+?|\\]/;

/** cert-manager objects read by the command; `unavailable` when they could not be. */
export interface CertManagerObjects {
  unavailable?: { reason: 'absent' | 'forbidden'; message: string };
  clusterIssuers: CustomObject[];
  issuers: CustomObject[];
  certificates: CustomObject[];
}

/** What the command reads beyond the snapshot. Every field is optional (kdiag check runs without). */
export interface IngressInputs {
  /** Pods of known Ingress controllers, cluster-wide. */
  controllerPods?: V1Pod[];
  /** Why controller Pods could not be listed (e.g. forbidden). */
  controllerPodsUnavailable?: string;
  /** Secrets named by tls[].secretName that are not kubernetes.io/tls Secrets, read one by one. */
  secrets?: V1Secret[];
  /** True when every secretName absent from snapshot.tlssecrets was read by name (absent = missing). */
  secretsLookedUp?: boolean;
  /** `namespace/name` → why that Secret could not be read. */
  secretErrors?: Record<string, string>;
  certManager?: CertManagerObjects;
  /** Ingresses the caller will show: checked first, so run-wide findings name one of them. */
  focus?: readonly V1Ingress[];
}

export type BackendStatus = 'OK' | 'NO ENDPOINTS' | 'NO SERVICE' | 'NO PORT' | 'EXTERNAL' | 'RESOURCE';

export interface BackendNode {
  /** `service:port` or `Kind/name`. */
  backend: string;
  kind: 'service' | 'resource';
  service?: string;
  /** The port as the Ingress names it (number or name). */
  port?: string;
  /** The Service port it resolves to, and that port's targetPort. */
  servicePort?: number;
  targetPort?: string;
  status: BackendStatus;
  /** Endpoints ready on that port, and all endpoints of the Service. */
  ready: number;
  total: number;
  cause?: string;
}

export interface PathNode {
  path: string;
  pathType: string;
  backend: BackendNode;
}

export interface HostTls {
  secretName: string;
  status: TlsStatus;
  summary: string;
  daysLeft?: number;
  certificate?: CertificateInfo;
}

export interface HostNode {
  /** The rule's host, `*` for a rule without host. */
  host: string;
  tls?: HostTls;
  paths: PathNode[];
}

export interface IngressResult {
  namespace: string;
  name: string;
  /** The IngressClass in effect (asked for, or the default), null when none. */
  class: string | null;
  classSource: 'spec' | 'annotation' | 'default' | 'none';
  controller?: string;
  /** "1/1 ready", "not running", "unknown". */
  controllerStatus?: string;
  address: string[];
  hosts: string[];
  tls: { status: TlsStatus | 'none'; summary: string; minDaysLeft?: number; secrets: TlsSecretSummary[] };
  backends: { ready: number; total: number };
  status: 'OK' | 'WARNING' | 'ERROR';
  tree: { hosts: HostNode[]; defaultBackend?: BackendNode };
  findings: Finding[];
}

export type TlsSecretSummary = Omit<TlsSecretResult, 'problems' | 'uncoveredHosts'> & { hosts: string[] };

export interface IngressAnalysis {
  ingresses: IngressResult[];
  /** Findings not tied to one Ingress (two default classes, cert-manager absent, TLS skipped). */
  global: Finding[];
  findings: Finding[];
}

function key(ns: string | undefined, name: string | undefined): string {
  return `${ns ?? ''}/${name ?? ''}`;
}

function isDefaultClass(c: V1IngressClass): boolean {
  return c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}

function readyCondition(obj: CustomObject): { status: string; reason?: string; message?: string } | undefined {
  return obj.status?.conditions?.find((c) => c.type === 'Ready');
}

function addressesOf(ing: V1Ingress): string[] {
  return (ing.status?.loadBalancer?.ingress ?? []).map((a) => a.ip ?? a.hostname ?? '').filter(Boolean);
}

/** 45s, 12 minutes, 5 hours, 30 days. */
function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)} minutes`;
  if (s < 172_800) return `${Math.round(s / 3600)} hours`;
  return `${Math.round(s / 86_400)} days`;
}

/** Controller Pods' readiness, per IngressClass controller (computed once per run). */
interface ControllerState {
  known: boolean;
  name?: string;
  selector?: string;
  pods?: V1Pod[];
  ready?: number;
  unavailable?: string;
}

function controllerState(controller: string, pods: V1Pod[] | undefined, unavailable: string | undefined): ControllerState {
  const known = CONTROLLER_POD_LABELS[controller];
  if (!known) return { known: false };
  const selector = known.labels.map(formatMap).join(' or ');
  if (!pods) return { known: true, name: known.name, selector, unavailable: unavailable ?? 'controller Pods in other namespaces were not listed (run with -A, or use kdiag ingress)' };
  const matching = pods.filter((p) => known.labels.some((l) => matchesMap(l, p.metadata?.labels)));
  return { known: true, name: known.name, selector, pods: matching, ready: matching.filter(isPodReady).length };
}

export function analyzeIngresses(snapshot: Snapshot, options: CheckOptions = {}, inputs: IngressInputs = {}): IngressAnalysis {
  const warnDays = options.certWarnDays ?? 14;
  const grace = (options.addressGraceSeconds ?? 300) * 1000;
  const services = new Map<string, V1Service>(snapshot.services.map((s) => [key(s.metadata?.namespace, s.metadata?.name), s]));
  const analyzed = serviceAnalyzer(snapshot);
  const classes = new Map(snapshot.ingressclasses.map((c) => [c.metadata?.name ?? '', c]));
  const defaults = snapshot.ingressclasses.filter(isDefaultClass);
  const classesUnavailable = snapshot.unavailable.ingressclasses;
  const tlsSecrets = new Map(snapshot.tlssecrets.map((s) => [key(s.metadata?.namespace, s.metadata?.name), s]));
  const otherSecrets = new Map((inputs.secrets ?? []).map((s) => [key(s.metadata?.namespace, s.metadata?.name), s]));
  const tlsUnavailable = snapshot.unavailable.tlssecrets ?? (snapshot.loaded.includes('tlssecrets') ? undefined : 'Secrets were not listed');
  const controllerPods = inputs.controllerPods ?? (snapshot.namespace === undefined && snapshot.loaded.includes('pods') ? snapshot.pods : undefined);
  const controllers = new Map<string, ControllerState>();
  const global: Finding[] = [];

  if (defaults.length > 1) {
    const names = defaults.map((c) => c.metadata?.name ?? '').sort();
    global.push(
      finding('KD3003', { kind: 'IngressClass', name: names[1]! }, {
        message: `${names[1]}: ${names.length} IngressClasses are marked default (${names.join(', ')})`,
        cause: `IngressClasses ${names.join(', ')} all carry ${DEFAULT_CLASS_ANNOTATION}: "true"; the API server then refuses new Ingresses without ingressClassName.`,
        fix: `Keep one default: kubectl annotate ingressclass ${names.slice(1).join(' ')} ${DEFAULT_CLASS_ANNOTATION}-`,
      }),
    );
  }

  const focus = new Set(inputs.focus ?? []);
  const ingresses = [...snapshot.ingresses].sort(
    (a, b) =>
      Number(focus.has(b)) - Number(focus.has(a)) ||
      (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') ||
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
  const results: IngressResult[] = [];
  const effectiveClass = new Map<V1Ingress, string>();
  let tlsSkipReported = false;
  let certManagerReported = false;

  for (const ing of ingresses) {
    const ns = ing.metadata?.namespace ?? '';
    const name = ing.metadata?.name ?? '';
    const ref: ObjectRef = { kind: 'Ingress', namespace: ns, name };
    const annotations = ing.metadata?.annotations ?? {};
    const findings: Finding[] = [];
    const add = (code: Code, message: string, cause: string, fix: string, severity?: Severity) =>
      findings.push(finding(code, ref, { message: `${name}: ${message}`, cause, fix, severity }));

    // --- Class and controller -------------------------------------------------------------
    const asked = requestedClass(ing);
    let cls: V1IngressClass | undefined;
    let classSource: IngressResult['classSource'] = asked.source;
    const known = [...classes.keys()].sort();
    if (classesUnavailable) {
      // Not per Ingress: the caller reports the missing permission once (KD6006).
    } else if (asked.name) {
      cls = classes.get(asked.name);
      if (!cls) {
        const legacy = asked.source === 'annotation';
        add(
          'KD3001',
          `IngressClass ${asked.name} not found`,
          `${legacy ? `The ${LEGACY_CLASS_ANNOTATION} annotation` : 'spec.ingressClassName'} names ${asked.name}, but the cluster has ${known.length ? `only ${known.join(', ')}` : 'no IngressClass'}; ${legacy ? 'only a controller started with that class name in its flags serves it' : 'no controller serves this Ingress, so it gets no address and no traffic'}.`,
          known.length ? `kubectl -n ${ns} patch ingress ${name} --type=merge -p '{"spec":{"ingressClassName":"${known[0]}"}}' (or create IngressClass ${asked.name})` : `Install an Ingress controller (it creates its IngressClass), e.g. ingress-nginx, then set spec.ingressClassName.`,
          legacy ? 'warning' : undefined,
        );
      }
      if (asked.source === 'annotation') {
        add(
          'KD3016',
          `uses the deprecated ${LEGACY_CLASS_ANNOTATION} annotation`,
          `${LEGACY_CLASS_ANNOTATION}: ${asked.name} predates spec.ingressClassName (networking.k8s.io/v1); newer controllers may ignore it.`,
          `kubectl -n ${ns} patch ingress ${name} --type=merge -p '{"spec":{"ingressClassName":"${asked.name}"}}' && kubectl -n ${ns} annotate ingress ${name} ${LEGACY_CLASS_ANNOTATION}-`,
        );
      }
    } else if (defaults.length === 1) {
      cls = defaults[0];
      classSource = 'default';
    } else if (defaults.length === 0) {
      add(
        'KD3002',
        'no IngressClass and no default IngressClass',
        `The Ingress sets neither spec.ingressClassName nor ${LEGACY_CLASS_ANNOTATION}, and no IngressClass is marked default (${DEFAULT_CLASS_ANNOTATION}: "true"); controllers ignore it unless started to watch Ingresses without class (ingress-nginx: --watch-ingress-without-class).`,
        known.length ? `kubectl -n ${ns} patch ingress ${name} --type=merge -p '{"spec":{"ingressClassName":"${known[0]}"}}'` : 'Install an Ingress controller, then set spec.ingressClassName.',
      );
    }
    const className = cls?.metadata?.name ?? asked.name ?? null;
    if (className) effectiveClass.set(ing, className);
    const controller = cls?.spec?.controller;
    let controllerStatus: string | undefined;
    if (controller) {
      let state = controllers.get(controller);
      if (!state) controllers.set(controller, (state = controllerState(controller, controllerPods, inputs.controllerPodsUnavailable)));
      if (!state.known) {
        controllerStatus = 'unknown';
        add('KD3005', `cannot tell whether controller ${controller} runs`, `kdiag knows the Pod labels of ingress-nginx, the NGINX Ingress Controller, Traefik and HAProxy, not those of ${controller} (IngressClass ${className}).`, `Check its Pods yourself: kubectl get pods -A | grep -i ingress`);
      } else if (state.pods === undefined) {
        controllerStatus = 'unknown';
        // A refused list is reported once by the caller (KD6006), not per Ingress.
        if (!inputs.controllerPodsUnavailable) add('KD3005', `cannot tell whether ${state.name} runs`, `${state.unavailable}.`, `kubectl get pods -A -l ${state.selector!.split(' or ')[0]}`);
      } else if (state.ready === 0) {
        controllerStatus = 'not running';
        const pods = state.pods;
        add(
          'KD3004',
          `controller ${state.name} of class ${className} is not running`,
          pods.length
            ? `${pods.length} controller Pod(s) labelled ${state.selector}, none Ready: ${pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}: ${whyNotReady(p)}`).join('; ')}.`
            : `No Pod in any namespace carries the labels ${state.selector} of ${state.name} (IngressClass ${className}, controller ${controller}); nothing serves this Ingress.`,
          pods.length ? `kubectl -n ${pods[0]!.metadata?.namespace} describe pod ${pods[0]!.metadata?.name}` : `Install ${state.name} (e.g. helm install ingress-nginx ingress-nginx/ingress-nginx -n ingress-nginx --create-namespace), or fix ingressClassName.`,
        );
      } else {
        controllerStatus = `${state.ready}/${state.pods.length} ready`;
      }
    }
    const nginx = controller === INGRESS_NGINX_CONTROLLER || (!cls && (className ?? '').includes('nginx'));

    // --- Address --------------------------------------------------------------------------
    const address = addressesOf(ing);
    if (address.length === 0) {
      const created = ing.metadata?.creationTimestamp ? new Date(ing.metadata.creationTimestamp).getTime() : 0;
      const age = snapshot.now.getTime() - created;
      if (created > 0 && age < grace) {
        add('KD3007', 'no address yet', `Ingress ${ns}/${name} was created ${Math.round(age / 1000)}s ago; its controller has not written status.loadBalancer yet.`, `Wait, then: kubectl -n ${ns} get ingress ${name} -w`);
      } else {
        add(
          'KD3006',
          'no address (status.loadBalancer is empty)',
          `status.loadBalancer.ingress of ${ns}/${name} is empty${created ? ` ${formatAge(age)} after creation` : ''}: ${controllerStatus === 'not running' ? 'its controller is not running' : className ? `the controller of class ${className} has not admitted it, or the controller's own LoadBalancer Service is pending` : 'no controller has admitted it (no IngressClass)'}.`,
          `kubectl -n ${ns} describe ingress ${name} (events); kubectl get svc -A -l app.kubernetes.io/component=controller (is the controller's Service pending?)`,
        );
      }
    }

    // --- Rules, paths and backends ----------------------------------------------------------
    const byBackend = new Map<string, { node: BackendNode; where: string[]; svcResult?: ServiceEndpoints }>();
    const resolve = (backend: V1IngressBackend, where: string): BackendNode => {
      const label = backendLabel(backend);
      const seen = byBackend.get(label);
      if (seen) {
        seen.where.push(where);
        return seen.node;
      }
      let node: BackendNode;
      let svcResult: ServiceEndpoints | undefined;
      if (backend.resource) {
        node = { backend: label, kind: 'resource', status: 'RESOURCE', ready: 0, total: 0, cause: `resource backend ${backend.resource.apiGroup ? `${backend.resource.apiGroup}/` : ''}${label}` };
      } else {
        const svcName = backend.service?.name ?? '';
        const portText = String(backend.service?.port?.number ?? backend.service?.port?.name ?? '');
        const svc = services.get(key(ns, svcName));
        node = { backend: label, kind: 'service', service: svcName, port: portText, status: 'OK', ready: 0, total: 0 };
        if (!svc) {
          node.status = 'NO SERVICE';
          node.cause = `Service ${svcName} not found`;
        } else if (svc.spec?.type === 'ExternalName') {
          // The controller proxies to the external name on the backend's port; such Services often list no ports.
          node.status = 'EXTERNAL';
          node.cause = `ExternalName → ${svc.spec.externalName ?? '?'}`;
        } else {
          const sp = resolveServicePort(svc, backend.service?.port);
          if (!sp) {
            node.status = 'NO PORT';
            node.cause = `Service ${svcName} has no port ${portText}`;
          } else {
            node.servicePort = sp.port;
            node.targetPort = String(sp.targetPort ?? sp.port);
            svcResult = analyzed(svc);
            node.total = svcResult.endpoints.length;
            node.ready = svcResult.ports.find((p) => p.port === sp.port && p.name === (sp.name ?? ''))?.readyEndpoints ?? 0;
            if (node.ready === 0) {
              node.status = 'NO ENDPOINTS';
              node.cause = `${svcName}: ${svcResult.cause ?? 'no ready endpoints'}`;
            }
          }
        }
      }
      byBackend.set(label, { node, where: [where], svcResult });
      return node;
    };

    const hosts: HostNode[] = [];
    for (const rule of ing.spec?.rules ?? []) {
      const host = rule.host || '*';
      let node = hosts.find((h) => h.host === host);
      if (!node) hosts.push((node = { host, paths: [] }));
      for (const p of rule.http?.paths ?? []) {
        const path = p.path ?? '';
        const pathType = p.pathType ?? 'ImplementationSpecific';
        const where = `${host === '*' ? '' : host}${path || '/'}`;
        node.paths.push({ path: path || '/', pathType, backend: resolve(p.backend, where) });
        if ((pathType === 'Prefix' || pathType === 'Exact') && path && !path.startsWith('/')) {
          add('KD3012', `path ${JSON.stringify(path)} (${pathType}) does not start with /`, `${pathType} paths must be absolute paths starting with "/"; the API rejects or the controller ignores ${JSON.stringify(path)}.`, `Set path: /${path} in kubectl -n ${ns} edit ingress ${name}`);
        } else if ((pathType === 'Prefix' || pathType === 'Exact') && REGEX_CHARS.test(path)) {
          add(
            'KD3013',
            `path ${JSON.stringify(path)} has regex characters under pathType ${pathType}`,
            `${pathType} paths are matched literally${pathType === 'Prefix' ? ', element by element' : ''}; ${JSON.stringify(path)} looks like a regular expression, which only ImplementationSpecific paths (with ${nginx ? 'nginx.ingress.kubernetes.io/use-regex: "true"' : "the controller's regex support"}) interpret. ingress-nginx's strict path validation rejects it.`,
            `Use pathType: ImplementationSpecific for a regex path${nginx ? ' and annotate use-regex=true' : ''}, or write the literal prefix: kubectl -n ${ns} edit ingress ${name}`,
          );
        } else if (pathType === 'ImplementationSpecific') {
          add('KD3014', `path ${JSON.stringify(path || '/')} uses pathType ImplementationSpecific`, `Matching of ImplementationSpecific paths is up to the controller${nginx ? ' (ingress-nginx: a string prefix, so /api also matches /apiary; a regex with use-regex)' : ''}; results differ between controllers.`, `Prefer Prefix or Exact unless you need regex paths: kubectl -n ${ns} edit ingress ${name}`);
        }
      }
    }
    const defaultBackend = ing.spec?.defaultBackend ? resolve(ing.spec.defaultBackend, '(default backend)') : undefined;

    for (const { node, where, svcResult } of byBackend.values()) {
      const places = where.join(', ');
      const edit = `kubectl -n ${ns} edit ingress ${name}`;
      if (node.status === 'RESOURCE') {
        add('KD3011', `resource backend ${node.backend} (${places}) not checked`, `Backends of kind ${node.backend.split('/')[0]} are served by the controller's own extension; kdiag checks only Service backends.`, `kubectl -n ${ns} get ${node.backend.split('/')[0]!.toLowerCase()} ${node.backend.split('/')[1]}`);
      } else if (node.status === 'NO SERVICE') {
        const names = snapshot.services.filter((s) => s.metadata?.namespace === ns).map((s) => s.metadata?.name ?? '');
        add('KD3008', `backend Service ${node.service} not found (${places})`, `No Service ${node.service} in namespace ${ns}${names.length ? ` (Services there: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})` : ''}; the controller answers 503 for ${places}.`, `Create the Service, or point the backend at an existing one: ${edit}`);
      } else if (node.status === 'NO PORT') {
        const svc = services.get(key(ns, node.service))!;
        const ports = (svc.spec?.ports ?? []).map((p) => (p.name ? `${p.name}:${p.port}` : String(p.port))).join(', ');
        add('KD3009', `backend ${node.backend}: Service ${node.service} has no port ${node.port} (${places})`, `Service ${ns}/${node.service} has ports ${ports || '(none)'}; the backend names port ${/^\d+$/.test(node.port ?? '') ? 'number' : 'name'} ${node.port}, so the controller cannot route ${places}.`, `Use one of the Service's ports (${ports}) in the backend: ${edit}`);
      } else if (node.status === 'NO ENDPOINTS') {
        const cause = svcResult?.findings[0];
        add(
          'KD3010',
          `backend ${node.backend} has no ready endpoints (${places}): ${node.cause}`,
          cause ? cause.cause : `Service ${ns}/${node.service} has ${node.total} endpoint(s), none ready on port ${node.port}; the controller answers 503 for ${places}.`,
          cause ? cause.fix : `kdiag endpoints ${node.service} -n ${ns}`,
        );
      }
    }
    const serviceBackends = [...byBackend.values()].filter((b) => b.node.kind === 'service');
    const backends = { ready: serviceBackends.filter((b) => b.node.status === 'OK' || b.node.status === 'EXTERNAL').length, total: serviceBackends.length };

    // --- TLS --------------------------------------------------------------------------------
    const tlsEntries = ing.spec?.tls ?? [];
    const ruleHosts = hosts.map((h) => h.host).filter((h) => h !== '*');
    const secretResults: TlsSecretSummary[] = [];
    let tlsStatus: IngressResult['tls']['status'] = tlsEntries.length ? 'ok' : 'none';
    if (tlsEntries.length && tlsUnavailable) {
      tlsStatus = 'skipped';
      if (!tlsSkipReported) {
        tlsSkipReported = true;
        global.push(
          finding('KD3030', ref, {
            message: `${name}: TLS check skipped: Secrets cannot be read`,
            cause: `kdiag could not list Secrets (${tlsUnavailable}); certificates of every Ingress with TLS were not checked.`,
            fix: `Grant list and get on secrets in namespace ${ns} (see deploy/rbac.yaml), or run as a user who may read them.`,
          }),
        );
      }
    }
    const tlsByHost = new Map<string, HostTls>();
    for (const entry of tlsStatus === 'skipped' ? [] : tlsEntries) {
      const entryHosts = entry.hosts?.length ? entry.hosts : ruleHosts;
      if (!entry.secretName) continue; // the controller's default certificate
      const k = key(ns, entry.secretName);
      const secret = tlsSecrets.get(k) ?? otherSecrets.get(k);
      const readError = inputs.secretErrors?.[k];
      let result: TlsSecretResult;
      if (!secret && readError) {
        result = { secretName: entry.secretName, status: 'skipped', summary: 'not readable', problems: [], uncoveredHosts: [] };
        add('KD3030', `TLS secret ${entry.secretName} not checked`, `Secret ${k} could not be read: ${readError}.`, `Grant get on secrets in namespace ${ns}.`);
      } else {
        result = checkTlsSecret({ namespace: ns, ingress: name, secretName: entry.secretName, secret, hosts: entryHosts, now: snapshot.now, warnDays });
        if (!secret && !inputs.secretsLookedUp) {
          result.problems[0]!.cause = `No Secret of type kubernetes.io/tls named ${entry.secretName} exists in namespace ${ns} (a Secret of another type was not looked for); the controller serves its default certificate for ${entryHosts.join(', ') || 'these hosts'}.`;
        }
        for (const p of result.problems) add(p.code, p.message, p.cause, p.fix);
      }
      const { problems: _p, uncoveredHosts: _u, ...summary } = result;
      secretResults.push({ ...summary, hosts: entryHosts });
      for (const h of entryHosts) {
        if (!tlsByHost.has(h)) tlsByHost.set(h, { secretName: result.secretName, status: result.status, summary: result.summary, daysLeft: result.daysLeft, certificate: result.certificate });
      }
    }
    if (tlsEntries.length && tlsStatus !== 'skipped') {
      for (const h of hosts) {
        if (h.host === '*') continue;
        const exact = tlsByHost.get(h.host);
        const wildcard = exact ? undefined : [...tlsByHost.entries()].find(([t]) => t.startsWith('*.') && hostMatches(t, h.host))?.[1];
        h.tls = exact ?? wildcard;
        if (!h.tls && tlsEntries.some((t) => t.hosts?.length)) {
          add('KD3029', `host ${h.host} is served without TLS`, `The Ingress has TLS for ${[...tlsByHost.keys()].join(', ') || 'other hosts'} but no tls[] entry lists ${h.host}; it is served over plain HTTP (or with the controller's default certificate).`, `Add ${h.host} to a tls[].hosts entry with a Secret whose certificate covers it: kubectl -n ${ns} edit ingress ${name}`);
        }
      }
      const statuses = secretResults.map((s) => s.status);
      tlsStatus = statuses.includes('problem') ? 'problem' : statuses.includes('expiring') ? 'expiring' : statuses.includes('skipped') ? 'skipped' : 'ok';
    }
    const days = secretResults.map((s) => s.daysLeft).filter((d): d is number => d !== undefined);
    const minDaysLeft = days.length ? Math.min(...days) : undefined;
    const tlsSummary =
      tlsStatus === 'none' ? '-'
      : tlsStatus === 'skipped' ? 'skipped'
      : tlsStatus === 'ok' ? 'ok'
      : tlsStatus === 'expiring' ? `expires in ${minDaysLeft} d`
      : (secretResults.find((s) => s.status === 'problem')?.summary ?? 'problem');

    // --- cert-manager ----------------------------------------------------------------------
    const clusterIssuer = annotations[CLUSTER_ISSUER_ANNOTATION];
    const issuer = annotations[ISSUER_ANNOTATION];
    const cm = inputs.certManager;
    if ((clusterIssuer || issuer) && cm) {
      if (cm.unavailable) {
        if (!certManagerReported) {
          certManagerReported = true;
          const absent = cm.unavailable.reason === 'absent';
          global.push(
            finding(absent ? 'KD3034' : 'KD3035', ref, {
              message: absent ? `${name}: cert-manager annotations, but cert-manager is not installed` : `${name}: cert-manager objects could not be read`,
              cause: absent
                ? `Ingress ${ns}/${name} (and possibly others) asks cert-manager for a certificate (${clusterIssuer ? `${CLUSTER_ISSUER_ANNOTATION}: ${clusterIssuer}` : `${ISSUER_ANNOTATION}: ${issuer}`}), but ${cm.unavailable.message}; no certificate will be issued.`
                : `${cm.unavailable.message}; Issuers and Certificates were not checked.`,
              fix: absent ? 'Install cert-manager (https://cert-manager.io/docs/installation/), or remove the annotations and manage the TLS Secret yourself.' : 'Grant list on certificates, issuers and clusterissuers (cert-manager.io).',
            }),
          );
        }
      } else {
        const kindAnno = annotations[ISSUER_KIND_ANNOTATION];
        const group = annotations[ISSUER_GROUP_ANNOTATION];
        const external = group !== undefined && group !== 'cert-manager.io';
        if (!external) {
          const wantCluster = Boolean(clusterIssuer) || kindAnno === 'ClusterIssuer';
          const issuerName = clusterIssuer ?? issuer!;
          const list = wantCluster ? cm.clusterIssuers : cm.issuers.filter((i) => i.metadata?.namespace === ns);
          const kind = wantCluster ? 'ClusterIssuer' : 'Issuer';
          const found = list.find((i) => i.metadata?.name === issuerName);
          if (!found) {
            const names = list.map((i) => i.metadata?.name ?? '');
            add('KD3031', `cert-manager ${kind} ${issuerName} not found`, `The Ingress asks cert-manager to issue its certificate with ${kind} ${issuerName}${wantCluster ? '' : ` in namespace ${ns}`}, which does not exist${names.length ? ` (${kind}s: ${names.join(', ')})` : ''}; no certificate is issued.`, `Create the ${kind} or fix the annotation: kubectl -n ${ns} annotate ingress ${name} --overwrite ${wantCluster ? CLUSTER_ISSUER_ANNOTATION : ISSUER_ANNOTATION}=${names[0] ?? '<issuer>'}`);
          } else {
            const ready = readyCondition(found);
            if (ready?.status !== 'True') {
              add('KD3032', `cert-manager ${kind} ${issuerName} is not Ready`, `${kind} ${issuerName}: Ready=${ready?.status ?? 'Unknown'}${ready?.reason ? ` (${ready.reason})` : ''}${ready?.message ? `: ${ready.message}` : ''}; it issues no certificates until Ready.`, `kubectl describe ${kind.toLowerCase()} ${wantCluster ? '' : `-n ${ns} `}${issuerName}`);
            }
          }
        }
        for (const entry of tlsEntries) {
          if (!entry.secretName) continue;
          const cert = cm.certificates.find((c) => c.metadata?.namespace === ns && (c.spec as { secretName?: string } | undefined)?.secretName === entry.secretName);
          if (!cert) {
            add('KD3033', `no cert-manager Certificate for secret ${entry.secretName}`, `cert-manager's ingress-shim should create a Certificate named ${entry.secretName} for this Ingress; there is none in namespace ${ns} (is cert-manager's controller running, and does it watch this namespace?).`, `kubectl -n cert-manager logs deploy/cert-manager | grep ${name}; kubectl -n ${ns} describe ingress ${name}`);
          } else {
            const ready = readyCondition(cert);
            if (ready?.status !== 'True') {
              add('KD3033', `cert-manager Certificate ${cert.metadata?.name} is not Ready`, `Certificate ${ns}/${cert.metadata?.name} (secret ${entry.secretName}): Ready=${ready?.status ?? 'Unknown'}${ready?.reason ? ` (${ready.reason})` : ''}${ready?.message ? `: ${ready.message}` : ''}.`, `kubectl -n ${ns} describe certificate ${cert.metadata?.name}; kubectl -n ${ns} get certificaterequests,orders,challenges`);
            }
          }
        }
      }
    }

    // --- Annotations -------------------------------------------------------------------------
    findings.push(...annotationFindings(ing, nginx));

    results.push({
      namespace: ns,
      name,
      class: className,
      classSource: className ? classSource : 'none',
      controller,
      controllerStatus,
      address,
      hosts: hosts.map((h) => h.host),
      tls: { status: tlsStatus, summary: tlsSummary, minDaysLeft, secrets: secretResults },
      backends,
      status: 'OK',
      tree: { hosts, defaultBackend },
      findings,
    });
  }

  // --- The same host+path in two Ingresses of one class (ingress-nginx: the oldest wins) ----
  const owners = new Map<string, V1Ingress[]>();
  for (const ing of ingresses) {
    const cls = effectiveClass.get(ing);
    if (!cls) continue;
    const seen = new Set<string>();
    for (const rule of ing.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const k = `${cls}|${rule.host || '*'}|${p.path || '/'}|${p.pathType ?? 'ImplementationSpecific'}`;
        if (seen.has(k)) continue;
        seen.add(k);
        owners.set(k, [...(owners.get(k) ?? []), ing]);
      }
    }
  }
  for (const [k, list] of owners) {
    if (list.length < 2) continue;
    const [cls, host, path, pathType] = k.split('|');
    const sorted = [...list].sort(byAge);
    const winner = sorted[0]!;
    for (const loser of sorted.slice(1)) {
      const result = results.find((r) => r.namespace === loser.metadata?.namespace && r.name === loser.metadata?.name)!;
      const ref: ObjectRef = { kind: 'Ingress', namespace: result.namespace, name: result.name };
      result.findings.push(
        finding('KD3015', ref, {
          message: `${result.name}: ${host}${path} (${pathType}) is also served by Ingress ${winner.metadata?.namespace}/${winner.metadata?.name}`,
          cause: `Ingresses ${winner.metadata?.namespace}/${winner.metadata?.name} and ${result.namespace}/${result.name} of class ${cls} both route host ${host} path ${path}; ingress-nginx uses the older one (${winner.metadata?.name}) and ignores the other's rule.`,
          fix: `Keep the route in one Ingress: remove it from one of them (kubectl -n ${result.namespace} edit ingress ${result.name}).`,
        }),
      );
    }
  }

  results.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  for (const r of results) {
    const worst = Math.max(0, ...r.findings.map((f) => severityRank(f.severity)));
    r.status = worst >= severityRank('error') ? 'ERROR' : worst >= severityRank('warning') ? 'WARNING' : 'OK';
  }
  return { ingresses: results, global, findings: [...global, ...results.flatMap((r) => r.findings)] };
}

export const ingressCheck: Check = {
  id: 'ingress',
  title: 'Ingress routing and TLS',
  requires: ['ingresses', 'services', 'endpointslices', 'pods'],
  // IngressClasses are cluster-scoped: without them every rule but the class checks still runs.
  optional: ['tlssecrets', 'ingressclasses'],
  extras: ['controllerPods'],
  skippedWithout: {
    ingressclasses: 'IngressClass checks (KD3001-KD3003) and whether the class\'s controller runs (KD3004)',
    'controller-pods': 'whether the Ingress controller\'s Pods in other namespaces run (KD3004)',
  },
  run: (snapshot, options) =>
    analyzeIngresses(snapshot, options, { controllerPods: snapshot.controllerPods, controllerPodsUnavailable: snapshot.controllerPodsUnavailable }).findings,
};
