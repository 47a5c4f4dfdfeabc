import { describe, expect, it } from 'vitest';
import { cardRunMetadata } from '../../src/hub/cards.js';
import { flattenMetrics, METRICS_BASE_COLUMNS } from '../../src/hub/metrics-rows.js';
import { leaderboardFile, leaderboardRecord } from '../../src/hub/publish.js';

const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
const point = (time: string, value: number, gpu?: string) => ({
  attributes: gpu === undefined ? [] : [attr('gpu_id', gpu), attr('gpu_name', `GPU ${gpu}`)],
  timeUnixNano: time,
  asInt: Number.isInteger(value) ? String(value) : null,
  asDouble: Number.isInteger(value) ? null : value,
});

describe('flattenMetrics', () => {
  it('makes one row per timestamp and GPU, using every data point; totals join the first row', () => {
    const resourceMetrics = [
      {
        resource: { attributes: [attr('service.name', 'svc'), attr('run.id', 'r1')] },
        scopeMetrics: [
          {
            scope: { name: 's', version: '1' },
            metrics: [
              { name: 'gen_ai.gpu.utilization', gauge: { dataPoints: [point('2000000000', 10, '0'), point('2000000000', 20, '1'), point('1000000000', 5, '0')] } },
              { name: 'gen_ai.power.cost', sum: { dataPoints: [point('2000000000', 0.5)] } },
              { name: 'custom.thing', gauge: { dataPoints: [point('3000000000', 7)] } },
              {
                name: 'gen_ai.client.token.usage',
                histogram: { dataPoints: [{ attributes: [attr('gen_ai.token.type', 'input')], timeUnixNano: '3000000000', count: 2, sum: 30, min: 10, max: 20 }] },
              },
            ],
          },
        ],
      },
    ];
    const { rows, types } = flattenMetrics({ resourceMetrics }, { runId: 'fallback' });
    expect(rows.map((row) => [row.timestamp_unix_nano, row.gpu_id, row.gpu_utilization_percent, row.power_cost_usd])).toEqual([
      ['1000000000', '0', 5, null],
      ['2000000000', '0', 10, 0.5],
      ['2000000000', '1', 20, null],
      ['3000000000', null, null, null],
    ]);
    expect(rows[1]).toMatchObject({ run_id: 'r1', service_name: 'svc', timestamp: '1970-01-01T00:00:02.000Z', gpu_name: 'GPU 0' });
    expect(Object.keys(rows[0]!).slice(0, METRICS_BASE_COLUMNS.length)).toEqual(METRICS_BASE_COLUMNS);
    expect(rows[3]).toMatchObject({ gen_ai_token_type: 'input', gen_ai_client_token_usage_count: 2, gen_ai_client_token_usage_sum: 30, custom_thing: 7 });
    expect(types).toMatchObject({ custom_thing: 'double', gpu_utilization_percent: 'double', gen_ai_client_token_usage_max: 'double', timestamp_unix_nano: 'string' });
  });

  it('gives one placeholder row without metrics', () => {
    const { rows } = flattenMetrics({ resourceMetrics: [] }, { runId: 'r', now: new Date('2026-01-01T00:00:00Z') });
    expect(rows).toEqual([
      {
        run_id: 'r', service_name: 'agent-eval', timestamp: '2026-01-01T00:00:00.000Z', timestamp_unix_nano: '1767225600000000000',
        co2_emissions_gco2e: null, power_cost_usd: null, gpu_utilization_percent: null, gpu_memory_used_mib: null,
        gpu_memory_total_mib: null, gpu_temperature_celsius: null, gpu_power_watts: null, gpu_id: null, gpu_name: null,
      },
    ]);
  });
});

describe('leaderboard rows and card metadata', () => {
  it('keeps the fixed columns, sets the Hub repo ids and moves unknown keys to extra_columns', () => {
    const record = leaderboardRecord({ run_id: 'r', use_case: 'x', team: 3, purpose: undefined, novel: 1 }, { results: 'u/a', traces: null, metrics: 'u/c' });
    expect(record).toEqual({ run_id: 'r', use_case: 'x', team: '3', purpose: null, suite_version: null, evaluation_date: null, results_dataset: 'u/a', traces_dataset: null, metrics_dataset: 'u/c', extra_columns: { novel: 1 } });
    // evaluation_date: the row's timestamp, written as a UTC timestamp column
    expect(leaderboardRecord({ run_id: 'r', timestamp: '2026-01-02T03:04:05.000Z' }, { results: 'u/a', traces: null, metrics: 'u/c' }).evaluation_date).toBe('2026-01-02T03:04:05.000Z');
    expect(leaderboardFile('a/b c')).toBe('data/a_b_c.parquet');
  });

  it('reads telemetry from cardData, also as a tag or a PyYAML boolean', () => {
    expect(cardRunMetadata({ agent_eval: { kind: 'results', run_id: 'r', telemetry: 'off', traces_dataset: null } })).toEqual({ kind: 'results', runId: 'r', telemetry: 'off', tracesDataset: null });
    expect(cardRunMetadata({ agent_eval: { telemetry: false } })?.telemetry).toBe('off');
    expect(cardRunMetadata({ tags: ['telemetry-off'] })?.telemetry).toBe('off');
    expect(cardRunMetadata({ tags: ['x'] })).toBeNull();
    expect(cardRunMetadata(null)).toBeNull();
  });
});
