// Splits fixture objects into the snapshot's kinds and the Gateway API objects.
import { emptyGatewayObjects, type Gateway, type GatewayClass, type GatewayObjects, type ReferenceGrant, type Route } from '../../src/gateway/types.js';
import type { Snapshot } from '../../src/snapshot.js';
import { fixtureSnapshot, type K8sObject } from '../support/fixtures.js';

export const GATEWAY_KINDS = ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant'];

export function gatewayObjects(objects: readonly K8sObject[], partial: Partial<GatewayObjects> = {}): GatewayObjects {
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const gatewayClasses: GatewayClass[] = of('GatewayClass');
  const gateways: Gateway[] = of('Gateway');
  const httpRoutes: Route[] = of('HTTPRoute');
  const grpcRoutes: Route[] = of('GRPCRoute');
  const referenceGrants: ReferenceGrant[] = of('ReferenceGrant');
  return emptyGatewayObjects({ gatewayClasses, gateways, httpRoutes, grpcRoutes, referenceGrants, ...partial });
}

export function gatewaySnapshot(objects: readonly K8sObject[], partial: Partial<Snapshot> = {}): Snapshot {
  return fixtureSnapshot(
    objects.filter((o) => !GATEWAY_KINDS.includes(o.kind)),
    partial,
  );
}
