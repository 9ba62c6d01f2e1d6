// Predicted allow, observed timeout (KD5046): when every endpoint of a Service times out from a
// probe that kdiag's NetworkPolicy engine lets through, the same endpoint probes run again from an
// unrestricted source; endpoints that answer it make the silence a policy kdiag cannot evaluate.
import { describe, expect, it, jest } from '@jest/globals';
import type { ClusterClient } from '../../src/cluster/client.js';
import { analyzeCurlProbe, explainWithDifferential, parseProbeLog, planProbeArgs, type UnrestrictedRetry } from '../../src/engine/differential.js';
import type { ExtraProbe } from '../../src/dataplane/plan.js';
import { parseCurlProbeLog, analyzeConnectivity, type CurlResult } from '../../src/probes/interpret-http.js';
import { parseTarget, planConnectivity } from '../../src/probes/plan.js';
import type { ClusterPolicyObjects } from '../../src/snapshot.js';
import { cartCluster } from '../support/cart.js';
import { fixtureSnapshot, type K8sObject } from '../support/fixtures.js';
import { HOSTILE_STRINGS, expectSafeFindings } from '../support/hostile.js';

const NS = 'shop';
const OWN = { 'app.kubernetes.io/managed-by': 'kdiag' };

const cluster = (extra: K8sObject[] = []): K8sObject[] => cartCluster({ namespace: NS, extra });

const TIMEOUT = '28 000  0 0.001 0 0 0 5.0 Failed to connect after 5001 ms: Timeout was reached';
const OK = '0 200 10.244.0.10 8080 0.001 0.002 0 0.003 0.004 ';
const NO_POLICIES: ClusterPolicyObjects = {
  adminNetworkPolicies: [],
  baselineAdminNetworkPolicies: [],
  clusterNetworkPolicies: [],
  native: [],
  unreadable: {},
};

/** Every curl of the first probe timed out; the second probe answers with `second` per endpoint. */
async function silent(opts: { objects?: K8sObject[]; workload?: Record<string, string>; second?: string; policies?: ClusterPolicyObjects } = {}) {
  const snapshot = fixtureSnapshot(opts.objects ?? cluster());
  const targets = planConnectivity([parseTarget('cart', NS)], snapshot, { path: '/health' });
  const plan = planProbeArgs(targets, snapshot, {});
  const log = plan.args
    .filter((_, i) => i % 2 === 0)
    .map((mode, i) => `KDIAGx result ${i} ${mode === 'node' ? '7 000  0 0 0 0 0 0.002 refused' : TIMEOUT}`)
    .join('\n');
  const { results, extraResults } = parseProbeLog(log, 'x', targets, plan.extras);
  const workload = opts.workload ?? { app: 'client' };
  const source = { namespace: NS, labels: { ...workload, ...OWN } };
  const base = analyzeConnectivity({ targets, results, snapshot, source });
  const calls: { namespace: string; labels: Record<string, string>; extras: readonly ExtraProbe[] }[] = [];
  const run = jest.fn(
    async (alt: { namespace: string; labels: Record<string, string> }, extras: readonly ExtraProbe[]): Promise<(CurlResult | undefined)[]> => {
      calls.push({ namespace: alt.namespace, labels: alt.labels, extras });
      if (opts.second === 'THROW') throw new Error('pods "kdiag-conn" is forbidden\nmore');
      const second = extras.map((_, i) => `KDIAGy result ${i} ${opts.second ?? OK}`).join('\n');
      const parsed = parseCurlProbeLog(second, 'y', extras);
      return extras.map((_, i) => parsed.find((r) => r.index === i));
    },
  );
  const retry: UnrestrictedRetry = {
    source: { ...source, workloadLabels: workload, description: `in ${NS} with labels app=client` },
    ownLabels: OWN,
    run,
    loadPolicies: async () => opts.policies ?? NO_POLICIES,
  };
  const out = await explainWithDifferential({} as ClusterClient, {
    targets,
    results,
    extras: plan.extras,
    extraResults,
    snapshot,
    source,
    probeNode: 'kdiag-node',
    base: base.findings,
    retry,
  });
  return { out, calls, run };
}

describe('predicted allow, observed timeout', () => {
  it('the endpoints answer an unlabelled probe in the same namespace: KD5046 replaces KD5042, saying no policy kind was found', async () => {
    const { out, calls } = await silent();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.namespace).toBe(NS);
    expect(calls[0]!.labels).toEqual(OWN);
    expect(calls[0]!.extras.map((e) => e.pod?.name)).toEqual(['cart-0', 'cart-1']);
    expect(out.findings.map((f) => f.code)).toEqual(['KD5046']);
    const f = out.findings[0]!;
    expect(f.message).toBe(
      "cart: predicted allow, observed timeout from the probe in shop with labels app=client, while 2 of 2 endpoint(s) answer an unlabelled probe pod in namespace shop (without the workload's labels): a policy kdiag cannot evaluate (none found: suspect a firewall rule)",
    );
    expect(f.cause).toContain('No policy kinds that kdiag cannot evaluate were found');
    expect(f.remediation!.commands.map((c) => c.argv)).toEqual([['kdiag', 'connectivity', 'cart.shop']]);
    expect(out.unrestricted).toEqual({
      source: "an unlabelled probe pod in namespace shop (without the workload's labels)",
      namespace: NS,
      direct: expect.any(Array),
    });
    expect(out.unrestricted!.direct.map((d) => d.outcome)).toEqual(['ok', 'ok']);
  });

  it('names the plugin kinds present (and the admin kinds it evaluated), with their list commands', async () => {
    const policies: ClusterPolicyObjects = {
      ...NO_POLICIES,
      adminNetworkPolicies: [{ metadata: { name: 'pass-all' } }],
      native: [
        {
          kind: 'CiliumNetworkPolicy',
          group: 'cilium.io',
          plural: 'ciliumnetworkpolicies',
          namespaced: true,
          items: [{ metadata: { name: 'lock', namespace: NS } }],
        },
      ],
    };
    const { out } = await silent({ policies });
    const f = out.findings[0]!;
    expect(f.message).toMatch(/a policy kdiag cannot evaluate \(present: 1 CiliumNetworkPolicy\)$/);
    expect(f.cause).toContain('Policy kinds present that kdiag does not evaluate: 1 CiliumNetworkPolicy (shop/lock)');
    expect(f.cause).toContain('kdiag evaluated 1 AdminNetworkPolicy (pass-all) in its prediction.');
    expect(f.remediation!.commands.map((c) => c.argv)).toEqual([['kubectl', 'get', 'ciliumnetworkpolicies.cilium.io', '-A']]);
  });

  it('the unrestricted source times out too: the pod network (KD5042) stays', async () => {
    const { out, run } = await silent({ second: TIMEOUT });
    expect(run).toHaveBeenCalledTimes(1);
    expect(out.findings.map((f) => f.code)).toEqual(['KD5042']);
  });

  it('a probe without workload labels in the pods own namespace has no unrestricted twin: no second probe, KD5042', async () => {
    const { out, run } = await silent({ workload: {} });
    expect(run).not.toHaveBeenCalled();
    expect(out.findings.map((f) => f.code)).toEqual(['KD5042']);
  });

  it('a NetworkPolicy that denies the probe explains the silence (KD5039): no second probe', async () => {
    const deny: K8sObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'only-frontend', namespace: NS },
      spec: {
        podSelector: { matchLabels: { app: 'cart' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }],
      },
    };
    const { out, run } = await silent({ objects: cluster([deny]) });
    expect(run).not.toHaveBeenCalled();
    expect(out.findings.map((f) => f.code)).toContain('KD5039');
    expect(out.findings.map((f) => f.code)).not.toContain('KD5046');
  });

  it('a policy the unlabelled probe is not allowed through either: no unrestricted source, no second probe', async () => {
    // Ingress to cart only from app=client: the first probe is predicted allowed, an unlabelled one is not.
    const onlyClient: K8sObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'only-client', namespace: NS },
      spec: {
        podSelector: { matchLabels: { app: 'cart' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
      },
    };
    const { out, run } = await silent({ objects: cluster([onlyClient]) });
    expect(run).not.toHaveBeenCalled();
    expect(out.findings.map((f) => f.code)).toEqual(['KD5042']);
  });

  it('a second probe pod that cannot run: the pod network (KD5042) stays and the report says why', async () => {
    const { out } = await silent({ second: 'THROW' });
    expect(out.findings.map((f) => f.code)).toEqual(['KD5042']);
    expect(out.unrestricted).toEqual({
      source: expect.stringContaining('unlabelled probe pod'),
      namespace: NS,
      direct: [],
      error: 'pods "kdiag-conn" is forbidden',
    });
  });

  it('hostile policy names reach the finding as text only; its commands come from the builder', async () => {
    for (const h of HOSTILE_STRINGS) {
      const policies: ClusterPolicyObjects = {
        ...NO_POLICIES,
        native: [
          {
            kind: 'CiliumNetworkPolicy',
            group: 'cilium.io',
            plural: 'ciliumnetworkpolicies',
            namespaced: true,
            items: [{ metadata: { name: h, namespace: NS } }],
          },
        ],
        unreadable: { 'GlobalNetworkPolicy (crd.projectcalico.org)': h },
      };
      const { out } = await silent({ policies });
      expectSafeFindings(out.findings);
    }
  });
});

// The one analysis of a curl probe's log that connectivity, check --probes and trace --probe run.
describe('analyzeCurlProbe', () => {
  function setup(firstOutcome: string) {
    const snapshot = fixtureSnapshot(cluster());
    const targets = planConnectivity([parseTarget('cart', NS)], snapshot, { path: '/health' });
    const plan = planProbeArgs(targets, snapshot, {});
    const log = plan.args
      .filter((_, i) => i % 2 === 0)
      .map((mode, i) => `KDIAGx result ${i} ${mode === 'node' ? '7 000  0 0 0 0 0 0.002 refused' : firstOutcome}`)
      .join('\n');
    const source = { namespace: NS, labels: { app: 'client', ...OWN } };
    const run = jest.fn(async (_alt: unknown, extras: readonly ExtraProbe[]): Promise<(CurlResult | undefined)[]> => {
      const parsed = parseCurlProbeLog(extras.map((_, i) => `KDIAGy result ${i} ${OK}`).join('\n'), 'y', extras);
      return extras.map((_, i) => parsed.find((r) => r.index === i));
    });
    const retry: UnrestrictedRetry = {
      source: { ...source, workloadLabels: { app: 'client' }, description: `in ${NS} with labels app=client` },
      ownLabels: OWN,
      run,
      loadPolicies: async () => NO_POLICIES,
    };
    const load = jest.fn(async () => ({ nodes: [], skipped: [] }) as never);
    return { snapshot, targets, plan, log, source, retry, run, load };
  }

  it('the three steps in one: rows, the differential rows, and KD5046 from the retry, the same as explainWithDifferential gives', async () => {
    const { snapshot, targets, plan, log, source, retry, load } = setup(TIMEOUT);
    const out = await analyzeCurlProbe(
      {} as ClusterClient,
      { log, nonce: 'x', targets, extras: plan.extras, snapshot, source, probeNode: 'kdiag-node', retry },
      load,
    );
    expect(out.rows.map((r) => [r.target, r.outcome])).toEqual([['cart', 'timeout']]);
    expect(out.findings.map((f) => f.code)).toEqual(['KD5046']);
    expect(out.unrestricted!.direct.map((d) => d.outcome)).toEqual(['ok', 'ok']);
    // The same answer as the steps one by one.
    const { results, extraResults } = parseProbeLog(log, 'x', targets, plan.extras);
    const base = analyzeConnectivity({ targets, results, snapshot, source });
    const steps = await explainWithDifferential(
      {} as ClusterClient,
      { targets, results, extras: plan.extras, extraResults, snapshot, source, probeNode: 'kdiag-node', base: base.findings, retry },
      load,
    );
    expect(out.rows).toEqual(base.rows);
    expect(out.findings).toEqual(steps.findings);
    expect(out.direct).toEqual(steps.direct);
  });

  it('a healthy log: rows, no finding, no data-plane view loaded, no second probe', async () => {
    const { snapshot, targets, plan, source, retry, run, load } = setup(OK);
    // Each answer from the address asked: the Service name from its ClusterIP, each extra from its own address.
    const answers = [{ address: '10.96.5.5', port: 80 }, ...plan.extras.map((e) => ({ address: e.address, port: e.port }))];
    const log = answers.map((a, i) => `KDIAGx result ${i} 0 200 ${a.address} ${a.port} 0.001 0.002 0 0.003 0.004 `).join('\n');
    const out = await analyzeCurlProbe({} as ClusterClient, { log, nonce: 'x', targets, extras: plan.extras, snapshot, source, retry }, load);
    expect(out.rows.map((r) => r.outcome)).toEqual(['ok']);
    expect(out.findings).toEqual([]);
    expect(out.unrestricted).toBeUndefined();
    expect(load).not.toHaveBeenCalled();
    expect(run).not.toHaveBeenCalled();
  });

  it("a log without any result: the caller's noResult error is thrown before any second probe", async () => {
    const { snapshot, targets, plan, source, retry, run } = setup(TIMEOUT);
    const noResult = jest.fn(async (log: string) => new Error(`no result in ${JSON.stringify(log)}`));
    await expect(
      analyzeCurlProbe({} as ClusterClient, { log: 'curl: not found', nonce: 'x', targets, extras: plan.extras, snapshot, source, retry, noResult }),
    ).rejects.toThrow('no result in "curl: not found"');
    expect(run).not.toHaveBeenCalled();
  });

  it('no probe pod ran (every target unresolved): rows say why, noResult is not called', async () => {
    const snapshot = fixtureSnapshot(cluster());
    const targets = planConnectivity([parseTarget('missing', NS)], snapshot, {});
    const noResult = jest.fn(async () => new Error('unexpected'));
    const out = await analyzeCurlProbe({} as ClusterClient, {
      log: undefined,
      nonce: 'x',
      targets,
      extras: [],
      snapshot,
      source: { namespace: NS, labels: OWN },
      noResult,
    });
    expect(noResult).not.toHaveBeenCalled();
    expect(out.rows.map((r) => r.outcome)).toEqual(['not-run']);
    expect(out.findings.length).toBeGreaterThan(0);
  });
});
