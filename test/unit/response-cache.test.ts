import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/models/errors.js';
import { CachingProvider } from '../../src/models/response-cache.js';
import { cacheHash, cacheKey } from '../../src/models/response-store.js';
import type { ModelProvider, ModelRequest, ModelResponse } from '../../src/models/types.js';
import { SecretRedactor } from '../../src/secrets/redactor.js';

/** A provider that answers with the number of calls made so far (so a replay is told from a call). */
function countingProvider(): ModelProvider & { calls: number } {
  const provider = {
    provider: 'openai',
    modelId: 'gpt-4o-mini',
    calls: 0,
    async generate(request: ModelRequest): Promise<ModelResponse> {
      provider.calls++;
      return { message: { role: 'assistant', content: `answer ${provider.calls} to ${request.messages.at(-1)!.content}` }, usage: { inputTokens: 10, outputTokens: 3 }, finishReason: 'stop', model: 'gpt-4o-mini-2024', responseId: `r${provider.calls}`, attempts: 2 };
    },
  };
  return provider;
}

const ask = (content: string): ModelRequest => ({ messages: [{ role: 'user', content }], temperature: 0 });

describe('CachingProvider', () => {
  it('auto: answers a repeated request from the store, records a new one', async () => {
    const inner = countingProvider();
    const directory = await mkdtemp(join(tmpdir(), 'agent-eval-auto-'));
    const cache = new CachingProvider(inner, { mode: 'auto', directory });
    const first = await cache.generate(ask('hello'));
    const again = await cache.generate(ask('hello'));
    const other = await cache.generate(ask('bye'));
    expect(inner.calls).toBe(2);
    expect(again).toEqual({ ...first, attempts: 1 });
    expect(other.message.content).toBe('answer 2 to bye');
    expect(cache.report).toMatchObject({ mode: 'auto', hits: 1, misses: 2, written: 2 });
  });

  it('record: always asks the provider and keeps the latest answer', async () => {
    const inner = countingProvider();
    const directory = await mkdtemp(join(tmpdir(), 'agent-eval-record-'));
    const cache = new CachingProvider(inner, { mode: 'record', directory });
    await cache.generate(ask('hello'));
    await cache.generate(ask('hello'));
    expect(inner.calls).toBe(2);
    const replay = new CachingProvider(countingProvider(), { mode: 'replay', directory });
    expect((await replay.generate(ask('hello'))).message.content).toBe('answer 2 to hello');
  });

  it('replay: a miss is a cache-miss error, never retried and never sent; a file of another format is a miss', async () => {
    const inner = countingProvider();
    const directory = await mkdtemp(join(tmpdir(), 'agent-eval-replay-'));
    const hash = cacheHash(cacheKey('openai', 'gpt-4o-mini', ask('hello')));
    await mkdir(join(directory, hash.slice(0, 2)));
    await writeFile(join(directory, hash.slice(0, 2), `${hash}.json`), JSON.stringify({ format: 'something-else/9', response: {} }));
    const cache = new CachingProvider(inner, { mode: 'replay', directory });
    const error = await cache.generate(ask('hello')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('cache-miss');
    expect((error as ProviderError).retryable).toBe(false);
    expect((error as ProviderError).message).toContain(`hash ${hash.slice(0, 16)}`);
    expect(inner.calls).toBe(0);
  });

  it("scrubs the run's secrets from the stored files, keyed by what was sent", async () => {
    const directory = await mkdtemp(join(tmpdir(), 'agent-eval-scrub-'));
    const redactor = SecretRedactor.from({ secrets: ['sk-very-secret-value-123456'] });
    const cache = new CachingProvider(countingProvider(), { mode: 'record', directory, redactor });
    await cache.generate(ask('my key is sk-very-secret-value-123456'));
    const [folder] = await readdir(directory);
    const [file] = await readdir(join(directory, folder!));
    const text = await readFile(join(directory, folder!, file!), 'utf8');
    expect(text).not.toContain('sk-very-secret-value-123456');
    expect(text).toContain('[REDACTED]');
    expect(file).toBe(`${cacheHash(cacheKey('openai', 'gpt-4o-mini', ask('my key is sk-very-secret-value-123456')))}.json`);
  });
});
