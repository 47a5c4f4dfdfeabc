// Proves the loopback server (test/helpers/openai-server.ts) through the real `openai` SDK.
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterEach, describe, expect, it } from 'vitest';
import {
  finalAnswer,
  scriptByPrompt,
  sequence,
  startOpenAIServer,
  toolCall,
  type LoopbackOpenAIServer,
  type OpenAIServerOptions,
} from '../helpers/openai-server.js';

let servers: LoopbackOpenAIServer[] = [];

async function start(options?: OpenAIServerOptions): Promise<LoopbackOpenAIServer> {
  const server = await startOpenAIServer(options);
  servers.push(server);
  return server;
}

function clientFor(server: LoopbackOpenAIServer, extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI {
  return new OpenAI({ baseURL: server.url + '/v1', apiKey: 'sk-test', maxRetries: 0, ...extra });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the request to fail');
}

const userMsg = (content: string): ChatCompletionMessageParam[] => [{ role: 'user', content }];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('loopback OpenAI server', () => {
  it('answers a text reply with full usage details', async () => {
    const server = await start({
      responder: () => ({
        content: 'Hello there',
        usage: { prompt_tokens: 120, completion_tokens: 30, cached_tokens: 64, reasoning_tokens: 12 },
      }),
    });
    const res = await clientFor(server).chat.completions.create({ model: 'gpt-test', messages: userMsg('hi') });
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.model).toBe('gpt-test');
    const choice = res.choices[0]!;
    expect(choice.finish_reason).toBe('stop');
    expect(choice.message.role).toBe('assistant');
    expect(choice.message.content).toBe('Hello there');
    expect(choice.message.tool_calls).toBeUndefined();
    expect(res.usage).toEqual({
      prompt_tokens: 120,
      completion_tokens: 30,
      total_tokens: 150,
      prompt_tokens_details: { cached_tokens: 64 },
      completion_tokens_details: { reasoning_tokens: 12 },
    });
    expect(server.requests).toHaveLength(1);
    const recorded = server.requests[0]!;
    expect(recorded.method).toBe('POST');
    expect(recorded.path).toBe('/v1/chat/completions');
    expect(recorded.headers.authorization).toBe('Bearer sk-test');
    expect(recorded.body.messages).toEqual(userMsg('hi'));
  });

  it('estimates usage when none is scripted and omits it on null', async () => {
    const server = await start({ responder: sequence([{ content: 'x'.repeat(40) }, { content: 'y', usage: null }]) });
    const client = clientFor(server);
    const first = await client.chat.completions.create({ model: 'm', messages: userMsg('z'.repeat(80)) });
    expect(first.usage?.prompt_tokens).toBe(20);
    expect(first.usage?.completion_tokens).toBe(10);
    const second = await client.chat.completions.create({ model: 'm', messages: userMsg('q') });
    expect(second.usage).toBeUndefined();
  });

  it('answers tool calls whose arguments parse as JSON', async () => {
    const server = await start({
      responder: () => ({
        toolCalls: [
          { name: 'web_search', arguments: { query: 'capital of France' } },
          { name: 'python', arguments: '{"code": "print(1)"}', id: 'call_custom' },
        ],
      }),
    });
    const res = await clientFor(server).chat.completions.create({ model: 'm', messages: userMsg('search') });
    const choice = res.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const calls = choice.message.tool_calls!;
    expect(calls).toHaveLength(2);
    const [a, b] = calls;
    if (a?.type !== 'function' || b?.type !== 'function') throw new Error('expected function tool calls');
    expect(a.id).toMatch(/^call_\d+$/);
    expect(a.function.name).toBe('web_search');
    expect(JSON.parse(a.function.arguments)).toEqual({ query: 'capital of France' });
    expect(b.id).toBe('call_custom');
    expect(b.function.arguments).toBe('{"code": "print(1)"}');
  });

  it('scriptByPrompt advances two interleaved conversations independently', async () => {
    const server = await start({
      responder: scriptByPrompt({
        'Task A': [toolCall('search', { q: 'a' }), finalAnswer('answer A')],
        'Task B': [{ content: 'thinking B' }, toolCall('calc', { x: 1 }), finalAnswer(42)],
      }),
    });
    const client = clientFor(server);
    const convA: ChatCompletionMessageParam[] = [{ role: 'system', content: 'sys' }, ...userMsg('Please do Task A now')];
    const convB: ChatCompletionMessageParam[] = userMsg('Please do Task B now');
    const turn = async (conv: ChatCompletionMessageParam[]) => {
      const msg = (await client.chat.completions.create({ model: 'm', messages: conv })).choices[0]!.message;
      conv.push(msg);
      for (const tc of msg.tool_calls ?? []) conv.push({ role: 'tool', tool_call_id: tc.id, content: 'observation' });
      return msg;
    };
    const fn = (msg: OpenAI.ChatCompletionMessage) => {
      const tc = msg.tool_calls?.[0];
      return tc?.type === 'function' ? [tc.function.name, JSON.parse(tc.function.arguments)] : null;
    };
    expect(fn(await turn(convA))).toEqual(['search', { q: 'a' }]);
    expect((await turn(convB)).content).toBe('thinking B');
    expect(fn(await turn(convB))).toEqual(['calc', { x: 1 }]);
    expect(fn(await turn(convA))).toEqual(['final_answer', { answer: 'answer A' }]);
    expect(fn(await turn(convB))).toEqual(['final_answer', { answer: 42 }]);
    // Past the end of the script the last reply repeats.
    expect(fn(await turn(convA))).toEqual(['final_answer', { answer: 'answer A' }]);
    // Unknown prompt without fallback.
    const other = await client.chat.completions.create({ model: 'm', messages: userMsg('Task C') });
    expect(other.choices[0]!.message.content).toBe('no script for this prompt');
    expect(server.requests).toHaveLength(7);
  });

  it('sequence repeats its last reply', async () => {
    const server = await start({ responder: sequence([{ content: 'one' }, { content: 'two' }]) });
    const client = clientFor(server);
    const texts: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      texts.push((await client.chat.completions.create({ model: 'm', messages: userMsg('x') })).choices[0]!.message.content);
    }
    expect(texts).toEqual(['one', 'two', 'two']);
  });

  it('429 with retry-after surfaces as RateLimitError with the header', async () => {
    const server = await start({ responder: () => ({ fault: { kind: 'status', status: 429, retryAfter: '1' } }) });
    const err = await caught(clientFor(server).chat.completions.create({ model: 'm', messages: userMsg('x') }));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.headers?.get('retry-after')).toBe('1');
    expect(e.type).toBe('rate_limit_error');
    expect(e.code).toBe('rate_limit_exceeded');
    expect(server.requests).toHaveLength(1); // maxRetries: 0, and faulted requests are recorded
  });

  it('500 surfaces as InternalServerError', async () => {
    const server = await start({ responder: () => ({ fault: { kind: 'status', status: 500 } }) });
    const err = await caught(clientFor(server).chat.completions.create({ model: 'm', messages: userMsg('x') }));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(500);
    expect((err as Error).message).toBe('500 Simulated 500 error');
  });

  it('drop surfaces as APIConnectionError (not a timeout)', async () => {
    const server = await start({ responder: () => ({ fault: { kind: 'drop' } }) });
    const err = await caught(clientFor(server).chat.completions.create({ model: 'm', messages: userMsg('x') }));
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(err).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    // undici's `TypeError: fetch failed` (cause: SocketError "other side closed") becomes the
    // SDK's generic message; the status is undefined.
    expect((err as Error).message).toBe('Connection error.');
    expect((err as InstanceType<typeof OpenAI.APIConnectionError>).status).toBeUndefined();
    expect(String((err as Error).cause)).toMatch(/fetch failed/);
  });

  it('hang with a client timeout surfaces as APIConnectionTimeoutError', async () => {
    const server = await start({ responder: () => ({ fault: { kind: 'hang' } }) });
    const started = Date.now();
    const err = await caught(
      clientFor(server, { timeout: 300 }).chat.completions.create({ model: 'm', messages: userMsg('x') }),
    );
    expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect((err as Error).message).toBe('Request timed out.');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('close() ends hanging requests', async () => {
    const server = await startOpenAIServer({ responder: () => ({ fault: { kind: 'hang' } }) });
    const pending = caught(clientFor(server).chat.completions.create({ model: 'm', messages: userMsg('x') }));
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await server.close();
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('malformed JSON body surfaces as a raw SyntaxError', async () => {
    // The SDK calls `response.json()` on a 2xx application/json response without wrapping it,
    // so the error is the platform's SyntaxError, not an OpenAI.APIError subclass.
    const server = await start({ responder: () => ({ fault: { kind: 'malformed' } }) });
    const err = await caught(clientFor(server).chat.completions.create({ model: 'm', messages: userMsg('x') }));
    expect(err).toBeInstanceOf(SyntaxError);
    expect(err).not.toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toMatch(/JSON/);
  });

  it('rejects a wrong API key with 401 AuthenticationError', async () => {
    const server = await start({ requireApiKey: 'sk-right' });
    const err = await caught(clientFor(server).chat.completions.create({ model: 'm', messages: userMsg('x') }));
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    const e = err as InstanceType<typeof OpenAI.AuthenticationError>;
    expect(e.status).toBe(401);
    expect(e.code).toBe('invalid_api_key');
    expect(e.message).toBe('401 Incorrect API key provided');
    const ok = await clientFor(server, { apiKey: 'sk-right' }).chat.completions.create({ model: 'm', messages: userMsg('x') });
    expect(ok.choices[0]!.message.content).toBe('ok');
  });

  it('streams content and tool-call deltas with include_usage', async () => {
    const server = await start({
      responder: sequence([
        { content: 'Streaming works fine', usage: { prompt_tokens: 7, completion_tokens: 3, cached_tokens: 2 } },
        { content: 'calling', toolCalls: [{ name: 'lookup', arguments: { id: 7 } }] },
      ]),
    });
    const client = clientFor(server);
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: userMsg('x'),
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe('chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice) {
        text += choice.delta.content ?? '';
        finish = choice.finish_reason ?? finish;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toBe('Streaming works fine');
    expect(finish).toBe('stop');
    expect(usage?.total_tokens).toBe(10);
    expect(usage?.prompt_tokens_details?.cached_tokens).toBe(2);

    // The SDK's stream helper accumulates tool-call deltas into a final message.
    const runner = client.chat.completions.stream({ model: 'm', messages: userMsg('x') });
    const final = await runner.finalChatCompletion();
    const msg = final.choices[0]!.message;
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(msg.content).toBe('calling');
    const tc = msg.tool_calls?.[0];
    expect(tc?.type === 'function' && tc.function.name).toBe('lookup');
    expect(tc?.type === 'function' && JSON.parse(tc.function.arguments)).toEqual({ id: 7 });
    expect(server.requests[1]!.body.stream).toBe(true);
  });

  it('lists models, 404s unknown paths, 400s bad JSON', async () => {
    const server = await start();
    const client = clientFor(server);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['test-model']);
    const notFound = await caught(client.embeddings.create({ model: 'm', input: 'x' }));
    expect(notFound).toBeInstanceOf(OpenAI.NotFoundError);
    const bad = await fetch(server.url + '/v1/chat/completions', { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { type: string; code: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.code).toBe('invalid_json');
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/models', '/v1/embeddings', '/v1/chat/completions']);
    expect(server.requests[2]!.body).toBe('{nope');
  });

  it('applies latency and per-reply delay; recordRequests: false records nothing', async () => {
    const server = await start({ latencyMs: 50, recordRequests: false, responder: () => ({ content: 'slow', delayMs: 50 }) });
    const started = Date.now();
    await clientFor(server).chat.completions.create({ model: 'm', messages: userMsg('x') });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(server.requests).toHaveLength(0);
  });
});
