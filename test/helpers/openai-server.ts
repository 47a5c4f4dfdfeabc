// Loopback OpenAI-compatible Chat Completions server for tests and the benchmark.
// Speaks the real wire protocol (JSON and SSE) so the real `openai` SDK works against it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendFault } from './loopback-http.js';
import { messageText } from './scripts.js';

export { finalAnswer, messageText, scriptByPrompt, sequence, toolCall } from './scripts.js';

/** One model turn. */
export interface ScriptedReply {
  content?: string | null;
  /** `arguments`: objects are JSON.stringify'd, strings are sent raw. */
  toolCalls?: { name: string; arguments: unknown | string; id?: string }[];
  /** Default: `tool_calls` when toolCalls are present, else `stop`. */
  finishReason?: 'stop' | 'tool_calls' | 'length';
  /** `null` omits usage entirely; absent means a rough estimate. */
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number; reasoning_tokens?: number } | null;
  fault?: Fault;
  delayMs?: number;
  /** The `model` the reply reports (default: the request's). */
  model?: string;
  /** Sent as the message's `reasoning_content` (non-streamed replies), as DeepSeek-style servers do. */
  reasoning?: string;
}

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: unknown }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  | { kind: 'hang' };

export interface RecordedRequest {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON from the client
  body: any;
  headers: Record<string, string | string[] | undefined>;
  path: string;
  method: string;
  receivedAt: number;
}

export type Responder = (request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;

export interface LoopbackOpenAIServer {
  /** http://127.0.0.1:PORT (no trailing slash, no /v1). */
  url: string;
  requests: RecordedRequest[];
  setResponder(responder: Responder): void;
  close(): Promise<void>;
}

export interface OpenAIServerOptions {
  responder?: Responder;
  latencyMs?: number;
  requireApiKey?: string;
  /** Default true; turn off for long benchmarks to avoid memory growth. */
  recordRequests?: boolean;
  /** Listen on this port (default: any free one), e.g. to bring back an endpoint that was down. */
  port?: number;
}

type Usage = NonNullable<ScriptedReply['usage']>;

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders?: Record<string, string>): void {
  if (res.destroyed || res.writableEnded) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string, code: string | null, headers?: Record<string, string>): void {
  sendJson(res, status, { error: { message, type: errorType(status), param: null, code } }, headers);
}

function promptChars(body: RecordedRequest['body']): number {
  const messages: unknown = body?.messages;
  if (!Array.isArray(messages)) return 0;
  let n = 0;
  for (const m of messages) if (m && typeof m === 'object') n += messageText((m as { content?: unknown }).content).length;
  return n;
}

function wireUsage(u: Usage) {
  return {
    prompt_tokens: u.prompt_tokens,
    completion_tokens: u.completion_tokens,
    total_tokens: u.prompt_tokens + u.completion_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_tokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning_tokens ?? 0 },
  };
}

export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<LoopbackOpenAIServer> {
  let responder: Responder = options.responder ?? (() => ({ content: 'ok' }));
  const latencyMs = options.latencyMs ?? 0;
  const record = options.recordRequests ?? true;
  const expectedAuth = options.requireApiKey !== undefined ? `Bearer ${options.requireApiKey}` : undefined;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let callSeq = 0;
  let completionSeq = 0;
  let closed = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function buildCompletion(body: RecordedRequest['body'], reply: ScriptedReply) {
    const content = reply.content ?? null;
    const toolCalls = (reply.toolCalls ?? []).map((tc) => ({
      id: tc.id ?? `call_${++callSeq}`,
      type: 'function' as const,
      function: {
        name: tc.name,
        arguments: typeof tc.arguments === 'string' ? tc.arguments : JSON.stringify(tc.arguments ?? {}),
      },
    }));
    const finishReason = reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
    let usage: Usage | null;
    if (reply.usage === null) usage = null;
    else if (reply.usage) usage = reply.usage;
    else {
      let outChars = content?.length ?? 0;
      for (const tc of toolCalls) outChars += tc.function.name.length + tc.function.arguments.length;
      usage = {
        prompt_tokens: Math.max(1, Math.round(promptChars(body) / 4)),
        completion_tokens: Math.max(1, Math.round(outChars / 4)),
      };
    }
    const model: string = reply.model ?? (typeof body?.model === 'string' ? body.model : 'test-model');
    return {
      id: `chatcmpl-${++completionSeq}`,
      created: Math.floor(Date.now() / 1000),
      model,
      content,
      toolCalls,
      finishReason,
      usage,
    };
  }

  function sendCompletion(res: ServerResponse, body: RecordedRequest['body'], reply: ScriptedReply): void {
    const c = buildCompletion(body, reply);
    const message: Record<string, unknown> = { role: 'assistant', content: c.content, refusal: null };
    if (c.toolCalls.length > 0) message.tool_calls = c.toolCalls;
    if (reply.reasoning) message.reasoning_content = reply.reasoning;
    const out: Record<string, unknown> = {
      id: c.id,
      object: 'chat.completion',
      created: c.created,
      model: c.model,
      choices: [{ index: 0, message, finish_reason: c.finishReason, logprobs: null }],
    };
    if (c.usage) out.usage = wireUsage(c.usage);
    sendJson(res, 200, out);
  }

  function sendStream(res: ServerResponse, body: RecordedRequest['body'], reply: ScriptedReply): void {
    if (res.destroyed || res.writableEnded) return;
    const c = buildCompletion(body, reply);
    const base = { id: c.id, object: 'chat.completion.chunk', created: c.created, model: c.model };
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
    let sse = chunk({ role: 'assistant', content: '', refusal: null });
    if (c.content) {
      // A few pieces so clients exercise delta accumulation, without one write per character.
      const size = Math.max(1, Math.ceil(c.content.length / 3));
      for (let i = 0; i < c.content.length; i += size) sse += chunk({ content: c.content.slice(i, i + size) });
    }
    c.toolCalls.forEach((tc, index) => {
      sse += chunk({ tool_calls: [{ index, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: '' } }] });
      if (tc.function.arguments) sse += chunk({ tool_calls: [{ index, function: { arguments: tc.function.arguments } }] });
    });
    sse += chunk({}, c.finishReason);
    if (body?.stream_options?.include_usage && c.usage) {
      sse += `data: ${JSON.stringify({ ...base, choices: [], usage: wireUsage(c.usage) })}\n\n`;
    }
    sse += 'data: [DONE]\n\n';
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.end(sse);
  }

  async function handleCompletion(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, raw: string) {
    try {
      rec.body = raw.length > 0 ? JSON.parse(raw) : undefined;
    } catch {
      rec.body = raw;
    }
    if (record) requests.push(rec);
    if (expectedAuth !== undefined && req.headers.authorization !== expectedAuth) {
      sendError(res, 401, 'Incorrect API key provided', 'invalid_api_key');
      return;
    }
    if (rec.body === null || typeof rec.body !== 'object' || Array.isArray(rec.body)) {
      sendError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_json');
      return;
    }
    let reply: ScriptedReply;
    try {
      reply = await responder(rec);
    } catch (err) {
      sendError(res, 500, `Responder failed: ${err instanceof Error ? err.message : String(err)}`, null);
      return;
    }
    const wait = latencyMs + (reply.delayMs ?? 0);
    if (wait > 0) await sleep(wait);
    if (closed) return;
    if (reply.fault) {
      sendFault(req, res, reply.fault, {
        sendError: (status, headers) => sendError(res, status, `Simulated ${status} error`, status === 429 ? 'rate_limit_exceeded' : null, headers),
        malformedBody: '{"id":"chatcmpl-broken","object":"chat.completion","choices":[{',
      });
      return;
    }
    if (rec.body.stream === true) sendStream(res, rec.body, reply);
    else sendCompletion(res, rec.body, reply);
  }

  const server = createServer({ noDelay: true }, (req, res) => {
    const receivedAt = Date.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const raw = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      const rec: RecordedRequest = { body: undefined, headers: req.headers, path, method, receivedAt };
      if (method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
        handleCompletion(req, res, rec, raw).catch(() => res.destroy());
        return;
      }
      if (record) requests.push(rec);
      if (method === 'GET' && (path === '/v1/models' || path === '/models')) {
        const created = Math.floor(Date.now() / 1000);
        sendJson(res, 200, { object: 'list', data: [{ id: 'test-model', object: 'model', created, owned_by: 'test' }] });
        return;
      }
      sendError(res, 404, `Unknown request URL: ${method} ${path}`, 'unknown_url');
    });
  });
  server.keepAliveTimeout = 10_000; // longer than undici's 4 s default, so the client closes idle sockets first
  server.headersTimeout = 15_000; // must exceed keepAliveTimeout

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setResponder(next: Responder) {
      responder = next;
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // includes hanging and keep-alive sockets
      });
    },
  };
}
