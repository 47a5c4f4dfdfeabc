import { closedPort } from '../helpers/loopback-http.js';
import { Ollama } from 'ollama';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../../src/models/errors.js';
import { OllamaProvider } from '../../src/models/ollama.js';
import type { Message, ToolSpec } from '../../src/models/types.js';
import { sequence, startOllamaServer, toolCall, type LoopbackOllamaServer, type OllamaScriptedReply } from '../helpers/ollama-server.js';

let server: LoopbackOllamaServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

const fastRetry = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 2000 };

async function provider(replies: OllamaScriptedReply[], options: { timeoutMs?: number; maxRetries?: number; modelId?: string } = {}) {
  server = await startOllamaServer({ responder: sequence(replies), models: ['test-model', 'qwen3:8b'] });
  return new OllamaProvider({
    modelId: options.modelId ?? 'test-model',
    host: server.url,
    timeoutMs: options.timeoutMs ?? 5000,
    retry: { ...fastRetry, maxRetries: options.maxRetries ?? fastRetry.maxRetries },
  });
}

const messages: Message[] = [{ role: 'user', content: 'hi' }];
const weather: ToolSpec = { name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } };

describe('OllamaProvider over the real ollama client', () => {
  it('runs a tool-use conversation with native tools and sends the /api/chat shapes', async () => {
    const model = await provider([
      { toolCalls: [{ name: 'get_weather', arguments: { location: 'Paris, France' } }, { name: 'get_weather', arguments: { location: 'Tokyo, Japan' } }] },
      { content: 'Paris 20°C, Tokyo 18°C.' },
    ]);
    const history: Message[] = [
      { role: 'system', content: 'You are an agent.' },
      { role: 'user', content: 'Weather?' },
    ];
    const first = await model.generate({ messages: history, tools: [weather], temperature: 0.1, topP: 0.8, maxOutputTokens: 64, seed: 7, stop: ['END'], extra: { top_k: 20, think: false, keep_alive: '5m' } });
    expect(first.finishReason).toBe('tool-calls');
    expect(first.message.toolCalls).toEqual([
      { id: 'call_1', name: 'get_weather', arguments: { location: 'Paris, France' } },
      { id: 'call_2', name: 'get_weather', arguments: { location: 'Tokyo, Japan' } },
    ]);
    history.push(
      first.message,
      { role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: '20°C, Partly Cloudy' },
      { role: 'tool', toolCallId: 'call_2', name: 'get_weather', content: '18°C, Clear', isError: false },
    );
    const second = await model.generate({ messages: history, tools: [weather] });
    expect(second).toMatchObject({ message: { role: 'assistant', content: 'Paris 20°C, Tokyo 18°C.' }, finishReason: 'stop', attempts: 1, model: 'test-model' });

    const [firstBody, secondBody] = server!.requests.map((request) => request.body);
    expect(firstBody).toEqual({
      model: 'test-model',
      messages: [
        { role: 'system', content: 'You are an agent.' },
        { role: 'user', content: 'Weather?' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'weather', parameters: weather.parameters } }],
      stream: false,
      think: false,
      keep_alive: '5m',
      options: { top_k: 20, temperature: 0.1, top_p: 0.8, num_predict: 64, seed: 7, stop: ['END'] },
    });
    expect(secondBody.messages.slice(2)).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { function: { name: 'get_weather', arguments: { location: 'Paris, France' } } },
          { function: { name: 'get_weather', arguments: { location: 'Tokyo, Japan' } } },
        ],
      },
      { role: 'tool', content: '20°C, Partly Cloudy', tool_name: 'get_weather' },
      { role: 'tool', content: '18°C, Clear', tool_name: 'get_weather' },
    ]);
    expect(secondBody).not.toHaveProperty('options');
  });

  it('keeps tool call ids the server sends, and gives fresh ones otherwise', async () => {
    const model = await provider([{ toolCalls: [{ id: 'srv_1', name: 'calculator', arguments: { expression: '1+1' } }] }, toolCall('calculator', '{"expression": "2+2"}')]);
    expect((await model.generate({ messages })).message.toolCalls).toEqual([{ id: 'srv_1', name: 'calculator', arguments: { expression: '1+1' } }]);
    expect((await model.generate({ messages })).message.toolCalls).toEqual([{ id: 'call_1', name: 'calculator', arguments: { expression: '2+2' } }]);
  });

  it('reports usage from the eval counts, thinking as reasoning, and done_reason length', async () => {
    const model = await provider([{ thinking: 'Short answer.', content: 'Hi', usage: { prompt_tokens: 31, completion_tokens: 12 }, finishReason: 'length' }]);
    const response = await model.generate({ messages });
    expect(response).toMatchObject({
      message: { role: 'assistant', content: 'Hi', reasoning: 'Short answer.' },
      usage: { inputTokens: 31, outputTokens: 12 },
      finishReason: 'length',
    });
  });

  it("says to run 'ollama serve' when nothing listens", async () => {
    const host = `http://127.0.0.1:${await closedPort()}`;
    const model = new OllamaProvider({ modelId: 'test-model', host, retry: { ...fastRetry, maxRetries: 1 } });
    const error = await model.generate({ messages }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'connection', options: { attempts: 2 } });
    expect((error as Error).message).toBe(`cannot reach Ollama at ${host}: is 'ollama serve' running?`);
  });

  it("says to run 'ollama pull' for a model that is not there, without retrying", async () => {
    const model = await provider([{ content: 'x' }], { modelId: 'llama3.2' });
    const error = await model.generate({ messages }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'model-missing', options: { status: 404, attempts: 1 } });
    expect((error as Error).message).toBe("model 'llama3.2' is not pulled; run: ollama pull llama3.2");
    expect(server!.requests).toHaveLength(1);
  });

  it('finds a pulled model by its tag', async () => {
    const model = await provider([{ content: 'tagged' }], { modelId: 'qwen3:8b' });
    expect((await model.generate({ messages })).message.content).toBe('tagged');
  });

  it('waits for Retry-After on 429 and then succeeds', async () => {
    const model = await provider([{ fault: { kind: 'status', status: 429, retryAfter: '1' } }, { content: 'ok' }]);
    const response = await model.generate({ messages });
    expect(response.attempts).toBe(2);
    const [first, second] = server!.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('retries 500, 503 and a dropped connection', async () => {
    const model = await provider([{ fault: { kind: 'status', status: 500 } }, { fault: { kind: 'status', status: 503 } }, { fault: { kind: 'drop' } }, { content: 'ok' }]);
    expect((await model.generate({ messages })).attempts).toBe(4);
  });

  it('classifies 401 and 400 without retrying', async () => {
    const model = await provider([{ fault: { kind: 'status', status: 401, body: { error: 'unauthorized' } } }]);
    await expect(model.generate({ messages })).rejects.toMatchObject({ kind: 'auth', message: 'authentication failed (401): unauthorized', options: { attempts: 1 } });
    await server!.close();
    const bad = await provider([{ fault: { kind: 'status', status: 400 } }]);
    await expect(bad.generate({ messages })).rejects.toMatchObject({ kind: 'bad-request', message: 'request rejected (400): Simulated 400 error' });
  });

  it('reads a non-JSON error body without logging to the console', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const model = await provider([{ fault: { kind: 'status', status: 502, body: '<html>bad gateway</html>' } }], { maxRetries: 0 });
    await expect(model.generate({ messages })).rejects.toMatchObject({ kind: 'server', message: 'server error (502): <html>bad gateway</html>' });
    expect(log).not.toHaveBeenCalled();
  });

  it('times out a slow reply, though ollama-js has no timeout of its own', async () => {
    const model = await provider([{ content: 'late', delayMs: 2000 }], { timeoutMs: 200, maxRetries: 1 });
    const started = Date.now();
    await expect(model.generate({ messages })).rejects.toMatchObject({ kind: 'timeout', options: { attempts: 2 } });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('stops on abort, though ollama-js passes no signal for non-streamed calls', async () => {
    const model = await provider([{ fault: { kind: 'hang' } }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await model.generate({ messages, signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('aborted');
  });

  it('classifies malformed JSON and replies of the wrong shape', async () => {
    const broken = await provider([{ fault: { kind: 'malformed' } }], { maxRetries: 0 });
    await expect(broken.generate({ messages })).rejects.toMatchObject({ kind: 'malformed-response' });
    await server!.close();
    const noMessage = await provider([{ fault: { kind: 'status', status: 200, body: { model: 'test-model', done: true } } }], { maxRetries: 0 });
    await expect(noMessage.generate({ messages })).rejects.toThrow(/malformed response: message: /);
  });
});

describe('the loopback Ollama server', () => {
  it('streams NDJSON when asked (and by default), and lists its models', async () => {
    const replies: OllamaScriptedReply[] = [{ thinking: 'hm', content: 'Hello there', toolCalls: [{ name: 'f', arguments: { a: 1 } }] }];
    server = await startOllamaServer({ responder: sequence(replies) });
    const client = new Ollama({ host: server.url });
    let content = '';
    let thinking = '';
    const calls: unknown[] = [];
    let last: { done: boolean; eval_count: number } | undefined;
    for await (const part of await client.chat({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], stream: true })) {
      content += part.message.content;
      thinking += part.message.thinking ?? '';
      calls.push(...(part.message.tool_calls ?? []));
      last = part;
    }
    expect({ content, thinking, calls }).toEqual({ content: 'Hello there', thinking: 'hm', calls: [{ function: { name: 'f', arguments: { a: 1 } } }] });
    expect(last).toMatchObject({ done: true, done_reason: 'stop', eval_count: expect.any(Number) });
    const raw = await fetch(`${server.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'test-model', messages: [] }) });
    expect(raw.headers.get('content-type')).toBe('application/x-ndjson');
    expect((await raw.text()).trim().split('\n').length).toBeGreaterThan(1);
    expect((await client.list()).models.map((entry) => entry.name)).toEqual(['test-model:latest']);
    expect((await client.version()).version).toMatch(/^\d+\.\d+/);
  });

  it('rejects tool call arguments sent as a string, as Ollama does', async () => {
    server = await startOllamaServer();
    const response = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'test-model', stream: false, messages: [{ role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: '{}' } }] }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.stringContaining('cannot unmarshal string') });
  });
});
