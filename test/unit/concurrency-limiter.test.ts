import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/models/concurrency-limiter.js';
import { ProviderError, errorFromStatus } from '../../src/models/errors.js';

/** An attempt that stays in flight until `release` is called, then succeeds or fails with `error`. */
function held(limiter: ConcurrencyLimiter) {
  let finish!: (error?: Error) => void;
  const started = { value: false };
  const done = limiter.run(
    () =>
      new Promise<string>((resolve, reject) => {
        started.value = true;
        finish = (error) => (error ? reject(error) : resolve('ok'));
      }),
  );
  return { done: done.catch((error: unknown) => error), started, release: (error?: Error) => finish(error) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimiter', () => {
  it('never lets more than max attempts run; a waiting attempt starts when a slot frees', async () => {
    const limiter = new ConcurrencyLimiter({ max: 2 });
    const attempts = [held(limiter), held(limiter), held(limiter)];
    await tick();
    expect(attempts.map((attempt) => attempt.started.value)).toEqual([true, true, false]);
    expect(limiter.active).toBe(2);
    attempts[0]!.release();
    await attempts[0]!.done;
    await tick();
    expect(attempts[2]!.started.value).toBe(true);
    attempts[1]!.release();
    attempts[2]!.release();
    await Promise.all(attempts.map((attempt) => attempt.done));
    expect(limiter.active).toBe(0);
  });

  it('halves once per congestion event: 429s of requests sent before the decrease do not decrease again', async () => {
    const changes: number[] = [];
    const limiter = new ConcurrencyLimiter({ max: 8, onChange: (limit) => changes.push(limit) });
    const attempts = Array.from({ length: 8 }, () => held(limiter));
    await tick();
    for (const attempt of attempts) attempt.release(errorFromStatus(429, 'slow down'));
    const errors = await Promise.all(attempts.map((attempt) => attempt.done));
    expect(errors.every((error) => error instanceof ProviderError && error.kind === 'rate-limit')).toBe(true);
    expect(limiter.limit).toBe(4);
    expect(limiter.report).toMatchObject({ decreases: 1, congestion_answers: 8, min_reached: 4 });
    // A request sent after the decrease is a new event: 503 counts as congestion too.
    const next = held(limiter);
    await tick();
    next.release(errorFromStatus(503, 'unavailable'));
    await next.done;
    expect(limiter.limit).toBe(2);
    expect(changes).toEqual([4, 2]);
  });

  it('grows back additively on success, never above max; other errors change nothing', async () => {
    const limiter = new ConcurrencyLimiter({ max: 3 });
    const congested = held(limiter);
    await tick();
    congested.release(errorFromStatus(429, 'slow down'));
    await congested.done;
    expect(limiter.limit).toBe(1);
    const failed = held(limiter);
    await tick();
    failed.release(errorFromStatus(500, 'oops'));
    await failed.done;
    expect(limiter.limit).toBe(1);
    const limits: number[] = [];
    for (let index = 0; index < 8; index++) {
      const attempt = held(limiter);
      await tick();
      attempt.release();
      await attempt.done;
      limits.push(limiter.limit);
    }
    // +1/limit per success: 1.5 (limit 1) -> 2.5 (limit 2) -> 3, and it stays at max.
    expect(limits.slice(0, 3)).toEqual([2, 3, 3]);
    expect(limits.at(-1)).toBe(3);
    expect(Math.max(...limits)).toBe(3);
    expect(limits).toEqual([...limits].sort((left, right) => left - right));
  });

  it('keeps the limit at max when adaptive is off', async () => {
    const limiter = new ConcurrencyLimiter({ max: 4, adaptive: false });
    const attempt = held(limiter);
    await tick();
    attempt.release(errorFromStatus(429, 'slow down'));
    await attempt.done;
    expect(limiter.limit).toBe(4);
    expect(limiter.report).toMatchObject({ adaptive: false, decreases: 0, congestion_answers: 1, changes: [] });
  });
});
