import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { XMLParser } from 'fast-xml-parser';
import { childArgv } from '../../src/fleet/argv.js';
import { expectValidReport } from '../support/contract.js';
import { fakeApi, SERVER } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const cluster = [...loadFixture('production.yaml'), ...loadFixture('kube-system.yaml')];
const FORBIDDEN = 'https://forbidden.invalid:6443';

/**
 * Four contexts: two on the fake API (namespaces production and kube-system), one on a closed
 * local port (unreachable) and one whose API refuses every request but /version (forbidden).
 */
function fleetKubeconfig(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kdiag-fleet-')), 'config');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
current-context: prod
clusters:
- {name: fake, cluster: {server: ${SERVER}, insecure-skip-tls-verify: true}}
- {name: dead, cluster: {server: https://127.0.0.1:1, insecure-skip-tls-verify: true}}
- {name: locked, cluster: {server: ${FORBIDDEN}, insecure-skip-tls-verify: true}}
contexts:
- {name: prod, context: {cluster: fake, user: u, namespace: production}}
- {name: system, context: {cluster: fake, user: u, namespace: kube-system}}
- {name: dead, context: {cluster: dead, user: u}}
- {name: locked, context: {cluster: locked, user: u, namespace: production}}
users:
- {name: u, user: {token: test-token-0123456789abcdef}}
`,
  );
  return file;
}

/** An API that answers /version and refuses everything else, as for a ServiceAccount with no rights. */
function forbiddenApi(): void {
  nock(FORBIDDEN)
    .persist()
    .get('/version')
    .reply(200, { major: '1', minor: '35', gitVersion: 'v1.35.0' })
    .post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')
    .reply(201, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {}, status: { allowed: false } })
    .get(/.*/)
    .reply(403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'forbidden' });
}

describe('kdiag check over several contexts', () => {
  it('runs every context, tags findings with their context, reports the unreachable and the forbidden one', async () => {
    fakeApi(cluster);
    forbiddenApi();
    nock.enableNetConnect('127.0.0.1');
    const { stdout, code } = await kdiag(['check', '--context', 'prod,system,dead,locked', '-o', 'json', '--kubeconfig', fleetKubeconfig()]);
    expect(code).toBe(2);
    const report = JSON.parse(stdout);
    expectValidReport(report);
    expect(report.kind).toBe('FleetReport');
    const clusters = Object.fromEntries(report.clusters.map((c: { context: string; status: string }) => [c.context, c]));
    expect(report.clusters.map((c: { context: string }) => c.context)).toEqual(['prod', 'system', 'dead', 'locked']);
    expect(clusters.prod).toMatchObject({ status: 'findings', exitCode: 1, server: SERVER, serverVersion: 'v1.35.0' });
    expect(clusters.dead).toMatchObject({ status: 'unreachable', exitCode: 2, server: 'https://127.0.0.1:1' });
    expect(clusters.dead.error).toContain('127.0.0.1:1');
    expect(clusters.locked).toMatchObject({ status: 'forbidden', exitCode: 2 });
    const byContext = (ctx: string) => report.findings.filter((f: { context: string }) => f.context === ctx);
    expect(byContext('prod').map((f: { object: { namespace?: string } }) => f.object.namespace)).toContain('production');
    expect(byContext('system').every((f: { object: { namespace?: string } }) => f.object.namespace !== 'production')).toBe(true);
    expect(clusters.prod.errors).toBe(byContext('prod').filter((f: { severity: string }) => f.severity === 'error').length);
    expect(byContext('locked').map((f: { code: string }) => f.code)).toContain('KD6001');
    expect(report.findings.every((f: { context?: string }) => typeof f.context === 'string')).toBe(true);
    expect(report.reports.map((r: { context: string }) => r.context)).toEqual(['prod', 'system', 'locked']);
  });

  it("prints one summary row per cluster, then each cluster's findings; the exit code is the worst", async () => {
    fakeApi(cluster);
    const { stdout, stderr, code } = await kdiag(['check', '--context', 'prod,system', '--only', 'endpoints', '--kubeconfig', fleetKubeconfig()]);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^CONTEXT\s+STATUS\s+VERSION\s+ERRORS\s+WARNINGS\s+TIME$/);
    expect(lines[1]).toMatch(/^prod\s+findings\s+v1\.35\.0\s+5\s+1\s+[\d.]+s$/);
    expect(lines[2]).toMatch(/^system\s+(passed|findings)\s+v1\.35\.0\s+\d+\s+\d+\s+[\d.]+s$/);
    expect(stdout).toContain('== prod (5 error(s), 1 warning(s)');
    expect(stderr).toMatch(/^prod: findings \(5 errors, 1 warnings\)/m);
  });

  it('--all-contexts runs every context of the kubeconfig; JUnit has a suite per context and check', async () => {
    fakeApi(cluster);
    forbiddenApi();
    nock.enableNetConnect('127.0.0.1');
    const { stdout, code } = await kdiag(['check', '--all-contexts', '--only', 'endpoints', '-o', 'junit', '--kubeconfig', fleetKubeconfig()]);
    expect(code).toBe(2);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(stdout);
    const suites = [xml.testsuites.testsuite].flat().map((s: Record<string, string>) => s['@_name']);
    expect(suites).toEqual(expect.arrayContaining(['prod/endpoints', 'system/endpoints', 'dead/cluster', 'locked/endpoints']));
  });

  it('-o prometheus: series per context, kdiag_run_success 0 for the unreachable one', async () => {
    fakeApi(cluster);
    nock.enableNetConnect('127.0.0.1');
    const { stdout } = await kdiag(['check', '--context', 'prod,dead', '--only', 'endpoints', '-o', 'prometheus', '--kubeconfig', fleetKubeconfig()]);
    expect(stdout).toMatch(/^kdiag_run_success\{context="prod"\} 1$/m);
    expect(stdout).toMatch(/^kdiag_run_success\{context="dead"\} 0$/m);
    expect(stdout).toMatch(/^kdiag_findings\{context="prod",code="KD1001",/m);
  });

  it('works for the other commands through the shared output path', async () => {
    fakeApi(cluster);
    const { stdout, code } = await kdiag(['endpoints', '--context', 'prod,system', '-o', 'json', '--kubeconfig', fleetKubeconfig()]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ kind: 'FleetReport', command: 'endpoints' });
    expect(report.reports.map((r: { kind: string; context: string }) => `${r.context}:${r.kind}`)).toEqual(['prod:EndpointsReport', 'system:EndpointsReport']);
  });

  it('refuses an unknown context before connecting to any cluster', async () => {
    const { stderr, code } = await kdiag(['check', '--context', 'prod,nope', '--kubeconfig', fleetKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr).toContain('context "nope" not found in the kubeconfig (contexts: prod, system, dead, locked)');
  });
});

describe('childArgv', () => {
  it('drops the flags the fleet run handles itself', () => {
    expect(
      childArgv([
        '-n',
        'prod',
        '--context',
        'a,b',
        '--all-contexts',
        '-o',
        'table',
        '--output=json',
        '-ojson',
        '--pushgateway',
        'http://x',
        '--metrics-label=a=b',
        '-q',
        '--only',
        'endpoints',
      ]),
    ).toEqual(['-n', 'prod', '--only', 'endpoints']);
  });
});
