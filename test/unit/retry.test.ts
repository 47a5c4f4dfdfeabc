import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ProviderError, parseRetryAfter } from '../../src/models/errors.js';
import { retryDelay, withRetries } from '../../src/models/retry.js';

const policy = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 1000 };

describe('parseRetryAfter', () => {
  it('reads seconds, dates and retry-after-ms', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(null, '250')).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', undefined, now)).toBe(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('grows exponentially with jitter in the upper half', () => {
    const settings = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 10_000 };
    expect(retryDelay(1, settings, undefined, () => 0)).toBe(50);
    expect(retryDelay(1, settings, undefined, () => 1)).toBe(100);
    expect(retryDelay(3, settings, undefined, () => 1)).toBe(400);
    expect(retryDelay(20, settings, undefined, () => 1)).toBe(10_000);
  });

  it("prefers the server's Retry-After, capped", () => {
    const settings = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 5000 };
    expect(retryDelay(1, settings, 2000)).toBe(2000);
    expect(retryDelay(1, settings, 60_000)).toBe(5000);
  });
});

describe('withRetries', () => {
  it('gives each attempt its own signal, unlinked from the caller\'s after the attempt', async () => {
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const result = await withRetries(
      async (_attempt, signal) => {
        // What an SDK does with the signal of every request: a listener it never removes.
        signal!.addEventListener('abort', () => {});
        seen.push(signal!);
        if (seen.length < 20) throw new ProviderError('rate-limit', 'slow down', { retryAfterMs: 0 });
        return 'done';
      },
      { ...policy, maxRetries: 30 },
      controller.signal,
    );
    expect(result.attempts).toBe(20);
    expect(new Set(seen).size).toBe(20);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('aborts the attempt in flight when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = withRetries(
      (_attempt, signal) =>
        new Promise((_resolve, reject) => signal!.addEventListener('abort', () => reject(new ProviderError('aborted', 'request aborted')))),
      policy,
      controller.signal,
    );
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
  });

  it('retries retryable errors and reports attempts', async () => {
    let calls = 0;
    const result = await withRetries(async () => {
      calls++;
      if (calls < 3) throw new ProviderError('rate-limit', 'slow down', { retryAfterMs: 1 });
      return 'done';
    }, policy);
    expect(result).toEqual({ value: 'done', attempts: 3 });
  });

  it('does not retry auth errors', async () => {
    let calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw new ProviderError('auth', 'bad key');
      }, policy),
    ).rejects.toMatchObject({ kind: 'auth', options: { attempts: 1 } });
    expect(calls).toBe(1);
  });

  it('gives up after maxRetries', async () => {
    let calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw new ProviderError('server', 'boom');
      }, policy),
    ).rejects.toMatchObject({ kind: 'server', options: { attempts: 4 } });
    expect(calls).toBe(4);
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const pending = withRetries(async () => {
      throw new ProviderError('server', 'boom', { retryAfterMs: 10_000 });
    }, { ...policy, maxDelayMs: 60_000 }, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
  });
});
