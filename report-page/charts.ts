/** The report's charts, drawn with Observable Plot (SVG). Each returns null when there is nothing to draw. */
import * as Plot from '@observablehq/plot';
import type { ReportData } from '../src/report/report-data.js';
import type { TimelineEntry } from '../src/report/task-view.js';

const WIDTH = 760;
const label = (data: ReportData, run: number) => data.runs[run]?.label ?? String(run);
/** A left margin that fits the longest y label (about 6.5 px per character at the default font). */
const marginFor = (labels: Iterable<string>, least = 60) => Math.min(420, Math.max(least, ...[...labels].map((text) => 12 + text.length * 6.5)));

/** Success rate per run with its 95% Wilson interval. */
export function successChart(data: ReportData): Element | null {
  const rows = data.runs.filter((run) => run.successRate !== null).map((run) => ({ run: run.label, rate: run.successRate!, low: run.successInterval![0], high: run.successInterval![1] }));
  if (!rows.length) return null;
  return Plot.plot({
    width: WIDTH,
    marginLeft: marginFor(rows.map((row) => row.run)),
    height: 40 + rows.length * 32,
    x: { domain: [0, 100], percent: true, label: 'success rate (%)', grid: true },
    y: { label: null },
    marks: [Plot.barX(rows, { y: 'run', x: 'rate', fill: 'run' }), Plot.ruleY(rows, { y: 'run', x1: 'low', x2: 'high', stroke: 'black', strokeWidth: 2 }), Plot.tip(rows, Plot.pointerY({ y: 'run', x: 'rate' }))],
  });
}

/** Success by the values of one task column, per run, bars with interval rules. */
export function groupChart(data: ReportData, group: ReportData['groups'][number]): Element | null {
  if (!group.rows.length) return null;
  const rows = group.rows.map((row) => ({ ...row, runLabel: label(data, row.run) }));
  const values = new Set(rows.map((row) => row.value)).size;
  return Plot.plot({
    width: WIDTH,
    marginLeft: marginFor(rows.map((row) => row.value)),
    height: 40 + values * data.runs.length * 18,
    x: { domain: [0, 100], percent: true, label: 'success rate (%)', grid: true },
    y: { label: null },
    fy: { label: null, axis: data.runs.length > 1 ? 'right' : null },
    color: { legend: data.runs.length > 1 },
    marks: [
      Plot.barX(rows, { y: 'value', x: 'rate', fy: 'runLabel', fill: 'runLabel' }),
      Plot.ruleY(rows, { y: 'value', x1: 'low', x2: 'high', fy: 'runLabel', stroke: 'black' }),
      Plot.text(rows, { y: 'value', x: 'high', fy: 'runLabel', text: (row: { successes: number; total: number }) => `${row.successes}/${row.total}`, textAnchor: 'start', dx: 4 }),
    ],
  });
}

/** Failed tasks by reason, per run. */
export function failureChart(data: ReportData): Element | null {
  const rows = data.failures.flatMap((failure) => failure.groups.map((group) => ({ run: label(data, failure.run), reason: group.reason, count: group.count })));
  if (!rows.length) return null;
  return Plot.plot({
    width: WIDTH,
    marginLeft: 160,
    height: 40 + new Set(rows.map((row) => row.reason)).size * 24 * Math.max(1, data.runs.length / 2),
    x: { label: 'failed tasks', grid: true },
    y: { label: null },
    color: { legend: data.runs.length > 1 },
    marks: [Plot.barX(rows, Plot.stackX({ y: 'reason', x: 'count', fill: 'run' })), Plot.ruleX([0])],
  });
}

/** One run's tasks: model time, tool time and harness overhead (from spans), or tools vs the rest (no spans). */
export function timeSplitChart(data: ReportData, run: number): Element | null {
  const rows = data.tasks
    .filter((task) => task.run === run)
    .flatMap((task, index) => {
      const parts: { part: string; ms: number | null }[] =
        task.modelMs !== null
          ? [{ part: 'model', ms: task.modelMs }, { part: 'tools', ms: task.toolMs }, { part: 'harness overhead', ms: task.overheadMs }]
          : task.toolMs === null
            ? [{ part: 'whole task (no breakdown recorded)', ms: task.durationMs }]
            : [{ part: 'tools', ms: task.toolMs }, { part: 'model + harness (no spans to separate them)', ms: task.durationMs === null ? null : Math.max(0, task.durationMs - task.toolMs) }];
      return parts.filter((part) => part.ms !== null).map((part) => ({ index, task: task.uid, part: part.part, ms: part.ms! }));
    });
  if (!rows.length) return null;
  return Plot.plot({
    width: WIDTH,
    height: 220,
    x: { label: 'tasks in run order', ticks: [] },
    y: { label: 'ms', grid: true },
    color: { legend: true, domain: ['model', 'tools', 'harness overhead', 'model + harness (no spans to separate them)', 'whole task (no breakdown recorded)'].filter((part) => rows.some((row) => row.part === part)) },
    marks: [Plot.rectY(rows, Plot.stackY({ x: 'index', interval: 1, y: 'ms', fill: 'part', title: (row: { task: string; part: string; ms: number }) => `${row.task}: ${row.part} ${row.ms.toFixed(1)} ms` }))],
  });
}

/** How long tasks took, per run. */
export function durationChart(data: ReportData): Element | null {
  const rows = data.tasks.filter((task) => task.durationMs !== null).map((task) => ({ run: label(data, task.run), seconds: task.durationMs! / 1000 }));
  if (!rows.length) return null;
  return Plot.plot({
    width: WIDTH,
    height: 240,
    x: { label: 'task duration (s)' },
    y: { label: 'tasks', grid: true },
    color: { legend: data.runs.length > 1 },
    marks: [Plot.rectY(rows, Plot.binX({ y: 'count' }, { x: 'seconds', fill: 'run', fillOpacity: 0.7 } as Parameters<typeof Plot.binX>[1])), Plot.ruleY([0])],
  });
}

/** Tool-call latency per tool (box plots). */
export function toolLatencyChart(data: ReportData): Element | null {
  const rows = data.tools.flatMap((tool) => tool.durations.map((ms) => ({ tool: data.runs.length > 1 ? `${tool.tool} (${label(data, tool.run)})` : tool.tool, ms })));
  if (!rows.length) return null;
  return Plot.plot({
    width: WIDTH,
    marginLeft: marginFor(rows.map((row) => row.tool)),
    height: 40 + new Set(rows.map((row) => row.tool)).size * 30,
    x: { label: 'tool call duration (ms)', grid: true, type: 'symlog' },
    y: { label: null },
    marks: [Plot.boxX(rows, { x: 'ms', y: 'tool' })],
  });
}

/** GPU power or utilisation over time, one line per run and GPU. */
export function gpuChart(data: ReportData, metric: 'power' | 'utilization'): Element | null {
  const points = data.gpu.filter((point) => point.metric === metric);
  if (!points.length) return null;
  const starts = new Map<number, number>();
  for (const point of points) starts.set(point.run, Math.min(starts.get(point.run) ?? Infinity, point.timeMs));
  const rows = points.map((point) => ({ series: `${label(data, point.run)} GPU ${point.gpu}`, seconds: (point.timeMs - starts.get(point.run)!) / 1000, value: point.value }));
  return Plot.plot({
    width: WIDTH,
    height: 220,
    x: { label: 'seconds since the first sample' },
    y: { label: metric === 'power' ? 'power (W)' : 'utilisation (%)', grid: true },
    color: { legend: true },
    marks: [Plot.lineY(rows, { x: 'seconds', y: 'value', stroke: 'series' }), Plot.dot(rows, { x: 'seconds', y: 'value', fill: 'series', r: 2 })],
  });
}

/** Tasks x runs: pass/fail cells. */
export function matrixChart(data: ReportData): Element | null {
  if (data.runs.length < 2) return null;
  const rows = data.tasks.map((task) => ({ run: label(data, task.run), task: task.key.endsWith('#0') ? task.uid : task.key, status: task.success === null ? 'not scored' : task.success ? 'pass' : 'fail' }));
  const tasks = new Set(rows.map((row) => row.task)).size;
  return Plot.plot({
    width: WIDTH,
    marginLeft: tasks > 80 ? 10 : 200,
    height: 60 + tasks * (tasks > 80 ? 4 : 16),
    x: { label: null, axis: 'top' },
    y: { label: null, axis: tasks > 80 ? null : 'left' },
    color: { domain: ['pass', 'fail'], range: ['#2e9d5b', '#d64545'], legend: true },
    marks: [Plot.cell(rows, { x: 'run', y: 'task', fill: 'status', title: (row: { task: string; status: string }) => `${row.task}: ${row.status}` })],
  });
}

/** Success rate against cost (or energy) per task, the runs on the Pareto front joined and marked. */
export function paretoChart(data: ReportData, measure: 'cost' | 'energy'): Element | null {
  const rows = data.runs
    .map((run) => ({ run: run.label, x: measure === 'cost' ? run.costPerTask : run.energyPerTask, y: run.successRate, front: measure === 'cost' ? run.onCostFront : run.onEnergyFront }))
    .filter((row): row is { run: string; x: number; y: number; front: boolean } => row.x !== null && row.y !== null);
  if (data.runs.length < 2 || !rows.length) return null;
  const front = rows.filter((row) => row.front).sort((left, right) => left.x - right.x);
  return Plot.plot({
    width: WIDTH,
    height: 300,
    x: { label: measure === 'cost' ? 'cost per task (USD)' : 'energy per task (kWh)', grid: true },
    y: { label: 'success rate (%)', percent: true, grid: true, domain: [0, 100] },
    marks: [
      Plot.line(front, { x: 'x', y: 'y', stroke: '#888', strokeDasharray: '4 3' }),
      Plot.dot(rows, { x: 'x', y: 'y', r: 6, fill: (row: { front: boolean }) => (row.front ? 'on the front' : 'dominated'), stroke: 'black' }),
      Plot.text(rows, { x: 'x', y: 'y', text: 'run', dy: -12 }),
    ],
    color: { domain: ['on the front', 'dominated'], range: ['#2e9d5b', '#bbb'], legend: true },
  });
}

/** One task's steps on a time axis (spans, or tool calls laid end to end). */
export function timelineChart(entries: readonly TimelineEntry[]): Element | null {
  if (!entries.length) return null;
  const rows = entries.map((entry, index) => ({ ...entry, row: `${String(index).padStart(3, '0')} ${'  '.repeat(entry.depth)}${entry.name}`, end: entry.startMs + Math.max(entry.durationMs, 0.5) }));
  return Plot.plot({
    width: WIDTH,
    marginLeft: 240,
    height: 40 + rows.length * 20,
    x: { label: 'ms since the task started', grid: true },
    y: { label: null, tickFormat: (value: string) => value.slice(4) },
    color: { domain: ['agent', 'model', 'tool'], range: ['#9aa5b1', '#4c78a8', '#f58518'], legend: true },
    marks: [Plot.barX(rows, { y: 'row', x1: 'startMs', x2: 'end', fill: 'kind', title: (row: TimelineEntry) => `${row.name}: ${row.durationMs.toFixed(1)} ms` })],
  });
}
