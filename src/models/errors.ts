/** Provider failures, classified so the runner can tell infrastructure trouble from model behaviour. */
export type ProviderErrorKind =
  | 'auth'
  | 'rate-limit'
  | 'server'
  | 'connection'
  | 'timeout'
  | 'bad-request'
  | 'model-missing'
  | 'malformed-response'
  | 'aborted'
  /** `--cache replay`: no recorded response for the request (an infrastructure error, never retried). */
  | 'cache-miss';

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set([
  'rate-limit',
  'server',
  'connection',
  'timeout',
  'malformed-response',
]);

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly options: { status?: number; retryAfterMs?: number; attempts?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

/**
 * Parses a Retry-After header: delta seconds ("2", "0.5") or an HTTP date. Also accepts the
 * `retry-after-ms` extension some gateways send. Returns milliseconds, or undefined.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  valueMs?: string | null,
  now: number = Date.now(),
): number | undefined {
  if (valueMs) {
    const ms = Number(valueMs);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  if (!value) return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Classifies an HTTP error status the same way for every provider: 401/403 auth, 404 model missing,
 * 408 timeout, 429 rate limit, 529 overloaded and other 5xx server errors (all retryable but auth and
 * 404), anything else a rejected request.
 */
export function errorFromStatus(
  status: number,
  detail: string,
  extra: { retryAfterMs?: number; cause?: unknown } = {},
): ProviderError {
  const options = { status, ...extra };
  if (status === 401 || status === 403) return new ProviderError('auth', `authentication failed (${status}): ${detail}`, options);
  if (status === 404) return new ProviderError('model-missing', `model or endpoint not found (404): ${detail}`, options);
  if (status === 408) return new ProviderError('timeout', `server timed out (408): ${detail}`, options);
  if (status === 429) return new ProviderError('rate-limit', `rate limited (429): ${detail}`, options);
  if (status === 529) return new ProviderError('server', `overloaded (529): ${detail}`, options);
  if (status >= 500) return new ProviderError('server', `server error (${status}): ${detail}`, options);
  return new ProviderError('bad-request', `request rejected (${status}): ${detail}`, options);
}

/** A failure without an HTTP status: unparseable JSON is a malformed response, anything else a connection error. */
export function errorWithoutStatus(error: unknown): ProviderError {
  if (error instanceof SyntaxError) return new ProviderError('malformed-response', `malformed response: ${error.message}`, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError('connection', message, { cause: error });
}
