// Maps what the client library throws to one sentence a person can act on.
// Pure: duck-types the errors so it can be tested without a cluster.
import { KdiagError, redact } from '../errors.js';

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

function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body.trim() || undefined;
    }
  }
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return undefined;
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
    const msg = statusMessage(err.body);
    switch (err.code) {
      case 401:
        return new KdiagError(
          `the API server at ${server} rejected kdiag's credentials (401 Unauthorized): the token or client certificate of this context is missing, invalid or expired`,
          { detail },
        );
      case 403:
        return new KdiagError(
          `you lack ${describeTarget(target)} (403 Forbidden): ask for a Role granting it, see deploy/rbac.yaml`,
          { detail, status: 403 },
        );
      case 404:
        if (target.namespace && (!msg || /namespaces? "?[^ ]*"? not found/.test(msg))) {
          return new KdiagError(`namespace ${target.namespace} not found`, { detail, status: 404 });
        }
        return new KdiagError(`${target.name ? `${target.resource} ${target.name}` : `the resource ${target.resource}`} not found (404)${msg ? `: ${msg}` : ''}`, { detail, status: 404 });
      case 429:
        return new KdiagError(`the API server at ${server} kept answering 429 Too Many Requests; retry later`, { detail });
      default:
        return new KdiagError(
          `the API server at ${server} answered ${err.code} to ${target.verb} ${target.resource}${msg ? `: ${msg}` : ''}`,
          { detail },
        );
    }
  }
  if (isTimeout(err)) {
    const secs = timeoutMs ? `${Math.round(timeoutMs / 100) / 10}s` : 'the time limit';
    return new KdiagError(`the API server at ${server} did not answer within ${secs} (--request-timeout)`, { detail });
  }
  const code = causeCode(err);
  if (code && TLS_CODES[code]) {
    return new KdiagError(`TLS failure talking to ${server}: ${TLS_CODES[code]} (${code}); check the kubeconfig's certificate-authority and client certificate`, { detail });
  }
  if (code && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT'))) {
    return new KdiagError(`TLS failure talking to ${server} (${code}); check the kubeconfig's certificate-authority and client certificate`, { detail });
  }
  if (code && NET_CODES[code]) {
    return new KdiagError(`cannot reach ${server} (${NET_CODES[code]}): is the cluster running and is --context right?`, { detail });
  }
  const text = err instanceof Error ? err.message : String(err);
  return new KdiagError(`request to ${server} failed: ${redact(text.split('\n')[0] ?? text)}`, { detail });
}
