// The data of the Ingress analysis: what the loaders hand in (IngressInputs) and what the
// rules hand out per Ingress (IngressResult, its routing tree and TLS). Types only.
import type { Finding } from '../report/types.js';
import type { CertificateInfo, TlsSecretResult, TlsStatus } from './ingress-tls.js';

export type { CertManagerObjects, IngressInputs } from '../snapshot.js';

export type BackendStatus = 'OK' | 'NO ENDPOINTS' | 'NO SERVICE' | 'NO PORT' | 'EXTERNAL' | 'RESOURCE';

export interface BackendNode {
  /** `service:port` or `Kind/name`. */
  backend: string;
  kind: 'service' | 'resource';
  service?: string;
  /** The port as the Ingress names it (number or name). */
  port?: string;
  /** The Service port it resolves to, and that port's targetPort. */
  servicePort?: number;
  targetPort?: string;
  status: BackendStatus;
  /** Endpoints ready on that port, and all endpoints of the Service. */
  ready: number;
  total: number;
  cause?: string;
}

export interface PathNode {
  path: string;
  pathType: string;
  backend: BackendNode;
}

export interface HostTls {
  secretName: string;
  status: TlsStatus;
  summary: string;
  daysLeft?: number;
  certificate?: CertificateInfo;
}

export interface HostNode {
  /** The rule's host, `*` for a rule without host. */
  host: string;
  tls?: HostTls;
  paths: PathNode[];
}

export type TlsSecretSummary = Omit<TlsSecretResult, 'problems' | 'uncoveredHosts'> & { hosts: string[] };

export interface IngressTlsResult {
  status: TlsStatus | 'none';
  summary: string;
  minDaysLeft?: number;
  secrets: TlsSecretSummary[];
}

export interface IngressResult {
  namespace: string;
  name: string;
  /** The IngressClass in effect (asked for, or the default), null when none. */
  class: string | null;
  classSource: 'spec' | 'annotation' | 'default' | 'none';
  controller?: string;
  /** "1/1 ready", "not running", "unknown". */
  controllerStatus?: string;
  address: string[];
  hosts: string[];
  tls: IngressTlsResult;
  backends: { ready: number; total: number };
  status: 'OK' | 'WARNING' | 'ERROR';
  tree: { hosts: HostNode[]; defaultBackend?: BackendNode };
  findings: Finding[];
}

export interface IngressAnalysis {
  ingresses: IngressResult[];
  /** Findings not tied to one Ingress (two default classes, cert-manager absent, TLS skipped). */
  global: Finding[];
  findings: Finding[];
}
