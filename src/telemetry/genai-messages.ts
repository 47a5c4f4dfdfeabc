import type { FinishReason, Message, ToolSpec } from '../models/types.js';

/** A message in the OpenTelemetry GenAI "parts" format (gen_ai.input.messages / output.messages). */
export interface PartsMessage {
  role: string;
  parts: Record<string, unknown>[];
  finish_reason?: string;
}

const FINISH_REASONS: Record<FinishReason, string> = {
  stop: 'stop',
  'tool-calls': 'tool_call',
  length: 'length',
  'content-filter': 'content_filter',
  error: 'error',
  other: 'other',
};

function messageParts(message: Message): Record<string, unknown>[] {
  switch (message.role) {
    case 'system':
    case 'user':
      return [{ type: 'text', content: message.content }];
    case 'assistant': {
      const parts: Record<string, unknown>[] = [];
      if (message.reasoning) parts.push({ type: 'reasoning', content: message.reasoning });
      if (message.content) parts.push({ type: 'text', content: message.content });
      for (const call of message.toolCalls ?? []) parts.push({ type: 'tool_call', id: call.id, name: call.name, arguments: call.arguments });
      return parts;
    }
    case 'tool':
      return [{ type: 'tool_call_response', id: message.toolCallId, response: message.content }];
  }
}

/** One non-system message as it appears in gen_ai.input.messages, as JSON text. */
export function inputMessageJson(message: Message): string {
  return JSON.stringify({ role: message.role, parts: messageParts(message) });
}

/** Input messages without system ones (those go to gen_ai.system_instructions). */
export function inputMessages(messages: readonly Message[]): PartsMessage[] {
  return messages.filter((message) => message.role !== 'system').map((message) => ({ role: message.role, parts: messageParts(message) }));
}

export function systemInstructions(messages: readonly Message[]): Record<string, unknown>[] {
  return messages.filter((message) => message.role === 'system').flatMap(messageParts);
}

export function outputMessages(message: Message, finishReason: FinishReason): PartsMessage[] {
  return [{ role: message.role, parts: messageParts(message), finish_reason: FINISH_REASONS[finishReason] }];
}

export function toolDefinitions(tools: readonly ToolSpec[]): Record<string, unknown>[] {
  return tools.map((tool) => ({ type: 'function', name: tool.name, description: tool.description, parameters: tool.parameters }));
}
