// Exit codes are part of the contract (README, --help):
//   0  nothing at or above --fail-on
//   1  findings at or above --fail-on
//   2  kdiag could not do its job (bad input, kubeconfig, unreachable or refusing API)
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_FAILURE = 2;

export const EXIT_CODES_HELP = [
  ['0', 'no finding at or above --fail-on (default: error)'],
  ['1', 'findings at or above --fail-on'],
  ['2', 'kdiag could not do its job: bad flags or arguments, unreadable kubeconfig, API unreachable, TLS failure, 401/403'],
] as const;

/**
 * Why kdiag failed, for callers to test (never the message text). When the API answered, the
 * Kubernetes Status reason (`Forbidden`, `NotFound`, `Unauthorized`, `TooManyRequests`, …);
 * when it did not, kdiag's own: `Unreachable` (connection failed), `Timeout` (no answer in
 * time), `TLSFailure`, `RequestFailed` (anything else on the way); `Usage` for bad input.
 */
export type ErrorReason =
  'Unauthorized' | 'Forbidden' | 'NotFound' | 'TooManyRequests' | 'Unreachable' | 'Timeout' | 'TLSFailure' | 'RequestFailed' | 'Usage' | (string & {});

/** What the API's Status says the failure was about (e.g. `{ kind: 'namespaces', name: 'prod' }`). */
export interface ErrorDetails {
  kind?: string;
  name?: string;
  group?: string;
}

export interface KdiagErrorOptions {
  detail?: string;
  exitCode?: number;
  cause?: unknown;
  /** HTTP status code of the API's answer, when there was one. */
  status?: number;
  reason?: ErrorReason;
  details?: ErrorDetails;
}

/**
 * An expected failure: printed as one sentence (no stack trace) and exits 2.
 * `detail` is shown only with --debug, already redacted.
 */
export class KdiagError extends Error {
  readonly exitCode: number;
  readonly detail?: string;
  readonly status?: number;
  readonly reason?: ErrorReason;
  readonly details?: ErrorDetails;

  constructor(message: string, options: KdiagErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'KdiagError';
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
    this.detail = options.detail;
    this.status = options.status;
    this.reason = options.reason;
    this.details = options.details;
  }
}

/** The API refused kdiag (RBAC): 403. */
export function isForbidden(err: unknown): err is KdiagError {
  return err instanceof KdiagError && (err.reason === 'Forbidden' || err.status === 403);
}

/** The object, resource or namespace does not exist: 404. */
export function isNotFound(err: unknown): err is KdiagError {
  return err instanceof KdiagError && (err.reason === 'NotFound' || err.status === 404);
}

/** The namespace itself (`namespace`, when given) does not exist. */
export function isNamespaceNotFound(err: unknown, namespace?: string): err is KdiagError {
  return isNotFound(err) && err.details?.kind === 'namespaces' && (namespace === undefined || err.details.name === namespace);
}

/** Raised for bad flags or arguments: nothing was sent to the cluster. */
export class UsageError extends KdiagError {
  constructor(message: string) {
    super(message, { reason: 'Usage' });
    this.name = 'UsageError';
  }
}

/** Bearer tokens, client keys and certificate data never reach the terminal, even with --debug. */
export function redact(text: string): string {
  return text
    .replace(/(authorization["']?\s*[:=]\s*["']?)(bearer|basic)\s+[^\s"',}]+/gi, '$1$2 [REDACTED]')
    .replace(/\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [REDACTED]')
    .replace(/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, '[REDACTED PRIVATE KEY]')
    .replace(/((?:client-key-data|client-certificate-data|token|password|keyData|certData)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1[REDACTED]');
}
