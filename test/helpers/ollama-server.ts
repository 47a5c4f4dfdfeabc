// Loopback Ollama server for tests: POST /api/chat (one JSON reply for `stream: false`, NDJSON
// otherwise, as the real server defaults to streaming), GET /api/tags, /api/version and /.
// Unknown models get Ollama's 404. Scripts are the neutral `ScriptedReply` of the OpenAI fake.
import type { ServerResponse } from 'node:http';
import { estimateTokens, isRecord, sendFault, sendJson, sendText, startLoopbackHttp } from './loopback-http.js';
import type { RecordedRequest, ScriptedReply } from './openai-server.js';
import { messageText } from './scripts.js';

export { finalAnswer, messageText, scriptByPrompt, sequence, toolCall } from './scripts.js';

/** A neutral reply plus what only Ollama-served models say. */
export interface OllamaScriptedReply extends ScriptedReply {
  /** Sent as `message.thinking`. */
  thinking?: string;
}

export type OllamaResponder = (request: RecordedRequest) => OllamaScriptedReply | Promise<OllamaScriptedReply>;

export interface LoopbackOllamaServer {
  /** http://127.0.0.1:PORT (the `host` of ollama-js). */
  url: string;
  requests: RecordedRequest[];
  setResponder(responder: OllamaResponder): void;
  close(): Promise<void>;
}

export interface OllamaServerOptions {
  responder?: OllamaResponder;
  latencyMs?: number;
  /** Pulled models; `name` also matches `name:latest`. Default: test-model. */
  models?: string[];
  recordRequests?: boolean;
}

function sendError(res: ServerResponse, status: number, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, { error: message }, headers);
}

function withTag(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

/** What the real server rejects when decoding a chat request. */
function checkChatRequest(body: unknown): string | undefined {
  if (!isRecord(body)) return 'invalid request body';
  if (typeof body.model !== 'string' || !body.model) return 'model is required';
  if (!Array.isArray(body.messages)) return body.messages === undefined ? undefined : 'messages must be an array';
  for (const [index, message] of (body.messages as unknown[]).entries()) {
    if (!isRecord(message) || typeof message.role !== 'string') return `messages[${index}]: role is required`;
    for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
      if (!isRecord(call?.function) || !isRecord(call.function.arguments)) {
        return 'json: cannot unmarshal string into Go struct field ToolCallFunction.messages.tool_calls.function.arguments of type api.ToolCallFunctionArguments';
      }
    }
  }
  return undefined;
}

export async function startOllamaServer(options: OllamaServerOptions = {}): Promise<LoopbackOllamaServer> {
  let responder: OllamaResponder = options.responder ?? (() => ({ content: 'ok' }));
  const latencyMs = options.latencyMs ?? 0;
  const record = options.recordRequests ?? true;
  const models = (options.models ?? ['test-model']).map(withTag);
  const requests: RecordedRequest[] = [];

  function chatParts(body: Record<string, unknown>, reply: OllamaScriptedReply) {
    const toolCalls = (reply.toolCalls ?? []).map((call) => {
      let args = call.arguments ?? {};
      if (typeof args === 'string') {
        try {
          args = JSON.parse(args);
        } catch {
          // sent as it is: clients must cope
        }
      }
      return { ...(call.id ? { id: call.id } : {}), function: { name: call.name, arguments: args } };
    });
    const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
    const outChars = (reply.content ?? '').length + JSON.stringify(toolCalls).length;
    const counts =
      reply.usage === null
        ? {}
        : {
            prompt_eval_count: reply.usage?.prompt_tokens ?? estimateTokens(messages.reduce((n, m) => n + messageText(m?.content).length, 0)),
            prompt_eval_duration: 1_000_000,
            eval_count: reply.usage?.completion_tokens ?? estimateTokens(outChars),
            eval_duration: 2_000_000,
          };
    const done = {
      model: body.model,
      created_at: new Date().toISOString(),
      done: true,
      done_reason: reply.finishReason === 'length' ? 'length' : 'stop',
      total_duration: 5_000_000,
      load_duration: 1_000_000,
      ...counts,
    };
    return { toolCalls, done };
  }

  function sendChat(res: ServerResponse, body: Record<string, unknown>, reply: OllamaScriptedReply): void {
    const { toolCalls, done } = chatParts(body, reply);
    const message: Record<string, unknown> = { role: 'assistant', content: reply.content ?? '' };
    if (reply.thinking) message.thinking = reply.thinking;
    if (toolCalls.length) message.tool_calls = toolCalls;
    sendJson(res, 200, { ...done, message });
  }

  function sendStream(res: ServerResponse, body: Record<string, unknown>, reply: OllamaScriptedReply): void {
    if (res.destroyed || res.writableEnded) return;
    const { toolCalls, done } = chatParts(body, reply);
    const base = { model: body.model, created_at: done.created_at };
    const line = (message: Record<string, unknown>) => `${JSON.stringify({ ...base, message: { role: 'assistant', content: '', ...message }, done: false })}\n`;
    let out = '';
    if (reply.thinking) out += line({ thinking: reply.thinking });
    const content = reply.content ?? '';
    const size = Math.max(1, Math.ceil(content.length / 3));
    for (let i = 0; i < content.length; i += size) out += line({ content: content.slice(i, i + size) });
    if (toolCalls.length) out += line({ tool_calls: toolCalls });
    out += `${JSON.stringify({ ...done, message: { role: 'assistant', content: '' } })}\n`;
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(out);
  }

  const http = await startLoopbackHttp(async (req, res, rec) => {
    if (record) requests.push(rec);
    if (rec.method === 'GET' && rec.path === '/') return sendText(res, 200, 'Ollama is running');
    if (rec.method === 'GET' && rec.path === '/api/version') return sendJson(res, 200, { version: '0.12.6' });
    if (rec.method === 'GET' && rec.path === '/api/tags') {
      const list = models.map((name) => ({ name, model: name, modified_at: '2025-01-01T00:00:00Z', size: 1, digest: 'sha256:0', details: { format: 'gguf', family: 'test' } }));
      return sendJson(res, 200, { models: list });
    }
    if (rec.method !== 'POST' || rec.path !== '/api/chat') return sendText(res, 404, '404 page not found');
    const problem = checkChatRequest(rec.body);
    if (problem) return sendError(res, 400, problem);
    const body = rec.body as Record<string, unknown>;
    if (!models.includes(withTag(body.model as string))) {
      return sendError(res, 404, `model "${body.model as string}" not found, try pulling it first`);
    }
    let reply: OllamaScriptedReply;
    try {
      reply = await responder(rec);
    } catch (err) {
      return sendError(res, 500, `Responder failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const wait = latencyMs + (reply.delayMs ?? 0);
    if (wait > 0) await http.sleep(wait);
    if (http.closed) return;
    if (reply.fault) {
      sendFault(req, res, reply.fault, {
        sendError: (status, headers) => sendError(res, status, `Simulated ${status} error`, headers),
        malformedBody: '{"model":"test-model","message":{"role":"assistant","content":"', contentType: 'application/json; charset=utf-8',
      });
      return;
    }
    // Like the real server: streaming unless the request says `"stream": false`.
    if (body.stream === false) sendChat(res, body, reply);
    else sendStream(res, body, reply);
  });

  return {
    url: http.url,
    requests,
    setResponder(next: OllamaResponder) {
      responder = next;
    },
    close: () => http.close(),
  };
}
