/**
 * What a conversation adds to its task's result: the dialogue columns and the simulated user's
 * tokens and cost (apart from the agent's), and in the trace the agent process's own spans and the
 * simulator's chat spans under a `simulate_user` span.
 */
import { randomBytes } from 'node:crypto';
import type { AgentRun, Step } from '../agents/types.js';
import type { ModelProvider } from '../models/types.js';
import type { TextRedactor } from '../secrets/redactor.js';
import type { SimulatorCall, UserSimulator } from '../simulated-user/simulator.js';
import { linkExternalSpans } from '../telemetry/external-spans.js';
import type { GenAiMetrics } from '../telemetry/genai-metrics.js';
import { GEN_AI, OPERATION } from '../telemetry/semconv.js';
import { hexId, type TraceDocument, type TraceSpan } from '../telemetry/trace-document.js';
import type { ConversationTaskResult } from './conversation-task.js';
import { sumKnown, type CallPricer } from './costs.js';
import type { TaskResult } from './types.js';

/** How to price a model call: an external agent's calls by the model each one reports (`openai/gpt-4o-mini` or a bare name). */
export function priceCallFor(provider: ModelProvider, step: Extract<Step, { type: 'model-call' }>) {
  if (provider.provider !== 'external') return { provider: provider.provider, model: provider.modelId, usage: step.response.usage };
  const model = step.response.model || provider.modelId;
  const slash = model.indexOf('/');
  return slash > 0 ? { provider: model.slice(0, slash), model: model.slice(slash + 1), usage: step.response.usage } : { provider: '', model, usage: step.response.usage };
}

/**
 * The model an external agent reported, recorded as the row's model when --model was not given: the
 * last model call's (an endpoint's reply `model`, a `model_call` report's `model`), else none.
 */
export function reportedModelOf(run: Pick<AgentRun, 'steps'>, external: { model: string | null } | undefined): string | undefined {
  if (!external || external.model !== null) return undefined;
  const models = run.steps.flatMap((step) => (step.type === 'model-call' && step.response.model && step.response.model !== 'external' ? [step.response.model] : []));
  return models.at(-1);
}

/** The simulated user's calls in the GenAI client metrics, marked `agent_eval.role: user_simulator`. */
export function recordSimulatorMetrics(metrics: GenAiMetrics, outcome: ConversationTaskResult | undefined): void {
  const simulator = outcome?.dialogue?.simulator;
  if (!simulator) return;
  const { provider, modelId } = simulator.model;
  for (const call of simulator.calls) metrics.record({ provider, requestModel: modelId, responseModel: call.response.model, usage: call.response.usage, durationMs: call.durationMs, role: 'user_simulator' });
}

const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
const newId = (bytes: number) => hexId(randomBytes(bytes).toString('hex'));

function simulatorSpans(document: TraceDocument, simulator: UserSimulator, costs: (number | null)[], redactor: TextRedactor, captureContent: boolean): TraceSpan[] {
  const root = document.spans.find((span) => span.span_id === document.root_span_id);
  const resource = root?.resource ?? { attributes: {} };
  const { provider, modelId } = simulator.model;
  const calls = simulator.calls;
  if (!calls.length) return [];
  const start = Math.min(...calls.map((call) => call.startedAtMs));
  const end = Math.max(...calls.map((call) => call.startedAtMs + call.durationMs));
  const parentId = newId(8);
  const span = (name: string, id: string, parent: string | null, from: number, to: number, attributes: Record<string, unknown>, kind: string): TraceSpan => ({
    trace_id: document.trace_id,
    span_id: id,
    parent_span_id: parent,
    name,
    start_time: nanos(from),
    end_time: nanos(to),
    duration_ms: to - from,
    attributes,
    events: [],
    status: { code: 'OK', description: null },
    kind,
    resource,
  });
  const chat = (call: SimulatorCall, index: number): TraceSpan => {
    const usage = call.response.usage;
    const attributes: Record<string, unknown> = {
      [GEN_AI.operationName]: OPERATION.chat,
      [GEN_AI.providerName]: provider,
      [GEN_AI.requestModel]: modelId,
      [GEN_AI.responseModel]: call.response.model,
      [GEN_AI.usageInputTokens]: usage.inputTokens,
      [GEN_AI.usageOutputTokens]: usage.outputTokens,
      'agent_eval.role': 'user_simulator',
    };
    if (costs[index] !== null && costs[index] !== undefined) attributes[GEN_AI.usageCost] = costs[index];
    if (captureContent) {
      attributes[GEN_AI.inputMessages] = redactor.text(JSON.stringify(call.messages.filter((message) => message.role !== 'system').map((message) => ({ role: message.role, content: message.content }))));
      attributes[GEN_AI.outputMessages] = redactor.text(JSON.stringify([{ role: 'assistant', content: call.response.message.content, tool_calls: call.response.message.toolCalls ?? [] }]));
    }
    return { ...span(`${OPERATION.chat} ${modelId}`, newId(8), parentId, call.startedAtMs, call.startedAtMs + call.durationMs, attributes, 'CLIENT'), total_tokens: usage.inputTokens + usage.outputTokens };
  };
  return [
    span('simulate_user', parentId, document.root_span_id, start, end, { 'agent_eval.role': 'user_simulator', [GEN_AI.agentName]: 'user_simulator', [GEN_AI.requestModel]: modelId }, 'INTERNAL'),
    ...calls.map(chat),
  ];
}

/**
 * Fills the dialogue columns and the trace's extra spans; `result.trace` is replaced when there is one.
 * Returns the spans added to the trace (the tracer sends them to the OTLP endpoint too).
 */
export function applyConversation(result: TaskResult, outcome: ConversationTaskResult | undefined, settings: { pricer?: CallPricer; redactor: TextRedactor; captureContent: boolean }): TraceSpan[] {
  if (!outcome) return [];
  const dialogue = outcome.dialogue;
  let simulatorCosts: (number | null)[] = [];
  if (dialogue) {
    const { simulator } = dialogue;
    const { provider, modelId } = simulator.model;
    simulatorCosts = simulator.calls.map((call) => (settings.pricer ? settings.pricer({ provider, model: modelId, usage: call.response.usage }) : null));
    Object.assign(result, {
      turns: dialogue.outcome.turns,
      user_turns: dialogue.outcome.userTurns,
      dialogue_stop_reason: dialogue.outcome.stopReason,
      turn_tool_calls: dialogue.toolCallsPerTurn,
      user_input_tokens: simulator.usage.inputTokens,
      user_output_tokens: simulator.usage.outputTokens,
      user_cost_usd: sumKnown(simulatorCosts),
    });
  }
  let trace = result.trace;
  if (!trace) return [];
  const before = trace.spans.length;
  if (outcome.spans) trace = linkExternalSpans(trace, outcome.spans.spans, outcome.spans.parentSpanIds, settings.redactor, outcome.spans.countTokens);
  if (dialogue) trace = { ...trace, spans: [...trace.spans, ...simulatorSpans(trace, dialogue.simulator, simulatorCosts, settings.redactor, settings.captureContent)] };
  result.trace = trace;
  return trace.spans.slice(before);
}
