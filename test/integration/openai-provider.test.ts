import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/models/errors.js';
import { OpenAICompatibleProvider } from '../../src/models/openai-compatible.js';
import { sequence, startOpenAIServer, toolCall, type LoopbackOpenAIServer } from '../helpers/openai-server.js';

let server: LoopbackOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fastRetry = { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 2000 };

async function provider(replies: Parameters<typeof sequence>[0], options: { timeoutMs?: number; maxRetries?: number } = {}) {
  server = await startOpenAIServer({ responder: sequence(replies), requireApiKey: 'sk-test' });
  return new OpenAICompatibleProvider({
    provider: 'openai',
    modelId: 'test-model',
    baseUrl: `${server.url}/v1`,
    apiKey: 'sk-test',
    timeoutMs: options.timeoutMs ?? 5000,
    retry: { ...fastRetry, maxRetries: options.maxRetries ?? fastRetry.maxRetries },
  });
}

const messages = [{ role: 'user' as const, content: 'hi' }];

describe('OpenAICompatibleProvider over the real openai SDK', () => {
  it('returns text, usage with cached and reasoning tokens, and the finish reason', async () => {
    const model = await provider([{ content: 'hello', usage: { prompt_tokens: 12, completion_tokens: 3, cached_tokens: 8, reasoning_tokens: 2 } }]);
    const response = await model.generate({ messages, temperature: 0.2, seed: 7, maxOutputTokens: 64, extra: { top_k: 5 } });
    expect(response).toMatchObject({
      message: { role: 'assistant', content: 'hello' },
      usage: { inputTokens: 12, outputTokens: 3, cachedInputTokens: 8, reasoningTokens: 2 },
      finishReason: 'stop',
      model: 'test-model',
      attempts: 1,
    });
    const body = server!.requests[0]!.body;
    expect(body).toMatchObject({ model: 'test-model', temperature: 0.2, seed: 7, max_tokens: 64, top_k: 5 });
    expect(JSON.stringify(body.messages)).not.toContain('additional arguments');
  });

  it('sends tools and parses tool calls, keeping invalid argument JSON as text', async () => {
    const model = await provider([{ toolCalls: [{ name: 'get_weather', arguments: { location: 'Paris, France' } }, { name: 'calculator', arguments: '{"expression": ' }] }]);
    const response = await model.generate({
      messages,
      tools: [{ name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }],
    });
    expect(response.finishReason).toBe('tool-calls');
    expect(response.message.toolCalls).toEqual([
      { id: expect.any(String), name: 'get_weather', arguments: { location: 'Paris, France' } },
      { id: expect.any(String), name: 'calculator', arguments: '{"expression": ' },
    ]);
    expect(server!.requests[0]!.body.tools[0]).toEqual({
      type: 'function',
      function: { name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } },
    });
  });

  it('replays the conversation in OpenAI format, tool results included', async () => {
    const model = await provider([{ content: 'done' }]);
    await model.generate({
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'u' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'calculator', arguments: { expression: '1+1' } }] },
        { role: 'tool', toolCallId: 'call_1', name: 'calculator', content: 'Result: 2' },
      ],
    });
    expect(server!.requests[0]!.body.messages).toEqual([
      { role: 'system', content: 's' },
      { role: 'user', content: 'u' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"1+1"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Result: 2' },
    ]);
  });

  it('waits for Retry-After on 429 and then succeeds', async () => {
    const model = await provider([{ fault: { kind: 'status', status: 429, retryAfter: '1' } }, { content: 'ok' }]);
    const response = await model.generate({ messages });
    expect(response.attempts).toBe(2);
    const [first, second] = server!.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('retries 500 and dropped connections', async () => {
    const model = await provider([{ fault: { kind: 'status', status: 500 } }, { fault: { kind: 'drop' } }, toolCall('calculator', { expression: '2+2' })]);
    const response = await model.generate({ messages });
    expect(response.attempts).toBe(3);
    expect(response.message.toolCalls?.[0]?.name).toBe('calculator');
  });

  it('gives up after the retries with a classified error', async () => {
    const model = await provider([{ fault: { kind: 'status', status: 503 } }], { maxRetries: 1 });
    await expect(model.generate({ messages })).rejects.toMatchObject({ kind: 'server', options: { status: 503, attempts: 2 } });
  });

  it('times out a slow reply', async () => {
    const model = await provider([{ content: 'late', delayMs: 2000 }], { timeoutMs: 200, maxRetries: 0 });
    await expect(model.generate({ messages })).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('classifies malformed JSON and responses without choices', async () => {
    const malformed = await provider([{ fault: { kind: 'malformed' } }], { maxRetries: 0 });
    await expect(malformed.generate({ messages })).rejects.toMatchObject({ kind: 'malformed-response' });
    await server!.close();
    const empty = await provider([{ fault: { kind: 'status', status: 200, body: { id: 'x', choices: [] } } }], { maxRetries: 0 });
    await expect(empty.generate({ messages })).rejects.toThrow(/malformed response: choices: no choices/);
  });

  it('does not retry a bad API key', async () => {
    server = await startOpenAIServer({ requireApiKey: 'sk-right' });
    const model = new OpenAICompatibleProvider({ provider: 'openai', modelId: 'm', baseUrl: `${server.url}/v1`, apiKey: 'sk-wrong', retry: fastRetry });
    await expect(model.generate({ messages })).rejects.toMatchObject({ kind: 'auth', options: { attempts: 1 } });
    expect(server.requests).toHaveLength(1);
  });

  it('stops on abort', async () => {
    const model = await provider([{ fault: { kind: 'hang' } }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await model.generate({ messages, signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('aborted');
  });
});
