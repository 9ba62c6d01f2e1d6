// Every check `kdiag check` can run, in runbook order. Loaded lazily by the command.
import type { Check } from '../checks/types.js';

export async function loadChecks(): Promise<Check[]> {
  const [endpoints, serviceTypes, ingress, netpol, clusterDns] = await Promise.all([
    import('../checks/endpoints.js'),
    import('../checks/service-types.js'),
    import('../checks/ingress.js'),
    import('../checks/netpol.js'),
    import('../checks/cluster-dns.js'),
  ]);
  const [gateway, dataplane] = await Promise.all([import('../gateway/check.js'), import('../dataplane/check.js')]);
  return [
    endpoints.endpointsCheck,
    serviceTypes.serviceTypesCheck,
    ingress.ingressCheck,
    gateway.gatewayCheck,
    netpol.netpolCheck,
    clusterDns.clusterDnsCheck,
    dataplane.dataplaneCheck,
  ];
}
