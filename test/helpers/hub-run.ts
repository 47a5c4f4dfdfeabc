// A small run in the shapes src/sinks produces (results rows, trace documents, metrics.json,
// leaderboard_row.json), for the Hub publishing tests.
import type { HubRun } from '../../src/hub/publish.js';

const attr = (key: string, value: string | number) =>
  typeof value === 'string' ? { key, value: { stringValue: value } } : { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };

function gauge(name: string, points: [string, number][]) {
  return {
    name,
    description: name,
    unit: '',
    gauge: { dataPoints: points.map(([time, value]) => ({ attributes: [attr('gpu_id', '0'), attr('gpu_name', 'NVIDIA H100')], timeUnixNano: time, asInt: null, asDouble: value })) },
  };
}

function sum(name: string, points: [string, number][]) {
  return {
    name,
    description: name,
    unit: '',
    sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: points.map(([time, value]) => ({ attributes: [], timeUnixNano: time, asInt: null, asDouble: value })) },
  };
}

export const T1 = '1767323045000000000'; // 2026-01-02T03:04:05Z
export const T2 = '1767323055000000123';

export function gpuResourceMetrics(runId: string) {
  return [
    {
      resource: { attributes: [attr('service.name', 'agent-eval'), attr('run.id', runId)] },
      scopeMetrics: [
        {
          scope: { name: 'agent-eval.gpu', version: '0.1.0' },
          metrics: [
            gauge('gen_ai.gpu.utilization', [[T1, 40.5], [T2, 80]]),
            gauge('gen_ai.gpu.memory.used', [[T1, 1000], [T2, 2000.5]]),
            gauge('gen_ai.gpu.temperature', [[T2, 61]]),
            sum('gen_ai.co2.emissions', [[T1, 0], [T2, 0.25]]),
            sum('gen_ai.energy.consumed', [[T1, 0], [T2, 0.0005]]),
          ],
        },
      ],
    },
  ];
}

export function resultRow(runId: string, index: number): Record<string, unknown> {
  return {
    model: 'openai/gpt-4o-mini',
    evaluation_date: `2026-01-02T03:04:0${index}.000Z`,
    task_id: `task_${index}`,
    test_case_uid: `${runId}-${index}`,
    agent_type: 'tool',
    difficulty: 'easy',
    prompt: `What is ${index} + ${index}?`,
    success: index % 2 === 0,
    tool_called: true,
    correct_tool: true,
    final_answer_called: true,
    response_correct: index % 2 === 0,
    tools_used: index ? ['calculator'] : [],
    steps: 2,
    response: index === 1 ? null : `${2 * index}`,
    error: index === 1 ? 'timeout | after 30 s' : null,
    trace_id: `0x${'ab'.repeat(16)}`,
    span_id: `0x${'cd'.repeat(8)}`,
    run_id: runId,
    execution_time_ms: 1200 + index,
    total_tokens: 100 * index,
    cost_usd: index === 1 ? null : 0.001 * index,
    enhanced_trace_info: '{}',
    provider: 'openai',
    model_provider: 'openai',
    category: 'math',
    expected_tool: 'calculator',
    expected_tool_calls: index === 2 ? null : 1,
    error_kind: index === 1 ? 'timeout' : null,
    stop_reason: index === 1 ? 'timeout' : 'final-answer',
    model_calls: 2,
    input_tokens: 80 * index,
    output_tokens: 20 * index,
    cached_input_tokens: 0,
    reasoning_tokens: 0,
    tool_calls: index
      ? [{ step: 1, name: 'calculator', arguments: { expression: `${index}+${index}`, ...(index === 2 && { precision: 2 }) }, output: `${2 * index}`, is_error: false, duration_ms: 0.5 }]
      : [],
    messages: [
      { role: 'user', content: `What is ${index} + ${index}?` },
      { role: 'assistant', content: null, tool_calls: [{ id: `call_${index}`, type: 'function', function: { name: 'calculator', arguments: `{"expression":"${index}+${index}"}` } }] },
      { role: 'tool', tool_call_id: `call_${index}`, content: `${2 * index}` },
    ],
  };
}

export function traceDocument(runId: string, index: number): Record<string, unknown> {
  return {
    trace_id: `0x${String(index).repeat(32)}`,
    run_id: runId,
    root_span_id: `0x${'1'.repeat(16)}`,
    test_ids: [`task_${index}`],
    test_case_uids: [`${runId}-${index}`],
    agent_type: 'tool',
    spans: [
      {
        trace_id: `0x${String(index).repeat(32)}`,
        span_id: `0x${'1'.repeat(16)}`,
        parent_span_id: null,
        name: 'task',
        start_time: '1767323045000000001',
        end_time: '1767323046200500001',
        duration_ms: 1200.5,
        // attribute keys differ from task to task (and run to run): JSON text in the Parquet files
        attributes: { 'test.id': `task_${index}`, ...(index === 1 && { 'error.type': 'timeout' }) },
        events: [{ name: 'step', attributes: { step_index: 0 }, timestamp: '1767323045000000002' }],
        status: { code: index === 1 ? 'ERROR' : 'OK', description: index === 1 ? 'timeout' : null },
        kind: 'INTERNAL',
        resource: { attributes: { 'service.name': 'agent-eval', 'run.id': runId } },
      },
    ],
    total_tokens: 100 * index,
    total_duration_ms: 1200.5,
    total_cost_usd: null,
  };
}

/** A HubRun whose rows are arrays (the tests read them back to compare). */
export type SampleHubRun = HubRun & { results: Record<string, unknown>[]; traces: Record<string, unknown>[] };

export function sampleHubRun(options: { runId?: string; timestampCompact?: string; tests?: number; traces?: boolean; gpu?: boolean } = {}): SampleHubRun {
  const runId = options.runId ?? 'run-0001';
  const tests = options.tests ?? 3;
  const results = Array.from({ length: tests }, (_, index) => resultRow(runId, index));
  return {
    runId,
    timestampCompact: options.timestampCompact ?? '20260102_030405',
    model: 'openai/gpt-4o-mini',
    agentType: 'tool',
    datasetUsed: 'builtin',
    results,
    traces: options.traces === false ? [] : results.map((_, index) => traceDocument(runId, index)),
    metrics: {
      resourceMetrics: options.gpu === false ? [] : gpuResourceMetrics(runId),
      aggregates: [{ name: 'tests.successful', type: 'counter', data_points: [{ value: { value: 2 }, attributes: { total_tests: tests } }] }],
    },
    leaderboardRow: {
      run_id: runId,
      model: 'openai/gpt-4o-mini',
      agent_type: 'tool',
      provider: 'openai',
      timestamp: '2026-01-02T03:04:05.000Z',
      submitted_by: 'alice',
      use_case: 'swiggy-mcp-ordering',
      team: null,
      purpose: null,
      suite_version: null,
      results_dataset: 'local:/tmp/results.json',
      traces_dataset: 'local:/tmp/traces.json',
      metrics_dataset: 'local:/tmp/metrics.json',
      dataset_used: 'builtin',
      total_tests: tests,
      successful_tests: 2,
      failed_tests: tests - 2,
      success_rate: 66.67,
      avg_steps: 2,
      total_cost_usd: 0,
      co2_emissions_g: null,
      interrupted: false,
      notes: 'Evaluation on 2026-01-02; 3 tests',
      future_field: 'kept in extra_columns',
    },
  };
}

/**
 * A value with null object fields dropped and bigints as digit strings: what a run's JSON files and
 * their Parquet copies share (a struct field missing from a value reads back as null, and integer
 * nanoseconds past 2^53 read back as bigints).
 */
export function withoutNulls(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).flatMap(([key, item]) => (item === null || item === undefined ? [] : [[key, withoutNulls(item)]])));
  }
  return value;
}
