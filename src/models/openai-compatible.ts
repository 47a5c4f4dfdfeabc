import OpenAI from 'openai';
import { z } from 'zod';
import { ProviderError, errorFromStatus, errorWithoutStatus, parseRetryAfter } from './errors.js';
import { toOpenAIMessages, toOpenAITools } from './openai-messages.js';
import { createLeanFetch, type LeanFetch } from './lean-fetch.js';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from './retry.js';
import type { FinishReason, ModelProvider, ModelRequest, ModelResponse, ToolCall, Usage } from './types.js';
import { parseToolArguments } from './tool-input.js';

export interface OpenAICompatibleOptions {
  provider: string;
  modelId: string;
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** The part of a Chat Completions response we rely on, checked at the edge. */
const completionSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z.object({
          content: z.string().nullish(),
          reasoning_content: z.string().nullish(),
          reasoning: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string().nullish(),
                function: z.object({ name: z.string(), arguments: z.string().nullish() }),
              }),
            )
            .nullish(),
        }),
      }),
    )
    .min(1, 'no choices in the response'),
  usage: z
    .object({
      prompt_tokens: z.number().nullish(),
      completion_tokens: z.number().nullish(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
      completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
    })
    .nullish(),
});

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  length: 'length',
  content_filter: 'content-filter',
};

/** Maps an SDK or transport failure to a classified ProviderError. */
export function classifyOpenAIError(error: unknown, signal?: AbortSignal): ProviderError {
  if (error instanceof ProviderError) return error;
  if (signal?.aborted || error instanceof OpenAI.APIUserAbortError) return new ProviderError('aborted', 'request aborted');
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new ProviderError('timeout', 'request timed out', { cause: error });
  if (error instanceof OpenAI.APIConnectionError) {
    const reason = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return new ProviderError('connection', `connection error${reason}`, { cause: error });
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const status = error.status;
    const headers = error.headers;
    const retryAfterMs = parseRetryAfter(headers?.get('retry-after'), headers?.get('retry-after-ms'));
    const detail = error.message.replace(/^\d+\s*/, '');
    return errorFromStatus(status, detail, { retryAfterMs, cause: error });
  }
  return errorWithoutStatus(error);
}

/** A provider for any OpenAI-compatible Chat Completions API, on the official `openai` SDK. */
export class OpenAICompatibleProvider implements ModelProvider {
  readonly provider: string;
  readonly modelId: string;
  private readonly client: OpenAI;
  private readonly retry: RetryPolicy;
  private readonly timeoutSeconds: number;
  private readonly transport: LeanFetch;

  constructor(options: OpenAICompatibleOptions) {
    this.provider = options.provider;
    this.modelId = options.modelId;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.timeoutSeconds = (options.timeoutMs ?? 120_000) / 1000;
    this.transport = createLeanFetch();
    this.client = new OpenAI({
      fetch: this.transport.fetch,
      baseURL: options.baseUrl,
      apiKey: options.apiKey,
      maxRetries: 0, // retries are ours: classified, jittered, Retry-After aware
      timeout: options.timeoutMs ?? 120_000,
      defaultHeaders: options.headers,
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
    const body: Record<string, unknown> = {
      ...request.extra,
      model: this.modelId,
      messages: toOpenAIMessages(request.messages),
    };
    if (request.tools?.length) body.tools = toOpenAITools(request.tools);
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.topP !== undefined) body.top_p = request.topP;
    if (request.maxOutputTokens !== undefined) body.max_tokens = request.maxOutputTokens;
    if (request.seed !== undefined) body.seed = request.seed;
    if (request.stop?.length) body.stop = request.stop;
    return body;
  }

  private async attempt(body: Record<string, unknown>, signal?: AbortSignal): Promise<Omit<ModelResponse, 'attempts'>> {
    let raw: unknown;
    try {
      raw = await this.client.chat.completions.create(
        body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
        { signal },
      );
    } catch (error) {
      const classified = classifyOpenAIError(error, signal);
      if (classified.kind === 'timeout' && classified.options.status === undefined) {
        throw new ProviderError('timeout', `request timed out after ${this.timeoutSeconds} s (--request-timeout)`, { cause: error });
      }
      throw classified;
    }
    const parsed = completionSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ProviderError('malformed-response', `malformed response: ${issue?.path.join('.') || 'body'}: ${issue?.message}`);
    }
    return this.toResponse(parsed.data);
  }

  private toResponse(data: z.output<typeof completionSchema>): Omit<ModelResponse, 'attempts'> {
    const choice = data.choices[0]!;
    const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).map((call, index) => ({
      id: call.id || `call_${index}`,
      name: call.function.name,
      arguments: parseToolArguments(call.function.arguments || undefined), // an empty string is no arguments
    }));
    const reasoning = choice.message.reasoning_content ?? choice.message.reasoning ?? undefined;
    const usage: Usage = {
      inputTokens: data.usage?.prompt_tokens ?? 0,
      outputTokens: data.usage?.completion_tokens ?? 0,
      cachedInputTokens: data.usage?.prompt_tokens_details?.cached_tokens ?? 0,
      reasoningTokens: data.usage?.completion_tokens_details?.reasoning_tokens ?? 0,
    };
    return {
      message: {
        role: 'assistant',
        content: choice.message.content ?? '',
        ...(toolCalls.length ? { toolCalls } : {}),
        ...(reasoning ? { reasoning } : {}),
      },
      usage,
      finishReason: FINISH_REASONS[choice.finish_reason ?? ''] ?? 'other',
      model: data.model ?? this.modelId,
      ...(data.id ? { responseId: data.id } : {}),
    };
  }
}
