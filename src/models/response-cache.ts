// Record/replay (`--cache`): a ModelProvider wrapper that answers from, or writes to, a ResponseStore.
import type { TextRedactor } from '../secrets/redactor.js';
import { ProviderError } from './errors.js';
import { cacheHash, cacheKey, RESPONSE_STORE_FORMAT, ResponseStore } from './response-store.js';
import type { ModelProvider, ModelRequest, ModelResponse } from './types.js';

export const CACHE_MODES = ['off', 'record', 'replay', 'auto'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** What metadata.json records about the cache. */
export interface CacheReport {
  mode: CacheMode;
  dir: string;
  hits: number;
  misses: number;
  /** Entries written by this run, and their bytes. */
  written: number;
  written_bytes: number;
}

export interface ResponseCacheOptions {
  mode: Exclude<CacheMode, 'off'>;
  directory: string;
  /** Removes the run's secrets from the stored files. */
  redactor?: TextRedactor;
}

/** A short description of a request for a miss: the model, the last message, and the hash. */
function describeRequest(request: ModelRequest, hash: string): string {
  const last = request.messages.at(-1);
  const text = last ? `${last.role}: ${last.content.replace(/\s+/g, ' ').slice(0, 80)}` : 'no messages';
  return `${request.messages.length} message(s), last ${JSON.stringify(text)}, hash ${hash.slice(0, 16)}`;
}

/**
 * `provider` behind a response store. `record` asks the provider and stores every answer; `replay`
 * answers only from the store (a miss is a `cache-miss` error naming the request; the provider is
 * never called, so no network or key is needed); `auto` replays hits and records misses. Usage and
 * the model's name are stored, so a replayed run has the same tokens and cost; `attempts` is 1.
 */
export class CachingProvider implements ModelProvider {
  private readonly store: ResponseStore;
  readonly report: CacheReport;

  constructor(
    private readonly inner: ModelProvider,
    private readonly options: ResponseCacheOptions,
  ) {
    this.store = new ResponseStore(options.directory, options.redactor);
    this.report = { mode: options.mode, dir: options.directory, hits: 0, misses: 0, written: 0, written_bytes: 0 };
  }

  get provider(): string {
    return this.inner.provider;
  }

  get modelId(): string {
    return this.inner.modelId;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const key = cacheKey(this.inner.provider, this.inner.modelId, request);
    const hash = cacheHash(key);
    if (this.options.mode !== 'record') {
      const entry = await this.store.read(hash);
      if (entry) {
        this.report.hits++;
        return { ...structuredClone(entry.response), attempts: 1 };
      }
      this.report.misses++;
      if (this.options.mode === 'replay') {
        throw new ProviderError('cache-miss', `--cache replay: no recorded response in ${this.options.directory} for ${this.inner.provider}/${this.inner.modelId} (${describeRequest(request, hash)})`);
      }
    }
    const response = await this.inner.generate(request);
    const { attempts: _attempts, ...stored } = response;
    this.report.written_bytes += await this.store.write({ format: RESPONSE_STORE_FORMAT, hash, request: key, response: stored });
    this.report.written++;
    return response;
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
