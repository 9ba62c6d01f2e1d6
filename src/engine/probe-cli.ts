// What `kdiag dns` and `kdiag connectivity` share: the probe flags, their validation,
// progress output (listr2 on a TTY, plain lines otherwise) and "probing as a workload".
import { Flags } from '@oclif/core';
import { UsageError } from '../errors.js';
import { cmd, kubectl, shellJoin } from '../report/shell.js';
import { canDraw } from '../report/progress.js';
import { emptySnapshot, KINDS, type Snapshot } from '../snapshot.js';
import { dnsLabel, dnsSubdomain, duration, labelMap } from '../validate.js';
import type { ClusterClient } from '../cluster/client.js';
import type { ProbeRun } from '../cluster/probe-runner.js';
import { appliesTo, selectsPod } from '../netpol/policy.js';
import { probeLabels, workloadLabelsOf, type ProbeKind, type ProbeSpec } from '../probes/pod-spec.js';
import { STAGE_TITLES, STAGES, type ProbeStage } from '../probes/state.js';

/** Seconds --settle auto waits when a NetworkPolicy is involved (kube-router needs about 1 s). */
export const AUTO_SETTLE_SECONDS = 2;

export const probeFlags = {
  'image-pull-secret': Flags.string({ description: 'Name of an image pull Secret in the probe namespace, for a private registry.', helpGroup: 'PROBE' }),
  'probe-namespace': Flags.string({ description: 'Namespace to run the probe pod in (default: the target namespace).', helpGroup: 'PROBE' }),
  'node-selector': Flags.string({ description: 'Run the probe on nodes with these labels (key=value,...).', helpGroup: 'PROBE' }),
  timeout: Flags.string({ description: 'How long to wait for the probe (pod start included).', default: '60s', helpGroup: 'PROBE' }),
  keep: Flags.boolean({
    description: 'Leave the probe Job and pod for debugging (the cluster removes them after an hour).',
    default: false,
    helpGroup: 'PROBE',
  }),
  from: Flags.string({
    description: 'Probe as this workload: NAMESPACE/POD; the probe runs in its namespace with its labels, so NetworkPolicies treat it alike.',
    helpGroup: 'PROBE',
  }),
  'from-namespace': Flags.string({ description: 'Probe from this namespace (with --from-labels: as a workload with these labels).', helpGroup: 'PROBE' }),
  'from-labels': Flags.string({
    description: 'Labels the probe pod carries (key=value,...), to be selected by the same NetworkPolicies as a workload.',
    helpGroup: 'PROBE',
  }),
  'cluster-domain': Flags.string({ description: 'The cluster DNS domain.', default: 'cluster.local', helpGroup: 'PROBE' }),
  settle: Flags.string({
    description: `Wait this long in the probe pod before testing, so the NetworkPolicy enforcer has programmed its rules for the new pod. auto: ${AUTO_SETTLE_SECONDS}s when a NetworkPolicy isolates the probe or a destination namespace, else none.`,
    default: 'auto',
    helpGroup: 'PROBE',
  }),
};

export interface ProbeFlagValues {
  'image-pull-secret'?: string;
  'probe-namespace'?: string;
  'node-selector'?: string;
  timeout: string;
  keep: boolean;
  from?: string;
  'from-namespace'?: string;
  'from-labels'?: string;
  'cluster-domain': string;
  settle: string;
}

export interface ProbeSettings {
  imagePullSecret?: string;
  nodeSelector?: Record<string, string>;
  timeoutMs: number;
  keep: boolean;
  /** NAMESPACE/POD of --from. */
  fromPod?: { namespace: string; name: string };
  fromNamespace?: string;
  fromLabels?: Record<string, string>;
  probeNamespace?: string;
  clusterDomain: string;
  /** Whole seconds the probe waits before testing; undefined: decided by settleSecondsFor (--settle auto). */
  settleSeconds?: number;
}

/** Validates the probe flags (before anything is sent to the cluster). */
export function probeSettings(flags: ProbeFlagValues): ProbeSettings {
  const timeoutMs = duration(flags.timeout, '--timeout');
  if (timeoutMs < 5000 || timeoutMs > 3_600_000) throw new UsageError(`invalid --timeout ${JSON.stringify(flags.timeout)}: use a duration from 5s to 1h`);
  const s: ProbeSettings = { timeoutMs, keep: flags.keep, clusterDomain: dnsSubdomain(flags['cluster-domain'], '--cluster-domain') };
  if (flags.settle !== 'auto') {
    const settleMs = duration(flags.settle, '--settle');
    if (settleMs > 60_000) throw new UsageError(`invalid --settle ${JSON.stringify(flags.settle)}: at most 60s (or auto)`);
    s.settleSeconds = Math.ceil(settleMs / 1000);
  }
  if (flags['image-pull-secret'] !== undefined) s.imagePullSecret = dnsSubdomain(flags['image-pull-secret'], '--image-pull-secret');
  if (flags['node-selector'] !== undefined) s.nodeSelector = labelMap(flags['node-selector'], '--node-selector');
  if (flags['probe-namespace'] !== undefined) s.probeNamespace = dnsLabel(flags['probe-namespace'], '--probe-namespace');
  if (flags.from !== undefined) {
    const m = /^([^/]+)\/([^/]+)$/.exec(flags.from);
    if (!m) throw new UsageError(`invalid --from ${JSON.stringify(flags.from.slice(0, 80))}: use NAMESPACE/POD`);
    s.fromPod = { namespace: dnsLabel(m[1]!, 'namespace in --from'), name: dnsSubdomain(m[2]!, 'pod name in --from') };
    if (flags['from-namespace'] || flags['from-labels']) throw new UsageError('--from cannot be combined with --from-namespace or --from-labels');
  }
  if (flags['from-namespace'] !== undefined) s.fromNamespace = dnsLabel(flags['from-namespace'], '--from-namespace');
  if (flags['from-labels'] !== undefined) s.fromLabels = labelMap(flags['from-labels'], '--from-labels');
  if (s.fromLabels && !s.fromNamespace && !s.probeNamespace)
    throw new UsageError('--from-labels needs --from-namespace (the namespace whose policies should apply)');
  if ((s.fromPod || s.fromNamespace) && s.probeNamespace) throw new UsageError('--probe-namespace cannot be combined with --from or --from-namespace');
  return s;
}

/**
 * What --settle auto decides: a NetworkPolicy enforcer (kube-router, Calico, Cilium) programs
 * rules for a new pod a moment after it starts, and packets sent before that escape the
 * policies (a deny looks like a success). That matters only when a policy selects the probe
 * for egress or isolates a destination namespace for ingress (its allow rules must learn the
 * probe's IP); otherwise nothing is programmed for the probe and waiting buys nothing. When
 * NetworkPolicies could not be read, it waits.
 */
export function settleSecondsFor(
  settings: Pick<ProbeSettings, 'settleSeconds'>,
  snapshot: Pick<Snapshot, 'networkpolicies' | 'unavailable'>,
  probe: { namespace: string; labels: Record<string, string> },
  destinationNamespaces: readonly string[],
): number {
  if (settings.settleSeconds !== undefined) return settings.settleSeconds;
  if (snapshot.unavailable.networkpolicies) return AUTO_SETTLE_SECONDS;
  const egress = snapshot.networkpolicies.some((p) => selectsPod(p, probe) && appliesTo(p, 'egress'));
  const ingress = snapshot.networkpolicies.some((p) => destinationNamespaces.includes(p.metadata?.namespace ?? '') && appliesTo(p, 'ingress'));
  return egress || ingress ? AUTO_SETTLE_SECONDS : 0;
}

/** Seconds for the pod's own deadline: kdiag's wait plus a margin, so kdiag's clearer message comes first. */
export function podDeadlineSeconds(timeoutMs: number): number {
  return Math.ceil(timeoutMs / 1000) + 30;
}

export function randomNonce(): string {
  return Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}

/** Several namespace-scoped snapshots as one (objects of every namespace side by side). */
export function mergeSnapshots(parts: readonly Snapshot[]): Snapshot {
  const merged = emptySnapshot({ now: parts[0]?.now ?? new Date() });
  for (const part of parts) {
    for (const kind of KINDS) {
      const seen = new Set(
        (merged[kind] as { metadata?: { uid?: string; namespace?: string; name?: string } }[]).map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`),
      );
      for (const o of part[kind] as { metadata?: { namespace?: string; name?: string } }[]) {
        const key = `${o.metadata?.namespace}/${o.metadata?.name}`;
        if (!seen.has(key)) (merged[kind] as unknown[]).push(o);
      }
    }
    for (const k of part.loaded) if (!merged.loaded.includes(k)) merged.loaded.push(k);
    Object.assign(merged.unavailable, part.unavailable);
  }
  return merged;
}

// ---------------------------------------------------------------- progress

export interface Progress {
  stage(stage: ProbeStage, detail?: string): void;
  /** Ends the display; `error` marks the current stage failed. */
  end(error?: Error): Promise<void>;
  /** Stops drawing at once (signals). */
  abort(): void;
}

/** Plain lines on stderr: for pipes, CI logs and JSON output. */
export function lineProgress(write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Progress {
  let last: ProbeStage | undefined;
  return {
    stage(stage, detail) {
      if (stage === last) return;
      last = stage;
      write(`kdiag: probe: ${STAGE_TITLES[stage].toLowerCase()}${detail ? ` (${detail})` : ''}`);
    },
    async end() {},
    abort() {},
  };
}

/** A listr2 task list (creating → scheduled → image → running → done), loaded only when shown. */
export async function listrProgress(): Promise<Progress> {
  const { Listr } = await import('listr2');
  const gates = STAGES.map(() => {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined);
    return { promise, resolve, reject, detail: '' };
  });
  let current = 0;
  const tasks = new Listr(
    STAGES.map((stage, i) => ({
      title: STAGE_TITLES[stage],
      task: async (_ctx: unknown, task: { title: string }) => {
        await gates[i]!.promise;
        if (gates[i]!.detail) task.title = `${STAGE_TITLES[stage]}: ${gates[i]!.detail}`;
      },
    })),
    { concurrent: false, exitOnError: true, registerSignalListeners: false, rendererOptions: { collapseErrors: false } },
  );
  const running = tasks.run().catch(() => undefined);
  return {
    stage(stage, detail) {
      const target = STAGES.indexOf(stage);
      if (detail) gates[target]!.detail = detail;
      // Reaching a stage completes every earlier one.
      while (current < target) gates[current++]!.resolve();
    },
    async end(error) {
      if (error) gates[current]!.reject(new Error(error.message.split('\n')[0]));
      else while (current < STAGES.length) gates[current++]!.resolve();
      await running;
    },
    abort() {
      for (const g of gates) g.reject(new Error('interrupted'));
      // The renderer hides the cursor; kdiag exits before it could show it again.
      process.stdout.write('\u001b[?25h');
    },
  };
}

// ---------------------------------------------------------------- running

export interface ProbeSource {
  namespace: string;
  /** Workload labels the probe pod carries (probing as a workload). */
  labels?: Record<string, string>;
  /** Labels NetworkPolicies will see on the probe pod. */
  effectiveLabels: Record<string, string>;
  description: string;
}

/** Where the probe runs and as whom: --from, --from-namespace/--from-labels, --probe-namespace or the target's namespace. */
export async function resolveSource(client: ClusterClient, s: ProbeSettings, targetNamespace: string, kind: ProbeKind, runId: string): Promise<ProbeSource> {
  const own = probeLabels({ kind, runId });
  if (s.fromPod) {
    const { readWorkloadPod } = await import('../cluster/probe-runner.js');
    const pod = await readWorkloadPod(client, s.fromPod.namespace, s.fromPod.name);
    const labels = workloadLabelsOf(pod.metadata?.labels);
    return { namespace: s.fromPod.namespace, labels, effectiveLabels: { ...labels, ...own }, description: `as pod ${s.fromPod.namespace}/${s.fromPod.name}` };
  }
  const namespace = s.fromNamespace ?? s.probeNamespace ?? targetNamespace;
  if (s.fromLabels)
    return {
      namespace,
      labels: s.fromLabels,
      effectiveLabels: { ...s.fromLabels, ...own },
      description: `in ${namespace} with labels ${Object.entries(s.fromLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`,
    };
  return { namespace, effectiveLabels: own, description: `in namespace ${namespace}` };
}

/** A task list only on a real terminal of usable width, and only for human output (commands also skip it for --no-color: plain lines, like check). */
export function canDrawProgress(output: string): boolean {
  return canDraw(process.stdout) && (output === 'table' || output === 'wide') && !process.env.CI;
}

export interface ExecuteOptions {
  /** Draw a listr2 task list (a TTY and human output). */
  interactive: boolean;
  /** Plain progress lines on stderr when not interactive. */
  quiet?: boolean;
  /** The pod's dry run, started earlier with admitProbe(). */
  admitted?: Promise<void>;
  /** Return with the result while the probe is deleted; the caller awaits `run.cleaned` before it ends. */
  deferCleanup?: boolean;
}

/**
 * Starts the server-side dry run of the probe pod now (admission only looks at the pod's shape:
 * the script's arguments may still be missing), so it runs while the command reads the cluster.
 * executeProbe({ admitted }) waits for it before creating anything.
 */
export function admitProbe(client: ClusterClient, spec: ProbeSpec): Promise<void> {
  const admitted = import('../cluster/probe-runner.js').then(({ ProbeRunner }) => new ProbeRunner(client).dryRun(spec));
  // Awaited later (by executeProbe); until then a rejection must not count as unhandled.
  admitted.catch(() => undefined);
  return admitted;
}

/** Runs one probe with progress output; the runner guarantees cleanup. */
export async function executeProbe(client: ClusterClient, spec: ProbeSpec, settings: ProbeSettings, options: ExecuteOptions): Promise<ProbeRun> {
  const { ProbeRunner } = await import('../cluster/probe-runner.js');
  const progress = options.interactive ? await listrProgress() : options.quiet ? { stage() {}, async end() {}, abort() {} } : lineProgress();
  const runner = new ProbeRunner(client);
  try {
    const run = await runner.run(spec, {
      timeoutMs: settings.timeoutMs,
      keep: settings.keep,
      onStage: (stage, detail) => progress.stage(stage, detail),
      onInterrupt: () => progress.abort(),
      ...(options.admitted ? { admitted: options.admitted } : {}),
      ...(options.deferCleanup ? { deferCleanup: true } : {}),
    });
    await progress.end();
    return run;
  } catch (err) {
    await progress.end(err as Error);
    throw err;
  }
}

/**
 * Explains a probe's result (reads, analysis) while its Job and pod are deleted (executeProbe
 * with deferCleanup), and returns once both are done: a failed deletion fails the command as
 * before, and nothing is left when kdiag ends.
 */
export async function whileDeleting<T>(run: Pick<ProbeRun, 'cleaned'> | undefined, explain: () => Promise<T>): Promise<T> {
  return explain().finally(() => run?.cleaned);
}

export function keepNote(run: ProbeRun): string {
  const del = shellJoin(kubectl('-n', run.namespace, 'delete', 'job', run.jobName).argv);
  return `Kept Job ${run.namespace}/${run.jobName} (pod ${run.podName}); delete it with: ${del}   (or: ${shellJoin(cmd('kdiag', 'cleanup', '-n', run.namespace).argv)}; the cluster removes it after an hour)`;
}

/** The probe pod as the JSON reports of dns and connectivity record it. */
export function probeRecord(run: ProbeRun, image: string, source: { description: string }) {
  return {
    namespace: run.namespace,
    job: run.jobName,
    pod: run.podName,
    node: run.node ?? null,
    image,
    source: source.description,
    elapsedMs: run.elapsedMs,
    exitCode: run.exitCode ?? null,
    kept: run.kept,
  };
}
