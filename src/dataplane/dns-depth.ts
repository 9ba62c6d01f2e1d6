// Cluster DNS in depth (pure): the same names asked of each CoreDNS pod directly and of the
// DNS Service, from one probe pod, tell one bad replica from a broken Service path from a
// CoreDNS that fails everywhere; the Corefile, CoreDNS's log and its RBAC say why; the
// probe's resolv.conf is checked against the DNS Service and NodeLocal DNSCache.
import { finding } from '../checks/lib/finding.js';
import { cmd, fix, kubectl, manifest } from '../report/fix.js';
import { sanitize } from '../report/render.js';
import type { Finding, ObjectRef } from '../report/types.js';
import type { DirectQuery, ResolvConf } from '../probes/interpret-dns.js';
import { forwardsOf, parseCorefile, pluginZones, serverFor, type CorefileServer } from './corefile.js';

export const DNS_NS = 'kube-system';

/** A server the probe asked directly. */
export interface DnsServer {
  address: string;
  role: 'service' | 'pod';
  pod?: string;
  node?: string;
}

export interface RbacRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

/** What kdiag read next to the probe; undefined = not read (see `skipped`). */
export interface DnsDepthInput {
  clusterDomain: string;
  servers: readonly DnsServer[];
  direct: readonly DirectQuery[];
  /** The in-cluster name every server was asked (absolute). */
  clusterName: string;
  /** An external name every server was asked (absolute), when the subject is external. */
  externalName?: string;
  resolvConf?: ResolvConf;
  probeNode?: string;
  serviceIP?: string;
  /** How many kube-dns pods exist (any phase; undefined: kdiag could not list them) and the Deployment's wanted replicas. */
  dnsPods?: number;
  deploymentReplicas?: number;
  corefile?: string;
  /**
   * CoreDNS's recent log per pod. Lines may start with the kubelet's RFC 3339 timestamp (read
   * with `timestamps=true`); `readAt` is when kdiag read it (ms since the epoch).
   */
  logs?: readonly { pod: string; text: string; readAt?: number }[];
  /** Rules of every ClusterRole bound to CoreDNS's ServiceAccount (undefined: not read). */
  rbac?: { serviceAccount: string; roles: string[]; rules: readonly RbacRule[] };
  /** NodeLocal DNSCache: its DaemonSet (when found) and its pods (undefined: not read). */
  nodeLocal?: { daemonset?: string; pods: readonly { name: string; node?: string; ready: boolean; detail: string }[] };
  /** A NetworkPolicy keeps the probe from sending DNS: its direct lookups prove nothing about CoreDNS. */
  egressBlocked?: boolean;
  /** One sentence on what translates Service addresses on the probe's node (kube-proxy), when known. */
  proxySummary?: string;
}

const ok = (q: DirectQuery | undefined) => q?.outcome === 'answer';
const COREFILE = kubectl('-n', DNS_NS, 'get', 'configmap', 'coredns', '-o', 'yaml');
const DEPLOY: ObjectRef = { kind: 'Deployment', namespace: DNS_NS, name: 'coredns' };
const CONFIG: ObjectRef = { kind: 'ConfigMap', namespace: DNS_NS, name: 'coredns' };

function how(q: DirectQuery | undefined): string {
  if (!q) return 'not asked';
  return q.outcome === 'answer' ? 'answered' : `${q.outcome.toUpperCase()}${q.message ? ` (${sanitize(q.message)})` : ''}`;
}

function result(input: DnsDepthInput, server: DnsServer, name: string): DirectQuery | undefined {
  return input.direct.find((q) => q.server === server.address && q.name === name);
}

/** Every finding of the in-depth DNS diagnosis. */
export function dnsDepthFindings(input: DnsDepthInput): Finding[] {
  const servers = input.corefile === undefined ? undefined : parseCorefile(input.corefile);
  const logs = logEvidence(input.logs ?? []);
  return [
    ...replicaFindings(input, servers, logs),
    ...(servers ? corefileFindings(servers, input.clusterDomain, logs) : []),
    ...logFindings(logs),
    ...rbacFindings(input),
    ...resolverFindings(input),
  ];
}

// ------------------------------------------------------------------ replicas and the Service

function replicaFindings(input: DnsDepthInput, servers: CorefileServer[] | undefined, logs: LogEvidence): Finding[] {
  const pods = input.servers.filter((s) => s.role === 'pod');
  const service = input.servers.find((s) => s.role === 'service');
  const asked = (s: DnsServer) => result(input, s, input.clusterName);
  if (input.dnsPods === 0) {
    const scaled = input.deploymentReplicas === 0;
    return [
      finding('KD5052', DEPLOY, {
        message: `coredns: no CoreDNS replica is running${scaled ? ' (Deployment kube-system/coredns is scaled to 0)' : ''}: no server answers cluster DNS`,
        cause: `No pod labelled k8s-app=kube-dns exists in kube-system, so the DNS Service ${input.serviceIP ?? ''} has nothing behind it and every lookup from every pod fails. ${scaled ? 'The Deployment asks for 0 replicas.' : input.deploymentReplicas === undefined ? 'kdiag could not read the Deployment coredns.' : `The Deployment asks for ${input.deploymentReplicas} replicas, yet none exists: look at its ReplicaSet and events (quota, admission, scheduling).`}`,
        fix: fix`${kubectl('-n', DNS_NS, 'scale', 'deployment', 'coredns', '--replicas=2')}; then ${kubectl('-n', DNS_NS, 'rollout', 'status', 'deployment', 'coredns')}`,
      }),
    ];
  }
  if (pods.length === 0 || input.egressBlocked) return [];
  const good = pods.filter((p) => ok(asked(p)));
  // 'error' is the probe's own failure (nslookup's usage), not the server's answer.
  const bad = pods.filter((p) => asked(p) && !ok(asked(p)) && asked(p)!.outcome !== 'error');
  const out: Finding[] = [];
  if (good.length && bad.length) {
    const names = bad.map((p) => p.pod ?? p.address);
    out.push(
      finding(
        'KD5050',
        { kind: 'Pod', namespace: DNS_NS, name: names[0]! },
        {
          message: `${names.join(', ')}: ${bad.length} of ${pods.length} CoreDNS replicas do not answer ${input.clusterName} (${bad.map((p) => `${p.pod ?? p.address} ${p.address}: ${how(asked(p))}`).join('; ')}), ${good.map((p) => p.pod ?? p.address).join(', ')} answer${good.length === 1 ? 's' : ''}`,
          cause: `The probe pod asked each pod behind the kube-dns Service directly on port 53: ${good.length} answered, these did not. They are endpoints of the DNS Service, so a share of every pod's lookups (about ${Math.round((100 * bad.length) / pods.length)}%) goes to them and times out or fails: lookups fail at random. The pod is Ready, so its readiness probe does not test DNS on port 53 (or the process stopped serving).`,
          fix: fix`Look at the pod and replace it: ${kubectl('-n', DNS_NS, 'describe', 'pod', names[0]!)}; ${kubectl('-n', DNS_NS, 'logs', names[0]!, '--tail=50')}; if it is a CoreDNS pod, ${kubectl('-n', DNS_NS, 'delete', 'pod', names[0]!)} (its ReplicaSet starts a new one); a pod that is not CoreDNS but carries the label k8s-app=kube-dns must lose the label.`,
        },
      ),
    );
  } else if (bad.length && !good.length) {
    const evidence = [...logs.upstream, ...logs.api, ...logs.loop].slice(0, 3);
    out.push(
      finding('KD5052', DEPLOY, {
        message: `coredns: every CoreDNS replica fails to answer ${input.clusterName} (${bad.map((p) => `${p.pod ?? p.address}: ${how(asked(p))}`).join('; ')})`,
        cause: `The probe pod asked each of the ${bad.length} CoreDNS pod(s) directly: none answered a name of the cluster zone, so the fault is CoreDNS itself, not one replica and not the Service path: its connection to the API server (the kubernetes plugin), its configuration, or the pods' network. ${evidence.length ? `Its log: ${evidence.map((e) => `${e.pod}: ${e.line}`).join(' | ')}` : input.logs ? 'Its log shows no upstream or API error.' : 'kdiag did not read its log.'}`,
        fix: fix`${kubectl('-n', DNS_NS, 'logs', '-l', 'k8s-app=kube-dns', '--tail=100')}; ${COREFILE}; ${kubectl('-n', DNS_NS, 'describe', 'pods', '-l', 'k8s-app=kube-dns')}`,
      }),
    );
  } else if (good.length && service && asked(service) && !ok(asked(service)) && asked(service)!.outcome !== 'error') {
    out.push(
      finding(
        'KD5051',
        { kind: 'Service', namespace: DNS_NS, name: 'kube-dns' },
        {
          message: `kube-dns: the DNS Service ${service.address} ${how(asked(service))} from node ${input.probeNode ?? '?'}, but all ${good.length} CoreDNS pod(s) answer directly: the Service path to DNS on node ${input.probeNode ?? '?'} is broken`,
          cause: `The same probe pod reached every CoreDNS pod by pod IP on port 53 (${good.map((p) => `${p.pod} ${p.address}`).join(', ')}), so CoreDNS works; only the translation of the DNS Service address to those pods failed, and that happens on the probe's node. ${input.proxySummary ? `${input.proxySummary}.` : 'kdiag could not read what runs there.'}`,
          fix: fix`Check kube-proxy (or its replacement) on node ${input.probeNode ?? 'NODE'}: its log, whether it runs, and whether its rules list ${service.address}; ${kubectl('-n', DNS_NS, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=kube-dns', '-o', 'wide')}`,
        },
      ),
    );
  }
  if (input.externalName && good.length && servers) out.push(...forwarderFindings(input, servers, pods, logs));
  return out;
}

function forwarderFindings(input: DnsDepthInput, servers: CorefileServer[], pods: DnsServer[], logs: LogEvidence): Finding[] {
  const name = input.externalName!;
  const block = serverFor(servers, name.replace(/\.$/, ''));
  const forwards = block ? forwardsOf(block) : [];
  if (!forwards.length) return [];
  const answers = pods.map((p) => ({ p, q: result(input, p, name) })).filter((x) => x.q);
  const failing = answers.filter((x) => ['servfail', 'timeout', 'unreachable', 'refused'].includes(x.q!.outcome));
  if (!answers.length || failing.length !== answers.length) return [];
  const to = [...new Set(forwards.flatMap((f) => f.to))];
  const seen = logs.upstream.filter((e) => to.some((t) => e.line.includes(t.replace(/^(dns|tls):\/\//, '').split(':')[0]!)));
  return [
    finding('KD5056', CONFIG, {
      message: `coredns: its forwarder ${to.join(', ')} does not answer: ${name} fails on every CoreDNS replica (${failing.map((x) => `${x.p.pod}: ${how(x.q)}`).join('; ')}) while cluster names resolve`,
      cause:
        `Names outside the cluster zone go to the Corefile's forward plugin (forward ${forwards[0]!.from} ${to.join(' ')}). Every CoreDNS pod answers ${input.clusterName}, so CoreDNS and its API connection work; only the forwarded name fails, so its upstream is unreachable or does not answer. ${
          seen.length
            ? `CoreDNS logged: ${seen
                .slice(0, 2)
                .map((e) => `${e.pod}: ${e.line}`)
                .join(' | ')}`
            : logs.upstream.length
              ? `CoreDNS logged upstream errors: ${logs.upstream[0]!.line}`
              : ''
        }`.trim(),
      fix: fix`Point forward at a resolver CoreDNS's pods can reach (the node's resolver: forward . /etc/resolv.conf, or your DNS servers' addresses), then let the reload plugin pick it up: ${kubectl('-n', DNS_NS, 'edit', 'configmap', 'coredns')}; test from a pod: ${cmd('kdiag', 'dns', name)}`,
    }),
  ];
}

// ------------------------------------------------------------------ Corefile

function corefileFindings(servers: CorefileServer[], domain: string, logs: LogEvidence): Finding[] {
  const out: Finding[] = [];
  const block = serverFor(servers, domain);
  const k8s = block?.plugins.find((p) => p.name === 'kubernetes');
  const zones = k8s && block ? pluginZones(k8s, block) : [];
  if (!block || !k8s || !zones.includes(domain.toLowerCase())) {
    out.push(
      finding('KD5053', CONFIG, {
        message: `coredns: the Corefile has no ${!block ? 'server block' : 'kubernetes plugin'} for the cluster domain ${domain}${k8s ? ` (its kubernetes plugin serves ${zones.join(', ')})` : ''}`,
        cause: `${!block ? `No server block on port 53 covers ${domain}` : `The server block ${block.zones.join(' ')} answers ${domain}, but ${k8s ? `its kubernetes plugin serves ${zones.join(', ')}, not ${domain}` : 'it has no kubernetes plugin'}`}: CoreDNS cannot answer Service and pod names (NXDOMAIN, or a forward to an upstream that does not know them). The kubelet's clusterDomain must match the zone of the kubernetes plugin.`,
        fix: fix`Add the zone to the kubernetes plugin of the block that serves it (or use --cluster-domain if ${domain} is not the cluster's domain): ${kubectl('-n', DNS_NS, 'edit', 'configmap', 'coredns')}\n${manifest({ data: { Corefile: `.:53 {\n    errors\n    health\n    ready\n    kubernetes ${domain} in-addr.arpa ip6.arpa {\n        pods insecure\n        fallthrough in-addr.arpa ip6.arpa\n    }\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n}\n` } })}`,
      }),
    );
  }
  const root = serverFor(servers, 'example.invalid') ?? block;
  const viaResolvConf = root ? forwardsOf(root).some((f) => f.to.includes('/etc/resolv.conf')) : false;
  const loopPlugin = root?.plugins.some((p) => p.name === 'loop');
  if (logs.loop.length || (viaResolvConf && !loopPlugin)) {
    const detected = logs.loop[0];
    out.push(
      finding('KD5054', CONFIG, {
        message: detected
          ? `coredns: CoreDNS detected a forwarding loop (${detected.pod}: ${detected.line})`
          : 'coredns: forward . /etc/resolv.conf without the loop plugin: a node with a local stub resolver makes CoreDNS forward to itself, undetected',
        cause: `With forward . /etc/resolv.conf CoreDNS sends names outside the cluster to the nameserver in its pod's resolv.conf, which is the node's (dnsPolicy Default). Where the node runs a local stub resolver (systemd-resolved, 127.0.0.53, or dnsmasq on 127.0.0.1), that address inside CoreDNS's pod is CoreDNS itself: every forwarded query loops until it times out. ${detected ? 'The loop plugin saw its own probe query come back and stopped CoreDNS (CrashLoopBackOff).' : 'Without the loop plugin nothing stops it: lookups of external names hang and CoreDNS burns CPU and memory.'}`,
        severity: detected ? 'error' : 'warning',
        fix: fix`Give the kubelet the real upstream resolvers (resolvConf: /run/systemd/resolve/resolv.conf in its configuration), or forward to explicit addresses instead of /etc/resolv.conf, and keep the loop plugin in the Corefile: ${kubectl('-n', DNS_NS, 'edit', 'configmap', 'coredns')}`,
      }),
    );
  }
  if (block && !block.plugins.some((p) => p.name === 'cache')) {
    out.push(
      finding('KD5055', CONFIG, {
        message: `coredns: cache is off in the server block ${block.zones.join(' ')}`,
        cause:
          'Without the cache plugin every lookup is answered from the kubernetes plugin or the upstream anew: each external name costs a round trip upstream per pod lookup, and the ndots:5 search walk multiplies it. Default installations use cache 30.',
        fix: fix`Add a line "cache 30" to the server block: ${kubectl('-n', DNS_NS, 'edit', 'configmap', 'coredns')}`,
      }),
    );
  }
  return out;
}

// ------------------------------------------------------------------ log

interface LogLine {
  pod: string;
  line: string;
  /** The kubelet's timestamp of the line (ms since the epoch), when the log carried one. */
  at?: number;
  /** When kdiag read the pod's log. */
  readAt?: number;
}
interface LogEvidence {
  upstream: LogLine[];
  loop: LogLine[];
  api: LogLine[];
}

/** The kubelet's prefix of a log read with timestamps=true: RFC 3339 with nanoseconds, then one space. */
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (.*)$/;

/**
 * API errors that stopped this long before kdiag read the log are a past outage the watches got
 * over (the API server restarted, a control-plane upgrade): client-go's reflector retries a
 * failed list or watch within about 30 s, so minutes without one mean it succeeded. Reported as
 * info, not as a failing CoreDNS.
 */
export const API_ERRORS_RECOVERED_AFTER_MS = 3 * 60_000;

const UPSTREAM = /plugin\/(errors|forward)\b.*(i\/o timeout|connection refused|no route to host|network is unreachable|no healthy upstream|connection reset)/i;
const LOOP = /plugin\/loop\b.*Loop .*detected/i;
const API = /plugin\/kubernetes\b.*(Failed to watch|failed to list|forbidden|Unauthorized|Unhandled Error)/i;

function logEvidence(logs: readonly { pod: string; text: string; readAt?: number }[]): LogEvidence {
  const ev: LogEvidence = { upstream: [], loop: [], api: [] };
  for (const { pod, text, readAt } of logs) {
    for (const raw of text.split('\n')) {
      const stamped = STAMP.exec(raw.trim());
      const at = stamped ? Date.parse(stamped[1]!) : undefined;
      const line = sanitize((stamped ? stamped[2]! : raw).trim()).slice(0, 300);
      const entry: LogLine = { pod, line, ...(at !== undefined && !Number.isNaN(at) ? { at } : {}), ...(readAt !== undefined ? { readAt } : {}) };
      if (LOOP.test(line)) ev.loop.push(entry);
      else if (API.test(line)) ev.api.push(entry);
      else if (UPSTREAM.test(line)) ev.upstream.push(entry);
    }
  }
  return ev;
}

/** How long before kdiag read the log the last API error was logged (ms); undefined when any line or read lacks a time. */
function quietFor(lines: readonly LogLine[]): number | undefined {
  let quiet = Infinity;
  for (const l of lines) {
    if (l.at === undefined || l.readAt === undefined) return undefined;
    quiet = Math.min(quiet, l.readAt - l.at);
  }
  return lines.length ? quiet : undefined;
}

function logFindings(ev: LogEvidence): Finding[] {
  if (!ev.api.length) return [];
  const pods = [...new Set(ev.api.map((e) => e.pod))];
  const quiet = quietFor(ev.api);
  const recovered = quiet !== undefined && quiet >= API_ERRORS_RECOVERED_AFTER_MS;
  const errors = `${pods.join(', ')} logged ${ev.api.length} error(s) listing or watching the Kubernetes API`;
  const f = finding(
    'KD5057',
    { kind: 'Pod', namespace: DNS_NS, name: pods[0]! },
    {
      message: recovered
        ? `coredns: ${errors}, the last one ${Math.floor(quiet / 60_000)} min before this run: its watches recovered (${ev.api.at(-1)!.line})`
        : `coredns: ${errors} (${ev.api.at(-1)!.line})`,
      cause: `CoreDNS's kubernetes plugin keeps Services, EndpointSlices and Namespaces in memory by watching the API server. When the watch fails (forbidden: its ClusterRole lost a rule; Unauthorized: its token; connection errors: the API server or the path to it) new and changed Services stop resolving while old answers stay.${
        recovered
          ? ` These errors stopped ${Math.floor(quiet / 60_000)} min before kdiag read the log (the kubelet's timestamps), and the plugin retries within about 30 s: a past outage (an API server restart or upgrade) it got over, kept here as information.`
          : ''
      }`,
      fix: fix`${kubectl('-n', DNS_NS, 'logs', pods[0]!, '--tail=100', '--timestamps')}; ${kubectl('auth', 'can-i', 'watch', 'endpointslices.discovery.k8s.io', '--as=system:serviceaccount:kube-system:coredns')}`,
    },
  );
  return [recovered ? { ...f, severity: 'info' } : f];
}

// ------------------------------------------------------------------ RBAC

const NEEDED: { group: string; resource: string }[] = [
  { group: 'discovery.k8s.io', resource: 'endpointslices' },
  { group: '', resource: 'services' },
  { group: '', resource: 'namespaces' },
];

function allows(rules: readonly RbacRule[], group: string, resource: string, verb: string): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups ?? []).some((g) => g === group || g === '*') &&
      (r.resources ?? []).some((x) => x === resource || x === '*') &&
      (r.verbs ?? []).some((v) => v === verb || v === '*'),
  );
}

function rbacFindings(input: DnsDepthInput): Finding[] {
  const rbac = input.rbac;
  if (!rbac) return [];
  const missing = NEEDED.flatMap((n) => ['list', 'watch'].filter((v) => !allows(rbac.rules, n.group, n.resource, v)).map((verb) => ({ ...n, verb })));
  if (!missing.length) return [];
  const text = missing.map((m) => `${m.verb} ${m.resource}${m.group ? `.${m.group}` : ''}`).join(', ');
  return [
    finding(
      'KD5058',
      { kind: 'ClusterRole', name: rbac.roles[0] ?? 'system:coredns' },
      {
        message: `coredns: ServiceAccount kube-system/${rbac.serviceAccount} may not ${text}`,
        cause: `${rbac.roles.length ? `The ClusterRole(s) bound to it (${rbac.roles.join(', ')})` : 'No ClusterRoleBinding binds a ClusterRole to it, so nothing'} grant${rbac.roles.length === 1 ? 's' : ''} what the kubernetes plugin needs: list and watch on endpointslices, services and namespaces. CoreDNS then logs "forbidden" and serves no (or stale) cluster names.`,
        fix: fix`Restore the rules of CoreDNS's ClusterRole:\n${manifest({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: rbac.roles[0] ?? 'system:coredns' },
          rules: [
            { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
            { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
          ],
        })}`,
      },
    ),
  ];
}

// ------------------------------------------------------------------ the probe's resolver

const LINK_LOCAL = /^169\.254\.\d{1,3}\.\d{1,3}$/;

function resolverFindings(input: DnsDepthInput): Finding[] {
  const out: Finding[] = [];
  const conf = input.resolvConf;
  const nameserver = conf?.nameservers[0];
  const local = input.nodeLocal;
  const nodeLocalUsed = Boolean((nameserver && LINK_LOCAL.test(nameserver)) || local?.daemonset);
  if (nodeLocalUsed && local) {
    const here = local.pods.filter((p) => p.node === input.probeNode);
    const ready = here.filter((p) => p.ready);
    if (!ready.length) {
      out.push(
        finding(
          'KD5059',
          { kind: 'DaemonSet', namespace: DNS_NS, name: local.daemonset ?? 'node-local-dns' },
          {
            message: `node-local-dns: NodeLocal DNSCache ${local.daemonset ? `has no Ready pod on node ${input.probeNode ?? '?'}` : 'is not installed'}${nameserver && LINK_LOCAL.test(nameserver) ? `, yet the probe's nameserver is ${nameserver}` : ''}`,
            cause: local.daemonset
              ? `Pods on node ${input.probeNode ?? '?'} send lookups to the node-local cache (a link-local address such as 169.254.20.10), served by the ${local.daemonset} pod on the same node; ${here.length ? here.map((p) => `${p.name}: ${p.detail}`).join('; ') : 'none runs there'}. Without it, lookups from that node fail.`
              : `The probe's resolv.conf names ${nameserver}, a link-local address that only a NodeLocal DNSCache agent on the node answers, and no DaemonSet node-local-dns runs in kube-system.`,
            fix: fix`${kubectl('-n', DNS_NS, 'get', 'daemonset', local.daemonset ?? 'node-local-dns', '-o', 'wide')}; ${kubectl('-n', DNS_NS, 'get', 'pods', '-l', 'k8s-app=node-local-dns', '-o', 'wide')}`,
          },
        ),
      );
    }
  }
  if (conf && nameserver && input.serviceIP && nameserver !== input.serviceIP && !LINK_LOCAL.test(nameserver)) {
    out.push(
      finding(
        'KD6031',
        { kind: 'Service', namespace: DNS_NS, name: 'kube-dns' },
        {
          message: `kube-dns: the probe pod's nameserver is ${nameserver}, not the DNS Service ClusterIP ${input.serviceIP}`,
          cause: `The kubelet on node ${input.probeNode ?? '?'} writes its clusterDNS setting (--cluster-dns) into every pod's resolv.conf. It names ${nameserver}, which is neither the kube-dns Service (${input.serviceIP}) nor a NodeLocal DNSCache address: pods there ask a server that may not know cluster names, or nothing at all.`,
          fix: fix`Set clusterDNS in the kubelet configuration of node ${input.probeNode ?? 'NODE'} to ${input.serviceIP} (or the NodeLocal DNSCache address) and restart the kubelet; compare: ${kubectl('get', '--raw', `/api/v1/nodes/${input.probeNode ?? 'NODE'}/proxy/configz`)}`,
        },
      ),
    );
  }
  if (conf) {
    const chars = conf.search.join(' ').length;
    if (conf.search.length > 6 || chars > 256) {
      out.push(
        finding(
          'KD6030',
          { kind: 'Node', name: input.probeNode ?? 'unknown' },
          {
            message: `${input.probeNode ?? 'node'}: the probe pod's search list has ${conf.search.length} domains, ${chars} characters (historic limits: 6 domains, 256 characters)`,
            cause: `Kubernetes since 1.28 accepts up to 32 search domains and 2048 characters, but older resolvers (glibc before 2.26, some musl and Go versions) silently drop domains beyond 6 domains or 256 characters, so short names resolve in some images and not in others. Each domain also adds a lookup to every name with fewer than ndots:${conf.ndots} dots.`,
            fix: fix`Trim the node's own search domains (the kubelet's resolvConf file) or set the pod's dnsConfig:\n${manifest({ spec: { dnsPolicy: 'ClusterFirst', dnsConfig: { searches: conf.search.slice(0, 3) } } })}`,
          },
        ),
      );
    }
  }
  return out;
}

/** Base findings (kdiag dns's own) that an in-depth verdict explains better. */
export function mergeDnsFindings(base: readonly Finding[], depth: readonly Finding[]): Finding[] {
  const replaced = new Set<string>();
  if (depth.some((f) => ['KD5050', 'KD5051', 'KD5052'].includes(f.code))) replaced.add('KD5002').add('KD5003');
  if (depth.some((f) => f.code === 'KD5056')) replaced.add('KD5003');
  return [...base.filter((f) => !replaced.has(f.code)), ...depth];
}
