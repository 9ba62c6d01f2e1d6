// Maps what the client library throws to one sentence a person can act on.
// Pure: duck-types the errors so it can be tested without a cluster.
import { KdiagError, redact, type ErrorDetails, type ErrorReason } from '../errors.js';

export interface RequestTarget {
  verb: string;
  resource: string;
  group?: string;
  namespace?: string;
  name?: string;
}

export interface ApiLikeError {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function isApiError(err: unknown): err is ApiLikeError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number' && 'body' in err;
}

/** The API's Status object (kind: Status) from an error body, parsed when it came as text. */
interface ApiStatus {
  message?: string;
  reason?: string;
  details?: ErrorDetails;
}

function apiStatus(body: unknown): ApiStatus {
  if (typeof body === 'string') {
    try {
      return apiStatus(JSON.parse(body));
    } catch {
      return { message: body.trim() || undefined };
    }
  }
  if (!body || typeof body !== 'object') return {};
  const b = body as { message?: unknown; reason?: unknown; details?: unknown };
  const details = b.details && typeof b.details === 'object' ? (b.details as Record<string, unknown>) : undefined;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    message: text(b.message),
    reason: text(b.reason),
    details: details ? { kind: text(details.kind), name: text(details.name), group: text(details.group) } : undefined,
  };
}

/** The reason of each HTTP code when the Status gives none (401, 403, 404 and 429 always mean these). */
const REASON_BY_CODE: Record<number, ErrorReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};
const DECIDED_BY_CODE = new Set([401, 403, 404, 429]);

/** The Kubernetes Status reason of an API answer (e.g. 409 is AlreadyExists or Conflict, as the Status says). */
export function apiReason(code: number, body?: unknown): ErrorReason {
  if (DECIDED_BY_CODE.has(code)) return REASON_BY_CODE[code]!;
  return apiStatus(body).reason ?? REASON_BY_CODE[code] ?? 'Unknown';
}

const TLS_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate chain is not signed by the certificate-authority in the kubeconfig',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is not signed by the certificate-authority in the kubeconfig',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server certificate is not signed by the certificate-authority in the kubeconfig',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  CERT_NOT_YET_VALID: 'the server certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not name this address',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the server does not trust the client certificate (unknown CA)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the server rejected the client certificate',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'the server rejected the client certificate as expired',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the server requires a client certificate',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server does not speak TLS on this port',
  EPROTO: 'the TLS handshake failed',
};

const NET_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
};

/** The deepest `code` in an error's cause chain (undici wraps the socket error in `fetch failed`). */
export function causeCode(err: unknown): string | undefined {
  let found: string | undefined;
  let cur: unknown = err;
  for (let depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') found = code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return found;
}

export function isTimeout(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
    const name = (cur as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

export function isRetryable(err: unknown): boolean {
  if (isApiError(err)) return err.code === 429 || (err.code >= 500 && err.code !== 501);
  const code = causeCode(err);
  return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
}

function describeTarget(t: RequestTarget): string {
  const resource = t.group ? `${t.resource}.${t.group}` : t.resource;
  const where = t.namespace ? ` in namespace ${t.namespace}` : t.name || t.verb === 'create' ? '' : ' at cluster scope';
  return `\`${t.verb}\` on \`${resource}\`${t.name ? ` (${t.name})` : ''}${where}`;
}

/** The error and its causes, for --debug. */
export function describeChain(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 6; depth++) {
    parts.push(cur instanceof Error ? `${depth ? 'caused by: ' : ''}${cur.stack ?? cur.message}` : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join('\n');
}

export function toKdiagError(err: unknown, server: string, target: RequestTarget, timeoutMs?: number): KdiagError {
  if (err instanceof KdiagError) return err;
  const detail = redact(describeChain(err));
  if (isApiError(err)) {
    const status = apiStatus(err.body);
    const msg = status.message;
    const facts = { detail, status: err.code, reason: apiReason(err.code, err.body), details: status.details };
    switch (err.code) {
      case 401:
        return new KdiagError(
          `the API server at ${server} rejected kdiag's credentials (401 Unauthorized): the token or client certificate of this context is missing, invalid or expired`,
          facts,
        );
      case 403:
        return new KdiagError(`you lack ${describeTarget(target)} (403 Forbidden): ask for a Role granting it, see deploy/rbac.yaml`, facts);
      case 404:
        // The API names the missing namespace in the Status details; an empty 404 on a namespaced request means the same.
        if (target.namespace && (status.details?.kind === 'namespaces' || !msg)) {
          return new KdiagError(`namespace ${target.namespace} not found`, { ...facts, details: { kind: 'namespaces', name: target.namespace } });
        }
        return new KdiagError(
          `${target.name ? `${target.resource} ${target.name}` : `the resource ${target.resource}`} not found (404)${msg ? `: ${msg}` : ''}`,
          facts,
        );
      case 429:
        return new KdiagError(`the API server at ${server} kept answering 429 Too Many Requests; retry later`, facts);
      default:
        return new KdiagError(`the API server at ${server} answered ${err.code} to ${target.verb} ${target.resource}${msg ? `: ${msg}` : ''}`, facts);
    }
  }
  if (isTimeout(err)) {
    const secs = timeoutMs ? `${Math.round(timeoutMs / 100) / 10}s` : 'the time limit';
    return new KdiagError(`the API server at ${server} did not answer within ${secs} (--request-timeout)`, { detail, reason: 'Timeout' });
  }
  const code = causeCode(err);
  if (code && TLS_CODES[code]) {
    return new KdiagError(
      `TLS failure talking to ${server}: ${TLS_CODES[code]} (${code}); check the kubeconfig's certificate-authority and client certificate`,
      {
        detail,
        reason: 'TLSFailure',
      },
    );
  }
  if (code && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT'))) {
    return new KdiagError(`TLS failure talking to ${server} (${code}); check the kubeconfig's certificate-authority and client certificate`, {
      detail,
      reason: 'TLSFailure',
    });
  }
  if (code && NET_CODES[code]) {
    return new KdiagError(`cannot reach ${server} (${NET_CODES[code]}): is the cluster running and is --context right?`, { detail, reason: 'Unreachable' });
  }
  const text = err instanceof Error ? err.message : String(err);
  return new KdiagError(`request to ${server} failed: ${redact(text.split('\n')[0] ?? text)}`, { detail, reason: 'RequestFailed' });
}
