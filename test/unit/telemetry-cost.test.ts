import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { Usage } from '../../src/models/types.js';
import { billableTokens, createPriceBook } from '../../src/telemetry/cost.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/pricing');
const fixture = (name: string): string => join(fixtures, name);

/*
 * Expected costs are hand-computed from the prices bundled with @pydantic/genai-prices 0.1.8
 * (node_modules/@pydantic/genai-prices/dist/index.js, USD per million tokens):
 *   openai    gpt-4o-mini           input 0.15, cache_read 0.075, output 0.6
 *   anthropic claude-3-5-sonnet     input 3, cache_read 0.3, cache_write 3.75, output 15
 *   mistral   mistral-small-latest  input 0.1, output 0.3
 *   x-ai      grok-3                input 3, cache_read 0.75, output 15
 *   fireworks llama-v3p1-8b-instruct input 0.2, output 0.2
 *   together  meta-llama/Llama-3.3-70B-Instruct-Turbo input 0.88, output 0.88
 */
const usage = (inputTokens: number, outputTokens: number, extra: Partial<Usage> & { cacheCreationInputTokens?: number } = {}): Usage => ({
  inputTokens,
  outputTokens,
  ...extra,
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('bundled genai-prices data', () => {
  it('prices gpt-4o-mini, dated ids included, and does not price reasoning tokens twice', async () => {
    const book = await createPriceBook({});
    // (1000 * 0.15 + 500 * 0.6) / 1e6
    const plain = book.price({ provider: 'openai', model: 'gpt-4o-mini', usage: usage(1000, 500) });
    expect(plain.costUsd).toBeCloseTo(0.00045, 12);
    expect(plain).toMatchObject({ source: 'genai-prices', matchedModel: 'gpt-4o-mini', matchedProvider: 'openai' });
    const dated = book.price({ provider: 'openai', model: 'gpt-4o-mini-2024-07-18', usage: usage(1000, 500, { reasoningTokens: 200 }) });
    expect(dated.costUsd).toBeCloseTo(0.00045, 12);
    expect(dated.matchedModel).toBe('gpt-4o-mini');
    expect(book.unknownModels()).toEqual([]);
  });

  it('prices cached input tokens at the cache-read rate', async () => {
    const book = await createPriceBook();
    // 10000 input of which 2000 cached: (8000 * 0.15 + 2000 * 0.075 + 500 * 0.6) / 1e6
    const cached = book.price({ provider: 'openai', model: 'gpt-4o-mini', usage: usage(10_000, 500, { cachedInputTokens: 2000 }) });
    expect(cached.costUsd).toBeCloseTo(0.00165, 12);
    const uncached = book.price({ provider: 'openai', model: 'gpt-4o-mini', usage: usage(10_000, 500) });
    expect(uncached.costUsd).toBeCloseTo(0.0018, 12);
    expect(cached.costUsd!).toBeLessThan(uncached.costUsd!);
  });

  it('prices Claude with cache reads and cache writes', async () => {
    const book = await createPriceBook();
    // 10000 input = 4000 uncached + 4000 cache read + 2000 cache write; 1000 output:
    // (4000 * 3 + 4000 * 0.3 + 2000 * 3.75 + 1000 * 15) / 1e6
    const result = book.price({
      provider: 'anthropic',
      model: 'claude-3-5-sonnet-20241022',
      usage: usage(10_000, 1000, { cachedInputTokens: 4000, cacheCreationInputTokens: 2000 }),
    });
    expect(result.costUsd).toBeCloseTo(0.0357, 12);
    expect(result).toMatchObject({ source: 'genai-prices', matchedModel: 'claude-3-5-sonnet', matchedProvider: 'anthropic' });
  });

  it('adds cache tokens to input when the provider counted uncached tokens only', async () => {
    expect(billableTokens(usage(1000, 10, { cachedInputTokens: 4000 }))).toEqual({ input: 5000, cacheRead: 4000, cacheWrite: 0, output: 10 });
    expect(billableTokens(usage(5000, 10, { cachedInputTokens: 4000 }))).toEqual({ input: 5000, cacheRead: 4000, cacheWrite: 0, output: 10 });
    const book = await createPriceBook();
    // (1000 * 3 + 4000 * 0.3) / 1e6
    const result = book.price({ provider: 'anthropic', model: 'claude-3-5-sonnet-latest', usage: usage(1000, 0, { cachedInputTokens: 4000 }) });
    expect(result.costUsd).toBeCloseTo(0.0042, 12);
  });

  it('prices mistral-small-latest and maps LiteLLM provider names to genai-prices ids', async () => {
    const book = await createPriceBook();
    // (2000 * 0.1 + 1000 * 0.3) / 1e6
    expect(book.price({ provider: 'mistral', model: 'mistral-small-latest', usage: usage(2000, 1000) }).costUsd).toBeCloseTo(0.0005, 12);
    const grok = book.price({ provider: 'xai', model: 'grok-3', usage: usage(1_000_000, 0) });
    expect(grok).toMatchObject({ costUsd: 3, matchedProvider: 'x-ai' });
    const fireworks = book.price({ provider: 'fireworks_ai', model: 'accounts/fireworks/models/llama-v3p1-8b-instruct', usage: usage(1_000_000, 1_000_000) });
    expect(fireworks.costUsd).toBeCloseTo(0.4, 12);
    expect(fireworks.matchedProvider).toBe('fireworks');
    const together = book.price({ provider: 'together_ai', model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', usage: usage(1_000_000, 1_000_000) });
    expect(together.costUsd).toBeCloseTo(1.76, 12);
    expect(together.matchedProvider).toBe('together');
  });

  it('returns null, never 0, for an unknown model and lists it once', async () => {
    const book = await createPriceBook();
    const result = book.price({ provider: 'openai', model: 'no-such-model', usage: usage(100, 10) });
    expect(result).toEqual({ costUsd: null, source: 'unknown' });
    book.price({ provider: 'openai', model: 'no-such-model', usage: usage(5, 5) });
    book.price({ provider: 'hf', model: 'some-org/some-model', usage: usage(5, 5) });
    expect(book.unknownModels()).toEqual(['openai/no-such-model', 'hf/some-org/some-model']);
  });

  it('never prices local or unidentified servers from the bundled data', async () => {
    const book = await createPriceBook();
    // Without a provider hint genai-prices would match "deepseek-r1:7b" to DeepSeek's hosted API.
    expect(book.price({ provider: 'ollama', model: 'deepseek-r1:7b', usage: usage(100, 10) }).costUsd).toBeNull();
    expect(book.price({ provider: 'custom', model: 'gpt-4o', usage: usage(100, 10) }).costUsd).toBeNull();
    expect(book.unknownModels()).toEqual(['ollama/deepseek-r1:7b', 'custom/gpt-4o']);
  });

  it('prices tokens of a model run in this process (transformers) at 0: there is no bill', async () => {
    const book = await createPriceBook();
    expect(book.price({ provider: 'transformers', model: 'onnx-community/Qwen3-0.6B-ONNX', usage: usage(100, 10) })).toEqual({ costUsd: 0, source: 'local' });
    expect(book.unknownModels()).toEqual([]);
  });

  it('prices a Hugging Face router model pinned to a backend', async () => {
    const book = await createPriceBook();
    const result = book.price({ provider: 'hf', model: 'meta-llama/Llama-3.3-70B-Instruct:groq', usage: usage(1_000_000, 1_000_000) });
    expect(result.source).toBe('genai-prices');
    expect(result.matchedProvider).toBe('huggingface_groq');
    expect(result.costUsd).toBeGreaterThan(0);
  });

  it('makes no network request', async () => {
    const fetchStub = vi.fn(() => {
      throw new Error('network access attempted');
    });
    vi.stubGlobal('fetch', fetchStub);
    vi.resetModules();
    const fresh = await import('../../src/telemetry/cost.js');
    const book = await fresh.createPriceBook({ customPricingFile: fixture('prices.json') });
    expect(book.price({ provider: 'openai', model: 'gpt-4o', usage: usage(1_000_000, 0) }).costUsd).toBeCloseTo(2.5, 12);
    expect(book.price({ provider: 'openai', model: 'no-such-model', usage: usage(1, 1) }).costUsd).toBeNull();
    expect(fetchStub).not.toHaveBeenCalled();
    // The package fetches only through updatePrices(), which this module never calls; guard against an upgrade adding a fetch.
    const packageEntry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
    const dist = await readFile(join(dirname(packageEntry), 'index.js'), 'utf8');
    expect(dist).not.toMatch(/\bfetch\s*\(/);
    const source = await readFile(join(dirname(fileURLToPath(import.meta.url)), '../../src/telemetry/cost.ts'), 'utf8');
    expect(source).not.toMatch(/\.(updatePrices|waitForUpdate)\(/);
    expect(source).toMatch(/import\('@pydantic\/genai-prices'\)/);
    expect(source).toMatch(/\.calcPrice\(/);
  });

  it('defers loading the bundled data when asked, and refuses to price before it is loaded', async () => {
    const book = await createPriceBook({ deferLoading: true });
    const call = { provider: 'openai', model: 'gpt-4o', usage: usage(1_000_000, 0) };
    expect(() => book.price(call)).toThrow(/before its data was loaded/);
    await book.load();
    expect(book.price(call).costUsd).toBeCloseTo(2.5, 12);
  });
});

describe('custom pricing file', () => {
  it('overrides the bundled price and adds models', async () => {
    const book = await createPriceBook({ customPricingFile: fixture('prices.json') });
    // (1000 * 1 + 500 * 2) / 1e6 instead of the bundled 0.00045
    const override = book.price({ provider: 'openai', model: 'gpt-4o-mini', usage: usage(1000, 500) });
    expect(override).toMatchObject({ source: 'custom', matchedModel: 'openai/gpt-4o-mini', matchedProvider: 'openai' });
    expect(override.costUsd).toBeCloseTo(0.002, 12);
    // (8000 * 0.5 + 2000 * 0.05 + 1000 * 1.5) / 1e6
    const added = book.price({ provider: 'custom', model: 'my-model', usage: usage(10_000, 1000, { cachedInputTokens: 2000 }) });
    expect(added).toMatchObject({ source: 'custom', matchedModel: 'my-model' });
    expect(added.costUsd).toBeCloseTo(0.0056, 12);
    // Cache writes without their own price are charged at the input price: 10000 * 0.5 / 1e6
    const writes = book.price({ provider: 'openai', model: 'MY-MODEL', usage: usage(10_000, 0, { cacheCreationInputTokens: 3000 }) });
    expect(writes.costUsd).toBeCloseTo(0.005, 12);
    // A local model priced explicitly at 0 is free, not unknown.
    expect(book.price({ provider: 'ollama', model: 'llama3.2', usage: usage(100, 10) })).toMatchObject({ costUsd: 0, source: 'custom' });
    // A key may use the genai-prices id of the provider.
    expect(book.price({ provider: 'together_ai', model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', usage: usage(1_000_000, 0) }).costUsd).toBeCloseTo(0.9, 12);
    // Other models still use the bundled data.
    expect(book.price({ provider: 'mistral', model: 'mistral-small-latest', usage: usage(2000, 1000) }).source).toBe('genai-prices');
    expect(book.unknownModels()).toEqual([]);
  });

  it.each([
    ['wrong-type.json', 'models.my-model.input_per_mtok: expected number'],
    ['missing-field.json', 'models.my-model.output_per_mtok: missing (expected number)'],
    ['unknown-field.json', 'models.my-model: unknown field input_cost_per_token'],
    ['negative.json', 'models.my-model.input_per_mtok: must be >= 0'],
    ['duplicate.json', 'models.my-model: same model as models.My-Model'],
    ['bad-json.json', 'invalid JSON'],
  ])('rejects %s with the file and the field', async (name, message) => {
    const file = fixture(name);
    const error = await createPriceBook({ customPricingFile: file }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(`--pricing ${file}: ${name === 'bad-json.json' ? '' : message}`);
    expect((error as Error).message).toContain(message);
  });

  it('rejects a missing file with the error code', async () => {
    const file = fixture('does-not-exist.json');
    await expect(createPriceBook({ customPricingFile: file })).rejects.toThrow(new InputError(`--pricing ${file}: cannot read the file (ENOENT)`));
  });
});
