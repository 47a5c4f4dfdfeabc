/**
 * An external agent's model and tool calls read from its own spans, for what its reports leave out:
 * model calls (tokens, cost) when it reported none, tool calls (tool checks, tools_used, the per-turn
 * counts of a dialogue) when it reported or asked for none.
 */
import type { AgentRun, Step } from '../agents/types.js';
import { addUsage } from '../models/types.js';
import { modelCallsFromSpans, toolCallsFromSpans, type SpanToolCall } from '../telemetry/external-spans.js';
import type { ReceivedSpan } from '../telemetry/otlp-wire.js';

/** One agent turn (one user message and the agent's reply): when it ran, and the span id its request carried when each turn has its own. */
export interface TurnContext {
  startedAtMs: number;
  endedAtMs: number;
  parentSpanId?: string;
}

/** The agent reported no model calls: its spans' model calls count instead (tokens and cost). */
export function withSpanModelCalls(run: AgentRun, spans: readonly ReceivedSpan[]): AgentRun {
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
 * The turn a span's tool call belongs to: the turn whose request carried the trace context it hangs
 * under, else the turn it started in, else the last turn started before it (the first when none).
 */
export function turnOfCall(call: Pick<SpanToolCall, 'contextSpanId' | 'startedAtMs'>, turns: readonly TurnContext[]): number {
  const byContext = turns.findIndex((turn) => turn.parentSpanId !== undefined && turn.parentSpanId === call.contextSpanId);
  if (byContext >= 0) return byContext;
  const within = turns.findIndex((turn) => call.startedAtMs >= turn.startedAtMs && call.startedAtMs <= turn.endedAtMs);
  if (within >= 0) return within;
  return Math.max(0, turns.findLastIndex((turn) => turn.startedAtMs <= call.startedAtMs));
}

/**
 * An agent whose own tools ran (its replies or requests named none): its execute_tool spans are its tool
 * calls, each placed in its turn, before that turn's final answer and with its step index. Returns the
 * run and how many calls each turn gained.
 */
export function withSpanToolCalls(run: AgentRun, spans: readonly ReceivedSpan[], turns: readonly TurnContext[]): { run: AgentRun; perTurn: number[] } {
  const perTurn = turns.map(() => 0);
  const reported = run.steps.some((step) => step.type === 'tool-call' && step.call.name !== 'final_answer');
  const calls = toolCallsFromSpans(spans);
  if (reported || !calls.length) return { run, perTurn };
  const answers = run.steps.flatMap((step, position) => (step.type === 'tool-call' && step.call.name === 'final_answer' ? [{ position, index: step.index }] : []));
  const lastIndex = run.steps.at(-1)?.index ?? 1;
  const byTurn = new Map<number, Step[]>();
  for (const call of calls) {
    const turn = turns.length ? turnOfCall(call, turns) : 0;
    if (turn < perTurn.length) perTurn[turn]!++;
    const step: Step = {
      type: 'tool-call',
      index: answers[turn]?.index ?? lastIndex,
      call: { id: call.id, name: call.name, arguments: call.arguments },
      output: call.output,
      isError: call.isError,
      startedAtMs: call.startedAtMs,
      durationMs: call.durationMs,
      source: 'native',
      fromSpans: true,
    };
    // A turn without a final answer (the agent stopped) keeps its calls at the end.
    const at = answers[turn]?.position ?? run.steps.length;
    byTurn.set(at, [...(byTurn.get(at) ?? []), step]);
  }
  const steps: Step[] = [];
  run.steps.forEach((step, position) => steps.push(...(byTurn.get(position) ?? []), step));
  steps.push(...(byTurn.get(run.steps.length) ?? []));
  return { run: { ...run, steps }, perTurn };
}
