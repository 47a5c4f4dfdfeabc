/**
 * An imported trajectory as a results.json row (our columns in our order, `success` null until scored)
 * and its spans as a traces.json document. A joined task row brings the expected tool, keywords and
 * answer, so `agent-eval score` can score the run like our own.
 */
import type { PriceBook } from '../telemetry/cost.js';
import type { Task } from '../tasks/schema.js';
import type { TraceSpan } from '../telemetry/trace-document.js';
import type { SourceSpan } from './spans.js';
import type { Trajectory } from './trajectory.js';

const FINAL_ANSWER_TOOLS = new Set(['final_answer', 'FinalAnswerTool']);

/** Our provider prefixes from gen_ai.provider.name values (for prices and model ids). */
const PROVIDERS: Record<string, string> = { mistral_ai: 'mistral', x_ai: 'xai', 'azure.ai.openai': 'azure', 'aws.bedrock': 'bedrock', 'gcp.gemini': 'gemini', 'gcp.vertex_ai': 'vertex_ai' };

export function providerName(name: string | null): string | null {
  return name ? (PROVIDERS[name] ?? name) : null;
}

/** The model most calls used, with its provider prefix (LiteLLM style) when it has none. */
export function modelOf(trajectory: Trajectory): string | null {
  const counts = new Map<string, number>();
  for (const call of trajectory.modelCalls) {
    if (!call.model) continue;
    const provider = providerName(call.provider);
    const id = provider && !call.model.includes('/') ? `${provider}/${call.model}` : call.model;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts.entries()].sort((left, right) => right[1] - left[1])[0]?.[0] ?? null;
}

/** Cost of the calls: recorded per call, else from the price table; null when any call's price is unknown. */
function costOf(trajectory: Trajectory, prices: PriceBook | null): number | null {
  if (!trajectory.modelCalls.length) return null;
  let total = 0;
  for (const call of trajectory.modelCalls) {
    if (call.costUsd !== null) {
      total += call.costUsd;
      continue;
    }
    if (!prices || !call.model || call.inputTokens === null || call.outputTokens === null) return null;
    const [prefix, ...rest] = call.model.split('/');
    const provider = providerName(call.provider) ?? (rest.length ? prefix! : 'unknown');
    const model = rest.length && !call.provider ? rest.join('/') : call.model;
    const usage = { inputTokens: call.inputTokens, outputTokens: call.outputTokens, cachedInputTokens: call.cachedInputTokens, reasoningTokens: call.reasoningTokens };
    const priced = prices.price({ provider, model, usage, when: new Date(Number(call.startNs / 1_000_000n)) });
    if (priced.costUsd === null) return null;
    total += priced.costUsd;
  }
  return Math.round(total * 1e9) / 1e9;
}

const hex = (id: string | null) => (id ? `0x${id}` : null);

export interface RowContext {
  runId: string;
  repeatIndex: number;
  task: Task | null;
  prices: PriceBook | null;
  format: string;
  source: string;
}

export function resultRowOf(trajectory: Trajectory, context: RowContext): Record<string, unknown> {
  const { task } = context;
  const calls = trajectory.modelCalls;
  const usageKnown = calls.length > 0 && calls.every((call) => call.inputTokens !== null && call.outputTokens !== null);
  const inputTokens = usageKnown ? calls.reduce((sum, call) => sum + call.inputTokens!, 0) : null;
  const outputTokens = usageKnown ? calls.reduce((sum, call) => sum + call.outputTokens!, 0) : null;
  const toolsUsed = trajectory.toolCalls.map((call) => call.name).filter((name) => !FINAL_ANSWER_TOOLS.has(name));
  const expectedTool = task?.expected_tool ?? null;
  const agentType = task && task.agent_type !== 'both' ? task.agent_type : trajectory.agentType;
  const costUsd = costOf(trajectory, context.prices);
  const finalAnswerCalled = trajectory.finalAnswer !== null;
  return {
    model: modelOf(trajectory),
    evaluation_date: new Date(Number(trajectory.startNs / 1_000_000n)).toISOString(),
    task_id: task?.id ?? trajectory.taskId,
    test_case_uid: trajectory.testCaseUid ?? `${agentType}:${task?.id ?? trajectory.taskId}`,
    agent_type: agentType,
    difficulty: task?.difficulty ?? trajectory.difficulty,
    prompt: task?.prompt ?? trajectory.prompt,
    success: null,
    tool_called: toolsUsed.length > 0,
    correct_tool: expectedTool === null ? null : toolsUsed.includes(expectedTool),
    final_answer_called: finalAnswerCalled,
    response_correct: null,
    tools_used: toolsUsed,
    steps: Math.max(calls.length, trajectory.messages.filter((message) => message.role === 'assistant').length),
    response: trajectory.finalAnswer,
    error: trajectory.error,
    trace_id: hex(trajectory.traceId),
    span_id: hex(trajectory.rootSpanId),
    run_id: context.runId,
    execution_time_ms: Math.round(trajectory.durationMs * 1000) / 1000,
    total_tokens: inputTokens === null ? null : inputTokens + outputTokens!,
    cost_usd: costUsd,
    enhanced_trace_info: '{}',
    provider: null,
    model_provider: providerName(calls.find((call) => call.provider)?.provider ?? null),
    category: task?.category ?? trajectory.category,
    expected_tool: expectedTool,
    expected_tool_calls: task?.expected_tool_calls ?? null,
    error_kind: trajectory.error ? 'model' : null,
    failure_reason: null,
    failure_detail: null,
    stop_reason: finalAnswerCalled ? 'final-answer' : (trajectory.stopReason ?? (trajectory.error ? 'error' : null)),
    // Per model call, in order: its finish reasons (comma-separated when several), null when not recorded.
    finish_reasons: calls.map((call) => (call.finishReasons.length ? call.finishReasons.join(',') : null)),
    model_calls: calls.length,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cached_input_tokens: usageKnown ? calls.reduce((sum, call) => sum + call.cachedInputTokens, 0) : null,
    reasoning_tokens: usageKnown ? calls.reduce((sum, call) => sum + call.reasoningTokens, 0) : null,
    tool_calls: trajectory.toolCalls,
    messages: trajectory.messages,
    repeat_index: context.repeatIndex,
    scores: {},
    // Imported runs: what scoring needs later, and where the row came from.
    expected_keywords: task?.expected_keywords ?? null,
    expected_answer: task?.expected_answer ?? null,
    task: task ?? null,
    tool_definitions: trajectory.toolDefinitions,
    source_format: context.format,
    source: context.source,
    ...trajectory.extra,
  };
}

function traceSpan(span: SourceSpan): TraceSpan {
  return {
    trace_id: `0x${span.traceId}`,
    span_id: `0x${span.spanId}`,
    parent_span_id: span.parentSpanId ? `0x${span.parentSpanId}` : null,
    name: span.name,
    start_time: span.startNs.toString(),
    end_time: span.endNs.toString(),
    duration_ms: Number(span.endNs - span.startNs) / 1e6,
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes, timestamp: event.timeNs.toString() })),
    status: span.status,
    kind: span.kind,
    resource: { attributes: span.resource },
  };
}

/** traces.json documents: one per trace id, its tasks' spans once each. */
export function traceDocumentsOf(trajectories: readonly Trajectory[], rows: readonly Record<string, unknown>[], runId: string): unknown[] {
  type Entry = { spans: Map<string, SourceSpan>; rows: Record<string, unknown>[]; first: Trajectory };
  const documents = new Map<string, Entry>();
  trajectories.forEach((trajectory, index) => {
    if (!trajectory.spans.length) return;
    const entry: Entry = documents.get(trajectory.traceId) ?? { spans: new Map(), rows: [], first: trajectory };
    for (const span of trajectory.spans) entry.spans.set(span.spanId, span);
    entry.rows.push(rows[index]!);
    documents.set(trajectory.traceId, entry);
  });
  return [...documents.entries()].map(([traceId, entry]) => {
    const spans = [...entry.spans.values()].map(traceSpan);
    const root = spans.find((span) => span.parent_span_id === null) ?? spans[0]!;
    const tokens = entry.rows.map((row) => row.total_tokens);
    const costs = entry.rows.map((row) => row.cost_usd);
    return {
      trace_id: `0x${traceId}`,
      run_id: runId,
      root_span_id: root.span_id,
      test_ids: [...new Set(entry.rows.map((row) => String(row.task_id)))],
      test_case_uids: [...new Set(entry.rows.map((row) => String(row.test_case_uid)))],
      agent_type: entry.first.agentType,
      spans,
      total_tokens: tokens.every((value) => typeof value === 'number') ? tokens.reduce((sum: number, value) => sum + (value as number), 0) : null,
      total_duration_ms: entry.first.durationMs,
      total_cost_usd: costs.every((value) => typeof value === 'number') ? costs.reduce((sum: number, value) => sum + (value as number), 0) : null,
    };
  });
}
