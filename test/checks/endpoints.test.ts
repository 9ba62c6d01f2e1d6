import { describe, expect, it } from '@jest/globals';
import { analyzeEndpoints, endpointsCheck } from '../../src/checks/endpoints.js';
import { find, fixtureSnapshot, loadFixture, variant, type K8sObject } from '../support/fixtures.js';

const production = loadFixture('production.yaml');

function codesFor(objects: readonly K8sObject[], service?: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of analyzeEndpoints(fixtureSnapshot(objects), service)) out[r.name] = r.findings.map((f) => f.code);
  return out;
}

const pod = (name: string, labels: Record<string, string>, status: object, extra: object = {}): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels },
  spec: { containers: [{ name: 'app', image: 'x' }], ...extra },
  status,
});
const svc = (name: string, spec: object): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop' },
  spec: { clusterIP: '10.96.0.50', ports: [{ port: 80, targetPort: 8080 }], ...spec },
});
const slice = (service: string, ports: object[] | null, endpoints: object[], managedBy = 'endpointslice-controller.k8s.io'): K8sObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-x`, namespace: 'shop', labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': managedBy } },
  addressType: 'IPv4',
  ports,
  endpoints,
});
const READY = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };

describe('endpoints check: valid (no error or warning)', () => {
  it.each(['api-service', 'api-v1-service', 'postgres', 'redis-headless', 'external-db', 'legacy-db', 'web-nodeport', 'public-lb'])('%s', (name) => {
    expect(codesFor(production, name)).toEqual({ [name]: [] });
  });

  it('treats a nil ready condition as ready (API semantics)', () => {
    const objs = [
      svc('a', { selector: { app: 'a' } }),
      pod('a-1', { app: 'a' }, READY),
      pod('a-2', { app: 'a' }, READY),
      slice('a', [{ name: '', port: 8080 }], [{ addresses: ['10.0.0.1'], conditions: {} }, { addresses: ['10.0.0.2'] }]),
    ];
    expect(codesFor(objs)).toEqual({ a: [] });
  });

  it('reads core/v1 Endpoints when no EndpointSlices exist', () => {
    const ep: K8sObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'a', namespace: 'shop' },
      subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 8080 }] }],
    };
    const objs = [svc('a', { selector: { app: 'a' } }), pod('a-1', { app: 'a' }, READY), ep];
    const [row] = analyzeEndpoints(fixtureSnapshot(objs));
    expect(row!.ready).toBe(2);
    expect(row!.findings).toEqual([]);
  });
});

describe('endpoints check: invalid', () => {
  it('finds every planted fault of the production fixture', () => {
    const findings = endpointsCheck.run(fixtureSnapshot(production), {});
    expect(findings.map((f) => `${f.object.name}:${f.code}:${f.severity}`).sort()).toEqual([
      'api-v2-service:KD1001:error',
      'cache-service:KD1008:warning',
      'metrics-service:KD1005:error',
      'orphan-service:KD1006:error',
      'search-service:KD1002:error',
      'worker-service:KD1002:error',
    ]);
  });

  it('KD1001 says when no Pod carries the selector keys at all', () => {
    const [f] = endpointsCheck.run(fixtureSnapshot([svc('a', { selector: { tier: 'web' } }), pod('b', { app: 'b' }, READY)]), {});
    expect(f!.code).toBe('KD1001');
    expect(f!.cause).toContain('No Pod in namespace shop carries the label key tier');
  });

  it('KD1002 explains a readiness probe failure, an image pull failure and an unschedulable Pod', () => {
    const objs = [
      svc('probe', { selector: { app: 'probe' } }),
      pod(
        'probe-1',
        { app: 'probe' },
        {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'False' }],
          containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'x', imageID: '', state: { running: {} } }],
        },
      ),
      svc('pull', { selector: { app: 'pull' } }),
      pod(
        'pull-1',
        { app: 'pull' },
        {
          phase: 'Pending',
          containerStatuses: [
            {
              name: 'app',
              ready: false,
              restartCount: 0,
              image: 'x',
              imageID: '',
              state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x:9"' } },
            },
          ],
        },
      ),
      svc('sched', { selector: { app: 'sched' } }),
      pod(
        'sched-1',
        { app: 'sched' },
        {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' }],
        },
      ),
    ];
    const byName = Object.fromEntries(endpointsCheck.run(fixtureSnapshot(objs), {}).map((f) => [f.object.name, f]));
    expect(byName.probe!.cause).toContain('running but not ready (its readinessProbe fails)');
    expect(byName.probe!.fix).toContain('readinessProbe fails');
    expect(byName.pull!.message).toContain('ImagePullBackOff');
    expect(byName.pull!.fix).toContain('image name and tag');
    expect(byName.sched!.cause).toContain('Pending, not scheduled: Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.');
  });

  it('KD1003 only completed Pods, KD1004 only terminating Pods', () => {
    const objs = [
      svc('job', { selector: { app: 'job' } }),
      pod('job-1', { app: 'job' }, { phase: 'Succeeded' }),
      svc('going', { selector: { app: 'going' } }),
      {
        ...pod('going-1', { app: 'going' }, READY),
        metadata: { name: 'going-1', namespace: 'shop', labels: { app: 'going' }, deletionTimestamp: '2026-11-25T11:59:00Z' },
      },
    ];
    expect(codesFor(objs)).toEqual({ going: ['KD1004'], job: ['KD1003'] });
  });

  it('KD1007 manual EndpointSlices without a ready address', () => {
    const objs = [svc('ext', {}), slice('ext', [{ name: '', port: 5432 }], [{ addresses: ['192.0.2.10'], conditions: { ready: false } }], 'ops-team')];
    expect(codesFor(objs)).toEqual({ ext: ['KD1007'] });
  });

  it('KD1009 ready Pods that no EndpointSlice publishes', () => {
    const objs = [svc('lag', { selector: { app: 'lag' } }), pod('lag-1', { app: 'lag' }, READY)];
    const [f] = endpointsCheck.run(fixtureSnapshot(objs), {});
    expect(f!.code).toBe('KD1009');
    expect(f!.severity).toBe('warning');
  });

  it('KD1005 on one port of a multi-port Service whose other port works', () => {
    const objs = [
      svc('multi', {
        selector: { app: 'm' },
        ports: [
          { name: 'web', port: 80, targetPort: 8080 },
          { name: 'admin', port: 9000, targetPort: 'admin' },
        ],
      }),
      pod('m-1', { app: 'm' }, READY),
      pod('m-2', { app: 'm' }, READY),
      slice(
        'multi',
        [{ name: 'web', port: 8080 }],
        [
          { addresses: ['10.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'm-1', uid: 'uid-m-1' } },
          { addresses: ['10.0.0.2'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'm-2', uid: 'uid-m-2' } },
        ],
      ),
    ];
    const [row] = analyzeEndpoints(fixtureSnapshot(objs));
    expect(row!.ready).toBe(2);
    expect(row!.findings.map((f) => f.code)).toEqual(['KD1005']);
    expect(row!.findings[0]!.message).toContain('port admin has no endpoints');
  });

  it('KD1008 turns into no finding once a second replica is ready', () => {
    const cache = find(production, 'EndpointSlice', 'cache-service-c1');
    const two = variant(cache, (c) => {
      (c.endpoints as object[]).push({ addresses: ['10.244.0.72'], conditions: { ready: true } });
    });
    const objs = production.filter((o) => o !== cache).concat(two);
    expect(codesFor(objs, 'cache-service')).toEqual({ 'cache-service': [] });
  });
});

describe('endpoints fixes (the fix builder)', () => {
  const one = (extra: object) =>
    [
      svc('one', { selector: { app: 'one' } }),
      pod('one-1', { app: 'one', 'pod-template-hash': '7d9f' }, READY, {}),
      slice(
        'one',
        [{ name: '', port: 8080 }],
        [{ addresses: ['10.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'one-1', uid: 'uid-one-1' } }],
      ),
    ].map((o) => (o.kind === 'Pod' ? { ...o, metadata: { ...o.metadata, ...extra } } : o));
  const kd1008 = (objs: K8sObject[]) =>
    analyzeEndpoints(fixtureSnapshot(objs))
      .flatMap((r) => r.findings)
      .find((f) => f.code === 'KD1008')!;

  it('KD1008 scales the Deployment that owns the Pod (through its ReplicaSet)', () => {
    const f = kd1008(one({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'one-7d9f', uid: 'rs', controller: true }] }));
    expect(f.remediation?.commands.map((c) => c.argv)).toEqual([['kubectl', '-n', 'shop', 'scale', 'deployment/one', '--replicas=2']]);
    expect(f.fix).toContain('kubectl -n shop scale deployment/one --replicas=2');
  });

  it('KD1008 for a bare Pod suggests a workload, not `kubectl scale pod/…` (which the API rejects)', () => {
    const f = kd1008(one({}));
    expect(f.remediation).toBeUndefined();
    expect(f.fix).toContain('Deployment or StatefulSet with at least two replicas');
  });

  it('KD1001 patches the selector to the nearest Pod labels, as one JSON argument', () => {
    const objs = [svc('sel', { selector: { app: "it's" } }), pod('sel-1', { app: "it's-server" }, READY)];
    const f = analyzeEndpoints(fixtureSnapshot(objs))
      .flatMap((r) => r.findings)
      .find((x) => x.code === 'KD1001')!;
    expect(f.remediation?.commands[0]?.argv).toEqual([
      'kubectl',
      '-n',
      'shop',
      'patch',
      'service',
      'sel',
      '-p',
      '{"spec":{"selector":{"app":"it\'s-server"}}}',
    ]);
    expect(f.fix).toContain(`kubectl -n shop patch service sel -p '{"spec":{"selector":{"app":"it'\\''s-server"}}}'`);
  });
});
