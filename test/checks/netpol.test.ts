import { describe, expect, it } from '@jest/globals';
import { analyzeNetpol, netpolCheck, netpolScope } from '../../src/checks/netpol.js';
import { load } from 'js-yaml';
import type { Finding } from '../../src/report/types.js';
import { fixtureSnapshot, loadFixture, type K8sObject } from '../support/fixtures.js';

const GUIDE = loadFixture('netpol-guide.yaml');
const FAULTS = loadFixture('netpol-faults.yaml');

function np(namespace: string, name: string, spec: Record<string, unknown>): K8sObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

function run(objects: readonly K8sObject[], options: { namespace?: string; clusterWide?: boolean } = {}) {
  return analyzeNetpol(fixtureSnapshot(objects, options.namespace ? { namespace: options.namespace } : {}), {
    namespace: options.namespace,
    clusterWide: options.clusterWide ?? true,
  });
}

const summary = (findings: Finding[]) =>
  findings.map((f) => `${f.code} ${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`).sort();
const serious = (findings: Finding[]) => findings.filter((f) => f.severity !== 'info');

/** The guide's objects plus a policy (or a replacement for one of the guide's). */
const withPolicy = (...policies: K8sObject[]) => [
  ...GUIDE.filter(
    (o) => !(o.kind === 'NetworkPolicy' && policies.some((p) => p.metadata.name === o.metadata.name && p.metadata.namespace === o.metadata.namespace)),
  ),
  ...policies,
];

const API_SERVER = { matchLabels: { app: 'api-server' } };

describe('netpol check: the guide (valid)', () => {
  it("gives the guide's three policies no warning or error", () => {
    const { findings } = run(GUIDE);
    expect(serious(findings).filter((f) => f.object.kind === 'NetworkPolicy')).toEqual([]);
    expect(summary(findings)).toEqual([
      'KD4002 NetworkPolicy production/api-server-policy',
      'KD4008 Namespace ingress-nginx',
      'KD4008 Namespace payment-service',
      'KD4012 NetworkPolicy production/api-server-policy',
      'KD4012 NetworkPolicy production/api-server-policy',
    ]);
  });

  it("inventories the guide's policies with their rules in short form", () => {
    const { policies, namespaces, cni, dns, ingressControllers } = run(GUIDE);
    expect(policies.map((p) => [p.namespace, p.name, p.podSelector, p.pods, p.policyTypes.join(','), p.ingress, p.egress])).toEqual([
      ['auth-service', 'allow-from-payment', 'app=auth-api', 1, 'Ingress', ['ns:payment-service pod:app=payment-api → TCP/8080'], []],
      [
        'production',
        'api-server-policy',
        'app=api-server',
        2,
        'Ingress,Egress',
        ['ns:ingress-nginx → TCP/8080'],
        ['pod:app=postgres → TCP/5432', 'pod:app=redis → TCP/6379', 'ns:* → UDP/53'],
      ],
      ['production', 'default-deny-ingress', '<all>', 4, 'Ingress', [], []],
    ]);
    const production = namespaces.find((n) => n.namespace === 'production')!;
    expect(production).toEqual({
      namespace: 'production',
      policies: 2,
      pods: 4,
      ingress: { defaultDeny: true, isolatedPods: 4, status: 'default-deny' },
      egress: { defaultDeny: false, isolatedPods: 2, status: '2/4 isolated' },
      unselectedPods: 0,
    });
    expect(namespaces.find((n) => n.namespace === 'payment-service')).toMatchObject({ policies: 0, pods: 2, unselectedPods: 2, ingress: { status: 'open' } });
    expect(cni).toEqual({ plugins: [{ name: 'kube-router', enforces: true, evidence: 'DaemonSet kube-system/kube-router' }], enforcing: true, unknown: [] });
    expect(dns).toEqual({ pods: ['kube-system/coredns-6bd7-x1'], assumed: false });
    expect(ingressControllers).toEqual(['ingress-nginx/ingress-nginx-controller-5d-a']);
  });

  it("accepts the guide's DNS rule over UDP and reports missing TCP 53 as info only", () => {
    const f = run(GUIDE).findings.find((x) => x.code === 'KD4002')!;
    expect(f.severity).toBe('info');
    expect(f.message).toBe('api-server-policy: allows DNS over UDP/53 but not TCP/53');
    expect(f.cause).toContain('production/api-server-policy egress rule 3 (ns:* → UDP/53) allows UDP/53 to kube-system/coredns-6bd7-x1');
  });

  it.each([
    [
      'a rule to the kube-dns pods in kube-system',
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ],
    [
      'a rule with ports only (any destination)',
      {
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ],
    ['an allow-all rule {}', {}],
    [
      'named ports dns and dns-tcp of CoreDNS',
      {
        to: [{ namespaceSelector: {} }],
        ports: [
          { protocol: 'UDP', port: 'dns' },
          { protocol: 'TCP', port: 'dns-tcp' },
        ],
      },
    ],
  ])('accepts DNS through %s', (_name, rule) => {
    const policy = np('production', 'api-server-policy', { podSelector: API_SERVER, policyTypes: ['Egress'], egress: [rule] });
    expect(run(withPolicy(policy)).findings.filter((f) => f.code === 'KD4001' || f.code === 'KD4002')).toEqual([]);
  });

  it('accepts DNS allowed by a separate policy selecting the same pods', () => {
    const egress = np('production', 'api-egress', {
      podSelector: API_SERVER,
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'postgres' } } }], ports: [{ port: 5432 }] }],
    });
    const dns = np('production', 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: {} }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
    expect(run(withPolicy(egress, dns)).findings.filter((f) => f.code === 'KD4001')).toEqual([]);
  });

  it('reports nothing about enforcement when there is no policy', () => {
    const objects = GUIDE.filter((o) => o.kind !== 'NetworkPolicy' && o.kind !== 'DaemonSet' && !o.metadata.name.startsWith('kube-router'));
    expect(run(objects).findings.filter((f) => f.object.kind === 'Cluster')).toEqual([]);
  });
});

describe('netpol check: planted faults (invalid)', () => {
  const all = run([...GUIDE, ...FAULTS]);

  it("reports each planted fault with its code and nothing new on the guide's policies", () => {
    expect(summary(serious(all.findings))).toEqual([
      'KD4001 NetworkPolicy reports/report-runner-egress',
      'KD4003 NetworkPolicy reports/legacy-exporter',
      'KD4004 NetworkPolicy reports/allow-from-billing',
      'KD4008 Namespace ingress-nginx',
      'KD4008 Namespace payment-service',
      'KD4008 Namespace sandbox',
    ]);
  });

  it("KD4001: an egress policy without DNS, with the guide's DNS rule as the fix", () => {
    const f = all.findings.find((x) => x.code === 'KD4001')!;
    expect(f.severity).toBe('error');
    expect(f.message).toBe('report-runner-egress: restricts egress but allows no DNS (UDP/53 to the cluster DNS)');
    expect(f.cause).toContain(
      'Pod reports/report-runner-4b-a is isolated for egress by reports/report-runner-egress and no egress rule allows UDP/53 to kube-system/coredns-6bd7-x1',
    );
    expect(f.fix).toContain('  - to:\n    - namespaceSelector: {}\n    ports:\n    - protocol: UDP\n      port: 53\n    - protocol: TCP\n      port: 53');
    expect(f.fix).toContain(
      `kubectl -n reports patch networkpolicy report-runner-egress --type=json -p '[{"op":"add","path":"/spec/egress/-","value":{"to":[{"namespaceSelector":{}}],"ports":[{"protocol":"UDP","port":53},{"protocol":"TCP","port":53}]}}]'`,
    );
  });

  it('KD4001: an egress deny-all without rules gets a patch that creates spec.egress', () => {
    const policy = np('production', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
    const f = run(withPolicy(policy)).findings.find((x) => x.code === 'KD4001' && x.object.name === 'deny-egress')!;
    expect(f.cause).toContain('(the policies have no egress rule)');
    expect(f.fix).toContain('"path":"/spec/egress","value":[{"to"');
  });

  it('KD4001: judged from the policy alone when it selects no pod yet', () => {
    const policy = np('production', 'future', {
      podSelector: { matchLabels: { app: 'future' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ port: 443 }] }],
    });
    const codes = run(withPolicy(policy))
      .findings.filter((f) => f.object.name === 'future')
      .map((f) => f.code)
      .sort();
    expect(codes).toEqual(['KD4001', 'KD4003']);
  });

  it('KD4003: a pod selector that selects nothing, with similar labels', () => {
    const f = all.findings.find((x) => x.code === 'KD4003')!;
    expect(f.message).toBe('legacy-exporter: podSelector app=legacy-exporter selects no pod');
    expect(f.cause).toContain('Pods with the same label keys: app=report-runner (1 pod).');
  });

  it('KD4004: a namespaceSelector for a namespace that does not exist', () => {
    const f = all.findings.find((x) => x.code === 'KD4004')!;
    expect(f.message).toBe('allow-from-billing: ingress rule 1 namespaceSelector kubernetes.io/metadata.name=billing matches no namespace');
    expect(f.cause).toContain('(there is no namespace named billing)');
  });

  it("KD4005: a podSelector peer that means another namespace's pods", () => {
    const policy = np('auth-service', 'allow-from-payment', {
      podSelector: { matchLabels: { app: 'auth-api' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payment-service' } } },
            { podSelector: { matchLabels: { app: 'payment-api' } } },
          ],
          ports: [{ port: 8080 }],
        },
      ],
    });
    const f = run(withPolicy(policy)).findings.find((x) => x.code === 'KD4005')!;
    expect(f.message).toBe('allow-from-payment: ingress rule 1 peer pod:app=payment-api matches no pod');
    expect(f.cause).toContain("(a podSelector without namespaceSelector only looks in the policy's own namespace)");
  });

  it("KD4005: not judged for other namespaces when only one namespace's pods are known", () => {
    const policy = np('auth-service', 'x', {
      podSelector: { matchLabels: { app: 'auth-api' } },
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'nobody' } } }] }],
    });
    const scoped = run(
      withPolicy(policy).filter((o) => o.kind !== 'Pod' || o.metadata.namespace === 'auth-service'),
      { namespace: 'auth-service', clusterWide: false },
    );
    expect(scoped.findings.filter((f) => f.code === 'KD4005')).toEqual([]);
    expect(scoped.cni).toBeUndefined();
    expect(
      run(withPolicy(policy))
        .findings.filter((f) => f.code === 'KD4005')
        .map((f) => f.object.name),
    ).toEqual(['x']);
  });

  it('KD4006: egress rules ignored because policyTypes lacks Egress', () => {
    const policy = np('production', 'api-server-policy', {
      podSelector: API_SERVER,
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      ],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'postgres' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
    const f = run(withPolicy(policy)).findings.find((x) => x.code === 'KD4006')!;
    expect(f.severity).toBe('error');
    expect(f.message).toBe('api-server-policy: 1 egress rule ignored, policyTypes lacks Egress');
    expect(f.fix).toContain(
      `kubectl -n production patch networkpolicy api-server-policy --type=json -p '[{"op":"add","path":"/spec/policyTypes/-","value":"Egress"}]'`,
    );
  });

  it('KD4006: not reported when policyTypes is absent (the API defaults it)', () => {
    const policy = np('production', 'p', {
      podSelector: API_SERVER,
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
    expect(run(withPolicy(policy)).findings.filter((f) => f.code === 'KD4006')).toEqual([]);
  });

  it('KD4007: the Service port instead of the pod port; named ports and ranges resolve per pod', () => {
    const rule = (ports: unknown[]) =>
      np('production', 'api-server-policy', { podSelector: API_SERVER, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }], ports }] });
    const f = run(withPolicy(rule([{ protocol: 'TCP', port: 80 }]))).findings.find((x) => x.code === 'KD4007')!;
    expect(f.severity).toBe('info');
    expect(f.message).toBe('api-server-policy: ingress rule 1 port TCP/80 is not exposed by any selected pod');
    expect(f.cause).toContain('declare TCP/8080 (http), TCP/8443 (https)');
    for (const ok of [[{ port: 'http' }], [{ port: 8000, endPort: 8100 }], [{ protocol: 'TCP' }]]) {
      expect(run(withPolicy(rule(ok))).findings.filter((x) => x.code === 'KD4007')).toEqual([]);
    }
    expect(run(withPolicy(rule([{ port: 'grpc' }]))).findings.find((x) => x.code === 'KD4007')!.message).toBe(
      'api-server-policy: ingress rule 1 port TCP/grpc is not exposed by any selected pod',
    );
    expect(run(withPolicy(rule([{ protocol: 'UDP', port: 8080 }]))).findings.filter((x) => x.code === 'KD4007')).toHaveLength(1);
  });

  it('KD4007: egress ports are checked against the peer pods', () => {
    const policy = np('production', 'api-server-policy', {
      podSelector: API_SERVER,
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'postgres' } } }], ports: [{ protocol: 'TCP', port: 5433 }] },
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
    const f = run(withPolicy(policy)).findings.find((x) => x.code === 'KD4007')!;
    expect(f.message).toBe('api-server-policy: egress rule 1 port TCP/5433 is not exposed by any destination pod');
  });

  it("KD4008: a namespace with pods and no policy, with the guide's default deny as the fix", () => {
    const f = all.findings.find((x) => x.code === 'KD4008' && x.object.name === 'sandbox')!;
    expect(f.object).toEqual({ kind: 'Namespace', name: 'sandbox' });
    expect(f.message).toBe('sandbox: 1 pod and no NetworkPolicy');
    expect(f.fix).toContain(
      "kubectl apply -f - <<'EOF'\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-ingress\n  namespace: sandbox\nspec:\n  podSelector: {}\n  policyTypes:\n  - Ingress\nEOF",
    );
  });

  it('KD4008: not for system namespaces, empty namespaces or host-network pods only', () => {
    expect(all.findings.filter((f) => f.code === 'KD4008').map((f) => f.object.name)).not.toContain('kube-system');
    const hostOnly = run([
      ...GUIDE,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'agent', namespace: 'monitoring' },
        spec: { hostNetwork: true, containers: [{ name: 'a', image: 'x' }] },
        status: { phase: 'Running' },
      },
    ]);
    expect(hostOnly.findings.filter((f) => f.object.name === 'monitoring')).toEqual([]);
  });

  it('KD4009: default-deny-ingress blocks the ingress controller from an Ingress backend', () => {
    const policy = np('production', 'api-server-policy', {
      podSelector: API_SERVER,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    const f = run(withPolicy(policy)).findings.find((x) => x.code === 'KD4009')!;
    expect(f.object).toEqual({ kind: 'Ingress', namespace: 'production', name: 'api-ingress' });
    expect(f.message).toBe('api-ingress: the ingress controller cannot reach backend api-v1-service:80 (TCP/8080 on the pods)');
    expect(f.cause).toContain('from the controller pod ingress-nginx/ingress-nginx-controller-5d-a is denied');
    expect(f.fix).toContain(
      '    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: ingress-nginx\n    ports:\n    - protocol: TCP\n      port: 8080',
    );
    expect(f.fix).toContain('  podSelector:\n    matchLabels:\n      app: api-server\n      version: v1\n');
  });

  it("KD4009: only the controller of the Ingress's class must reach its backends (a Traefik pod elsewhere is not asked)", () => {
    const traefik: K8sObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'traefik-6b-a', namespace: 'traefik', labels: { 'app.kubernetes.io/name': 'traefik' } },
      spec: { containers: [{ name: 'traefik', image: 'traefik' }] },
      status: { phase: 'Running', podIP: '10.244.0.9', conditions: [{ type: 'Ready', status: 'True' }] },
    } as K8sObject;
    const classes: K8sObject[] = [
      { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } } as K8sObject,
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: 'traefik' },
        spec: { controller: 'traefik.io/ingress-controller' },
      } as K8sObject,
    ];
    // The guide's api-ingress (class nginx) admits ingress-nginx only: Traefik's denial does not matter.
    expect(run([...GUIDE, traefik, ...classes]).findings.filter((f) => f.code === 'KD4009')).toEqual([]);
    // Without the IngressClasses, every known controller is asked, Traefik included.
    expect(run([...GUIDE, traefik]).findings.find((f) => f.code === 'KD4009')?.cause).toContain('from the controller pod traefik/traefik-6b-a is denied');
    // The same Ingress served by Traefik: now Traefik must reach the backend.
    const byTraefik = GUIDE.map((o) => (o.kind === 'Ingress' ? { ...o, spec: { ...(o.spec as object), ingressClassName: 'traefik' } } : o)) as K8sObject[];
    expect(run([...byTraefik, traefik, ...classes]).findings.find((f) => f.code === 'KD4009')?.cause).toContain('from the controller pod traefik/traefik-6b-a');
  });

  it('KD4009: not reported when no ingress controller pod is visible', () => {
    const policy = np('production', 'api-server-policy', { podSelector: API_SERVER, policyTypes: ['Ingress'] });
    const objects = withPolicy(policy).filter((o) => o.metadata.namespace !== 'ingress-nginx');
    expect(run(objects).findings.filter((f) => f.code === 'KD4009')).toEqual([]);
  });

  it('KD4013: AdminNetworkPolicies stored while the plugin found (kube-router) does not implement them', () => {
    const snapshot = fixtureSnapshot(GUIDE, {});
    snapshot.clusterPolicies = {
      adminNetworkPolicies: [
        {
          apiVersion: 'policy.networking.k8s.io/v1alpha1',
          kind: 'AdminNetworkPolicy',
          metadata: { name: 'no-dev' },
          spec: { priority: 1, subject: { namespaces: {} }, ingress: [] },
        },
      ],
      baselineAdminNetworkPolicies: [],
      clusterNetworkPolicies: [],
      native: [],
      unreadable: {},
    };
    const f = analyzeNetpol(snapshot, { clusterWide: true }).findings.find((x) => x.code === 'KD4013')!;
    expect(f.message).toBe('cluster-scoped policies: 1 AdminNetworkPolicy, but kube-router does not implement them');
  });

  it('KD4014: network-plugin policies are listed as not evaluated', () => {
    const snapshot = fixtureSnapshot(GUIDE, {});
    const items = [
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'l7', namespace: 'production' }, spec: { endpointSelector: {} } },
    ];
    snapshot.clusterPolicies = {
      adminNetworkPolicies: [],
      baselineAdminNetworkPolicies: [],
      clusterNetworkPolicies: [],
      native: [{ kind: 'CiliumNetworkPolicy', group: 'cilium.io', plural: 'ciliumnetworkpolicies', namespaced: true, items }],
      unreadable: {},
    };
    const f = analyzeNetpol(snapshot, { clusterWide: true }).findings.find((x) => x.code === 'KD4014')!;
    expect(f.message).toBe('1 CiliumNetworkPolicy: not evaluated by kdiag');
    expect(f.cause).toContain('production/l7');
  });

  it('KD4010: flannel alone does not enforce', () => {
    const objects = [
      ...GUIDE.filter((o) => o.kind !== 'DaemonSet' && !o.metadata.name.startsWith('kube-router')),
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-flannel-ds', namespace: 'kube-flannel' }, spec: {} },
    ];
    const f = run(objects).findings.find((x) => x.object.kind === 'Cluster')!;
    expect(f.code).toBe('KD4010');
    expect(f.message).toBe('network plugin: flannel does not enforce NetworkPolicy (3 policies present)');
    expect(f.cause).toContain('Found flannel (DaemonSet kube-flannel/kube-flannel-ds)');
  });

  it('KD4010: not when Calico runs next to flannel (Canal)', () => {
    const objects = [
      ...GUIDE.filter((o) => o.kind !== 'DaemonSet' && !o.metadata.name.startsWith('kube-router')),
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'canal', namespace: 'kube-system' }, spec: {} },
    ];
    expect(run(objects).findings.filter((x) => x.object.kind === 'Cluster')).toEqual([]);
  });

  it('KD4011: no known enforcer; recognised from pods when DaemonSets are not visible', () => {
    const bare = GUIDE.filter((o) => o.kind !== 'DaemonSet' && !o.metadata.name.startsWith('kube-router'));
    expect(run(bare).findings.find((x) => x.object.kind === 'Cluster')!.code).toBe('KD4011');
    const ciliumPod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cilium-x8k2p', namespace: 'kube-system', labels: { 'k8s-app': 'cilium' } },
      spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x' }] },
      status: { phase: 'Running' },
    };
    const analysis = run([...bare, ciliumPod]);
    expect(analysis.findings.filter((x) => x.object.kind === 'Cluster')).toEqual([]);
    expect(analysis.cni?.plugins).toEqual([{ name: 'Cilium', enforces: true, evidence: 'pod kube-system/cilium-x8k2p' }]);
  });

  it("KD4012: the guide's api-server egress to postgres is dropped by postgres's ingress", () => {
    const f = run(GUIDE).findings.find((x) => x.code === 'KD4012')!;
    expect(f.severity).toBe('info');
    expect(f.message).toBe('api-server-policy: egress rule 1 allows TCP/5432 to pod:app=postgres, but production/postgres-6c-a accepts no such ingress');
    expect(f.fix).toContain('  name: allow-api-server-to-postgres\n  namespace: production\n');
  });

  it('is exported as a Check for kdiag check', () => {
    expect(netpolCheck.id).toBe('netpol');
    // DaemonSets (the network plugin) are read in every namespace by the netpol loader, as kdiag netpol does.
    expect(netpolCheck.requires).toEqual(['networkpolicies', 'pods', 'services', 'ingresses']);
    expect(netpolCheck.extras).toEqual(['netpol']);
    // Namespaces are cluster-scoped: a namespace-only user still gets the check, without namespace labels.
    expect(netpolCheck.optional).toEqual(['namespaces', 'ingressclasses']);
    expect(summary(serious(netpolCheck.run(fixtureSnapshot([...GUIDE, ...FAULTS]), {})))).toEqual(summary(serious(all.findings)));
  });

  describe("netpolScope: the loader's inputs decide what the rules see, for kdiag check and kdiag netpol alike", () => {
    const everything = fixtureSnapshot([...GUIDE, ...FAULTS]);
    const scoped = (namespace: string) => ({
      ...fixtureSnapshot([...GUIDE, ...FAULTS].filter((o) => o.kind === 'Namespace' || o.metadata.namespace === namespace)),
      namespace,
    });

    it('a snapshot scoped to one namespace, with Pods and DaemonSets of every namespace, is judged as cluster-wide', () => {
      const snapshot = { ...scoped('production'), netpol: { pods: everything.pods, daemonsets: everything.daemonsets, clusterWide: true, refused: {} } };
      const { snapshot: seen, options } = netpolScope(snapshot);
      expect(options).toEqual({ namespace: 'production', clusterWide: true });
      expect(seen.pods).toBe(everything.pods);
      expect(seen.daemonsets).toBe(everything.daemonsets);
      // The network plugin is judged: it runs in kube-system, outside the scope.
      expect(analyzeNetpol(seen, options).cni?.plugins.map((p) => p.name)).toEqual(['kube-router']);
      expect(netpolCheck.run(snapshot, {})).toEqual(analyzeNetpol(seen, options).findings);
    });

    it("without the cluster-wide list of Pods, only the namespace's own Pods are judged and nothing is reported unavailable", () => {
      const own = scoped('production');
      const { snapshot: seen, options } = netpolScope({
        ...own,
        netpol: { pods: own.pods, daemonsets: [], clusterWide: false, refused: { pods: 'forbidden' } },
      });
      expect(options).toEqual({ namespace: 'production', clusterWide: false });
      expect(seen.pods).toBe(own.pods);
      expect(seen.unavailable).toEqual({});
      expect(analyzeNetpol(seen, options).cni).toBeUndefined();
    });

    it('a refused list of DaemonSets leaves the plugin unknown (cni.unknown names them)', () => {
      const { snapshot: seen, options } = netpolScope({
        ...scoped('production'),
        netpol: { pods: everything.pods, daemonsets: [], clusterWide: true, refused: { daemonsets: 'daemonsets is forbidden' } },
      });
      expect(seen.unavailable).toEqual({ daemonsets: 'daemonsets is forbidden' });
      expect(seen.loaded).not.toContain('daemonsets');
      expect(analyzeNetpol(seen, options).cni?.unknown).toEqual(['daemonsets']);
    });

    it('without loader inputs (fixtures), the snapshot is read as it is', () => {
      expect(netpolScope(everything)).toEqual({ snapshot: everything, options: { namespace: undefined, clusterWide: true } });
      const own = scoped('reports');
      expect(netpolScope(own).options).toEqual({ namespace: 'reports', clusterWide: false });
    });
  });
});

describe('netpol fixes: YAML built as data', () => {
  it('keeps a label value "true" a string in the suggested NetworkPolicy (it came out as a boolean, and kubectl apply rejected it)', () => {
    const pod = (name: string, labels: Record<string, string>, port?: number) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop', labels },
      spec: { containers: [{ name: 'c', image: 'x', ...(port ? { ports: [{ containerPort: port }] } : {}) }] },
      status: { phase: 'Running', podIP: name === 'client' ? '10.244.0.10' : '10.244.0.11', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const objects: K8sObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } },
      pod('client', { canary: 'true' }),
      pod('db', { primary: 'true' }, 5432),
      np('shop', 'client-egress', {
        podSelector: { matchLabels: { canary: 'true' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { primary: 'true' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
      }),
      np('shop', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
    ];
    const f = run(objects).findings.find((x) => x.code === 'KD4012')!;
    expect(f.fix).toContain("      canary: 'true'");
    expect(f.fix).toContain("      primary: 'true'");
    const yaml = f.fix.slice(f.fix.indexOf("<<'EOF'\n") + 8, f.fix.lastIndexOf('EOF'));
    const policy = load(yaml) as { spec: { podSelector: unknown; ingress: { from: { podSelector: unknown }[] }[] } };
    expect(policy.spec.podSelector).toEqual({ matchLabels: { primary: 'true' } });
    expect(policy.spec.ingress[0]!.from[0]!.podSelector).toEqual({ matchLabels: { canary: 'true' } });
    expect(f.remediation?.commands).toEqual([{ argv: ['kubectl', 'apply', '-f', '-'], stdin: policy }]);
  });
});
