// The probe pod's life as a pure state machine over watch events: where it is
// (creating → scheduled → image → running → done) and, as early as the API shows it,
// why it will never finish (image pull, unschedulable, config error, deadline, deleted).
import type { V1Pod } from '@kubernetes/client-node';
import { KdiagError } from '../errors.js';

export const STAGES = ['creating', 'scheduled', 'image', 'running', 'done'] as const;
export type ProbeStage = (typeof STAGES)[number];

export const STAGE_TITLES: Record<ProbeStage, string> = {
  creating: 'Creating the probe pod',
  scheduled: 'Scheduling it on a node',
  image: 'Pulling the image and starting the container',
  running: 'Running the probe',
  done: 'Reading the result',
};

export type FailureReason = 'image' | 'unschedulable' | 'admission' | 'config' | 'deadline' | 'deleted' | 'killed';

/** Finding codes for probe pods that cannot run (docs/checks/KD502x.md). */
export const FAILURE_CODES: Record<FailureReason, string> = {
  image: 'KD5020',
  unschedulable: 'KD5021',
  admission: 'KD5022',
  config: 'KD5023',
  deadline: 'KD5024',
  deleted: 'KD5025',
  killed: 'KD5025',
};

export interface ProbeFailure {
  reason: FailureReason;
  code: string;
  message: string;
}

export interface ProbeState {
  stage: ProbeStage;
  /** The pod finished (successfully or not) and its logs can be read. */
  finished: boolean;
  failure?: ProbeFailure;
  podName?: string;
  node?: string;
  exitCode?: number;
  /** Why the container ended (OOMKilled, Error, Completed). */
  terminationReason?: string;
}

export const INITIAL_STATE: ProbeState = { stage: 'creating', finished: false };

/** A probe that could not run: exits 2 with the reason; `code` lets `kdiag check` turn it into a finding. */
export class ProbeError extends KdiagError {
  readonly code: string;
  // The probe's own failure reasons (lower case), not the API's: see FailureReason.
  override readonly reason: FailureReason | 'forbidden' | 'timeout';
  constructor(failure: { code: string; message: string; reason: FailureReason | 'forbidden' | 'timeout' }) {
    super(failure.message);
    this.name = 'ProbeError';
    this.code = failure.code;
    this.reason = failure.reason;
  }
}

const IMAGE_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
  'SignatureValidationFailed',
]);
const CONFIG_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError', 'PreCreateHookError', 'PostStartHookError']);

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!.trim();
}

function fail(state: ProbeState, reason: FailureReason, message: string): ProbeState {
  return { ...state, finished: false, failure: { reason, code: FAILURE_CODES[reason], message } };
}

/** The next state after one watch event (ADDED, MODIFIED, DELETED) for the probe pod. */
export function nextState(prev: ProbeState, eventType: string, pod: V1Pod, image: string): ProbeState {
  if (prev.failure || prev.finished) return prev;
  const name = pod.metadata?.name ?? prev.podName;
  let state: ProbeState = { ...prev, podName: name, node: pod.spec?.nodeName ?? prev.node };
  const where = `probe pod ${pod.metadata?.namespace ?? ''}/${name ?? ''}`;
  const status = pod.status ?? {};

  if (eventType === 'DELETED') {
    return fail(state, 'deleted', `the ${where} was deleted before it finished (by someone else, or its namespace is being deleted)`);
  }
  if (status.phase === 'Failed' && status.reason === 'DeadlineExceeded') {
    return fail(
      state,
      'deadline',
      `the ${where} did not finish within its deadline (${pod.spec?.activeDeadlineSeconds ?? '?'}s, --timeout) and was stopped by the kubelet`,
    );
  }
  const scheduled = (status.conditions ?? []).find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return fail(
      state,
      'unschedulable',
      `the ${where} cannot be scheduled: ${firstLine(scheduled.message) || 'no node fits'} (use --node-selector, or check node taints and free resources)`,
    );
  }
  if (scheduled?.status === 'True' || pod.spec?.nodeName) state = { ...state, stage: stageMax(state.stage, 'scheduled') };

  const cs = (status.containerStatuses ?? [])[0];
  const waiting = cs?.state?.waiting;
  if (waiting?.reason && IMAGE_REASONS.has(waiting.reason)) {
    return fail(
      state,
      'image',
      `the probe image ${cs?.image || image} cannot be pulled on node ${state.node ?? '?'} (${waiting.reason}${waiting.message ? `: ${firstLine(waiting.message)}` : ''}): use --image to point at a reachable copy (a mirror for air-gapped clusters) or --image-pull-secret`,
    );
  }
  if (waiting?.reason && CONFIG_REASONS.has(waiting.reason)) {
    return fail(state, 'config', `the probe container cannot start (${waiting.reason}${waiting.message ? `: ${firstLine(waiting.message)}` : ''})`);
  }
  if (waiting?.reason === 'ContainerCreating' || waiting?.reason === 'PodInitializing' || (state.stage === 'scheduled' && cs)) {
    state = { ...state, stage: stageMax(state.stage, 'image') };
  }
  if (cs?.state?.running) state = { ...state, stage: stageMax(state.stage, 'running') };
  const term = cs?.state?.terminated;
  if (term) {
    if (term.reason === 'OOMKilled' || (term.exitCode !== 0 && term.exitCode >= 128)) {
      state = { ...state, terminationReason: term.reason ?? `signal ${term.exitCode - 128}` };
    }
    return { ...state, stage: 'done', finished: true, exitCode: term.exitCode, terminationReason: state.terminationReason ?? term.reason };
  }
  if (status.phase === 'Succeeded' || status.phase === 'Failed') {
    // Finished without a container status (e.g. evicted before start).
    if (status.phase === 'Failed')
      return fail(state, 'killed', `the ${where} failed: ${status.reason ?? 'unknown reason'}${status.message ? `: ${firstLine(status.message)}` : ''}`);
    return { ...state, stage: 'done', finished: true, exitCode: 0 };
  }
  return state;
}

function stageMax(a: ProbeStage, b: ProbeStage): ProbeStage {
  return STAGES.indexOf(a) >= STAGES.indexOf(b) ? a : b;
}

/** Folds a recorded list of watch events (tests, replays). */
export function replay(events: readonly { type: string; object: V1Pod }[], image: string): ProbeState[] {
  const states: ProbeState[] = [];
  let state = INITIAL_STATE;
  for (const e of events) {
    state = nextState(state, e.type, e.object, image);
    states.push(state);
  }
  return states;
}

/** The probe ran but its output has no result: the image lacks the tool (nslookup, curl) or sh. */
export function noResultFailure(image: string, tool: string, log: string): ProbeFailure {
  const line =
    log
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /not found|No such file|exec format|permission denied|unrecognized|invalid option/i.test(l)) ??
    log.trim().split('\n')[0] ??
    '';
  return {
    reason: 'config',
    code: FAILURE_CODES.config,
    message: `the probe image ${image} did not run ${tool}${line ? ` (${line.slice(0, 200)})` : ' (no output)'}: use an image with ${tool === 'curl' ? 'curl and sh' : 'busybox nslookup'} (--image)`,
  };
}

/** Admission rejections of the dry run, in one sentence (Pod Security, quota, LimitRange, webhooks). */
export function admissionFailure(namespace: string, status: number, message: string): ProbeFailure {
  const why = /violates PodSecurity/.test(message)
    ? 'Pod Security admission'
    : /exceeded quota/.test(message)
      ? 'a ResourceQuota'
      : /LimitRange|maximum|minimum .* per Container|must be less than or equal to/.test(message)
        ? 'a LimitRange'
        : /admission webhook/.test(message)
          ? 'an admission webhook'
          : `the API server (${status})`;
  return {
    reason: 'admission',
    code: FAILURE_CODES.admission,
    message: `the probe pod was rejected in namespace ${namespace} by ${why}: ${firstLine(message)}`,
  };
}
