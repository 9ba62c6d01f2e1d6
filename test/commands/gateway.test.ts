import { describe, expect, it } from '@jest/globals';
import { certFor, tlsSecret } from '../checks/ingress-certs.js';
import { expectValidReport } from '../support/contract.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture, type K8sObject } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const NOW = new Date();
const production = loadFixture('production.yaml');
const gateway = loadFixture('gateway.yaml');
const apiCert = tlsSecret('infra', 'api-gw-cert', certFor(['api.example.com'], NOW, -30, 200.5)) as unknown as K8sObject;
const shopCert = tlsSecret('infra', 'shop-gw-cert', certFor(['shop.example.com'], NOW, -400, -3.5)) as unknown as K8sObject;
const all = [...production, ...gateway, apiCert, shopCert];

type F = { code: string; severity: string; object: { kind: string; name: string }; message: string };
const codes = (findings: F[]) =>
  findings
    .filter((f) => f.severity !== 'info')
    .map((f) => `${f.object.name}:${f.code}`)
    .sort();

describe('kdiag gateway (against a fake API)', () => {
  it('reports every planted fault with its cause and nothing on the healthy objects (all namespaces, JSON)', async () => {
    fakeApi(all);
    const { stdout, code } = await kdiag(['gateway', '-A', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expectValidReport(report);
    expect(report).toMatchObject({ kind: 'GatewayReport', installed: true, namespace: null, certWarnDays: 14 });
    expect(codes(report.findings)).toEqual([
      'cross-ns-route:KD7018',
      'dead-backend-route:KD7016',
      'dead-backend-route:KD7017',
      'grpc-route:KD7021',
      'hostname-route:KD7014',
      'missing-backend-route:KD7015',
      'orphan-gw:KD7001',
      'public:KD7009',
      'unaccepted-route:KD7020',
      'wrong-parent-route:KD7013',
      'zero-weight-route:KD7019',
    ]);
    expect(report.routes.find((r: { name: string }) => r.name === 'api-route')).toMatchObject({ status: 'OK', backends: { ready: 3, total: 3 } });
    expect(stdout).not.toContain('PRIVATE KEY');
  });

  it('with -n follows routes into the Gateway and backend namespaces', async () => {
    const api = fakeApi(all);
    const { stdout, code } = await kdiag(['gateway', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    // Gateways of infra are looked up because the routes name them; shared's Services because backendRefs do.
    expect(api.count(/\/namespaces\/infra\/gateways$/)).toBe(1);
    expect(api.count(/\/namespaces\/shared\/referencegrants$/)).toBe(1);
    expect(api.count(/\/namespaces\/shared\/services$/)).toBe(1);
    expect(report.routes.find((r: { name: string }) => r.name === 'granted-route')).toMatchObject({ status: 'OK', backends: { ready: 1, total: 1 } });
    expect(codes(report.findings)).toContain('cross-ns-route:KD7018');
    expect(codes(report.findings)).toContain('public:KD7009');
    // orphan-gw lives in infra and no route of production attaches to it.
    expect(report.gateways.map((g: { name: string }) => g.name)).toEqual(['public']);
  });

  it('prints the Gateway and route tables', async () => {
    fakeApi(all);
    const { stdout, code } = await kdiag(['gateway', '-A', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+GATEWAY\s+CLASS\s+ADDRESS\s+LISTENERS\s+PROGRAMMED\s+STATUS$/);
    expect(lines.find((l) => l.includes(' public '))).toMatch(
      /^infra\s+public\s+example\s+192\.0\.2\.50\s+http:HTTP\/80,https:HTTPS\/443,shop:HTTPS\/443,internal:HTTP\/8080\s+True \(Programmed\)\s+ERROR \(1\)$/,
    );
    expect(lines.find((l) => l.includes('orphan-gw'))).toMatch(/^infra\s+orphan-gw\s+missing-class\s+<pending>\s+http:HTTP\/80\s+Unknown\s+ERROR \(1\)$/);
    expect(stdout).toMatch(/^NAMESPACE\s+ROUTE\s+KIND\s+HOSTNAMES\s+PARENTS\s+ACCEPTED\s+BACKENDS\s+STATUS$/m);
    expect(stdout).toMatch(/^production\s+api-route\s+HTTPRoute\s+api\.example\.com\s+infra\/public\/https\s+True\s+3\/3\s+OK$/m);
    expect(stdout).toMatch(/^production\s+unaccepted-route\s+HTTPRoute\s+\*\s+infra\/public\/internal\s+False\s+1\/1\s+ERROR \(1\)$/m);
    expect(stdout).toContain('ERROR   KD7015  HTTPRoute production/missing-backend-route: backend Service ghost-service not found (rule 1)');
  });

  it('adds the controller and the first problem with -o wide', async () => {
    fakeApi(all);
    const { stdout } = await kdiag(['gateway', '-A', '-o', 'wide', '--kubeconfig', testKubeconfig()]);
    expect(stdout.split('\n')[0]).toMatch(/PROGRAMMED\s+STATUS\s+CONTROLLER\s+PROBLEM$/);
    expect(stdout).toMatch(
      /^infra\s+public\s.*ERROR \(1\)\s+example\.net\/gateway-controller\s+listener shop \(shop\.example\.com\): secret shop-gw-cert: certificate expired 3 d ago$/m,
    );
    expect(stdout).toMatch(/^production\s+hostname-route\s.*ERROR \(1\)\s+hostnames api\.other\.org match no listener of Gateway infra\/public$/m);
  });

  it('prints one Gateway as a tree: listener, route, backends', async () => {
    fakeApi(all);
    const { stdout } = await kdiag(['gateway', 'public', '-n', 'infra', '--kubeconfig', testKubeconfig()]);
    expect(stdout).toContain('Gateway:     infra/public');
    expect(stdout).toContain('Class:       example (controller example.net/gateway-controller)');
    expect(stdout).toMatch(/listener https \(HTTPS 443, api\.example\.com\)  \[TLS api-gw-cert: ok \(expires in 200 d\)\]  attachedRoutes 1/);
    expect(stdout).toMatch(/listener shop \(HTTPS 443, shop\.example\.com\)  \[TLS shop-gw-cert: certificate expired 3 d ago\]/);
    expect(stdout).toContain('└── HTTPRoute production/api-route api.example.com  Accepted True (Accepted)');
    expect(stdout).toContain('    ├── rule 1: api-v1-service:80 (weight 90) → 2/2 endpoints ready');
  });

  it('says once that the Gateway API is not installed and exits 0', async () => {
    const api = fakeApi(production, { faults: [{ path: /gateway\.networking\.k8s\.io/, statuses: [404] }] });
    const { stdout, code } = await kdiag(['gateway', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('The Gateway API is not installed: the API does not serve gateways.gateway.networking.k8s.io/v1 (CRD not installed).');
    expect(api.count(/httproutes/)).toBe(0);
  });

  it('kdiag check runs the gateway check', async () => {
    fakeApi([...all, ...loadFixture('kube-system.yaml')]);
    const { stdout } = await kdiag(['check', '-A', '--only', 'gateway', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    const report = JSON.parse(stdout);
    expect(report.checks.map((c: { id: string; status: string }) => `${c.id}:${c.status}`)).toEqual(['gateway:failed']);
    expect(codes(report.findings)).toContain('unaccepted-route:KD7020');
  });

  it('kdiag trace follows an HTTPRoute to its Pods', async () => {
    const api = fakeApi([...all, ...loadFixture('kube-system.yaml')]);
    const { stdout, code } = await kdiag(['trace', 'https://api.example.com/api/v1/users', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('https://api.example.com/api/v1/users');
    expect(stdout).toMatch(/✓ Load balancer\s+Gateway address 192\.0\.2\.50/);
    expect(stdout).toMatch(
      /✓ Gateway infra\/public\s+class example \(example\.net\/gateway-controller\), listener https \(HTTPS 443, api\.example\.com\), 1\/1 data-plane pod Ready/,
    );
    expect(stdout).toMatch(/✓ HTTPRoute\s+production\/api-route rule 1 \(PathPrefix \/api\/v1, host api\.example\.com\) → 2 backends/);
    expect(stdout).toContain('✓ api-v1-service:80 weight 90 (90%)');
    expect(stdout).toMatch(/✓ Service production\/api-v1-service\s+ClusterIP 10\.96\.10\.2 port 80 → targetPort 8080/);
    expect(stdout).toContain('Every hop is fine: the request reaches a ready Pod.');
    // The data plane is found by the GEP-1762 label.
    expect(
      api.requests.some((r) => r.path === '/api/v1/namespaces/infra/pods' && r.query.get('labelSelector') === 'gateway.networking.k8s.io/gateway-name=public'),
    ).toBe(true);
    const json = await kdiag(['trace', 'http://www.example.com/', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ mode: 'gateway', stopsAt: 'service' });
    expect(report.hops.map((h: { id: string }) => h.id)).toEqual(['load-balancer', 'gateway', 'route', 'service']);
  });
});
