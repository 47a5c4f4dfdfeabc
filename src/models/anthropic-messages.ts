import { toolInput } from './tool-input.js';
import type { Message, ReasoningBlock, ToolSpec } from './types.js';

/** Content blocks we send to the Anthropic Messages API. */
export type AnthropicBlock =
  | ReasoningBlock
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: true };

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

export interface AnthropicConversation {
  /** All our system messages, joined by a blank line; absent when there are none. */
  system?: string;
  messages: AnthropicMessage[];
}

function blocksOf(message: Exclude<Message, { role: 'system' }>): AnthropicBlock[] {
  switch (message.role) {
    case 'user':
      // The API rejects empty text blocks.
      return message.content ? [{ type: 'text', text: message.content }] : [];
    case 'assistant': {
      // Thinking goes back only as the signed (or redacted) blocks it came in, first in the turn, as
      // the API requires before tool results when extended thinking is on; plain `reasoning` text
      // (from another provider) cannot be replayed.
      const blocks: AnthropicBlock[] = [...(message.reasoningBlocks ?? [])];
      if (message.content) blocks.push({ type: 'text', text: message.content });
      for (const call of message.toolCalls ?? []) {
        blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: toolInput(call.arguments) });
      }
      return blocks;
    }
    case 'tool':
      return [
        {
          type: 'tool_result',
          tool_use_id: message.toolCallId,
          content: message.content,
          ...(message.isError ? { is_error: true as const } : {}),
        },
      ];
  }
}

/**
 * Converts our conversation to the Messages API: system messages go to `system`, tool results
 * become `tool_result` blocks of a user turn, and consecutive turns of the same role are merged
 * (so all results of one parallel tool call land in ONE user message, as the API requires). In a
 * merged user turn the `tool_result` blocks come first, another requirement of the API. Turns
 * left without any content (an empty assistant reply) are dropped.
 */
export function toAnthropicConversation(messages: readonly Message[]): AnthropicConversation {
  const system: string[] = [];
  const out: AnthropicMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') {
      if (message.content) system.push(message.content);
      continue;
    }
    const blocks = blocksOf(message);
    if (!blocks.length) continue;
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const last = out[out.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  for (const message of out) {
    if (message.role !== 'user') continue;
    const results = message.content.filter((block) => block.type === 'tool_result');
    if (results.length && results.length < message.content.length) {
      message.content = [...results, ...message.content.filter((block) => block.type !== 'tool_result')];
    }
  }
  return { ...(system.length ? { system: system.join('\n\n') } : {}), messages: out };
}

export function toAnthropicTools(tools: readonly ToolSpec[]) {
  return tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.parameters }));
}
