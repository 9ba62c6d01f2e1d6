// What the Gateway API analysis hands out: per GatewayClass, Gateway (with its listeners)
// and route (with its parents and backends). Types only.
import type { TlsStatus } from '../checks/ingress-tls.js';
import type { Finding } from '../report/types.js';

export type ResultStatus = 'OK' | 'WARNING' | 'ERROR';
export type RouteKind = 'HTTPRoute' | 'GRPCRoute';

export interface ListenerResult {
  name: string;
  port: number;
  protocol: string;
  hostname: string;
  /** status.listeners[].attachedRoutes as the controller counts them. */
  attachedRoutes?: number;
  /** Routes in view that kdiag finds attached (namespace/name). */
  routes: string[];
  conditions: string;
  tls?: { secrets: { secret: string; status: TlsStatus | 'missing' | 'not permitted'; summary: string; daysLeft?: number }[] };
}

export interface GatewayResult {
  namespace: string;
  name: string;
  class: string;
  controller?: string;
  accepted: string;
  programmed: string;
  addresses: string[];
  listeners: ListenerResult[];
  status: ResultStatus;
  findings: Finding[];
}

export type BackendStatus = 'OK' | 'NO SERVICE' | 'NO PORT' | 'NO ENDPOINTS' | 'NOT PERMITTED' | 'INVALID KIND' | 'EXTERNAL' | 'NOT CHECKED';

export interface BackendResult {
  /** `ns/name:port` (Service) or `Kind/name`. */
  backend: string;
  namespace: string;
  name: string;
  kind: string;
  port?: number;
  weight: number;
  status: BackendStatus;
  ready: number;
  total: number;
  cause?: string;
}

export interface ParentResult {
  gateway: string;
  sectionName?: string;
  accepted: string;
  resolvedRefs: string;
  /** Listeners kdiag finds the route attached to. */
  listeners: string[];
}

export interface RouteResult {
  namespace: string;
  name: string;
  kind: RouteKind;
  hostnames: string[];
  parents: ParentResult[];
  rules: { name?: string; backends: BackendResult[] }[];
  backends: { ready: number; total: number };
  status: ResultStatus;
  findings: Finding[];
}

export interface GatewayClassResult {
  name: string;
  controller: string;
  accepted: string;
}

export interface GatewayAnalysis {
  classes: GatewayClassResult[];
  gateways: GatewayResult[];
  routes: RouteResult[];
  /** Findings not tied to one Gateway or route (GatewayClasses, Ingresses, skipped checks). */
  global: Finding[];
  findings: Finding[];
}
