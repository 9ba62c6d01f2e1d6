import { describe, expect, it } from '@jest/globals';
import { mergeSnapshots, podDeadlineSeconds, probeSettings, type ProbeFlagValues } from '../../src/probes/cli.js';
import { fixtureSnapshot, loadFixture } from '../support/fixtures.js';

const base: ProbeFlagValues = { timeout: '60s', keep: false, 'cluster-domain': 'cluster.local', settle: '2s' };

describe('probe flags', () => {
  it('defaults', () => {
    expect(probeSettings(base)).toEqual({ timeoutMs: 60_000, keep: false, clusterDomain: 'cluster.local', settleSeconds: 2 });
    expect(podDeadlineSeconds(60_000)).toBe(90);
  });

  it('--from NS/POD, --from-namespace with --from-labels, node selector', () => {
    expect(probeSettings({ ...base, from: 'production/api-server-7d9f-a' }).fromPod).toEqual({ namespace: 'production', name: 'api-server-7d9f-a' });
    expect(probeSettings({ ...base, 'from-namespace': 'ingress-nginx', 'from-labels': 'app.kubernetes.io/name=ingress-nginx' })).toMatchObject({ fromNamespace: 'ingress-nginx', fromLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } });
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
