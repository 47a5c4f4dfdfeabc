/** Provider-facing types: messages, tool calls, usage. Plain JSON Schema for tools. */

export interface ToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

export type SystemMessage = { role: 'system'; content: string };
export type UserMessage = { role: 'user'; content: string };
/** Reasoning as a provider needs to see it again: Anthropic's signed (or redacted) thinking blocks. */
export type ReasoningBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

export type AssistantMessage = {
  role: 'assistant';
  content: string;
  toolCalls?: ToolCall[];
  reasoning?: string;
  /** Replayed verbatim on later turns (Anthropic requires the signed thinking before tool results). */
  reasoningBlocks?: ReasoningBlock[];
};
export type ToolMessage = {
  role: 'tool';
  toolCallId: string;
  name: string;
  content: string;
  isError?: boolean;
};
export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  /**
   * Prompt tokens written to the provider's cache by this call (Anthropic's
   * `cache_creation_input_tokens`), priced differently. Included in `inputTokens` like cache reads.
   */
  cacheCreationInputTokens?: number;
  reasoningTokens?: number;
}

/** A tool as the model sees it. `parameters` is a JSON Schema object. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** Generation parameters from `--model-args`; unknown keys are passed through to the provider body. */
export interface GenerationParameters {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  seed?: number;
  stop?: string[];
  extra?: Record<string, unknown>;
}

export interface ModelRequest extends GenerationParameters {
  messages: Message[];
  tools?: ToolSpec[];
  signal?: AbortSignal;
}

export type FinishReason = 'stop' | 'tool-calls' | 'length' | 'content-filter' | 'error' | 'other';

export interface ModelResponse {
  message: AssistantMessage;
  usage: Usage;
  finishReason: FinishReason;
  model: string;
  responseId?: string;
  /** Attempts made for this call (1 when no retry was needed). */
  attempts: number;
}

export interface ModelProvider {
  /** Routed provider name, e.g. "openai", "groq", "custom". */
  readonly provider: string;
  /** Model id as sent to the API (prefix removed). */
  readonly modelId: string;
  generate(request: ModelRequest): Promise<ModelResponse>;
  close?(): Promise<void>;
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 };
}

export function addUsage(total: Usage, part: Usage): Usage {
  return {
    inputTokens: total.inputTokens + part.inputTokens,
    outputTokens: total.outputTokens + part.outputTokens,
    cachedInputTokens: (total.cachedInputTokens ?? 0) + (part.cachedInputTokens ?? 0),
    reasoningTokens: (total.reasoningTokens ?? 0) + (part.reasoningTokens ?? 0),
    // Only where a provider reports cache writes, so other providers' usage keeps its shape.
    ...(total.cacheCreationInputTokens !== undefined || part.cacheCreationInputTokens !== undefined
      ? { cacheCreationInputTokens: (total.cacheCreationInputTokens ?? 0) + (part.cacheCreationInputTokens ?? 0) }
      : {}),
  };
}
