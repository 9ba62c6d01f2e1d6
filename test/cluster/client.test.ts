import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterClient } from '../../src/cluster/client.js';
import { loadSnapshot } from '../../src/cluster/load.js';
import { fakeApi, SERVER, testKubeconfig } from '../support/fake-api.js';
import { loadFixture, type K8sObject } from '../support/fixtures.js';

const production = loadFixture('production.yaml');

const many = (n: number): K8sObject[] =>
  Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, namespace: 'big' },
    spec: { ports: [{ port: 80 }] },
  }));

function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kdiag-kc-')), 'config');
  writeFileSync(file, text);
  return file;
}

describe('ClusterClient.list', () => {
  it('follows continue tokens across pages, one request per page', async () => {
    const api = fakeApi(many(1234));
    const client = new ClusterClient({ kubeconfig: testKubeconfig(), pageSize: 500 });
    const items = await client.list('services', 'big');
    expect(items).toHaveLength(1234);
    expect(items[1233]!.metadata?.name).toBe('svc-1233');
    const pages = api.requests.filter((r) => r.path === '/api/v1/namespaces/big/services');
    expect(pages.map((r) => r.query.get('continue'))).toEqual([null, '500', '1000']);
    expect(pages.every((r) => r.query.get('limit') === '500')).toBe(true);
    expect(client.totalRequests()).toBe(3);
  });

  it("leaves out kdiag's own probe Pods, which carry a workload's labels but are no workload", async () => {
    const pod = (name: string, labels: Record<string, string>): K8sObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'edge', labels },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    fakeApi([
      pod('traefik-1', { 'app.kubernetes.io/name': 'traefik' }),
      pod('kdiag-probe-1', { 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/managed-by': 'kdiag', 'kdiag.dev/probe': 'http' }),
      pod('other-tool', { 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/managed-by': 'kdiag' }),
    ]);
    const client = new ClusterClient({ kubeconfig: testKubeconfig() });
    expect((await client.list('pods', 'edge')).map((p) => p.metadata?.name)).toEqual(['traefik-1', 'other-tool']);
  });

  it('waits for Retry-After on 429 and then succeeds', async () => {
    const api = fakeApi(production, { faults: [{ path: /\/services$/, statuses: [429, 429], headers: { 'Retry-After': '1' } }] });
    const client = new ClusterClient({ kubeconfig: testKubeconfig() });
    const started = Date.now();
    const items = await client.list('services', 'production');
    expect(items.length).toBe(14);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(api.count(/\/services$/)).toBe(3);
  });

  it('retries 500s a bounded number of times, then names the failure', async () => {
    const api = fakeApi(production, { faults: [{ path: /\/pods$/, statuses: [500, 500, 500, 500, 500, 500] }] });
    const client = new ClusterClient({ kubeconfig: testKubeconfig(), maxRetries: 2 });
    await expect(client.list('pods', 'production')).rejects.toThrow(`the API server at ${SERVER} answered 500 to list pods: injected 500`);
    expect(api.count(/\/pods$/)).toBe(3);
  });

  it('maps 403 to the missing verb, resource and namespace', async () => {
    fakeApi(production, { forbidden: ['pods'] });
    const client = new ClusterClient({ kubeconfig: testKubeconfig() });
    await expect(client.list('pods', 'production')).rejects.toThrow('you lack `list` on `pods` in namespace production (403 Forbidden)');
    await expect(client.list('pods')).rejects.toThrow('you lack `list` on `pods` at cluster scope (403 Forbidden)');
  });

  it('loadSnapshot lists each kind once, in parallel, and records forbidden kinds when asked to tolerate them', async () => {
    const api = fakeApi(production, { forbidden: ['tlssecrets', 'secrets'] });
    const client = new ClusterClient({ kubeconfig: testKubeconfig() });
    const snap = await loadSnapshot(client, ['services', 'endpointslices', 'pods', 'tlssecrets', 'services'], {
      namespace: 'production',
      tolerateForbidden: true,
    });
    expect(snap.services).toHaveLength(14);
    expect(snap.loaded.sort()).toEqual(['endpointslices', 'pods', 'services']);
    expect(snap.unavailable.tlssecrets).toContain('403 Forbidden');
    expect(api.count(/\/namespaces\/production\/services$/)).toBe(1);
    expect(api.requests.find((r) => r.path.endsWith('/secrets'))!.query.get('fieldSelector')).toBe('type=kubernetes.io/tls');
  });
});

describe('kubeconfig loading', () => {
  const valid = (extra = '') => `apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c
  cluster: { server: "${SERVER}", insecure-skip-tls-verify: true }
contexts:
- name: a
  context: { cluster: c, user: u, namespace: shop }
- name: b
  context: { cluster: c, user: u }
users:
- name: u
  user: { token: abc }
${extra}`;

  it.each([
    ['a missing file', () => '/nonexistent/kubeconfig', /^kubeconfig \/nonexistent\/kubeconfig does not exist/],
    ['an empty file', () => writeConfig(''), /^kubeconfig .* is empty$/],
    ['a file that is not YAML', () => writeConfig('clusters: [unclosed\n  - : :'), /^kubeconfig .* is not a valid kubeconfig \(/],
    ['no current-context', () => writeConfig(valid().replace('current-context: a\n', '')), /has no current-context: pass --context \(contexts: a, b\)$/],
    [
      'a current-context naming no context',
      () => writeConfig(valid().replace('current-context: a', 'current-context: gone')),
      /current-context "gone" in .* names no context/,
    ],
  ])('fails with one sentence for %s', (_what, file, message) => {
    expect(() => new ClusterClient({ kubeconfig: file() })).toThrow(message);
  });

  it('names the contexts when --context does not exist', () => {
    expect(() => new ClusterClient({ kubeconfig: writeConfig(valid()), context: 'prod' })).toThrow(/context "prod" not found in .* \(contexts: a, b\)/);
  });

  it('fails before any request when a certificate file is missing', () => {
    const text = valid().replace('user: { token: abc }', 'user: { client-certificate: /nonexistent/client.crt, client-key: /nonexistent/client.key }');
    expect(() => new ClusterClient({ kubeconfig: writeConfig(text) })).toThrow(
      'the client-certificate file /nonexistent/client.crt named by context "a" does not exist',
    );
  });

  it("uses the context's namespace, and --context switches it", () => {
    const file = writeConfig(valid());
    expect(new ClusterClient({ kubeconfig: file }).defaultNamespace).toBe('shop');
    expect(new ClusterClient({ kubeconfig: file, context: 'b' }).defaultNamespace).toBe('default');
  });

  it('merges KUBECONFIG files as kubectl does: first current-context wins, contexts from all', () => {
    const first = writeConfig(`apiVersion: v1\nkind: Config\ncurrent-context: b\n`);
    const second = writeConfig(valid());
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = `${first}:/nonexistent/skip:${second}`;
    try {
      const client = new ClusterClient({});
      expect(client.contextName).toBe('b');
      expect(client.server).toBe(SERVER);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});
