// The network-policy-api's cluster-scoped kinds on the local cluster: the upstream CRDs
// (installed by cluster/scenario/policy-api-crds.sh from the sigs.k8s.io/network-policy-api
// Go module) and objects that change a verdict. The local enforcer (kube-router) does not
// implement these kinds, so this tests kdiag's reasoning: `netpol explain` reads the objects
// through API discovery and decides tier by tier as the specification says.
import { apply, deleteNamespace, ensureNamespace, kubectl, runKdiag } from './support/cluster.js';

const SERVER = 'kdiag-e2e-anp-server';
const CLIENT = 'kdiag-e2e-anp-client';
const ANP = 'kdiag-e2e-anp-deny';
const CNP = 'kdiag-e2e-cnp-accept';
const NAME_LABEL = 'kubernetes.io/metadata.name';

interface Side {
  tier?: string;
  allowed: boolean;
  decidedBy?: { policy: string; rule: number };
  reason: string;
}

async function explain(): Promise<{ verdict: string; ingress: Side }> {
  const r = await runKdiag(['netpol', 'explain', '--from', `${CLIENT}:app=client`, '--to', `${SERVER}:app=web`, '--port', '8080', '-o', 'json']);
  if (r.code !== 0) throw new Error(`kdiag netpol explain failed (${r.code}): ${r.stderr}`);
  const c = JSON.parse(r.stdout).connections[0];
  return { verdict: c.verdict, ingress: c.ingress };
}

const deleteAll = async () => {
  await kubectl(['delete', 'adminnetworkpolicies.policy.networking.k8s.io', ANP, '--ignore-not-found']);
  await kubectl(['delete', 'clusternetworkpolicies.policy.networking.k8s.io', CNP, '--ignore-not-found']);
};

describe('cluster-scoped policies (AdminNetworkPolicy, ClusterNetworkPolicy) on the local cluster', () => {
  beforeAll(async () => {
    await deleteAll();
    await ensureNamespace(SERVER);
    await ensureNamespace(CLIENT);
  }, 240_000);

  afterAll(async () => {
    await deleteAll();
    await deleteNamespace(SERVER);
    await deleteNamespace(CLIENT);
  }, 240_000);

  it('the upstream CRDs are served (from the network-policy-api Go module)', async () => {
    const r = await kubectl(['get', 'crd', 'adminnetworkpolicies.policy.networking.k8s.io', 'clusternetworkpolicies.policy.networking.k8s.io', '-o', 'name']);
    expect(r.stdout.trim().split('\n')).toEqual([
      'customresourcedefinition.apiextensions.k8s.io/adminnetworkpolicies.policy.networking.k8s.io',
      'customresourcedefinition.apiextensions.k8s.io/clusternetworkpolicies.policy.networking.k8s.io',
    ]);
  });

  it('without policies the connection is allowed; an AdminNetworkPolicy Deny makes it denied; a ClusterNetworkPolicy Accept of higher precedence allows it again', async () => {
    expect((await explain()).verdict).toBe('allowed');

    await apply(
      JSON.stringify({
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        kind: 'AdminNetworkPolicy',
        metadata: { name: ANP },
        spec: {
          priority: 40,
          subject: { namespaces: { matchLabels: { [NAME_LABEL]: SERVER } } },
          // The v0.1.1 shape of a peer's namespaces (a NamespacedPeer), as this CRD validates it.
          ingress: [{ name: 'deny-client', action: 'Deny', from: [{ namespaces: { namespaceSelector: { matchLabels: { [NAME_LABEL]: CLIENT } } } }] }],
        },
      }),
    );
    const denied = await explain();
    expect(denied.verdict).toBe('denied');
    expect(denied.ingress).toMatchObject({ tier: 'admin', allowed: false, decidedBy: { policy: `AdminNetworkPolicy/${ANP}`, rule: 1 } });

    await apply(
      JSON.stringify({
        apiVersion: 'policy.networking.k8s.io/v1alpha2',
        kind: 'ClusterNetworkPolicy',
        metadata: { name: CNP },
        spec: {
          tier: 'Admin',
          priority: 10,
          subject: { namespaces: { matchLabels: { [NAME_LABEL]: SERVER } } },
          ingress: [
            {
              name: 'accept-client-8080',
              action: 'Accept',
              from: [{ namespaces: { matchLabels: { [NAME_LABEL]: CLIENT } } }],
              protocols: [{ tcp: { destinationPort: { number: 8080 } } }],
            },
          ],
        },
      }),
    );
    const accepted = await explain();
    expect(accepted.verdict).toBe('allowed');
    expect(accepted.ingress).toMatchObject({ tier: 'admin', allowed: true, decidedBy: { policy: `ClusterNetworkPolicy/${CNP}`, rule: 1 } });
    expect(accepted.ingress.reason).toContain('priority 10');
  }, 240_000);
});
