/**
 * Tasks held as conversations: an external agent's (one turn, or a dialogue) and any dialogue with the
 * simulated user. The agent's run comes back with the dialogue's figures and, for an agent process,
 * the spans it sent, which task-runner joins to the task's trace.
 */
import { join } from 'node:path';
import type { AgentConversation } from '../agents/conversation.js';
import type { ExternalSession } from '../agents/external/types.js';
import { ToolAgentConversation } from '../agents/tool-conversation.js';
import type { ToolCallingAgentInput } from '../agents/tool-calling-agent.js';
import { epochNow, type AgentRun } from '../agents/types.js';
import { runDialogue, type DialogueOutcome } from '../simulated-user/dialogue.js';
import type { UserSimulator } from '../simulated-user/simulator.js';
import type { Task } from '../tasks/schema.js';
import type { ReceivedSpan } from '../telemetry/otlp-wire.js';
import type { ExternalAgentSetup } from './external-agent-setup.js';
import { withSpanModelCalls, withSpanToolCalls, type TurnContext } from './span-calls.js';

export interface DialogueSetup {
  /** A simulator for one task (the provider is shared by the run). */
  simulator(): Promise<UserSimulator>;
}

export interface ConversationTaskResult {
  run: AgentRun;
  dialogue?: { outcome: DialogueOutcome; simulator: UserSimulator; toolCallsPerTurn: number[] };
  /** An external agent's own spans, to join to the task's trace under the span ids it was given. */
  spans?: { spans: ReceivedSpan[]; parentSpanIds: string[]; countTokens: boolean };
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

export async function runConversationTask(input: ConversationTaskInput): Promise<ConversationTaskResult> {
  const { task, agent } = input;
  let conversation: AgentConversation;
  let trace: ExternalSession['trace'];
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
  const turns: TurnContext[] = [];
  const timedTurn = async (message: string) => {
    const startedAtMs = epochNow();
    try {
      return await conversation.turn(message);
    } finally {
      turns.push({ startedAtMs, endedAtMs: epochNow() });
    }
  };
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
          const turn = await timedTurn(message);
          toolCallsPerTurn.push(toolCallCount(conversation) - before);
          return 'reply' in turn ? turn.reply : undefined;
        },
      });
      dialogue = { outcome, simulator, toolCallsPerTurn };
    } else {
      await timedTurn(task.prompt);
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
  const turnSpanIds = trace.turnSpanIds?.() ?? [];
  turnSpanIds.forEach((spanId, position) => {
    if (turns[position]) turns[position].parentSpanId = spanId;
  });
  const fromSpans = withSpanToolCalls(run, spans, turns);
  run = fromSpans.run;
  if (dialogue) dialogue = { ...dialogue, toolCallsPerTurn: dialogue.toolCallsPerTurn.map((count, position) => count + (fromSpans.perTurn[position] ?? 0)) };
  return { run, ...(dialogue && { dialogue }), spans: { spans, parentSpanIds: [trace.parentSpanId, ...turnSpanIds], countTokens } };
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
