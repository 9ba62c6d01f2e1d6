import { describe, expect, it } from '@jest/globals';
import { mergeSnapshots, podDeadlineSeconds, probeSettings, settleSecondsFor, type ProbeFlagValues } from '../../src/engine/probe-cli.js';
import { fixtureSnapshot, loadFixture } from '../support/fixtures.js';

const base: ProbeFlagValues = { timeout: '60s', keep: false, 'cluster-domain': 'cluster.local', settle: '2s' };

describe('probe flags', () => {
  it('defaults', () => {
    expect(probeSettings(base)).toEqual({ timeoutMs: 60_000, keep: false, clusterDomain: 'cluster.local', settleSeconds: 2 });
    expect(probeSettings({ ...base, settle: 'auto' })).toEqual({ timeoutMs: 60_000, keep: false, clusterDomain: 'cluster.local' });
    expect(probeSettings({ ...base, settle: '0' }).settleSeconds).toBe(0);
    expect(podDeadlineSeconds(60_000)).toBe(90);
  });

  it('--from NS/POD, --from-namespace with --from-labels, node selector', () => {
    expect(probeSettings({ ...base, from: 'production/api-server-7d9f-a' }).fromPod).toEqual({ namespace: 'production', name: 'api-server-7d9f-a' });
    expect(probeSettings({ ...base, 'from-namespace': 'ingress-nginx', 'from-labels': 'app.kubernetes.io/name=ingress-nginx' })).toMatchObject({
      fromNamespace: 'ingress-nginx',
      fromLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    });
    expect(probeSettings({ ...base, 'node-selector': 'kubernetes.io/os=linux,zone=a' }).nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', zone: 'a' });
  });

  it.each([
    [{ timeout: '1s' }, 'invalid --timeout'],
    [{ timeout: '2h' }, 'invalid --timeout'],
    [{ settle: '5m' }, 'invalid --settle'],
    [{ from: 'a/b/c' }, 'invalid --from'],
    [{ from: 'Prod/x' }, 'invalid namespace in --from'],
    [{ 'from-labels': 'app=x' }, '--from-labels needs --from-namespace'],
    [{ 'from-labels': 'app=$(id)', 'from-namespace': 'x' }, 'invalid --from-labels'],
    [{ 'image-pull-secret': 'A;B' }, 'invalid --image-pull-secret'],
    [{ 'probe-namespace': 'x', 'from-namespace': 'y' }, 'cannot be combined'],
    [{ 'cluster-domain': 'cluster local' }, 'invalid --cluster-domain'],
  ])('%j is refused', (flags, message) => {
    expect(() => probeSettings({ ...base, ...flags })).toThrow(message);
  });
});

describe('mergeSnapshots', () => {
  it('keeps each object once', () => {
    const s = fixtureSnapshot(loadFixture('probe-scenario.yaml'));
    const merged = mergeSnapshots([s, s]);
    expect(merged.services).toHaveLength(s.services.length);
    expect(merged.pods).toHaveLength(s.pods.length);
  });
});

describe('--settle auto: wait only when a NetworkPolicy must learn the new probe pod', () => {
  const policy = (namespace: string, spec: object) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace }, spec });
  const snapshotWith = (...policies: object[]) => fixtureSnapshot(policies as never);
  const probe = { namespace: 'production', labels: { 'kdiag.dev/probe': 'dns', app: 'web' } };

  it("no policy in the probe's or the destinations' namespaces: no wait", () => {
    expect(settleSecondsFor({}, snapshotWith(policy('elsewhere', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })), probe, ['kube-system'])).toBe(0);
  });

  it('an egress policy selecting the probe: 2 s; one selecting other pods: no wait', () => {
    expect(settleSecondsFor({}, snapshotWith(policy('production', { podSelector: {}, policyTypes: ['Egress'] })), probe, ['kube-system'])).toBe(2);
    expect(
      settleSecondsFor({}, snapshotWith(policy('production', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Egress'] })), probe, [
        'kube-system',
      ]),
    ).toBe(0);
    // An ingress-only policy on the probe's own pods does not touch its outgoing traffic.
    expect(settleSecondsFor({}, snapshotWith(policy('production', { podSelector: {}, policyTypes: ['Ingress'] })), probe, ['kube-system'])).toBe(0);
  });

  it("a destination namespace isolated for ingress: 2 s (its allow rules must learn the probe's IP)", () => {
    expect(settleSecondsFor({}, snapshotWith(policy('kube-system', { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } })), probe, ['kube-system'])).toBe(
      2,
    );
  });

  it('NetworkPolicies unreadable: 2 s; an explicit --settle always wins', () => {
    expect(settleSecondsFor({}, { networkpolicies: [], unavailable: { networkpolicies: 'forbidden' } }, probe, [])).toBe(2);
    expect(settleSecondsFor({ settleSeconds: 0 }, snapshotWith(policy('production', { podSelector: {}, policyTypes: ['Egress'] })), probe, [])).toBe(0);
    expect(settleSecondsFor({ settleSeconds: 7 }, snapshotWith(), probe, [])).toBe(7);
  });
});
