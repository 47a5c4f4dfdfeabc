import { ProviderError } from './errors.js';
import { isUnreachable, type EndpointHealth } from './endpoint-health.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Base delay for exponential backoff. */
  baseDelayMs: number;
  /** Upper bound for one wait, including a server's Retry-After. */
  maxDelayMs: number;
  /** The run's circuit breaker, told whether each attempt reached the server. */
  health?: EndpointHealth;
  /** The provider's concurrency limiter (concurrency-limiter.ts): each attempt runs through it. */
  gate?: { run<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> };
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 60_000 };

/**
 * Delay before retry number `attempt` (1-based): the server's Retry-After when given, otherwise
 * exponential backoff with full jitter (uniform in [base*2^(n-1)/2, base*2^(n-1)]), both capped.
 */
export function retryDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return ceiling / 2 + random() * (ceiling / 2);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ProviderError('aborted', 'request aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ProviderError('aborted', 'request aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A signal for one attempt that follows `parent`, and a release that unlinks it. The SDKs add an
 * abort listener to the signal of every request and never remove it: given the task's own signal,
 * a task that retries many times would pile listeners onto it (and Node warns past ten).
 */
function attemptSignal(parent: AbortSignal | undefined): { signal: AbortSignal | undefined; release: () => void } {
  if (!parent) return { signal: undefined, release: () => {} };
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, release: () => {} };
  }
  const follow = () => controller.abort(parent.reason);
  parent.addEventListener('abort', follow, { once: true });
  return { signal: controller.signal, release: () => parent.removeEventListener('abort', follow) };
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable ProviderError, or retries run out.
 * Each attempt gets its own signal that follows `signal` (see attemptSignal). The last error
 * carries the number of attempts made.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number, signal: AbortSignal | undefined) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<{ value: T; attempts: number }> {
  const health = policy.health;
  for (let attemptNumber = 1; ; attemptNumber++) {
    const scoped = attemptSignal(signal);
    try {
      const value = await (policy.gate ? policy.gate.run(() => attempt(attemptNumber, scoped.signal), signal) : attempt(attemptNumber, scoped.signal));
      health?.reached();
      return { value, attempts: attemptNumber };
    } catch (error) {
      if (health && error instanceof ProviderError) {
        // An error status or an unreadable body is still an answer; a timeout or an abort says nothing.
        if (isUnreachable(error)) health.unreachable();
        else if (error.options.status !== undefined || error.kind === 'malformed-response') health.reached();
      }
      if (!(error instanceof ProviderError) || !error.retryable || attemptNumber > policy.maxRetries) {
        if (error instanceof ProviderError) {
          throw new ProviderError(error.kind, error.message, { ...error.options, attempts: attemptNumber });
        }
        throw error;
      }
      await sleep(retryDelay(attemptNumber, policy, error.options.retryAfterMs), signal);
    } finally {
      scoped.release();
    }
  }
}
