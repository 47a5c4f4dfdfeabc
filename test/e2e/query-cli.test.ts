import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeReportRuns, type ReportRuns } from '../helpers/report-runs.js';

let runs: ReportRuns;

// DuckDB is an optional dependency (npm ci --omit=optional leaves it out): then query says how to add it.
const duckdb = await import('@duckdb/node-api').then(() => true, () => false);
if (!duckdb) console.warn('query tests skipped: @duckdb/node-api is not installed (optional dependency)');

beforeAll(async () => {
  if (duckdb) runs = await makeReportRuns();
}, 120_000);

const json = async (sql: string, ...sources: string[]) => {
  const result = await runCli(['query', sql, ...(sources.length ? sources : [runs.base, runs.candidate]), '--format', 'json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>[];
};

describe.skipIf(!duckdb)('agent-eval query (built CLI, DuckDB over run directories)', () => {
  it('answers success by model and category across runs', async () => {
    const rows = await json('select model, category, count(*) as tasks, sum(success::int) as passed from results group by all order by all');
    expect(rows).toEqual([
      { model: 'openai/base-model', category: 'math', tasks: 6, passed: 5 },
      { model: 'openai/base-model', category: 'weather', tasks: 6, passed: 6 },
      { model: 'openai/candidate-model', category: 'math', tasks: 6, passed: 2 },
      { model: 'openai/candidate-model', category: 'weather', tasks: 6, passed: 2 },
    ]);
  });

  it('has one row per tool call, spans for the traced run, and leaderboard rows', async () => {
    const calls = await json("select name, count(*) as calls from tool_calls where run like '%base-model%' group by name order by name");
    expect(calls).toEqual([
      { name: 'calculator', calls: 6 },
      { name: 'final_answer', calls: 12 },
      { name: 'get_weather', calls: 6 },
    ]);
    const slowest = await json('select test_case_uid, name, duration_ms from tool_calls order by duration_ms desc limit 10');
    expect(slowest).toHaveLength(10);
    expect(slowest[0]!.duration_ms).toBeGreaterThanOrEqual(slowest[9]!.duration_ms as number);
    const spans = await json("select count(*) as spans, count(distinct test_case_uid) as tasks from spans where name like 'chat %'");
    expect(spans).toEqual([{ spans: 24, tasks: 12 }]);
    const boards = await json('select model, total_tests, successful_tests from runs order by model');
    expect(boards).toEqual([
      { model: 'openai/base-model', total_tests: 12, successful_tests: 11 },
      { model: 'openai/candidate-model', total_tests: 12, successful_tests: 4 },
    ]);
  });

  it('keeps nested columns as real lists and structs, and integers as JSON numbers', async () => {
    const rows = await json("select tools_used, tool_calls[1].arguments as first_arguments, len(messages) as messages, 9007199254740993::bigint as big, 42::bigint as small, {'a': [1, 2]} as nested from results where test_case_uid = 'tool:t01' and run like '%base-model%'");
    expect(rows).toEqual([{ tools_used: ['get_weather'], first_arguments: expect.objectContaining({ location: 'Paris, France' }), messages: 6, big: '9007199254740993', small: 42, nested: { a: [1, 2] } }]);
    const perStep = await json('select agent_type, sum(total_tokens) / sum(steps) as tokens_per_step from results group by agent_type', runs.base);
    expect(perStep).toEqual([{ agent_type: 'tool', tokens_per_step: expect.any(Number) }]);
  });

  it('prints a table and CSV', async () => {
    const table = await runCli(['query', 'select category, count(*) as n from results group by 1 order by 1', runs.base]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').slice(0, 4)).toEqual(['category | n', '---------+--', 'math     | 6', 'weather  | 6']);
    const csv = await runCli(['query', "select 'a,b' as text, 1 as n", runs.base, '--format', 'csv']);
    expect(csv.stdout).toBe('text,n\n"a,b",1\n');
  });

  it('turns an SQL error into one line and exit 2', async () => {
    const result = await runCli(['query', 'select nope from results', runs.base]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^agent-eval: query: Binder Error: Referenced column "nope" not found/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
