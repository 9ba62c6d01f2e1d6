// The probe pod's state machine over watch events. The event sequences follow what the
// API server sends for a Job's pod (ADDED when created, MODIFIED as the scheduler and
// kubelet update it), trimmed to the fields the machine reads.
import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { admissionFailure, replay } from '../../src/probes/state.js';
import { ROOT } from '../support/run.js';

const events = (name: string) => JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', name), 'utf8')) as { type: string; object: V1Pod }[];
const last = <T>(a: T[]) => a[a.length - 1]!;

describe('probe pod state machine', () => {
  it('a good run: creating → scheduled → image → running → done with exit code 0', () => {
    const states = replay(events('probe-watch-success.json'), 'busybox:1.36');
    expect(states.map((s) => s.stage)).toEqual(['creating', 'scheduled', 'image', 'running', 'done']);
    expect(last(states)).toMatchObject({ finished: true, exitCode: 0, podName: 'kdiag-dns-a1b2c3-7xk2p', node: 'kdiag-node' });
  });

  it('a run recorded on the local cluster (kubectl get pods --watch --output-watch-events): done as soon as the container terminates', () => {
    const states = replay(events('probe-watch-recorded.json'), 'busybox:1.36');
    expect(states.map((s) => s.stage)).toEqual(['creating', 'scheduled', 'image', 'running', 'done', 'done', 'done']);
    expect(states[4]).toMatchObject({ finished: true, exitCode: 0, terminationReason: 'Completed', node: 'kdiag-node' });
    expect(states[6]!.failure).toBeUndefined(); // our own deletion afterwards is not a failure
  });

  it('image pull failure names the image and --image', () => {
    const s = last(replay(events('probe-watch-imagepull.json'), 'registry.invalid/busybox:1.36'));
    expect(s.failure).toMatchObject({ reason: 'image', code: 'KD5020' });
    expect(s.failure!.message).toContain('registry.invalid/busybox:1.36');
    expect(s.failure!.message).toContain('ErrImagePull');
    expect(s.failure!.message).toContain('--image');
  });

  it('unschedulable gives the scheduler message', () => {
    const s = last(replay(events('probe-watch-unschedulable.json'), 'busybox:1.36'));
    expect(s.failure).toMatchObject({ reason: 'unschedulable', code: 'KD5021' });
    expect(s.failure!.message).toContain('0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}');
  });

  it('deadline exceeded', () => {
    const s = last(replay(events('probe-watch-deadline.json'), 'busybox:1.36'));
    expect(s.failure).toMatchObject({ reason: 'deadline', code: 'KD5024' });
  });

  it('CreateContainerConfigError and deletion by someone else', () => {
    const pod = events('probe-watch-success.json')[2]!.object;
    const config = structuredClone(pod);
    config.status!.containerStatuses![0]!.state = {
      waiting: { reason: 'CreateContainerConfigError', message: 'container has runAsNonRoot and image will run as root' },
    };
    expect(last(replay([{ type: 'MODIFIED', object: config }], 'x')).failure).toMatchObject({ reason: 'config', code: 'KD5023' });
    expect(last(replay([{ type: 'DELETED', object: pod }], 'x')).failure).toMatchObject({ reason: 'deleted', code: 'KD5025' });
  });

  it('an OOM-killed probe finishes with its reason', () => {
    const pod = structuredClone(events('probe-watch-success.json')[4]!.object);
    pod.status!.containerStatuses![0]!.state = { terminated: { exitCode: 137, reason: 'OOMKilled' } };
    expect(last(replay([{ type: 'MODIFIED', object: pod }], 'x'))).toMatchObject({ finished: true, exitCode: 137, terminationReason: 'OOMKilled' });
  });
});

describe('admission rejections', () => {
  it.each([
    ['pods "kdiag-dns-x" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true', 'Pod Security admission'],
    ['pods "kdiag-dns-x" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=10, limited: pods=10', 'a ResourceQuota'],
    ['pods "kdiag-dns-x" is forbidden: minimum cpu usage per Container is 100m, but request is 10m', 'a LimitRange'],
    ['admission webhook "validate.kyverno.svc" denied the request: no probes here', 'an admission webhook'],
  ])('%s', (message, who) => {
    const f = admissionFailure('production', 403, message);
    expect(f.code).toBe('KD5022');
    expect(f.message).toBe(`the probe pod was rejected in namespace production by ${who}: ${message}`);
  });
});

describe('a probe without results', () => {
  it('names the missing tool and --image', async () => {
    const { noResultFailure } = await import('../../src/probes/state.js');
    expect(noResultFailure('alpine:3', 'nslookup', 'KDIAGx resolv.conf\nsh: nslookup: not found\n')).toEqual({
      reason: 'config',
      code: 'KD5023',
      message: 'the probe image alpine:3 did not run nslookup (sh: nslookup: not found): use an image with busybox nslookup (--image)',
    });
  });
});
