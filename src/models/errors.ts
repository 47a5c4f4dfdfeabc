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
  | 'aborted';

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
