import { join } from 'node:path';
import type { RunResult } from '../eval/types.js';
import { roundHalfEven } from './numbers.js';
import { AGENT_EVAL_VERSION } from '../version.js';
import { summariseRepeats } from '../scoring/pass-at-k.js';

/** SMOLTRACE's kebab-case normalisation for free-text grouping fields. */
export function normaliseGroup(value: string | undefined): string | null {
  if (!value) return null;
  const normalised = value.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return normalised || null;
}

export interface LeaderboardLocations {
  results: string;
  traces: string | null;
  metrics: string;
}

/** The run directory's own files, as `agent-eval run` writes them (traces.json only with traces). */
export function runDirectoryLocations(run: RunResult): LeaderboardLocations {
  const path = (name: string) => join(run.runDirectory, name);
  const hasTraces = run.totals.withTraces > 0;
  return { results: path('results.json'), traces: hasTraces ? path('traces.json') : null, metrics: path('metrics.json') };
}

/**
 * leaderboard_row.json: SMOLTRACE's keys in SMOLTRACE's order (spec 6.5), then ours. Figures that
 * were not measured (cost without prices, energy without a GPU sampler) are null, never 0.
 */
export function leaderboardRow(run: RunResult, locations: LeaderboardLocations, submittedBy: string) {
  const totals = run.totals;
  const count = totals.count;
  const successful = totals.successful;
  const totalDuration = totals.executionTimeMs;
  const totalTokens = totals.totalTokens;
  const totalCost = totals.costUsd;
  const totalSteps = totals.all.steps;
  const average = (total: number, digits: number) => (count ? roundHalfEven(total / count, digits) : 0);
  const grouping = run.options.grouping ?? {};
  const { measured, stats, cpuEstimate } = run.energy;
  const errorCounts: Record<string, number> = { ...totals.all.errors };
  // A flaky provider is not a worse model: the rate over the tasks that reached a verdict.
  const infrastructureErrors = errorCounts.infrastructure ?? 0;
  const judged = count - infrastructureErrors;
  return {
    run_id: run.runId,
    model: run.reportedModel ?? run.options.model,
    agent_type: run.options.agentType,
    provider: run.options.provider,
    timestamp: run.finishedAt,
    submitted_by: submittedBy,
    use_case: normaliseGroup(grouping.useCase),
    team: normaliseGroup(grouping.team),
    purpose: grouping.purpose ?? null,
    suite_version: normaliseGroup(grouping.suiteVersion),
    results_dataset: `local:${locations.results}`,
    traces_dataset: locations.traces ? `local:${locations.traces}` : 'local:none',
    metrics_dataset: `local:${locations.metrics}`,
    dataset_used: run.options.datasetName,
    total_tests: count,
    successful_tests: successful,
    failed_tests: count - successful,
    success_rate: count ? roundHalfEven((successful / count) * 100, 2) : 0,
    avg_steps: average(totalSteps, 2),
    avg_duration_ms: average(totalDuration, 2),
    total_duration_ms: roundHalfEven(totalDuration, 2),
    total_tokens: totalTokens,
    avg_tokens_per_test: count ? Math.trunc(totalTokens / count) : 0,
    total_cost_usd: totalCost === null ? null : roundHalfEven(totalCost, 6),
    avg_cost_per_test_usd: totalCost === null ? null : count ? roundHalfEven(totalCost / count, 6) : 0,
    co2_emissions_g: measured ? roundHalfEven(measured.co2Grams, 4) : null,
    power_cost_total_usd: measured ? roundHalfEven(measured.powerCostUsd, 6) : null,
    gpu_utilization_avg: round2(stats?.utilizationAvg),
    gpu_utilization_max: round2(stats?.utilizationMax),
    gpu_memory_avg_mib: round2(stats?.memoryUsedAvgMiB),
    gpu_memory_max_mib: round2(stats?.memoryUsedMaxMiB),
    gpu_temperature_avg: round2(stats?.temperatureAvgC),
    gpu_temperature_max: round2(stats?.temperatureMaxC),
    gpu_power_avg_w: round2(stats?.powerAvgW),
    notes: `Evaluation on ${run.finishedAt.slice(0, 10)}; ${count} tests`,
    // agent-eval columns
    model_provider: run.modelProvider,
    model_id: run.modelId,
    model_args: JSON.stringify(run.options.modelArgs),
    planned_tests: run.plannedTasks,
    interrupted: run.interrupted,
    total_input_tokens: totals.inputTokens,
    total_output_tokens: totals.outputTokens,
    error_counts: JSON.stringify(errorCounts),
    infrastructure_errors: infrastructureErrors,
    success_rate_excluding_infrastructure: judged ? roundHalfEven((successful / judged) * 100, 2) : null,
    cost_per_successful_test_usd: totalCost === null || successful === 0 ? null : roundHalfEven(totalCost / successful, 6),
    p50_duration_ms: percentile(totals.executionTimes, 50),
    p95_duration_ms: percentile(totals.executionTimes, 95),
    energy_kwh: measured ? roundHalfEven(measured.energyKWh, 9) : null,
    co2_per_successful_test_g: measured && successful ? roundHalfEven(measured.co2Grams / successful, 6) : null,
    gpu_names: run.energy.gpuNames.length ? run.energy.gpuNames.join(', ') : null,
    cpu_energy_kwh_estimate: cpuEstimate ? roundHalfEven(cpuEstimate.energyKWh, 9) : null,
    cpu_co2_g_estimate: cpuEstimate ? roundHalfEven(cpuEstimate.co2Grams, 6) : null,
    carbon_intensity_g_per_kwh: run.energy.enabled ? run.energy.settings.intensity.gramsPerKWh : null,
    pue: run.energy.enabled ? run.energy.settings.pue : null,
    agent_eval_version: AGENT_EVAL_VERSION,
    ...scoringColumns(run),
  };
}

const fraction = (value: number | null | undefined) => (value === null || value === undefined ? null : roundHalfEven(value, 6));

/**
 * Scoring columns (issue 15): each scorer's pass rate (0..1), the judge's tokens and cost (apart from
 * the model's), and with --repeats K: pass@1..pass@K (unbiased estimator), pass^K and the mean
 * per-task success variance, as fractions 0..1 (success_rate stays a percentage, as in SMOLTRACE).
 */
function scoringColumns(run: RunResult) {
  const totals = run.totals;
  const rates = Object.fromEntries([...totals.scorers].map(([name, counts]) => [name, counts.scored ? roundHalfEven(counts.passed / counts.scored, 6) : null]));
  const repeats = run.options.repeats ?? 1;
  const summary = repeats > 1 ? summariseRepeats(totals.rollouts.values(), repeats) : undefined;
  const between: Record<string, number | null> = {};
  for (let k = 2; k < repeats; k++) between[`pass_at_${k}`] = fraction(summary?.passAt[k]);
  return {
    scorer_pass_rates: rates,
    judge_total_tokens: totals.judged ? totals.judgeInputTokens + totals.judgeOutputTokens : null,
    judge_cost_usd: totals.judged && totals.judgeCostUsd !== null ? roundHalfEven(totals.judgeCostUsd, 6) : null,
    // The simulated user's usage over the dialogues, apart from the agent's (null without dialogues).
    user_total_tokens: totals.dialogue.total ? totals.dialogue.userInputTokens + totals.dialogue.userOutputTokens : null,
    user_cost_usd: totals.dialogue.total && totals.dialogue.userCostUsd !== null ? roundHalfEven(totals.dialogue.userCostUsd, 6) : null,
    repeats: summary ? repeats : null,
    pass_at_1: fraction(summary?.passAt[1]),
    pass_at_k: fraction(summary?.passAt[repeats]),
    pass_hat_k: fraction(summary?.passHatK),
    per_task_success_variance: fraction(summary?.successVariance),
    ...between,
  };
}

function round2(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : roundHalfEven(value, 2);
}

/** Nearest-rank percentile, rounded to 2 decimals; null for no values. */
export function percentile(values: readonly number[], rank: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1));
  return roundHalfEven(sorted[index]!, 2);
}
