import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { z } from 'zod';
import { toAnthropicConversation, toAnthropicTools } from './anthropic-messages.js';
import { ProviderError, errorFromStatus, errorWithoutStatus, parseRetryAfter } from './errors.js';
import { createLeanFetch, type LeanFetch } from './lean-fetch.js';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from './retry.js';
import type { FinishReason, ModelProvider, ModelRequest, ModelResponse, ReasoningBlock, ToolCall, Usage } from './types.js';

export interface AnthropicOptions {
  /** Routed provider name; default "anthropic". */
  provider?: string;
  modelId: string;
  /** API root without `/v1`, e.g. https://api.anthropic.com. */
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Extra headers sent with every request (e.g. `anthropic-beta`). */
  headers?: Record<string, string>;
}

/** `max_tokens` is required by the Messages API; used when `--model-args` gives none. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** The part of a Messages API response we rely on, checked at the edge. */
const messageSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  content: z.array(z.looseObject({ type: z.string() })),
  stop_reason: z.string().nullish(),
  usage: z
    .object({
      input_tokens: z.number().nullish(),
      output_tokens: z.number().nullish(),
      cache_creation_input_tokens: z.number().nullish(),
      cache_read_input_tokens: z.number().nullish(),
    })
    .nullish(),
});

/** Blocks we read; others (server tool blocks, ...) are skipped. */
const blockSchemas = {
  text: z.object({ text: z.string() }),
  tool_use: z.object({ id: z.string(), name: z.string(), input: z.unknown() }),
  thinking: z.object({ thinking: z.string(), signature: z.string().optional() }),
  redacted_thinking: z.object({ data: z.string() }),
};

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  tool_use: 'tool-calls',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  refusal: 'content-filter',
};

function malformed(path: string, message: string | undefined): ProviderError {
  return new ProviderError('malformed-response', `malformed response: ${path || 'body'}: ${message}`);
}

/** The most specific message in a cause chain: undici's "fetch failed" wraps "other side closed" etc. */
function innermostMessage(error: unknown): string | undefined {
  let message: string | undefined;
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current.message) message = current.message;
  }
  return message;
}

/** Maps an SDK or transport failure to a classified ProviderError (as classifyOpenAIError does). */
export function classifyAnthropicError(error: unknown, signal?: AbortSignal): ProviderError {
  if (error instanceof ProviderError) return error;
  // APIUserAbortError and APIConnectionError are subclasses of APIError: test them first.
  if (signal?.aborted || error instanceof APIUserAbortError) return new ProviderError('aborted', 'request aborted');
  if (error instanceof APIConnectionTimeoutError) return new ProviderError('timeout', 'request timed out', { cause: error });
  if (error instanceof APIConnectionError) {
    const reason = innermostMessage(error.cause);
    return new ProviderError('connection', `connection error${reason ? `: ${reason}` : ''}`, { cause: error });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const headers = error.headers;
    const retryAfterMs = parseRetryAfter(headers?.get('retry-after'), headers?.get('retry-after-ms'));
    // `message` is "<status> <JSON body>" for Anthropic's error envelope; `apiMessage` is error.message.
    const detail = error.apiMessage ?? error.message.replace(/^\d+\s*/, '');
    // Typed errors map to the status they stand for (a proxy may send them with another status).
    const effective =
      error.type === 'not_found_error' ? 404 : error.type === 'timeout_error' ? 408 : error.type === 'overloaded_error' ? 529 : status;
    return errorFromStatus(effective, detail, { retryAfterMs, cause: error });
  }
  return errorWithoutStatus(error);
}

/** A provider for the Anthropic Messages API, on the official `@anthropic-ai/sdk`. */
export class AnthropicProvider implements ModelProvider {
  readonly provider: string;
  readonly modelId: string;
  private readonly client: Anthropic;
  private readonly retry: RetryPolicy;
  private readonly transport: LeanFetch;

  constructor(options: AnthropicOptions) {
    this.provider = options.provider ?? 'anthropic';
    this.modelId = options.modelId;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.transport = createLeanFetch();
    this.client = new Anthropic({
      fetch: this.transport.fetch,
      baseURL: options.baseUrl,
      apiKey: options.apiKey, // an explicit key: the SDK then reads no env variable or credential file
      maxRetries: 0, // retries are ours: classified, jittered, Retry-After aware
      timeout: options.timeoutMs ?? 120_000,
      defaultHeaders: options.headers,
      // The SDK would otherwise emit its own OpenTelemetry span per call on the global tracer
      // provider, duplicating the GenAI chat spans that src/telemetry records.
      openTelemetry: false,
    });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const body = this.buildBody(request);
    const { value, attempts } = await withRetries(
      (_attemptNumber, signal) => this.attempt(body, signal),
      this.retry,
      request.signal,
    );
    return { ...value, attempts };
  }

  private buildBody(request: ModelRequest): Record<string, unknown> {
    const { system, messages } = toAnthropicConversation(request.messages);
    const body: Record<string, unknown> = {
      ...request.extra,
      model: this.modelId,
      max_tokens: request.maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
      messages,
    };
    if (system !== undefined) body.system = system;
    if (request.tools?.length) body.tools = toAnthropicTools(request.tools);
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.topP !== undefined) body.top_p = request.topP;
    if (request.stop?.length) body.stop_sequences = request.stop;
    // `request.seed` is deliberately not sent: the Messages API has no seed parameter and rejects
    // unknown fields with a 400. Anthropic sampling cannot be seeded; runs are not reproducible.
    return body;
  }

  private async attempt(body: Record<string, unknown>, signal?: AbortSignal): Promise<Omit<ModelResponse, 'attempts'>> {
    let raw: unknown;
    try {
      raw = await this.client.messages.create(body as unknown as Anthropic.MessageCreateParamsNonStreaming, { signal });
    } catch (error) {
      throw classifyAnthropicError(error, signal);
    }
    const parsed = messageSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw malformed(issue?.path.join('.') ?? '', issue?.message);
    }
    return this.toResponse(parsed.data);
  }

  private toResponse(data: z.output<typeof messageSchema>): Omit<ModelResponse, 'attempts'> {
    const text: string[] = [];
    const thinking: string[] = [];
    const reasoningBlocks: ReasoningBlock[] = [];
    const toolCalls: ToolCall[] = [];
    data.content.forEach((block, index) => {
      if (!(block.type in blockSchemas)) return;
      const checked = blockSchemas[block.type as keyof typeof blockSchemas].safeParse(block);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw malformed(['content', index, ...(issue?.path ?? [])].join('.'), issue?.message);
      }
      const value = checked.data as Record<string, unknown>;
      if (block.type === 'text') text.push(value.text as string);
      else if (block.type === 'thinking') {
        thinking.push(value.thinking as string);
        if (typeof value.signature === 'string') reasoningBlocks.push({ type: 'thinking', thinking: value.thinking as string, signature: value.signature });
      } else if (block.type === 'redacted_thinking') reasoningBlocks.push({ type: 'redacted_thinking', data: value.data as string });
      else toolCalls.push({ id: value.id as string, name: value.name as string, arguments: value.input ?? {} });
    });
    const usage = data.usage;
    const cacheRead = usage?.cache_read_input_tokens ?? 0;
    const cacheCreation = usage?.cache_creation_input_tokens ?? 0;
    const result: Usage = {
      // Anthropic's `input_tokens` counts only the uncached part of the prompt; cache reads and
      // cache writes are reported beside it. Our `inputTokens` is the whole prompt (the OpenAI and
      // OpenTelemetry GenAI convention, which the cost code relies on), so the three are added.
      inputTokens: (usage?.input_tokens ?? 0) + cacheCreation + cacheRead,
      outputTokens: usage?.output_tokens ?? 0, // thinking tokens included, not reported apart
      cachedInputTokens: cacheRead,
      cacheCreationInputTokens: cacheCreation,
    };
    const reasoning = thinking.join('\n\n');
    return {
      message: {
        role: 'assistant',
        content: text.join(''),
        ...(toolCalls.length ? { toolCalls } : {}),
        ...(reasoning ? { reasoning } : {}),
        ...(reasoningBlocks.length ? { reasoningBlocks } : {}),
      },
      usage: result,
      finishReason: STOP_REASONS[data.stop_reason ?? ''] ?? 'other',
      model: data.model ?? this.modelId,
      ...(data.id ? { responseId: data.id } : {}),
    };
  }
}
