/**
 * Our messages and generation parameters in the shapes a Hugging Face chat template and
 * transformers.js's `generate` expect. Pure.
 */
import type { Message, ModelRequest, ToolSpec } from './types.js';

export interface ChatTemplateMessage {
  role: string;
  content: string;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: unknown } }[];
  tool_call_id?: string;
  name?: string;
  /** The step's reasoning, which templates such as Qwen3's show again for the current turn's tool steps. */
  reasoning_content?: string;
}

/** Messages as the common chat templates (Qwen, Llama 3, Mistral, Hermes) read them. */
export function toChatTemplateMessages(messages: readonly Message[]): ChatTemplateMessage[] {
  return messages.map((message) => {
    switch (message.role) {
      case 'system':
      case 'user':
        return { role: message.role, content: message.content };
      case 'assistant':
        return {
          role: 'assistant',
          content: message.content,
          ...(message.reasoning && { reasoning_content: message.reasoning }),
          ...(message.toolCalls?.length && {
            tool_calls: message.toolCalls.map((call) => ({
              id: call.id,
              type: 'function' as const,
              function: { name: call.name, arguments: call.arguments },
            })),
          }),
        };
      case 'tool':
        return { role: 'tool', content: message.content, tool_call_id: message.toolCallId, name: message.name };
    }
  });
}

/** Tools in the OpenAI function shape that chat templates render into the prompt. */
export function toChatTemplateTools(tools: readonly ToolSpec[] | undefined): Record<string, unknown>[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } }));
}

/** `--model-args` keys that go to `generate`; any other extra key goes to the chat template (e.g. enable_thinking). */
const GENERATE_KEYS = new Set(['top_k', 'repetition_penalty', 'no_repeat_ngram_size', 'min_new_tokens', 'min_length', 'do_sample', 'length_penalty']);

export const DEFAULT_MAX_NEW_TOKENS = 1024;

export interface LocalGenerationSettings {
  /** Options for transformers.js `generate` (snake_case, as it takes them). */
  generate: Record<string, unknown>;
  /** Extra variables for the chat template. */
  template: Record<string, unknown>;
  maxNewTokens: number;
  stop: string[];
}

/**
 * Splits a request's parameters: temperature 0 (or none) means greedy decoding, as the API providers
 * treat it; a positive temperature turns sampling on. A seed cannot be honoured (transformers.js
 * samples with Math.random), so prepare warns about it.
 */
export function localGenerationSettings(request: ModelRequest, defaults: Record<string, unknown> = {}): LocalGenerationSettings {
  const generate: Record<string, unknown> = {};
  const template: Record<string, unknown> = {};
  for (const [key, value] of Object.entries({ ...defaults, ...request.extra })) {
    if (GENERATE_KEYS.has(key)) generate[key] = value;
    else template[key] = value;
  }
  const sampling = request.temperature !== undefined && request.temperature > 0;
  generate.do_sample ??= sampling;
  if (sampling) generate.temperature = request.temperature;
  if (request.topP !== undefined) generate.top_p = request.topP;
  const maxNewTokens = request.maxOutputTokens ?? DEFAULT_MAX_NEW_TOKENS;
  generate.max_new_tokens = maxNewTokens;
  return { generate, template, maxNewTokens, stop: request.stop ?? [] };
}
