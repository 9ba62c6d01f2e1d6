// curl results as the connectivity probe prints them. probe-curl-mixed.txt was recorded
// by running CURL_SCRIPT with curl 7.88 against local servers (200 with a backend's JSON,
// 503, a TCP server, a closed port, a silent server, 404, an unknown host, TLS to a
// plain-HTTP port).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeConnectivity, answeredBy, parseCurlProbeLog } from '../../src/probes/interpret-http.js';
import { parseTarget, planConnectivity } from '../../src/probes/plan.js';
import { fixtureSnapshot, loadFixture } from '../support/fixtures.js';
import { ROOT } from '../support/run.js';

const log = readFileSync(join(ROOT, 'test', 'fixtures', 'probe-curl-mixed.txt'), 'utf8');
const modes = ['http', 'http', 'tcp', 'tcp', 'http', 'http', 'tcp', 'http', 'http', 'http'].map((mode) => ({ mode: mode as 'http' | 'tcp' }));

describe('parseCurlProbeLog', () => {
  const results = parseCurlProbeLog(log, 'n0nce123', modes);

  it('classifies every recorded outcome', () => {
    expect(results.map((r) => [r.index, r.outcome, r.httpCode])).toEqual([
      [0, 'ok', 200],
      [1, 'server-error', 503],
      [2, 'connected', 0],
      [3, 'refused', 0],
      [4, 'refused', 0],
      [5, 'timeout', 0],
      [6, 'connected', 0],
      [7, 'client-error', 404],
      [8, 'dns', 0],
      [9, 'tls', 0],
    ]);
  });

  it('turns curl times into a breakdown (ms) and keeps who answered', () => {
    const ok = results[0]!;
    expect(ok.remoteIp).toBe('127.0.0.1');
    expect(ok.timings.totalMs).toBeCloseTo(3.6, 0);
    expect(ok.timings.dnsMs + ok.timings.connectMs + ok.timings.firstByteMs).toBeLessThanOrEqual(ok.timings.totalMs + 0.2);
    expect(answeredBy(ok.body)).toBe('api-server-7d9c-x2x4q 10.244.0.12');
    expect(results[3]!.error).toBe("Failed to connect to 127.0.0.1 port 41499 after 0 ms: Couldn't connect to server");
  });

  it('a TCP connect to a silent server counts as connected, with the connect time as total', () => {
    expect(results[6]!.timings.totalMs).toBeLessThan(10);
  });

  it('a connect timeout (curl 8 wording) is a timeout', () => {
    const r = parseCurlProbeLog(
      'KDIAGx result 0 28 000  0 0.000912 0.000000 0.000000 0.000000 5.002113 Failed to connect to 10.96.10.5 port 5432 after 5002 ms: Timeout was reached\n',
      'x',
      [{ mode: 'tcp' }],
    );
    expect(r[0]).toMatchObject({ outcome: 'timeout', exitCode: 28 });
  });

  it('strips terminal control sequences from the untrusted body', () => {
    const r = parseCurlProbeLog('KDIAGx result 0 0 500 10.0.0.1 80 0 0.001 0 0.002 0.003 \nKDIAGx body 0 \u001b[31mred\u001b[0m \u0007bell\n', 'x', [
      { mode: 'http' },
    ]);
    expect(r[0]!.body).toBe('red bell');
  });
});

describe('analyzeConnectivity', () => {
  const snapshot = fixtureSnapshot(loadFixture('probe-scenario.yaml'));
  const run = (
    raws: string[],
    lines: string[],
    source: { namespace: string; labels: Record<string, string> } = { namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'kdiag' } },
  ) => {
    const targets = planConnectivity(
      raws.map((r) => parseTarget(r, 'production')),
      snapshot,
    );
    const text = lines.map((l, i) => `KDIAGx result ${i} ${l}`).join('\n');
    return analyzeConnectivity({
      targets,
      results: parseCurlProbeLog(
        text,
        'x',
        targets.filter((t) => !t.unresolved),
      ),
      snapshot,
      source,
    });
  };

  it('healthy targets: rows, no findings', () => {
    const a = run(['api-service', 'postgres'], ['0 200 10.96.10.1 80 0.001 0.002 0 0.004 0.005 ', '28 000 10.96.10.5 5432 0.001 0.002 0 0 5.0 Time-out']);
    expect(a.findings).toEqual([]);
    expect(a.rows.map((r) => r.status)).toEqual(['HTTP 200', 'CONNECTED']);
  });

  it('timeout: names the NetworkPolicies of the destination', () => {
    const a = run(
      ['api-service'],
      ['28 000  0 0.001 0 0 0 10.0 Failed to connect to api-service.production.svc.cluster.local port 80 after 5001 ms: Timeout was reached'],
    );
    expect(a.findings.map((f) => f.code)).toEqual(['KD5039']);
    expect(a.findings[0]!.message).toBe(
      'api-service: connection to http://api-service.production.svc.cluster.local/ timed out: blocked by NetworkPolicy production/api-server-policy, production/default-deny-ingress',
    );
    expect(a.findings[0]!.cause).toContain(
      'NetworkPolicy production/api-server-policy, NetworkPolicy production/default-deny-ingress select the destination pod api-server-7d9f-a',
    );
  });

  it("no ready endpoints: the endpoints check's cause", () => {
    const a = run(
      ['empty-service'],
      ['7 000  0 0.001 0 0 0 0.002 Failed to connect to empty-service.production.svc.cluster.local port 80 after 1 ms: Could not connect to server'],
    );
    expect(a.findings.map((f) => f.code)).toEqual(['KD5032']);
    expect(a.findings[0]!.message).toContain('the Service has no ready endpoints (selector app=nothing-here matches no pod)');
  });

  it('refused where policies allow it: the port → targetPort pair', () => {
    const a = run(['api-service'], ['7 000  0 0.001 0 0 0 0.002 Failed to connect to x port 80 after 1 ms: Could not connect to server'], {
      namespace: 'ingress-nginx',
      labels: { 'app.kubernetes.io/managed-by': 'kdiag' },
    });
    expect(a.findings[0]!.code).toBe('KD5030');
    expect(a.findings[0]!.cause).toContain('Service port 80 forwards to targetPort 8080 of 1 ready pod(s) (api-server-7d9f-a)');
  });

  it('refused by a rejecting policy enforcer: the policies', () => {
    const a = run(['api-service'], ['7 000  0 0.001 0 0 0 1.07 Failed to connect to x port 80 after 1073 ms: Could not connect to server']);
    expect(a.findings.map((f) => f.code)).toEqual(['KD5039']);
    expect(a.findings[0]!.fix).toContain('kubernetes.io/metadata.name: default');
  });

  it('probing as a workload: the suggested policy carries its labels', () => {
    const a = run(['postgres'], ['28 000  0 0.001 0 0 0 5.0 Connection timed out after 5000 milliseconds'], {
      namespace: 'production',
      labels: { app: 'api-server', 'app.kubernetes.io/managed-by': 'kdiag', 'kdiag.dev/run-id': 'a1b2c3' },
    });
    expect(a.findings.map((f) => f.code)).toEqual(['KD5039']);
    expect(a.findings[0]!.message).toBe(
      'postgres: connection to postgres.production.svc.cluster.local:5432 timed out: blocked by NetworkPolicy production/default-deny-ingress',
    );
    expect(a.findings[0]!.fix).toContain('      podSelector:\n        matchLabels:\n          app: api-server\n');
    expect(a.findings[0]!.fix).toContain('  podSelector:\n    matchLabels:\n      app: postgres\n');
    expect(a.findings[0]!.remediation?.commands.map((c) => c.argv)).toEqual([['kubectl', 'apply', '-f', '-']]);
  });

  it('an HTTP timeout after the connection opened is the application, not the network', () => {
    const a = run(['api-service'], ['28 000 10.96.10.1 80 0.001 0.002 0 0 10.0 Operation timed out after 10001 milliseconds with 0 bytes received']);
    expect(a.findings.map((f) => f.code)).toEqual(['KD5031']);
    expect(a.findings[0]!.message).toBe(
      'api-service: http://api-service.production.svc.cluster.local/ accepted the connection but sent no HTTP answer in time',
    );
  });

  it('5xx: the pods behind', () => {
    const a = run(['api-service'], ['0 503 10.96.10.1 80 0.001 0.002 0 0.004 0.005 ']);
    expect(a.findings[0]!.code).toBe('KD5033');
    expect(a.findings[0]!.cause).toContain('api-server-7d9f-a (10.244.0.11, node kdiag-node)');
  });

  it('unknown Service: KD5038 and nothing probed', () => {
    const a = run(['api-servise'], []);
    expect(a.findings.map((f) => [f.code, f.message])).toEqual([
      ['KD5038', 'api-servise: no Service api-servise in namespace production (similar: api-service)'],
    ]);
  });
});
