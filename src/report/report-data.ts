/**
 * Everything the report page shows, computed here (so the statistics are tested in Node) and embedded
 * in the page as one JSON document: per-run overview, success by group with Wilson intervals, failure
 * reasons, tool latency, GPU series, the Pareto fronts, the paired comparison of two runs, and every task.
 */
import { compareRuns, energyPerTask, type Comparison } from './comparison.js';
import { groupFailures, type FailureGroup } from './failure-groups.js';
import { paretoFront } from './pareto.js';
import type { GpuPoint, LoadedRun } from './run-reader.js';
import { knownSum, nearestRankPercentile, wilsonInterval } from './statistics.js';
import { StringTable, taskView, type TaskView } from './task-view.js';

export interface RunOverview {
  label: string;
  source: string;
  model: string | null;
  provider: string | null;
  agentType: string | null;
  dataset: string | null;
  datasetRevision: string | null;
  date: string | null;
  tasks: number;
  /** Tasks with success null (imported, not scored yet): left out of the rate. */
  notScored: number;
  successes: number;
  /** Over the scored tasks; null when none is scored. */
  successRate: number | null;
  successInterval: [number, number] | null;
  errors: Record<string, number>;
  tokens: number | null;
  costUsd: number | null;
  energyKWh: number | null;
  co2Grams: number | null;
  p50DurationMs: number | null;
  p95DurationMs: number | null;
  costPerSuccess: number | null;
  energyPerSuccess: number | null;
  costPerTask: number | null;
  energyPerTask: number | null;
  onCostFront: boolean;
  onEnergyFront: boolean;
  hasTraces: boolean;
  missingFiles: string[];
  /** Per scorer, in the order first seen; null when no row records `scores` (SMOLTRACE's rule only). */
  scorers: ScorerRate[] | null;
}

/** One scorer's verdicts over a run's tasks (those it scored): pass rate with its 95% Wilson interval. */
export interface ScorerRate {
  name: string;
  scored: number;
  passed: number;
  /** Tasks where it could not decide (a judge error, a failed sandbox): excluded from the rate. */
  errors: number;
  /** passed / scored; null when every task it ran on was an error. */
  rate: number | null;
  low: number | null;
  high: number | null;
  /** Mean of its values (0..1: a judge's normalised grade, a fraction of asserts), over those recorded. */
  meanValue: number | null;
}

export interface GroupRow {
  run: number;
  value: string;
  successes: number;
  total: number;
  rate: number;
  low: number;
  high: number;
}

export interface ToolLatency {
  run: number;
  tool: string;
  calls: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  /** Mean CPU time (user + system) and largest peak RSS, where recorded. */
  cpuMsMean: number | null;
  maxRssKiB: number | null;
  durations: number[];
}

export interface ReportData {
  title: string;
  generatedAt: string;
  runs: RunOverview[];
  groups: { column: string; rows: GroupRow[] }[];
  failures: { run: number; groups: FailureGroup[] }[];
  tools: ToolLatency[];
  gpu: (GpuPoint & { run: number })[];
  comparison: Comparison | null;
  strings: string[];
  tasks: TaskView[];
}

export interface ReportDataOptions {
  title: string;
  groupBy: readonly string[];
  now?: Date;
}

function overview(run: LoadedRun, views: readonly TaskView[]): Omit<RunOverview, 'onCostFront' | 'onEnergyFront'> {
  const successes = views.filter((view) => view.success === true).length;
  const scored = views.filter((view) => view.success !== null).length;
  const interval = wilsonInterval(successes, scored);
  const errors: Record<string, number> = {};
  for (const view of views) {
    // SMOLTRACE and older runs record an error without classifying it.
    const kind = view.errorKind ?? (view.error ? 'unclassified' : null);
    if (kind) errors[kind] = (errors[kind] ?? 0) + 1;
  }
  const durations = views.map((view) => view.durationMs).filter((value): value is number => value !== null);
  const board = run.leaderboard;
  const tokens = knownSum(views.map((view) => view.tokens)) ?? board?.total_tokens ?? null;
  const cost = views.length ? (knownSum(views.map((view) => view.cost)) ?? null) : null;
  const energy = board?.energy_kwh ?? null;
  const meta = run.metadata;
  const source = meta?.dataset_source;
  return {
    label: run.label,
    source: run.source,
    model: meta?.model ?? board?.model ?? run.tasks[0]?.row.model ?? null,
    provider: meta?.model_provider ?? meta?.provider ?? board?.provider ?? null,
    agentType: meta?.agent_type ?? board?.agent_type ?? null,
    dataset: source?.dataset ?? meta?.dataset_used ?? board?.dataset_used ?? null,
    datasetRevision: source?.sha ?? source?.revision ?? null,
    date: meta?.started_at ?? meta?.timestamp ?? board?.timestamp ?? run.tasks[0]?.row.evaluation_date ?? null,
    tasks: views.length,
    notScored: views.length - scored,
    successes,
    successRate: scored ? successes / scored : null,
    successInterval: interval ? [interval.low, interval.high] : null,
    errors,
    tokens,
    costUsd: cost,
    energyKWh: energy,
    co2Grams: board?.co2_emissions_g ?? null,
    p50DurationMs: nearestRankPercentile(durations, 50),
    p95DurationMs: nearestRankPercentile(durations, 95),
    costPerSuccess: cost !== null && successes ? cost / successes : null,
    energyPerSuccess: energy !== null && successes ? energy / successes : null,
    costPerTask: cost !== null && views.length ? cost / views.length : null,
    energyPerTask: energyPerTask(run),
    hasTraces: run.hasTraces,
    missingFiles: run.missingFiles,
    scorers: scorerRates(views),
  };
}

/** Each scorer's pass rate over the tasks it scored; null when no task records its scores. */
export function scorerRates(views: readonly TaskView[]): ScorerRate[] | null {
  if (!views.some((view) => view.scorers !== null)) return null;
  const counts = new Map<string, { scored: number; passed: number; errors: number; values: number[] }>();
  for (const view of views) {
    for (const score of view.scorers ?? []) {
      const entry = counts.get(score.name) ?? { scored: 0, passed: 0, errors: 0, values: [] };
      counts.set(score.name, entry);
      if (score.error !== null) {
        entry.errors++; // no verdict: neither a pass nor a failure, as in the leaderboard row
        continue;
      }
      entry.scored++;
      if (score.passed) entry.passed++;
      if (score.value !== null) entry.values.push(score.value);
    }
  }
  return [...counts].map(([name, entry]) => {
    const interval = wilsonInterval(entry.passed, entry.scored);
    const meanValue = entry.values.length ? entry.values.reduce((sum, value) => sum + value, 0) / entry.values.length : null;
    const rate = entry.scored ? entry.passed / entry.scored : null;
    return { name, scored: entry.scored, passed: entry.passed, errors: entry.errors, rate, low: interval?.low ?? null, high: interval?.high ?? null, meanValue };
  });
}

/** Success per value of a task column, per run, with Wilson intervals; "(none)" for a missing value. */
export function successByColumn(views: readonly TaskView[], read: (view: TaskView) => string | null): GroupRow[] {
  const cells = new Map<string, { run: number; value: string; successes: number; total: number }>();
  for (const view of views) {
    if (view.success === null) continue; // not scored: neither a pass nor a failure
    const value = read(view) ?? '(none)';
    const key = `${view.run}\u0000${value}`;
    const cell = cells.get(key) ?? { run: view.run, value, successes: 0, total: 0 };
    cell.total++;
    if (view.success) cell.successes++;
    cells.set(key, cell);
  }
  return [...cells.values()]
    .map((cell) => {
      const interval = wilsonInterval(cell.successes, cell.total)!;
      return { ...cell, rate: cell.successes / cell.total, low: interval.low, high: interval.high };
    })
    .sort((left, right) => left.run - right.run || left.value.localeCompare(right.value));
}

function toolLatency(views: readonly TaskView[]): ToolLatency[] {
  const tools = new Map<string, { run: number; tool: string; durations: number[]; errors: number; cpu: number[]; rss: number[] }>();
  for (const view of views) {
    for (const call of view.toolCalls) {
      const key = `${view.run}\u0000${call.name}`;
      const entry = tools.get(key) ?? { run: view.run, tool: call.name, durations: [], errors: 0, cpu: [], rss: [] };
      if (call.durationMs !== null) entry.durations.push(call.durationMs);
      if (call.isError) entry.errors++;
      if (call.cpuMs !== null) entry.cpu.push(call.cpuMs);
      if (call.maxRssKiB !== null) entry.rss.push(call.maxRssKiB);
      tools.set(key, entry);
    }
  }
  return [...tools.values()].map((entry) => ({
    run: entry.run,
    tool: entry.tool,
    calls: entry.durations.length,
    errors: entry.errors,
    p50Ms: nearestRankPercentile(entry.durations, 50),
    p95Ms: nearestRankPercentile(entry.durations, 95),
    cpuMsMean: entry.cpu.length ? entry.cpu.reduce((sum, value) => sum + value, 0) / entry.cpu.length : null,
    maxRssKiB: entry.rss.length ? Math.max(...entry.rss) : null,
    durations: entry.durations.map((value) => Math.round(value * 100) / 100),
  }));
}

export function buildReportData(runs: readonly LoadedRun[], options: ReportDataOptions): ReportData {
  const strings = new StringTable();
  const views = runs.flatMap((run, index) => run.tasks.map((task) => taskView(task, index, strings, options.groupBy)));
  const overviews = runs.map((run, index) => overview(run, views.filter((view) => view.run === index)));
  const costFront = new Set(paretoFront(overviews.map((run) => ({ id: run.label, cost: run.costPerTask, success: run.successRate ?? 0 }))));
  const energyFront = new Set(paretoFront(overviews.map((run) => ({ id: run.label, cost: run.energyPerTask, success: run.successRate ?? 0 }))));
  const columns: { column: string; read: (view: TaskView) => string | null }[] = [
    { column: 'category', read: (view) => view.category },
    { column: 'difficulty', read: (view) => view.difficulty },
    { column: 'agent_type', read: (view) => view.agentType },
    ...options.groupBy.map((column) => ({ column, read: (view: TaskView) => view.extra[column] ?? null })),
  ];
  return {
    title: options.title,
    generatedAt: (options.now ?? new Date()).toISOString(),
    runs: overviews.map((run) => ({ ...run, onCostFront: costFront.has(run.label), onEnergyFront: energyFront.has(run.label) })),
    groups: columns.map(({ column, read }) => ({ column, rows: successByColumn(views, read) })),
    failures: runs.map((_, index) => ({ run: index, groups: groupFailures(views.filter((view) => view.run === index).map((view) => ({ key: `${index}:${view.key}`, success: view.success, failureReason: view.failureReason }))) })),
    tools: toolLatency(views),
    gpu: runs.flatMap((run, index) => run.gpu.map((point) => ({ ...point, run: index }))),
    comparison: runs.length === 2 ? compareRuns(runs[0]!, runs[1]!, { alpha: 0.05, maxDrop: 0.02 }) : null,
    strings: strings.strings,
    tasks: views,
  };
}
