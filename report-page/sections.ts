/** The report's sections above the task table: overview, success by group, failures, time, GPU, runs side by side, comparison. */
import type { ReportData, RunOverview } from '../src/report/report-data.js';
import * as charts from './charts.js';
import { cell, element, figure, kwh, milliseconds, note, number, percent, section, usd } from './dom.js';

type Row = [string, (run: RunOverview) => string | null];

const OVERVIEW_ROWS: Row[] = [
  ['model', (run) => run.model],
  ['provider', (run) => run.provider],
  ['agent type', (run) => run.agentType],
  ['dataset', (run) => run.dataset],
  ['dataset revision', (run) => run.datasetRevision],
  ['date', (run) => run.date],
  ['success rate (95% Wilson)', (run) => (run.successRate === null ? null : `${percent(run.successRate)} (${percent(run.successInterval![0])} to ${percent(run.successInterval![1])})`)],
  ['tasks', (run) => `${run.successes} of ${run.tasks - run.notScored} passed${run.notScored ? ` (${run.notScored} not scored)` : ''}`],
  ['errors by kind', (run) => Object.entries(run.errors).map(([kind, count]) => `${kind} ${count}`).join(', ') || 'none'],
  ['tokens', (run) => number(run.tokens)],
  ['cost', (run) => usd(run.costUsd)],
  ['energy', (run) => kwh(run.energyKWh)],
  ['CO2', (run) => (run.co2Grams === null ? null : `${run.co2Grams.toPrecision(3)} g`)],
  ['duration p50 / p95', (run) => (run.p50DurationMs === null ? null : `${milliseconds(run.p50DurationMs)} / ${milliseconds(run.p95DurationMs)}`)],
  ['cost per successful task', (run) => usd(run.costPerSuccess)],
  ['energy per successful task', (run) => kwh(run.energyPerSuccess)],
  ['traces', (run) => (run.hasTraces ? 'yes' : 'no')],
  ['files missing', (run) => run.missingFiles.join(', ') || 'none'],
];

/** Each scorer's pass rate per run: rows are scorers (in the order first seen), columns runs. */
function scorersTable(data: ReportData): HTMLElement {
  const names = [...new Set(data.runs.flatMap((run) => (run.scorers ?? []).map((scorer) => scorer.name)))];
  if (!names.length) return note('No per-scorer verdicts in these runs (SMOLTRACE\u2019s and older runs record only the smoltrace rule\u2019s success).');
  const head = element('tr', {}, element('th', {}, 'scorer: passed (95% Wilson)'), ...data.runs.map((run) => element('th', { title: run.source }, run.label)));
  const rows = names.map((name) =>
    element(
      'tr',
      { 'data-scorer': name },
      element('th', {}, name),
      ...data.runs.map((run) => {
        if (run.scorers === null) return element('td', { class: 'missing', title: 'this run records no per-scorer verdicts (SMOLTRACE, older agent-eval)' }, 'only the smoltrace rule');
        const rate = run.scorers.find((scorer) => scorer.name === name);
        if (!rate) return cell(null, 'this scorer did not run in this run');
        const mean = rate.meanValue === null ? '' : `; mean value ${rate.meanValue.toFixed(3)}`;
        const errors = rate.errors ? ` + ${rate.errors} error${rate.errors === 1 ? '' : 's'}` : '';
        const errorTitle = rate.errors ? `; ${rate.errors} task(s) where the scorer could not decide (no verdict, not counted)` : '';
        if (rate.rate === null || rate.low === null || rate.high === null) return element('td', { class: 'missing', title: `no verdict${errorTitle}` }, `no verdict${errors}`);
        return element('td', { title: `${rate.passed} of ${rate.scored} scored task(s) passed${mean}${errorTitle}` }, `${rate.passed}/${rate.scored} ${percent(rate.rate)} (${percent(rate.low)} to ${percent(rate.high)})${errors}`);
      }),
    ),
  );
  return element('table', { class: 'overview scorers' }, element('thead', {}, head), element('tbody', {}, ...rows));
}

export function overviewSection(data: ReportData): HTMLElement {
  const head = element('tr', {}, element('th', {}, ''), ...data.runs.map((run) => element('th', { title: run.source }, run.label)));
  const rows = OVERVIEW_ROWS.map(([name, read]) => element('tr', {}, element('th', {}, name), ...data.runs.map((run) => cell(read(run)))));
  return section(
    'overview',
    'Overview',
    element('table', { class: 'overview' }, element('thead', {}, head), element('tbody', {}, ...rows)),
    element('h3', {}, 'Scorers'),
    scorersTable(data),
    figure(charts.successChart(data), 'Success rate per run; the black line is the 95% Wilson interval.', 'No tasks.'),
  );
}

export function groupsSection(data: ReportData): HTMLElement {
  return section(
    'groups',
    'Success by group',
    ...data.groups.map((group) => element('div', { class: 'group' }, element('h3', {}, group.column), figure(charts.groupChart(data, group), `Success by ${group.column}: bars are rates, lines 95% Wilson intervals, labels passed/total.`, `No ${group.column} values.`))),
  );
}

/** Failure reasons with links that filter the task table. */
export function failuresSection(data: ReportData, showTasks: (run: number, reason: string) => void): HTMLElement {
  const lists = data.failures.map((failure) => {
    const items = failure.groups.map((group) => {
      const link = element('a', { href: '#tasks', class: 'failure-link', 'data-run': String(failure.run), 'data-reason': group.reason }, `${group.reason} (${group.count})`);
      link.addEventListener('click', () => showTasks(failure.run, group.reason));
      return element('li', {}, link);
    });
    return element('div', {}, element('h3', {}, data.runs[failure.run]!.label), items.length ? element('ul', {}, ...items) : note('No failed task.'));
  });
  return section('failures', 'Why tasks failed', figure(charts.failureChart(data), 'Failed tasks by reason (failure_reason; error kind for older runs).', 'No failed task.'), ...lists);
}

export function timeSection(data: ReportData): HTMLElement {
  const toolRows = data.tools.map((tool) =>
    element('tr', {}, element('td', {}, data.runs[tool.run]!.label), element('td', {}, tool.tool), cell(String(tool.calls)), cell(String(tool.errors)), cell(milliseconds(tool.p50Ms)), cell(milliseconds(tool.p95Ms)), cell(milliseconds(tool.cpuMsMean), 'CPU time not recorded for this tool'), cell(tool.maxRssKiB === null ? null : `${(tool.maxRssKiB / 1024).toFixed(1)} MiB`, 'RSS not recorded for this tool')),
  );
  const toolTable = toolRows.length
    ? element('table', {}, element('thead', {}, element('tr', {}, ...['run', 'tool', 'calls', 'errors', 'p50', 'p95', 'CPU (mean)', 'peak RSS'].map((name) => element('th', {}, name)))), element('tbody', {}, ...toolRows))
    : null;
  return section(
    'time',
    'Where the time goes',
    ...data.runs.flatMap((run, index) => [
      element('h3', {}, `Per task: ${run.label}`),
      figure(charts.timeSplitChart(data, index), run.hasTraces ? 'Model time and tool time from the spans; the rest of each task is harness overhead.' : 'Tool time from the tool calls; model time and harness overhead cannot be separated without spans (--enable-otel).', 'No durations recorded.'),
    ]),
    figure(charts.durationChart(data), 'Distribution of task durations.', 'No durations recorded.'),
    element('h3', {}, 'Tool latency and resources'),
    figure(charts.toolLatencyChart(data), 'Tool-call durations by tool (log scale).', 'No tool calls recorded.'),
    toolTable,
    element('h3', {}, 'GPU'),
    figure(charts.gpuChart(data, 'power'), 'GPU power draw over the run.', 'No GPU samples in these runs (GPU sampling was off or no GPU was found).'),
    figure(charts.gpuChart(data, 'utilization'), 'GPU utilisation over the run.', ''),
  );
}

export function runsSection(data: ReportData): HTMLElement | null {
  if (data.runs.length < 2) return null;
  const missing = (measure: 'costPerTask' | 'energyPerTask') => data.runs.filter((run) => run[measure] === null).map((run) => run.label);
  const notMeasured = (measure: 'costPerTask' | 'energyPerTask', what: string) => (missing(measure).length ? note(`${what} not measured for: ${missing(measure).join(', ')} (left out).`) : null);
  return section(
    'runs',
    'Runs side by side',
    figure(charts.matrixChart(data), 'Every task (rows) in every run (columns): green passed, red failed.', ''),
    element('h3', {}, 'Success against cost'),
    figure(charts.paretoChart(data, 'cost'), 'Runs on the Pareto front (no other run is both cheaper and more successful) are green and joined.', 'Cost is not known for these runs.'),
    notMeasured('costPerTask', 'Cost'),
    element('h3', {}, 'Success against energy'),
    figure(charts.paretoChart(data, 'energy'), 'Runs on the Pareto front of success and energy per task.', 'Energy was not measured for these runs (GPU sampling).'),
    notMeasured('energyPerTask', 'Energy'),
  );
}

export function comparisonSection(data: ReportData): HTMLElement | null {
  const comparison = data.comparison;
  if (!comparison) return null;
  const ci = comparison.difference_ci;
  const signed = (value: number | null, digits: number) => (value === null ? null : `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`);
  const rows: [string, string | null][] = [
    ['paired tasks', String(comparison.paired_tasks)],
    ['success (paired)', `${percent(comparison.base.paired_success_rate)} \u2192 ${percent(comparison.candidate.paired_success_rate)}`],
    ['difference (candidate \u2212 base)', comparison.difference === null ? null : `${signed(comparison.difference * 100, 1)} points${ci ? ` (95% CI ${signed(ci[0] * 100, 1)} to ${signed(ci[1] * 100, 1)})` : ''}`],
    ['McNemar exact p-value', comparison.mcnemar_p_value.toPrecision(4)],
    ['pass \u2192 fail', comparison.flip_details.pass_to_fail.map((flip) => `${flip.test_case_uid}${flip.candidate_failure_reason ? ` (${flip.candidate_failure_reason})` : ''}`).join(', ') || 'none'],
    ['fail \u2192 pass', comparison.flips.fail_to_pass.join(', ') || 'none'],
    ['tokens per task (median / total \u0394)', `${signed(comparison.deltas.tokens.median, 0) ?? '\u2014'} / ${signed(comparison.deltas.tokens.total, 0) ?? '\u2014'}`],
    ['cost (median / total \u0394, USD)', `${signed(comparison.deltas.cost_usd.median, 6) ?? '\u2014'} / ${signed(comparison.deltas.cost_usd.total, 6) ?? '\u2014'}`],
    ['duration (median / total \u0394, ms)', `${signed(comparison.deltas.duration_ms.median, 0) ?? '\u2014'} / ${signed(comparison.deltas.duration_ms.total, 0) ?? '\u2014'}`],
    ['energy (total \u0394, kWh)', signed(comparison.deltas.energy_kwh.total, 6)],
    ['only in base / only in candidate', `${comparison.only_in_base.length} / ${comparison.only_in_candidate.length} (left out)`],
    ['verdict', comparison.regression ? `regression: ${comparison.regression_reasons.join('; ')}` : 'no regression (alpha 0.05, max drop 2 points)'],
  ];
  return section(
    'comparison',
    `Comparison: ${data.runs[1]!.label} against ${data.runs[0]!.label}`,
    element('table', { class: 'overview' }, element('tbody', {}, ...rows.map(([name, value]) => element('tr', {}, element('th', {}, name), cell(value))))),
  );
}
