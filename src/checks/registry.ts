// Every check `kdiag check` can run, in runbook order. Loaded lazily by the command.
import type { Check } from './types.js';

export async function loadChecks(): Promise<Check[]> {
  const [endpoints, serviceTypes, ingress, netpol, clusterDns] = await Promise.all([
    import('./endpoints.js'),
    import('./service-types.js'),
    import('./ingress.js'),
    import('./netpol.js'),
    import('./cluster-dns.js'),
  ]);
  const gateway = await import('./gateway.js');
  return [endpoints.endpointsCheck, serviceTypes.serviceTypesCheck, ingress.ingressCheck, gateway.gatewayCheck, netpol.netpolCheck, clusterDns.clusterDnsCheck];
}
