import type { RunResult } from '../eval/types.js';
import { sumKnown } from '../eval/costs.js';
import { roundHalfEven } from './numbers.js';
import { gpuResourceMetrics } from '../telemetry/gpu-metrics.js';

function histogram(values: readonly number[]) {
  const sum = values.reduce((total, value) => total + value, 0);
  return { sum, count: values.length, avg: values.length ? roundHalfEven(sum / values.length, 2) : 0 };
}

/**
 * metrics.json in SMOLTRACE's shape `{run_id, resourceMetrics, aggregates}`. resourceMetrics holds the
 * GPU time series and cumulative energy, CO2 and power cost (empty without GPU sampling, as for
 * SMOLTRACE's API-model runs); aggregates come from the results. CO2 is null unless measured:
 * SMOLTRACE guessed it from token counts.
 */
export function metricsDocument(run: RunResult) {
  const energy = run.energy;
  const resourceMetrics = energy.gpuAvailable
    ? gpuResourceMetrics(energy.samples, {
        runId: run.runId,
        serviceName: 'agent-eval',
        gramsPerKWh: energy.settings.intensity.gramsPerKWh,
        pricePerKWh: energy.settings.pricePerKWh,
        pue: energy.settings.pue,
      })
    : [];
  const results = run.results;
  const successful = results.filter((result) => result.success).length;
  const tokens = results.reduce((total, result) => total + result.total_tokens, 0);
  const cost = sumKnown(results.map((result) => result.cost_usd));
  return {
    run_id: run.runId,
    resourceMetrics: [...resourceMetrics, ...run.clientMetrics],
    aggregates: [
      {
        name: 'tests.successful',
        type: 'counter',
        data_points: [
          {
            value: { value: successful },
            attributes: {
              total_tests: results.length,
              success_rate: results.length ? roundHalfEven((successful / results.length) * 100, 2) : 0,
            },
          },
        ],
      },
      { name: 'tests.tool_calls', type: 'histogram', data_points: [{ value: histogram(results.map((result) => result.tools_used.length)), attributes: {} }] },
      { name: 'tests.steps', type: 'histogram', data_points: [{ value: histogram(results.map((result) => result.steps)), attributes: {} }] },
      { name: 'llm.token_count.total', type: 'sum', unit: 'tokens', data_points: [{ value: { value: tokens }, attributes: {} }] },
      { name: 'gen_ai.usage.cost.total', type: 'sum', unit: 'USD', data_points: [{ value: { value: cost === null ? null : roundHalfEven(cost, 6) }, attributes: {} }] },
      {
        name: 'gen_ai.co2.emissions',
        type: 'sum',
        unit: 'gCO2e',
        data_points: [{ value: { value: energy.measured ? roundHalfEven(energy.measured.co2Grams, 4) : null }, attributes: { measured: energy.measured !== null } }],
      },
    ],
  };
}
