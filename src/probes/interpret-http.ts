// Reads what the curl probe printed (one `result` line per target with curl's -w
// variables, and the first bytes of each HTTP body) and explains each failure with what
// kdiag knows about the target: its endpoints, its ports, the NetworkPolicies around it.
import { analyzeService, indexEndpoints } from '../checks/endpoints.js';
import { finding, fixSpecOf } from '../checks/lib/finding.js';
import { isPodReady, namedPorts } from '../checks/lib/pods.js';
import { cmd, fix, joinFixes, kubectl, kubectlApply, manifest, type FixSpec, type Manifest } from '../report/fix.js';
import { sanitize } from '../report/render.js';
import type { Finding, ObjectRef } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { buildContext } from '../netpol/explain.js';
import { podEndpoint } from '../netpol/policy.js';
import { egressTo, ingressFrom, podsBehind, probeEndpoint, type PolicyVerdict } from './explain.js';
import type { ProbeTarget } from './plan.js';

export type CurlOutcome = 'ok' | 'client-error' | 'server-error' | 'connected' | 'refused' | 'timeout' | 'dns' | 'tls' | 'reset' | 'error';

export interface Timings {
  dnsMs: number;
  connectMs: number;
  tlsMs: number;
  firstByteMs: number;
  totalMs: number;
}

export interface CurlResult {
  index: number;
  exitCode: number;
  httpCode: number;
  remoteIp?: string;
  remotePort?: number;
  timings: Timings;
  error?: string;
  /** First bytes of the HTTP body, control characters removed. */
  body?: string;
  outcome: CurlOutcome;
  /** The TCP connection opened (time_connect > 0). */
  connected: boolean;
}

const ms = (s: string | undefined) => Math.round(Number(s ?? '0') * 1000 * 10) / 10;

/** Classifies one curl run. TCP (telnet://) targets send nothing: connected means time_connect > 0. */
export function classify(mode: 'http' | 'tcp', exitCode: number, httpCode: number, connected: boolean): CurlOutcome {
  if (mode === 'tcp') {
    if (connected && [0, 28, 52, 56].includes(exitCode)) return 'connected';
    if (exitCode === 7) return 'refused';
    if (exitCode === 28) return 'timeout';
    if (exitCode === 6) return 'dns';
    return connected ? 'connected' : 'error';
  }
  if (exitCode === 0 || exitCode === 63) {
    if (httpCode >= 500) return 'server-error';
    if (httpCode >= 400) return 'client-error';
    return 'ok';
  }
  if (exitCode === 7) return 'refused';
  if (exitCode === 28) return 'timeout';
  if (exitCode === 6) return 'dns';
  if ([35, 51, 53, 54, 58, 59, 60, 66, 77, 80, 83, 90, 91].includes(exitCode)) return 'tls';
  if (exitCode === 52 || exitCode === 56) return 'reset';
  return 'error';
}

/** Splits the curl probe's log (see CURL_SCRIPT); `targets` are the probed ones, in order. */
export function parseCurlProbeLog(log: string, nonce: string, targets: readonly Pick<ProbeTarget, 'mode'>[]): CurlResult[] {
  const marker = `KDIAG${nonce} `;
  const results = new Map<number, CurlResult>();
  for (const line of log.split('\n')) {
    const at = line.indexOf(marker);
    if (at < 0) continue;
    const fields = line.slice(at + marker.length).split(' ');
    if (fields[0] === 'result') {
      const [, idx, exit, code, ip, port, tn, tc, ta, ts, tt, ...err] = fields;
      const index = Number(idx);
      const exitCode = Number(exit);
      const httpCode = Number(code);
      const connect = ms(tc);
      const lookup = ms(tn);
      const tls = Number(ta) > 0 ? ms(ta) : 0;
      const start = ms(ts);
      const mode = targets[index]?.mode ?? 'http';
      const connected = Number(tc) > 0;
      results.set(index, {
        index,
        exitCode,
        httpCode,
        ...(ip ? { remoteIp: ip } : {}),
        ...(port && Number(port) > 0 ? { remotePort: Number(port) } : {}),
        timings: {
          dnsMs: lookup,
          connectMs: connected ? Math.max(0, Math.round((connect - lookup) * 10) / 10) : 0,
          tlsMs: tls ? Math.max(0, Math.round((tls - connect) * 10) / 10) : 0,
          firstByteMs: start ? Math.max(0, Math.round((start - Math.max(tls, connect)) * 10) / 10) : 0,
          // A TCP check holds the connection open until its timeout: its time is the connect.
          totalMs: mode === 'tcp' && connected ? connect : ms(tt),
        },
        ...(err.join(' ').trim() ? { error: sanitize(err.join(' ').trim()) } : {}),
        outcome: classify(mode, exitCode, httpCode, connected),
        connected,
      });
    } else if (fields[0] === 'body') {
      const index = Number(fields[1]);
      const r = results.get(index);
      const body = sanitize(fields.slice(2).join(' ')).trim();
      if (r && body) r.body = body;
    }
  }
  return [...results.values()].sort((a, b) => a.index - b.index);
}

/** Who answered, when the backend says so in its body (JSON with pod/hostname/ip). */
export function answeredBy(body: string | undefined): string | undefined {
  if (!body) return undefined;
  const pod = /"(?:pod|podName|pod_name|hostname|host)"\s*:\s*"([^"]{1,100})"/.exec(body)?.[1];
  const ip = /"(?:ip|podIP|pod_ip)"\s*:\s*"([^"]{1,64})"/.exec(body)?.[1];
  if (!pod && !ip) return undefined;
  return [pod, ip].filter(Boolean).join(' ');
}

// ---------------------------------------------------------------- explanation

export interface ConnectivityRow {
  target: string;
  mode: 'http' | 'tcp';
  url: string;
  status: string;
  outcome: CurlOutcome | 'not-run';
  httpCode?: number;
  remoteIp?: string;
  answeredBy?: string;
  timings?: Timings;
  error?: string;
}

export interface ConnectivityInput {
  targets: readonly ProbeTarget[];
  results: readonly CurlResult[];
  /** Services, EndpointSlices, Pods, NetworkPolicies and Namespaces of the source and destination namespaces. */
  snapshot: Snapshot;
  source: { namespace: string; labels: Record<string, string> };
}

export interface ConnectivityAnalysis {
  rows: ConnectivityRow[];
  findings: Finding[];
}

function statusText(r: CurlResult, mode: 'http' | 'tcp'): string {
  switch (r.outcome) {
    case 'ok':
    case 'client-error':
    case 'server-error':
      return `HTTP ${r.httpCode}`;
    case 'connected':
      return 'CONNECTED';
    case 'refused':
      return 'REFUSED';
    case 'timeout':
      return 'TIMEOUT';
    case 'dns':
      return 'DNS FAILURE';
    case 'tls':
      return 'TLS FAILURE';
    case 'reset':
      return mode === 'http' ? 'EMPTY/RESET' : 'RESET';
    default:
      return `ERROR (curl ${r.exitCode})`;
  }
}

export function analyzeConnectivity(input: ConnectivityInput): ConnectivityAnalysis {
  const { targets, results, snapshot, source } = input;
  const index = indexEndpoints(snapshot);
  const findings: Finding[] = [];
  const probed = targets.filter((t) => !t.unresolved);
  const rows: ConnectivityRow[] = [];
  for (const t of targets) {
    const ref: ObjectRef = t.service
      ? { kind: 'Service', namespace: t.service.namespace, name: t.service.name }
      : t.pod
        ? { kind: 'Pod', namespace: t.pod.namespace, name: t.pod.name }
        : t.subject
          ? { ...t.subject }
          : { kind: 'Target', name: t.label };
    if (t.unresolved) {
      rows.push({ target: t.label, mode: t.mode, url: t.url, status: 'NOT FOUND', outcome: 'not-run', error: t.unresolved });
      findings.push(
        finding('KD5038', ref, {
          message: `${ref.name}: ${t.unresolved}`,
          cause: `kdiag could not turn "${t.label}" into an address and port, so it was not probed.`,
          fix: t.unresolved.includes('similar')
            ? fix`${cmd('kdiag', 'connectivity', /similar: ([^,)]+)/.exec(t.unresolved)?.[1] ?? t.label)}`
            : fix`${kubectl('get', 'services,pods', '-A', '--field-selector', `metadata.name=${ref.name}`)}`,
        }),
      );
      continue;
    }
    const r = results[probed.indexOf(t)] ?? results.find((x) => x.index === probed.indexOf(t));
    if (!r) {
      rows.push({ target: t.label, mode: t.mode, url: t.url, status: 'NO RESULT', outcome: 'error', error: 'the probe printed no result for this target' });
      continue;
    }
    const by = answeredBy(r.body);
    rows.push({
      target: t.label,
      mode: t.mode,
      url: t.url,
      status: statusText(r, t.mode),
      outcome: r.outcome,
      ...(r.httpCode ? { httpCode: r.httpCode } : {}),
      ...(r.remoteIp ? { remoteIp: r.remoteIp } : {}),
      ...(by ? { answeredBy: by } : {}),
      timings: r.timings,
      ...(r.error && !['ok', 'connected'].includes(r.outcome) ? { error: r.error } : {}),
    });
    const f = explain(t, r, ref, snapshot, index, source);
    if (f) findings.push(f);
  }
  return { rows, findings };
}

interface PolicyFixInput {
  name: string;
  label: string;
  source: ConnectivityInput['source'];
  destNs: string;
  port: number | string;
  selector: Record<string, string>;
  ingress: boolean;
  egress: boolean;
}

/** Policies that let the probed client in (at the destination) and out (at the source), as data. */
function allowPolicies(a: PolicyFixInput): FixSpec {
  const port = typeof a.port === 'number' || !/^\d+$/.test(a.port) ? a.port : Number(a.port);
  const podSelector = Object.keys(a.selector).length ? { matchLabels: { ...a.selector } } : {};
  const client = Object.fromEntries(Object.entries(a.source.labels).filter(([k]) => k !== 'app.kubernetes.io/managed-by' && !k.startsWith('kdiag.dev/')));
  const asWorkload = Object.keys(client).length > 0;
  const clientSelector = { matchLabels: asWorkload ? client : { 'CLIENT-LABEL': 'VALUE' } };
  const nsSelector = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });
  const policies: Manifest[] = [];
  const meta = (name: string, namespace: string) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace } });
  if (a.ingress) {
    policies.push({
      ...meta(`allow-from-${a.source.namespace}`, a.destNs),
      spec: {
        podSelector,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: nsSelector(a.source.namespace), podSelector: clientSelector }], ports: [{ port }] }],
      },
    });
  }
  if (a.egress) {
    policies.push({
      ...meta(`allow-to-${a.name}`, a.source.namespace),
      spec: {
        podSelector: clientSelector,
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: nsSelector(a.destNs), podSelector }], ports: [{ port }] }],
      },
    });
  }
  if (asWorkload) return joinFixes([fix`If this client should reach ${a.name}, add a policy:`, ...policies.map((p) => fix`${kubectlApply(p)}`)]);
  return joinFixes([
    fix`First test as the real client, whose labels the policies may allow: ${cmd('kdiag', 'connectivity', a.label, '--from', 'NAMESPACE/POD')}. If it is blocked too and should not be, add a policy with the client's labels in place of CLIENT-LABEL: VALUE:`,
    joinFixes(
      policies.map((p) => fix`${manifest(p)}`),
      '\n---\n',
    ),
  ]);
}

function explain(
  t: ProbeTarget,
  r: CurlResult,
  ref: ObjectRef,
  snapshot: Snapshot,
  index: ReturnType<typeof indexEndpoints>,
  source: ConnectivityInput['source'],
): Finding | undefined {
  const name = ref.name;
  const svc = t.service ? snapshot.services.find((s) => s.metadata?.namespace === t.service!.namespace && s.metadata?.name === t.service!.name) : undefined;
  const analysed = svc ? analyzeService(svc, index) : undefined;
  const where = `${t.mode === 'http' ? t.url : `${t.host}:${t.port}`}`;
  const noEndpoints = analysed && analysed.status === 'NO ENDPOINTS' && svc?.spec?.type !== 'ExternalName';
  switch (r.outcome) {
    case 'ok':
    case 'connected':
      return undefined;
    case 'dns':
      return finding('KD5035', ref, {
        message: `${name}: ${t.host} does not resolve from the probe pod`,
        cause: `curl could not resolve ${t.host} (${r.error ?? 'exit 6'}).`,
        fix: fix`${t.service ? cmd('kdiag', 'dns', t.service.name, '-n', t.service.namespace) : cmd('kdiag', 'dns', t.host)}`,
      });
    case 'tls':
      return finding('KD5036', ref, {
        message: `${name}: the TLS handshake with ${where} failed`,
        cause: `${r.error ?? `curl exit ${r.exitCode}`}. The port may not speak TLS (use http://), or the server's TLS configuration is broken.`,
        fix: fix`${cmd('kdiag', 'connectivity', `http://${t.host}:${t.port}`, ...(t.service ? ['-n', t.service.namespace] : []))}`,
      });
    default:
      break;
  }
  if (noEndpoints && (r.outcome === 'refused' || r.outcome === 'timeout' || r.outcome === 'reset' || r.outcome === 'server-error' || r.outcome === 'error')) {
    const cause = analysed!.findings[0];
    return finding('KD5032', ref, {
      message: `${name}: ${where} failed (${statusText(r, t.mode)}): the Service has no ready endpoints (${analysed!.cause ?? 'none'})`,
      cause: `${cause?.cause ?? analysed!.cause ?? ''} With no ready endpoint a ClusterIP connection is refused (kube-proxy rejects it) or times out.`.trim(),
      fix: cause ? fixSpecOf(cause) : fix`${cmd('kdiag', 'endpoints', name, '-n', ref.namespace ?? '')}`,
    });
  }
  const pods = svc ? podsBehind(svc, snapshot) : [];
  const readyPods = pods.filter(isPodReady);
  if (r.outcome === 'refused' || r.outcome === 'timeout') {
    if (r.outcome === 'timeout' && r.connected && t.mode === 'http') {
      return finding('KD5031', ref, {
        message: `${name}: ${where} accepted the connection but sent no HTTP answer in time`,
        cause: `The TCP connection to ${r.remoteIp ?? t.host} opened in ${r.timings.connectMs} ms (so no NetworkPolicy blocks it), then nothing came back: the application hangs, or the port does not speak HTTP.`,
        fix: fix`${cmd('kdiag', 'connectivity', t.label, '--tcp')}; read the logs of the pods behind it`,
      });
    }
    const ctx = buildContext(snapshot);
    const src = probeEndpoint(source.namespace, source.labels);
    const destPods = t.pod
      ? snapshot.pods.filter((p) => p.metadata?.namespace === t.pod!.namespace && p.metadata?.name === t.pod!.name)
      : readyPods.length
        ? readyPods
        : pods;
    // Which policies block, and for which destination pods (one line per policy set and direction).
    const byVerdict = new Map<string, { direction: 'egress' | 'ingress'; policies: string[]; allowed: PolicyVerdict['allowed']; pods: string[] }>();
    const blocking: string[] = [];
    let ingressBlocked = false;
    let egressBlocked = false;
    for (const p of destPods.slice(0, 5)) {
      const dest = podEndpoint(p);
      // The port the pod receives: the Service's targetPort, a name resolved on this pod.
      const target = t.service ? t.service.targetPort : t.port;
      const portForPolicy = typeof target === 'number' ? target : /^\d+$/.test(target) ? Number(target) : namedPorts(p).get(target)?.port;
      if (portForPolicy === undefined) continue;
      const verdicts = { egress: egressTo(ctx, src, dest, portForPolicy), ingress: ingressFrom(ctx, dest, src, portForPolicy) };
      for (const direction of ['egress', 'ingress'] as const) {
        const v = verdicts[direction];
        if (v.allowed === true || v.isolating.length === 0) continue;
        if (direction === 'ingress') ingressBlocked = true;
        else egressBlocked = true;
        const key = `${direction}|${v.isolating.join(',')}`;
        const entry = byVerdict.get(key) ?? { direction, policies: v.isolating, allowed: v.allowed, pods: [] };
        entry.pods.push(p.metadata?.name ?? '');
        byVerdict.set(key, entry);
        for (const n of v.isolating) if (!blocking.includes(n)) blocking.push(n);
      }
    }
    const verb = r.outcome === 'refused' ? 'refused' : 'timed out';
    if (blocking.length) {
      const sourceText = `the probe pod (namespace ${source.namespace}, labels ${Object.entries(source.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')})`;
      const reasons = [...byVerdict.values()].map((e) => {
        const list = e.policies.map((n) => `NetworkPolicy ${n}`).join(', ');
        const who = e.direction === 'egress' ? sourceText : `the destination pod${e.pods.length > 1 ? 's' : ''} ${e.pods.join(', ')}`;
        return `${e.direction}: ${list} ${e.policies.length > 1 ? 'select' : 'selects'} ${who} and no rule ${e.allowed === 'maybe' ? 'except an ipBlock ' : ''}allows this connection`;
      });
      const policyFix = allowPolicies({
        name,
        label: t.label,
        source,
        destNs: ref.namespace ?? source.namespace,
        port: t.service?.targetPort ?? t.port,
        selector: svc?.spec?.selector ?? (t.pod ? destPods[0]?.metadata?.labels : undefined) ?? {},
        ingress: ingressBlocked,
        egress: egressBlocked,
      });
      return finding('KD5039', ref, {
        message: `${name}: connection to ${where} ${verb}: blocked by NetworkPolicy ${blocking.join(', ')}`,
        cause: `${reasons.join('; ')}. Depending on the network plugin a denied connection is dropped (timeout) or rejected (refused).`,
        fix: policyFix,
      });
    }
    if (r.outcome === 'refused') {
      const declared = [...new Set(readyPods.flatMap((p) => [...namedPorts(p).entries()].map(([n, v]) => `${n}=${v.port}`)))];
      const containerPorts = [...new Set(readyPods.flatMap((p) => (p.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((cp) => cp.containerPort))))];
      const targetPort = t.service?.targetPort ?? String(t.port);
      return finding('KD5030', ref, {
        message: `${name}: connection to ${where} refused`,
        cause: t.service
          ? `Service port ${t.service.port} forwards to targetPort ${targetPort} of ${readyPods.length} ready pod(s) (${readyPods.map((p) => p.metadata?.name).join(', ') || 'none'}), and nothing accepted the connection there. The pods declare container ports ${containerPorts.join(', ') || 'none'}${declared.length ? ` (named: ${declared.join(', ')})` : ''}: the process may listen on another port or only on 127.0.0.1, or a firewall rejects it.`
          : `Nothing listens on ${t.host}:${t.port}, or a firewall rejects the connection.`,
        fix: t.service
          ? fix`Set targetPort to the port the container listens on: ${kubectl('-n', t.service.namespace, 'edit', 'service', t.service.name)}`
          : fix`Check the port: ${kubectl('get', 'pods', '-A', '-o', 'wide', '--field-selector', `status.podIP=${t.host}`)}`,
      });
    }
    return finding('KD5031', ref, {
      message: `${name}: connection to ${where} timed out`,
      cause: `No NetworkPolicy kdiag can read explains it: ${readyPods.length ? `the Service has ${readyPods.length} ready pod(s)` : 'the destination'} did not answer within the timeout. Suspect a policy in a namespace kdiag cannot read, a cloud firewall, a node-to-node network problem, or a pod too busy to accept.`,
      fix: fix`${kubectl('get', 'networkpolicy', '-A')}; ${kubectl(...(ref.namespace ? ['-n', ref.namespace] : ['-A']), 'get', 'pods', '-o', 'wide')}`,
    });
  }
  if (r.outcome === 'server-error' || r.outcome === 'client-error') {
    const behind = readyPods.map((p) => `${p.metadata?.name} (${p.status?.podIP ?? '?'}, node ${p.spec?.nodeName ?? '?'})`);
    const by = answeredBy(r.body);
    return finding(r.outcome === 'server-error' ? 'KD5033' : 'KD5034', ref, {
      message: `${name}: ${where} answered HTTP ${r.httpCode}`,
      cause: `${r.outcome === 'server-error' ? 'The application failed the request' : 'The application rejected the request (wrong path, method or missing auth)'}${by ? `; the answer came from ${by}` : ''}.${behind.length ? ` Pods behind the Service: ${behind.join(', ')}.` : ''}${r.body ? ` Body: ${r.body.slice(0, 160)}` : ''}`,
      fix: t.service
        ? fix`${kubectl(
            '-n',
            t.service.namespace,
            'logs',
            '-l',
            Object.entries(svc?.spec?.selector ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(','),
            '--tail=50',
          )}${r.outcome === 'client-error' ? ` (or try another --path)` : ''}`
        : 'Check the server logs',
    });
  }
  return finding('KD5037', ref, {
    message: `${name}: ${where} ${r.outcome === 'reset' ? 'closed the connection without an answer' : `failed (curl exit ${r.exitCode})`}`,
    cause:
      `${r.error ?? ''}${t.mode === 'http' ? ' The port may not speak HTTP (use --tcp for a plain connect test), or the server crashed while answering.' : ''}`.trim(),
    fix:
      t.mode === 'http'
        ? fix`${cmd('kdiag', 'connectivity', t.label, '--tcp')}`
        : t.service && svc?.spec?.selector
          ? fix`Read the logs of the pods behind it: ${kubectl(
              '-n',
              t.service.namespace,
              'logs',
              '-l',
              Object.entries(svc.spec.selector)
                .map(([k, v]) => `${k}=${v}`)
                .join(','),
              '--tail=50',
            )}`
          : 'Read the logs of the server behind it.',
  });
}
