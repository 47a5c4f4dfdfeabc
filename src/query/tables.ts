/**
 * The tables `agent-eval query` offers, as rows: `results` (one per task and repeat, every column),
 * `tool_calls` (one per tool call), `spans` (one per span, when the run has traces) and `runs`
 * (leaderboard rows). Each row names its run (`run`, the label; `run_source`, the directory or dataset).
 */
import type { LoadedRun } from '../report/run-reader.js';

export type TableRows = Record<string, unknown>[];

export interface QueryTables {
  results: TableRows;
  tool_calls: TableRows;
  spans: TableRows;
  runs: TableRows;
}

/** Columns of an empty table, so queries over runs without tool calls or traces still run. */
export const EMPTY_TABLE_COLUMNS: Record<keyof QueryTables, string> = {
  results: 'run VARCHAR, run_source VARCHAR, test_case_uid VARCHAR, success BOOLEAN',
  tool_calls: 'run VARCHAR, run_source VARCHAR, test_case_uid VARCHAR, task_id VARCHAR, agent_type VARCHAR, repeat_index BIGINT, step BIGINT, name VARCHAR, is_error BOOLEAN, duration_ms DOUBLE',
  spans: 'run VARCHAR, run_source VARCHAR, test_case_uid VARCHAR, trace_id VARCHAR, span_id VARCHAR, parent_span_id VARCHAR, name VARCHAR, duration_ms DOUBLE',
  runs: 'run VARCHAR, run_source VARCHAR, model VARCHAR',
};

export function queryTables(runs: readonly LoadedRun[]): QueryTables {
  const tables: QueryTables = { results: [], tool_calls: [], spans: [], runs: [] };
  for (const run of runs) {
    const owner = { run: run.label, run_source: run.source };
    const model = run.metadata?.model ?? run.leaderboard?.model ?? run.tasks[0]?.row.model ?? null;
    tables.runs.push({
      ...owner,
      ...(run.leaderboard ?? { model, agent_type: run.metadata?.agent_type ?? null, total_tests: run.tasks.length, successful_tests: run.tasks.filter((task) => task.row.success === true).length, not_scored_tests: run.tasks.filter((task) => task.row.success === null).length }),
    });
    for (const task of run.tasks) {
      const row = task.row;
      tables.results.push({ ...owner, ...row, model: row.model ?? model, repeat_index: task.repeat });
      for (const [index, call] of (row.tool_calls ?? []).entries()) {
        tables.tool_calls.push({
          ...owner,
          test_case_uid: task.uid,
          task_id: row.task_id ?? null,
          agent_type: row.agent_type ?? null,
          repeat_index: task.repeat,
          call_index: index,
          ...call,
        });
      }
      for (const span of task.trace?.spans ?? []) {
        tables.spans.push({ ...owner, test_case_uid: task.uid, agent_type: row.agent_type ?? null, ...span });
      }
    }
  }
  return tables;
}

/**
 * Types of columns that may be null in every row of a run (no price known, no error): DuckDB would
 * infer JSON for them, so they are cast to what they hold when set.
 */
export const KNOWN_COLUMN_TYPES: Record<string, string> = {
  success: 'BOOLEAN',
  cost_usd: 'DOUBLE',
  error: 'VARCHAR',
  error_kind: 'VARCHAR',
  failure_reason: 'VARCHAR',
  failure_detail: 'VARCHAR',
  category: 'VARCHAR',
  response: 'VARCHAR',
  trace_id: 'VARCHAR',
  span_id: 'VARCHAR',
  parent_span_id: 'VARCHAR',
  output: 'VARCHAR',
  execution_time_ms: 'DOUBLE',
  duration_ms: 'DOUBLE',
  total_cost_usd: 'DOUBLE',
  avg_cost_per_test_usd: 'DOUBLE',
  co2_emissions_g: 'DOUBLE',
  energy_kwh: 'DOUBLE',
  power_cost_total_usd: 'DOUBLE',
  use_case: 'VARCHAR',
  team: 'VARCHAR',
  purpose: 'VARCHAR',
  suite_version: 'VARCHAR',
};
