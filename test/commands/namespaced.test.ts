// A user whose only grant is a Role in one namespace (multi-tenant clusters): every command
// runs on what it can read, and says once per missing permission what it did not check.
import { describe, expect, it } from '@jest/globals';
import { expectValidReport } from '../support/contract.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import type { K8sObject } from '../support/fixtures.js';
import { loadFixture } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const nodePort: K8sObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'api-nodeport', namespace: 'production' },
  spec: { type: 'NodePort', selector: { app: 'api-server' }, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] },
} as K8sObject;
const cluster = [...loadFixture('trace.yaml'), nodePort];

interface F {
  code: string;
  message: string;
  object: { kind: string; namespace?: string; name: string };
  fix: string;
}
const key = (f: F) => `${f.code} ${f.object.kind} ${f.object.namespace ?? ''}/${f.object.name}: ${f.message}`;

/** Rules that need cluster-scoped data (IngressClasses, other namespaces' Pods, Namespace labels, kube-system). */
const CLUSTER_DATA_CODES = new Set([
  'KD3001',
  'KD3002',
  'KD3003',
  'KD3004',
  'KD3005',
  'KD4004',
  'KD4009',
  'KD4010',
  'KD4011',
  'KD6003',
  'KD6004',
  'KD6020',
  'KD6021',
  'KD7001',
  'KD7030',
]);

async function json(args: string[], namespaceOnly?: string) {
  fakeApi(cluster, namespaceOnly ? { namespaceOnly } : {});
  const r = await kdiag([...args, '-o', 'json', '--kubeconfig', testKubeconfig({ namespace: 'production' })]);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : undefined };
}

describe('a user who may read one namespace only', () => {
  it('check -n: the same findings as an admin for the rules that need only namespaced data, plus one line per skipped part', async () => {
    const admin = await json(['check', '-n', 'production']);
    const role = await json(['check', '-n', 'production'], 'production');
    expectValidReport(role.report);
    expect(role.code).toBe(admin.code);
    const status = Object.fromEntries(role.report.checks.map((c: { id: string; status: string }) => [c.id, c.status]));
    // Only the cluster DNS check needs kube-system as a whole; every other check runs.
    expect(status).toEqual({
      endpoints: expect.stringMatching(/passed|failed/),
      'service-types': expect.stringMatching(/passed|failed/),
      ingress: expect.stringMatching(/passed|failed/),
      gateway: expect.stringMatching(/passed|failed/),
      netpol: expect.stringMatching(/passed|failed/),
      'cluster-dns': 'skipped',
      // The data plane runs on what it may read (nothing here) and says what it left out.
      dataplane: 'passed',
    });

    const adminKeys = new Set((admin.report.findings as F[]).map(key));
    const roleFindings = role.report.findings as F[];
    const partLines = roleFindings.filter((f) => f.code === 'KD6006');
    const permissionLines = roleFindings.filter((f) => f.code === 'KD6001');
    // Nothing invented: every other finding of the Role's run is one of the admin's.
    expect(
      roleFindings
        .filter((f) => f.code !== 'KD6006' && f.code !== 'KD6001')
        .map(key)
        .filter((k) => !adminKeys.has(k)),
    ).toEqual([]);
    // Nothing lost: every admin finding of a rule that needs only namespaced data is there.
    const roleKeys = new Set(roleFindings.map(key));
    expect(
      (admin.report.findings as F[])
        .filter((f) => !CLUSTER_DATA_CODES.has(f.code))
        .map(key)
        .filter((k) => !roleKeys.has(k)),
    ).toEqual([]);
    expect(roleKeys.has('KD2001 Service production/api-nodeport: api-nodeport: NodePort Service in namespace production')).toBe(true);

    // One line per missing permission, each naming every part it removed.
    expect(partLines.map((f) => f.message.split(': not allowed')[0]).sort()).toEqual([
      'list daemonsets.apps in namespace kube-system',
      'list gatewayclasses.gateway.networking.k8s.io at cluster scope',
      'list ingressclasses.networking.k8s.io at cluster scope',
      'list namespaces at cluster scope',
      'list nodes at cluster scope',
      'list pods at cluster scope',
      'list pods in namespace kube-system',
    ]);
    const ns = partLines.find((f) => f.object.name === 'list namespaces (cluster scope)')!;
    expect(ns.message).toMatch(
      /^list namespaces at cluster scope: not allowed; not checked: service-types: Namespace labels .*; gateway: .*; netpol: namespaceSelector peers/,
    );
    expect(ns.fix).toContain('A Role cannot grant it (namespaces are cluster-scoped)');
    // The cluster DNS check is skipped whole: its three requests in kube-system, one line each.
    expect(permissionLines.map((f) => f.object.name).sort()).toEqual(['list endpointslices.discovery.k8s.io', 'list pods', 'list services']);
    expect(roleFindings.filter((f) => f.code === 'KD3005')).toEqual([]);
  });

  it('services -n: lists every Service of the namespace and says the dev/test heuristic had names only', async () => {
    const admin = await json(['services', '-n', 'production']);
    const role = await json(['services', '-n', 'production'], 'production');
    expect(role.code).toBe(admin.code);
    expect(role.report.services).toEqual(admin.report.services);
    expect(role.report.findings.filter((f: F) => f.code === 'KD6006').map((f: F) => f.message)).toEqual([
      'list namespaces at cluster scope: not allowed; not checked: service-types: Namespace labels (environment, env, tier, stage) in the dev/test-namespace heuristic of KD2001; names alone were used',
    ]);
  });

  it('endpoints, ingress, netpol and gateway -n: no command stops on a cluster-scoped 403', async () => {
    for (const command of ['endpoints', 'ingress', 'netpol', 'gateway']) {
      const role = await json([command, '-n', 'production'], 'production');
      expect({ command, code: role.code }).toEqual({ command, code: expect.any(Number) });
      expect(role.code).not.toBe(2);
      expectValidReport(role.report);
    }
    const ingress = await json(['ingress', '-n', 'production'], 'production');
    expect(
      ingress.report.findings
        .filter((f: F) => f.code === 'KD6006')
        .map((f: F) => f.object.name)
        .sort(),
    ).toEqual(['list ingressclasses.networking.k8s.io (cluster scope)', 'list pods (cluster scope)']);
    const netpol = await json(['netpol', '-n', 'production'], 'production');
    expect(
      netpol.report.findings
        .filter((f: F) => f.code === 'KD6006')
        .map((f: F) => f.object.name)
        .sort(),
    ).toEqual(['list ingressclasses.networking.k8s.io (cluster scope)', 'list namespaces (cluster scope)', 'list pods (cluster scope)']);
  });

  it('netpol explain: a side in a namespace kdiag cannot read is undecided, with what it would need', async () => {
    const args = ['netpol', 'explain', '--from', 'ingress-nginx:app.kubernetes.io/name=ingress-nginx', '--to', 'production/svc/api-v1-service', '--port', '80'];
    const admin = await json(args);
    expect(admin.report.verdict).toBe('allowed');
    const role = await json(args, 'production');
    expect(role.code).toBe(0);
    expect(role.report.verdict).toBe('unknown');
    expect(role.report.allowed).toBe(false);
    expect(role.report.needs).toEqual(['the NetworkPolicies of namespace ingress-nginx (list networkpolicies.networking.k8s.io in namespace ingress-nginx)']);
    // The side kdiag can read is still decided: production admits ingress-nginx by name.
    expect(role.report.connections.every((c: { ingress: { allowed: boolean } }) => c.ingress.allowed)).toBe(true);
    fakeApi(cluster, { namespaceOnly: 'production' });
    const text = await kdiag([...args, '--kubeconfig', testKubeconfig({ namespace: 'production' })]);
    expect(text.stdout).toMatch(/^Verdict: UNKNOWN/);
    expect(text.stdout).toContain('It depends on objects kdiag cannot read; to decide, kdiag needs the NetworkPolicies of namespace ingress-nginx');
    // A pod named in an unreadable namespace cannot be resolved: say so, and how to name it instead.
    const named = await json(
      ['netpol', 'explain', '--from', 'ingress-nginx/ingress-nginx-controller-7f-a', '--to', 'production/svc/api-v1-service', '--port', '80'],
      'production',
    );
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('kdiag: --from: kdiag cannot read pods or Services in namespace ingress-nginx');
  });

  it("trace of a Service URL needs nothing outside the Service's namespace", async () => {
    const role = await json(['trace', 'http://api-v1-service.production/health'], 'production');
    expect(role.code).toBe(0);
    expect(role.report.hops.map((h: { id: string; status: string }) => `${h.id}:${h.status}`)).toEqual(['service:ok', 'endpoints:ok', 'egress:ok']);
    expect(role.report.notChecked).toEqual([
      'cluster DNS: egress to it was not checked (list pods, services and endpointslices in namespace kube-system is not allowed)',
      'NetworkPolicies of namespaces other than production were not read (list networkpolicies.networking.k8s.io at cluster scope is not allowed): a side there is reported as undecided',
    ]);
  });

  it('trace of a host URL searches the namespaces it may read and names what it could not search', async () => {
    const role = await json(['trace', 'https://api.example.com/api/v1/users'], 'production');
    expect(role.code).not.toBe(2);
    const hops = Object.fromEntries(role.report.hops.map((h: { id: string; status: string }) => [h.id, h.status]));
    expect(hops).toMatchObject({ 'ingress-rule': 'ok', controller: 'info', service: 'ok', endpoints: 'ok', 'network-policy': 'info' });
    // The controller's Pods could not be listed: the policy hop says what it would need, as the Gateway trace does.
    expect(role.report.hops.find((h: { id: string }) => h.id === 'network-policy').detail).toMatch(
      /depends on objects kdiag cannot read \(the Pods of .+ and the NetworkPolicies of their namespace \(list pods at cluster scope is not allowed\)\)$/,
    );
    expect(role.report.notChecked).toEqual(
      expect.arrayContaining([
        'Ingresses of namespaces other than production were not searched (list ingresses.networking.k8s.io at cluster scope is not allowed)',
        'IngressClass: the class and its controller were not checked (list ingressclasses.networking.k8s.io at cluster scope is not allowed)',
      ]),
    );
    const missing = await json(['trace', 'https://nothing.example.com/'], 'production');
    expect(missing.report.hops).toEqual([
      expect.objectContaining({
        id: 'ingress-rule',
        status: 'info',
        detail: 'no Ingress in namespace production serves host nothing.example.com; Ingresses of other namespaces could not be searched',
      }),
    ]);
    expect(missing.code).toBe(0);
  });
});

describe('trace through a Gateway for a user of one namespace', () => {
  const ns = 'shop';
  const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  const pod = (name: string, ip: string, labels: Record<string, string>): K8sObject =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, uid: `uid-${name}`, labels },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'backend', ports: [{ containerPort: 8080 }] }] },
      status: { ...ready, podIP: ip },
    }) as K8sObject;
  const objects = (dataPlane: boolean): K8sObject[] =>
    [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'example' },
        spec: { controllerName: 'example.net/gateway-controller' },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'gw', namespace: ns },
        spec: { gatewayClassName: 'example', listeners: [{ name: 'http', protocol: 'HTTP', port: 80, hostname: 'app.shop.example' }] },
        status: {
          addresses: [{ type: 'IPAddress', value: '192.0.2.60' }],
          conditions: [
            { type: 'Accepted', status: 'True' },
            { type: 'Programmed', status: 'True' },
          ],
          listeners: [
            {
              name: 'http',
              attachedRoutes: 1,
              conditions: [
                { type: 'Accepted', status: 'True' },
                { type: 'Programmed', status: 'True' },
              ],
            },
          ],
        },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'web', namespace: ns },
        spec: { parentRefs: [{ name: 'gw' }], hostnames: ['app.shop.example'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
        status: {
          parents: [{ parentRef: { name: 'gw' }, controllerName: 'example.net/gateway-controller', conditions: [{ type: 'Accepted', status: 'True' }] }],
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: ns },
        spec: { clusterIP: '10.96.60.1', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
      },
      pod('web-0', '10.244.6.10', { app: 'web' }),
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-x', namespace: ns, labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        ports: [{ name: '', port: 8080, protocol: 'TCP' }],
        endpoints: [{ addresses: ['10.244.6.10'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'web-0', namespace: ns, uid: 'uid-web-0' } }],
      },
      ...(dataPlane ? [pod('gw-proxy-0', '10.244.6.2', { 'gateway.networking.k8s.io/gateway-name': 'gw' })] : []),
    ] as K8sObject[];

  async function traceAs(dataPlane: boolean) {
    fakeApi(objects(dataPlane), { namespaceOnly: ns });
    const r = await kdiag(['trace', 'http://app.shop.example/', '-o', 'json', '--kubeconfig', testKubeconfig({ namespace: ns })]);
    return { ...r, report: JSON.parse(r.stdout) };
  }

  it('finds the Gateway in its namespace, reads the policies there, and says which it could not read', async () => {
    const { code, report } = await traceAs(true);
    expect(code).toBe(0);
    expect(report.mode).toBe('gateway');
    const policy = report.hops.find((h: { id: string }) => h.id === 'network-policy');
    // Both sides run in shop, whose policies were read: a decided answer.
    expect(policy).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^Gateway gw data plane → web-0:8080 allowed/) });
    expect(report.notChecked).toEqual(
      expect.arrayContaining([
        'Gateways of namespaces other than shop were not searched (list gateways.gateway.networking.k8s.io at cluster scope is not allowed)',
        'NetworkPolicies of namespaces other than shop were not read (list networkpolicies.networking.k8s.io at cluster scope is not allowed): a side there is reported as undecided',
      ]),
    );
  });

  it('a data plane it cannot list (elsewhere): the policy hop is undecided and names what it would need', async () => {
    const { code, report } = await traceAs(false);
    expect(code).toBe(0);
    const policy = report.hops.find((h: { id: string }) => h.id === 'network-policy');
    expect(policy.status).toBe('info');
    expect(policy.detail).toMatch(/depends on objects kdiag cannot read \(the data-plane Pods of Gateway shop\/gw and their NetworkPolicies/);
  });
});
