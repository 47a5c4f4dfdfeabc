import { afterEach, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../../src/models/anthropic.js';
import { ProviderError } from '../../src/models/errors.js';
import type { Message, ToolSpec } from '../../src/models/types.js';
import { sequence, startAnthropicServer, toolCall, type AnthropicScriptedReply, type LoopbackAnthropicServer } from '../helpers/anthropic-server.js';

let server: LoopbackAnthropicServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fastRetry = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 2000 };

async function provider(replies: AnthropicScriptedReply[], options: { timeoutMs?: number; maxRetries?: number; apiKey?: string } = {}) {
  server = await startAnthropicServer({ responder: sequence(replies), requireApiKey: 'sk-ant-test' });
  return new AnthropicProvider({
    modelId: 'claude-test',
    baseUrl: server.url,
    apiKey: options.apiKey ?? 'sk-ant-test',
    timeoutMs: options.timeoutMs ?? 5000,
    retry: { ...fastRetry, maxRetries: options.maxRetries ?? fastRetry.maxRetries },
  });
}

const messages: Message[] = [{ role: 'user', content: 'hi' }];
const weather: ToolSpec = { name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } };
const calculator: ToolSpec = { name: 'calculator', description: 'math', parameters: { type: 'object', properties: { expression: { type: 'string' } } } };

describe('AnthropicProvider over the real @anthropic-ai/sdk', () => {
  it('runs a tool-use conversation and sends the Messages API shapes', async () => {
    const model = await provider([
      { content: 'Let me check.', toolCalls: [{ name: 'get_weather', arguments: { location: 'Paris, France' } }, { name: 'calculator', arguments: { expression: '1/0' } }] },
      { content: 'It is 20°C in Paris.' },
    ]);
    const history: Message[] = [
      { role: 'system', content: 'You are an agent.' },
      { role: 'system', content: 'Use tools.' },
      { role: 'user', content: 'Weather in Paris?' },
    ];
    const first = await model.generate({ messages: history, tools: [weather, calculator] });
    expect(first.finishReason).toBe('tool-calls');
    expect(first.message.content).toBe('Let me check.');
    const calls = first.message.toolCalls!;
    expect(calls).toEqual([
      { id: expect.stringMatching(/^toolu_/), name: 'get_weather', arguments: { location: 'Paris, France' } },
      { id: expect.stringMatching(/^toolu_/), name: 'calculator', arguments: { expression: '1/0' } },
    ]);
    history.push(
      first.message,
      { role: 'tool', toolCallId: calls[0]!.id, name: 'get_weather', content: '20°C, Partly Cloudy' },
      { role: 'tool', toolCallId: calls[1]!.id, name: 'calculator', content: 'Error: division by zero', isError: true },
    );
    const second = await model.generate({ messages: history, tools: [weather, calculator] });
    expect(second).toMatchObject({ message: { role: 'assistant', content: 'It is 20°C in Paris.' }, finishReason: 'stop', attempts: 1 });
    expect(second.message.toolCalls).toBeUndefined();

    const body = server!.requests[1]!.body;
    expect(body.system).toBe('You are an agent.\n\nUse tools.');
    expect(body.max_tokens).toBe(4096);
    expect(body.tools).toEqual([
      { name: 'get_weather', description: 'weather', input_schema: weather.parameters },
      { name: 'calculator', description: 'math', input_schema: calculator.parameters },
    ]);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: calls[0]!.id, name: 'get_weather', input: { location: 'Paris, France' } },
          { type: 'tool_use', id: calls[1]!.id, name: 'calculator', input: { expression: '1/0' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: calls[0]!.id, content: '20°C, Partly Cloudy' },
          { type: 'tool_result', tool_use_id: calls[1]!.id, content: 'Error: division by zero', is_error: true },
        ],
      },
    ]);
    expect(body.tool_choice).toBeUndefined();
  });

  it('merges consecutive same-role turns, tool results first, and drops empty replies', async () => {
    const model = await provider([{ content: 'ok' }]);
    await model.generate({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: '' },
        { role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'calculator', arguments: '{"expression":"2+2"}' }] },
        { role: 'tool', toolCallId: 't1', name: 'calculator', content: '4' },
        { role: 'user', content: 'Now answer.' },
      ],
    });
    expect(server!.requests[0]!.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'calculator', input: { expression: '2+2' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '4' }, { type: 'text', text: 'Now answer.' }] },
    ]);
  });

  it('passes generation parameters, never seed, and extras', async () => {
    const model = await provider([{ content: 'x' }]);
    await model.generate({ messages, temperature: 0.3, topP: 0.9, maxOutputTokens: 77, seed: 42, stop: ['END'], extra: { top_k: 5, metadata: { user_id: 'u' } } });
    const body = server!.requests[0]!.body;
    expect(body).toMatchObject({ model: 'claude-test', max_tokens: 77, temperature: 0.3, top_p: 0.9, stop_sequences: ['END'], top_k: 5, metadata: { user_id: 'u' } });
    expect(body).not.toHaveProperty('seed');
    expect(body).not.toHaveProperty('system');
    expect(body).not.toHaveProperty('tools');
  });

  it('reports usage with cache reads and writes inside inputTokens, and thinking as reasoning', async () => {
    const model = await provider([
      { thinking: 'The user greets me.', content: 'Hello!', usage: { prompt_tokens: 100, completion_tokens: 7, cached_tokens: 60 }, cacheCreationTokens: 30 },
    ]);
    const response = await model.generate({ messages });
    expect(response.usage).toEqual({ inputTokens: 100, outputTokens: 7, cachedInputTokens: 60, cacheCreationInputTokens: 30 });
    expect(response.message).toEqual({
      role: 'assistant',
      content: 'Hello!',
      reasoning: 'The user greets me.',
      reasoningBlocks: [{ type: 'thinking', thinking: 'The user greets me.', signature: 'sig_1' }],
    });
    expect(response.responseId).toMatch(/^msg_/);
    expect(response.model).toBe('claude-test');
  });

  it('replays signed thinking before tool results, as extended thinking with tools requires', async () => {
    const model = await provider([
      { thinking: 'Paris weather needs the tool.', ...toolCall('get_weather', { location: 'Paris, France' }) },
      { content: 'It is 20°C.' },
    ]);
    const thinking = { thinking: { type: 'enabled', budget_tokens: 1024 } };
    const first = await model.generate({ messages, tools: [weather], extra: thinking });
    expect(first.message.reasoningBlocks).toEqual([{ type: 'thinking', thinking: 'Paris weather needs the tool.', signature: 'sig_1' }]);
    const call = first.message.toolCalls![0]!;
    const history: Message[] = [...messages, first.message, { role: 'tool', toolCallId: call.id, name: call.name, content: '20°C' }];
    const second = await model.generate({ messages: history, tools: [weather], extra: thinking });
    expect(second.message.content).toBe('It is 20°C.');
    expect(server!.requests[1]!.body.messages[1].content[0]).toEqual({ type: 'thinking', thinking: 'Paris weather needs the tool.', signature: 'sig_1' });
    // Without the signed block the (fake, like the real) API refuses the request.
    const unsigned: Message[] = [...messages, { ...first.message, reasoningBlocks: undefined }, history[2]!];
    await expect(model.generate({ messages: unsigned, tools: [weather], extra: thinking })).rejects.toMatchObject({ kind: 'bad-request' });
  });

  it.each([
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop'],
    ['end_turn', 'stop'],
    ['refusal', 'content-filter'],
  ])('maps stop_reason %s to %s', async (stopReason, finishReason) => {
    const model = await provider([{ content: 'x', stopReason }]);
    expect((await model.generate({ messages })).finishReason).toBe(finishReason);
  });

  it('sends the key as Authorization: Bearer; the fake also takes x-api-key', async () => {
    const model = await provider([{ content: 'ok' }]);
    await model.generate({ messages });
    const headers = server!.requests[0]!.headers;
    expect(headers.authorization).toBe('Bearer sk-ant-test');
    expect(headers['x-api-key']).toBeUndefined();
    expect(headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const viaHeader = await fetch(`${server!.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'm', max_tokens: 10, messages }),
    });
    expect(viaHeader.status).toBe(200);
    expect(await viaHeader.json()).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'ok' }] });
  });

  it('does not retry a bad key', async () => {
    const model = await provider([{ content: 'ok' }], { apiKey: 'sk-wrong' });
    const error = await model.generate({ messages }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'auth', options: { status: 401, attempts: 1 } });
    expect((error as Error).message).toBe('authentication failed (401): invalid x-api-key');
    expect(server!.requests).toHaveLength(1);
  });

  it('waits for Retry-After on 429 and then succeeds', async () => {
    const model = await provider([{ fault: { kind: 'status', status: 429, retryAfter: '1' } }, { content: 'ok' }]);
    const response = await model.generate({ messages });
    expect(response.attempts).toBe(2);
    const [first, second] = server!.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('retries 529 overloaded, 500 and a dropped connection', async () => {
    const model = await provider([
      { fault: { kind: 'status', status: 529 } },
      { fault: { kind: 'status', status: 500 } },
      { fault: { kind: 'drop' } },
      toolCall('calculator', { expression: '2+2' }),
    ]);
    const response = await model.generate({ messages });
    expect(response.attempts).toBe(4);
    expect(response.message.toolCalls?.[0]).toMatchObject({ name: 'calculator', arguments: { expression: '2+2' } });
  });

  it('names the socket failure of a dropped connection', async () => {
    const model = await provider([{ fault: { kind: 'drop' } }], { maxRetries: 0 });
    await expect(model.generate({ messages })).rejects.toMatchObject({ kind: 'connection', message: 'connection error: other side closed' });
  });

  it('gives up after the retries with a classified error', async () => {
    const model = await provider([{ fault: { kind: 'status', status: 529 } }], { maxRetries: 1 });
    const error = await model.generate({ messages }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'server', options: { status: 529, attempts: 2 } });
    expect((error as Error).message).toBe('overloaded (529): Simulated 529 error');
  });

  it('classifies not_found_error as model-missing and a 400 as bad-request, without retrying', async () => {
    const model = await provider([{ fault: { kind: 'status', status: 404, body: { type: 'error', error: { type: 'not_found_error', message: 'model: claude-nope' } } } }]);
    await expect(model.generate({ messages })).rejects.toMatchObject({ kind: 'model-missing', message: 'model or endpoint not found (404): model: claude-nope', options: { attempts: 1 } });
    await server!.close();
    const invalid = await provider([{ fault: { kind: 'status', status: 400 } }]);
    await expect(invalid.generate({ messages })).rejects.toMatchObject({ kind: 'bad-request', options: { status: 400, attempts: 1 } });
  });

  it('times out a slow reply', async () => {
    const model = await provider([{ content: 'late', delayMs: 2000 }], { timeoutMs: 200, maxRetries: 0 });
    await expect(model.generate({ messages })).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('stops on abort', async () => {
    const model = await provider([{ fault: { kind: 'hang' } }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await model.generate({ messages, signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('aborted');
  });

  it('classifies malformed JSON and responses of the wrong shape', async () => {
    const broken = await provider([{ fault: { kind: 'malformed' } }], { maxRetries: 0 });
    await expect(broken.generate({ messages })).rejects.toMatchObject({ kind: 'malformed-response' });
    await server!.close();
    const noContent = await provider([{ fault: { kind: 'status', status: 200, body: { id: 'msg_x', type: 'message' } } }], { maxRetries: 0 });
    await expect(noContent.generate({ messages })).rejects.toThrow(/malformed response: content: /);
    await server!.close();
    const badBlock = await provider([{ fault: { kind: 'status', status: 200, body: { content: [{ type: 'tool_use', name: 'x', input: {} }] } } }], { maxRetries: 0 });
    await expect(badBlock.generate({ messages })).rejects.toThrow(/malformed response: content\.0\.id: /);
  });

  it('rejects what the real API rejects (the fake checks turn order and tool pairing)', async () => {
    const model = await provider([{ content: 'x' }]);
    const error = await model
      .generate({ messages: [{ role: 'user', content: 'u' }, { role: 'assistant', content: '', toolCalls: [{ id: 't9', name: 'calculator', arguments: {} }] }, { role: 'user', content: 'no result' }] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'bad-request', options: { status: 400 } });
    expect((error as Error).message).toMatch(/tool_use` ids were found without `tool_result` blocks immediately after: t9/);
  });
});
