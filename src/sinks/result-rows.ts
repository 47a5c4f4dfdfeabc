import type { RunResult, TaskResult } from '../eval/types.js';

/** SMOLTRACE's per-row trace summary, a JSON string ("{}" without a trace). */
function enhancedTraceInfo(result: TaskResult): string {
  const trace = result.trace;
  if (!trace) return '{}';
  return JSON.stringify({
    trace_id: trace.trace_id,
    root_span_id: trace.root_span_id,
    total_tokens: trace.total_tokens,
    duration_ms: trace.total_duration_ms,
    cost_usd: trace.total_cost_usd,
    span_count: trace.spans.length,
  });
}

/**
 * A results.json row: SMOLTRACE's columns in SMOLTRACE's order (spec 6.1), then ours.
 * `evaluation_date` is when the task ran, not when the file was written.
 */
export function resultRow(result: TaskResult, run: RunResult) {
  return {
    model: result.model ?? run.options.model,
    evaluation_date: result.started_at,
    task_id: result.test_id,
    test_case_uid: result.test_case_uid,
    agent_type: result.agent_type,
    difficulty: result.difficulty,
    prompt: result.prompt,
    success: result.success,
    tool_called: result.tool_called,
    correct_tool: result.correct_tool,
    final_answer_called: result.final_answer_called,
    response_correct: result.response_correct,
    tools_used: result.tools_used,
    steps: result.steps,
    response: result.response,
    error: result.error,
    trace_id: result.trace_id,
    span_id: result.span_id,
    run_id: result.run_id,
    execution_time_ms: result.execution_time_ms,
    total_tokens: result.total_tokens,
    cost_usd: result.cost_usd,
    enhanced_trace_info: enhancedTraceInfo(result),
    // agent-eval columns
    provider: run.options.provider,
    model_provider: run.modelProvider,
    category: result.category,
    expected_tool: result.expected_tool,
    expected_tool_calls: result.expected_tool_calls,
    error_kind: result.error_kind,
    // Journals written before these columns existed have neither.
    failure_reason: result.failure_reason ?? null,
    failure_detail: result.failure_detail ?? null,
    stop_reason: result.stop_reason,
    model_calls: result.model_calls,
    input_tokens: result.input_tokens,
    output_tokens: result.output_tokens,
    cached_input_tokens: result.cached_input_tokens,
    reasoning_tokens: result.reasoning_tokens,
    tool_calls: result.tool_calls,
    messages: result.messages,
    // Scoring columns (older journals have none: null).
    repeat: result.repeat ?? null,
    scores: result.scores ?? null,
    judge_input_tokens: result.judge_input_tokens ?? null,
    judge_output_tokens: result.judge_output_tokens ?? null,
    judge_cost_usd: result.judge_cost_usd ?? null,
    // Dialogue columns (null for single-turn tasks and older journals).
    turns: result.turns ?? null,
    user_turns: result.user_turns ?? null,
    dialogue_stop_reason: result.dialogue_stop_reason ?? null,
    turn_tool_calls: result.turn_tool_calls ?? null,
    user_input_tokens: result.user_input_tokens ?? null,
    user_output_tokens: result.user_output_tokens ?? null,
    user_cost_usd: result.user_cost_usd ?? null,
    // The task's own tool set (older journals: null, the run's offered_tools then stand for it).
    tools_offered: result.tools_offered ?? null,
  };
}

export type ResultRow = ReturnType<typeof resultRow>;
