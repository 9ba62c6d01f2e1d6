// The probe's Job and Pod, safe by default: they pass the Pod Security "restricted"
// profile, carry no service-account token, ask for little, and are removed by the
// cluster itself (Job TTL + deadlines) if kdiag dies before deleting them.
// Targets reach the container only as arguments of a fixed script (`sh -c SCRIPT -- args`).
import type { V1Job, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { cmd, shellJoin } from '../report/shell.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kdiag';
export const RUN_ID_LABEL = 'kdiag.dev/run-id';
export const PROBE_LABEL = 'kdiag.dev/probe';
export const DEFAULT_DNS_IMAGE = 'busybox:1.36';
export const DEFAULT_CURL_IMAGE = 'curlimages/curl:8.11.1';
/** The UID/GID of `nobody`: numeric so runAsNonRoot can be verified for any image. */
export const PROBE_UID = 65534;
/** Seconds the Job (and its pod) stays after finishing when kdiag could not delete it. */
export const TTL_AFTER_FINISHED = 30;
/** With --keep: an hour to look at it, then the cluster removes it. */
export const TTL_KEEP = 3600;

/**
 * What to tell the user when kdiag could not delete its probe (the API server went away,
 * or kdiag lost permission mid-run): where it is, and when the cluster removes it anyway.
 */
export function leftBehindNotice(namespace: string, jobName: string, deadlineSeconds: number): string {
  return (
    `could not delete the probe Job ${namespace}/${jobName}; the cluster removes it within ${deadlineSeconds + TTL_AFTER_FINISHED} s ` +
    `(the pod's ${deadlineSeconds} s deadline, then ${TTL_AFTER_FINISHED} s), or run: ${shellJoin(cmd('kdiag', 'cleanup', '-n', namespace).argv)}`
  );
}

export type ProbeKind = 'dns' | 'connectivity';

export interface ProbeSpec {
  kind: ProbeKind;
  /** Short random id: names the Job and labels everything of this run. */
  runId: string;
  namespace: string;
  image: string;
  /** The fixed script, run by `sh -c`. */
  script: string;
  /** Its arguments ($1...), already validated. */
  args: string[];
  /** The pod's own deadline (activeDeadlineSeconds), also the Job's. */
  deadlineSeconds: number;
  imagePullSecret?: string;
  nodeSelector?: Record<string, string>;
  /** Probing as a workload: its labels (NetworkPolicies then treat the probe like it). */
  workloadLabels?: Record<string, string>;
  keep?: boolean;
  /** What the user ran, for the annotation (helps whoever finds the object). */
  command?: string;
  /**
   * The script's last line and when it can come at the earliest (after the settle time): the
   * runner then reads the log a few times while the pod runs and has the result as soon as
   * the script is done, instead of waiting for the kubelet to report that the container exited.
   */
  finish?: { marker: string; afterMs: number };
}

/** What every probe script prints last (see src/probes/scripts.ts). */
export function finishMarker(nonce: string, settleSeconds: number): { marker: string; afterMs: number } {
  return { marker: `KDIAG${nonce} done `, afterMs: settleSeconds * 1000 };
}

export function probeName(spec: Pick<ProbeSpec, 'kind' | 'runId'>): string {
  return `kdiag-${spec.kind === 'dns' ? 'dns' : 'conn'}-${spec.runId}`;
}

export function probeLabels(spec: Pick<ProbeSpec, 'kind' | 'runId'>): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [RUN_ID_LABEL]: spec.runId, [PROBE_LABEL]: spec.kind };
}

/** A Pod kdiag itself started (a probe): never a workload to diagnose, even when it carries a workload's labels. */
export function isProbePod(pod: Pick<V1Pod, 'metadata'>): boolean {
  const labels = pod.metadata?.labels;
  return labels?.[MANAGED_BY_LABEL] === MANAGED_BY && labels[PROBE_LABEL] !== undefined;
}

/** The label selector that finds everything of one run. */
export function runSelector(runId: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY},${RUN_ID_LABEL}=${runId}`;
}

export function podSpec(spec: ProbeSpec): V1PodSpec {
  const asWorkload = spec.workloadLabels !== undefined;
  return {
    restartPolicy: 'Never',
    activeDeadlineSeconds: spec.deadlineSeconds,
    terminationGracePeriodSeconds: 1,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: PROBE_UID,
      runAsGroup: PROBE_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...(spec.nodeSelector && Object.keys(spec.nodeSelector).length ? { nodeSelector: spec.nodeSelector } : {}),
    ...(spec.imagePullSecret ? { imagePullSecrets: [{ name: spec.imagePullSecret }] } : {}),
    containers: [
      {
        name: 'probe',
        image: spec.image,
        imagePullPolicy: 'IfNotPresent',
        command: ['sh', '-c', spec.script, '--', ...spec.args],
        // The node's IP (downward API): the connectivity probe asks kube-proxy's health endpoint there.
        ...(spec.kind === 'connectivity' ? { env: [{ name: 'KDIAG_NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }] } : {}),
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          runAsUser: PROBE_UID,
          runAsGroup: PROBE_UID,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        // Little asked of the scheduler; half a core at most for the probe's second of bursts: its
        // parallel curls and nslookups start processes, and at 200m (20 ms of CPU per 100 ms)
        // the kernel stretched a one-target connectivity script from 0.13 s to 0.3-0.7 s.
        resources: {
          requests: { cpu: '10m', memory: '16Mi' },
          limits: { cpu: '500m', memory: '64Mi' },
        },
        // As a workload the probe carries its labels, so a Service may select it: a
        // readiness probe that always fails keeps it out of every ready endpoint list.
        ...(asWorkload ? { readinessProbe: { exec: { command: ['false'] }, periodSeconds: 3600, failureThreshold: 1 } } : {}),
      },
    ],
  };
}

function metadata(spec: ProbeSpec, extraLabels: Record<string, string> = {}) {
  return {
    name: probeName(spec),
    namespace: spec.namespace,
    labels: { ...extraLabels, ...probeLabels(spec) },
    annotations: {
      'kdiag.dev/purpose': 'short-lived network probe created by kdiag; safe to delete (kdiag cleanup)',
      ...(spec.command ? { 'kdiag.dev/command': spec.command.slice(0, 500) } : {}),
    },
  };
}

/**
 * The Job that runs the probe. backoffLimit 0: one attempt. activeDeadlineSeconds: the
 * Job controller kills the pod at the deadline. ttlSecondsAfterFinished: the TTL
 * controller deletes Job and pod that long after it finished, even if kdiag was killed.
 * The Job is also the pod's controller owner, so no ReplicaSet/StatefulSet adopts it.
 */
export function probeJob(spec: ProbeSpec): V1Job {
  const meta = metadata(spec);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta,
    spec: {
      backoffLimit: 0,
      completions: 1,
      parallelism: 1,
      activeDeadlineSeconds: spec.deadlineSeconds,
      ttlSecondsAfterFinished: spec.keep ? TTL_KEEP : TTL_AFTER_FINISHED,
      template: {
        metadata: { labels: { ...(spec.workloadLabels ?? {}), ...probeLabels(spec) }, annotations: meta.annotations },
        spec: podSpec(spec),
      },
    },
  };
}

/** The same pod as a bare Pod, for a server-side dry run: admission (Pod Security, quota, LimitRange) answers at once. */
export function probeDryRunPod(spec: ProbeSpec): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(spec, spec.workloadLabels),
    spec: podSpec(spec),
  };
}

/** Labels of a workload pod that identify it to NetworkPolicies, without controller bookkeeping. */
export function workloadLabelsOf(labels: Record<string, string> | undefined): Record<string, string> {
  const drop =
    /^(pod-template-hash|controller-revision-hash|statefulset\.kubernetes\.io\/pod-name|apps\.kubernetes\.io\/pod-index|batch\.kubernetes\.io\/.*|controller-uid|job-name)$/;
  return Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !drop.test(k)));
}

/** 6 lower-case hex characters: enough to keep concurrent runs apart. */
export function newRunId(random: () => number = Math.random): string {
  let id = '';
  for (let i = 0; i < 6; i++) id += Math.floor(random() * 16).toString(16);
  return id;
}
