function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Tool call arguments as recorded or sent on the wire, parsed: JSON text becomes its value, text that is
 * not JSON stays text (the agent reports malformed arguments back to the model), an object stays as it
 * is, and none at all is `{}`.
 */
export function parseToolArguments(value: unknown): unknown {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
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
