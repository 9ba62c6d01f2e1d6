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
 * An expected failure: printed as one sentence (no stack trace) and exits 2.
 * `detail` is shown only with --debug, already redacted.
 */
export class KdiagError extends Error {
  readonly exitCode: number;
  readonly detail?: string;
  /** The API's HTTP status when the failure was an API answer (403: forbidden, 404: not found). */
  readonly status?: number;

  constructor(message: string, options: { detail?: string; exitCode?: number; cause?: unknown; status?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'KdiagError';
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
    this.detail = options.detail;
    this.status = options.status;
  }
}

/** Whether `err` is the API refusing a request (403 Forbidden): kdiag may not read something. */
export function isForbidden(err: unknown): err is KdiagError {
  return err instanceof KdiagError && err.status === 403;
}

/** Raised for bad flags or arguments: nothing was sent to the cluster. */
export class UsageError extends KdiagError {
  constructor(message: string) {
    super(message);
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
