import { addUsage, emptyUsage, type Message, type ModelResponse, type Usage } from '../../models/types.js';
import { toolSpec } from '../../tools/spec.js';
import type { AnyTool, ToolContext } from '../../tools/types.js';
import type { AgentConversation, TurnOutcome } from '../conversation.js';
import { executeToolCall } from '../tool-executor.js';
import { epochNow, type AgentRun, type ErrorKind, type Step } from '../types.js';
import { AgentProcessError, type AgentProcess } from './agent-process.js';
import { ExternalTranscript } from './external-transcript.js';
import { answerText, PROTOCOL_VERSION, type AgentMessage, type ReportedMessage, type ReportedUsage } from './protocol.js';

export const FINAL_ANSWER = 'final_answer';

export interface ExternalTaskInput {
  taskId: string;
  prompt: string;
  difficulty: string;
  category: string | null;
  tools: readonly AnyTool[];
  maxSteps: number;
  timeoutSeconds: number;
  model: string | null;
  traceparent: string | null;
  signal: AbortSignal;
  toolContext: Omit<ToolContext, 'signal'>;
  onStep?: (step: Step) => void;
}

export function toUsage(usage: ReportedUsage | undefined): Usage {
  if (!usage) return emptyUsage();
  return { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, cachedInputTokens: usage.cached_input_tokens ?? 0, reasoningTokens: usage.reasoning_tokens ?? 0 };
}

/** Reported messages in agent-eval's form (a tool message's name is its call's, when the report has it). */
export function toMessages(reported: readonly ReportedMessage[]): Message[] {
  const names = new Map<string, string>();
  return reported.map((message): Message => {
    const content = message.content ?? '';
    switch (message.role) {
      case 'system':
      case 'user':
        return { role: message.role, content };
      case 'assistant': {
        const toolCalls = (message.tool_calls ?? []).map((call) => ({ id: call.id, name: call.name, arguments: call.arguments ?? {} }));
        for (const call of toolCalls) names.set(call.id, call.name);
        return { role: 'assistant', content, ...(toolCalls.length && { toolCalls }), ...(message.reasoning_content && { reasoning: message.reasoning_content }) };
      }
      case 'tool':
        return { role: 'tool', toolCallId: message.tool_call_id, name: names.get(message.tool_call_id) ?? '', content };
    }
  });
}

/**
 * One task with an external agent process: the task message first, then each user message; the
 * agent's model-call reports become model-call steps, its tool requests are run here (and recorded)
 * and answered, its final answer ends the turn. Any protocol violation, crash or exit ends the run
 * with a recorded error. The run's messages are the transcript: what was observed here merged with
 * the messages the agent reported.
 */
export class ExternalConversation implements AgentConversation {
  private readonly state: AgentRun = { agentType: 'tool', steps: [], messages: [], usage: emptyUsage(), modelCalls: 0, actionSteps: 0, stopReason: 'error' };
  private readonly toolMap: Map<string, AnyTool>;
  private readonly transcript = new ExternalTranscript();
  private turns = 0;
  private stopped = false;

  constructor(
    private readonly process: AgentProcess,
    private readonly input: ExternalTaskInput,
    private readonly release: (process: AgentProcess, healthy: boolean) => Promise<void>,
  ) {
    this.toolMap = new Map(input.tools.filter((tool) => tool.name !== FINAL_ANSWER).map((tool) => [tool.name, tool]));
  }

  run(): AgentRun {
    return { ...this.state, steps: [...this.state.steps], messages: this.transcript.messages() };
  }

  async turn(message: string): Promise<TurnOutcome> {
    if (this.stopped) return { stopped: true };
    this.turns++;
    this.transcript.user(message);
    if (this.turns === 1) {
      const { input } = this;
      this.process.send({
        type: 'task',
        protocol: PROTOCOL_VERSION,
        task_id: input.taskId,
        prompt: message,
        tools: input.tools.filter((tool) => tool.name !== FINAL_ANSWER).map(toolSpec),
        max_steps: input.maxSteps,
        timeout_s: input.timeoutSeconds,
        model: input.model,
        traceparent: input.traceparent,
        metadata: { difficulty: input.difficulty, category: input.category },
      });
    } else {
      this.process.send({ type: 'user_message', content: message, turn: this.turns });
    }
    try {
      return await this.untilAnswer();
    } catch (error) {
      if (this.input.signal.aborted) return this.stop('aborted');
      if (error instanceof AgentProcessError) return this.stop('error', { kind: error.reason === 'start' ? 'infrastructure' : 'model', message: `external agent: ${error.message}` });
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.stopped) this.process.send({ type: 'end' });
    await this.release(this.process, !this.stopped && this.process.alive);
  }

  private closed = false;

  private stop(reason: AgentRun['stopReason'], error?: { kind: ErrorKind; message: string }): TurnOutcome {
    this.stopped = true;
    this.state.stopReason = reason;
    if (error) this.state.error = error;
    return { stopped: true };
  }

  private get stepIndex(): number {
    return Math.max(1, this.state.modelCalls);
  }

  private async untilAnswer(): Promise<TurnOutcome> {
    for (;;) {
      const message = await this.process.next(this.input.signal);
      switch (message.type) {
        case 'model_call':
          this.recordModelCall(message);
          break;
        case 'tool_call': {
          const outcome = await this.runTool(message);
          if (outcome) return outcome;
          break;
        }
        case 'final_answer': {
          const answer = answerText(message.answer);
          const index = this.stepIndex;
          this.state.actionSteps = Math.max(this.state.actionSteps, index);
          this.record({ type: 'tool-call', index, call: { id: `final_${this.turns}`, name: FINAL_ANSWER, arguments: { answer } }, output: answer, isError: false, startedAtMs: epochNow(), durationMs: 0, source: 'native' });
          this.transcript.answer(answer);
          this.state.finalAnswer = answer;
          this.state.stopReason = 'final-answer';
          return { reply: answer };
        }
        case 'error':
          return this.stop('error', { kind: 'model', message: `external agent: it reported an error: ${message.message}` });
      }
    }
  }

  private recordModelCall(message: Extract<AgentMessage, { type: 'model_call' }>): void {
    const usage = toUsage(message.usage);
    const durationMs = message.duration_ms ?? 0;
    const response: ModelResponse = {
      message: {
        role: 'assistant',
        content: message.output ?? '',
        ...(message.tool_calls?.length && { toolCalls: message.tool_calls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments ?? {} })) }),
        ...(message.reasoning && { reasoning: message.reasoning }),
      },
      usage,
      finishReason: message.finish_reason ?? (message.tool_calls?.length ? 'tool-calls' : 'stop'),
      model: message.model ?? this.input.model ?? 'external',
      attempts: 1,
    };
    const inputMessages = message.messages?.length ? toMessages(message.messages) : undefined;
    const inputMessageCount = this.transcript.length;
    const reply = response.message.content || response.message.toolCalls?.length || response.message.reasoning ? response.message : undefined;
    this.transcript.report(inputMessages ?? [], reply);
    this.state.modelCalls++;
    this.state.actionSteps = this.state.modelCalls;
    this.state.usage = addUsage(this.state.usage, usage);
    const startedAtMs = message.started_at_ms ?? epochNow() - durationMs;
    this.record({ type: 'model-call', index: this.state.modelCalls, response, startedAtMs, durationMs, inputMessageCount, ...(inputMessages && { inputMessages }) });
  }

  /** Runs a requested tool and answers it; an unknown tool ends the run (it was not offered). */
  private async runTool(message: Extract<AgentMessage, { type: 'tool_call' }>): Promise<TurnOutcome | undefined> {
    const call = { id: message.id, name: message.name, arguments: message.arguments ?? {} };
    if (!this.toolMap.has(call.name)) {
      const offered = [...this.toolMap.keys()].join(', ');
      return this.stop('error', { kind: 'model', message: `external agent: it asked for the tool '${call.name}', which was not offered (offered: ${offered})` });
    }
    const outcome = await executeToolCall(call, this.toolMap, { ...this.input.toolContext, signal: this.input.signal });
    if (this.input.signal.aborted) throw this.input.signal.reason ?? new Error('aborted');
    const index = this.stepIndex;
    this.state.actionSteps = Math.max(this.state.actionSteps, index);
    this.record({ type: 'tool-call', index, call, output: outcome.output, isError: outcome.isError, startedAtMs: outcome.startedAtMs, durationMs: outcome.durationMs, resources: outcome.resources, source: 'native' });
    this.transcript.tool(call, outcome.output, outcome.isError);
    this.process.send({ type: 'tool_result', id: call.id, output: outcome.output, is_error: outcome.isError });
    return undefined;
  }

  private record(step: Step): void {
    this.state.steps.push(step);
    this.input.onStep?.(step);
  }
}
