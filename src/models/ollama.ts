import { Ollama, type ChatRequest } from 'ollama';
import { z } from 'zod';
import { ProviderError, errorFromStatus, errorWithoutStatus, parseRetryAfter } from './errors.js';
import { buildOllamaChatBody } from './ollama-messages.js';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from './retry.js';
import type { FinishReason, ModelProvider, ModelRequest, ModelResponse, ToolCall } from './types.js';
import { parseToolArguments } from './tool-input.js';

export interface OllamaOptions {
  /** Routed provider name; default "ollama". */
  provider?: string;
  modelId: string;
  /** Server root without `/v1` or `/api`, e.g. http://localhost:11434. */
  host: string;
  /** Sent as `Authorization: Bearer` (ollama.com, or a proxy in front of Ollama); "not-needed" sends none. */
  apiKey?: string;
  /** Per-request timeout, body included. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  headers?: Record<string, string>;
}

/** The part of an /api/chat response we rely on, checked at the edge. */
const chatSchema = z.object({
  model: z.string().optional(),
  message: z.object({
    content: z.string().nullish(),
    thinking: z.string().nullish(),
    tool_calls: z
      .array(
        z.object({
          id: z.string().nullish(),
          function: z.object({ name: z.string(), arguments: z.unknown() }),
        }),
      )
      .nullish(),
  }),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().nullish(),
  eval_count: z.number().nullish(),
});

/** Not exported by the `ollama` package: thrown for any non-2xx status, with the body's `error`. */
interface OllamaResponseError extends Error {
  error: string;
  status_code: number;
}

function isResponseError(error: unknown): error is OllamaResponseError {
  return error instanceof Error && error.name === 'ResponseError' && typeof (error as Partial<OllamaResponseError>).status_code === 'number';
}

function causeCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Rewrites an error response as JSON `{"error": ...}`. ollama-js reads the `error` field of a JSON
 * error body, but otherwise logs "Getting text from response" (or "Failed to parse error response
 * as JSON") with console.log, which would land in our output; a proxy's HTML 502 would do that.
 */
async function normaliseErrorResponse(response: Response): Promise<Response> {
  if (response.ok) return response;
  const text = await response.text();
  let message = text.trim() || `Error ${response.status}: ${response.statusText}`;
  try {
    const parsed: unknown = JSON.parse(text);
    const field = (parsed as { error?: unknown } | null)?.error;
    if (typeof field === 'string') message = field;
    else if (field && typeof (field as { message?: unknown }).message === 'string') message = (field as { message: string }).message;
  } catch {
    // plain text or HTML: kept as the message
  }
  const headers = new Headers(response.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(JSON.stringify({ error: message }), { status: response.status, statusText: response.statusText, headers });
}

/** A provider for Ollama's native /api/chat, on the `ollama` package. */
export class OllamaProvider implements ModelProvider {
  readonly provider: string;
  readonly modelId: string;
  private readonly host: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private callSeq = 0;

  constructor(options: OllamaOptions) {
    this.provider = options.provider ?? 'ollama';
    this.modelId = options.modelId;
    this.host = options.host.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    const key: Record<string, string> = options.apiKey && options.apiKey !== 'not-needed' ? { Authorization: `Bearer ${options.apiKey}` } : {};
    this.headers = { ...key, ...options.headers };
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const body = buildOllamaChatBody(this.modelId, request);
    const { value, attempts } = await withRetries(
      () => this.attempt(body, request.signal),
      this.retry,
      request.signal,
    );
    return { ...value, attempts };
  }

  /**
   * One request. ollama-js has no timeout option and, for non-streamed calls, takes no signal
   * (its `abort()` only reaches streamed requests), but it accepts a custom `fetch`: a client per
   * attempt gets a fetch bound to this attempt's signal, the caller's combined with our timeout.
   * The client is a plain object around that fetch, so making one per attempt costs nothing.
   */
  private async attempt(body: Record<string, unknown>, signal?: AbortSignal): Promise<Omit<ModelResponse, 'attempts'>> {
    if (signal?.aborted) throw new ProviderError('aborted', 'request aborted');
    // The caller's signal and our timer, combined by hand (rather than AbortSignal.any/timeout) so
    // the listener on the long-lived task signal and the timer are both gone when the call ends.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException('request timed out', 'TimeoutError'));
    }, this.timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let headers: Headers | undefined;
    const client = new Ollama({
      host: this.host,
      headers: this.headers,
      fetch: async (input, init) => {
        const response = await fetch(input, { ...init, signal: controller.signal });
        headers = response.headers;
        return normaliseErrorResponse(response);
      },
    });
    let raw: unknown;
    try {
      // Resolves after the whole body is read, so the timeout covers a stalled body too.
      raw = await client.chat(body as unknown as ChatRequest & { stream: false });
    } catch (error) {
      throw this.classify(error, { signal, timedOut, headers });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const parsed = chatSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ProviderError('malformed-response', `malformed response: ${issue?.path.join('.') || 'body'}: ${issue?.message}`);
    }
    return this.toResponse(parsed.data);
  }

  /** Maps an ollama-js or transport failure to a classified ProviderError. */
  private classify(error: unknown, context: { signal?: AbortSignal; timedOut?: boolean; headers?: Headers } = {}): ProviderError {
    if (error instanceof ProviderError) return error;
    if (context.signal?.aborted) return new ProviderError('aborted', 'request aborted');
    if (context.timedOut) return new ProviderError('timeout', `request timed out after ${this.timeoutMs} ms`, { cause: error });
    if (isResponseError(error)) {
      const status = error.status_code;
      const detail = error.error;
      const retryAfterMs = parseRetryAfter(context.headers?.get('retry-after'), context.headers?.get('retry-after-ms'));
      const options = { status, retryAfterMs, cause: error };
      if (status === 404 && /model .*not found|try pulling/i.test(detail)) {
        return new ProviderError('model-missing', `model '${this.modelId}' is not pulled; run: ollama pull ${this.modelId}`, options);
      }
      return errorFromStatus(status, status === 404 ? `${detail} (at ${this.host})` : detail, { retryAfterMs, cause: error });
    }
    if (error instanceof SyntaxError) return errorWithoutStatus(error);
    const code = causeCode(error);
    if (code === 'ECONNREFUSED') {
      return new ProviderError('connection', `cannot reach Ollama at ${this.host}: is 'ollama serve' running?`, { cause: error });
    }
    const cause = (error as { cause?: unknown } | null)?.cause;
    const reason = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
    return new ProviderError('connection', `connection error talking to Ollama at ${this.host}: ${reason}`, { cause: error });
  }

  private toResponse(data: z.output<typeof chatSchema>): Omit<ModelResponse, 'attempts'> {
    // Ollama sends no tool call ids (newer servers may): ours are unique per provider instance.
    const toolCalls: ToolCall[] = (data.message.tool_calls ?? []).map((call) => ({
      id: call.id || `call_${++this.callSeq}`,
      name: call.function.name,
      arguments: parseToolArguments(call.function.arguments),
    }));
    // Ollama says "stop" for a reply with tool calls too; report it as other providers do.
    let finishReason: FinishReason = data.done_reason === 'length' ? 'length' : data.done_reason === 'stop' ? 'stop' : 'other';
    if (toolCalls.length && finishReason !== 'length') finishReason = 'tool-calls';
    const reasoning = data.message.thinking ?? undefined;
    return {
      message: {
        role: 'assistant',
        content: data.message.content ?? '',
        ...(toolCalls.length ? { toolCalls } : {}),
        ...(reasoning ? { reasoning } : {}),
      },
      // Ollama counts prompt tokens it evaluated: a prompt prefix reused from its KV cache is not
      // counted, and it reports no cached count. eval_count includes thinking tokens.
      usage: { inputTokens: data.prompt_eval_count ?? 0, outputTokens: data.eval_count ?? 0 },
      finishReason,
      model: data.model ?? this.modelId,
    };
  }
}
