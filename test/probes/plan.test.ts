import { describe, expect, it } from '@jest/globals';
import { curlArgs, dnsExpectation, parseDnsName, parseTarget, planConnectivity, planDns, similarNames } from '../../src/probes/plan.js';
import { fixtureSnapshot, loadFixture } from '../support/fixtures.js';

const snapshot = fixtureSnapshot(loadFixture('probe-scenario.yaml'));
const productionServices = snapshot.services.filter((s) => s.metadata?.namespace === 'production').map((s) => s.metadata!.name!);

describe('parseDnsName', () => {
  it.each([
    ['api-service', { kind: 'service', service: 'api-service', namespace: 'production' }],
    ['api-service.default', { kind: 'service', service: 'api-service', namespace: 'default' }],
    ['redis-0.redis-headless', { kind: 'pod', hostname: 'redis-0', service: 'redis-headless', namespace: 'production' }],
    ['redis-0.redis-headless.production.svc.cluster.local', { kind: 'pod', hostname: 'redis-0', service: 'redis-headless', namespace: 'production' }],
    ['api-service.production.svc.cluster.local.', { kind: 'service', service: 'api-service', namespace: 'production' }],
    ['db.example.com', { kind: 'external', name: 'db.example.com' }],
    ['example.com.', { kind: 'external', name: 'example.com.' }],
  ])('%s', (name, subject) => {
    expect(parseDnsName(name, 'production', 'cluster.local', productionServices)).toEqual(subject);
  });

  it.each(['api;rm -rf /', '$(id)', '`id`', 'a\nb', 'UPPER', '-x', ''])('rejects %j before anything runs', (name) => {
    expect(() => parseDnsName(name, 'production', 'cluster.local')).toThrow(/invalid name/);
  });
});

describe('planDns', () => {
  it('asks the short name, name.namespace and the FQDN with a trailing dot', () => {
    const plan = planDns('api-service', parseDnsName('api-service', 'production', 'cluster.local'), 'production');
    expect(plan.queries).toEqual([
      { query: 'api-service', form: 'short', expectResolve: true },
      { query: 'api-service.production', form: 'namespaced', expectResolve: true },
      { query: 'api-service.production.svc.cluster.local.', form: 'fqdn', expectResolve: true },
    ]);
  });

  it('does not expect a short name to resolve from another namespace', () => {
    const plan = planDns('api-service.production', parseDnsName('api-service.production', 'default', 'cluster.local'), 'default');
    expect(plan.queries[0]).toEqual({ query: 'api-service', form: 'short', expectResolve: false });
  });

  it('external names: as given (search walk) and absolute', () => {
    expect(planDns('db.example.com', { kind: 'external', name: 'db.example.com' }, 'default').queries.map((q) => q.query)).toEqual([
      'db.example.com',
      'db.example.com.',
    ]);
  });
});

describe('dnsExpectation', () => {
  const expect_ = (name: string) => dnsExpectation(parseDnsName(name, 'production', 'cluster.local', productionServices), snapshot);
  it('ClusterIP Service: its ClusterIP', () => expect(expect_('api-service').addresses).toEqual(['10.96.10.1']));
  it('headless Service: the ready pod IPs', () => expect(expect_('redis-headless').addresses).toEqual(['10.244.0.21']));
  it('StatefulSet pod name: the pod IP', () => expect(expect_('redis-0.redis-headless').addresses).toEqual(['10.244.0.21']));
  it('ExternalName: the CNAME', () => expect(expect_('external-db').cname).toBe('db.example.com'));
  it('missing Service: similar names', () => {
    const e = expect_('api-servic');
    expect(e.missing).toBe('Service production/api-servic');
    expect(e.similar).toEqual(['api-service']);
  });
});

describe('similarNames', () => {
  it('finds typos and containment, most alike first', () => {
    expect(similarNames('postgress', ['postgres', 'redis-headless', 'api-service'])).toEqual(['postgres']);
    expect(similarNames('api', ['api-service', 'postgres'])).toEqual(['api-service']);
  });
});

describe('parseTarget', () => {
  it.each([
    ['api-service', { kind: 'service', name: 'api-service', namespace: 'production', host: 'api-service.production.svc.cluster.local' }],
    ['postgres:5432', { kind: 'service', name: 'postgres', namespace: 'production', port: 5432 }],
    ['api-service.default', { kind: 'service', name: 'api-service', namespace: 'default', host: 'api-service.default.svc.cluster.local' }],
    ['pod/redis-0:6379', { kind: 'pod', name: 'redis-0', port: 6379 }],
    ['10.0.0.1:8080', { kind: 'host', host: '10.0.0.1', port: 8080 }],
    ['http://api-service/health', { kind: 'service', name: 'api-service', scheme: 'http', path: '/health' }],
    ['https://api.example.com:8443/x?y=1', { kind: 'host', host: 'api.example.com', port: 8443, scheme: 'https', path: '/x?y=1' }],
  ])('%s', (raw, want) => {
    expect(parseTarget(raw, 'production')).toMatchObject(want);
  });

  it.each([
    ['api;rm -rf /', /spaces or control characters/],
    ['api;id', /invalid target host/],
    ['$(id):80', /invalid target host/],
    ['`id`', /invalid target host/],
    ['api\nrm', /spaces or control characters/],
    ['api:0', /from 1 to 65535/],
    ['api:65536', /from 1 to 65535/],
    ['api:abc', /from 1 to 65535/],
    ['ftp://host/x', /only http:\/\/ and https:\/\//],
    ['file:///etc/passwd', /only http:\/\/ and https:\/\//],
    ["http://host/a'b", /invalid URL path/],
    ['http://user:pw@host/', /credentials/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseTarget(raw, 'production')).toThrow(message);
  });
});

describe('planConnectivity', () => {
  const plan = (raws: string[], flags = {}) =>
    planConnectivity(
      raws.map((r) => parseTarget(r, 'production')),
      snapshot,
      flags,
    );

  it('HTTP for http ports, TCP for databases, one curl argument pair each', () => {
    const targets = plan(['api-service', 'postgres', 'redis-headless:6379'], { path: undefined });
    expect(targets.map((t) => [t.mode, t.url])).toEqual([
      ['http', 'http://api-service.production.svc.cluster.local/'],
      ['tcp', 'telnet://postgres.production.svc.cluster.local:5432'],
      ['tcp', 'telnet://redis-headless.production.svc.cluster.local:6379'],
    ]);
    expect(curlArgs(targets)).toEqual([
      'http',
      'http://api-service.production.svc.cluster.local/',
      'tcp',
      'telnet://postgres.production.svc.cluster.local:5432',
      'tcp',
      'telnet://redis-headless.production.svc.cluster.local:6379',
    ]);
    expect(targets[0]!.service).toEqual({ namespace: 'production', name: 'api-service', port: 80, targetPort: '8080', portName: 'http' });
  });

  it('--path makes HTTP and is appended; --tcp forces a connect test', () => {
    expect(plan(['api-service'], { path: '/health' })[0]!.url).toBe('http://api-service.production.svc.cluster.local/health');
    expect(plan(['api-service'], { mode: 'tcp' })[0]!.url).toBe('telnet://api-service.production.svc.cluster.local:80');
  });

  it('a.b where b is no namespace is a plain host', () => {
    expect(plan(['example.com:443'])[0]).toMatchObject({ mode: 'http', url: 'https://example.com/' });
  });

  it('a pod target connects to its IP', () => {
    expect(plan(['pod/redis-0'])[0]).toMatchObject({ mode: 'tcp', url: 'telnet://10.244.0.21:6379', pod: { name: 'redis-0', ip: '10.244.0.21' } });
  });

  it('an unknown Service is not probed, with similar names', () => {
    const [t] = plan(['api-servise']);
    expect(t!.unresolved).toBe('no Service api-servise in namespace production (similar: api-service)');
    expect(curlArgs([t!])).toEqual([]);
  });
});
