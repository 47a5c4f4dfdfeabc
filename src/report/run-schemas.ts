/**
 * zod schemas for the files of a run directory, as agent-eval writes them (and SMOLTRACE before it, and
 * older agent-eval versions): every field the report reads is checked, every field is optional unless
 * even SMOLTRACE's rows have it, and other fields are kept (a Hub dataset's own columns, new columns).
 */
import { z } from 'zod';

const count = z.number().nullish();
const text = z.string().nullish();

export const toolCallSchema = z.looseObject({
  step: count,
  name: z.string(),
  arguments: z.unknown().optional(),
  output: text,
  is_error: z.boolean().nullish(),
  duration_ms: count,
  resources: z
    .looseObject({ cpuUserMs: count, cpuSystemMs: count, maxRssKiB: count, fsReadOps: count, fsWriteOps: count, exitCode: count })
    .nullish(),
});

/** One results.json row (or results.jsonl line, whose `test_id` is results.json's `task_id`). */
export const resultRowSchema = z.looseObject({
  model: text,
  evaluation_date: text,
  task_id: text,
  test_id: text,
  test_case_uid: text,
  repeat: count,
  repeat_index: count,
  agent_type: text,
  difficulty: text,
  category: text,
  prompt: text,
  // null: imported and not scored yet (agent-eval import): kept null, counted as "not scored", never as a failure.
  success: z.boolean().nullable(),
  tool_called: z.boolean().nullish(),
  correct_tool: z.boolean().nullish(),
  final_answer_called: z.boolean().nullish(),
  response_correct: z.boolean().nullish(),
  tools_used: z.array(z.string()).nullish(),
  tools_offered: z.array(z.string()).nullish(),
  steps: count,
  response: z.unknown().optional(),
  error: text,
  error_kind: text,
  failure_reason: text,
  failure_detail: text,
  stop_reason: text,
  trace_id: text,
  run_id: text,
  execution_time_ms: count,
  total_tokens: count,
  input_tokens: count,
  output_tokens: count,
  model_calls: count,
  cost_usd: count,
  tool_calls: z.array(toolCallSchema).nullish(),
  messages: z.array(z.unknown()).nullish(),
  // Every scorer's verdict by name; absent in SMOLTRACE's rows and older runs (only SMOLTRACE's rule).
  // A scorer that could not decide records `error` (no verdict: neither a pass nor a failure).
  scores: z.record(z.string(), z.looseObject({ value: count, passed: z.boolean(), explanation: text, error: text })).nullish(),
  trace: z.unknown().optional(),
});

export type ResultRowFile = z.infer<typeof resultRowSchema>;

export const spanSchema = z.looseObject({
  trace_id: text,
  span_id: text,
  parent_span_id: text,
  name: z.string(),
  // Integer nanoseconds: numbers in traces.json (past 2^53, so approximate), bigints from Hub Parquet files.
  start_time: z.union([z.number(), z.string(), z.bigint()]).nullish(),
  end_time: z.union([z.number(), z.string(), z.bigint()]).nullish(),
  duration_ms: count,
  attributes: z.record(z.string(), z.unknown()).nullish(),
  status: z.looseObject({ code: text, description: text }).nullish(),
});

export type SpanFile = z.infer<typeof spanSchema>;

export const traceSchema = z.looseObject({
  trace_id: z.string(),
  test_case_uids: z.array(z.string()).nullish(),
  test_ids: z.array(z.string()).nullish(),
  spans: z.array(spanSchema),
});

export const metadataSchema = z.looseObject({
  model: text,
  agent_type: text,
  dataset_used: text,
  timestamp: text,
  run_id: text,
  provider: text,
  model_provider: text,
  started_at: text,
  finished_at: text,
  agent_eval_version: text,
  status: text,
  dataset_source: z.looseObject({ dataset: text, split: text, revision: text, sha: text }).nullish(),
});

/** leaderboard_row.json: SMOLTRACE's keys and ours, every one optional (older files lack ours). */
export const leaderboardSchema = z.looseObject({
  run_id: text,
  model: text,
  agent_type: text,
  provider: text,
  timestamp: text,
  dataset_used: text,
  results_dataset: text,
  traces_dataset: text,
  metrics_dataset: text,
  total_tests: count,
  successful_tests: count,
  success_rate: count,
  total_tokens: count,
  total_cost_usd: count,
  co2_emissions_g: count,
  energy_kwh: count,
  gpu_power_avg_w: count,
  gpu_utilization_avg: count,
  p50_duration_ms: count,
  p95_duration_ms: count,
});

export type LeaderboardFile = z.infer<typeof leaderboardSchema>;

const otlpPoint = z.looseObject({ timeUnixNano: z.union([z.string(), z.number(), z.bigint()]).nullish(), asInt: z.union([z.string(), z.number(), z.bigint()]).nullish(), asDouble: count, attributes: z.array(z.looseObject({ key: z.string(), value: z.record(z.string(), z.unknown()) })).nullish() });
const otlpMetric = z.looseObject({ name: z.string(), unit: text, gauge: z.looseObject({ dataPoints: z.array(otlpPoint) }).nullish(), sum: z.looseObject({ dataPoints: z.array(otlpPoint) }).nullish() });

export const metricsSchema = z.looseObject({
  run_id: text,
  resourceMetrics: z.array(z.looseObject({ scopeMetrics: z.array(z.looseObject({ metrics: z.array(otlpMetric) })).nullish() })).nullish(),
});

export type MetricsFile = z.infer<typeof metricsSchema>;

/** The first problem zod found, in words: "row 3: field 'success': expected boolean, received string". */
export function describeIssue(error: z.ZodError, rowLabel = 'row'): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const [first, ...rest] = issue.path;
  const where = typeof first === 'number' ? `${rowLabel} ${first + 1}${rest.length ? `: field '${rest.join('.')}'` : ''}` : issue.path.length ? `field '${issue.path.join('.')}'` : 'the file';
  return `${where}: ${issue.message}`;
}
