// A small namespace for probe tests: Service `cart` (ClusterIP 10.96.5.5, port 80 → the named
// container port `http`) selecting two Ready pods cart-0 and cart-1 (10.244.0.10 and .11, port
// 8080) on node kdiag-node, and the EndpointSlice the controller would write for them.
import type { K8sObject } from './fixtures.js';

export function cartCluster({
  namespace = 'shop',
  portName = 'web',
  extra = [],
}: { namespace?: string; portName?: string; extra?: K8sObject[] } = {}): K8sObject[] {
  const pods: K8sObject[] = [0, 1].map((i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `cart-${i}`, namespace, labels: { app: 'cart' } },
    spec: { nodeName: 'kdiag-node', containers: [{ name: 'c', image: 'backend', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: `10.244.0.${10 + i}`, conditions: [{ type: 'Ready', status: 'True' }] },
  }));
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'kubernetes.io/metadata.name': namespace } } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart', namespace },
      spec: { clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], selector: { app: 'cart' }, ports: [{ name: portName, port: 80, targetPort: 'http' }] },
    },
    ...pods,
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'cart-x', namespace, labels: { 'kubernetes.io/service-name': 'cart' } },
      addressType: 'IPv4',
      ports: [{ name: portName, port: 8080, protocol: 'TCP' }],
      endpoints: [0, 1].map((i) => ({
        addresses: [`10.244.0.${10 + i}`],
        conditions: { ready: true },
        nodeName: 'kdiag-node',
        targetRef: { kind: 'Pod', name: `cart-${i}`, namespace },
      })),
    },
    ...extra,
  ];
}
