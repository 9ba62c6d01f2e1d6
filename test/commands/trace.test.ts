import { describe, expect, it } from '@jest/globals';
import { expectValidReport } from '../support/contract.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture, type K8sObject } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';
import { selfSigned } from '../support/tls.js';

const cert = selfSigned('api.example.com', { sans: ['DNS:api.example.com'], days: 90 });
const cluster: K8sObject[] = [
  ...loadFixture('trace.yaml'),
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'api-tls-secret', namespace: 'production' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(cert.cert).toString('base64'), 'tls.key': Buffer.from(cert.key).toString('base64') },
  } as K8sObject,
];

describe('kdiag trace (against a fake API)', () => {
  it('prints the chain with ✓ per hop for a working URL and exits 0', async () => {
    const api = fakeApi(cluster);
    const { stdout, code } = await kdiag(['trace', 'https://api.example.com/api/v1/users', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('https://api.example.com/api/v1/users');
    expect(lines.slice(1, 9).map((l) => l.trim()[0])).toEqual(['✓', '✓', '✓', '✓', '✓', '✓', '✓', '✓'].slice(0, 8));
    expect(stdout).toMatch(/✓ Ingress rule\s+production\/api-ingress host api\.example\.com path \/api\/v1 \(Prefix\) → api-v1-service:80/);
    expect(stdout).toContain('Every hop is fine: the request reaches a ready Pod.');
    // The backend namespace's objects are listed once each; nothing is listed per Service.
    expect(api.requests.filter((r) => r.path.endsWith('/pods')).map((r) => `${r.path} ${r.query.get('labelSelector') ?? ''}`)).toEqual([
      '/api/v1/namespaces/production/pods ',
      '/api/v1/pods app.kubernetes.io/name=ingress-nginx,app.kubernetes.io/component=controller',
      '/api/v1/namespaces/kube-system/pods k8s-app=kube-dns',
    ]);
  });

  it('stops at the right hop for a broken URL, exits 1, and gives the same chain as JSON', async () => {
    fakeApi(cluster);
    const text = await kdiag(['trace', 'https://api.example.com/api/v2/orders', '--kubeconfig', testKubeconfig()]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/✗ Pods\s+no ready endpoint on port 80: selector app=api-v2 matches no pod/);
    expect(text.stdout).toMatch(/↳ traffic stops here: No Pod in namespace production has the labels app=api-v2/);
    const json = await kdiag(['trace', 'https://api.example.com/api/v2/orders', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    const report = JSON.parse(json.stdout);
    expectValidReport(report);
    expect(report.stopsAt).toBe('endpoints');
    expect(report.hops.map((h: { id: string }) => h.id)).toEqual(['load-balancer', 'controller', 'tls', 'ingress-rule', 'service', 'endpoints']);
  });

  it('starts at the Service for http://SERVICE.NAMESPACE URLs', async () => {
    fakeApi(cluster);
    const { stdout, code } = await kdiag(['trace', 'http://api-v1-service.production/health', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/✓ Service production\/api-v1-service\s+ClusterIP 10\.96\.20\.1 port 80 → targetPort 8080/);
  });

  it('rejects a bad URL with exit 2 before any request', async () => {
    const api = fakeApi(cluster);
    const { stderr, code } = await kdiag(['trace', 'gopher://api.example.com/', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('kdiag: unsupported URL scheme "gopher": kdiag trace follows http:// and https:// URLs');
    expect(api.requests).toEqual([]);
  });
});
