import type { ProviderError } from './errors.js';

/** Socket errors that mean nothing answers at the address: refused, no route, no such host. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether a failed attempt never reached the server (walks `cause` and AggregateError's `errors`). */
export function isUnreachable(error: ProviderError): boolean {
  if (error.kind !== 'connection') return false;
  const seen = new Set<unknown>();
  const pending: unknown[] = [error.cause];
  while (pending.length) {
    const current = pending.pop();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    pending.push(cause);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return false;
}

/**
 * A per-run circuit breaker: once every model request for `windowMs` has failed to connect (and none
 * got any answer, even an error status, in between), it calls `onUnreachable` once. The run then
 * stops its remaining tasks instead of retrying each of them against a server that is down.
 * Recording an outcome is a comparison and an assignment: no timers, nothing on the success path
 * beyond clearing a field.
 */
export class EndpointHealth {
  private failingSince: number | undefined;
  private tripped = false;

  constructor(
    readonly endpoint: string,
    private readonly windowMs: number,
    private readonly onUnreachable: (endpoint: string, failingForMs: number) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A request got an answer (any status): the endpoint is reachable. */
  reached(): void {
    this.failingSince = undefined;
  }

  /** A request could not connect. */
  unreachable(): void {
    const now = this.now();
    if (this.failingSince === undefined) {
      this.failingSince = now;
      return;
    }
    const failingFor = now - this.failingSince;
    if (!this.tripped && failingFor >= this.windowMs) {
      this.tripped = true;
      this.onUnreachable(this.endpoint, failingFor);
    }
  }

  get isTripped(): boolean {
    return this.tripped;
  }
}

/** `host:port` of a base URL, with the scheme's default port written out. */
export function endpointName(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    const port = url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '');
    return port ? `${url.hostname}:${port}` : url.hostname;
  } catch {
    return baseUrl;
  }
}
