// The ONLY code that creates, watches, reads and deletes kdiag's probe Jobs and pods.
// Order: server-side dry run of the pod (admission answers at once) → create the Job →
// watch its pod (no polling) through the pure state machine → read the container's log
// → delete. SIGINT/SIGTERM during a run delete what was created before kdiag exits; if
// kdiag is killed outright, the Job's deadline and TTL make the cluster remove it.
import type { V1Job, V1Pod, V1PodList } from '@kubernetes/client-node';
import { Watch } from './k8s.js';
import { isNotFound, KdiagError } from '../errors.js';
import { claimSignalExit } from '../interrupt.js';
import { MANAGED_BY, MANAGED_BY_LABEL, leftBehindNotice, probeDryRunPod, probeJob, probeName, runSelector, type ProbeSpec } from '../probes/pod-spec.js';
import { admissionFailure, INITIAL_STATE, nextState, ProbeError, type ProbeStage, type ProbeState } from '../probes/state.js';
import type { ClusterClient } from './client.js';
import { isApiError } from './errors.js';

export interface RunProbeOptions {
  /** How long kdiag waits for the pod to finish (the pod's own deadline is spec.deadlineSeconds). */
  timeoutMs: number;
  onStage?: (stage: ProbeStage, detail?: string) => void;
  /** Leave the Job and pod in place (they still expire after ttlSecondsAfterFinished). */
  keep?: boolean;
  /** Called when a signal arrives, before cleanup (stop progress renderers). */
  onInterrupt?: (signal: NodeJS.Signals) => void;
  /**
   * The dry run of this probe's pod, started earlier by the caller (dryRun()) while it was still
   * reading the cluster: nothing is created unless it passed. Without it, run() dry-runs first.
   */
  admitted?: Promise<void>;
  /**
   * Return as soon as the result is there and delete the Job and pod meanwhile: the caller
   * awaits `cleaned` before it ends (signals still delete the probe until then).
   */
  deferCleanup?: boolean;
}

export interface ProbeRun {
  jobName: string;
  namespace: string;
  podName: string;
  node?: string;
  log: string;
  exitCode?: number;
  terminationReason?: string;
  kept: boolean;
  /** Milliseconds from creating the Job to the pod's end. */
  elapsedMs: number;
  /**
   * Settles once the Job and pod are deleted (at once with --keep or when the runner deleted
   * them before returning); rejects, after saying what was left behind, when they could not be.
   * Absent: nothing to wait for.
   */
  cleaned?: Promise<void>;
}

/** Does the log hold the script's last line (`marker` at the start of a complete line)? */
export function hasFinalLine(log: string, marker: string): boolean {
  const newline = log.startsWith(marker) ? -1 : log.indexOf(`\n${marker}`);
  if (newline < 0 && !log.startsWith(marker)) return false;
  return log.indexOf('\n', newline + 1) >= 0;
}

function statusMessage(body: unknown): string {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body;
    }
  }
  return typeof (body as { message?: unknown })?.message === 'string' ? (body as { message: string }).message : '';
}

/**
 * RBAC 403s say "cannot <verb> resource"; other 403s (Pod Security, quota) are admission.
 * The API gives both the same Status (reason Forbidden, same details), so its message is the
 * only evidence here; kdiag's own errors are never classified by text.
 */
function isAdmissionRejection(err: unknown): { status: number; message: string } | undefined {
  if (!isApiError(err)) return undefined;
  const message = statusMessage(err.body);
  if ((err.code === 403 && !/cannot \w+ resource/.test(message)) || err.code === 422 || err.code === 400) return { status: err.code, message };
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Following the log of a running probe (ProbeSpec.finish): reads from when the kubelet reports it
 * running (its settle time later, less EARLY_READ_LAG_MS: the report comes up to a second after
 * the start), one every EARLY_READ_EVERY_MS, at most EARLY_READS; after that the watch alone.
 */
const EARLY_READ_LAG_MS = 1000;
const EARLY_READ_EVERY_MS = 100;
const EARLY_READS = 50;

/** Like Promise.all, but every promise has settled before the first rejection is thrown (no request left running). */
async function settleAll<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

export class ProbeRunner {
  constructor(private readonly client: ClusterClient) {}

  /**
   * Server-side dry run of the pod: Pod Security, ResourceQuota, LimitRange and webhooks answer
   * now. Only the pod's shape matters to admission, not the script's arguments, so a caller may
   * start it before it knows them (the same spec with `args` still empty). The returned promise is
   * marked handled: its rejection surfaces where it is awaited, not as an unhandled rejection.
   */
  dryRun(spec: ProbeSpec): Promise<void> {
    const pod = probeDryRunPod(spec);
    const admitted = this.client
      .call({ verb: 'create', resource: 'pods', namespace: spec.namespace }, async (o) => {
        try {
          await this.client.core.createNamespacedPod({ namespace: spec.namespace, body: pod, dryRun: 'All' }, o);
          return undefined;
        } catch (err) {
          const a = isAdmissionRejection(err);
          if (a) return a;
          throw err;
        }
      })
      .then((rejected) => {
        if (rejected) throw new ProbeError(admissionFailure(spec.namespace, rejected.status, rejected.message));
      });
    admitted.catch(() => undefined);
    return admitted;
  }

  async run(spec: ProbeSpec, options: RunProbeOptions): Promise<ProbeRun> {
    const namespace = spec.namespace;
    const jobName = probeName(spec);
    await (options.admitted ?? this.dryRun(spec));
    options.onStage?.('creating', `Job ${namespace}/${jobName}`);

    const seenPods = new Set<string>();
    let cleaning: Promise<void> | undefined;
    const cleanup = (timeoutMs?: number): Promise<void> => (cleaning ??= this.deleteRun(namespace, jobName, seenPods, timeoutMs));
    let stopWatch: (() => void) | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      options.onInterrupt?.(signal);
      stopWatch?.();
      process.stderr.write(`\nkdiag: ${signal} received: deleting probe Job ${namespace}/${jobName}...\n`);
      const exit = () => process.exit(signal === 'SIGINT' ? 130 : 143);
      const hard = setTimeout(exit, 1800);
      hard.unref();
      // The Job name is fixed before it is created, so deleting is right even mid-create.
      cleanup(1500).then(exit, exit);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // This run exits by itself on a signal, once its Job is deleted.
    const releaseExit = claimSignalExit();
    const release = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      releaseExit();
    };
    // The API server may be the thing that failed: then the Job cannot be deleted now, and
    // the user must know it is there and that the cluster removes it by itself.
    let deletion: Promise<void> | undefined;
    const deleted = () =>
      (deletion ??= cleanup().catch((err: unknown) => {
        process.stderr.write(`kdiag: ${leftBehindNotice(namespace, jobName, spec.deadlineSeconds)}\n`);
        throw err;
      }));
    let deferred = false;
    const started = Date.now();
    try {
      // The run's pods are listed while the Job is created: the watch then starts at once.
      const [, list] = await settleAll(this.createJob(probeJob(spec)), this.listRunPods(namespace, spec.runId));
      const { state, log: early } = await this.waitForPod(spec, options, seenPods, (stop) => (stopWatch = stop), list);
      const podName = state.podName!;
      options.onStage?.('done', podName);
      const log = early ?? (await this.readLog(namespace, podName));
      const run: ProbeRun = {
        jobName,
        namespace,
        podName,
        node: state.node,
        log,
        exitCode: state.exitCode,
        terminationReason: state.terminationReason,
        kept: Boolean(options.keep),
        elapsedMs: Date.now() - started,
      };
      if (options.keep) return run;
      if (!options.deferCleanup) {
        await deleted();
        return run;
      }
      // The caller analyses the result while the probe is deleted; it awaits `cleaned` before
      // it ends, and a signal meanwhile still deletes the probe (the same request) and exits.
      deferred = true;
      const cleaned = deleted().finally(release);
      cleaned.catch(() => undefined);
      return { ...run, cleaned };
    } catch (err) {
      if (!options.keep) await deleted().catch(() => undefined);
      throw err;
    } finally {
      if (!deferred) release();
    }
  }

  private listRunPods(namespace: string, runId: string): Promise<V1PodList> {
    return this.client.call({ verb: 'list', resource: 'pods', namespace }, (o) =>
      this.client.core.listNamespacedPod({ namespace, labelSelector: runSelector(runId) }, o),
    );
  }

  private async createJob(job: V1Job): Promise<void> {
    const namespace = job.metadata!.namespace!;
    const rejected = await this.client.call({ verb: 'create', resource: 'jobs', group: 'batch', namespace }, async (o) => {
      try {
        await this.client.batch.createNamespacedJob({ namespace, body: job }, o);
        return undefined;
      } catch (err) {
        const a = isAdmissionRejection(err);
        if (a) return a;
        throw err;
      }
    });
    if (rejected) throw new ProbeError(admissionFailure(namespace, rejected.status, rejected.message));
  }

  /**
   * Watches the run's pod until it finishes or fails; re-lists and re-watches if the watch
   * drops. With `spec.finish`, also reads the log a few times while the container starts and returns
   * as soon as the script printed its last line.
   */
  private async waitForPod(
    spec: ProbeSpec,
    options: RunProbeOptions,
    seenPods: Set<string>,
    setStop: (stop: () => void) => void,
    firstList: V1PodList,
  ): Promise<{ state: ProbeState; log?: string }> {
    const namespace = spec.namespace;
    const selector = runSelector(spec.runId);
    const deadline = Date.now() + options.timeoutMs;
    let state: ProbeState = INITIAL_STATE;
    let lastStage: ProbeStage = 'creating';
    let early: string | undefined;
    let wake: (() => void) | undefined;
    let reading: NodeJS.Timeout | undefined;
    let stopped = false;
    // Reads the log until it holds the script's last line; one read at a time.
    const readEarly = (pod: string, marker: string, n: number) => {
      if (stopped || early !== undefined || state.finished || state.failure || n >= EARLY_READS) return;
      const next = () => {
        if (!stopped) reading = setTimeout(readEarly, EARLY_READ_EVERY_MS, pod, marker, n + 1);
      };
      this.readLog(namespace, pod).then(
        (log) => {
          if (early !== undefined) return;
          if (!hasFinalLine(log, marker)) return next();
          early = log;
          wake?.();
        },
        next, // not started yet (400), or a hiccup: the watch still reports the end
      );
    };
    const apply = (type: string, pod: V1Pod) => {
      if (pod.metadata?.name) seenPods.add(pod.metadata.name);
      const before = state.stage;
      state = nextState(state, type, pod, spec.image);
      if (spec.finish && before !== 'running' && state.stage === 'running' && state.podName && !state.finished) {
        // The kubelet serves the log once it has reported the container running (it notices
        // containers starting and ending only once a second): a script still running then ends
        // before the kubelet reports it, so its log is followed closely from now on (from the
        // settle time on, less the most the report can lag behind the start), and the result
        // is there as soon as the script printed its last line.
        const { marker, afterMs } = spec.finish;
        reading = setTimeout(readEarly, Math.max(0, afterMs - EARLY_READ_LAG_MS), state.podName, marker, 0);
      }
      if (state.stage !== lastStage) {
        lastStage = state.stage;
        if (state.stage !== 'done') options.onStage?.(state.stage, state.stage === 'scheduled' ? state.node : undefined);
      }
    };
    const settled = () => Boolean(state.failure || state.finished || early !== undefined);
    const result = () => {
      if (state.failure) throw new ProbeError(state.failure);
      // The script printed its last line, so it ran to its end: its exit status is that of `echo`.
      return early !== undefined ? { state: { ...state, finished: true, exitCode: state.exitCode ?? 0 }, log: early } : { state };
    };
    try {
      for (let attempt = 0; attempt < 6; attempt++) {
        const list = attempt === 0 ? firstList : await this.listRunPods(namespace, spec.runId);
        for (const pod of list.items) apply('ADDED', pod);
        if (settled()) return result();
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        const outcome = await this.watchOnce(namespace, selector, list.metadata?.resourceVersion, remaining, apply, settled, setStop, (w) => (wake = w));
        if (settled()) return result();
        // A signal stopped the watch: the handler deletes the probe and exits; report nothing.
        if (outcome === 'stopped') await new Promise<never>(() => undefined);
        if (outcome === 'timeout') break;
        if (outcome === 'forbidden') {
          throw new KdiagError(`you lack \`watch\` on \`pods\` in namespace ${namespace} (403 Forbidden): ask for a Role granting it, see deploy/rbac.yaml`);
        }
        await sleep(Math.min(500 * (attempt + 1), 2000));
      }
    } finally {
      stopped = true;
      clearTimeout(reading);
    }
    const why = await this.whyNoProgress(namespace, probeName(spec), state);
    throw new ProbeError({
      reason: 'timeout',
      code: 'KD5024',
      message: `the probe did not finish within ${Math.round(options.timeoutMs / 1000)}s (--timeout): it was still at "${state.stage}"${why ? `; ${why}` : ''}`,
    });
  }

  private watchOnce(
    namespace: string,
    labelSelector: string,
    resourceVersion: string | undefined,
    timeoutMs: number,
    apply: (type: string, pod: V1Pod) => void,
    settled: () => boolean,
    setStop: (stop: () => void) => void,
    setWake: (wake: () => void) => void,
  ): Promise<'settled' | 'closed' | 'timeout' | 'forbidden' | 'stopped'> {
    return new Promise((resolve) => {
      const watch = new Watch(this.client.kc);
      // The watch's idle timer: the probe may be quiet while it waits for DNS timeouts.
      // cast: client-node 2.0 keeps Watch's idle timeout in a private field with no option to set it.
      (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = timeoutMs + 5000;
      let controller: AbortController | undefined;
      let finished = false;
      const finish = (outcome: 'settled' | 'closed' | 'timeout' | 'forbidden' | 'stopped') => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        controller?.abort();
        resolve(outcome);
      };
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      setStop(() => finish('stopped'));
      setWake(() => finish('settled'));
      watch
        .watch(
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
          { labelSelector, resourceVersion, allowWatchBookmarks: false, timeoutSeconds: Math.ceil(timeoutMs / 1000) + 5 },
          (type, obj) => {
            if (finished) return;
            if (type === 'ERROR') return finish('closed');
            if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') apply(type, obj as V1Pod);
            if (settled()) finish('settled');
          },
          (err) => finish((err as { statusCode?: number } | null)?.statusCode === 403 ? 'forbidden' : 'closed'),
        )
        .then((c) => {
          controller = c;
          if (finished) c.abort();
        })
        .catch(() => finish('closed'));
    });
  }

  /** When the pod never appeared or stayed pending: the Job's and pod's latest warning events. */
  private async whyNoProgress(namespace: string, jobName: string, state: ProbeState): Promise<string | undefined> {
    try {
      const names = [jobName, ...(state.podName ? [state.podName] : [])];
      const events = await this.client.call({ verb: 'list', resource: 'events', namespace }, (o) => this.client.core.listNamespacedEvent({ namespace }, o));
      const relevant = events.items
        .filter((e) => names.includes(e.involvedObject?.name ?? '') && e.type === 'Warning')
        .sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')));
      const last = relevant.at(-1);
      return last ? `${last.involvedObject?.kind} ${last.involvedObject?.name}: ${last.reason}: ${(last.message ?? '').split('\n')[0]}` : undefined;
    } catch {
      return undefined;
    }
  }

  private async readLog(namespace: string, name: string): Promise<string> {
    return this.client.call({ verb: 'get', resource: 'pods/log', namespace, name }, (o) =>
      this.client.core.readNamespacedPodLog({ name, namespace, container: 'probe', limitBytes: 1_048_576 }, o),
    );
  }

  /** Deletes the Job (its pods with it) and, to be quick, the pods seen; 404 is fine. */
  private async deleteRun(namespace: string, jobName: string, pods: Set<string>, timeoutMs?: number): Promise<void> {
    const attempt = async (fn: () => Promise<unknown>) => {
      try {
        await (timeoutMs ? Promise.race([fn(), sleep(timeoutMs).then(() => undefined)]) : fn());
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    };
    const jobs = attempt(() =>
      this.client.call({ verb: 'delete', resource: 'jobs', group: 'batch', namespace, name: jobName }, (o) =>
        this.client.batch.deleteNamespacedJob({ name: jobName, namespace, propagationPolicy: 'Background', gracePeriodSeconds: 0 }, o),
      ),
    );
    const podDeletes = [...pods].map((name) =>
      attempt(() =>
        this.client.call({ verb: 'delete', resource: 'pods', namespace, name }, (o) =>
          this.client.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }, o),
        ),
      ),
    );
    const results = await Promise.allSettled([jobs, ...podDeletes]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Everything kdiag created (by label) in a namespace or all namespaces. */
  async findLeftovers(namespace?: string): Promise<LeftoverObject[]> {
    const labelSelector = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
    const [jobs, pods] = await Promise.all([
      this.client.call({ verb: 'list', resource: 'jobs', group: 'batch', namespace }, (o) =>
        namespace ? this.client.batch.listNamespacedJob({ namespace, labelSelector }, o) : this.client.batch.listJobForAllNamespaces({ labelSelector }, o),
      ),
      this.client.call({ verb: 'list', resource: 'pods', namespace }, (o) =>
        namespace ? this.client.core.listNamespacedPod({ namespace, labelSelector }, o) : this.client.core.listPodForAllNamespaces({ labelSelector }, o),
      ),
    ]);
    const out: LeftoverObject[] = [];
    for (const j of jobs.items) {
      out.push({
        kind: 'Job',
        namespace: j.metadata?.namespace ?? '',
        name: j.metadata?.name ?? '',
        created: j.metadata?.creationTimestamp ? new Date(j.metadata.creationTimestamp).toISOString() : undefined,
        status: j.status?.succeeded ? 'Complete' : j.status?.failed ? 'Failed' : j.status?.active ? 'Running' : 'Pending',
        runId: j.metadata?.labels?.['kdiag.dev/run-id'],
      });
    }
    for (const p of pods.items) {
      out.push({
        kind: 'Pod',
        namespace: p.metadata?.namespace ?? '',
        name: p.metadata?.name ?? '',
        created: p.metadata?.creationTimestamp ? new Date(p.metadata.creationTimestamp).toISOString() : undefined,
        status: p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Unknown'),
        runId: p.metadata?.labels?.['kdiag.dev/run-id'],
      });
    }
    return out.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  }

  async deleteLeftover(obj: LeftoverObject): Promise<void> {
    try {
      if (obj.kind === 'Job') {
        await this.client.call({ verb: 'delete', resource: 'jobs', group: 'batch', namespace: obj.namespace, name: obj.name }, (o) =>
          this.client.batch.deleteNamespacedJob({ name: obj.name, namespace: obj.namespace, propagationPolicy: 'Background' }, o),
        );
      } else {
        await this.client.call({ verb: 'delete', resource: 'pods', namespace: obj.namespace, name: obj.name }, (o) =>
          this.client.core.deleteNamespacedPod({ name: obj.name, namespace: obj.namespace, gracePeriodSeconds: 0 }, o),
        );
      }
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

export interface LeftoverObject {
  kind: 'Job' | 'Pod';
  namespace: string;
  name: string;
  created?: string;
  status: string;
  runId?: string;
}

export interface EphemeralRun {
  container: string;
  log: string;
  elapsedMs: number;
}

/**
 * Runs a fixed script in an ephemeral container added to an existing pod (its network
 * namespace: the only way to test what that very pod sees, e.g. reaching itself through its
 * Service). The container passes the restricted Pod Security profile. Ephemeral containers
 * cannot be removed: it stays in the pod's spec, terminated, until the pod is replaced.
 * Returns the container's log once it printed `marker` or ended.
 */
export async function runEphemeral(
  client: ClusterClient,
  target: { namespace: string; pod: string },
  spec: { name: string; image: string; script: string; args: string[]; marker: string; timeoutMs: number },
): Promise<EphemeralRun> {
  const { namespace, pod: name } = target;
  const started = Date.now();
  const pod = await client.call({ verb: 'get', resource: 'pods', namespace, name }, (o) => client.core.readNamespacedPod({ name, namespace }, o));
  pod.spec!.ephemeralContainers = [
    ...(pod.spec?.ephemeralContainers ?? []),
    {
      name: spec.name,
      image: spec.image,
      imagePullPolicy: 'IfNotPresent',
      command: ['sh', '-c', spec.script, '--', ...spec.args],
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        seccompProfile: { type: 'RuntimeDefault' },
      },
    },
  ];
  await client.call({ verb: 'update', resource: 'pods/ephemeralcontainers', namespace, name }, (o) =>
    client.core.replaceNamespacedPodEphemeralcontainers({ name, namespace, body: pod }, o),
  );
  const deadline = Date.now() + spec.timeoutMs;
  let log: string;
  while (Date.now() < deadline) {
    await sleep(500);
    const now = await client.call({ verb: 'get', resource: 'pods', namespace, name }, (o) => client.core.readNamespacedPod({ name, namespace }, o));
    const status = now.status?.ephemeralContainerStatuses?.find((c) => c.name === spec.name);
    const waiting = status?.state?.waiting;
    if (waiting && /ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerError/.test(waiting.reason ?? '')) {
      throw new KdiagError(
        `the ephemeral container ${spec.name} in pod ${namespace}/${name} cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`,
      );
    }
    if (!status?.state?.running && !status?.state?.terminated) continue;
    try {
      log = await client.call({ verb: 'get', resource: 'pods/log', namespace, name }, (o) =>
        client.core.readNamespacedPodLog({ name, namespace, container: spec.name, limitBytes: 262_144 }, o),
      );
    } catch {
      continue; // not started yet
    }
    if (hasFinalLine(log, spec.marker) || status.state.terminated) return { container: spec.name, log, elapsedMs: Date.now() - started };
  }
  throw new KdiagError(`the ephemeral container ${spec.name} in pod ${namespace}/${name} did not finish within ${Math.round(spec.timeoutMs / 1000)}s`);
}

/** The workload pod of --from NAMESPACE/POD (its labels make the probe look like it). */
export async function readWorkloadPod(client: ClusterClient, namespace: string, name: string): Promise<V1Pod> {
  try {
    return await client.call({ verb: 'get', resource: 'pods', namespace, name }, (o) => client.core.readNamespacedPod({ name, namespace }, o));
  } catch (err) {
    if (isNotFound(err)) throw new KdiagError(`pod ${namespace}/${name} (--from) not found`, { status: 404, reason: 'NotFound', details: err.details });
    throw err;
  }
}
