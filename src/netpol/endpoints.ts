// SOURCE/DEST as users write them (`ns/pod`, `ns/svc/NAME`, `ns:label=value,...`, an IP) and
// PORT[/PROTO], resolved against a snapshot into endpoints; then every pair is explained.
import type { V1Service } from '@kubernetes/client-node';
import { matchesMap } from '../checks/lib/labels.js';
import { UsageError } from '../errors.js';
import type { Snapshot } from '../snapshot.js';
import { didYouMean } from '../suggest.js';
import { isIpAddress } from './cidr.js';
import { explainConnection, type ConnectionVerdict } from './explain.js';
import {
  buildContext,
  livePods,
  podEndpoint,
  PROTOCOLS,
  resolveNamedPort,
  type Endpoint,
  type PodEndpoint,
  type PolicyContext,
  type Protocol,
} from './policy.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export type EndpointSpec =
  | { form: 'pod'; namespace: string; name: string }
  | { form: 'service'; namespace: string; name: string }
  | { form: 'labels'; namespace: string; labels: Record<string, string> }
  | { form: 'ip'; ip: string };

export interface PortSpec {
  port: number | string;
  protocol: Protocol;
}

function label(value: string, what: string, whole: string): string {
  if (!DNS_LABEL.test(value) || value.length > 63) throw new UsageError(`invalid ${what} "${value}" in "${whole}": must be a DNS-1123 label`);
  return value;
}

/** Parses SOURCE/DEST: `ns/pod`, `ns/svc/NAME`, `ns:label=value,...` or an IP address. */
export function parseEndpointSpec(text: string, flag: string): EndpointSpec {
  const t = text.trim();
  if (isIpAddress(t)) return { form: 'ip', ip: t };
  const colon = t.indexOf(':');
  if (colon > 0 && !t.slice(0, colon).includes('/')) {
    const namespace = label(t.slice(0, colon), 'namespace', t);
    const labels: Record<string, string> = {};
    for (const pair of t
      .slice(colon + 1)
      .split(',')
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? '' : pair.slice(0, eq).trim();
      const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
      if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value))
        throw new UsageError(`invalid label "${pair}" in ${flag} "${t}": use key=value pairs separated by commas`);
      labels[key] = value;
    }
    return { form: 'labels', namespace, labels };
  }
  const parts = t.split('/');
  if (parts.length === 2) return { form: 'pod', namespace: label(parts[0]!, 'namespace', t), name: parts[1]!.length ? parts[1]! : label('', 'pod name', t) };
  if (parts.length === 3 && (parts[1] === 'svc' || parts[1] === 'service'))
    return { form: 'service', namespace: label(parts[0]!, 'namespace', t), name: label(parts[2]!, 'Service name', t) };
  throw new UsageError(`invalid ${flag} "${t}": use NAMESPACE/POD, NAMESPACE/svc/SERVICE, NAMESPACE:label=value,... or an IP address`);
}

/** PORT[/PROTO]: a number (1-65535) or a port name, protocol TCP (default), UDP or SCTP. */
export function parsePortSpec(text: string): PortSpec {
  const [portText = '', protoText] = text.trim().split('/');
  const protocol = (protoText ?? 'TCP').toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw new UsageError(`invalid protocol "${protoText}" in --port "${text}": use TCP, UDP or SCTP`);
  if (/^\d+$/.test(portText)) {
    const n = Number(portText);
    if (n < 1 || n > 65535) throw new UsageError(`invalid --port "${text}": must be a number from 1 to 65535 or a port name`);
    return { port: n, protocol: protocol as Protocol };
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(portText) || portText.length > 15)
    throw new UsageError(`invalid --port "${text}": must be a number from 1 to 65535 or a port name`);
  return { port: portText, protocol: protocol as Protocol };
}

export interface ResolvedEndpoints {
  spec: string;
  endpoints: Endpoint[];
  /** The Service the endpoints came from (ns/svc/NAME, or a ClusterIP). */
  service?: V1Service;
  notes: string[];
}

function serviceBackends(ctx: PolicyContext, svc: V1Service): PodEndpoint[] {
  const selector = svc.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  return livePods(ctx, svc.metadata?.namespace ?? '')
    .filter((p) => matchesMap(selector, p.metadata?.labels))
    .map(podEndpoint);
}

export function resolveEndpointSpec(snapshot: Snapshot, ctx: PolicyContext, spec: EndpointSpec, text: string): ResolvedEndpoints {
  const notes: string[] = [];
  const fromService = (svc: V1Service): ResolvedEndpoints => {
    const ref = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
    const endpoints = serviceBackends(ctx, svc);
    if (endpoints.length === 0)
      throw new UsageError(`Service ${ref} selects no running pod${svc.spec?.selector ? '' : ' (it has no selector)'}: nothing to evaluate`);
    notes.push(`Service ${ref} selects ${endpoints.length} pod${endpoints.length === 1 ? '' : 's'}`);
    return { spec: text, endpoints, service: svc, notes };
  };
  switch (spec.form) {
    case 'pod': {
      const pod = (ctx.podsByNamespace.get(spec.namespace) ?? []).find((p) => p.metadata?.name === spec.name);
      if (!pod)
        throw new UsageError(
          `pod ${spec.namespace}/${spec.name} not found${didYouMean(
            spec.name,
            (ctx.podsByNamespace.get(spec.namespace) ?? []).map((p) => p.metadata?.name ?? ''),
          )}`,
        );
      return { spec: text, endpoints: [podEndpoint(pod)], notes };
    }
    case 'service': {
      const svc = snapshot.services.find((s) => s.metadata?.namespace === spec.namespace && s.metadata?.name === spec.name);
      if (!svc)
        throw new UsageError(
          `Service ${spec.namespace}/${spec.name} not found${didYouMean(
            spec.name,
            snapshot.services.filter((s) => s.metadata?.namespace === spec.namespace).map((s) => s.metadata?.name ?? ''),
          )}`,
        );
      return fromService(svc);
    }
    case 'labels': {
      const text2 = Object.entries(spec.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const endpoint: PodEndpoint = {
        kind: 'pod',
        namespace: spec.namespace,
        name: `<pod with ${text2 || 'no labels'}>`,
        labels: spec.labels,
        hypothetical: true,
        hostNetwork: false,
        ports: [],
      };
      return { spec: text, endpoints: [endpoint], notes };
    }
    case 'ip': {
      const pod = snapshot.pods.find(
        (p) => p.status?.podIP === spec.ip && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && p.spec?.hostNetwork !== true,
      );
      if (pod) {
        notes.push(`${spec.ip} is pod ${pod.metadata?.namespace}/${pod.metadata?.name}`);
        return { spec: text, endpoints: [podEndpoint(pod)], notes };
      }
      const svc = snapshot.services.find((s) => s.spec?.clusterIP === spec.ip || (s.spec?.clusterIPs ?? []).includes(spec.ip));
      if (svc) return fromService(svc);
      notes.push(`${spec.ip} is not a pod or Service address in the snapshot: treated as an address outside the cluster`);
      return { spec: text, endpoints: [{ kind: 'ip', ip: spec.ip }], notes };
    }
  }
}

/** The port each destination pod receives, after Service port → targetPort translation. */
function destinationPort(dest: Endpoint, port: PortSpec, service: V1Service | undefined, notes: Set<string>): number | { error: string } {
  const svcPort = service?.spec?.ports?.find(
    (p) => (p.protocol ?? 'TCP') === port.protocol && (p.port === port.port || (typeof port.port === 'string' && p.name === port.port)),
  );
  if (service && svcPort) {
    const ref = `${service.metadata?.namespace}/${service.metadata?.name}`;
    const target = svcPort.targetPort ?? svcPort.port;
    if (typeof target === 'number' || /^\d+$/.test(String(target))) {
      notes.add(`Service ${ref} port ${svcPort.port}/${port.protocol} → targetPort ${target}: policies see port ${target}`);
      return Number(target);
    }
    const resolved = resolveNamedPort(String(target), port.protocol, dest);
    if (resolved === undefined)
      return { error: `Service ${ref} targetPort "${target}" is not declared by ${dest.kind === 'pod' ? `${dest.namespace}/${dest.name}` : dest.ip}` };
    notes.add(`Service ${ref} port ${svcPort.port}/${port.protocol} → targetPort "${target}" (${resolved} on the pods): policies see port ${resolved}`);
    return resolved;
  }
  if (typeof port.port === 'number') {
    if (service)
      notes.add(
        `${port.port}/${port.protocol} is not a port of Service ${service.metadata?.namespace}/${service.metadata?.name}: evaluated as the pods' own port`,
      );
    return port.port;
  }
  const resolved = resolveNamedPort(port.port, port.protocol, dest);
  if (resolved === undefined)
    return { error: `${dest.kind === 'pod' ? `${dest.namespace}/${dest.name}` : dest.ip} declares no ${port.protocol} port named "${port.port}"` };
  return resolved;
}

/** `unknown`: the answer depends on objects kdiag cannot read (`needs` says which). */
export type Verdict = 'allowed' | 'denied' | 'partially allowed' | 'unknown';

export interface ExplainResult {
  verdict: Verdict;
  allowed: boolean;
  from: string;
  to: string;
  port: string;
  protocol: Protocol;
  connections: ConnectionVerdict[];
  /** With verdict unknown: what kdiag would need to read to decide. */
  needs?: string[];
  notes: string[];
}

/** Explains every (source, destination) pair the two specs resolve to. */
export function explainSpecs(
  snapshot: Snapshot,
  from: string,
  to: string,
  portText: string,
  options: { unreadableNamespaces?: readonly string[] } = {},
): ExplainResult {
  const port = parsePortSpec(portText);
  const fromSpec = parseEndpointSpec(from, '--from');
  const toSpec = parseEndpointSpec(to, '--to');
  const ctx = buildContext(snapshot);
  const unreadable = new Set(options.unreadableNamespaces ?? []);
  if (unreadable.size > 0) ctx.policiesRead = (namespace) => !unreadable.has(namespace);
  const sources = resolveEndpointSpec(snapshot, ctx, fromSpec, from);
  const destinations = resolveEndpointSpec(snapshot, ctx, toSpec, to);
  const notes = new Set<string>([...sources.notes, ...destinations.notes]);
  const connections: ConnectionVerdict[] = [];
  for (const dest of destinations.endpoints) {
    const p = destinationPort(dest, port, destinations.service, notes);
    if (typeof p !== 'number') throw new UsageError(p.error);
    for (const src of sources.endpoints) {
      const v = explainConnection(snapshot, src, dest, p, port.protocol, { context: ctx });
      v.notes.forEach((n) => notes.add(n));
      connections.push(v);
    }
  }
  const allowedCount = connections.filter((c) => c.verdict === 'allowed').length;
  const deniedCount = connections.filter((c) => c.verdict === 'denied').length;
  const unknown = connections.filter((c) => c.verdict === 'unknown');
  // Never a confident answer that rests on objects kdiag cannot read.
  const verdict: Verdict =
    unknown.length > 0 ? 'unknown' : allowedCount === connections.length ? 'allowed' : deniedCount === connections.length ? 'denied' : 'partially allowed';
  const needs = [...new Set(unknown.flatMap((c) => c.needs ?? []))];
  return {
    verdict,
    allowed: verdict === 'allowed',
    from,
    to,
    port: String(port.port),
    protocol: port.protocol,
    connections,
    ...(needs.length ? { needs } : {}),
    notes: [...notes],
  };
}
