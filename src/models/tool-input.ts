function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Tool call arguments as a JSON object, which Anthropic's `tool_use.input` and Ollama's
 * `function.arguments` require. Our tool calls carry objects, except for arguments that an
 * OpenAI-compatible model sent as unparseable text: those are kept under `value` so the model
 * still sees what it sent.
 */
export function toolInput(args: unknown): Record<string, unknown> {
  if (isPlainObject(args)) return args;
  if (args === undefined || args === null || args === '') return {};
  if (typeof args === 'string') {
    try {
      const parsed: unknown = JSON.parse(args);
      if (isPlainObject(parsed)) return parsed;
    } catch {
      // not JSON: kept as text below
    }
  }
  return { value: args };
}
