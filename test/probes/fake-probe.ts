// nock stand-ins for what the probe runner does beyond listing: the dry-run POST, the Job
// POST, the run's pod list and watch, the container log and the DELETEs. Register it
// BEFORE fakeApi(): nock answers with the first interceptor that matches.
import nock from 'nock';
import { SERVER } from '../support/fake-api.js';

export interface ProbeScript {
  /** The probe pod's log; `NONCE` is replaced by the run's nonce (read from the Job's args). A function gives the log of the n-th Job (0: the first) and its script arguments. */
  log?: string | ((job: number, args: readonly string[]) => string);
  /** Final container state (default: terminated with exit code 0). */
  final?: Record<string, unknown>;
  /** Extra pod status fields of the final event (e.g. phase/reason). */
  finalStatus?: Record<string, unknown>;
  /** Answer the dry run with this status and message (admission rejection, RBAC). */
  dryRun?: { status: number; message: string };
  /** Stop after the pod is Pending with this waiting reason (ErrImagePull...). */
  waiting?: { reason: string; message?: string };
  /** The pod stays Running (the kubelet has not reported the exit yet): only the log says it is done. */
  stayRunning?: boolean;
}

export interface FakeProbe {
  jobs: Record<string, unknown>[];
  dryRuns: Record<string, unknown>[];
  deleted: string[];
  requests: string[];
}

function url(req: unknown): string {
  return typeof req === 'string' ? req : (req as { url: string }).url;
}

/** nock 15 hands reply functions a fetch Request (a two-argument function would be taken as callback style). */
async function bodyOf(req: unknown): Promise<unknown> {
  return (req as { json(): Promise<unknown> }).json();
}

export function fakeProbe(namespace: string, script: ProbeScript): FakeProbe {
  const state: FakeProbe = { jobs: [], dryRuns: [], deleted: [], requests: [] };
  let job:
    | { metadata: { name: string; labels: Record<string, string> }; spec: { template: { spec: { containers: { command: string[]; image: string }[] } } } }
    | undefined;
  const podName = () => `${job!.metadata.name}-x7k2p`;
  const pod = (status: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName(), namespace, labels: job!.metadata.labels, resourceVersion: '2' },
    spec: { nodeName: 'kdiag-node', activeDeadlineSeconds: 90, containers: [{ name: 'probe', image: job!.spec.template.spec.containers[0]!.image }] },
    status,
  });
  const base = `/api/v1/namespaces/${namespace}`;
  const scope = nock(SERVER).persist();
  scope
    .post(`${base}/pods`)
    .query({ dryRun: 'All' })
    .reply(async (req: unknown) => {
      const body = await bodyOf(req);
      state.requests.push(`POST ${url(req)}`);
      state.dryRuns.push(body as Record<string, unknown>);
      if (script.dryRun)
        return [
          script.dryRun.status,
          { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: script.dryRun.status, reason: 'Forbidden', message: script.dryRun.message },
        ];
      return [201, body];
    });
  scope.post(`/apis/batch/v1/namespaces/${namespace}/jobs`).reply(async (req: unknown) => {
    const body = await bodyOf(req);
    state.requests.push(`POST ${url(req)}`);
    job = body as typeof job;
    state.jobs.push(body as Record<string, unknown>);
    return [201, body];
  });
  scope.get(new RegExp(`^${base}/pods\\?.*labelSelector=[^&]*run-id`)).reply((req: unknown) => {
    const u = url(req);
    state.requests.push(`GET ${u}`);
    if (!u.includes('watch=true')) return [200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }];
    const events: unknown[] = [
      { type: 'ADDED', object: pod({ phase: 'Pending' }) },
      {
        type: 'MODIFIED',
        object: pod({
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'True' }],
          containerStatuses: [{ name: 'probe', image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
        }),
      },
    ];
    if (script.waiting) {
      events.push({
        type: 'MODIFIED',
        object: pod({
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'True' }],
          containerStatuses: [{ name: 'probe', image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: script.waiting } }],
        }),
      });
    } else {
      events.push({
        type: 'MODIFIED',
        object: pod({ phase: 'Running', containerStatuses: [{ name: 'probe', image: '', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] }),
      });
      if (!script.stayRunning)
        events.push({
          type: 'MODIFIED',
          object: pod({
            phase: 'Succeeded',
            ...script.finalStatus,
            containerStatuses: [
              {
                name: 'probe',
                image: '',
                imageID: '',
                ready: false,
                restartCount: 0,
                state: script.final ?? { terminated: { exitCode: 0, reason: 'Completed' } },
              },
            ],
          }),
        });
    }
    return [200, events.map((e) => JSON.stringify(e)).join('\n') + '\n'];
  });
  scope.get(new RegExp(`^${base}/pods/[^/]+/log`)).reply((req: unknown) => {
    state.requests.push(`GET ${url(req)}`);
    const command = job!.spec.template.spec.containers[0]!.command;
    const nonce = command[4]!;
    const log = typeof script.log === 'function' ? script.log(state.jobs.length - 1, command.slice(4)) : (script.log ?? '');
    return [200, log.replaceAll('NONCE', nonce), { 'Content-Type': 'text/plain' }];
  });
  scope.delete(new RegExp(`^/apis/batch/v1/namespaces/${namespace}/jobs/`)).reply((req: unknown) => {
    state.requests.push(`DELETE ${url(req)}`);
    state.deleted.push(`job/${new URL(url(req), SERVER).pathname.split('/').pop()}`);
    return [200, { kind: 'Status', status: 'Success' }];
  });
  scope.delete(new RegExp(`^${base}/pods/`)).reply((req: unknown) => {
    state.requests.push(`DELETE ${url(req)}`);
    state.deleted.push(`pod/${new URL(url(req), SERVER).pathname.split('/').pop()}`);
    return [200, { kind: 'Status', status: 'Success' }];
  });
  return state;
}
