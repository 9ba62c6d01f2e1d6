// Splits fixture objects into the snapshot's kinds and the Gateway API objects.
import { emptyGatewayObjects, type GatewayObjects } from '../../src/gateway/types.js';
import type { Snapshot } from '../../src/snapshot.js';
import { fixtureSnapshot, type K8sObject } from '../support/fixtures.js';

export const GATEWAY_KINDS = ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant'];

export function gatewayObjects(objects: readonly K8sObject[], partial: Partial<GatewayObjects> = {}): GatewayObjects {
  const of = (kind: string) => objects.filter((o) => o.kind === kind) as never[];
  return emptyGatewayObjects({ gatewayClasses: of('GatewayClass'), gateways: of('Gateway'), httpRoutes: of('HTTPRoute'), grpcRoutes: of('GRPCRoute'), referenceGrants: of('ReferenceGrant'), ...partial });
}

export function gatewaySnapshot(objects: readonly K8sObject[], partial: Partial<Snapshot> = {}): Snapshot {
  return fixtureSnapshot(objects.filter((o) => !GATEWAY_KINDS.includes(o.kind)), partial);
}
