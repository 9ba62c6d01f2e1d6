// What a namespace-only user loses, said once per permission: inputs → parts → KD6006 lines.
import { describe, expect, it } from '@jest/globals';
import { inputPermission, refusedInputs, skippedPartFindings, skippedParts } from '../../src/checks/permissions.js';
import { ingressCheck } from '../../src/checks/ingress.js';
import { netpolCheck } from '../../src/checks/netpol.js';
import { serviceTypesCheck } from '../../src/checks/service-types.js';
import { gatewayCheck } from '../../src/gateway/check.js';
import { ClusterClient } from '../../src/cluster/client.js';
import { loadSnapshot } from '../../src/cluster/load.js';
import { emptySnapshot } from '../../src/snapshot.js';
import { expectSafeFindings } from '../support/hostile.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';

describe('inputs and the requests that read them', () => {
  it("namespaced kinds in the run's namespace, cluster-scoped kinds and extras at cluster scope", () => {
    expect(inputPermission('services', 'checkout')).toEqual({ verb: 'list', resource: 'services', group: '', namespace: 'checkout' });
    expect(inputPermission('namespaces', 'checkout')).toEqual({ verb: 'list', resource: 'namespaces', group: '', namespace: undefined });
    expect(inputPermission('ingressclasses', 'checkout')).toEqual({
      verb: 'list',
      resource: 'ingressclasses',
      group: 'networking.k8s.io',
      namespace: undefined,
    });
    expect(inputPermission('controller-pods', 'checkout')).toEqual({ verb: 'list', resource: 'pods', group: '' });
    expect(inputPermission('gatewayclasses', 'checkout')).toEqual({ verb: 'list', resource: 'gatewayclasses', group: 'gateway.networking.k8s.io' });
  });

  it('every cluster-scoped kind a check reads is optional and says what it removes', () => {
    for (const check of [serviceTypesCheck, ingressCheck, netpolCheck, gatewayCheck]) {
      expect(check.requires.filter((k) => ['namespaces', 'nodes', 'ingressclasses'].includes(k))).toEqual([]);
      for (const kind of (check.optional ?? []).filter((k) => ['namespaces', 'ingressclasses'].includes(k))) {
        expect({ check: check.id, kind, part: check.skippedWithout?.[kind] }).toEqual({ check: check.id, kind, part: expect.any(String) });
      }
    }
  });
});

describe('one line per refused permission', () => {
  const refused = emptySnapshot({
    namespace: 'checkout',
    forbidden: ['namespaces', 'ingressclasses'],
    unavailable: { namespaces: '403', ingressclasses: '403' },
    ingress: { controllerPodsUnavailable: '403' },
  });

  it('groups the parts of every check under the request that would enable them', () => {
    expect(refusedInputs(refused)).toEqual(['namespaces', 'ingressclasses', 'controller-pods']);
    const findings = skippedPartFindings(skippedParts([serviceTypesCheck, ingressCheck, gatewayCheck, netpolCheck], refused));
    expect(findings.map((f) => [f.code, f.severity, f.object.name])).toEqual([
      ['KD6006', 'info', 'list namespaces (cluster scope)'],
      ['KD6006', 'info', 'list ingressclasses.networking.k8s.io (cluster scope)'],
      ['KD6006', 'info', 'list pods (cluster scope)'],
    ]);
    expect(findings[0]!.message).toBe(
      `list namespaces at cluster scope: not allowed; not checked: service-types: ${serviceTypesCheck.skippedWithout!.namespaces}; gateway: ${gatewayCheck.skippedWithout!.namespaces}; netpol: ${netpolCheck.skippedWithout!.namespaces}`,
    );
    expect(findings[1]!.message).toContain('ingress: IngressClass checks (KD3001-KD3003)');
    expect(findings[1]!.message).toContain('gateway: Ingresses served by the retired ingress-nginx (KD7030)');
    // The rule to grant is data (a manifest), not text pasted together.
    expect(findings[0]!.remediation?.manifests).toEqual([{ rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }] }]);
    expectSafeFindings(findings);
  });

  it('a namespaced permission points at the namespace Roles, applied with a label selector', () => {
    const [f] = skippedPartFindings([{ permission: inputPermission('daemonsets', 'checkout'), check: 'netpol', part: 'the network plugin' }]);
    expect(f!.message).toBe('list daemonsets.apps in namespace checkout: not allowed; not checked: netpol: the network plugin');
    expect(f!.remediation?.commands).toEqual([{ argv: ['kubectl', '-n', 'checkout', 'apply', '-f', 'deploy/rbac.yaml', '-l', 'kdiag.dev/scope=namespace'] }]);
  });

  it('nothing refused, nothing said', () => {
    expect(skippedPartFindings(skippedParts([serviceTypesCheck, ingressCheck, netpolCheck], emptySnapshot({ namespace: 'checkout' })))).toEqual([]);
  });
});

describe('loadSnapshot with optional kinds (fake API answering 403 outside the namespace)', () => {
  it('records a refused optional kind and still fails on a refused required one', async () => {
    fakeApi(loadFixture('production.yaml'), { namespaceOnly: 'production' });
    const client = new ClusterClient({ kubeconfig: testKubeconfig() });
    const snap = await loadSnapshot(client, ['services', 'namespaces'], { namespace: 'production', optional: ['namespaces'] });
    expect(snap.services.length).toBeGreaterThan(0);
    expect(snap.forbidden).toEqual(['namespaces']);
    expect(snap.unavailable.namespaces).toMatch(/^you lack `list` on `namespaces` at cluster scope \(403 Forbidden\)/);
    await expect(loadSnapshot(client, ['services', 'nodes'], { namespace: 'production', optional: ['namespaces'] })).rejects.toThrow(
      'you lack `list` on `nodes` at cluster scope (403 Forbidden)',
    );
    await expect(loadSnapshot(client, ['services'], { namespace: 'other', optional: ['namespaces'] })).rejects.toMatchObject({ status: 403 });
  });
});
