/**
 * Token cost of model calls, in USD.
 *
 * Prices come from a custom `--pricing` file first, then from the data bundled with
 * `@pydantic/genai-prices`. A model found in neither has an unknown cost (null), never 0 and never a
 * guess: SMOLTRACE's fallback that priced local models from their parameter count is not ported.
 * A model run in this process (provider transformers) costs 0 in tokens: there is no bill; its power
 * cost comes from the energy figures.
 *
 * No network: genai-prices only fetches newer prices when `updatePrices()` is given a fetching
 * storage factory (its dist code contains no `fetch` call of its own). This module never calls
 * `updatePrices`, `waitForUpdate` or the package CLI, so `calcPrice` always reads the bundled data.
 *
 * Token accounting (OpenAI / OpenTelemetry GenAI convention):
 * - `inputTokens` is the whole prompt, cache reads (`cachedInputTokens`) and cache writes
 *   (`cacheCreationInputTokens`) included; they are priced at their own rates, the rest at the input rate.
 *   If the cache counts exceed `inputTokens`, the provider reported uncached tokens only (Anthropic's
 *   native counting) and the three are added up instead.
 * - `outputTokens` already includes `reasoningTokens`, which are therefore not priced again.
 */
import type { Usage as GenaiUsage } from '@pydantic/genai-prices';
import type { Usage } from '../models/types.js';
import { customCost, loadPricingFile, type CustomPriceEntry } from './pricing-file.js';

export interface PriceCall {
  /** Routed provider name, as in `ModelProvider.provider` ("openai", "together_ai", "ollama", "custom", ...). */
  provider: string;
  /** Model id without the LiteLLM prefix (e.g. `gpt-4o-mini-2024-07-18`). */
  model: string;
  usage: Usage;
  /** When the call was made; selects date-dependent prices. Default: now. */
  when?: Date;
}

export interface PriceResult {
  costUsd: number | null;
  source: 'genai-prices' | 'custom' | 'local' | 'unknown';
  /** The genai-prices model id, or the custom file's key. */
  matchedModel?: string;
  /** The genai-prices provider id, or the call's provider for a custom price. */
  matchedProvider?: string;
}

export interface PriceBook {
  /** Loads the bundled price data (once) and settles when it is loaded; `price` may be called only after that. */
  load(): Promise<void>;
  price(call: PriceCall): PriceResult;
  /** Distinct `provider/model` names priced so far that had no price, in first-seen order. */
  unknownModels(): string[];
}

export interface PriceBookOptions {
  /** Path of a `--pricing` JSON file; its entries win over the bundled data. */
  customPricingFile?: string;
  /**
   * Return without loading the bundled data (about 40-90 ms of CPU), so that a run's first model
   * request is not held up by it; the caller awaits `load()` before pricing. Default false.
   */
  deferLoading?: boolean;
}

type GenaiPrices = typeof import('@pydantic/genai-prices');

/** Our provider names (LiteLLM prefixes) → genai-prices provider ids. */
export const GENAI_PROVIDER_IDS: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  mistral: 'mistral',
  groq: 'groq',
  together_ai: 'together',
  together: 'together',
  openrouter: 'openrouter',
  deepseek: 'deepseek',
  fireworks_ai: 'fireworks',
  fireworks: 'fireworks',
  xai: 'x-ai',
};

/** Local or unidentified servers: nothing in the bundled data describes what they charge. */
const UNPRICED_PROVIDERS = new Set(['ollama', 'ollama_chat', 'transformers', 'custom']);

/** Hugging Face router backends that genai-prices lists as `huggingface_<backend>`. */
const HF_BACKENDS = new Set([
  'cerebras', 'fireworks-ai', 'groq', 'hyperbolic', 'nebius', 'novita', 'nscale', 'ovhcloud', 'publicai', 'sambanova', 'together',
]);

interface Lookup {
  /** genai-prices provider id; undefined lets the package match the provider from the model name. */
  providerId: string | undefined;
  model: string;
}

/** Where to look a call up in the bundled data; null when it cannot have a bundled price. */
function bundledLookup(provider: string, model: string): Lookup | null {
  const name = provider.trim().toLowerCase();
  if (UNPRICED_PROVIDERS.has(name)) return null;
  if (name === 'hf' || name === 'huggingface') {
    // `org/model:backend` pins a router backend; otherwise the router picks one, so no provider hint.
    const colon = model.lastIndexOf(':');
    const backend = colon > 0 ? model.slice(colon + 1).toLowerCase() : '';
    if (HF_BACKENDS.has(backend)) return { providerId: `huggingface_${backend}`, model: model.slice(0, colon) };
    return { providerId: undefined, model: colon > 0 ? model.slice(0, colon) : model };
  }
  return { providerId: GENAI_PROVIDER_IDS[name] ?? name, model };
}

function count(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}

interface Tokens {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

/** Normalises usage so that `input` includes the cache partitions (see the module comment). */
export function billableTokens(usage: Usage): Tokens {
  const cacheRead = count(usage.cachedInputTokens);
  const cacheWrite = count((usage as Usage & { cacheCreationInputTokens?: number }).cacheCreationInputTokens);
  let input = count(usage.inputTokens);
  if (cacheRead + cacheWrite > input) input += cacheRead + cacheWrite;
  return { input, cacheRead, cacheWrite, output: count(usage.outputTokens) };
}

function genaiUsage(tokens: Tokens): GenaiUsage {
  const usage: GenaiUsage = { input_tokens: tokens.input, output_tokens: tokens.output };
  if (tokens.cacheRead > 0) usage.cache_read_tokens = tokens.cacheRead;
  if (tokens.cacheWrite > 0) usage.cache_write_tokens = tokens.cacheWrite;
  return usage;
}

class DefaultPriceBook implements PriceBook {
  private readonly unknown = new Set<string>();
  private genaiPrices?: GenaiPrices;
  private loading?: Promise<void>;

  constructor(private readonly custom: ReadonlyMap<string, CustomPriceEntry>) {}

  load(): Promise<void> {
    return (this.loading ??= import('@pydantic/genai-prices').then((module) => {
      this.genaiPrices = module;
    }));
  }

  price(call: PriceCall): PriceResult {
    const tokens = billableTokens(call.usage);
    const entry = this.findCustom(call.provider, call.model);
    if (entry) {
      return { costUsd: customCost(entry.price, tokens), source: 'custom', matchedModel: entry.key, matchedProvider: call.provider };
    }
    // A model run in this process (transformers.js) bills no tokens; its electricity is costed from the energy figures.
    if (call.provider.trim().toLowerCase() === 'transformers') return { costUsd: 0, source: 'local' };
    const lookup = bundledLookup(call.provider, call.model);
    if (lookup) {
      // A programming error, not an unknown price: never swallowed below.
      if (!this.genaiPrices) throw new Error('the price book was used before its data was loaded (await load())');
      try {
        const options = { ...(lookup.providerId ? { providerId: lookup.providerId } : {}), ...(call.when ? { timestamp: call.when } : {}) };
        const result = this.genaiPrices.calcPrice(genaiUsage(tokens), lookup.model, options);
        if (result && Number.isFinite(result.total_price)) {
          return { costUsd: result.total_price, source: 'genai-prices', matchedModel: result.model.id, matchedProvider: result.provider.id };
        }
      } catch {
        // Malformed usage or price data: the cost is unknown, as for a missing model.
      }
    }
    this.unknown.add(`${call.provider}/${call.model}`);
    return { costUsd: null, source: 'unknown' };
  }

  unknownModels(): string[] {
    return [...this.unknown];
  }

  /** `provider/model` (our name or the genai-prices id), then the bare model id; case-insensitive. */
  private findCustom(provider: string, model: string): CustomPriceEntry | undefined {
    if (this.custom.size === 0) return undefined;
    const name = provider.trim().toLowerCase();
    const id = model.trim().toLowerCase();
    const alias = GENAI_PROVIDER_IDS[name];
    return (
      this.custom.get(`${name}/${id}`) ?? (alias && alias !== name ? this.custom.get(`${alias}/${id}`) : undefined) ?? this.custom.get(id)
    );
  }
}

/** Builds a price book; reads and validates the custom pricing file first (InputError when bad). */
export async function createPriceBook(options: PriceBookOptions = {}): Promise<PriceBook> {
  const custom = options.customPricingFile ? await loadPricingFile(options.customPricingFile) : new Map<string, CustomPriceEntry>();
  const book = new DefaultPriceBook(custom);
  if (!options.deferLoading) await book.load();
  return book;
}
