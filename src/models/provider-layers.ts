// The layers a run puts around its provider: record/replay outermost (a hit takes no slot), then the
// concurrency limiter's token accounting; the limiter itself gates each attempt inside the retry loop.
import { ConcurrencyLimiter, type ConcurrencyReport } from './concurrency-limiter.js';
import { CachingProvider, type CacheMode, type CacheReport } from './response-cache.js';
import { join } from 'node:path';
import type { TextRedactor } from '../secrets/redactor.js';
import type { ModelProvider } from './types.js';

export interface ProviderLayerSettings {
  cache?: { mode: CacheMode; directory: string; redactor?: TextRedactor };
  /** Omitted for in-process models (no requests to limit). */
  concurrency?: {
    max: number;
    adaptive: boolean;
    maxRequestsPerMinute?: number;
    maxTokensPerMinute?: number;
    onChange?: (limit: number, max: number) => void;
  };
}

export interface ProviderLayers {
  /** Passed to the provider's retry policy as its gate. */
  limiter?: ConcurrencyLimiter;
  wrap(provider: ModelProvider): ModelProvider;
  /**
   * The judge's or the simulated user's provider: the same record/replay store (their requests have
   * other models and messages, so other keys), none of the evaluated model's rate limits.
   */
  wrapAuxiliary(provider: ModelProvider): ModelProvider;
  /** What metadata.json records (absent parts were off); the cache's counts cover every wrapped provider. */
  reports(): { cache?: CacheReport; concurrency?: ConcurrencyReport };
}

/** Tells the limiter each answer's tokens, for `--max-tokens-per-minute`. */
function countingTokens(provider: ModelProvider, limiter: ConcurrencyLimiter): ModelProvider {
  return {
    get provider() {
      return provider.provider;
    },
    get modelId() {
      return provider.modelId;
    },
    generate: async (request) => {
      const response = await provider.generate(request);
      limiter.recordTokens(response.usage.inputTokens + response.usage.outputTokens);
      return response;
    },
    ...(provider.close && { close: () => provider.close!() }),
  };
}

export function providerLayers(settings: ProviderLayerSettings): ProviderLayers {
  const limiter = settings.concurrency && new ConcurrencyLimiter(settings.concurrency);
  const caches: CachingProvider[] = [];
  const cached = (provider: ModelProvider): ModelProvider => {
    const cache = settings.cache;
    if (!cache || cache.mode === 'off') return provider;
    const caching = new CachingProvider(provider, { mode: cache.mode, directory: cache.directory, ...(cache.redactor && { redactor: cache.redactor }) });
    caches.push(caching);
    return caching;
  };
  return {
    ...(limiter && { limiter }),
    wrap: (provider) => cached(limiter && settings.concurrency?.maxTokensPerMinute ? countingTokens(provider, limiter) : provider),
    wrapAuxiliary: cached,
    reports: () => ({ ...(caches.length && { cache: sumReports(caches.map((caching) => caching.report)) }), ...(limiter && { concurrency: limiter.report }) }),
  };
}

function sumReports(reports: readonly CacheReport[]): CacheReport {
  const [first] = reports;
  const sum = (field: 'hits' | 'misses' | 'written' | 'written_bytes') => reports.reduce((total, report) => total + report[field], 0);
  return { mode: first!.mode, dir: first!.dir, hits: sum('hits'), misses: sum('misses'), written: sum('written'), written_bytes: sum('written_bytes') };
}

/** The run options these layers read (RunOptions' fields of the same names). */
export interface LayerOptions {
  cache?: CacheMode;
  cacheDir?: string;
  parallelWorkers: number;
  adaptiveConcurrency?: boolean;
  maxRequestsPerMinute?: number;
  maxTokensPerMinute?: number;
}

/**
 * A run's layers from its options. The store defaults to `responses/` in agent-eval's cache (else in
 * the working folder's `.agent-eval-responses`); no limiter for an in-process model.
 */
export function runProviderLayers(options: LayerOptions, context: { cacheDirectory?: string; redactor?: TextRedactor; inProcess: boolean; onChange?: (limit: number, max: number) => void }): ProviderLayers {
  const directory = options.cacheDir ?? (context.cacheDirectory ? join(context.cacheDirectory, 'responses') : '.agent-eval-responses');
  return providerLayers({
    ...(options.cache && options.cache !== 'off' && { cache: { mode: options.cache, directory, ...(context.redactor && { redactor: context.redactor }) } }),
    ...(!context.inProcess && {
      concurrency: {
        max: options.parallelWorkers,
        adaptive: options.adaptiveConcurrency !== false,
        ...(options.maxRequestsPerMinute && { maxRequestsPerMinute: options.maxRequestsPerMinute }),
        ...(options.maxTokensPerMinute && { maxTokensPerMinute: options.maxTokensPerMinute }),
        ...(context.onChange && { onChange: context.onChange }),
      },
    }),
  });
}
