import { describe, expect, it } from 'vitest';
import { DESCRIPTIONS, RESULTS_TYPES } from '../../src/hub/columns.js';
import { parquetColumns, readParquet, writeParquet } from '../../src/hub/parquet.js';
import { flattenMetrics } from '../../src/hub/metrics-rows.js';
import { FAILURE_REASONS } from '../../src/scoring/failure.js';
import { GenAiMetrics } from '../../src/telemetry/genai-metrics.js';
import { telemetryResource } from '../../src/telemetry/resource.js';

describe('Hub card column descriptions', () => {
  it('name the error kinds as they are written and every failure reason', () => {
    for (const kind of ['model', 'tool', 'infrastructure', 'timeout', 'sandbox']) expect(DESCRIPTIONS.error_kind).toContain(kind);
    expect(DESCRIPTIONS.error_kind).not.toContain('model_error');
    for (const reason of FAILURE_REASONS) expect(DESCRIPTIONS.failure_reason).toContain(reason);
    expect(DESCRIPTIONS.failure_detail).toBeTruthy();
    expect(DESCRIPTIONS.trace_id).toMatch(/null when telemetry was off/);
  });

  it('describe every gen_ai_* column the GenAI client metrics put in the metrics dataset', async () => {
    const metrics = await GenAiMetrics.create(telemetryResource({ OTEL_SERVICE_NAME: 'cards' }, 'run-1'));
    metrics.record({ provider: 'openai', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024', usage: { inputTokens: 10, outputTokens: 5 }, durationMs: 120 });
    const { rows } = flattenMetrics({ resourceMetrics: await metrics.collect() }, { runId: 'run-1' });
    const columns = new Set(rows.flatMap((row) => Object.keys(row)));
    const genAi = [...columns].filter((column) => column.startsWith('gen_ai_'));
    expect(genAi).toContain('gen_ai_client_token_usage_sum');
    expect(genAi).toContain('gen_ai_client_operation_duration_max');
    for (const column of genAi) expect(DESCRIPTIONS[column], column).toBeTruthy();
    expect(rows.every((row) => row.service_name === 'cards')).toBe(true);
  });
});

describe('Hub results rows', () => {
  it('carry failure_reason and failure_detail as strings, null on passed rows', async () => {
    const failed = { task_id: 'a', success: false, error_kind: null, failure_reason: 'no_tool_call', failure_detail: 'expected get_weather, no tool was called' };
    const passed = { task_id: 'b', success: true, error_kind: null, failure_reason: null, failure_detail: null };
    const bytes = writeParquet([passed, passed], { types: RESULTS_TYPES, columns: Object.keys(RESULTS_TYPES) });
    expect(parquetColumns(bytes).filter((column) => column.name.startsWith('failure_'))).toEqual([
      { name: 'failure_reason', type: 'string' },
      { name: 'failure_detail', type: 'string' },
    ]);
    const rows = await readParquet(writeParquet([failed, passed], { types: RESULTS_TYPES, columns: Object.keys(RESULTS_TYPES) }));
    expect(rows.map((row) => [row.failure_reason, row.failure_detail])).toEqual([
      ['no_tool_call', 'expected get_weather, no tool was called'],
      [null, null],
    ]);
  });
});
