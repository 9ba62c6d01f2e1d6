// The Gateway API check of `kdiag check`: the analysis of `kdiag gateway` over the run's
// snapshot. Without the Gateway API installed it passes silently.
import { analyzeGateways } from './analyze.js';
import { emptyGatewayObjects } from './types.js';
import type { Check } from '../checks/types.js';

export const gatewayCheck: Check = {
  id: 'gateway',
  title: 'Gateway API routing and TLS',
  requires: ['services', 'pods'],
  // Without EndpointSlices (or Secrets) the check still runs and marks those parts not checked.
  optional: ['endpointslices', 'tlssecrets', 'namespaces', 'ingresses', 'ingressclasses'],
  extras: ['gateway'],
  skippedWithout: {
    gatewayclasses: 'GatewayClass checks (KD7001) and the class controller\'s view of each Gateway',
    namespaces: 'listeners that admit routes by namespace labels (allowedRoutes.namespaces.from: Selector)',
    ingressclasses: 'Ingresses served by the retired ingress-nginx (KD7030)',
  },
  run: (snapshot, options) => {
    const objects = snapshot.gateway ?? emptyGatewayObjects({ unavailable: { reason: 'absent', message: 'Gateway API objects were not loaded' } });
    const a = analyzeGateways(snapshot, objects, options);
    if (snapshot.namespace === undefined) return a.findings;
    // With -n: the namespace's Gateways and the Gateways its routes attach to, not every Gateway listed on the way.
    const parents = new Set(a.routes.flatMap((r) => r.parents.map((p) => p.gateway)));
    const gateways = a.gateways.filter((g) => g.namespace === snapshot.namespace || parents.has(`${g.namespace}/${g.name}`));
    return [...a.global, ...gateways.flatMap((g) => g.findings), ...a.routes.filter((r) => r.namespace === snapshot.namespace).flatMap((r) => r.findings)];
  },
};
