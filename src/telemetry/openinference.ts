import type { Attributes } from '@opentelemetry/api';
import type { Usage } from '../models/types.js';
import { OPENINFERENCE, OPENINFERENCE_SPAN_KINDS } from './semconv.js';

type SpanKindName = keyof typeof OPENINFERENCE_SPAN_KINDS;

export function spanKind(kind: SpanKindName): Attributes {
  return { [OPENINFERENCE.spanKind]: OPENINFERENCE_SPAN_KINDS[kind] };
}

/** JSON objects and lists are application/json, everything else text/plain. */
function mimeType(value: string): string {
  const trimmed = value.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return 'text/plain';
  try {
    JSON.parse(value);
    return 'application/json';
  } catch {
    return 'text/plain';
  }
}

/** `input.value`/`output.value` with their mime types; an absent side is left off. */
export function inputOutput(input: string | undefined, output: string | undefined): Attributes {
  const attributes: Attributes = {};
  if (input !== undefined) {
    attributes[OPENINFERENCE.inputValue] = input;
    attributes[OPENINFERENCE.inputMimeType] = mimeType(input);
  }
  if (output !== undefined) {
    attributes[OPENINFERENCE.outputValue] = output;
    attributes[OPENINFERENCE.outputMimeType] = mimeType(output);
  }
  return attributes;
}

/** An LLM span's model and token counts (`llm.token_count.total` = prompt + completion). */
export function llmAttributes(model: string, provider: string, usage: Usage): Attributes {
  return {
    ...spanKind('llm'),
    [OPENINFERENCE.llmModelName]: model,
    [OPENINFERENCE.llmProvider]: provider,
    [OPENINFERENCE.tokenCountPrompt]: usage.inputTokens,
    [OPENINFERENCE.tokenCountCompletion]: usage.outputTokens,
    [OPENINFERENCE.tokenCountTotal]: usage.inputTokens + usage.outputTokens,
    [OPENINFERENCE.tokenCountCacheRead]: usage.cachedInputTokens ?? 0,
    [OPENINFERENCE.tokenCountReasoning]: usage.reasoningTokens ?? 0,
  };
}

export function toolAttributes(name: string, description: string | undefined): Attributes {
  return { ...spanKind('tool'), [OPENINFERENCE.toolName]: name, ...(description ? { [OPENINFERENCE.toolDescription]: description } : {}) };
}
