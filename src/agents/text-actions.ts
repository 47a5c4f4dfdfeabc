import type { ToolCall } from '../models/types.js';

/**
 * Extracts a tool call from a model's text in smolagents' format:
 *   Action:
 *   {"name": "tool", "arguments": {...}}
 * Also accepts the older {"action": ..., "action_input": ...} keys. Returns undefined when the text
 * holds no JSON object naming a tool; throws with a reason when a blob is there but unusable.
 */
export function parseTextAction(text: string, id: string): ToolCall | undefined {
  const marker = text.search(/Action\s*:/i);
  const start = text.indexOf('{', marker >= 0 ? marker : 0);
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) {
    if (marker >= 0) throw new Error('the Action: has no JSON object after it');
    return undefined;
  }
  let blob: unknown;
  try {
    blob = JSON.parse(text.slice(start, end + 1));
  } catch (error) {
    if (marker < 0) return undefined;
    throw new Error(`the Action: JSON is not valid (${(error as Error).message})`);
  }
  if (typeof blob !== 'object' || blob === null) return undefined;
  const record = blob as Record<string, unknown>;
  const name = record.name ?? record.action ?? record.tool;
  if (typeof name !== 'string' || !name) {
    if (marker < 0) return undefined;
    throw new Error('the Action: JSON has no "name"');
  }
  const args = record.arguments ?? record.action_input ?? record.args ?? {};
  return { id, name, arguments: args };
}
