import { describe, expect, it } from '@jest/globals';
import { leftBehindNotice, probeDryRunPod, probeJob, runSelector, workloadLabelsOf, newRunId, type ProbeSpec } from '../../src/probes/pod-spec.js';
import { DNS_SCRIPT } from '../../src/probes/scripts.js';

const spec: ProbeSpec = {
  kind: 'dns',
  runId: 'a1b2c3',
  namespace: 'production',
  image: 'busybox:1.36',
  script: DNS_SCRIPT,
  args: ['n0nce', '3', '0', 'api;rm -rf /'],
  deadlineSeconds: 90,
};

describe('probe Job and pod', () => {
  const job = probeJob(spec);
  const pod = job.spec!.template.spec!;
  const c = pod.containers[0]!;

  it('passes Pod Security "restricted"', () => {
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65534,
    });
    expect(pod.hostNetwork).toBeUndefined();
    // No volume at all (the scripts write no file): the kubelet starts a pod without volumes at once.
    expect(pod.volumes).toBeUndefined();
    expect(c.volumeMounts).toBeUndefined();
  });

  it('has no token, small requests and limits, one attempt, a deadline and a TTL', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(c.resources).toEqual({ requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '500m', memory: '64Mi' } });
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.activeDeadlineSeconds).toBe(90);
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 90, ttlSecondsAfterFinished: 30 });
    expect(c.imagePullPolicy).toBe('IfNotPresent');
  });

  it('passes targets as arguments of a fixed script, never inside it', () => {
    expect(c.command).toEqual(['sh', '-c', DNS_SCRIPT, '--', 'n0nce', '3', '0', 'api;rm -rf /']);
    expect(DNS_SCRIPT).not.toContain('api;rm');
  });

  it('labels everything with managed-by and the run id', () => {
    expect(job.metadata!.name).toBe('kdiag-dns-a1b2c3');
    expect(job.metadata!.labels).toEqual({ 'app.kubernetes.io/managed-by': 'kdiag', 'kdiag.dev/run-id': 'a1b2c3', 'kdiag.dev/probe': 'dns' });
    expect(job.spec!.template.metadata!.labels).toEqual(job.metadata!.labels);
    expect(runSelector('a1b2c3')).toBe('app.kubernetes.io/managed-by=kdiag,kdiag.dev/run-id=a1b2c3');
  });

  it('the dry-run pod has the same spec', () => {
    const dry = probeDryRunPod(spec);
    expect(dry.spec).toEqual(pod);
    expect(dry.metadata!.namespace).toBe('production');
  });

  it('--keep keeps it an hour; image pull secret and node selector are passed', () => {
    const kept = probeJob({ ...spec, keep: true, imagePullSecret: 'regcred', nodeSelector: { zone: 'a' } });
    expect(kept.spec!.ttlSecondsAfterFinished).toBe(3600);
    expect(kept.spec!.template.spec!.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(kept.spec!.template.spec!.nodeSelector).toEqual({ zone: 'a' });
  });

  it('as a workload: its labels, and a readiness probe that never succeeds', () => {
    const as = probeJob({ ...spec, workloadLabels: { app: 'api-server' } });
    expect(as.spec!.template.metadata!.labels).toMatchObject({ app: 'api-server', 'app.kubernetes.io/managed-by': 'kdiag' });
    expect(as.spec!.template.spec!.containers[0]!.readinessProbe).toEqual({ exec: { command: ['false'] }, periodSeconds: 3600, failureThreshold: 1 });
    expect(as.metadata!.labels).not.toHaveProperty('app');
    expect(c.readinessProbe).toBeUndefined();
  });

  it('workload labels drop controller bookkeeping', () => {
    expect(
      workloadLabelsOf({ app: 'redis', 'controller-revision-hash': 'x', 'statefulset.kubernetes.io/pod-name': 'redis-0', 'pod-template-hash': 'y' }),
    ).toEqual({ app: 'redis' });
  });

  it('run ids are 6 hex characters', () => {
    expect(newRunId()).toMatch(/^[0-9a-f]{6}$/);
  });
});

describe('a probe kdiag could not delete', () => {
  it("names the Job, the bound on the cluster's own cleanup and the command that removes it now", () => {
    expect(leftBehindNotice('production', 'kdiag-dns-abc123', 50)).toBe(
      "could not delete the probe Job production/kdiag-dns-abc123; the cluster removes it within 80 s (the pod's 50 s deadline, then 30 s), or run: kdiag cleanup -n production",
    );
  });
});
