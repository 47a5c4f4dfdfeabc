/**
 * Tasks held as conversations: an external agent's (one turn, or a dialogue) and any dialogue with the
 * simulated user. The agent's run comes back with the dialogue's figures and, for an agent process,
 * the spans it sent, which task-runner joins to the task's trace.
 */
import { join } from 'node:path';
import type { AgentConversation } from '../agents/conversation.js';
import { ToolAgentConversation } from '../agents/tool-conversation.js';
import type { ToolCallingAgentInput } from '../agents/tool-calling-agent.js';
import type { AgentRun, Step } from '../agents/types.js';
import { addUsage } from '../models/types.js';
import { runDialogue, type DialogueOutcome } from '../simulated-user/dialogue.js';
import type { UserSimulator } from '../simulated-user/simulator.js';
import type { Task } from '../tasks/schema.js';
import { modelCallsFromSpans, toolCallsFromSpans } from '../telemetry/external-spans.js';
import type { ReceivedSpan } from '../telemetry/otlp-wire.js';
import type { ExternalAgentSetup } from './external-agent-setup.js';

export interface DialogueSetup {
  /** A simulator for one task (the provider is shared by the run). */
  simulator(): Promise<UserSimulator>;
}

export interface ConversationTaskResult {
  run: AgentRun;
  dialogue?: { outcome: DialogueOutcome; simulator: UserSimulator; toolCallsPerTurn: number[] };
  /** An agent process's own spans, to join to the task's trace under the span it was given. */
  spans?: { spans: ReceivedSpan[]; parentSpanId: string; countTokens: boolean };
}

export interface ConversationTaskInput {
  task: Task;
  agent: Omit<ToolCallingAgentInput, 'prompt'>;
  external?: ExternalAgentSetup;
  dialogue?: DialogueSetup;
  timeoutSeconds: number;
  /** Where an agent process's stderr goes. */
  logPath?: string;
}

/** The agent process reported no model calls: its spans' model calls count instead (tokens and cost). */
function withSpanModelCalls(run: AgentRun, spans: readonly ReceivedSpan[]): AgentRun {
  const calls = modelCallsFromSpans(spans);
  if (run.modelCalls > 0 || !calls.length) return run;
  let usage = run.usage;
  const steps: Step[] = calls.map((call, position) => {
    const callUsage = { inputTokens: call.inputTokens, outputTokens: call.outputTokens, cachedInputTokens: 0, reasoningTokens: 0 };
    usage = addUsage(usage, callUsage);
    return {
      type: 'model-call',
      index: position + 1,
      response: { message: { role: 'assistant', content: '' }, usage: callUsage, finishReason: 'other', model: call.model, attempts: 1 },
      startedAtMs: call.startedAtMs,
      durationMs: call.durationMs,
      inputMessageCount: 0,
      fromSpans: true,
    };
  });
  return { ...run, steps: [...steps, ...run.steps], usage, modelCalls: calls.length };
}

/**
 * An endpoint agent (`--agent-url`) whose replies reported no tool calls: its execute_tool spans are its
 * tool calls (tool checks, tools_used), placed before its final answer.
 */
function withSpanToolCalls(run: AgentRun, spans: readonly ReceivedSpan[]): AgentRun {
  const reported = run.steps.some((step) => step.type === 'tool-call' && step.call.name !== 'final_answer');
  const calls = toolCallsFromSpans(spans);
  if (reported || !calls.length) return run;
  const steps: Step[] = calls.map((call) => ({
    type: 'tool-call',
    index: 1,
    call: { id: call.id, name: call.name, arguments: call.arguments },
    output: call.output,
    isError: call.isError,
    startedAtMs: call.startedAtMs,
    durationMs: call.durationMs,
    source: 'native',
    fromSpans: true,
  }));
  const firstAnswer = run.steps.findIndex((step) => step.type === 'tool-call' && step.call.name === 'final_answer');
  const at = firstAnswer < 0 ? run.steps.length : firstAnswer;
  return { ...run, steps: [...run.steps.slice(0, at), ...steps, ...run.steps.slice(at)] };
}

export async function runConversationTask(input: ConversationTaskInput): Promise<ConversationTaskResult> {
  const { task, agent } = input;
  let conversation: AgentConversation;
  let trace: { traceId: string; parentSpanId: string } | undefined;
  if (input.external) {
    const session = await input.external.agent.start({
      taskId: task.id,
      prompt: task.prompt,
      difficulty: task.difficulty,
      category: task.category,
      tools: agent.tools,
      maxSteps: agent.maxSteps,
      timeoutSeconds: input.timeoutSeconds,
      model: input.external.model,
      traceparent: null,
      signal: agent.signal,
      toolContext: agent.toolContext,
      ...(agent.onStep && { onStep: agent.onStep }),
      ...(input.logPath && { logPath: input.logPath }),
    });
    conversation = session.conversation;
    trace = session.trace;
  } else {
    conversation = new ToolAgentConversation(agent);
  }
  let dialogue: ConversationTaskResult['dialogue'];
  try {
    if (task.user && input.dialogue) {
      const simulator = await input.dialogue.simulator();
      const toolCallsPerTurn: number[] = [];
      const outcome = await runDialogue({
        user: task.user,
        prompt: task.prompt,
        simulator,
        signal: agent.signal,
        agentTurn: async (message) => {
          const before = toolCallCount(conversation);
          const turn = await conversation.turn(message);
          toolCallsPerTurn.push(toolCallCount(conversation) - before);
          return 'reply' in turn ? turn.reply : undefined;
        },
      });
      dialogue = { outcome, simulator, toolCallsPerTurn };
    } else {
      await conversation.turn(task.prompt);
    }
  } finally {
    await conversation.close();
  }
  let run = safeRun(conversation);
  if (dialogue?.outcome.simulatorError) run = { ...run, stopReason: 'error', error: { kind: 'infrastructure', message: dialogue.outcome.simulatorError } };
  if (!trace || !input.external) return { run, ...(dialogue && { dialogue }) };
  const spans = await input.external.takeSpans(trace.traceId);
  const countTokens = run.modelCalls === 0;
  run = withSpanModelCalls(run, spans);
  if (input.external.toolCallsFromSpans) run = withSpanToolCalls(run, spans);
  return { run, ...(dialogue && { dialogue }), spans: { spans, parentSpanId: trace.parentSpanId, countTokens } };
}

function toolCallCount(conversation: AgentConversation): number {
  const run = safeRun(conversation);
  return run.steps.filter((step) => step.type === 'tool-call' && step.call.name !== 'final_answer').length;
}

/** The conversation's run; one that never started (no turn) is an empty errored run. */
function safeRun(conversation: AgentConversation): AgentRun {
  try {
    return conversation.run();
  } catch {
    return { agentType: 'tool', steps: [], messages: [], usage: { inputTokens: 0, outputTokens: 0 }, modelCalls: 0, actionSteps: 0, stopReason: 'error', error: { kind: 'infrastructure', message: 'the agent never started' } };
  }
}

/** `<run dir>/agent_logs/<agent type>_<task id>[_<repeat>].log`, the task id made safe for a file name. */
export function agentLogPath(runDirectory: string, agentType: string, taskId: string, repeat?: number): string {
  const safe = taskId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
  return join(runDirectory, 'agent_logs', `${agentType}_${safe}${repeat !== undefined ? `_${repeat}` : ''}.log`);
}
