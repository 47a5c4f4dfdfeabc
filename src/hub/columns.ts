/**
 * Column types and one-line descriptions of the four Hub datasets. Every column of the results,
 * traces and leaderboard files is declared here, so every run's file has the same Arrow schema and
 * `datasets` can concatenate runs: lists and structs are typed (as `Dataset.from_list` would make
 * them for SMOLTRACE), while free-form values whose keys vary (tool arguments, span and event
 * attributes, resource attributes) are JSON text leaves inside them. Leaderboard keys not listed
 * here go into the JSON column `extra_columns`.
 */
import type { ParquetColumnType } from './parquet.js';

const list = (type: ParquetColumnType): ParquetColumnType => ({ list: type });
const struct = (fields: Record<string, ParquetColumnType>): ParquetColumnType => ({ struct: fields });

/** `tool_calls`: one entry per tool call; `arguments` is JSON text. */
export const TOOL_CALL_TYPE = list(
  struct({
    step: 'int64',
    name: 'string',
    arguments: 'json',
    output: 'string',
    is_error: 'boolean',
    duration_ms: 'double',
    resources: struct({ cpuUserMs: 'double', cpuSystemMs: 'double', maxRssKiB: 'int64', fsReadOps: 'int64', fsWriteOps: 'int64', exitCode: 'int64' }),
  }),
);

/** `messages`: the conversation in the OpenAI wire format; `function.arguments` is the wire format's JSON text. */
export const MESSAGE_TYPE = list(
  struct({
    role: 'string',
    content: 'string',
    tool_calls: list(struct({ id: 'string', type: 'string', function: struct({ name: 'string', arguments: 'string' }) })),
    tool_call_id: 'string',
  }),
);

/** `spans`: SMOLTRACE's span dict with integer nanosecond times; attribute maps are JSON text. */
export const SPAN_TYPE = list(
  struct({
    trace_id: 'string',
    span_id: 'string',
    parent_span_id: 'string',
    name: 'string',
    kind: 'string',
    start_time: 'int64',
    end_time: 'int64',
    duration_ms: 'double',
    attributes: 'json',
    events: list(struct({ name: 'string', attributes: 'json', timestamp: 'int64' })),
    status: struct({ code: 'string', description: 'string' }),
    resource: struct({ attributes: 'json' }),
    total_tokens: 'int64',
    tool_output: 'string',
  }),
);

/** Results columns in results.json order (spec 6.1, then agent-eval's). */
export const RESULTS_TYPES: Record<string, ParquetColumnType> = {
  model: 'string', evaluation_date: 'timestamp', task_id: 'string', test_case_uid: 'string', agent_type: 'string', difficulty: 'string',
  prompt: 'string', success: 'boolean', tool_called: 'boolean', correct_tool: 'boolean', final_answer_called: 'boolean',
  response_correct: 'boolean', tools_used: list('string'), steps: 'int64', response: 'string', error: 'string', trace_id: 'string',
  span_id: 'string', run_id: 'string', execution_time_ms: 'double', total_tokens: 'int64', cost_usd: 'double',
  enhanced_trace_info: 'string', provider: 'string', model_provider: 'string', category: 'string', expected_tool: 'string',
  expected_tool_calls: 'int64', error_kind: 'string', failure_reason: 'string', failure_detail: 'string', stop_reason: 'string', model_calls: 'int64', input_tokens: 'int64',
  output_tokens: 'int64', cached_input_tokens: 'int64', reasoning_tokens: 'int64', tool_calls: TOOL_CALL_TYPE, messages: MESSAGE_TYPE,
  repeat: 'int64', scores: 'json', judge_input_tokens: 'int64', judge_output_tokens: 'int64', judge_cost_usd: 'double',
  turns: 'int64', user_turns: 'int64', dialogue_stop_reason: 'string', turn_tool_calls: list('int64'), user_input_tokens: 'int64',
  user_output_tokens: 'int64', user_cost_usd: 'double', tools_offered: list('string'),
};

/** Traces columns in traces.json order (spec 6.2). */
export const TRACES_TYPES: Record<string, ParquetColumnType> = {
  trace_id: 'string', run_id: 'string', root_span_id: 'string', test_ids: list('string'), test_case_uids: list('string'),
  agent_type: 'string', spans: SPAN_TYPE, total_tokens: 'int64', total_duration_ms: 'double', total_cost_usd: 'double',
};

/** Leaderboard columns in leaderboard_row.json order (spec 6.5, then agent-eval's). */
export const LEADERBOARD_COLUMN_TYPES: Record<string, ParquetColumnType> = {
  run_id: 'string', model: 'string', agent_type: 'string', provider: 'string', timestamp: 'string', evaluation_date: 'timestamp', submitted_by: 'string',
  use_case: 'string', team: 'string', purpose: 'string', suite_version: 'string',
  results_dataset: 'string', traces_dataset: 'string', metrics_dataset: 'string', dataset_used: 'string',
  total_tests: 'int64', successful_tests: 'int64', failed_tests: 'int64', success_rate: 'double', avg_steps: 'double',
  avg_duration_ms: 'double', total_duration_ms: 'double', total_tokens: 'int64', avg_tokens_per_test: 'int64',
  total_cost_usd: 'double', avg_cost_per_test_usd: 'double', co2_emissions_g: 'double', power_cost_total_usd: 'double',
  gpu_utilization_avg: 'double', gpu_utilization_max: 'double', gpu_memory_avg_mib: 'double', gpu_memory_max_mib: 'double',
  gpu_temperature_avg: 'double', gpu_temperature_max: 'double', gpu_power_avg_w: 'double', notes: 'string',
  model_provider: 'string', model_id: 'string', model_args: 'string', planned_tests: 'int64', interrupted: 'boolean',
  total_input_tokens: 'int64', total_output_tokens: 'int64', error_counts: 'string', cost_per_successful_test_usd: 'double',
  p50_duration_ms: 'double', p95_duration_ms: 'double', energy_kwh: 'double', co2_per_successful_test_g: 'double',
  gpu_names: 'string', cpu_energy_kwh_estimate: 'double', cpu_co2_g_estimate: 'double', carbon_intensity_g_per_kwh: 'double',
  pue: 'double', agent_eval_version: 'string', scorer_pass_rates: 'json', judge_total_tokens: 'int64', judge_cost_usd: 'double',
  user_total_tokens: 'int64', user_cost_usd: 'double', repeats: 'int64', pass_at_1: 'double', pass_at_k: 'double', pass_hat_k: 'double', per_task_success_variance: 'double', extra_columns: 'json',
};

/** The four grouping columns: always strings (null when not given), never inferred. */
export const GROUPING_COLUMNS = ['use_case', 'team', 'purpose', 'suite_version'] as const;

export const DESCRIPTIONS: Record<string, string> = {
  // results
  model: 'Model id as given to the harness',
  evaluation_date: 'When the task started, UTC (leaderboard: when the run finished, UTC)',
  task_id: 'Task id from the task dataset',
  test_case_uid: 'Unique id of this task execution',
  agent_type: 'Agent that ran the task: tool or code (leaderboard: tool, code or both)',
  difficulty: 'easy, medium or hard',
  prompt: 'The task prompt',
  success: 'Whether the task passed',
  tool_called: 'Whether any tool was called',
  correct_tool: 'Whether the expected tool was called',
  final_answer_called: 'Whether the agent gave a final answer',
  response_correct: 'Whether the response contained the expected keywords',
  tools_used: 'Tool names called, in order',
  tools_offered: 'Names of the tools the agent was offered for this task (tasks may differ: bash only where scored by bash, read_file only with attached files); null in older runs',
  steps: 'Agent steps taken',
  response: 'Final answer text',
  error: 'Error message, if the task failed with one',
  trace_id: "Trace id (0x-prefixed hex), the same as the task's trace_id in the run's traces dataset; null when telemetry was off",
  span_id: 'Root span id of the task',
  run_id: 'Evaluation run id',
  execution_time_ms: 'Wall time of the task in milliseconds',
  total_tokens: 'Input + output tokens of the model calls',
  cost_usd: 'Cost in USD; null when the price is unknown',
  enhanced_trace_info: 'Trace summary (JSON text)',
  provider: 'Provider option of the run',
  model_provider: 'Provider the model was routed to',
  category: 'Task category',
  expected_tool: 'Tool the task expects',
  expected_tool_calls: 'Number of expected tool calls',
  error_kind: 'Kind of error that stopped the task: model, tool, infrastructure, timeout or sandbox; null when it failed on scoring or passed',
  failure_reason:
    "Why the task failed: infrastructure, timeout, sandbox, model_error, tool_error, max_steps, no_final_answer, no_tool_call, wrong_tool, tool_count or missing_keyword (the first that applies); when the task's first scorer is not smoltrace, after the errors: its own reason, wrong_answer, judge_rejected, judge_error, tests_failed, output_mismatch or scorer_error; null when it passed",
  failure_detail: 'One sentence naming the expected and the actual values; null when it passed',
  stop_reason: 'Why the agent stopped',
  model_calls: 'Number of model calls',
  input_tokens: 'Prompt tokens',
  output_tokens: 'Completion tokens',
  cached_input_tokens: 'Prompt tokens served from cache',
  reasoning_tokens: 'Reasoning tokens',
  tool_calls: 'Tool calls with step, name, arguments (JSON text), output, error flag and duration',
  messages: 'Conversation messages in the OpenAI chat format (tool call arguments as JSON text)',
  repeat: 'Rollout of the task, 0..K-1, with --repeats K; null without repeats',
  scores: 'Every scorer\'s verdict by name: {value 0..1, passed, explanation, error when the scorer could not decide (no verdict, left out of pass rates)} (JSON text); success is the first scorer\'s',
  judge_input_tokens: 'Prompt tokens of the LLM judge for this task (not in input_tokens); null without a judge',
  judge_output_tokens: 'Completion tokens of the LLM judge for this task; null without a judge',
  judge_cost_usd: 'Cost of the LLM judge in USD (results: for the task; leaderboard: for the run), not in cost_usd; null without a judge or when its price is unknown',
  turns: 'Dialogue tasks: agent replies; null for single-turn tasks',
  user_turns: 'Dialogue tasks: user messages sent to the agent (the opening included)',
  dialogue_stop_reason: 'Dialogue tasks: goal_met, user_stopped (the simulated user gave up), max_turns, agent_stopped (the agent\'s run ended on an error or timeout) or simulator_error',
  turn_tool_calls: 'Dialogue tasks: tool calls the agent made in each of its turns',
  user_input_tokens: 'Prompt tokens of the simulated user (not in input_tokens); null without a dialogue',
  user_output_tokens: 'Completion tokens of the simulated user; null without a dialogue',
  user_cost_usd: 'Cost of the simulated user in USD (results: for the task; leaderboard: for the run), not in cost_usd; null without a dialogue or when its price is unknown',
  // traces
  root_span_id: 'Span id of the root span',
  test_ids: 'Task ids in the trace',
  test_case_uids: 'Task execution ids in the trace',
  spans: 'Spans with status, events and integer nanosecond times; attribute maps as JSON text',
  total_duration_ms: 'Duration in milliseconds',
  total_cost_usd: 'Cost in USD; null when a price is unknown',
  // metrics
  service_name: 'OpenTelemetry service name',
  timestamp: 'Time (ISO 8601, UTC)',
  timestamp_unix_nano: 'Time in nanoseconds since the epoch (exact, as text)',
  co2_emissions_gco2e: 'Cumulative CO2 emissions in grams CO2e',
  power_cost_usd: 'Cumulative electricity cost in USD',
  gpu_utilization_percent: 'GPU utilization in %',
  gpu_memory_used_mib: 'GPU memory used in MiB',
  gpu_memory_total_mib: 'GPU memory total in MiB',
  gpu_temperature_celsius: 'GPU temperature in °C',
  gpu_power_watts: 'GPU power draw in W',
  gpu_id: 'GPU index',
  gpu_name: 'GPU model name',
  gen_ai_energy_consumed: 'Cumulative energy in kWh (PUE applied)',
  gen_ai_client_token_usage_count: 'Model calls in this gen_ai.client.token.usage point (one token type)',
  gen_ai_client_token_usage_sum: 'Tokens of that type over those calls',
  gen_ai_client_token_usage_min: 'Fewest tokens of that type in one call',
  gen_ai_client_token_usage_max: 'Most tokens of that type in one call',
  gen_ai_client_operation_duration_count: 'Model calls in this gen_ai.client.operation.duration point',
  gen_ai_client_operation_duration_sum: 'Total duration of those calls in seconds',
  gen_ai_client_operation_duration_min: 'Shortest call in seconds',
  gen_ai_client_operation_duration_max: 'Longest call in seconds',
  gen_ai_token_type: 'Token type of a token usage point: input or output',
  gen_ai_operation_name: 'GenAI operation of a client metrics point (chat)',
  gen_ai_provider_name: 'Provider of a client metrics point',
  gen_ai_request_model: 'Model requested in a client metrics point',
  gen_ai_response_model: 'Model that answered in a client metrics point',
  error_type: 'Error type of a client metrics point (failed calls only)',
  // leaderboard
  submitted_by: 'Hub user who pushed the run',
  use_case: 'Grouping: use case (kebab-case) or null',
  team: 'Grouping: team (kebab-case) or null',
  purpose: 'Grouping: selection, regression or monitoring, or null',
  suite_version: 'Grouping: task suite version or null',
  results_dataset: 'Hub dataset with the per-task results',
  traces_dataset: 'Hub dataset with the traces (null without telemetry)',
  metrics_dataset: 'Hub dataset with the GPU and energy metrics',
  dataset_used: 'Task dataset',
  total_tests: 'Tasks run',
  successful_tests: 'Tasks passed',
  failed_tests: 'Tasks failed',
  success_rate: 'Passed / run, in %',
  avg_steps: 'Mean agent steps per task',
  avg_duration_ms: 'Mean task wall time in ms',
  avg_tokens_per_test: 'Mean tokens per task (truncated)',
  avg_cost_per_test_usd: 'Mean cost per task in USD',
  co2_emissions_g: 'Measured CO2 in grams; null when not measured',
  power_cost_total_usd: 'Measured electricity cost in USD; null when not measured',
  gpu_utilization_avg: 'Mean GPU utilization in %',
  gpu_utilization_max: 'Max GPU utilization in %',
  gpu_memory_avg_mib: 'Mean GPU memory used in MiB',
  gpu_memory_max_mib: 'Max GPU memory used in MiB',
  gpu_temperature_avg: 'Mean GPU temperature in °C',
  gpu_temperature_max: 'Max GPU temperature in °C',
  gpu_power_avg_w: 'Mean GPU power in W',
  notes: 'Free text',
  model_id: 'Model id sent to the provider',
  model_args: 'Generation arguments (JSON text, secrets redacted)',
  planned_tests: 'Tasks selected for the run',
  interrupted: 'Whether the run was interrupted',
  total_input_tokens: 'Prompt tokens of the run',
  total_output_tokens: 'Completion tokens of the run',
  error_counts: 'Tasks per error_kind (JSON text); tasks that failed on scoring have no error kind',
  cost_per_successful_test_usd: 'Cost per passed task in USD',
  p50_duration_ms: 'Median task wall time in ms',
  p95_duration_ms: '95th percentile task wall time in ms',
  energy_kwh: 'Measured GPU energy in kWh',
  co2_per_successful_test_g: 'Measured CO2 per passed task in grams',
  gpu_names: 'GPU models used',
  cpu_energy_kwh_estimate: 'Estimated CPU energy in kWh',
  cpu_co2_g_estimate: 'Estimated CPU CO2 in grams',
  carbon_intensity_g_per_kwh: 'Carbon intensity used, gCO2e/kWh',
  pue: 'Power usage effectiveness applied',
  agent_eval_version: 'agent-eval version',
  scorer_pass_rates: 'Pass rate of each scorer, 0..1, by scorer name (JSON object)',
  judge_total_tokens: 'Tokens of the LLM judge (input + output), not in total_tokens; null without a judge',
  user_total_tokens: 'Tokens of the simulated user over the dialogues (input + output), not in total_tokens; null without dialogues',
  repeats: 'Rollouts per task (--repeats K); null without repeats',
  pass_at_1: 'Mean success over rollouts, 0..1; null without repeats',
  pass_at_k: 'pass@K, the unbiased estimator 1 - C(n-c, K) / C(n, K) averaged over tasks, 0..1 (pass_at_2 ... below K in extra_columns); null without repeats',
  pass_hat_k: 'pass^K: the chance that all K rollouts of a task succeed, averaged over tasks, 0..1; null without repeats',
  per_task_success_variance: 'Mean over tasks of p(1-p), p a task\'s success rate over its rollouts; null without repeats',
  extra_columns: 'Leaderboard fields without a column of their own (JSON object)',
};
