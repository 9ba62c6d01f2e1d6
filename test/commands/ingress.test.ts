import { describe, expect, it } from '@jest/globals';
import { certFor, tlsSecret } from '../checks/ingress-certs.js';
import { expectValidReport } from '../support/contract.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture, variant, type K8sObject } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const NOW = new Date();
const production = loadFixture('production.yaml');
const ingresses = loadFixture('ingress.yaml');
const apiPair = certFor(['api.example.com'], NOW, -30, 335.5);
const apiTls = tlsSecret('production', 'api-tls-secret', apiPair) as unknown as K8sObject;
const wwwTls = tlsSecret('production', 'www-tls', certFor(['www.example.com'], NOW, -30, 200.5)) as unknown as K8sObject;
const all = [...production, ...ingresses, apiTls, wwwTls];
const without = (objects: readonly K8sObject[], kind: string, name: string) => objects.filter((o) => !(o.kind === kind && o.metadata.name === name));
const onlyIngress = (name: string, objects: readonly K8sObject[] = all) => objects.filter((o) => o.kind !== 'Ingress' || o.metadata.name === name);

type F = { code: string; severity: string; object: { name: string }; message: string; cause: string };
const codesBy = (findings: F[]) => {
  const out: Record<string, string[]> = {};
  for (const f of findings.filter((x) => x.severity !== 'info')) (out[f.object.name] ??= []).push(f.code);
  for (const k of Object.keys(out)) out[k]!.sort();
  return out;
};

describe('kdiag ingress (against a fake API)', () => {
  it('reports every broken Ingress with its cause, exits 1, and matches the JSON contract', async () => {
    const api = fakeApi(all);
    const { stdout, code } = await kdiag(['ingress', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expectValidReport(report);
    expect(report.kind).toBe('IngressReport');
    expect(report.certWarnDays).toBe(14);
    expect(codesBy(report.findings)).toEqual({
      'api-ingress': ['KD3010'],
      'missing-class-ingress': ['KD3001', 'KD3006'],
      'shop-ingress': ['KD3008', 'KD3009', 'KD3010'],
      'tuned-ingress': ['KD3040', 'KD3040', 'KD3040', 'KD3041', 'KD3042', 'KD3043'],
      'web-copy-ingress': ['KD3015'],
    });
    const v2 = report.findings.find((f: F) => f.code === 'KD3010' && f.object.name === 'api-ingress');
    expect(v2.message).toContain('api-v2-service: selector app=api-v2 matches no pod');
    const web = report.ingresses.find((i: { name: string }) => i.name === 'web-ingress');
    expect(web).toMatchObject({
      status: 'OK',
      class: 'nginx',
      controllerStatus: '1/1 ready',
      tls: { status: 'ok', minDaysLeft: 200 },
      backends: { ready: 1, total: 1 },
    });
    expect(web.tree.hosts[0].paths[0].backend).toMatchObject({ backend: 'api-service:80', status: 'OK', ready: 2, total: 2 });
    // Controller Pods are looked up across namespaces by label; every TLS Secret was in the typed list.
    expect(api.count(/^\/api\/v1\/pods$/)).toBe(1);
    expect(api.requests.find((r) => r.path === '/api/v1/pods')!.query.get('labelSelector')).toBe(
      'app.kubernetes.io/name=ingress-nginx,app.kubernetes.io/component=controller',
    );
    expect(api.count(/\/secrets\/[^/]+$/)).toBe(0);
    expect(stdout).not.toContain('PRIVATE KEY');
    expect(stdout).not.toContain(Buffer.from(apiPair.key).toString('base64').slice(0, 40));
  });

  it('prints the summary table', async () => {
    fakeApi(all);
    const { stdout, code } = await kdiag(['ingress', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+INGRESS\s+CLASS\s+ADDRESS\s+HOSTS\s+TLS\s+BACKENDS\s+STATUS$/);
    expect(lines.find((l) => l.includes(' api-ingress'))).toMatch(
      /^production\s+api-ingress\s+nginx\s+192\.0\.2\.10\s+api\.example\.com\s+ok\s+1\/2\s+ERROR \(1\)$/,
    );
    expect(lines.find((l) => l.includes(' web-ingress'))).toMatch(/^production\s+web-ingress\s+nginx\s+192\.0\.2\.10\s+www\.example\.com\s+ok\s+1\/1\s+OK$/);
    expect(lines.find((l) => l.includes('missing-class-ingress'))).toMatch(
      /^production\s+missing-class-ingress\s+traefik\s+<pending>\s+admin\.example\.com\s+-\s+1\/1\s+ERROR \(2\)$/,
    );
    expect(lines.find((l) => l.includes('web-copy-ingress'))).toMatch(/WARNING \(1\)$/);
    expect(stdout).toContain('ERROR   KD3001  Ingress production/missing-class-ingress: IngressClass traefik not found');
  });

  it('adds the controller and the first problem with -o wide', async () => {
    fakeApi(all);
    const { stdout } = await kdiag(['ingress', '-n', 'production', '-o', 'wide', '--kubeconfig', testKubeconfig()]);
    expect(stdout.split('\n')[0]).toMatch(/BACKENDS\s+STATUS\s+CONTROLLER\s+PROBLEM$/);
    expect(stdout).toMatch(/missing-class-ingress\s.*ERROR \(2\)\s+IngressClass traefik not found$/m);
    expect(stdout).toMatch(/web-ingress\s.*OK\s+1\/1 ready$/m);
  });

  it('prints the routing tree of one Ingress: host → path → Service:port → endpoints → cause', async () => {
    fakeApi(all);
    const { stdout, code } = await kdiag(['ingress', 'api-ingress', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const tree = stdout.split('\n\nERROR')[0];
    expect(tree).toBe(
      [
        'Ingress:     production/api-ingress',
        'Class:       nginx (controller k8s.io/ingress-nginx, 1/1 ready)',
        'Address:     192.0.2.10',
        'TLS:         ok',
        'Backends:    1/2 with ready endpoints',
        'Status:      ERROR (1)',
        '',
        'api.example.com  [TLS api-tls-secret: ok (expires in 335 d)]',
        '├── /api/v1 (Prefix) → api-v1-service:80 (targetPort 8080) → 2/2 endpoints ready',
        '└── /api/v2 (Prefix) → api-v2-service:80 (targetPort 8080) → 0/0 endpoints ready',
        '    └── api-v2-service: selector app=api-v2 matches no pod',
      ].join('\n'),
    );
    expect(stdout).toContain('1 error(s), 0 warning(s), 0 info');
  });

  it('gives the tree as data in JSON for one Ingress', async () => {
    fakeApi(all);
    const { stdout } = await kdiag(['ingress', 'shop-ingress', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    const report = JSON.parse(stdout);
    expectValidReport(report);
    expect(report.ingresses).toHaveLength(1);
    expect(report.ingresses[0].tree.hosts[0].paths.map((p: { path: string; backend: { status: string } }) => [p.path, p.backend.status])).toEqual([
      ['/cart', 'NO SERVICE'],
      ['/orders', 'NO PORT'],
      ['/search', 'NO ENDPOINTS'],
    ]);
  });

  it('exits 0 for a healthy Ingress; --cert-warn-days and --fail-on warning', async () => {
    fakeApi(onlyIngress('web-ingress'));
    expect((await kdiag(['ingress', '-n', 'production', '--kubeconfig', testKubeconfig()])).code).toBe(0);
    const warn = await kdiag(['ingress', '-n', 'production', '--cert-warn-days', '365', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(warn.code).toBe(0);
    expect(JSON.parse(warn.stdout).findings.map((f: F) => f.code)).toEqual(['KD3025']);
    const strict = await kdiag(['ingress', '-n', 'production', '--cert-warn-days', '365', '--fail-on', 'warning', '--kubeconfig', testKubeconfig()]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/www\.example\.com\s+expires in 200 d\s+1\/1\s+WARNING \(1\)/);
  });

  it('reads a TLS Secret of another type by name (wrong type), and says when it is missing', async () => {
    const opaque = tlsSecret('production', 'api-tls-secret', apiPair, 'Opaque') as unknown as K8sObject;
    const api = fakeApi([...without(onlyIngress('api-ingress'), 'Secret', 'api-tls-secret'), opaque]);
    const { stdout } = await kdiag(['ingress', 'api-ingress', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(
      JSON.parse(stdout)
        .findings.map((f: F) => f.code)
        .sort(),
    ).toEqual(['KD3010', 'KD3021']);
    expect(api.count(/^\/api\/v1\/namespaces\/production\/secrets\/api-tls-secret$/)).toBe(1);
    fakeApi(without(onlyIngress('api-ingress'), 'Secret', 'api-tls-secret'));
    const missing = JSON.parse((await kdiag(['ingress', 'api-ingress', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()])).stdout);
    const f = missing.findings.find((x: F) => x.code === 'KD3020');
    expect(f.message).toBe('api-ingress: TLS secret api-tls-secret not found');
    expect(missing.ingresses[0].tls.summary).toBe('secret not found');
  });

  it('skips the TLS check, says why, and goes on when Secrets are forbidden', async () => {
    fakeApi(all, { forbidden: ['secrets'] });
    // Info findings are one line each; --details prints their cause and fix.
    const { stdout, code } = await kdiag(['ingress', 'api-ingress', '-n', 'production', '--details', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1); // the backend error is still found
    expect(stdout).toContain('TLS:         skipped');
    expect(stdout).toContain('INFO    KD3030  Ingress production/api-ingress: TLS check skipped: Secrets cannot be read');
    expect(stdout).toContain('you lack `list` on `secrets` in namespace production (403 Forbidden)');
  });

  it('checks cert-manager issuers and Certificates, and says once when the CRDs are absent', async () => {
    const annotated = onlyIngress('api-ingress').map((o) =>
      o.kind === 'Ingress' ? variant(o, (i) => ((i.metadata.annotations as Record<string, string>)['cert-manager.io/cluster-issuer'] = 'letsencrypt-prod')) : o,
    );
    const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
    const cmObjects = [
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'ClusterIssuer',
        metadata: { name: 'letsencrypt-prod' },
        spec: {},
        status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ErrRegisterACMEAccount', message: 'Failed to register ACME account' }] },
      },
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'api-tls-secret', namespace: 'production' },
        spec: { secretName: 'api-tls-secret' },
        status: ready,
      },
    ] as unknown as K8sObject[];
    const api = fakeApi([...annotated, ...cmObjects]);
    const withCm = JSON.parse((await kdiag(['ingress', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()])).stdout);
    expect(withCm.findings.map((f: F) => f.code).sort()).toEqual(['KD3010', 'KD3032']);
    expect(api.count(/^\/apis\/cert-manager\.io\/v1\/clusterissuers$/)).toBe(1);
    expect(api.count(/^\/apis\/cert-manager\.io\/v1\/namespaces\/production\/certificates$/)).toBe(1);
    fakeApi(annotated, { faults: [{ path: /cert-manager\.io/, statuses: [404, 404] }] });
    const absent = JSON.parse((await kdiag(['ingress', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()])).stdout);
    const cm = absent.findings.filter((f: F) => f.code === 'KD3034');
    expect(cm).toHaveLength(1);
    expect(cm[0].cause).toContain('CRD not installed');
  });

  it('lists every namespace with -A without a separate controller Pod lookup', async () => {
    const api = fakeApi(all);
    const { stdout } = await kdiag(['ingress', '-A', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    const report = JSON.parse(stdout);
    expect(report.namespace).toBeNull();
    expect(report.ingresses).toHaveLength(6);
    expect(api.count(/^\/apis\/networking\.k8s\.io\/v1\/ingresses$/)).toBe(1);
    expect(api.count(/^\/api\/v1\/pods$/)).toBe(1);
    expect(api.requests.find((r) => r.path === '/api/v1/pods')!.query.get('labelSelector')).toBeNull();
  });

  it('fails with exit 2 for an unknown Ingress or namespace', async () => {
    fakeApi(all);
    const missing = await kdiag(['ingress', 'nope', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('kdiag: Ingress nope not found in namespace production');
    const ns = await kdiag(['ingress', '-n', 'nowhere', '--kubeconfig', testKubeconfig()]);
    expect(ns.code).toBe(2);
    expect(ns.stderr.trim()).toBe('kdiag: namespace nowhere not found');
  });

  it('names the missing permission when Ingresses cannot be listed', async () => {
    fakeApi(all, { forbidden: ['ingresses'] });
    const { stderr, code } = await kdiag(['ingress', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      'kdiag: you lack `list` on `ingresses.networking.k8s.io` in namespace production (403 Forbidden): ask for a Role granting it, see deploy/rbac.yaml',
    );
  });
});
