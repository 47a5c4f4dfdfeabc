import type { AgentRun } from './types.js';

/** How an agent's turn ended: a reply to the user, or the run stopped (error, timeout, steps). */
export type TurnOutcome = { reply: string } | { stopped: true };

/**
 * An agent that keeps its state across user messages: single-turn tasks send one message (the task),
 * dialogues send each of the simulated user's messages in turn.
 */
export interface AgentConversation {
  /** Sends the next user message (the first is the task); resolves when the agent's turn ends. */
  turn(message: string): Promise<TurnOutcome>;
  /** The run so far: steps, messages, usage, and how it ended. */
  run(): AgentRun;
  /** Ends the conversation and lets go of its resources (a process, a connection). */
  close(): Promise<void>;
}
