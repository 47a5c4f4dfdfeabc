/**
 * The row's conversation with an external agent process: what agent-eval observed (the user messages it
 * sent, the tools it ran and their outputs, the final answers) merged with what the agent reported of its
 * own conversation with its model (`model_call.messages` and each call's reply). Reported messages are
 * the agent's own view, so they win: its system prompt, its wording of the user's message, its assistant
 * turns with their tool calls as its model made them. Observed messages fill what it did not report, and
 * nothing is kept twice. An agent that reports no messages gets the observed conversation alone. The
 * model's reasoning (a call's `reasoning`, a reported message's `reasoning_content`) stays on the assistant
 * message of that reply, whichever report said it.
 */
import type { AssistantMessage, Message, ToolCall } from '../../models/types.js';

const FINAL_ANSWER = 'final_answer';

/**
 * Where a message of the transcript came from. `stand-in` is an assistant message agent-eval wrote for a
 * tool it ran (the agent did not report the model's message); `answer` one it wrote for a final answer.
 */
type Origin = 'reported' | 'observed' | 'stand-in' | 'answer';

interface Entry {
  message: Message;
  origin: Origin;
}

const callIds = (message: Message): string[] => (message.role === 'assistant' ? (message.toolCalls ?? []).map((call) => call.id) : []);

/** `kept`, with the reasoning of `other` (the same message as reported elsewhere) when `kept` has none: the agent may report it once only. */
function withReasoning(kept: Message, other: Message): Message {
  if (kept.role !== 'assistant' || kept.reasoning || other.role !== 'assistant' || !other.reasoning) return kept;
  return { ...kept, reasoning: other.reasoning };
}

/** A reported reply holding nothing but its reasoning (no text, no tool calls). */
const reasoningOnly = (message: Message | undefined): message is AssistantMessage =>
  message?.role === 'assistant' && !message.content.trim() && !message.toolCalls?.length && Boolean(message.reasoning);

/** Whether `entry` is the message `reported` (the same message, perhaps as agent-eval wrote it before the agent reported it). */
function represents(entry: Entry, reported: Message): boolean {
  const { message } = entry;
  switch (reported.role) {
    case 'system':
      return message.role === 'system' && message.content === reported.content;
    case 'user':
      // An agent may wrap the user's message in its own template: the observed text inside it is the same message.
      return message.role === 'user' && (message.content === reported.content || (entry.origin === 'observed' && message.content.length > 0 && reported.content.includes(message.content)));
    case 'tool':
      return message.role === 'tool' && message.toolCallId === reported.toolCallId;
    case 'assistant': {
      if (message.role !== 'assistant') return false;
      const ids = callIds(reported);
      const own = callIds(message);
      const sameText = message.content.trim() === reported.content.trim();
      if (!ids.length) return !own.length && sameText;
      if (own.some((id) => ids.includes(id))) return true;
      if (entry.origin === 'answer') return (reported.toolCalls ?? []).some((call) => call.name === FINAL_ANSWER);
      return !own.length && sameText && message.content.trim().length > 0;
    }
  }
}

export class ExternalTranscript {
  private readonly entries: Entry[] = [];

  messages(): Message[] {
    return this.entries.map((entry) => entry.message);
  }

  /** How many messages the transcript holds. */
  get length(): number {
    return this.entries.length;
  }

  /** A message agent-eval sent the agent as the user. */
  user(content: string): void {
    this.entries.push({ message: { role: 'user', content }, origin: 'observed' });
  }

  /** A tool agent-eval ran for the agent, and its output. */
  tool(call: ToolCall, output: string, isError: boolean): void {
    if (!this.entries.some((entry) => callIds(entry.message).includes(call.id))) {
      // A reply reported with its reasoning alone made this call: the stand-in is that reply.
      const last = this.entries.at(-1);
      const reasoning = last?.origin === 'reported' && reasoningOnly(last.message) ? last.message.reasoning : undefined;
      if (reasoning) this.entries.pop();
      this.entries.push({ message: { role: 'assistant', content: '', toolCalls: [call], ...(reasoning && { reasoning }) }, origin: 'stand-in' });
    }
    if (this.entries.some((entry) => entry.message.role === 'tool' && entry.message.toolCallId === call.id)) return;
    this.entries.push({ message: { role: 'tool', toolCallId: call.id, name: call.name, content: output, ...(isError && { isError: true }) }, origin: 'observed' });
  }

  /**
   * The agent's final answer of a turn: the result of its model's final_answer call when the agent
   * reported that call (as the built-in agents' rows have it), nothing more when the model's reported
   * reply is the answer itself, else an assistant message of its own.
   */
  answer(text: string): void {
    const lastUser = this.entries.findLastIndex((entry) => entry.message.role === 'user');
    const turn = this.entries.slice(lastUser + 1);
    const last = turn.findLast((entry) => entry.message.role === 'assistant')?.message as AssistantMessage | undefined;
    const finalCall = last?.toolCalls?.find((call) => call.name === FINAL_ANSWER);
    if (finalCall) {
      if (!turn.some((entry) => entry.message.role === 'tool' && entry.message.toolCallId === finalCall.id)) {
        this.entries.push({ message: { role: 'tool', toolCallId: finalCall.id, name: FINAL_ANSWER, content: text }, origin: 'observed' });
      }
      return;
    }
    if (last && !last.toolCalls?.length && last.content.trim() === text.trim() && turn.at(-1)?.message === last) return;
    // The model's reply was reported with its reasoning alone: the answer is that reply's text.
    if (last && reasoningOnly(last) && turn.at(-1)?.message === last) {
      this.entries[this.entries.length - 1] = { message: { ...last, content: text }, origin: 'reported' };
      return;
    }
    this.entries.push({ message: { role: 'assistant', content: text }, origin: 'answer' });
  }

  /**
   * One model call the agent reported: the messages it sent, in order (those already here are found
   * and, when agent-eval wrote them, replaced by the agent's own; the others are put where they stand
   * among them, or at the end when none of them is here yet), then the model's reply, the newest message.
   */
  report(input: readonly Message[], reply: AssistantMessage | undefined): void {
    let cursor = 0;
    // The messages before the first one found here: before it, or at the end when none is found.
    let leading: Message[] | undefined = [];
    for (const message of input) {
      let found = this.entries.findIndex((entry, index) => index >= cursor && represents(entry, message));
      if (found < 0 && leading) {
        leading.push(message);
        continue;
      }
      if (leading) {
        cursor = this.insert(found, leading);
        leading = undefined;
        found = this.entries.findIndex((entry, index) => index >= cursor && represents(entry, message));
      }
      if (found < 0) {
        cursor = this.insert(cursor, [message]);
        continue;
      }
      const entry = this.entries[found]!;
      const richer = message.role === 'assistant' && callIds(message).length > callIds(entry.message).length;
      const kept = entry.origin !== 'reported' || richer ? withReasoning(message, entry.message) : withReasoning(entry.message, message);
      if (kept !== entry.message) this.entries[found] = { message: kept, origin: 'reported' };
      cursor = found + 1 - this.dropCoveredStandIns(found);
    }
    if (leading) this.insert(this.entries.length, leading);
    if (reply) this.entries.push({ message: reply, origin: 'reported' });
  }

  /** Inserts reported messages at `at`; returns the index just past them (stand-ins they cover are dropped). */
  private insert(at: number, messages: readonly Message[]): number {
    let cursor = at;
    for (const message of messages) {
      this.entries.splice(cursor, 0, { message, origin: 'reported' });
      cursor = cursor + 1 - this.dropCoveredStandIns(cursor);
    }
    return cursor;
  }

  /** Removes the stand-ins whose tool calls the reported assistant message at `at` holds; returns how many stood before it. */
  private dropCoveredStandIns(at: number): number {
    const ids = callIds(this.entries[at]!.message);
    if (!ids.length) return 0;
    let before = 0;
    for (let index = this.entries.length - 1; index >= 0; index--) {
      const entry = this.entries[index]!;
      if (index === at || entry.origin !== 'stand-in' || !callIds(entry.message).every((id) => ids.includes(id))) continue;
      this.entries[at] = { ...this.entries[at]!, message: withReasoning(this.entries[at]!.message, entry.message) };
      this.entries.splice(index, 1);
      if (index < at) before++;
    }
    return before;
  }
}
