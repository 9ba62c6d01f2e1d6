import { afterEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { fakeApi, SERVER, testKubeconfig, type FakeApi } from '../support/fake-api.js';
import type { K8sObject } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const labels = { 'app.kubernetes.io/managed-by': 'kdiag', 'kdiag.dev/run-id': 'a1b2c3', 'kdiag.dev/probe': 'dns' };
const objects: K8sObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production' } },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'kdiag-dns-a1b2c3', namespace: 'production', labels, creationTimestamp: '2026-11-25T10:00:00Z' },
    status: { succeeded: 1 },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kdiag-dns-a1b2c3-x7k2p', namespace: 'production', labels, creationTimestamp: '2026-11-25T10:00:00Z' },
    status: { phase: 'Succeeded' },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'kdiag-conn-d4e5f6', namespace: 'payments', labels: { ...labels, 'kdiag.dev/run-id': 'd4e5f6' } },
    status: { active: 1 },
  },
];
let api: FakeApi | undefined;
let deleted: string[] = [];

function acceptDeletes(): void {
  deleted = [];
  nock(SERVER)
    .persist()
    .delete(/.*/)
    .reply((req: unknown) => {
      const u = new URL((req as { url: string }).url);
      deleted.push(`${u.pathname}${u.search}`);
      return [200, { kind: 'Status', status: 'Success' }];
    });
}

afterEach(() => {
  expect(api?.unexpected ?? []).toEqual([]);
  api?.done();
  api = undefined;
});

describe('kdiag cleanup (against a fake API)', () => {
  it('--dry-run lists what kdiag created in the namespace and deletes nothing', async () => {
    acceptDeletes();
    api = fakeApi(objects);
    const { stdout, code } = await kdiag(['cleanup', '-n', 'production', '--dry-run', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+OBJECT\s+STATUS\s+CREATED\s+ACTION$/);
    expect(lines[1]).toMatch(/^production\s+job\/kdiag-dns-a1b2c3\s+Complete\s+2026-11-25T10:00:00\.000Z\s+would delete$/);
    expect(lines[2]).toMatch(/^production\s+pod\/kdiag-dns-a1b2c3-x7k2p\s+Succeeded\s+2026-11-25T10:00:00\.000Z\s+would delete$/);
    expect(stdout).toContain('2 object(s) would be deleted (--dry-run).');
    expect(deleted).toEqual([]);
    const list = api.requests.find((r) => r.path === '/apis/batch/v1/namespaces/production/jobs');
    expect(list?.query.get('labelSelector')).toBe('app.kubernetes.io/managed-by=kdiag');
  });

  it('deletes Jobs (with their pods) then pods, across all namespaces with -A', async () => {
    acceptDeletes();
    api = fakeApi(objects);
    const { stdout, code } = await kdiag(['cleanup', '-A', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ apiVersion: 'kdiag/v1', kind: 'CleanupReport', dryRun: false, findings: [] });
    expect(report.objects.map((o: { namespace: string; kind: string; name: string }) => `${o.namespace}/${o.kind}/${o.name}`)).toEqual([
      'payments/Job/kdiag-conn-d4e5f6',
      'production/Job/kdiag-dns-a1b2c3',
      'production/Pod/kdiag-dns-a1b2c3-x7k2p',
    ]);
    expect(deleted).toEqual([
      '/apis/batch/v1/namespaces/payments/jobs/kdiag-conn-d4e5f6?propagationPolicy=Background',
      '/apis/batch/v1/namespaces/production/jobs/kdiag-dns-a1b2c3?propagationPolicy=Background',
      '/api/v1/namespaces/production/pods/kdiag-dns-a1b2c3-x7k2p?gracePeriodSeconds=0',
    ]);
  });

  it('says so when there is nothing to delete', async () => {
    acceptDeletes();
    api = fakeApi(objects.slice(0, 1));
    const { stdout, code } = await kdiag(['cleanup', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('No kdiag probe objects found in namespace production.');
  });
});
