// Builders for common responders of the loopback OpenAI server (see openai-server.ts).
import type { RecordedRequest, Responder, ScriptedReply } from './openai-server.js';

const NO_SCRIPT: ScriptedReply = { content: 'no script for this prompt' };

/** Text of a message's `content`, whether a string or an array of content parts. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    let out = '';
    for (const part of content) {
      if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
        out += (part as { text: string }).text;
      }
    }
    return out;
  }
  return '';
}

interface WireMessage {
  role?: unknown;
  content?: unknown;
}

function messagesOf(request: RecordedRequest): WireMessage[] {
  const messages: unknown = request.body?.messages;
  return Array.isArray(messages) ? (messages as WireMessage[]) : [];
}

function pick(replies: ScriptedReply[], index: number): ScriptedReply {
  if (replies.length === 0) return NO_SCRIPT;
  return replies[Math.min(index, replies.length - 1)] ?? NO_SCRIPT;
}

/**
 * Picks the script whose key is contained in the FIRST user message of the request (the
 * longest matching key wins), then answers its Nth reply, N = number of assistant messages
 * already in the request. Conversations therefore advance independently under concurrency.
 * Past the end of a script the last reply repeats.
 */
export function scriptByPrompt(scripts: Record<string, ScriptedReply[]>, fallback?: ScriptedReply[]): Responder {
  const keys = Object.keys(scripts).sort((a, b) => b.length - a.length);
  return (request) => {
    const messages = messagesOf(request);
    const firstUser = messages.find((m) => m.role === 'user');
    const prompt = firstUser ? messageText(firstUser.content) : '';
    let turn = 0;
    for (const m of messages) if (m.role === 'assistant') turn++;
    const key = keys.find((k) => prompt.includes(k));
    const script = key !== undefined ? scripts[key] : fallback;
    return script ? pick(script, turn) : NO_SCRIPT;
  };
}

/** Replies in order of arrival (one global counter), repeating the last one. */
export function sequence(replies: ScriptedReply[]): Responder {
  let next = 0;
  return () => pick(replies, next++);
}

/** One tool call. `args` objects are JSON-encoded; strings are sent raw. */
export function toolCall(name: string, args: unknown = {}): ScriptedReply {
  return { toolCalls: [{ name, arguments: args }] };
}

/** A `final_answer` tool call with `{ answer }`. */
export function finalAnswer(answer: unknown): ScriptedReply {
  return toolCall('final_answer', { answer });
}
