// Permissions (KD6001) and kdiag trace (KD6010, KD6011) with the hostile value in namespaces,
// Service and Pod names, labels and policy names.
import { missingPermissionFinding, skippedPartFindings } from '../../../src/checks/permissions.js';
import { disagreementFinding } from '../../../src/engine/trace-probe.js';
import { traceService } from '../../../src/trace/trace.js';
import type { V1Pod } from '@kubernetes/client-node';
import { fixtureSnapshot, type K8sObject } from '../../support/fixtures.js';
import { world } from './probes.js';
import { nameOf, type HostileScenario } from './types.js';

function trace(v: string, objects: K8sObject[]) {
  const snapshot = fixtureSnapshot(objects);
  const ns = nameOf(v);
  const dnsPods = snapshot.pods.filter((p: V1Pod) => p.metadata?.namespace === 'kube-system');
  return traceService(
    snapshot,
    { url: `http://${ns}.${ns}/${v}`, scheme: 'http', host: `${ns}.${ns}`, port: 80, explicitPort: false, path: `/${v}`, service: { name: ns, namespace: ns } },
    { controllerPods: [], dnsPods, certWarnDays: 14 },
  ).findings;
}

const COREDNS: K8sObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'coredns-1', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
  spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] }] },
  status: { phase: 'Running', podIP: '10.244.0.2', conditions: [{ type: 'Ready', status: 'True' }] },
};

export const clusterScenarios: HostileScenario[] = [
  {
    name: 'missing permissions in a namespace and cluster-wide',
    codes: ['KD6001'],
    run: (v) => [
      missingPermissionFinding({ verb: 'list', resource: 'secrets', group: '', namespace: nameOf(v), neededBy: ['ingress', v] }),
      missingPermissionFinding({ verb: 'get', resource: 'pods', subresource: 'log', group: '', namespace: nameOf(v), neededBy: ['probes'] }),
      missingPermissionFinding({ verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', neededBy: ['endpoints'] }),
    ],
  },
  {
    name: 'parts of checks skipped for a refused list, in a namespace and at cluster scope',
    codes: ['KD6006'],
    run: (v) =>
      skippedPartFindings([
        { permission: { verb: 'list', resource: 'secrets', group: '', namespace: nameOf(v) }, check: 'ingress', part: v },
        { permission: { verb: 'list', resource: 'namespaces', group: '' }, check: 'netpol', part: v },
      ]),
  },
  {
    name: 'the controller answered otherwise than predicted',
    codes: ['KD6012'],
    run: (v) => [
      disagreementFinding({
        host: nameOf(v),
        who: v,
        answer: `HTTP 404 ${v}`,
        observedPod: nameOf(v),
        predicted: v,
        diffs: [v],
        behaviour: v,
        controllerPod: { namespace: nameOf(v), labels: { app: v } },
      }),
    ],
  },
  {
    name: 'trace stops at Pods that are not ready',
    codes: ['KD6010'],
    run: (v) => trace(v, world(v, { ready: false })),
  },
  {
    name: 'trace: backend Pods without DNS egress',
    codes: ['KD6011'],
    run: (v) => {
      const ns = nameOf(v);
      const deny = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: nameOf(v, '-egress'), namespace: ns },
        spec: { podSelector: { matchLabels: { app: v } }, policyTypes: ['Egress'] },
      };
      return trace(v, [...world(v), COREDNS, deny]);
    },
  },
];
