import type { Message as OllamaMessage, Tool as OllamaTool } from 'ollama';
import { toolInput } from './tool-input.js';
import type { GenerationParameters, Message, ToolSpec } from './types.js';

export type { OllamaMessage };

/** Converts our messages to Ollama's /api/chat format: tool arguments as objects, results by tool name. */
export function toOllamaMessages(messages: readonly Message[]): OllamaMessage[] {
  return messages.map((message): OllamaMessage => {
    switch (message.role) {
      case 'system':
      case 'user':
        return { role: message.role, content: message.content };
      case 'assistant': {
        const out: OllamaMessage = { role: 'assistant', content: message.content };
        if (message.reasoning) out.thinking = message.reasoning;
        if (message.toolCalls?.length) {
          out.tool_calls = message.toolCalls.map((call) => ({
            function: { name: call.name, arguments: toolInput(call.arguments) },
          }));
        }
        return out;
      }
      case 'tool':
        // Ollama has no tool call ids: a result is matched to its call by tool name and order.
        return { role: 'tool', content: message.content, tool_name: message.name };
    }
  });
}

export function toOllamaTools(tools: readonly ToolSpec[]): OllamaTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters as OllamaTool['function']['parameters'] },
  }));
}

/** Fields of /api/chat itself; any other `--model-args` key is a model option (`options.*`). */
const TOP_LEVEL = new Set(['format', 'keep_alive', 'think', 'logprobs', 'top_logprobs']);

/**
 * Builds the /api/chat body. Known generation parameters go to `options` under Ollama's names
 * (`num_predict`, `top_p`, `seed`, `stop`); unknown `--model-args` keys go to `options` too
 * (`top_k`, `num_ctx`, `repeat_penalty`, ...) except the request-level ones (`think`, `format`,
 * `keep_alive`, ...). An explicit `options` object in the extras is merged in.
 */
export function buildOllamaChatBody(
  modelId: string,
  request: GenerationParameters & { messages: readonly Message[]; tools?: readonly ToolSpec[] },
): Record<string, unknown> {
  const top: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request.extra ?? {})) {
    if (key === 'options' && typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(options, value);
    else if (TOP_LEVEL.has(key)) top[key] = value;
    else options[key] = value;
  }
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (request.maxOutputTokens !== undefined) options.num_predict = request.maxOutputTokens;
  if (request.seed !== undefined) options.seed = request.seed;
  if (request.stop?.length) options.stop = request.stop;
  const body: Record<string, unknown> = { ...top, model: modelId, messages: toOllamaMessages(request.messages), stream: false };
  if (request.tools?.length) body.tools = toOllamaTools(request.tools);
  if (Object.keys(options).length) body.options = options;
  return body;
}
