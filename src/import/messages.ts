/**
 * Messages recorded on model-call spans, turned into the OpenAI Chat Completions format our rows keep:
 * the GenAI conventions' "parts" messages (`gen_ai.input.messages` / `gen_ai.output.messages`, JSON text
 * or structured, with the variants seen in the wild: role `developer`, `thinking` parts, tool results in
 * `result`/`response`/`content`), OpenAI-format lists (the older `gen_ai.prompt`/`gen_ai.completion`
 * events), and the flattened attributes of OpenInference (`llm.input_messages.0.message.role`) and
 * OpenLLMetry (`gen_ai.prompt.0.role`).
 */

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** An OpenAI-format message, with the reasoning kept in its own field when it was recorded. */
export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[]; reasoning_content?: string }
  | { role: 'tool'; tool_call_id: string; content: string };

type Loose = Record<string, unknown>;

const isRecord = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON text parsed, or the value itself; undefined when it is text that is not JSON. */
export function jsonValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

export function argumentsText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? {});
}

/** Text of a content value: a string, or a list of `{type, text|content}` blocks joined. */
export function contentText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((block) => (isRecord(block) ? String(block.text ?? block.content ?? '') : contentText(block))).join('');
  if (isRecord(value)) return String(value.text ?? value.content ?? JSON.stringify(value));
  return String(value);
}

function normalRole(role: unknown): ChatMessage['role'] {
  const text = String(role ?? 'user').toLowerCase();
  if (text === 'developer' || text === 'system') return 'system';
  if (text === 'assistant' || text === 'model' || text === 'tool-call' || text === 'ai') return 'assistant';
  if (text === 'tool' || text === 'tool-response' || text === 'function') return 'tool';
  return 'user';
}

/** One message in parts form (GenAI conventions) → one or more OpenAI messages. */
function fromParts(role: ChatMessage['role'], parts: unknown[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let text = '';
  let reasoning = '';
  const calls: ChatToolCall[] = [];
  const flushText = () => {
    if (role === 'assistant') {
      if (text || calls.length || reasoning) {
        messages.push({ role: 'assistant', content: text || null, ...(calls.length && { tool_calls: [...calls] }), ...(reasoning && { reasoning_content: reasoning }) });
      }
    } else if (text) {
      messages.push(role === 'tool' ? { role: 'tool', tool_call_id: '', content: text } : { role, content: text });
    }
    text = '';
    reasoning = '';
    calls.length = 0;
  };
  for (const part of parts) {
    if (!isRecord(part)) continue;
    switch (part.type) {
      case 'text':
        text += contentText(part.content ?? part.text);
        break;
      case 'reasoning':
      case 'thinking':
        reasoning += contentText(part.content ?? part.thinking);
        break;
      case 'tool_call':
        calls.push({ id: String(part.id ?? `call_${calls.length}`), type: 'function', function: { name: String(part.name ?? ''), arguments: argumentsText(part.arguments) } });
        break;
      case 'tool_call_response': {
        flushText();
        const result = part.response ?? part.result ?? part.content;
        messages.push({ role: 'tool', tool_call_id: String(part.id ?? ''), content: typeof result === 'string' ? result : Array.isArray(result) ? contentText(result) : JSON.stringify(result ?? '') });
        break;
      }
      default:
        break;
    }
  }
  flushText();
  return messages;
}

/** One OpenAI-style message (`content`, `tool_calls`, `tool_call_id`) → our form. */
function fromOpenAI(message: Loose): ChatMessage[] {
  const role = normalRole(message.role);
  if (role === 'tool') return [{ role: 'tool', tool_call_id: String(message.tool_call_id ?? message.id ?? ''), content: contentText(message.content) }];
  if (role !== 'assistant') return [{ role, content: contentText(message.content) }];
  const calls = Array.isArray(message.tool_calls)
    ? message.tool_calls.filter(isRecord).map((call, index): ChatToolCall => {
        const fn = isRecord(call.function) ? call.function : call;
        return { id: String(call.id ?? `call_${index}`), type: 'function', function: { name: String(fn.name ?? ''), arguments: argumentsText(fn.arguments) } };
      })
    : [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  return [{ role: 'assistant', content: contentText(message.content) || null, ...(calls.length && { tool_calls: calls }), ...(typeof reasoning === 'string' && reasoning && { reasoning_content: reasoning }) }];
}

/** A list of messages in parts or OpenAI form (JSON text or a value); undefined when it is neither. */
export function parseMessageList(value: unknown): ChatMessage[] | undefined {
  const list = jsonValue(value);
  if (!Array.isArray(list)) return undefined;
  return list.filter(isRecord).flatMap((message) => (Array.isArray(message.parts) ? fromParts(normalRole(message.role), message.parts) : fromOpenAI(message)));
}

/** `gen_ai.system_instructions`: a parts list (or text) → one system message. */
export function systemMessage(value: unknown): ChatMessage[] {
  const parsed = jsonValue(value);
  const text = Array.isArray(parsed) ? contentText(parsed) : typeof value === 'string' ? value : '';
  return text ? [{ role: 'system', content: text }] : [];
}

/**
 * Flattened messages under `prefix`: `{prefix}.{i}.{role,content,...}` (OpenLLMetry) or, with `inner`,
 * `{prefix}.{i}.message.{role,content,tool_calls.{k}.tool_call.function.name,...}` (OpenInference).
 */
export function flattenedMessages(attributes: Record<string, unknown>, prefix: string, inner = ''): ChatMessage[] {
  const byIndex = new Map<number, Loose>();
  const head = `${prefix}.`;
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(head)) continue;
    const match = /^(\d+)\.(.+)$/.exec(key.slice(head.length));
    if (!match) continue;
    let rest = match[2]!;
    if (inner) {
      if (!rest.startsWith(inner)) continue;
      rest = rest.slice(inner.length);
    }
    const index = Number(match[1]);
    const message = byIndex.get(index) ?? {};
    byIndex.set(index, message);
    const call = /^tool_calls\.(\d+)\.(?:tool_call\.)?(.+)$/.exec(rest);
    if (call) {
      const calls = (message.tool_calls ??= []) as Loose[];
      const position = Number(call[1]);
      const entry = (calls[position] ??= {});
      const field = call[2]!.replace(/^function\./, '');
      entry[field] = value;
    } else if (/^contents\.\d+\.message_content\.text$/.test(rest)) {
      message.content = `${(message.content as string | undefined) ?? ''}${String(value)}`;
    } else {
      message[rest] = value;
    }
  }
  return [...byIndex.entries()]
    .sort(([left], [right]) => left - right)
    .flatMap(([, message]) => {
      if (Array.isArray(message.tool_calls)) message.tool_calls = message.tool_calls.filter(isRecord);
      return fromOpenAI(message);
    });
}

/** Same message (role, text, tool calls): how a conversation's prefix is recognised between model calls. */
export function sameMessage(left: ChatMessage, right: ChatMessage): boolean {
  if (left.role !== right.role) return false;
  if (left.role === 'tool' && right.role === 'tool') return left.content === right.content;
  const leftCalls = left.role === 'assistant' ? (left.tool_calls ?? []).map((call) => call.function.name).join(',') : '';
  const rightCalls = right.role === 'assistant' ? (right.tool_calls ?? []).map((call) => call.function.name).join(',') : '';
  return (left.content ?? '') === (right.content ?? '') && leftCalls === rightCalls;
}
