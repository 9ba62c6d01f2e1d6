// The catalogue of finding codes. Codes are stable: never renumber, only add.
// Each code has docs/checks/<CODE>.md (a test keeps the two in step).
// Ranges: KD1xxx endpoints, KD2xxx services, KD3xxx ingress, KD4xxx netpol,
// KD5xxx DNS and probes, KD6xxx cluster and permissions, KD7xxx gateway.
import type { Severity } from './types.js';

export interface CodeInfo {
  check: string;
  severity: Severity;
  title: string;
}

export const CODES = {
  KD1001: { check: 'endpoints', severity: 'error', title: 'Service selector matches no Pod' },
  KD1002: { check: 'endpoints', severity: 'error', title: 'Pods match the selector but none is Ready' },
  KD1003: { check: 'endpoints', severity: 'error', title: 'Only completed Pods match the selector' },
  KD1004: { check: 'endpoints', severity: 'error', title: 'Only terminating Pods match the selector' },
  KD1005: { check: 'endpoints', severity: 'error', title: 'Named targetPort not declared by the selected Pods' },
  KD1006: { check: 'endpoints', severity: 'error', title: 'Service has no selector and no manual endpoints' },
  KD1007: { check: 'endpoints', severity: 'error', title: 'Manually managed endpoints, none ready' },
  KD1008: { check: 'endpoints', severity: 'warning', title: 'Only one ready endpoint (no redundancy)' },
  KD1009: { check: 'endpoints', severity: 'warning', title: 'Ready Pods not published as endpoints' },
  KD2001: { check: 'service-types', severity: 'warning', title: 'NodePort Service outside a dev/test namespace' },
  KD2002: { check: 'service-types', severity: 'error', title: 'LoadBalancer Service has no external address' },
  KD2003: { check: 'service-types', severity: 'info', title: 'Several LoadBalancer Services serve HTTP in one namespace' },
  KD2004: { check: 'service-types', severity: 'info', title: 'externalTrafficPolicy trade-off' },
  KD2005: { check: 'service-types', severity: 'warning', title: 'targetPort names no port of the selected Pods' },
  KD2006: { check: 'service-types', severity: 'info', title: 'LoadBalancer Service still provisioning' },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export function codeInfo(code: string): CodeInfo | undefined {
  return (CODES as Record<string, CodeInfo>)[code];
}
