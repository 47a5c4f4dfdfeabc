// Loopback Anthropic Messages API server for tests. Speaks the real wire protocol (POST
// /v1/messages, JSON) so the real `@anthropic-ai/sdk` works against it, and checks requests the
// way the API does (required fields and headers, alternating turns, tool_use/tool_result pairing).
// Scripts are the neutral `ScriptedReply` of the OpenAI fake, so one script can drive all fakes.
import type { ServerResponse } from 'node:http';
import { checkMessagesRequest } from './anthropic-wire.js';
import { estimateTokens, sendFault, sendJson, startLoopbackHttp } from './loopback-http.js';
import type { RecordedRequest, ScriptedReply } from './openai-server.js';
import { messageText } from './scripts.js';

export { finalAnswer, messageText, scriptByPrompt, sequence, toolCall } from './scripts.js';

/** A neutral reply plus what only Anthropic can say. */
export interface AnthropicScriptedReply extends ScriptedReply {
  /** Sent as a `thinking` block before the text. */
  thinking?: string;
  /** Prompt tokens reported as written to the cache; `usage.prompt_tokens` includes them. */
  cacheCreationTokens?: number;
  /** Overrides the stop_reason derived from `finishReason` and the tool calls. */
  stopReason?: string;
}

export type AnthropicResponder = (request: RecordedRequest) => AnthropicScriptedReply | Promise<AnthropicScriptedReply>;

export interface LoopbackAnthropicServer {
  /** http://127.0.0.1:PORT (the SDK's baseURL: no /v1). */
  url: string;
  requests: RecordedRequest[];
  setResponder(responder: AnthropicResponder): void;
  close(): Promise<void>;
}

export interface AnthropicServerOptions {
  responder?: AnthropicResponder;
  latencyMs?: number;
  /** Accepted as `x-api-key: KEY` (older SDKs, curl) or `authorization: Bearer KEY` (SDK 1.x). */
  requireApiKey?: string;
  recordRequests?: boolean;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicErrorBody(status: number, message: string) {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message } };
}

function sendError(res: ServerResponse, status: number, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, anthropicErrorBody(status, message), { 'request-id': `req_fake_${status}`, ...headers });
}

const STOP_REASONS: Record<string, string> = { stop: 'end_turn', tool_calls: 'tool_use', length: 'max_tokens' };

function promptChars(body: RecordedRequest['body']): number {
  let n = typeof body?.system === 'string' ? body.system.length : 0;
  for (const m of Array.isArray(body?.messages) ? body.messages : []) n += messageText(m?.content).length;
  return n;
}

export async function startAnthropicServer(options: AnthropicServerOptions = {}): Promise<LoopbackAnthropicServer> {
  let responder: AnthropicResponder = options.responder ?? (() => ({ content: 'ok' }));
  const latencyMs = options.latencyMs ?? 0;
  const record = options.recordRequests ?? true;
  const key = options.requireApiKey;
  const requests: RecordedRequest[] = [];
  let toolSeq = 0;
  let messageSeq = 0;

  function buildMessage(body: RecordedRequest['body'], reply: AnthropicScriptedReply) {
    const content: Record<string, unknown>[] = [];
    if (reply.thinking) content.push({ type: 'thinking', thinking: reply.thinking, signature: `sig_${messageSeq + 1}` });
    if (reply.content) content.push({ type: 'text', text: reply.content });
    for (const call of reply.toolCalls ?? []) {
      let input = call.arguments ?? {};
      if (typeof input === 'string') {
        try {
          input = JSON.parse(input);
        } catch {
          // sent as it is: the Messages API never does this, clients must still cope
        }
      }
      content.push({ type: 'tool_use', id: call.id ?? `toolu_${String(++toolSeq).padStart(4, '0')}`, name: call.name, input });
    }
    const toolUse = (reply.toolCalls ?? []).length > 0;
    const stopReason = reply.stopReason ?? (reply.finishReason ? STOP_REASONS[reply.finishReason] : undefined) ?? (toolUse ? 'tool_use' : 'end_turn');
    const out: Record<string, unknown> = {
      id: `msg_${String(++messageSeq).padStart(4, '0')}`,
      type: 'message',
      role: 'assistant',
      model: typeof body?.model === 'string' ? body.model : 'test-model',
      content,
      stop_reason: stopReason,
      stop_sequence: stopReason === 'stop_sequence' ? (body?.stop_sequences?.[0] ?? null) : null,
    };
    if (reply.usage !== null) {
      // The neutral script counts the whole prompt (OpenAI style); Anthropic reports the uncached
      // part, cache reads and cache writes separately.
      const prompt = reply.usage?.prompt_tokens ?? estimateTokens(promptChars(body));
      const cached = reply.usage?.cached_tokens ?? 0;
      const created = reply.cacheCreationTokens ?? 0;
      const outChars = (reply.content ?? '').length + JSON.stringify(reply.toolCalls ?? []).length;
      out.usage = {
        input_tokens: Math.max(0, prompt - cached - created),
        output_tokens: reply.usage?.completion_tokens ?? estimateTokens(outChars),
        cache_creation_input_tokens: created,
        cache_read_input_tokens: cached,
        service_tier: 'standard',
      };
    }
    return out;
  }

  const http = await startLoopbackHttp(async (req, res, rec) => {
    const isMessages = rec.method === 'POST' && rec.path === '/v1/messages';
    if (record) requests.push(rec);
    if (!isMessages) {
      if (rec.method === 'GET' && rec.path === '/v1/models') {
        sendJson(res, 200, { data: [{ type: 'model', id: 'test-model', display_name: 'Test', created_at: '2025-01-01T00:00:00Z' }], has_more: false, first_id: 'test-model', last_id: 'test-model' });
      } else sendError(res, 404, `Not found: ${rec.method} ${rec.path}`);
      return;
    }
    if (key !== undefined && req.headers['x-api-key'] !== key && req.headers.authorization !== `Bearer ${key}`) {
      sendError(res, 401, 'invalid x-api-key');
      return;
    }
    if (!req.headers['anthropic-version']) {
      sendError(res, 400, 'anthropic-version: header is required');
      return;
    }
    const problem = checkMessagesRequest(rec.body);
    if (problem) {
      sendError(res, 400, problem);
      return;
    }
    let reply: AnthropicScriptedReply;
    try {
      reply = await responder(rec);
    } catch (err) {
      sendError(res, 500, `Responder failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const wait = latencyMs + (reply.delayMs ?? 0);
    if (wait > 0) await http.sleep(wait);
    if (http.closed) return;
    if (reply.fault) {
      sendFault(req, res, reply.fault, {
        sendError: (status, headers) => sendError(res, status, `Simulated ${status} error`, headers),
        malformedBody: '{"id":"msg_broken","type":"message","role":"assistant","content":[{',
      });
      return;
    }
    sendJson(res, 200, buildMessage(rec.body, reply), { 'request-id': `req_${messageSeq}` });
  });

  return {
    url: http.url,
    requests,
    setResponder(next: AnthropicResponder) {
      responder = next;
    },
    close: () => http.close(),
  };
}
