// `kdiag trace URL --probe`: sends the request from a pod that imitates the traffic's source
// (the ingress controller's namespace and labels) to the backend Service, under the probe
// engine's safety rules, and turns the answer into one more hop.
import type { V1IngressClass, V1Service } from '@kubernetes/client-node';
import { profileForGatewayController, profileForIngressController } from '../checks/data/controllers.js';
import { finding } from '../checks/lib/finding.js';
import { formatMap, matchesMap } from '../checks/lib/labels.js';
import { isPodReady } from '../checks/lib/pods.js';
import type { ClusterClient } from '../cluster/client.js';
import { fix, kubectl } from '../report/fix.js';
import type { Finding } from '../report/types.js';
import { certificateProblem, compareAnswer, expectAnswer } from '../trace/expect.js';
import type { Hop, HopStatus, TraceResult } from '../trace/trace.js';
import type { TraceRequest } from '../trace/url.js';
import type { Snapshot } from '../snapshot.js';
import { AUTO_SETTLE_SECONDS, executeProbe, podDeadlineSeconds, randomNonce, type ProbeSettings } from './probe-cli.js';
import { parseTarget, planConnectivity } from '../probes/plan.js';
import { DEFAULT_CURL_IMAGE, finishMarker, newRunId, workloadLabelsOf } from '../probes/pod-spec.js';
import { CURL_SCRIPT, REQUEST_SCRIPT } from '../probes/scripts.js';
import type { Observation } from '../trace/expect.js';
import { analyzeCurlProbe, planProbeArgs, unrestrictedRetry } from './differential.js';

export interface TraceProbeInput {
  namespace: string;
  labels: Record<string, string>;
  service: string;
  serviceNamespace: string;
  port: number;
  path: string;
}

export async function probeHop(
  client: ClusterClient,
  snapshot: Snapshot,
  probe: TraceProbeInput,
  settings: ProbeSettings,
  image = DEFAULT_CURL_IMAGE,
): Promise<Hop> {
  const target = `http://${probe.service}.${probe.serviceNamespace}.svc.${settings.clusterDomain}:${probe.port}${probe.path}`;
  const parsed = [parseTarget(target, probe.serviceNamespace, settings.clusterDomain)];
  const targets = planConnectivity(parsed, snapshot, {});
  const diff = planProbeArgs(targets, snapshot);
  const runId = newRunId();
  const nonce = randomNonce();
  const labels = workloadLabelsOf(probe.labels);
  const from = Object.keys(labels).length
    ? `${probe.namespace} with the labels of ${Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`
    : probe.namespace;
  try {
    const run = await executeProbe(
      client,
      {
        kind: 'connectivity',
        runId,
        namespace: probe.namespace,
        image,
        script: CURL_SCRIPT,
        args: [nonce, '5', String(settings.settleSeconds ?? AUTO_SETTLE_SECONDS), ...diff.args],
        finish: finishMarker(nonce, settings.settleSeconds ?? AUTO_SETTLE_SECONDS),
        deadlineSeconds: podDeadlineSeconds(settings.timeoutMs),
        workloadLabels: Object.keys(labels).length ? labels : undefined,
        keep: false,
        command: `kdiag trace --probe ${target}`,
      },
      settings,
      { interactive: false, quiet: true },
    );
    const source = { namespace: probe.namespace, labels: { ...labels } };
    const analysis = await analyzeCurlProbe(client, {
      log: run.log,
      nonce,
      targets,
      extras: diff.extras,
      snapshot,
      source,
      ...(run.node ? { probeNode: run.node } : {}),
      // The backend silent to the controller's stand-in although kdiag predicts allow: ask again from an unrestricted source (KD5046).
      retry: unrestrictedRetry(client, {
        snapshot,
        settings,
        image,
        source: { ...source, workloadLabels: labels, description: `in ${from}` },
        ownLabels: {},
        command: `kdiag trace --probe ${target}`,
        quiet: true,
      }),
    });
    const row = analysis.rows[0];
    const ok = row?.outcome === 'ok' || row?.outcome === 'client-error';
    const detail = `${row?.status ?? 'no result'} from a pod in ${from} → ${target}${row?.answeredBy ? ` (answered by ${row.answeredBy})` : ''}`;
    const dataplane = analysis.findings.find((f) => f.check === 'dataplane');
    return ok
      ? dataplane
        ? { id: 'probe', title: 'Live probe', status: 'warn', detail, explanation: `${dataplane.message}. ${dataplane.cause} Fix: ${dataplane.fix}` }
        : { id: 'probe', title: 'Live probe', status: row?.outcome === 'ok' ? 'ok' : 'warn', detail }
      : {
          id: 'probe',
          title: 'Live probe',
          status: 'fail',
          detail,
          explanation: analysis.findings[0] ? `${analysis.findings[0].cause} Fix: ${analysis.findings[0].fix}` : (row?.error ?? 'the probe got no answer'),
        };
  } catch (err) {
    return {
      id: 'probe',
      title: 'Live probe',
      status: 'fail',
      detail: `the probe pod could not run: ${(err as Error).message.split('\n')[0]}`,
      explanation: 'Run kdiag connectivity with --from-namespace/--from-labels for details.',
    };
  }
}

export interface RequestProbeInput {
  /** Namespace the probe pod runs in. */
  namespace: string;
  url: string;
  host: string;
  port: number;
  /** The controller's address (its Service's ClusterIP) and port. */
  address: string;
  addressPort: number;
}

/** Text from the network (certificate fields, curl's error): no control or bidi characters. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').slice(0, 500);
}

const POD_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Parses REQUEST_SCRIPT's log into what came back (a server wrote part of it: nothing is trusted). */
export function parseRequestLog(log: string, nonce: string, address: string): Observation {
  const marker = `KDIAG${nonce}`;
  const lines = log.split('\n');
  const obs: Observation = { address };
  const result = lines.find((l) => l.startsWith(`${marker} result `));
  if (result) {
    const [exit, code, , , ...err] = result.slice(`${marker} result `.length).split(' ');
    const status = Number(code);
    if (status > 0) obs.status = status;
    if (exit !== '0' || !(status > 0)) obs.error = printable(err.join(' ').trim()) || `curl exit code ${exit}`;
  } else obs.error = 'the probe printed no result';
  const start = lines.findIndex((l) => l === `${marker} certs`);
  const end = lines.findIndex((l) => l === `${marker} endcerts`);
  if (start >= 0 && end > start) {
    const raw = (name: string) =>
      lines
        .slice(start + 1, end)
        .find((l) => l.startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim();
    const field = (name: string) => {
      const v = raw(name);
      return v === undefined ? undefined : printable(v);
    };
    const subject = field('Subject');
    if (subject !== undefined) {
      const sans = (field('X509v3 Subject Alternative Name') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.startsWith('DNS:'))
        .map((s) => s.slice(4));
      const date = (v?: string) => (v && !Number.isNaN(new Date(v).getTime()) ? new Date(v).toISOString() : undefined);
      obs.certificate = {
        subject,
        sans,
        ...(field('Issuer') ? { issuer: field('Issuer') } : {}),
        ...(date(field('Start date')) ? { notBefore: date(field('Start date')) } : {}),
        ...(date(field('Expire date')) ? { notAfter: date(field('Expire date')) } : {}),
      };
    }
  }
  const body = lines.find((l) => l.startsWith(`${marker} body `))?.slice(`${marker} body `.length) ?? '';
  try {
    const pod = (JSON.parse(body) as { pod?: unknown }).pod;
    // Only a name a Pod can have (the body is the server's).
    if (typeof pod === 'string' && POD_NAME.test(pod)) obs.pod = pod;
  } catch {
    // not the test backend's JSON: no pod name
  }
  return obs;
}

/** Sends the URL's request through the controller's address from a probe pod. */
export async function requestProbe(client: ClusterClient, input: RequestProbeInput, settings: ProbeSettings, image = DEFAULT_CURL_IMAGE): Promise<Observation> {
  const nonce = randomNonce();
  const settle = settings.settleSeconds ?? AUTO_SETTLE_SECONDS;
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const run = await executeProbe(
    client,
    {
      kind: 'connectivity',
      runId: newRunId(),
      namespace: input.namespace,
      image,
      script: REQUEST_SCRIPT,
      args: [nonce, '5', String(settle), input.url, `${bracket(input.host)}:${input.port}:${bracket(input.address)}:${input.addressPort}`],
      finish: finishMarker(nonce, settle),
      deadlineSeconds: podDeadlineSeconds(settings.timeoutMs),
      keep: false,
      command: `kdiag trace --probe ${input.url}`,
    },
    settings,
    { interactive: false, quiet: true },
  );
  return parseRequestLog(run.log, nonce, `${input.address}:${input.addressPort}`);
}

/** The controller's Service port for a scheme: by the usual port names, else by number. */
export function controllerServicePort(svc: V1Service, scheme: 'http' | 'https'): number | undefined {
  const names = scheme === 'https' ? ['https', 'websecure'] : ['http', 'web'];
  const ports = svc.spec?.ports ?? [];
  return (ports.find((p) => names.includes(p.name ?? '')) ?? ports.find((p) => p.port === (scheme === 'https' ? 443 : 80)))?.port;
}

/** The Service in front of a controller Pod with a port for the scheme (ClusterIP set). */
export function controllerService(
  services: readonly V1Service[],
  pod: { namespace: string; labels: Record<string, string> },
  scheme: 'http' | 'https',
): { service: V1Service; port: number } | undefined {
  for (const svc of services) {
    if (svc.metadata?.namespace !== pod.namespace || !svc.spec?.selector || !matchesMap(svc.spec.selector, pod.labels)) continue;
    if (!svc.spec.clusterIP || svc.spec.clusterIP === 'None') continue;
    const port = controllerServicePort(svc, scheme);
    if (port !== undefined) return { service: svc, port };
  }
  return undefined;
}

export interface LiveRequestInput {
  result: TraceResult;
  request: TraceRequest;
  /** IngressClasses of the cluster (to find the controller of a host nothing serves). */
  ingressClasses: readonly V1IngressClass[];
  /** --class: the IngressClass whose controller receives a request no rule serves. */
  className?: string;
  now: Date;
}

/** What the controller really answers, compared with the hop where kdiag says the request stops. */
export async function liveRequestHop(
  client: ClusterClient,
  input: LiveRequestInput,
  settings: ProbeSettings,
  image = DEFAULT_CURL_IMAGE,
): Promise<{ hop: Hop; findings: Finding[] }> {
  const { result, request } = input;
  const title = 'Live request';
  const skip = (detail: string) => ({ hop: { id: 'request' as const, title, status: 'info' as const, detail }, findings: [] });
  // Which controller receives the request.
  let entry = result.entry;
  if (!entry) {
    const cls = input.className
      ? input.ingressClasses.find((c) => c.metadata?.name === input.className)
      : input.ingressClasses.find((c) => c.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
    if (!cls)
      return skip(
        input.className
          ? `IngressClass ${input.className} not found: no controller to send the request to`
          : 'no Ingress or Gateway serves the host and no IngressClass is the default: name the controller that should answer with --class',
      );
    entry = { api: 'ingress', controller: cls.spec?.controller, namespace: 'default' };
  }
  const api = entry.api;
  const profile = api === 'ingress' ? profileForIngressController(entry.controller) : profileForGatewayController(entry.controller);
  let pod = entry.pod;
  if (!pod && profile) {
    const pods = (await Promise.all(profile.podLabels.map((l) => client.list('pods', undefined, { labelSelector: formatMap(l) })))).flat().filter(isPodReady);
    if (pods[0]) pod = { namespace: pods[0].metadata?.namespace ?? '', labels: pods[0].metadata?.labels ?? {} };
  }
  if (!pod) return skip(`no ready Pod of controller ${entry.controller ?? '(unknown)'} was found: nothing to send the request to`);
  const scheme = request.scheme === 'https' ? 'https' : 'http';
  const front = controllerService(await client.list('services', pod.namespace), pod, scheme);
  if (!front) return skip(`no Service in ${pod.namespace} selects the controller's Pods with an ${scheme} port`);
  const address = front.service.spec!.clusterIP!;
  const svcName = `${front.service.metadata?.namespace}/${front.service.metadata?.name}`;
  const expected = expectAnswer(result, profile, api, scheme);
  let observed: Observation;
  try {
    observed = await requestProbe(
      client,
      { namespace: entry.namespace, url: request.url, host: request.host, port: request.port, address, addressPort: front.port },
      settings,
      image,
    );
  } catch (err) {
    return { hop: { id: 'request', title, status: 'fail', detail: `the probe pod could not run: ${(err as Error).message.split('\n')[0]}` }, findings: [] };
  }
  const diffs = compareAnswer(expected, observed, request.host, input.now);
  const who = profile?.name ?? entry.controller ?? 'the controller';
  const cert = observed.certificate;
  const certText = cert
    ? `; certificate ${cert.subject}${cert.sans.length ? ` (SANs ${cert.sans.join(', ')})` : ''}${cert.notAfter ? `, expires ${cert.notAfter.slice(0, 10)}` : ''}${certificateProblem(cert, request.host, input.now) ? ` — ${certificateProblem(cert, request.host, input.now)}` : ''}`
    : '';
  const answer = observed.status !== undefined ? `HTTP ${observed.status}` : `no answer (${observed.error ?? 'no response'})`;
  const detail = `${answer} from ${who} at ${svcName} ${observed.address}${request.scheme === 'https' ? ` (SNI ${request.host})` : ''}${observed.pod ? `, answered by pod ${observed.pod}` : ''}${certText}`;
  const predicted = `kdiag predicted: ${expected.stopsAt ? `stops at ${expected.stopsAt}` : 'reaches a Pod'}${expected.status !== undefined ? `, HTTP ${expected.status}` : ''}${expected.certificateValid === false ? ', an invalid certificate' : ''} (${expected.because})`;
  const items = [{ status: (diffs.length ? 'warn' : 'ok') as HopStatus, text: predicted }, ...diffs.map((d) => ({ status: 'warn' as HopStatus, text: d }))];
  if (!diffs.length) return { hop: { id: 'request', title, status: 'ok', detail: `${detail} — as predicted`, items }, findings: [] };
  return {
    hop: { id: 'request', title, status: 'warn', detail: `${detail} — differs from kdiag's prediction`, explanation: diffs.join('; '), items },
    findings: [
      disagreementFinding({ host: request.host, who, answer, observedPod: observed.pod, predicted, diffs, behaviour: profile?.behaviour, controllerPod: pod }),
    ],
  };
}

/** KD6012: the controller's real answer differs from the prediction. */
export function disagreementFinding(d: {
  host: string;
  who: string;
  answer: string;
  observedPod?: string;
  predicted: string;
  diffs: string[];
  behaviour?: string;
  controllerPod: { namespace: string; labels: Record<string, string> };
}): Finding {
  return finding(
    'KD6012',
    { kind: 'URL', name: d.host },
    {
      message: `${d.host}: ${d.who} answered ${d.answer}${d.observedPod ? ` from pod ${d.observedPod}` : ''}, not what kdiag predicted`,
      cause: `${d.predicted}. Observed: ${d.diffs.join('; ')}.${d.behaviour ? ` ${d.behaviour}` : ''} A difference means the cluster does not work the way its objects say: the controller may not have loaded them yet, may read them differently, or something in front of the Pods answers instead.`,
      fix: fix`Compare with what the controller logged for this request: ${kubectl('-n', d.controllerPod.namespace, 'logs', '-l', formatMap(d.controllerPod.labels), '--tail', '50')}`,
    },
  );
}
