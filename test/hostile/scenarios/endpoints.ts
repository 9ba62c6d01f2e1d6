// Endpoints (KD1xxx) and Service types (KD2xxx) on Services, Pods and EndpointSlices whose
// namespaces, names, selectors, labels and port names carry the hostile value.
import { analyzeEndpoints } from '../../../src/checks/endpoints.js';
import { serviceTypeFindings } from '../../../src/checks/service-types.js';
import { fixtureSnapshot, type K8sObject } from '../../support/fixtures.js';
import { nameOf, type HostileScenario } from './types.js';

const READY = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };

function pod(
  ns: string,
  name: string,
  labels: Record<string, string>,
  status: object,
  extra: { ports?: object[]; owner?: string; deleting?: boolean } = {},
): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `uid-${name}`,
      labels,
      ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: extra.owner, uid: 'rs', controller: true }] } : {}),
      ...(extra.deleting ? { deletionTimestamp: '2026-11-25T11:59:00Z' } : {}),
    },
    spec: { containers: [{ name: 'app', image: 'x', ...(extra.ports ? { ports: extra.ports } : {}) }] },
    status,
  };
}

function service(ns: string, name: string, spec: object, extra: object = {}): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, ...extra },
    spec: { clusterIP: '10.96.0.50', ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec },
  };
}

function slice(ns: string, svc: string, endpoints: object[], managedBy = 'endpointslice-controller.k8s.io'): K8sObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-x`, namespace: ns, labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': managedBy } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080 }],
    endpoints,
  };
}

/** The endpoints findings of a namespace and a Service named after the value. */
function endpointsOf(build: (ns: string, name: string, v: string) => K8sObject[]): (v: string) => ReturnType<typeof analyzeEndpoints>[number]['findings'] {
  return (v) => {
    const ns = nameOf(v);
    return analyzeEndpoints(fixtureSnapshot(build(ns, nameOf(v), v))).flatMap((r) => r.findings);
  };
}

export const endpointScenarios: HostileScenario[] = [
  {
    name: 'selector value, nearest Pod labels',
    codes: ['KD1001'],
    run: endpointsOf((ns, name, v) => [service(ns, name, { selector: { app: v } }), pod(ns, nameOf(v, '-1'), { app: `${v}-server` }, READY)]),
  },
  {
    name: 'selector value, no Pod with its key',
    codes: ['KD1001'],
    run: endpointsOf((ns, name, v) => [service(ns, name, { selector: { app: v, [`tier`]: v } }), pod(ns, nameOf(v, '-1'), { app: `${v}-server` }, READY)]),
  },
  ...['CrashLoopBackOff', 'ImagePullBackOff', 'Pending', 'readiness', 'Other'].map((reason): HostileScenario => ({
    name: `Pod name, not Ready (${reason})`,
    codes: ['KD1002'],
    run: endpointsOf((ns, name, v) => {
      const waiting = reason === 'readiness' ? { running: {} } : { waiting: { reason, message: v } };
      const phase = reason === 'Pending' || reason === 'ImagePullBackOff' ? 'Pending' : 'Running';
      return [
        service(ns, name, { selector: { app: v } }),
        pod(ns, nameOf(v), { app: v }, { phase, containerStatuses: [{ name: 'app', ready: false, restartCount: 1, state: waiting, image: 'x', imageID: '' }] }),
      ];
    }),
  })),
  {
    name: 'completed Pods',
    codes: ['KD1003'],
    run: endpointsOf((ns, name, v) => [
      service(ns, name, { selector: { app: v } }),
      pod(ns, nameOf(v), { app: v }, { phase: 'Succeeded', reason: v, message: v }),
    ]),
  },
  {
    name: 'terminating Pods',
    codes: ['KD1004'],
    run: endpointsOf((ns, name, v) => [service(ns, name, { selector: { app: v } }), pod(ns, nameOf(v), { app: v }, READY, { deleting: true })]),
  },
  {
    name: 'named targetPort',
    codes: ['KD1005', 'KD2005'],
    run: (v) => {
      const ns = nameOf(v);
      const objects = [
        service(ns, nameOf(v), { selector: { app: v }, ports: [{ name: 'http', port: 80, targetPort: nameOf(v, 'p') }] }),
        pod(ns, nameOf(v), { app: v }, READY),
      ];
      return [...analyzeEndpoints(fixtureSnapshot(objects)).flatMap((r) => r.findings), ...serviceTypeFindings(fixtureSnapshot(objects))];
    },
  },
  {
    name: 'named targetPort of one port of two',
    codes: ['KD1005'],
    run: endpointsOf((ns, name, v) => [
      service(ns, name, {
        selector: { app: v },
        ports: [
          { name: 'http', port: 80, targetPort: 8080 },
          { name: 'admin', port: 81, targetPort: nameOf(v, 'p') },
        ],
      }),
      pod(ns, nameOf(v), { app: v }, READY),
      pod(ns, nameOf(v, '-2'), { app: v }, READY),
      slice(ns, name, [
        { addresses: ['10.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: nameOf(v), uid: 'a' } },
        { addresses: ['10.0.0.2'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: nameOf(v, '-2'), uid: 'b' } },
      ]),
    ]),
  },
  {
    name: 'Service without selector or endpoints',
    codes: ['KD1006'],
    run: endpointsOf((ns, name) => [service(ns, name, {})]),
  },
  {
    name: 'manual EndpointSlice, none ready',
    codes: ['KD1007'],
    run: endpointsOf((ns, name) => [service(ns, name, {}), slice(ns, name, [{ addresses: ['10.0.0.1'], conditions: { ready: false } }], 'staff')]),
  },
  ...[nameOf, (_v: string) => undefined as unknown as string].map((owner, i): HostileScenario => ({
    name: i === 0 ? 'one endpoint, ReplicaSet owner' : 'one endpoint, bare Pod',
    codes: ['KD1008'],
    run: endpointsOf((ns, name, v) => [
      service(ns, name, { selector: { app: v } }),
      pod(ns, nameOf(v), { app: v, 'pod-template-hash': v }, READY, { owner: owner(v) ? `${owner(v)}-${v}` : undefined }),
      slice(ns, name, [{ addresses: ['10.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: nameOf(v), uid: 'a' } }]),
    ]),
  })),
  {
    name: 'ready Pods not published',
    codes: ['KD1009'],
    run: endpointsOf((ns, name, v) => [service(ns, name, { selector: { app: v } }), pod(ns, nameOf(v), { app: v }, READY)]),
  },
];

export const serviceTypeScenarios: HostileScenario[] = [
  {
    name: 'NodePort, LoadBalancer without address, two HTTP load balancers',
    codes: ['KD2001', 'KD2002', 'KD2003', 'KD2004'],
    run: (v) => {
      const ns = nameOf(v, '-prod');
      const objects = [
        service(ns, nameOf(v, '-np'), { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }] }),
        service(ns, nameOf(v), { type: 'LoadBalancer', loadBalancerClass: v }, { creationTimestamp: '2026-11-25T10:00:00Z' }),
        service(ns, nameOf(v, '-2'), { type: 'LoadBalancer' }, { creationTimestamp: '2026-11-25T10:00:00Z' }),
      ];
      return serviceTypeFindings(fixtureSnapshot(objects));
    },
  },
  {
    name: 'LoadBalancer being provisioned',
    codes: ['KD2006'],
    run: (v) => serviceTypeFindings(fixtureSnapshot([service(nameOf(v), nameOf(v), { type: 'LoadBalancer' }, { creationTimestamp: '2026-11-25T11:59:00Z' })])),
  },
];
