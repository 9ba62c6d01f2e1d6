// What a person wants to know about a Pod that is not serving: one line, in kubectl's words.
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

export function isPodReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function isTerminal(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function isTerminating(pod: V1Pod): boolean {
  return Boolean(pod.metadata?.deletionTimestamp);
}

export function restartCount(pod: V1Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

function containerProblem(cs: V1ContainerStatus, init: boolean): string | undefined {
  const who = `${init ? 'init container' : 'container'} ${cs.name}`;
  const waiting = cs.state?.waiting;
  const restarts = cs.restartCount ? `, ${cs.restartCount} restart${cs.restartCount === 1 ? '' : 's'}` : '';
  if (waiting?.reason) {
    const last = cs.lastState?.terminated;
    const exit = last ? `, last exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : '';
    const msg = waiting.message ? `: ${waiting.message.split('\n')[0]}` : '';
    return `${who}: ${waiting.reason}${msg}${restarts}${exit}`;
  }
  const term = cs.state?.terminated;
  if (term && !init) return `${who}: terminated with exit code ${term.exitCode}${term.reason ? ` (${term.reason})` : ''}${restarts}`;
  if (init && !term && cs.state?.running) return `${who}: still running`;
  if (!init && cs.state?.running && !cs.ready) {
    return `${who}: running but not ready (its readinessProbe fails)${restarts}`;
  }
  return undefined;
}

/** Why a Pod is not Ready, as one line. */
export function whyNotReady(pod: V1Pod): string {
  if (isTerminating(pod)) return 'terminating';
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase === 'Succeeded' || phase === 'Failed') {
    return `${phase}${pod.status?.reason ? ` (${pod.status.reason})` : ''}${pod.status?.message ? `: ${pod.status.message}` : ''}`;
  }
  const scheduled = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return `Pending, not scheduled: ${scheduled.reason ?? 'Unschedulable'}${scheduled.message ? `: ${scheduled.message}` : ''}`;
  }
  for (const cs of pod.status?.initContainerStatuses ?? []) {
    const p = containerProblem(cs, true);
    if (p && !cs.state?.terminated) return `${phase}: ${p}`;
  }
  const problems = (pod.status?.containerStatuses ?? []).map((cs) => containerProblem(cs, false)).filter((p): p is string => Boolean(p));
  if (problems.length) return `${phase}: ${problems.join('; ')}`;
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  if (ready?.status === 'False' && (ready.reason || ready.message)) {
    return `${phase}: ${ready.reason ?? 'NotReady'}${ready.message ? `: ${ready.message}` : ''}`;
  }
  const gates = (pod.spec?.readinessGates ?? []).map((g) => g.conditionType);
  if (gates.length) return `${phase}: readiness gates ${gates.join(', ')} not all True`;
  return phase === 'Running' ? 'Running, not Ready' : phase;
}

/** The short reason for a table cell: CrashLoopBackOff, ImagePullBackOff, Pending, readiness probe… */
export function shortReason(pod: V1Pod): string {
  if (isTerminating(pod)) return 'Terminating';
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase === 'Pending') {
    const waiting = (pod.status?.containerStatuses ?? []).find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
    return waiting ?? 'Pending';
  }
  const cs = (pod.status?.containerStatuses ?? []).find((c) => !c.ready);
  if (cs?.state?.waiting?.reason) return cs.state.waiting.reason;
  if (cs?.state?.running) return 'readiness probe failing';
  return phase;
}

/** Port names the Pod's containers declare, with their numbers and protocols. */
export function namedPorts(pod: V1Pod): Map<string, { port: number; protocol: string }> {
  const out = new Map<string, { port: number; protocol: string }>();
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name && !out.has(p.name)) out.set(p.name, { port: p.containerPort, protocol: p.protocol ?? 'TCP' });
    }
  }
  return out;
}
