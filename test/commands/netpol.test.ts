import { describe, expect, it } from '@jest/globals';
import { expectValidReport } from '../support/contract.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const GUIDE = loadFixture('netpol-guide.yaml');
const FAULTS = loadFixture('netpol-faults.yaml');

describe('kdiag netpol (against a fake API)', () => {
  it("prints the guide's production policies, the namespace isolation and the plugin, and exits 0", async () => {
    const api = fakeApi([...GUIDE, ...FAULTS]);
    const { stdout, code } = await kdiag(['netpol', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    const [policies, namespaces, plugin] = stdout.split('\n\n');
    expect(policies!.split('\n')).toEqual([
      'NAMESPACE    POLICY                 POD SELECTOR     PODS   TYPES            INGRESS                       EGRESS',
      'production   api-server-policy      app=api-server   2      Ingress,Egress   ns:ingress-nginx → TCP/8080   pod:app=postgres → TCP/5432',
      '                                                                                                           pod:app=redis → TCP/6379',
      '                                                                                                           ns:* → UDP/53',
      'production   default-deny-ingress   <all>            4      Ingress          deny all                      -',
    ]);
    expect(namespaces!.split('\n')).toEqual([
      'NAMESPACE    POLICIES   PODS   INGRESS        EGRESS         PODS WITHOUT POLICY',
      'production   2          4      default-deny   2/4 isolated   0',
    ]);
    expect(plugin).toBe('Network plugin: kube-router (DaemonSet kube-system/kube-router): NetworkPolicies are enforced.');
    expect(stdout).toContain('INFO    KD4002  NetworkPolicy production/api-server-policy: allows DNS over UDP/53 but not TCP/53');
    expect(stdout).toContain('0 error(s), 0 warning(s), 3 info');
    // Policies in scope; namespaces and DaemonSets everywhere; of the other namespaces' Pods only
    // those the rules can look at: kube-system whole, the rest by label (controllers, plugins, peers).
    expect(api.count(/^\/apis\/networking\.k8s\.io\/v1\/namespaces\/production\/networkpolicies$/)).toBe(1);
    const pods = api.requests.filter((r) => /\/pods$/.test(r.path)).map((r) => `${r.path} ${r.query.get('labelSelector') ?? ''}`.trim());
    expect(pods).not.toContain('/api/v1/pods');
    expect(pods).toContain('/api/v1/namespaces/kube-system/pods');
    expect(pods).toContain('/api/v1/pods app.kubernetes.io/name in (contour,haproxy-ingress,ingress-nginx,rke2-ingress-nginx,traefik)');
    expect(api.count(/^\/apis\/apps\/v1\/daemonsets$/)).toBe(1);
  });

  it('reports every planted fault across namespaces in the JSON contract and exits 1', async () => {
    fakeApi([...GUIDE, ...FAULTS]);
    const { stdout, code } = await kdiag(['netpol', '-A', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expectValidReport(report);
    expect(report.kind).toBe('NetpolReport');
    expect(report.namespace).toBeNull();
    const found = report.findings
      .filter((f: { severity: string }) => f.severity !== 'info')
      .map((f: { code: string; object: { namespace?: string; name: string } }) => `${f.code} ${f.object.namespace ?? ''}/${f.object.name}`)
      .sort();
    expect(found).toEqual([
      'KD4001 reports/report-runner-egress',
      'KD4003 reports/legacy-exporter',
      'KD4004 reports/allow-from-billing',
      'KD4008 /ingress-nginx',
      'KD4008 /payment-service',
      'KD4008 /sandbox',
    ]);
    expect(report.policies).toHaveLength(6);
    expect(report.policies.find((p: { name: string }) => p.name === 'report-runner-egress')).toEqual({
      namespace: 'reports',
      name: 'report-runner-egress',
      podSelector: 'app=report-runner',
      pods: 1,
      policyTypes: ['Egress'],
      ingress: [],
      egress: ['ns:payment-service pod:app=payment-api → TCP/8080'],
    });
    expect(report.namespaces.find((n: { namespace: string }) => n.namespace === 'sandbox')).toMatchObject({ policies: 0, pods: 1, unselectedPods: 1 });
    expect(report.cni).toEqual({
      plugins: [{ name: 'kube-router', enforces: true, evidence: 'DaemonSet kube-system/kube-router' }],
      enforcing: true,
      unknown: [],
    });
  });

  it('shows a namespace without policies and fails on the warning with --fail-on warning', async () => {
    fakeApi([...GUIDE, ...FAULTS]);
    const { stdout, code } = await kdiag(['netpol', '-n', 'sandbox', '--fail-on', 'warning', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe('No NetworkPolicies found in namespace sandbox.');
    expect(stdout).toMatch(/^sandbox\s+0\s+1\s+open\s+open\s+1$/m);
    expect(stdout).toContain('WARNING KD4008  Namespace sandbox: 1 pod and no NetworkPolicy');
    expect(stdout).toMatch(/ {2,}name: default-deny-ingress\n {2,}namespace: sandbox/);
  });

  it('shows rules ignored by policyTypes and exits 1 on the error', async () => {
    const ignored = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'half', namespace: 'payment-service' },
      spec: {
        podSelector: { matchLabels: { app: 'payment-api' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ ports: [{ port: 443 }] }],
      },
    };
    fakeApi([...GUIDE, ignored]);
    const { stdout, code } = await kdiag(['netpol', '-n', 'payment-service', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^payment-service\s+half\s+app=payment-api\s+1\s+Ingress\s+pod:\* → any port\s+any → TCP\/443 \(ignored\)$/m);
    expect(stdout).toContain('ERROR   KD4006  NetworkPolicy payment-service/half: 1 egress rule ignored, policyTypes lacks Egress');
  });

  it('judges only its namespace when pods cannot be listed cluster-wide (by label or whole)', async () => {
    const api = fakeApi([...GUIDE, ...FAULTS], { faults: [{ path: /^\/api\/v1\/pods$/, statuses: Array(20).fill(403) }] });
    const { stdout, code } = await kdiag(['netpol', '-n', 'auth-service', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.cni).toBeNull();
    expect(report.policies[0].pods).toBe(1);
    expect(api.count(/^\/api\/v1\/namespaces\/auth-service\/pods$/)).toBe(1);
    expect(report.unavailable).toEqual({});
  });

  it('says when the namespace does not exist', async () => {
    fakeApi(GUIDE);
    const { stderr, code } = await kdiag(['netpol', '-n', 'nowhere', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('kdiag: namespace nowhere not found');
  });
});
