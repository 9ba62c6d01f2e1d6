// Reads what the DNS probe printed: /etc/resolv.conf and, per lookup, every attempt of
// the search-list walk with busybox nslookup's output. busybox prints differently
// across versions (1.2x libc-based: "Address 1: IP name" and "can't resolve";
// 1.28+: "Name:"/"Address:" lines in any order, "** server can't find …: NXDOMAIN",
// ";; connection timed out; no servers could be reached"), and its exit code is not
// reliable, so the text decides.

import { finding } from '../checks/lib/finding.js';
import { sanitize } from '../report/render.js';
import { cmd, fix, joinFixes, kubectl, manifest, type FixCommand, type FixSpec } from '../report/fix.js';
import type { Finding, ObjectRef } from '../report/types.js';
import type { ClusterDnsHealth, PolicyVerdict } from './explain.js';
import type { DnsExpectation, DnsPlan, DnsQuery, DnsSubject, QueryForm } from './plan.js';

export type DnsOutcome = 'answer' | 'nxdomain' | 'nodata' | 'servfail' | 'refused' | 'timeout' | 'unreachable' | 'unresolved' | 'error';

export interface NslookupResult {
  outcome: DnsOutcome;
  /** A/AAAA addresses of the answer (not the server's). */
  addresses: string[];
  /** CNAME targets, in order. */
  cnames: string[];
  /** The DNS server that answered, when printed. */
  server?: string;
  /** busybox's own words for a failure (one line). */
  message?: string;
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  ndots: number;
  options: string[];
  raw: string;
}

export interface DnsAttempt extends NslookupResult {
  /** The absolute name asked (with its trailing dot). */
  name: string;
  exitCode: number;
  ms?: number;
  /** The clock's resolution in ms (busybox without `date +%N` reads /proc/uptime: 10 ms). */
  resolutionMs?: number;
}

export interface DnsLookup {
  index: number;
  /** The name as given to the resolver (short, name.ns, or absolute). */
  query: string;
  attempts: DnsAttempt[];
  outcome: DnsOutcome;
  /** The absolute name that answered. */
  answeredBy?: string;
  addresses: string[];
  cnames: string[];
  /** Time of all attempts together. */
  totalMs?: number;
}

/** One name asked of one server alone (a CoreDNS pod or the DNS Service), see DNS_SCRIPT. */
export interface DirectQuery extends NslookupResult {
  index: number;
  server: string;
  /** The absolute name asked. */
  name: string;
  exitCode: number;
  ms?: number;
}

export interface DnsProbeOutput {
  resolvConf?: ResolvConf;
  lookups: DnsLookup[];
  /** The names asked of each server directly (`--direct`), in order. */
  direct: DirectQuery[];
  /** Lines outside any block (errors of the shell itself). */
  stray: string[];
}

const IPV4 = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/;
const IPV6 = /\b([0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})\b/i;

function addressIn(text: string): string | undefined {
  const v4 = IPV4.exec(text);
  if (v4) return v4[1];
  const v6 = IPV6.exec(text);
  const v6addr = v6?.[1];
  return v6addr && (v6addr.includes('::') || v6addr.split(':').length >= 4) ? v6addr : undefined;
}

/** One busybox nslookup output, any version. */
export function parseNslookup(text: string): NslookupResult {
  const addresses: string[] = [];
  const cnames: string[] = [];
  let server: string | undefined;
  let inServer = false;
  const failures: { outcome: DnsOutcome; message: string }[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '') {
      inServer = false;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^Server:\s*(.*)$/.exec(line))) {
      inServer = true;
      server = addressIn(m[1] ?? '') ?? server;
      continue;
    }
    if (/^Name:/.test(line)) {
      inServer = false;
      continue;
    }
    if ((m = /^Address(?:es)?(?:\s+\d+)?:\s*(.*)$/.exec(line))) {
      const addr = addressIn(m[1] ?? '');
      if (inServer) server ??= addr;
      else if (addr && !addresses.includes(addr)) addresses.push(addr);
      continue;
    }
    if ((m = /canonical name = (\S+?)\.?$/.exec(line))) {
      if (!cnames.includes(m[1]!)) cnames.push(m[1]!);
      continue;
    }
    if ((m = /^\*\* server can't find (.*?):\s*([A-Z]+)$/.exec(line))) {
      const code = m[2]!;
      const outcome: DnsOutcome = code === 'NXDOMAIN' ? 'nxdomain' : code === 'SERVFAIL' ? 'servfail' : code === 'REFUSED' ? 'refused' : 'error';
      failures.push({ outcome, message: line.replace(/^\*\*\s*/, '') });
      continue;
    }
    if (/^\*\*\* Can't find .*: No answer$/.test(line) || /No answer$/.test(line)) {
      failures.push({ outcome: 'nodata', message: line.replace(/^\*+\s*/, '') });
      continue;
    }
    if (/connection timed out|no servers could be reached/.test(line)) {
      failures.push({ outcome: 'timeout', message: line.replace(/^;;\s*/, '') });
      continue;
    }
    if (/can't resolve/.test(line)) {
      failures.push({ outcome: 'unresolved', message: line.replace(/^nslookup:\s*/, '') });
      continue;
    }
    if (/Connection refused|Network is unreachable|No route to host/i.test(line)) {
      failures.push({ outcome: 'unreachable', message: line.replace(/^nslookup:\s*/, '') });
      continue;
    }
    if (/^nslookup: /.test(line) || /unrecognized option|invalid option|not found$/.test(line)) {
      failures.push({ outcome: 'error', message: line });
    }
  }
  const result: NslookupResult = { outcome: 'answer', addresses, cnames, ...(server ? { server } : {}) };
  if (addresses.length > 0 || cnames.length > 0) return result;
  // Most specific failure first: a refused write to the server also ends in "timed out".
  const rank: DnsOutcome[] = ['unreachable', 'timeout', 'servfail', 'refused', 'nxdomain', 'unresolved', 'nodata', 'error'];
  for (const outcome of rank) {
    const f = failures.find((x) => x.outcome === outcome);
    if (f) return { ...result, outcome, message: f.message };
  }
  return { ...result, outcome: 'error', message: text.trim().split('\n')[0] || 'no output' };
}

export function parseResolvConf(raw: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], ndots: 1, options: [], raw };
  for (const line of raw.split('\n')) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key === 'nameserver' && rest[0]) conf.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') conf.search = rest;
    else if (key === 'options') {
      conf.options.push(...rest);
      for (const o of rest) {
        const m = /^ndots:(\d+)$/.exec(o);
        if (m) conf.ndots = Number(m[1]);
      }
    }
  }
  return conf;
}

const RANK: DnsOutcome[] = ['unreachable', 'timeout', 'servfail', 'refused', 'error', 'nxdomain', 'unresolved', 'nodata'];

/** Splits the DNS probe's log (see DNS_SCRIPT) into resolv.conf and lookups. */
export function parseDnsProbeLog(log: string, nonce: string): DnsProbeOutput {
  const marker = `KDIAG${nonce} `;
  const out: DnsProbeOutput = { lookups: [], direct: [], stray: [] };
  let section: 'none' | 'resolv' | 'lookup' | 'attempt' | 'direct' = 'none';
  let direct: { index: number; server: string; name: string; lines: string[] } | undefined;
  let resolvLines: string[] = [];
  let lookup: DnsLookup | undefined;
  let attempt: { name: string; lines: string[] } | undefined;
  for (const line of log.split('\n')) {
    if (!line.startsWith(marker)) {
      if (section === 'resolv') resolvLines.push(line);
      else if (section === 'attempt') attempt!.lines.push(line);
      else if (section === 'direct') direct!.lines.push(line);
      else if (line.trim()) out.stray.push(line);
      continue;
    }
    const [word, ...rest] = line.slice(marker.length).split(' ');
    switch (word) {
      case 'resolv.conf':
        section = 'resolv';
        resolvLines = [];
        break;
      case 'lookup':
        if (section === 'resolv') out.resolvConf = parseResolvConf(resolvLines.join('\n'));
        lookup = { index: Number(rest[0]), query: rest[1] ?? '', attempts: [], outcome: 'error', addresses: [], cnames: [] };
        out.lookups.push(lookup);
        section = 'lookup';
        break;
      case 'try':
        attempt = { name: rest[0] ?? '', lines: [] };
        section = 'attempt';
        break;
      case 'tried': {
        if (attempt && lookup) {
          const rc = /rc=(\d+)/.exec(line);
          const ms = /ms=(-?\d+)/.exec(line);
          const res = /res=(\d+)/.exec(line);
          const parsed = parseNslookup(attempt.lines.join('\n'));
          lookup.attempts.push({
            name: attempt.name,
            exitCode: rc ? Number(rc[1]) : -1,
            ...(ms && Number(ms[1]) >= 0 ? { ms: Number(ms[1]) } : {}),
            ...(res ? { resolutionMs: Number(res[1]) } : {}),
            ...parsed,
          });
        }
        attempt = undefined;
        section = 'lookup';
        break;
      }
      case 'direct':
        if (section === 'resolv') out.resolvConf = parseResolvConf(resolvLines.join('\n'));
        direct = { index: Number(rest[0]), server: rest[1] ?? '', name: rest[2] ?? '', lines: [] };
        section = 'direct';
        break;
      case 'directed': {
        if (direct) {
          const rc = /rc=(\d+)/.exec(line);
          const ms = /ms=(-?\d+)/.exec(line);
          out.direct.push({
            index: direct.index,
            server: direct.server,
            name: direct.name,
            exitCode: rc ? Number(rc[1]) : -1,
            ...(ms && Number(ms[1]) >= 0 ? { ms: Number(ms[1]) } : {}),
            ...parseNslookup(direct.lines.join('\n')),
          });
        }
        direct = undefined;
        section = 'none';
        break;
      }
      case 'end':
        if (lookup) finishLookup(lookup);
        section = 'none';
        break;
      default:
        break;
    }
  }
  if (section === 'resolv') out.resolvConf = parseResolvConf(resolvLines.join('\n'));
  for (const l of out.lookups) if (l.outcome === 'error' && l.attempts.length) finishLookup(l);
  // The direct queries print their blocks as they finish: back in the order they were asked.
  out.direct.sort((a, b) => a.index - b.index);
  return out;
}

function finishLookup(lookup: DnsLookup): void {
  const answered = lookup.attempts.find((a) => a.outcome === 'answer');
  const times = lookup.attempts.map((a) => a.ms).filter((m): m is number => m !== undefined);
  if (times.length) lookup.totalMs = times.reduce((a, b) => a + b, 0);
  if (answered) {
    lookup.outcome = 'answer';
    lookup.answeredBy = answered.name;
    lookup.addresses = answered.addresses;
    lookup.cnames = answered.cnames;
    return;
  }
  for (const outcome of RANK) {
    if (lookup.attempts.some((a) => a.outcome === outcome)) {
      lookup.outcome = outcome;
      return;
    }
  }
  lookup.outcome = 'error';
}

// ---------------------------------------------------------------- explanation

export interface DnsRow {
  query: string;
  form: QueryForm;
  status: string;
  answer: string;
  /** Whether the answer is what the Service says (undefined: nothing to compare). */
  matches?: boolean;
  expectResolve: boolean;
  answeredBy?: string;
  attempts: { name: string; outcome: DnsOutcome; ms?: number }[];
  ms?: number;
  /** Clock resolution of the times (ms). */
  resolutionMs?: number;
  note?: string;
}

export interface DnsAnalysisInput {
  plan: DnsPlan;
  output: DnsProbeOutput;
  expectation: DnsExpectation;
  dnsHealth: ClusterDnsHealth;
  /** Whether the probe pod may send DNS at all, per the NetworkPolicies of its namespace. */
  dnsEgress?: PolicyVerdict;
}

export interface DnsAnalysis {
  rows: DnsRow[];
  findings: Finding[];
  resolvConf?: ResolvConf;
}

const STATUS: Record<DnsOutcome, string> = {
  answer: 'OK',
  nxdomain: 'NXDOMAIN',
  nodata: 'NO ANSWER',
  servfail: 'SERVFAIL',
  refused: 'REFUSED',
  timeout: 'TIMEOUT',
  unreachable: 'UNREACHABLE',
  unresolved: 'NOT FOUND',
  error: 'ERROR',
};

function subjectRef(subject: DnsSubject): ObjectRef {
  if (subject.kind === 'external') return { kind: 'DNSName', name: subject.name.replace(/\.$/, '') };
  if (subject.kind === 'pod') return { kind: 'Service', namespace: subject.namespace, name: subject.service };
  return { kind: 'Service', namespace: subject.namespace, name: subject.service };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** Compares answers with the Service, and explains every failure with what kdiag knows. */
export function analyzeDns(input: DnsAnalysisInput): DnsAnalysis {
  const { plan, output, expectation, dnsHealth } = input;
  const ref = subjectRef(plan.subject);
  const findings: Finding[] = [];
  const clusterSuffix = `.${plan.clusterDomain}.`;
  if (plan.subject.kind !== 'external') {
    // Without an upstream forwarder CoreDNS answers SERVFAIL for the bare name at the end
    // of the search walk; what counts for a cluster name is the NXDOMAIN inside the zone.
    for (const l of output.lookups) {
      const failing = l.attempts.filter((a) => a.outcome === 'servfail' || a.outcome === 'refused');
      if (
        (l.outcome === 'servfail' || l.outcome === 'refused') &&
        failing.every((a) => !a.name.endsWith(clusterSuffix)) &&
        l.attempts.some((a) => a.outcome === 'nxdomain' && a.name.endsWith(clusterSuffix))
      ) {
        l.outcome = 'nxdomain';
      }
    }
  }
  const rows: DnsRow[] = plan.queries.map((q, i) => {
    const l = output.lookups.find((x) => x.index === i);
    if (!l) return { query: q.query, form: q.form, status: 'NOT RUN', answer: '', expectResolve: q.expectResolve, attempts: [] };
    const answered = l.outcome === 'answer';
    const v4 = l.addresses.filter((a) => a.includes('.'));
    let matches: boolean | undefined;
    if (answered && q.expectResolve) {
      if (expectation.cname) matches = l.cnames.map((c) => c.replace(/\.$/, '')).includes(expectation.cname);
      else if (expectation.addresses.length) matches = sameSet(v4.length ? v4 : l.addresses, expectation.addresses);
    }
    const row: DnsRow = {
      query: q.query,
      form: q.form,
      status: STATUS[l.outcome],
      answer: sanitize(
        answered
          ? [...l.cnames.map((c) => `CNAME ${c}`), ...l.addresses].join(', ')
          : ([...l.attempts].reverse().find((a) => a.outcome === l.outcome)?.message ?? l.attempts.at(-1)?.message ?? ''),
      ),
      ...(matches !== undefined ? { matches } : {}),
      expectResolve: q.expectResolve,
      ...(l.answeredBy ? { answeredBy: l.answeredBy } : {}),
      attempts: l.attempts.map((a) => ({ name: a.name, outcome: a.outcome, ...(a.ms !== undefined ? { ms: a.ms } : {}) })),
      ...(l.totalMs !== undefined ? { ms: l.totalMs } : {}),
      ...(l.attempts[0]?.resolutionMs ? { resolutionMs: l.attempts[0].resolutionMs } : {}),
    };
    if (!answered && !q.expectResolve && plan.subject.kind !== 'external') {
      row.note = `expected: a short name resolves only from namespace ${plan.subject.namespace} (the probe ran in ${plan.probeNamespace})`;
    }
    return row;
  });

  const lookups = plan.queries.map((q, i) => ({ q, l: output.lookups.find((x) => x.index === i) })).filter((x) => x.l && x.q.expectResolve) as {
    q: DnsQuery;
    l: DnsLookup;
  }[];
  const names = (outcomes: DnsOutcome[]) => lookups.filter((x) => outcomes.includes(x.l.outcome)).map((x) => x.q.query);
  const name = ref.name;

  const timedOut = names(['timeout', 'unreachable']);
  if (timedOut.length) findings.push(timeoutFinding(ref, timedOut, input, output));

  const servfail = names(['servfail', 'refused']);
  if (servfail.length) {
    findings.push(
      finding('KD5003', ref, {
        message: `${name}: the DNS server answered ${lookups.find((x) => servfail.includes(x.q.query))!.l.outcome.toUpperCase()} for ${servfail.join(', ')}`,
        cause: `The cluster DNS could not answer (SERVFAIL: its upstream or its Kubernetes API connection failed; REFUSED: it does not serve this zone). ${dnsHealthText(dnsHealth)}`,
        fix: fix`${DNS_LOGS}; check the Corefile: ${COREFILE}`,
      }),
    );
  }

  const missing = names(['nxdomain', 'unresolved', 'nodata']);
  if (missing.length && !timedOut.length) findings.push(nxdomainFinding(ref, missing, plan, expectation));

  const differs = rows.filter((r) => r.matches === false);
  if (differs.length) {
    findings.push(
      finding('KD5004', ref, {
        message: `${name}: DNS answers ${differs[0]!.answer || 'nothing'} for ${differs.map((r) => r.query).join(', ')}, expected ${expectation.cname ? `CNAME ${expectation.cname}` : expectation.addresses.join(', ') || 'other addresses'}`,
        cause: `kdiag expected ${expectation.description}. A different answer means a stale DNS cache (the Service was recreated with a new ClusterIP), a second DNS server in resolv.conf (${output.resolvConf?.nameservers.join(', ') || 'unknown'}), a custom CoreDNS rewrite/hosts entry, or, for a headless Service, endpoints that changed between the lookup and the snapshot.`,
        fix: ref.namespace
          ? fix`Repeat: ${repeatDns(plan)}; compare with ${kubectl('-n', ref.namespace, 'get', 'service', name, '-o', 'wide')} and ${COREFILE}`
          : fix`Repeat: ${repeatDns(plan)}; compare with ${COREFILE}`,
      }),
    );
  }

  findings.push(...dnsHealthFindings(dnsHealth));

  const conf = output.resolvConf;
  if (conf && plan.subject.kind === 'external' && conf.ndots >= 2) {
    const first = rows.find((r) => r.form === 'as-given');
    const dots = (plan.subject.name.match(/\./g) ?? []).length;
    const wasted = first ? first.attempts.filter((a) => a.name !== `${first.query}.` && a.outcome !== 'answer') : [];
    if (first && dots < conf.ndots && wasted.length) {
      const wastedMs = wasted.reduce((n, a) => n + (a.ms ?? 0), 0);
      findings.push(
        finding('KD5007', ref, {
          message: `${name}: with ndots:${conf.ndots} each lookup of ${first.query} first tries ${wasted.length} search domain(s)`,
          cause: `${first.query} has ${dots} dot(s), fewer than ndots:${conf.ndots}, so the resolver tries ${wasted.map((a) => a.name).join(', ')} (each NXDOMAIN, ${wastedMs} ms here) before asking for ${first.query}. itself. Pods that call external APIs pay this on every lookup that misses their cache.`,
          fix: fix`Use the absolute name with a trailing dot (${first.query}.), or lower ndots in the pod spec:\n${manifest({ spec: { dnsConfig: { options: [{ name: 'ndots', value: '2' }] } } })}`,
        }),
      );
    }
  }
  return { rows, findings, ...(conf ? { resolvConf: conf } : {}) };
}

const DNS_LOGS = kubectl('-n', 'kube-system', 'logs', '-l', 'k8s-app=kube-dns', '--tail=50');
const DNS_DESCRIBE = kubectl('-n', 'kube-system', 'describe', 'pods', '-l', 'k8s-app=kube-dns');
const DNS_ENDPOINTS = cmd('kdiag', 'endpoints', 'kube-dns', '-n', 'kube-system');
const COREFILE = kubectl('-n', 'kube-system', 'get', 'configmap', 'coredns', '-o', 'yaml');

/** `kdiag dns NAME [-n NAMESPACE]`, the lookup again. */
function repeatDns(plan: DnsPlan): FixCommand {
  return plan.subject.kind !== 'external' ? cmd('kdiag', 'dns', plan.input, '-n', plan.subject.namespace) : cmd('kdiag', 'dns', plan.input);
}

function dnsHealthText(h: ClusterDnsHealth): string {
  if (h.unknown) return `The cluster DNS's state is unknown (${h.unknown}).`;
  const ready = h.pods.filter((p) => p.ready).length;
  return `Cluster DNS: ${ready}/${h.pods.length} pod(s) Ready, Service ${h.service ? `kube-system/${h.service.name} (${h.service.clusterIP ?? '?'})` : 'kube-dns not found'} with ${h.readyEndpoints} ready endpoint(s).`;
}

function dnsHealthFindings(h: ClusterDnsHealth): Finding[] {
  if (h.unknown) return [];
  const out: Finding[] = [];
  const ref: ObjectRef = { kind: 'Service', namespace: 'kube-system', name: h.service?.name ?? 'kube-dns' };
  const notReady = h.pods.filter((p) => !p.ready);
  if (h.pods.length === 0 || notReady.length > 0) {
    const none = h.pods.length === 0 || notReady.length === h.pods.length;
    out.push(
      finding('KD6003', ref, {
        message: `${ref.name}: ${h.pods.length === 0 ? 'no cluster DNS pods (label k8s-app=kube-dns) in kube-system' : `${notReady.length} of ${h.pods.length} cluster DNS pod(s) not Ready`}`,
        cause:
          h.pods.length === 0
            ? 'No pod labelled k8s-app=kube-dns runs in kube-system: name lookups from pods fail.'
            : notReady.map((p) => `${p.name}: ${p.detail}`).join('; '),
        fix: fix`${kubectl('-n', 'kube-system', 'get', 'deploy,pods', '-l', 'k8s-app=kube-dns')}; ${DNS_DESCRIBE}; ${DNS_LOGS}`,
        ...(none ? {} : { severity: 'warning' as const }),
      }),
    );
  }
  if (!h.service || h.readyEndpoints === 0) {
    out.push(
      finding('KD6004', ref, {
        message: `${ref.name}: ${h.service ? 'the cluster DNS Service has no ready endpoints' : 'no kube-dns Service in kube-system'}`,
        cause: h.service
          ? `Service kube-system/${h.service.name} (${h.service.clusterIP ?? '?'}) is the nameserver in every pod's resolv.conf, and no Ready DNS pod backs it: every lookup times out or is refused.`
          : 'Pods use the kube-dns Service ClusterIP as nameserver; without it no lookup can succeed.',
        fix: fix`${DNS_ENDPOINTS}; ${kubectl('-n', 'kube-system', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=kube-dns')}`,
      }),
    );
  }
  return out;
}

function timeoutFinding(ref: ObjectRef, queries: string[], input: DnsAnalysisInput, output: DnsProbeOutput): Finding {
  const h = input.dnsHealth;
  const causes: string[] = [];
  const fixes: FixSpec[] = [];
  const egress = input.dnsEgress;
  if (egress && egress.isolating.length && egress.allowed === false) {
    causes.push(
      `NetworkPolicy ${egress.isolating.join(', ')} selects the probe pod in namespace ${input.plan.probeNamespace} with Egress in policyTypes and no rule allows UDP port 53 to the cluster DNS`,
    );
    fixes.push(
      fix`Add an egress rule for DNS to ${egress.isolating[0] ?? ''}:\n${manifest({
        spec: {
          egress: [
            {
              to: [{ namespaceSelector: {} }],
              ports: [
                { protocol: 'UDP', port: 53 },
                { protocol: 'TCP', port: 53 },
              ],
            },
          ],
        },
      })}`,
    );
  }
  const ready = h.pods.filter((p) => p.ready).length;
  if (!h.unknown && (h.pods.length === 0 || ready === 0))
    causes.push(`no cluster DNS pod is Ready (${h.pods.map((p) => `${p.name}: ${p.detail}`).join('; ') || 'none found'})`);
  if (!h.unknown && h.service && h.readyEndpoints === 0) causes.push(`Service kube-system/${h.service.name} has no ready endpoints`);
  if (causes.length === 0) {
    causes.push(
      `the DNS server ${output.resolvConf?.nameservers.join(', ') || ''} did not answer although ${dnsHealthText(h).replace(/^Cluster DNS: /, 'the cluster DNS has ')} — a NetworkPolicy on kube-system, the node's network, or an overloaded CoreDNS may drop the packets`,
    );
    fixes.push(fix`${DNS_LOGS}; ${kubectl('get', 'networkpolicy', '-n', 'kube-system')}`);
  } else if (fixes.length === 0) {
    fixes.push(fix`${DNS_DESCRIBE}; ${DNS_ENDPOINTS}`);
  }
  return finding('KD5002', ref, {
    message: `${ref.name}: DNS lookups timed out for ${queries.join(', ')}`,
    cause: `${causes.join('; ')}.`.replace(/\.\.$/, '.'),
    fix: joinFixes(fixes),
  });
}

function nxdomainFinding(ref: ObjectRef, queries: string[], plan: DnsPlan, expectation: DnsExpectation): Finding {
  const subject = plan.subject;
  if (subject.kind === 'external') {
    return finding('KD5001', ref, {
      message: `${ref.name}: ${queries.join(', ')} does not exist in DNS`,
      cause: `The cluster DNS answered NXDOMAIN for every name it tried. Names outside the cluster resolve only when CoreDNS forwards to an upstream resolver (the forward plugin in its Corefile).`,
      fix: fix`Check the spelling; ${COREFILE} (is there a "forward . /etc/resolv.conf" line?)`,
    });
  }
  const similar = expectation.similar.length ? ` Services with a similar name in ${subject.namespace}: ${expectation.similar.join(', ')}.` : '';
  if (expectation.missing) {
    return finding('KD5001', ref, {
      message: `${ref.name}: ${queries.join(', ')} does not resolve (NXDOMAIN): there is no ${expectation.missing}`,
      cause: `DNS names exist only for existing Services (and, for pod.service names, pods with that hostname behind a headless Service).${similar} A Service lives in one namespace: from another namespace use NAME.NAMESPACE.`,
      fix: expectation.similar.length
        ? fix`${cmd('kdiag', 'dns', expectation.similar[0]!, '-n', subject.namespace)}`
        : fix`${kubectl('get', 'services', '-A', '--field-selector', `metadata.name=${subject.service}`)}`,
    });
  }
  return finding('KD5001', ref, {
    message: `${ref.name}: ${queries.join(', ')} does not resolve (NXDOMAIN) although the ${subject.kind === 'pod' ? 'pod and Service exist' : 'Service exists'}`,
    cause: `The cluster DNS does not know the name: its cluster domain may not be ${plan.clusterDomain} (use --cluster-domain), CoreDNS may have lost its connection to the API server, or ${subject.kind === 'pod' ? 'the pod is not Ready (headless names list only ready pods unless publishNotReadyAddresses is set)' : 'the Service was created moments ago'}.`,
    fix: fix`${DNS_LOGS}; ${COREFILE}`,
  });
}
