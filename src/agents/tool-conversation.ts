import type { AgentConversation, TurnOutcome } from './conversation.js';
import { runToolCallingAgent, type ToolCallingAgentInput } from './tool-calling-agent.js';
import type { AgentRun } from './types.js';

/**
 * The built-in tool-calling agent in a dialogue: each user message continues the same run (history,
 * steps, usage), and a turn ends on final_answer (its argument is the reply) or on plain text.
 */
export class ToolAgentConversation implements AgentConversation {
  private current: AgentRun | undefined;

  constructor(private readonly input: Omit<ToolCallingAgentInput, 'prompt' | 'continueFrom' | 'plainTextEndsTurn'>) {}

  async turn(message: string): Promise<TurnOutcome> {
    if (this.current && this.current.stopReason !== 'final-answer') return { stopped: true };
    this.current = await runToolCallingAgent({ ...this.input, prompt: message, plainTextEndsTurn: true, ...(this.current && { continueFrom: this.current }) });
    return this.current.stopReason === 'final-answer' && this.current.finalAnswer !== undefined ? { reply: this.current.finalAnswer } : { stopped: true };
  }

  run(): AgentRun {
    if (!this.current) throw new Error('the conversation has not started');
    return this.current;
  }

  async close(): Promise<void> {}
}
