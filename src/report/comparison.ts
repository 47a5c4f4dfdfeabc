/**
 * `agent-eval compare`: two runs paired by task (test_case_uid and repeat index), the difference of
 * their success rates with Newcombe's paired interval, the exact McNemar test on the tasks that
 * flipped, and the per-task deltas of tokens, cost and duration. The JSON shape is documented in the README.
 */
import type { LoadedRun, ReportTask } from './run-reader.js';
import { knownSum, mcnemarExactPValue, median, pairedDifferenceInterval } from './statistics.js';

export interface CompareOptions {
  /** Significance level for a regression (default 0.05). */
  alpha: number;
  /** A drop of the success rate larger than this (a fraction) is a regression whatever the p-value (default 0.02). */
  maxDrop: number;
}

export interface RunSide {
  run_dir: string;
  model: string | null;
  /** Over the run's scored tasks, a fraction 0..1 (null when none is scored). */
  success_rate: number | null;
  /** Tasks whose success is null (imported, not scored yet). */
  not_scored: number;
  tasks: number;
  /** Over the paired tasks only. */
  paired_success_rate: number | null;
}

export interface Flip {
  test_case_uid: string;
  repeat: number;
  base_failure_reason: string | null;
  candidate_failure_reason: string | null;
}

export interface Delta {
  /** Median over paired tasks of candidate minus base (null when no pair has both values). */
  median: number | null;
  /** Candidate's total minus base's, over the paired tasks (null when any value is unknown). */
  total: number | null;
}

export interface Comparison {
  base: RunSide;
  candidate: RunSide;
  paired_tasks: number;
  /** Candidate minus base, paired success rates, a fraction. */
  difference: number | null;
  difference_ci: [number, number] | null;
  /** Exact two-sided McNemar p-value on the discordant pairs, not rounded. */
  mcnemar_p_value: number;
  flips: { pass_to_fail: string[]; fail_to_pass: string[] };
  flip_details: { pass_to_fail: Flip[]; fail_to_pass: Flip[] };
  only_in_base: string[];
  only_in_candidate: string[];
  deltas: {
    tokens: Delta;
    cost_usd: Delta;
    duration_ms: Delta;
    /** Energy is measured per run, not per task: median is null, total is the difference of the runs' energy per task times the paired tasks. */
    energy_kwh: Delta;
  };
  alpha: number;
  max_drop: number;
  regression: boolean;
  /** Why it is a regression, in words (empty when not). */
  regression_reasons: string[];
}

/** The pass rate over the scored tasks (success null: not scored, left out); null when none is scored. */
function rate(tasks: readonly ReportTask[]): number | null {
  const scored = tasks.filter((task) => task.row.success !== null);
  return scored.length ? scored.filter((task) => task.row.success === true).length / scored.length : null;
}

const unscored = (tasks: readonly ReportTask[]) => tasks.filter((task) => task.row.success === null).length;

function side(run: LoadedRun, paired: readonly ReportTask[]): RunSide {
  return {
    run_dir: run.source,
    model: run.metadata?.model ?? run.leaderboard?.model ?? run.tasks[0]?.row.model ?? null,
    success_rate: rate(run.tasks),
    tasks: run.tasks.length,
    not_scored: unscored(run.tasks),
    paired_success_rate: rate(paired),
  };
}

function delta(pairs: readonly [ReportTask, ReportTask][], read: (task: ReportTask) => number | null | undefined): Delta {
  const differences: number[] = [];
  for (const [base, candidate] of pairs) {
    const before = read(base);
    const after = read(candidate);
    if (typeof before === 'number' && typeof after === 'number') differences.push(after - before);
  }
  const baseTotal = knownSum(pairs.map(([base]) => read(base)));
  const candidateTotal = knownSum(pairs.map(([, candidate]) => read(candidate)));
  return { median: median(differences), total: baseTotal === null || candidateTotal === null || !pairs.length ? null : candidateTotal - baseTotal };
}

/** Energy per task of a run, from its leaderboard row (kWh measured by the GPU sampler); null when not measured. */
export function energyPerTask(run: LoadedRun): number | null {
  const energy = run.leaderboard?.energy_kwh;
  return typeof energy === 'number' && run.tasks.length ? energy / run.tasks.length : null;
}

const flip = (base: ReportTask, candidate: ReportTask): Flip => ({
  test_case_uid: base.uid,
  repeat: base.repeat,
  base_failure_reason: base.row.failure_reason ?? base.row.error_kind ?? null,
  candidate_failure_reason: candidate.row.failure_reason ?? candidate.row.error_kind ?? null,
});

export function compareRuns(baseRun: LoadedRun, candidateRun: LoadedRun, options: CompareOptions): Comparison {
  const candidates = new Map(candidateRun.tasks.map((task) => [task.key, task]));
  const baseKeys = new Set(baseRun.tasks.map((task) => task.key));
  const pairs: [ReportTask, ReportTask][] = [];
  for (const task of baseRun.tasks) {
    const other = candidates.get(task.key);
    // A pair counts only when both sides are scored: an unscored task is neither a pass nor a failure.
    if (other && task.row.success !== null && other.row.success !== null) pairs.push([task, other]);
  }
  const passToFail = pairs.filter(([base, candidate]) => base.row.success && !candidate.row.success);
  const failToPass = pairs.filter(([base, candidate]) => !base.row.success && candidate.row.success);
  const both = pairs.filter(([base, candidate]) => base.row.success && candidate.row.success).length;
  const counts = { both, firstOnly: failToPass.length, secondOnly: passToFail.length, neither: pairs.length - both - passToFail.length - failToPass.length };
  const interval = pairedDifferenceInterval(counts);
  const difference = pairs.length ? (failToPass.length - passToFail.length) / pairs.length : null;
  const pValue = mcnemarExactPValue(passToFail.length, failToPass.length);
  const reasons: string[] = [];
  if (difference !== null && difference < 0 && pValue < options.alpha) reasons.push(`worse with p = ${formatP(pValue)} < alpha ${options.alpha}`);
  if (difference !== null && -difference > options.maxDrop) reasons.push(`success rate dropped by ${(-difference * 100).toFixed(1)} points, more than --max-drop ${(options.maxDrop * 100).toFixed(1)}`);
  const baseEnergy = energyPerTask(baseRun);
  const candidateEnergy = energyPerTask(candidateRun);
  const labelOf = (task: ReportTask) => (task.repeat ? `${task.uid}#${task.repeat}` : task.uid);
  return {
    base: side(baseRun, pairs.map(([base]) => base)),
    candidate: side(candidateRun, pairs.map(([, candidate]) => candidate)),
    paired_tasks: pairs.length,
    difference,
    difference_ci: interval ? [interval.low, interval.high] : null,
    mcnemar_p_value: pValue,
    flips: { pass_to_fail: passToFail.map(([base]) => labelOf(base)), fail_to_pass: failToPass.map(([base]) => labelOf(base)) },
    flip_details: { pass_to_fail: passToFail.map(([base, candidate]) => flip(base, candidate)), fail_to_pass: failToPass.map(([base, candidate]) => flip(base, candidate)) },
    only_in_base: baseRun.tasks.filter((task) => !candidates.has(task.key)).map(labelOf),
    only_in_candidate: candidateRun.tasks.filter((task) => !baseKeys.has(task.key)).map(labelOf),
    deltas: {
      tokens: delta(pairs, (task) => task.row.total_tokens),
      cost_usd: delta(pairs, (task) => task.row.cost_usd),
      duration_ms: delta(pairs, (task) => task.row.execution_time_ms),
      energy_kwh: { median: null, total: baseEnergy === null || candidateEnergy === null ? null : (candidateEnergy - baseEnergy) * pairs.length },
    },
    alpha: options.alpha,
    max_drop: options.maxDrop,
    regression: reasons.length > 0,
    regression_reasons: reasons,
  };
}

/** A p-value in words: 4 significant digits, or "< 1e-12". */
export function formatP(value: number): string {
  return value < 1e-12 ? '< 1e-12' : value >= 0.001 ? value.toFixed(4) : value.toExponential(2);
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const rateText = (side: RunSide) =>
  side.not_scored === side.tasks && side.tasks ? 'not scored' : `${percent(side.success_rate)}${side.not_scored ? ` (${side.not_scored} not scored)` : ''}`;
const signed = (value: number | null, digits: number, unit = '') => (value === null ? 'unknown' : `${value >= 0 ? '+' : ''}${value.toFixed(digits)}${unit}`);

/** The comparison as console lines. */
export function formatComparison(comparison: Comparison): string[] {
  const { base, candidate } = comparison;
  const ci = comparison.difference_ci;
  const lines = [
    `base:      ${base.run_dir} (${base.model ?? 'model unknown'}): ${rateText(base)} of ${base.tasks} task(s)`,
    `candidate: ${candidate.run_dir} (${candidate.model ?? 'model unknown'}): ${rateText(candidate)} of ${candidate.tasks} task(s)`,
    `paired tasks (scored in both): ${comparison.paired_tasks}; success ${percent(base.paired_success_rate)} -> ${percent(candidate.paired_success_rate)}`,
    `difference: ${comparison.difference === null ? 'n/a' : `${signed(comparison.difference * 100, 1)} points`}` +
      (ci ? ` (95% CI ${signed(ci[0] * 100, 1)} to ${signed(ci[1] * 100, 1)})` : ''),
    `McNemar exact p = ${formatP(comparison.mcnemar_p_value)} (${comparison.flips.pass_to_fail.length} pass->fail, ${comparison.flips.fail_to_pass.length} fail->pass)`,
  ];
  const flipLines = (title: string, flips: Flip[], reason: (flip: Flip) => string | null) => {
    if (!flips.length) return;
    lines.push(`${title} (${flips.length}):`);
    for (const item of flips) lines.push(`  ${item.test_case_uid}${item.repeat ? `#${item.repeat}` : ''}${reason(item) ? `  ${reason(item)}` : ''}`);
  };
  flipLines('pass -> fail', comparison.flip_details.pass_to_fail, (item) => item.candidate_failure_reason);
  flipLines('fail -> pass', comparison.flip_details.fail_to_pass, (item) => (item.base_failure_reason ? `was ${item.base_failure_reason}` : null));
  const { tokens, cost_usd: cost, duration_ms: duration, energy_kwh: energy } = comparison.deltas;
  lines.push(
    `tokens per task: median ${signed(tokens.median, 0)}, total ${signed(tokens.total, 0)}`,
    `cost per task:   median ${signed(cost.median, 6, ' USD')}, total ${signed(cost.total, 6, ' USD')}`,
    `duration:        median ${signed(duration.median, 0, ' ms')}, total ${signed(duration.total, 0, ' ms')}`,
    `energy:          total ${signed(energy.total, 6, ' kWh')} (measured per run, not per task)`,
  );
  if (comparison.only_in_base.length) lines.push(`only in base (left out): ${comparison.only_in_base.join(', ')}`);
  if (comparison.only_in_candidate.length) lines.push(`only in candidate (left out): ${comparison.only_in_candidate.join(', ')}`);
  lines.push(comparison.regression ? `REGRESSION: ${comparison.regression_reasons.join('; ')}` : 'no regression');
  return lines;
}
