// The Gateway API check of `kdiag check`: the rules of `kdiag gateway` over the run's
// snapshot and the objects the shared loader read (src/cluster/gateway.ts), scoped the same
// way. Without the Gateway API installed it passes silently.
import type { Check } from '../checks/types.js';
import { analyzeGateways, scopedGatewayFindings } from './analyze.js';
import { emptyGatewayObjects } from './types.js';

export const gatewayCheck: Check = {
  id: 'gateway',
  title: 'Gateway API routing and TLS',
  requires: ['services', 'pods'],
  // Without EndpointSlices (or Secrets) the check still runs and marks those parts not checked.
  optional: ['endpointslices', 'tlssecrets', 'namespaces', 'ingresses', 'ingressclasses'],
  extras: ['gateway'],
  skippedWithout: {
    gatewayclasses: "GatewayClass checks (KD7001) and the class controller's view of each Gateway",
    namespaces: 'listeners that admit routes by namespace labels (allowedRoutes.namespaces.from: Selector)',
    ingressclasses: 'Ingresses served by the retired ingress-nginx (KD7030)',
  },
  run: (snapshot, options) => {
    const objects = snapshot.gateway ?? emptyGatewayObjects({ unavailable: { reason: 'absent', message: 'Gateway API objects were not loaded' } });
    return scopedGatewayFindings(analyzeGateways(snapshot, objects, options), snapshot.namespace).findings;
  },
};
