import { describe, expect, it } from '@jest/globals';
import { GATEWAY_RESOURCES } from '../../src/cluster/gateway.js';
import { watchPath } from '../../src/cluster/watch.js';

describe('watch paths', () => {
  it('kinds: core and grouped, namespaced or cluster-wide', () => {
    expect(watchPath('services', 'production')).toBe('/api/v1/namespaces/production/services');
    expect(watchPath('services')).toBe('/api/v1/services');
    expect(watchPath('endpointslices', 'production')).toBe('/apis/discovery.k8s.io/v1/namespaces/production/endpointslices');
    expect(watchPath('namespaces', 'production')).toBe('/api/v1/namespaces');
  });

  it('Gateway API resources: their group and version; GatewayClasses are cluster-scoped', () => {
    expect(GATEWAY_RESOURCES.map((r) => watchPath(r, 'infra'))).toEqual([
      '/apis/gateway.networking.k8s.io/v1/gatewayclasses',
      '/apis/gateway.networking.k8s.io/v1/namespaces/infra/gateways',
      '/apis/gateway.networking.k8s.io/v1/namespaces/infra/httproutes',
      '/apis/gateway.networking.k8s.io/v1/namespaces/infra/grpcroutes',
      '/apis/gateway.networking.k8s.io/v1/namespaces/infra/referencegrants',
      '/apis/gateway.networking.k8s.io/v1beta1/namespaces/infra/referencegrants',
    ]);
  });
});
