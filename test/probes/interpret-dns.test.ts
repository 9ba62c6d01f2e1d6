// busybox nslookup output as the DNS probe prints it. probe-dns-cluster-*.txt is the log
// of a probe pod on the local cluster (nonce replaced). The other probe-dns-*.txt were
// recorded by running DNS_SCRIPT with Debian's busybox 1.35 (the local cluster's image)
// against a local DNS responder (server address rewritten to 10.96.0.10); the 1.27-era
// libc format (probe-dns-busybox127.txt) and the reordered Name/Address form
// (probe-dns-reordered.txt) are written from those versions' output formats.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDns, parseDnsProbeLog, parseNslookup, parseResolvConf } from '../../src/probes/interpret-dns.js';
import { dnsExpectation, parseDnsName, planDns } from '../../src/probes/plan.js';
import { loadFixture, fixtureSnapshot } from '../support/fixtures.js';
import { ROOT } from '../support/run.js';

const fixture = (name: string) => readFileSync(join(ROOT, 'test', 'fixtures', name), 'utf8');
const NONCE = 'n0nce123';
const healthyDns = {
  service: { namespace: 'kube-system', name: 'kube-dns', clusterIP: '10.96.0.10' },
  pods: [{ name: 'coredns-1', ready: true, detail: 'Ready' }],
  readyEndpoints: 1,
};

describe('parseNslookup (one busybox output, any version)', () => {
  it.each([
    [
      'busybox 1.35 answer',
      'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tapi.production.svc.cluster.local\nAddress: 10.96.12.34\n',
      'answer',
      ['10.96.12.34'],
    ],
    [
      'busybox 1.27 answer',
      'Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      api\nAddress 1: 10.96.12.34 api.production.svc.cluster.local\n',
      'answer',
      ['10.96.12.34'],
    ],
    [
      'Address before Name',
      'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nAddress: 10.244.0.22\nName:\tr\nAddress: 10.244.0.21\nName:\tr\n',
      'answer',
      ['10.244.0.22', '10.244.0.21'],
    ],
    [
      'NXDOMAIN',
      "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find nosuch.: NXDOMAIN\n\n** server can't find nosuch.: NXDOMAIN\n",
      'nxdomain',
      [],
    ],
    ['SERVFAIL', "** server can't find x.: SERVFAIL\n", 'servfail', []],
    ['REFUSED', "** server can't find x.: REFUSED\n", 'refused', []],
    ['timeout', ';; connection timed out; no servers could be reached\n', 'timeout', []],
    ['busybox 1.27 failure', "Server:    10.96.0.10\nAddress 1: 10.96.0.10\n\nnslookup: can't resolve 'nosuch'\n", 'unresolved', []],
    [
      'refused write then timeout',
      "nslookup: write to '10.96.0.10:53': Connection refused\n;; connection timed out; no servers could be reached\n",
      'unreachable',
      [],
    ],
    ['AAAA only has no answer', "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n*** Can't find x.: No answer\n", 'nodata', []],
  ])('%s', (_name, text, outcome, addresses) => {
    const r = parseNslookup(text);
    expect(r.outcome).toBe(outcome);
    expect(r.addresses).toEqual(addresses);
  });

  it('never takes the server address for an answer', () => {
    expect(parseNslookup("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find a.: NXDOMAIN\n").addresses).toEqual([]);
  });

  it('reads CNAMEs (ExternalName Services)', () => {
    const r = parseNslookup(
      'Non-authoritative answer:\next.production.svc.cluster.local\tcanonical name = db.example.com\nName:\tdb.example.com\nAddress: 192.0.2.10\n',
    );
    expect(r.cnames).toEqual(['db.example.com']);
    expect(r.addresses).toEqual(['192.0.2.10']);
  });
});

describe('parseResolvConf', () => {
  it('reads nameservers, search list and ndots', () => {
    const c = parseResolvConf('search production.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5 timeout:2\n');
    expect(c).toMatchObject({
      nameservers: ['10.96.0.10'],
      search: ['production.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      ndots: 5,
      options: ['ndots:5', 'timeout:2'],
    });
  });
});

describe('parseDnsProbeLog (recorded probe output)', () => {
  it('a Service: short name answered by the first search domain, name.ns after one NXDOMAIN, FQDN at once', () => {
    const out = parseDnsProbeLog(fixture('probe-dns-service.txt'), NONCE);
    expect(out.resolvConf?.ndots).toBe(5);
    expect(out.lookups.map((l) => [l.query, l.outcome, l.addresses, l.attempts.length, l.answeredBy])).toEqual([
      ['api-service', 'answer', ['10.96.12.34'], 1, 'api-service.production.svc.cluster.local.'],
      ['api-service.production', 'answer', ['10.96.12.34'], 2, 'api-service.production.svc.cluster.local.'],
      ['api-service.production.svc.cluster.local.', 'answer', ['10.96.12.34'], 1, 'api-service.production.svc.cluster.local.'],
    ]);
    expect(out.lookups[1]!.attempts[0]!.outcome).toBe('nxdomain');
    expect(out.lookups[0]!.totalMs).toBeGreaterThanOrEqual(0);
  });

  it('a headless Service answers every ready pod IP', () => {
    const out = parseDnsProbeLog(fixture('probe-dns-headless.txt'), NONCE);
    expect(out.lookups[2]!.addresses).toEqual(['10.244.0.21', '10.244.0.22']);
  });

  it('an absent name walks the whole search list and ends NXDOMAIN', () => {
    const out = parseDnsProbeLog(fixture('probe-dns-nxdomain.txt'), NONCE);
    expect(out.lookups.map((l) => l.outcome)).toEqual(['nxdomain', 'nxdomain', 'nxdomain']);
    expect(out.lookups[0]!.attempts.map((a) => a.name)).toEqual([
      'nosuch.production.svc.cluster.local.',
      'nosuch.svc.cluster.local.',
      'nosuch.cluster.local.',
      'nosuch.',
    ]);
  });

  it('a timeout stops the walk at the first attempt', () => {
    const out = parseDnsProbeLog(fixture('probe-dns-timeout.txt'), NONCE);
    expect(out.lookups.map((l) => [l.outcome, l.attempts.length])).toEqual([
      ['timeout', 1],
      ['timeout', 1],
      ['timeout', 1],
    ]);
  });

  it('SERVFAIL for an external name after the search domains', () => {
    const out = parseDnsProbeLog(fixture('probe-dns-servfail.txt'), NONCE);
    expect(out.lookups[0]!.outcome).toBe('servfail');
    expect(out.lookups[0]!.attempts.map((a) => a.outcome)).toEqual(['nxdomain', 'nxdomain', 'nxdomain', 'servfail']);
  });

  it('dual stack: A and AAAA', () => {
    const out = parseDnsProbeLog(fixture('probe-dns-dualstack.txt'), NONCE);
    expect(out.lookups[0]!.addresses).toEqual(['10.96.1.1', 'fd00::1']);
  });

  it('recorded on the local cluster (CoreDNS, busybox 1.35, /proc/uptime clock)', () => {
    const out = parseDnsProbeLog(fixture('probe-dns-cluster-headless.txt'), NONCE);
    expect(out.lookups.map((l) => [l.outcome, [...l.addresses].sort(), l.attempts.length])).toEqual([
      ['answer', ['10.244.0.2', '10.244.0.8'], 1],
      ['answer', ['10.244.0.2', '10.244.0.8'], 2],
      ['answer', ['10.244.0.2', '10.244.0.8'], 1],
    ]);
    expect(out.lookups[0]!.attempts[0]!.resolutionMs).toBe(10);
  });

  it('busybox 1.27 (libc) format and a reordered answer', () => {
    const old = parseDnsProbeLog(fixture('probe-dns-busybox127.txt'), NONCE);
    expect(old.lookups.map((l) => [l.outcome, l.addresses])).toEqual([
      ['answer', ['10.96.12.34']],
      ['unresolved', []],
    ]);
    const reordered = parseDnsProbeLog(fixture('probe-dns-reordered.txt'), NONCE);
    expect(reordered.lookups[0]!.addresses).toEqual(['10.244.0.22', '10.244.0.21']);
  });

  it('ignores marker lines with another nonce (an answer cannot forge a block)', () => {
    const log = fixture('probe-dns-service.txt').replace('Address: 10.96.12.34', 'Address: 10.96.12.34\nKDIAGforged00 lookup 9 evil');
    expect(parseDnsProbeLog(log, NONCE).lookups).toHaveLength(3);
  });
});

describe('analyzeDns', () => {
  const production = loadFixture('production.yaml');
  const snapshot = fixtureSnapshot(production);
  const analyse = (name: string, file: string, health = healthyDns, dnsEgress?: { isolating: string[]; allowed: boolean }) => {
    const subject = parseDnsName(
      name,
      'production',
      'cluster.local',
      snapshot.services.map((s) => s.metadata!.name!),
    );
    const plan = planDns(name, subject, 'production');
    return analyzeDns({
      plan,
      output: parseDnsProbeLog(fixture(file), NONCE),
      expectation: dnsExpectation(subject, snapshot),
      dnsHealth: health,
      ...(dnsEgress ? { dnsEgress } : {}),
    });
  };
  const svcIP = (name: string) => production.find((o) => o.kind === 'Service' && o.metadata.name === name)!.spec as { clusterIP: string };

  it('no finding when every answer is the ClusterIP', () => {
    const ip = svcIP('api-service').clusterIP;
    const log = fixture('probe-dns-service.txt').replaceAll('10.96.12.34', ip);
    const subject = parseDnsName('api-service', 'production', 'cluster.local');
    const a = analyzeDns({
      plan: planDns('api-service', subject, 'production'),
      output: parseDnsProbeLog(log, NONCE),
      expectation: dnsExpectation(subject, snapshot),
      dnsHealth: healthyDns,
    });
    expect(a.findings).toEqual([]);
    expect(a.rows.map((r) => [r.status, r.matches])).toEqual([
      ['OK', true],
      ['OK', true],
      ['OK', true],
    ]);
  });

  it('KD5004 when the answer is not the ClusterIP', () => {
    const a = analyse('api-service', 'probe-dns-service.txt');
    expect(a.findings.map((f) => f.code)).toEqual(['KD5004']);
    expect(a.findings[0]!.message).toMatch(/^api-service: DNS answers 10\.96\.12\.34 for api-service, api-service\.production/);
  });

  it('KD5001 for an absent Service, naming similar Services', () => {
    const a = analyse('api-servce', 'probe-dns-nxdomain.txt');
    expect(a.findings.map((f) => f.code)).toEqual(['KD5001']);
    expect(a.findings[0]!.cause).toContain('api-service');
    expect(a.findings[0]!.message).toContain('there is no Service production/api-servce');
  });

  it('KD5002 naming the egress NetworkPolicy without DNS', () => {
    const a = analyse('api-service', 'probe-dns-timeout.txt', healthyDns, { isolating: ['production/lockdown'], allowed: false });
    expect(a.findings.map((f) => f.code)).toEqual(['KD5002']);
    expect(a.findings[0]!.cause).toContain('NetworkPolicy production/lockdown selects the probe pod');
    expect(a.findings[0]!.fix).toContain('port: 53');
  });

  it('KD5002 with the DNS pods down, plus KD6003 and KD6004', () => {
    const down = {
      service: healthyDns.service,
      pods: [{ name: 'coredns-1', ready: false, detail: 'Running: container coredns: CrashLoopBackOff' }],
      readyEndpoints: 0,
    };
    const a = analyse('api-service', 'probe-dns-unreachable.txt', down);
    expect(a.findings.map((f) => f.code)).toEqual(['KD5002', 'KD6003', 'KD6004']);
    expect(a.findings[0]!.cause).toContain('CrashLoopBackOff');
  });

  it('KD5003 for SERVFAIL and KD5007 for the ndots cost of an external name', () => {
    const a = analyse('broken.example.com', 'probe-dns-servfail.txt');
    expect(a.findings.map((f) => f.code).sort()).toEqual(['KD5003', 'KD5007']);
    const ok = analyse('db.example.com', 'probe-dns-external.txt');
    expect(ok.findings.map((f) => f.code)).toEqual(['KD5007']);
    expect(ok.findings[0]!.message).toBe('db.example.com: with ndots:5 each lookup of db.example.com first tries 3 search domain(s)');
  });

  it('a short name from another namespace is expected not to resolve', () => {
    const subject = parseDnsName('nosuch', 'production', 'cluster.local');
    const plan = planDns('nosuch', subject, 'default');
    const a = analyzeDns({
      plan,
      output: parseDnsProbeLog(fixture('probe-dns-nxdomain.txt'), NONCE),
      expectation: dnsExpectation(subject, snapshot),
      dnsHealth: healthyDns,
    });
    expect(a.rows[0]!.note).toContain('resolves only from namespace production');
    expect(a.findings[0]!.message).not.toContain('nosuch,');
  });
});
