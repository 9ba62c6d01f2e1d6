// Planning (pure): what a probe asks, and what kdiag expects the answer to be, from the
// user's words and a snapshot. Nothing here talks to the cluster.
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { analyzeService, indexEndpoints } from '../checks/endpoints.js';
import { UsageError } from '../errors.js';
import type { Snapshot } from '../snapshot.js';
import { dnsLabel, dnsSubdomain, port as validPort, probeHost, urlPath } from '../validate.js';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

// ---------------------------------------------------------------- DNS

export type DnsSubject =
  | { kind: 'service'; namespace: string; service: string }
  | { kind: 'pod'; namespace: string; service: string; hostname: string }
  | { kind: 'external'; name: string };

export type QueryForm = 'short' | 'namespaced' | 'fqdn' | 'as-given' | 'absolute';

export interface DnsQuery {
  query: string;
  form: QueryForm;
  /** False when the name is not expected to resolve from the probe's namespace (a short name of another namespace). */
  expectResolve: boolean;
}

export interface DnsExpectation {
  /** What kdiag compares the answers with, in words. */
  description: string;
  /** Addresses the answer should consist of (empty: not known). */
  addresses: string[];
  /** ExternalName Services: the CNAME target. */
  cname?: string;
  /** The Service (or pod) does not exist. */
  missing?: string;
  /** Services in the namespace with a name like the one asked (for NXDOMAIN). */
  similar: string[];
}

export interface DnsPlan {
  input: string;
  subject: DnsSubject;
  probeNamespace: string;
  clusterDomain: string;
  queries: DnsQuery[];
}

/**
 * Reads NAME: `svc`, `svc.ns`, `pod.svc` (a StatefulSet pod behind a headless Service of
 * `namespace`), `…svc.<domain>` or any other DNS name. `servicesInNamespace` decides
 * `a.b`: when `b` is a Service of the namespace it is `pod.svc`, else `svc.ns`.
 */
export function parseDnsName(input: string, namespace: string, clusterDomain: string, servicesInNamespace: readonly string[] = []): DnsSubject {
  probeHost(input, 'name');
  const bare = input.replace(/\.$/, '');
  const parts = bare.split('.');
  const suffix = `.svc.${clusterDomain}`;
  if (bare.endsWith(suffix)) {
    const inner = bare.slice(0, -suffix.length).split('.');
    if (inner.length === 2) return { kind: 'service', service: dnsLabel(inner[0]!, 'Service name'), namespace: dnsLabel(inner[1]!, 'namespace') };
    if (inner.length === 3)
      return { kind: 'pod', hostname: inner[0]!, service: dnsLabel(inner[1]!, 'Service name'), namespace: dnsLabel(inner[2]!, 'namespace') };
    return { kind: 'external', name: input };
  }
  if (input.endsWith('.') || /^\d+\.\d+\.\d+\.\d+$/.test(bare)) return { kind: 'external', name: input };
  if (parts.length === 1) return { kind: 'service', service: dnsLabel(parts[0]!, 'Service name'), namespace };
  if (parts.length === 2 && parts.every((p) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p) && p.length <= 63)) {
    if (servicesInNamespace.includes(parts[1]!)) return { kind: 'pod', hostname: parts[0]!, service: parts[1]!, namespace };
    return { kind: 'service', service: parts[0]!, namespace: parts[1]! };
  }
  return { kind: 'external', name: input };
}

/** The namespace whose objects explain the answer (undefined for external names). */
export function subjectNamespace(subject: DnsSubject): string | undefined {
  return subject.kind === 'external' ? undefined : subject.namespace;
}

export function planDns(input: string, subject: DnsSubject, probeNamespace: string, clusterDomain = DEFAULT_CLUSTER_DOMAIN): DnsPlan {
  const queries: DnsQuery[] = [];
  if (subject.kind === 'external') {
    const bare = subject.name.replace(/\.$/, '');
    if (!subject.name.endsWith('.')) queries.push({ query: bare, form: 'as-given', expectResolve: true });
    queries.push({ query: `${bare}.`, form: 'absolute', expectResolve: true });
  } else {
    const base = subject.kind === 'pod' ? `${subject.hostname}.${subject.service}` : subject.service;
    queries.push({ query: base, form: 'short', expectResolve: probeNamespace === subject.namespace });
    queries.push({ query: `${base}.${subject.namespace}`, form: 'namespaced', expectResolve: true });
    queries.push({ query: `${base}.${subject.namespace}.svc.${clusterDomain}.`, form: 'fqdn', expectResolve: true });
  }
  return { input, subject, probeNamespace, clusterDomain, queries };
}

/** Names alike (shared prefix, containment, small edit distance), most alike first. */
export function similarNames(name: string, candidates: readonly string[], max = 3): string[] {
  const distance = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
    }
    return d[a.length]![b.length]!;
  };
  return candidates
    .filter((c) => c !== name)
    .map((c) => {
      const dist = distance(name, c);
      const related = c.includes(name) || name.includes(c) || dist <= Math.max(2, Math.floor(name.length / 3));
      return { c, dist, related };
    })
    .filter((x) => x.related)
    .sort((a, b) => a.dist - b.dist || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}

function findService(snapshot: Snapshot, namespace: string, name: string): V1Service | undefined {
  return snapshot.services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
}

/** What the answer should be, from the snapshot of the subject's namespace. */
export function dnsExpectation(subject: DnsSubject, snapshot: Snapshot): DnsExpectation {
  if (subject.kind === 'external') return { description: 'any answer (not a cluster Service)', addresses: [], similar: [] };
  const ns = subject.namespace;
  const names = snapshot.services.filter((s) => s.metadata?.namespace === ns).map((s) => s.metadata?.name ?? '');
  const svc = findService(snapshot, ns, subject.service);
  if (!svc) {
    return {
      description: `no Service ${subject.service} in namespace ${ns}`,
      addresses: [],
      missing: `Service ${ns}/${subject.service}`,
      similar: similarNames(subject.service, names),
    };
  }
  const type = svc.spec?.type ?? 'ClusterIP';
  if (subject.kind === 'pod') {
    const pods = snapshot.pods.filter(
      (p: V1Pod) => p.metadata?.namespace === ns && (p.spec?.hostname ?? p.metadata?.name) === subject.hostname && p.spec?.subdomain === subject.service,
    );
    const ips = pods.map((p) => p.status?.podIP).filter((ip): ip is string => Boolean(ip));
    if (pods.length === 0) {
      const peers = snapshot.pods
        .filter((p) => p.metadata?.namespace === ns && p.spec?.subdomain === subject.service)
        .map((p) => p.spec?.hostname ?? p.metadata?.name ?? '');
      return {
        description: `no pod with hostname ${subject.hostname} and subdomain ${subject.service}`,
        addresses: [],
        missing: `Pod ${subject.hostname} (hostname) behind ${ns}/${subject.service}`,
        similar: similarNames(subject.hostname, peers),
      };
    }
    return {
      description: `the IP of pod ${pods[0]!.metadata?.name} (hostname ${subject.hostname}, subdomain ${subject.service})`,
      addresses: ips,
      similar: [],
    };
  }
  if (type === 'ExternalName') {
    const target = (svc.spec?.externalName ?? '').replace(/\.$/, '');
    return { description: `a CNAME to ${target} (ExternalName Service)`, addresses: [], cname: target, similar: [] };
  }
  if (svc.spec?.clusterIP === 'None') {
    const analysed = analyzeService(svc, indexEndpoints(snapshot));
    const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
    const ips = analysed.endpoints.filter((e) => e.ready || publishNotReady).map((e) => e.address);
    return {
      description: `the ${publishNotReady ? '' : 'ready '}pod IPs of headless Service ${ns}/${subject.service} (${ips.length ? ips.join(', ') : 'none'})`,
      addresses: ips,
      similar: [],
    };
  }
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  return { description: `the ClusterIP of Service ${ns}/${subject.service} (${ips.join(', ')})`, addresses: ips, similar: [] };
}

// ---------------------------------------------------------------- connectivity

export type TargetMode = 'http' | 'tcp';

export interface ParsedTarget {
  raw: string;
  kind: 'service' | 'pod' | 'host';
  namespace?: string;
  name?: string;
  host: string;
  port?: number;
  scheme?: 'http' | 'https';
  path?: string;
  /** For `a.b`: the name as a plain host, when b turns out not to be a namespace. */
  plainHost?: string;
}

/** Ports that speak their own protocol first or never HTTP: probe with a TCP connect. */
const TCP_PORTS = new Set([
  22, 25, 53, 1433, 1521, 2181, 2379, 2380, 3306, 4222, 5432, 5672, 6379, 6380, 7000, 7001, 9042, 9092, 9093, 11211, 26379, 27017, 28015,
]);
const HTTP_PORTS = new Set([80, 443, 3000, 5000, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090, 9443]);
const TLS_PORTS = new Set([443, 8443, 9443, 6443]);

/**
 * TARGET: `svc`, `svc.ns`, `svc:port`, `pod/NAME[:port]`, `host:port`, an IPv4 with a port,
 * or an http(s):// URL. Everything is validated here: nothing unchecked reaches a pod.
 */
export function parseTarget(raw: string, namespace: string, clusterDomain = DEFAULT_CLUSTER_DOMAIN): ParsedTarget {
  // eslint-disable-next-line no-control-regex -- control characters in a target are refused
  if (/[\s\u0000-\u001f\u007f]/.test(raw)) throw new UsageError(`invalid target ${JSON.stringify(raw.slice(0, 80))}: it contains spaces or control characters`);
  let rest = raw;
  let scheme: 'http' | 'https' | undefined;
  let path: string | undefined;
  const url = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(raw);
  if (url) {
    const s = url[1]!.toLowerCase();
    if (s !== 'http' && s !== 'https') throw new UsageError(`invalid target ${JSON.stringify(raw.slice(0, 80))}: only http:// and https:// URLs can be probed`);
    scheme = s;
    rest = url[2]!;
    const slash = rest.indexOf('/');
    if (slash >= 0) {
      path = urlPath(rest.slice(slash), 'URL path');
      rest = rest.slice(0, slash);
    }
    if (rest.includes('@')) throw new UsageError(`invalid target ${JSON.stringify(raw.slice(0, 80))}: credentials in URLs are not supported`);
  }
  let port: number | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    port = validPort(rest.slice(colon + 1), `port in target ${JSON.stringify(raw.slice(0, 80))}`);
    rest = rest.slice(0, colon);
  }
  if (rest.startsWith('pod/')) {
    const name = dnsSubdomain(rest.slice(4), 'pod name');
    return { raw, kind: 'pod', namespace, name, host: name, port, scheme, path };
  }
  probeHost(rest, 'target host');
  const bare = rest.replace(/\.$/, '');
  const suffix = `.svc.${clusterDomain}`;
  if (bare.endsWith(suffix)) {
    const inner = bare.slice(0, -suffix.length).split('.');
    if (inner.length === 2) return { raw, kind: 'service', name: inner[0]!, namespace: inner[1]!, host: bare, port, scheme, path };
    return { raw, kind: 'host', host: bare, port, scheme, path };
  }
  const parts = bare.split('.');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bare)) return { raw, kind: 'host', host: bare, port, scheme, path };
  if (parts.length === 1)
    return {
      raw,
      kind: 'service',
      name: dnsLabel(parts[0]!, 'Service name'),
      namespace,
      host: `${parts[0]}.${namespace}.svc.${clusterDomain}`,
      port,
      scheme,
      path,
    };
  // `a.b` is svc.ns, unless b is no namespace: then planConnectivity falls back to the host a.b.
  if (parts.length === 2)
    return {
      raw,
      kind: 'service',
      name: dnsLabel(parts[0]!, 'Service name'),
      namespace: dnsLabel(parts[1]!, 'namespace'),
      host: `${bare}.svc.${clusterDomain}`,
      port,
      scheme,
      path,
      plainHost: bare,
    };
  return { raw, kind: 'host', host: bare, port, scheme, path };
}

export interface ProbeTarget {
  index: number;
  /** What the user typed. */
  label: string;
  mode: TargetMode;
  /** The URL curl is given (http(s):// or telnet://). */
  url: string;
  host: string;
  port: number;
  service?: { namespace: string; name: string; port: number; targetPort: string; portName: string };
  pod?: { namespace: string; name: string; ip: string };
  /** Why kdiag chose HTTP or TCP. */
  modeReason: string;
  /** Set when the target cannot be probed at all (unknown Service, no port); no curl is run. */
  unresolved?: string;
  /** The Service or pod the target names (also when it does not exist). */
  subject?: { kind: 'Service' | 'Pod'; namespace: string; name: string };
}

export interface ConnectivityFlags {
  port?: number;
  path?: string;
  /** Force a mode for every target. */
  mode?: TargetMode;
}

function chooseMode(
  port: number,
  hints: { name?: string; appProtocol?: string },
  flags: ConnectivityFlags,
  scheme?: string,
): { mode: TargetMode; reason: string } {
  if (flags.mode) return { mode: flags.mode, reason: `--${flags.mode}` };
  if (scheme) return { mode: 'http', reason: `${scheme}:// URL` };
  const app = (hints.appProtocol ?? '').toLowerCase();
  const name = (hints.name ?? '').toLowerCase();
  if (/^(https?|kubernetes\.io\/h2c|kubernetes\.io\/wss?|h2c)$/.test(app) || /^(https?|web|grpc-web|metrics)([-_].*)?$/.test(name))
    return { mode: 'http', reason: `port ${hints.name || hints.appProtocol}` };
  if (TCP_PORTS.has(port)) return { mode: 'tcp', reason: `port ${port} does not speak HTTP` };
  if (app || (name && !/http/.test(name))) return { mode: 'tcp', reason: `port ${name || app} is not HTTP` };
  if (HTTP_PORTS.has(port)) return { mode: 'http', reason: `port ${port}` };
  // --path asks for HTTP where the port gives no hint either way (never for postgres & co).
  if (flags.path) return { mode: 'http', reason: '--path given' };
  return { mode: 'tcp', reason: `port ${port} has no HTTP hint` };
}

function buildUrl(mode: TargetMode, host: string, port: number, scheme: 'http' | 'https' | undefined, path: string): string {
  if (mode === 'tcp') return `telnet://${host}:${port}`;
  const s = scheme ?? (TLS_PORTS.has(port) ? 'https' : 'http');
  const defaultPort = s === 'https' ? 443 : 80;
  return `${s}://${host}${port === defaultPort ? '' : `:${port}`}${path}`;
}

/** Resolves parsed targets against the snapshot: the Service port to use, HTTP or TCP, the URL. */
export function planConnectivity(targets: readonly ParsedTarget[], snapshot: Snapshot, flags: ConnectivityFlags = {}): ProbeTarget[] {
  const namespaces = new Set(snapshot.namespaces.map((n) => n.metadata?.name));
  return targets.map((given, index): ProbeTarget => {
    const t: ParsedTarget =
      given.kind === 'service' && given.plainHost && namespaces.size > 0 && !namespaces.has(given.namespace)
        ? { raw: given.raw, kind: 'host', host: given.plainHost, port: given.port, scheme: given.scheme, path: given.path }
        : given;
    const path = t.path ?? flags.path ?? '/';
    const explicitPort = t.port ?? flags.port;
    const subject =
      t.kind === 'host' ? undefined : { kind: t.kind === 'pod' ? ('Pod' as const) : ('Service' as const), namespace: t.namespace!, name: t.name! };
    const base = { index, label: t.raw, host: t.host, ...(subject ? { subject } : {}) };
    if (t.kind === 'service') {
      const svc = findService(snapshot, t.namespace!, t.name!);
      if (!svc) {
        const names = snapshot.services.filter((s) => s.metadata?.namespace === t.namespace).map((s) => s.metadata?.name ?? '');
        const similar = similarNames(t.name!, names);
        return {
          ...base,
          mode: 'tcp',
          url: '',
          port: explicitPort ?? 0,
          modeReason: '',
          unresolved: `no Service ${t.name} in namespace ${t.namespace}${similar.length ? ` (similar: ${similar.join(', ')})` : ''}`,
        };
      }
      const ports = svc.spec?.ports ?? [];
      const sp =
        explicitPort !== undefined
          ? ports.find((p) => p.port === explicitPort)
          : ports.length === 1
            ? ports[0]
            : (ports.find((p) => /^https?$|^web$/.test(p.name ?? '')) ?? ports.find((p) => HTTP_PORTS.has(p.port)) ?? ports[0]);
      if (!sp && explicitPort === undefined) {
        return { ...base, mode: 'tcp', url: '', port: 0, modeReason: '', unresolved: `Service ${t.namespace}/${t.name} has no ports` };
      }
      const port = sp?.port ?? explicitPort!;
      const { mode, reason } = chooseMode(port, { name: sp?.name, appProtocol: sp?.appProtocol }, flags, t.scheme);
      return {
        ...base,
        mode,
        modeReason: reason,
        port,
        url: buildUrl(mode, t.host, port, t.scheme, path),
        service: { namespace: t.namespace!, name: t.name!, port, targetPort: String(sp?.targetPort ?? port), portName: sp?.name ?? '' },
      };
    }
    if (t.kind === 'pod') {
      const pod = snapshot.pods.find((p) => p.metadata?.namespace === t.namespace && p.metadata?.name === t.name);
      const ip = pod?.status?.podIP;
      if (!pod || !ip) {
        return {
          ...base,
          mode: 'tcp',
          url: '',
          port: explicitPort ?? 0,
          modeReason: '',
          unresolved: pod ? `pod ${t.namespace}/${t.name} has no IP yet` : `no pod ${t.name} in namespace ${t.namespace}`,
        };
      }
      const declared = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
      const cp = explicitPort !== undefined ? declared.find((p) => p.containerPort === explicitPort) : declared[0];
      const port = explicitPort ?? cp?.containerPort;
      if (port === undefined)
        return {
          ...base,
          mode: 'tcp',
          url: '',
          port: 0,
          modeReason: '',
          unresolved: `pod ${t.namespace}/${t.name} declares no port: give one (pod/${t.name}:PORT or --port)`,
        };
      const { mode, reason } = chooseMode(port, { name: cp?.name }, flags, t.scheme);
      return {
        ...base,
        host: ip,
        mode,
        modeReason: reason,
        port,
        url: buildUrl(mode, ip, port, t.scheme, path),
        pod: { namespace: t.namespace!, name: t.name!, ip },
      };
    }
    const port = explicitPort ?? (t.scheme === 'https' ? 443 : t.scheme === 'http' ? 80 : undefined);
    if (port === undefined) return { ...base, mode: 'tcp', url: '', port: 0, modeReason: '', unresolved: `no port for ${t.raw}: use HOST:PORT or --port` };
    const { mode, reason } = chooseMode(port, {}, flags, t.scheme);
    return { ...base, mode, modeReason: reason, port, url: buildUrl(mode, t.host, port, t.scheme, path) };
  });
}

/** curl's arguments for the targets that can be probed: MODE URL pairs. */
export function curlArgs(targets: readonly ProbeTarget[]): string[] {
  return targets.filter((t) => !t.unresolved).flatMap((t) => [t.mode, t.url]);
}
