/**
 * The end-of-run console table: one line per agent type (and all together when both ran) with tasks,
 * success and its 95% Wilson interval, errors by kind, tokens, cost and duration, then the failed
 * tasks (up to 10) with their reasons, then the report's path when one was written. The input is
 * aggregate counts (RunTotals' per-agent ResultCounts fit), never the results themselves.
 */
import { wilsonInterval } from './statistics.js';

export interface ConsoleTableRow {
  /** 'tool', 'code', 'all'. */
  label: string;
  total: number;
  successful: number;
  /** Tasks per error_kind. */
  errors: Record<string, number>;
  /** null: not measured (printed "unknown", never 0); absent: not counted for this row (printed blank). */
  tokens?: number | null;
  costUsd?: number | null;
  /** Sum of the tasks' wall times. */
  durationMs?: number | null;
}

export interface ConsoleFailedTask {
  test_case_uid: string;
  difficulty?: string | null;
  failure_reason: string | null;
  failure_detail: string | null;
  error_kind?: string | null;
  error?: string | null;
}

export interface ConsoleTableInput {
  rows: readonly ConsoleTableRow[];
  /** The first failed tasks (RunTotals keeps 10) and how many failed in all. */
  failed: readonly ConsoleFailedTask[];
  failedTotal: number;
  reportPath?: string;
  /** How many failed tasks to list; default 10. */
  limit?: number;
}

const HEADERS = ['agent', 'tasks', 'success (95% CI)', 'errors', 'tokens', 'cost', 'duration'];
const RIGHT_ALIGNED = new Set([1, 4, 5, 6]);

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function duration(ms: number | null | undefined): string {
  if (ms === undefined) return '';
  if (ms === null) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

function cells(row: ConsoleTableRow): string[] {
  const interval = wilsonInterval(row.successful, row.total);
  const success = row.total ? `${row.successful} ${percent(row.successful / row.total)} (${percent(interval!.low)}-${percent(interval!.high)})` : '0';
  const errors = Object.entries(row.errors).filter(([, count]) => count > 0).map(([kind, count]) => `${kind} ${count}`).join(', ') || 'none';
  return [
    row.label,
    String(row.total),
    success,
    errors,
    row.tokens === undefined ? '' : row.tokens === null ? 'unknown' : row.tokens.toLocaleString('en-US'),
    row.costUsd === undefined ? '' : row.costUsd === null ? 'unknown' : `$${row.costUsd.toFixed(4)}`,
    duration(row.durationMs),
  ];
}

/** `FAIL  tool:t12 (easy)  missing_keyword: expected ...` */
export function describeFailedTask(task: ConsoleFailedTask): string {
  const why = task.failure_reason ? `${task.failure_reason}: ${task.failure_detail ?? ''}` : `${task.error_kind ?? 'failed'}: ${task.error ?? ''}`;
  return `FAIL  ${task.test_case_uid}${task.difficulty ? ` (${task.difficulty})` : ''}  ${why.replace(/\s+/g, ' ').trim()}`;
}

export function formatConsoleTable(input: ConsoleTableInput): string[] {
  const table = [HEADERS, ...input.rows.map(cells)];
  const widths = HEADERS.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (RIGHT_ALIGNED.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  const lines = [line(table[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...table.slice(1).map(line)];
  const limit = input.limit ?? 10;
  const shown = input.failed.slice(0, limit);
  lines.push(...shown.map(describeFailedTask));
  if (input.failedTotal > shown.length) lines.push(`... and ${input.failedTotal - shown.length} more failed task(s): see failure_reason in results.json`);
  if (input.reportPath) lines.push(`[REPORT] ${input.reportPath}`);
  return lines;
}

/** Counts of some results, as RunTotals keeps them per agent type and for all. */
export interface AgentCounts {
  total: number;
  successful: number;
  errors: Record<string, number>;
}

/** The figures of a run that the table needs; `RunTotals` (src/eval/run-totals.ts) has this shape. */
export interface RunTotalsLike {
  all: AgentCounts;
  byAgentType: ReadonlyMap<string, AgentCounts>;
  totalTokens: number;
  costUsd: number | null;
  executionTimeMs: number;
  failed: number;
  firstFailed: readonly ConsoleFailedTask[];
}

/**
 * The table's input from a run's totals: one row per agent type, then "all" with the run's tokens, cost
 * and duration (kept for the whole run only); a run of one agent type is one row with everything.
 */
export function consoleTableFromTotals(totals: RunTotalsLike, reportPath?: string): ConsoleTableInput {
  const whole = { tokens: totals.totalTokens, costUsd: totals.costUsd, durationMs: totals.executionTimeMs };
  const types = [...totals.byAgentType.entries()];
  const rows: ConsoleTableRow[] =
    types.length === 1
      ? [{ label: types[0]![0], ...types[0]![1], ...whole }]
      : [...types.map(([label, counts]) => ({ label, total: counts.total, successful: counts.successful, errors: counts.errors })), { label: 'all', ...totals.all, ...whole }];
  return { rows, failed: totals.firstFailed, failedTotal: totals.failed, ...(reportPath !== undefined && { reportPath }) };
}
