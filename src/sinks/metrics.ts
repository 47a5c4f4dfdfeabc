import type { RunResult } from '../eval/types.js';
import { roundHalfEven } from './numbers.js';
import { gpuResourceMetrics } from '../telemetry/gpu-metrics.js';

function histogram(sum: number, count: number) {
  return { sum, count, avg: count ? roundHalfEven(sum / count, 2) : 0 };
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
  const { all, count, successful, totalTokens: tokens, costUsd: cost, dialogue } = run.totals;
  // The simulated user's tokens and cost, apart from the agent's (only when dialogues ran).
  const simulator = { 'agent_eval.role': 'user_simulator' };
  const userAggregates = dialogue.total
    ? [
        { name: 'agent_eval.user_simulator.token_count.total', type: 'sum', unit: 'tokens', data_points: [{ value: { value: dialogue.userInputTokens + dialogue.userOutputTokens }, attributes: simulator }] },
        { name: 'agent_eval.user_simulator.cost.total', type: 'sum', unit: 'USD', data_points: [{ value: { value: dialogue.userCostUsd === null ? null : roundHalfEven(dialogue.userCostUsd, 6) }, attributes: simulator }] },
      ]
    : [];
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
              total_tests: count,
              success_rate: count ? roundHalfEven((successful / count) * 100, 2) : 0,
            },
          },
        ],
      },
      { name: 'tests.tool_calls', type: 'histogram', data_points: [{ value: histogram(all.toolsUsed, count), attributes: {} }] },
      { name: 'tests.steps', type: 'histogram', data_points: [{ value: histogram(all.steps, count), attributes: {} }] },
      { name: 'llm.token_count.total', type: 'sum', unit: 'tokens', data_points: [{ value: { value: tokens }, attributes: {} }] },
      { name: 'gen_ai.usage.cost.total', type: 'sum', unit: 'USD', data_points: [{ value: { value: cost === null ? null : roundHalfEven(cost, 6) }, attributes: {} }] },
      {
        name: 'gen_ai.co2.emissions',
        type: 'sum',
        unit: 'gCO2e',
        data_points: [{ value: { value: energy.measured ? roundHalfEven(energy.measured.co2Grams, 4) : null }, attributes: { measured: energy.measured !== null } }],
      },
      ...userAggregates,
    ],
  };
}
