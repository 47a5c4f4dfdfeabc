// Adaptive concurrency (AIMD) and per-minute rate caps for the requests of one provider.
import { ProviderError } from './errors.js';

/** How concurrency moved during a run (metadata.json `concurrency`). */
export interface ConcurrencyReport {
  adaptive: boolean;
  max: number;
  /** The lowest limit reached, and the limit at the end. */
  min_reached: number;
  final: number;
  /** Congestion events (429/503 answers that halved the limit), and 429/503 answers in all. */
  decreases: number;
  congestion_answers: number;
  max_requests_per_minute: number | null;
  max_tokens_per_minute: number | null;
  /** Each change of the whole limit: milliseconds since the run started, and the new limit (first 200). */
  changes: { at_ms: number; limit: number }[];
}

export interface ConcurrencyLimiterOptions {
  /** The ceiling (`--parallel-workers`). */
  max: number;
  /** Halve on congestion and grow back (default true); false keeps the limit at `max`. */
  adaptive?: boolean;
  maxRequestsPerMinute?: number;
  maxTokensPerMinute?: number;
  /** Called when the whole limit changes (the progress line shows it while below `max`). */
  onChange?: (limit: number, max: number) => void;
  now?: () => number;
}

const MAX_RECORDED_CHANGES = 200;

/** A status that means the provider is congested: too many requests, or unavailable. */
function isCongestion(error: unknown): boolean {
  return error instanceof ProviderError && (error.options.status === 429 || error.options.status === 503);
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
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
 * Gates every attempt of a provider's requests (the retry loop runs each attempt through `run`).
 * Additive increase, multiplicative decrease: a 429 or 503 halves the limit once per congestion
 * event (answers to requests sent before the last decrease do not decrease it again); each success
 * adds 1/limit, so the limit grows by one per limit's worth of successes, never above `max`. Waiting
 * for a slot is not an attempt. Rate caps are token buckets refilled continuously over a minute;
 * tokens are debited after the answer (`recordTokens`), so a request waits while the bucket is in debt.
 */
export class ConcurrencyLimiter {
  private window: number;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  /** Incremented at each decrease; an attempt remembers the epoch it started in. */
  private epoch = 0;
  private readonly started: number;
  private readonly now: () => number;
  private requestBucket: number;
  private tokenBucket: number;
  private refilledAt: number;
  readonly report: ConcurrencyReport;

  constructor(private readonly options: ConcurrencyLimiterOptions) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.refilledAt = this.now();
    this.window = options.max;
    this.requestBucket = options.maxRequestsPerMinute ?? 0;
    this.tokenBucket = options.maxTokensPerMinute ?? 0;
    this.report = {
      adaptive: options.adaptive !== false,
      max: options.max,
      min_reached: options.max,
      final: options.max,
      decreases: 0,
      congestion_answers: 0,
      max_requests_per_minute: options.maxRequestsPerMinute ?? null,
      max_tokens_per_minute: options.maxTokensPerMinute ?? null,
      changes: [],
    };
  }

  /** The whole number of requests allowed in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.window));
  }

  get active(): number {
    return this.inFlight;
  }

  /** Runs one attempt when a slot (and the rate caps) allow it, and learns from its outcome. */
  async run<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    const epoch = this.epoch;
    try {
      const value = await attempt();
      this.succeeded();
      return value;
    } catch (error) {
      if (isCongestion(error)) this.congested(epoch);
      throw error;
    } finally {
      this.release();
    }
  }

  /** Tokens an answer used, for `--max-tokens-per-minute`. */
  recordTokens(tokens: number): void {
    if (this.options.maxTokensPerMinute) this.tokenBucket -= tokens;
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    while (this.inFlight >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (signal?.aborted) throw new ProviderError('aborted', 'request aborted');
    }
    this.inFlight++;
    try {
      await this.waitForRate(signal);
    } catch (error) {
      this.release();
      throw error;
    }
  }

  /** Waits until both buckets allow one more request, then takes one request from the first. */
  private async waitForRate(signal?: AbortSignal): Promise<void> {
    const { maxRequestsPerMinute: requests, maxTokensPerMinute: tokens } = this.options;
    if (!requests && !tokens) return;
    for (;;) {
      this.refill();
      const requestWait = requests && this.requestBucket < 1 ? ((1 - this.requestBucket) * 60_000) / requests : 0;
      const tokenWait = tokens && this.tokenBucket < 0 ? (-this.tokenBucket * 60_000) / tokens : 0;
      const delay = Math.max(requestWait, tokenWait);
      if (delay <= 0) break;
      await wait(Math.ceil(delay), signal);
    }
    if (requests) this.requestBucket -= 1;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = now - this.refilledAt;
    this.refilledAt = now;
    const { maxRequestsPerMinute: requests, maxTokensPerMinute: tokens } = this.options;
    if (requests) this.requestBucket = Math.min(requests, this.requestBucket + (elapsed * requests) / 60_000);
    if (tokens) this.tokenBucket = Math.min(tokens, this.tokenBucket + (elapsed * tokens) / 60_000);
  }

  private release(): void {
    this.inFlight--;
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    let free = this.limit - this.inFlight;
    while (free-- > 0 && this.waiting.length) this.waiting.shift()!();
  }

  private succeeded(): void {
    if (!this.report.adaptive || this.window >= this.options.max) return;
    const before = this.limit;
    this.window = Math.min(this.options.max, this.window + 1 / this.limit);
    if (this.limit !== before) this.changed();
    this.wakeWaiters();
  }

  private congested(epoch: number): void {
    this.report.congestion_answers++;
    // One decrease per congestion event: answers to requests sent before the last decrease are its echo.
    if (!this.report.adaptive || epoch !== this.epoch) return;
    this.epoch++;
    this.report.decreases++;
    const before = this.limit;
    this.window = Math.max(1, this.window / 2);
    if (this.limit !== before) this.changed();
  }

  private changed(): void {
    const limit = this.limit;
    this.report.final = limit;
    this.report.min_reached = Math.min(this.report.min_reached, limit);
    if (this.report.changes.length < MAX_RECORDED_CHANGES) this.report.changes.push({ at_ms: Math.round(this.now() - this.started), limit });
    this.options.onChange?.(limit, this.options.max);
  }
}
