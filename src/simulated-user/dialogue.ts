/**
 * A multi-turn dialogue: the first user message (the row's `opening`, else its prompt) goes to the
 * agent; each agent reply goes to the simulated user, who answers or ends the dialogue. `max_turns`
 * counts agent replies. The agent is any function from a user message to its reply (its state is its
 * own), so built-in and external agents hold the same dialogues.
 */
import { ProviderError } from '../models/errors.js';
import type { UserBlock } from '../tasks/user-block.js';
import type { DialogueLine, UserSimulator } from './simulator.js';

export const DIALOGUE_STOP_REASONS = ['goal_met', 'user_stopped', 'max_turns', 'agent_stopped', 'simulator_error'] as const;
export type DialogueStopReason = (typeof DIALOGUE_STOP_REASONS)[number];

export interface DialogueOutcome {
  /** Agent replies. */
  turns: number;
  /** User messages sent to the agent (the opening included). */
  userTurns: number;
  stopReason: DialogueStopReason;
  lines: DialogueLine[];
  /** Set when the simulator failed (after its retries): the task's error. */
  simulatorError?: string;
}

export interface DialogueInput {
  user: UserBlock;
  prompt: string;
  simulator: UserSimulator;
  /** The agent's turn: its reply, or undefined when its run stopped (an error, a timeout). */
  agentTurn(message: string): Promise<string | undefined>;
  signal: AbortSignal;
}

export async function runDialogue(input: DialogueInput): Promise<DialogueOutcome> {
  const lines: DialogueLine[] = [];
  let message = input.user.opening ?? input.prompt;
  let turns = 0;
  let userTurns = 0;
  for (;;) {
    lines.push({ speaker: 'user', text: message });
    userTurns++;
    const reply = await input.agentTurn(message);
    if (reply === undefined) return { turns, userTurns, stopReason: 'agent_stopped', lines };
    turns++;
    lines.push({ speaker: 'agent', text: reply });
    if (turns >= input.user.max_turns) return { turns, userTurns, stopReason: 'max_turns', lines };
    let next;
    try {
      next = await input.simulator.reply(input.user, lines, input.signal);
    } catch (error) {
      if (input.signal.aborted || !(error instanceof ProviderError)) throw error;
      return { turns, userTurns, stopReason: 'simulator_error', lines, simulatorError: `user simulator: ${error.message}` };
    }
    if ('stop' in next) return { turns, userTurns, stopReason: next.stop, lines };
    message = next.message;
  }
}
