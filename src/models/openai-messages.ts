import type { Message, ToolSpec } from './types.js';

/** A message in the OpenAI Chat Completions wire format. */
export type OpenAIMessage =
  | { role: 'system' | 'user'; content: string }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
      /** Only in recorded rows (`keepReasoning`), never in requests: providers refuse it there. */
      reasoning_content?: string;
    }
  | { role: 'tool'; tool_call_id: string; content: string };

function argumentsText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? {});
}

/**
 * Converts our messages to the OpenAI wire format (also the format kept in each task's history). With
 * `keepReasoning` (a result row's messages), an assistant message's reasoning is kept as `reasoning_content`.
 */
export function toOpenAIMessages(messages: readonly Message[], options: { keepReasoning?: boolean } = {}): OpenAIMessage[] {
  return messages.map((message): OpenAIMessage => {
    switch (message.role) {
      case 'system':
      case 'user':
        return { role: message.role, content: message.content };
      case 'assistant': {
        const reasoning = options.keepReasoning && message.reasoning ? { reasoning_content: message.reasoning } : {};
        if (!message.toolCalls?.length) return { role: 'assistant', content: message.content, ...reasoning };
        return {
          role: 'assistant',
          content: message.content || null,
          tool_calls: message.toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: argumentsText(call.arguments) },
          })),
          ...reasoning,
        };
      }
      case 'tool':
        return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    }
  });
}

export function toOpenAITools(tools: readonly ToolSpec[]) {
  return tools.map((tool) => ({
    type: 'function' as const,
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}
