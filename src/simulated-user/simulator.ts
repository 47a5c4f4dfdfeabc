/**
 * The simulated user of a multi-turn task: an LLM playing the user from the task's `user` block. It
 * sees the persona, the goal and the dialogue so far, never the agent's tools or system prompt, and
 * either writes the user's next message or ends the dialogue through its one tool, `end_conversation`
 * (a structured stop signal: goal met, or gave up).
 */
import { ProviderError } from '../models/errors.js';
import { addUsage, emptyUsage, type GenerationParameters, type Message, type ModelProvider, type ModelResponse, type ToolSpec, type Usage } from '../models/types.js';
import type { UserBlock } from '../tasks/user-block.js';

export const END_CONVERSATION = 'end_conversation';

const END_TOOL: ToolSpec = {
  name: END_CONVERSATION,
  description: 'End the conversation. Call it when the assistant has done what you wanted (reason "goal_met"), or when you give up because it cannot or will not help (reason "gave_up").',
  parameters: {
    type: 'object',
    properties: { reason: { type: 'string', enum: ['goal_met', 'gave_up'] } },
    required: ['reason'],
  },
};

/** One line of the dialogue, from the user's side or the agent's. */
export interface DialogueLine {
  speaker: 'user' | 'agent';
  text: string;
}

export type SimulatorReply = { message: string } | { stop: 'goal_met' | 'user_stopped' };

/** One simulator call, for its span and its cost. */
export interface SimulatorCall {
  startedAtMs: number;
  durationMs: number;
  response: ModelResponse;
  /** Messages sent (the simulator's own history). */
  messages: Message[];
}

export function simulatorInstructions(user: UserBlock): string {
  const lines = [
    'You are playing a user who is talking to an AI assistant. Stay in character; write only what this user would type, in the first person, briefly.',
  ];
  if (user.persona) lines.push(`Who you are: ${user.persona}`);
  lines.push(`What you want: ${user.goal}`);
  lines.push('Facts in "what you want" that the assistant cannot know: give them only when the assistant asks for them, one request at a time. Never invent facts that are not there.');
  lines.push(`When ${user.stop_when ? `${user.stop_when}` : 'the assistant has done what you wanted'}, call end_conversation with reason "goal_met". If the assistant cannot or will not help, call end_conversation with reason "gave_up". Otherwise answer the assistant's last message.`);
  return lines.join('\n');
}

export class UserSimulator {
  readonly calls: SimulatorCall[] = [];
  usage: Usage = emptyUsage();

  constructor(
    private readonly provider: ModelProvider,
    private readonly generation: GenerationParameters,
  ) {}

  get model(): { provider: string; modelId: string } {
    return { provider: this.provider.provider, modelId: this.provider.modelId };
  }

  /** The user's reply to the dialogue so far (whose last line is the agent's), or the end of the dialogue. */
  async reply(user: UserBlock, dialogue: readonly DialogueLine[], signal: AbortSignal): Promise<SimulatorReply> {
    // Roles seen from the simulator's side: the agent speaks as "user", the simulated user as "assistant".
    const messages: Message[] = [
      { role: 'system', content: simulatorInstructions(user) },
      ...dialogue.map((line): Message => (line.speaker === 'agent' ? { role: 'user', content: line.text } : { role: 'assistant', content: line.text })),
    ];
    const startedAtMs = performance.timeOrigin + performance.now();
    const started = performance.now();
    const response = await this.provider.generate({ temperature: 0, ...this.generation, messages, tools: [END_TOOL], signal });
    this.calls.push({ startedAtMs, durationMs: performance.now() - started, response, messages });
    this.usage = addUsage(this.usage, response.usage);
    const end = response.message.toolCalls?.find((call) => call.name === END_CONVERSATION);
    if (end) return { stop: reasonOf(end.arguments) === 'gave_up' ? 'user_stopped' : 'goal_met' };
    const text = response.message.content.trim();
    if (!text) throw new ProviderError('malformed-response', 'the user simulator wrote neither a message nor end_conversation');
    return { message: text };
  }
}

function reasonOf(args: unknown): unknown {
  const parsed = typeof args === 'string' ? safeJson(args) : args;
  return parsed && typeof parsed === 'object' ? (parsed as { reason?: unknown }).reason : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
