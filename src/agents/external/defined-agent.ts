/**
 * `defineAgent()`: an agent written as a function in the same program, evaluated like any other.
 * Each turn gets the user's message (the task, then in a dialogue each simulated-user message) and
 * helpers that record what it does: `callModel` (a model call: usage, cost, a chat span), `callTool`
 * (one of the task's tools, run and recorded as agent-eval's own agents do).
 */
import { ProviderError } from '../../models/errors.js';
import { addUsage, emptyUsage, type Message, type ModelProvider, type ModelRequest, type ModelResponse, type ToolSpec } from '../../models/types.js';
import { toolSpec } from '../../tools/spec.js';
import type { AnyTool } from '../../tools/types.js';
import type { AgentConversation, TurnOutcome } from '../conversation.js';
import { executeToolCall } from '../tool-executor.js';
import { epochNow, type AgentRun, type Step } from '../types.js';
import { FINAL_ANSWER, type ExternalTaskInput } from './external-conversation.js';
import type { ExternalAgent, ExternalSession } from './types.js';

export interface AgentTurnInput {
  task: { id: string; prompt: string; difficulty: string; category: string | null };
  /** The user's message: the task's prompt (or a dialogue's opening), then each simulated-user message. */
  message: string;
  /** 1 for the task, 2... for the user's later messages in a dialogue. */
  turn: number;
  /** The dialogue before this message: the user's messages and the agent's replies, in order (empty on turn 1). */
  history: readonly { role: 'user' | 'assistant'; content: string }[];
  /** The tools offered, as the model sees them. */
  tools: readonly ToolSpec[];
  /** Calls a model and records the call (usage, cost, span). Uses `provider`, else the agent's `model`. */
  callModel(request: Omit<ModelRequest, 'signal'>, provider?: ModelProvider): Promise<ModelResponse>;
  /** Runs one of the task's tools and records the call; a failure is returned as `Error: ...` text. */
  callTool(name: string, args: unknown): Promise<string>;
  signal: AbortSignal;
}

export interface AgentDefinition {
  /** The agent's name on spans (default `custom_agent`). */
  name?: string;
  /** The model `callModel` uses when no provider is given. */
  model?: ModelProvider;
  /** One turn: returns the answer (in a dialogue, the reply to the user). Throwing ends the task with an error. */
  turn(input: AgentTurnInput): Promise<string>;
}

export function defineAgent(definition: AgentDefinition): ExternalAgent {
  return {
    name: definition.name ?? 'custom_agent',
    start: async (input): Promise<ExternalSession> => ({ conversation: new DefinedConversation(definition, input) }),
    close: async () => {},
  };
}

class DefinedConversation implements AgentConversation {
  private readonly state: AgentRun = { agentType: 'tool', steps: [], messages: [], usage: emptyUsage(), modelCalls: 0, actionSteps: 0, stopReason: 'error' };
  private readonly toolMap: Map<string, AnyTool>;
  private turns = 0;
  private stopped = false;
  private toolCalls = 0;
  private readonly dialogue: { role: 'user' | 'assistant'; content: string }[] = [];

  constructor(
    private readonly definition: AgentDefinition,
    private readonly input: ExternalTaskInput,
  ) {
    this.toolMap = new Map(input.tools.filter((tool) => tool.name !== FINAL_ANSWER).map((tool) => [tool.name, tool]));
  }

  run(): AgentRun {
    return { ...this.state, steps: [...this.state.steps], messages: [...this.state.messages] };
  }

  async close(): Promise<void> {}

  async turn(message: string): Promise<TurnOutcome> {
    if (this.stopped) return { stopped: true };
    this.turns++;
    const history = this.dialogue.slice();
    this.state.messages.push({ role: 'user', content: message });
    this.dialogue.push({ role: 'user', content: message });
    const { input } = this;
    try {
      const answer = await this.definition.turn({
        task: { id: input.taskId, prompt: input.prompt, difficulty: input.difficulty, category: input.category },
        message,
        turn: this.turns,
        history,
        tools: [...this.toolMap.values()].map(toolSpec),
        callModel: (request, provider) => this.callModel(request, provider),
        callTool: (name, args) => this.callTool(name, args),
        signal: input.signal,
      });
      if (input.signal.aborted) return this.stop('aborted');
      const index = Math.max(1, this.state.modelCalls);
      this.state.actionSteps = Math.max(this.state.actionSteps, index);
      this.record({ type: 'tool-call', index, call: { id: `final_${this.turns}`, name: FINAL_ANSWER, arguments: { answer } }, output: answer, isError: false, startedAtMs: epochNow(), durationMs: 0, source: 'native' });
      this.state.messages.push({ role: 'assistant', content: answer });
      this.dialogue.push({ role: 'assistant', content: answer });
      this.state.finalAnswer = answer;
      this.state.stopReason = 'final-answer';
      return { reply: answer };
    } catch (error) {
      if (input.signal.aborted) return this.stop('aborted');
      const kind = error instanceof ProviderError && error.kind !== 'bad-request' ? 'infrastructure' : 'model';
      this.state.error = { kind, message: `agent ${this.definition.name ?? 'custom_agent'}: ${error instanceof Error ? error.message : String(error)}` };
      return this.stop('error');
    }
  }

  private stop(reason: AgentRun['stopReason']): TurnOutcome {
    this.stopped = true;
    this.state.stopReason = reason;
    return { stopped: true };
  }

  private async callModel(request: Omit<ModelRequest, 'signal'>, given?: ModelProvider): Promise<ModelResponse> {
    const provider = given ?? this.definition.model;
    if (!provider) throw new Error('callModel: no provider given and the agent has no model');
    const startedAtMs = epochNow();
    const started = performance.now();
    const response = await provider.generate({ ...request, signal: this.input.signal });
    this.state.modelCalls++;
    this.state.actionSteps = this.state.modelCalls;
    this.state.usage = addUsage(this.state.usage, response.usage);
    this.record({ type: 'model-call', index: this.state.modelCalls, response, startedAtMs, durationMs: performance.now() - started, inputMessageCount: this.state.messages.length });
    return response;
  }

  private async callTool(name: string, args: unknown): Promise<string> {
    const call = { id: `call_${++this.toolCalls}`, name, arguments: args ?? {} };
    const outcome = await executeToolCall(call, this.toolMap, { ...this.input.toolContext, signal: this.input.signal });
    const index = Math.max(1, this.state.modelCalls);
    this.record({ type: 'tool-call', index, call, output: outcome.output, isError: outcome.isError, startedAtMs: outcome.startedAtMs, durationMs: outcome.durationMs, resources: outcome.resources, source: 'native' });
    const messages: Message[] = [
      { role: 'assistant', content: '', toolCalls: [call] },
      { role: 'tool', toolCallId: call.id, name, content: outcome.output, ...(outcome.isError && { isError: true }) },
    ];
    this.state.messages.push(...messages);
    return outcome.output;
  }

  private record(step: Step): void {
    this.state.steps.push(step);
    this.input.onStep?.(step);
  }
}
