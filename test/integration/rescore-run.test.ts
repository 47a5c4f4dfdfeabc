import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importTraces } from '../../src/import/import-run.js';
import { rescoreRun } from '../../src/rescore/rescore-run.js';
import { BUILTIN_TASKS_FILE } from '../../src/tasks/load.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/import/', import.meta.url));
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

describe('score (in-process)', () => {
  it("scores SMOLTRACE's own run directory with task rows from --tasks, with the runner's failure reasons", async () => {
    const output = join(await mkdtemp(join(tmpdir(), 'agent-eval-rescore-')), 'scored');
    const summary = await rescoreRun({ run: join(FIXTURES, 'smoltrace-run'), output, inPlace: false, force: false, tasksFile: BUILTIN_TASKS_FILE, env: {} });
    expect(summary).toMatchObject({ scored: 2, passed: 0, scorers: ['smoltrace'] });
    const rows = await readJson(join(output, 'results.json'));
    // The row keeps no tool calls, only tools_used: those stand in for the calls.
    expect(rows[0]).toMatchObject({ task_id: 'tool_weather_single', success: false, tool_called: true, correct_tool: true, failure_reason: 'missing_keyword' });
    expect(rows[0].failure_detail).toMatch(/"Partly Cloudy" in the answer, got "Sunny, 22C"/);
    expect(rows[1]).toMatchObject({ task_id: 'tool_time_single', success: false, failure_reason: 'model_error' });
    const leaderboard = await readJson(join(output, 'leaderboard_row.json'));
    expect(leaderboard).toMatchObject({ total_tests: 2, successful_tests: 0, success_rate: 0, scored_tests: 2 });
  });

  it('scores an imported run with a string scorer and keeps the joined task rows', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'agent-eval-rescore-'));
    const imported = join(parent, 'imported');
    await importTraces({ sources: [join(FIXTURES, 'openinference-spans.json')], format: 'auto', output: imported, force: false, tasksFile: join(FIXTURES, 'tasks.jsonl'), env: {} });
    const summary = await rescoreRun({ run: imported, scorers: ['includes'], output: join(parent, 'scored'), inPlace: false, force: false, env: {} });
    expect(summary).toMatchObject({ scored: 1, passed: 1, scorers: ['includes'] });
    const [row] = await readJson(join(parent, 'scored', 'results.json'));
    expect(row).toMatchObject({ task_id: 'sum_numbers', success: true, failure_reason: null, scores: { includes: { passed: true } } });
    await expect(rescoreRun({ run: imported, inPlace: false, force: false, env: {} })).rejects.toThrow(/give -o <new-run-dir> or --in-place/);
    await expect(rescoreRun({ run: imported, scorers: ['judge'], output: join(parent, 'never'), inPlace: false, force: false, env: {} })).rejects.toThrow(/--scorer judge: needs --judge-model/);
  });

  it("score -o keeps the source run's other files: metrics.json (GPU/energy), effective_policy.json, the journal with the new scores", async () => {
    const parent = await mkdtemp(join(tmpdir(), 'agent-eval-rescore-'));
    const source = join(parent, 'native');
    await cp(join(FIXTURES, 'smoltrace-run'), source, { recursive: true });
    const metrics = { run_id: 'native', resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'gen_ai.gpu.power', unit: 'W', gauge: { dataPoints: [{ timeUnixNano: '1', asDouble: 250 }] } }] }] }], aggregates: [{ name: 'energy_kwh', value: 0.01 }] };
    await writeFile(join(source, 'metrics.json'), JSON.stringify(metrics));
    await writeFile(join(source, 'effective_policy.json'), JSON.stringify({ profile: 'standard' }));
    const rows = await readJson(join(source, 'results.json'));
    const journal = rows.map((row: Record<string, unknown>) => JSON.stringify({ ...row, test_id: row.task_id, test_case_uid: row.task_id, repeat: 0 }));
    await writeFile(join(source, 'results.jsonl'), `${journal.join('\n')}\n`);
    const output = join(parent, 'scored');
    await rescoreRun({ run: source, output, inPlace: false, force: false, tasksFile: BUILTIN_TASKS_FILE, env: {} });
    expect(await readJson(join(output, 'metrics.json'))).toEqual(metrics);
    expect(await readJson(join(output, 'effective_policy.json'))).toEqual({ profile: 'standard' });
    const lines = (await readFile(join(output, 'results.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    // The journal carries the new verdicts (the source said success true for the first task).
    expect(lines.map((line) => [line.test_id, line.success, line.failure_reason])).toEqual([
      ['tool_weather_single', false, 'missing_keyword'],
      ['tool_time_single', false, 'model_error'],
    ]);
    expect((await readJson(join(output, 'metadata.json'))).files).toEqual(expect.arrayContaining(['results.jsonl', 'effective_policy.json', 'metrics.json']));
    // The source run is untouched.
    expect((await readJson(join(source, 'results.json')))[0].success).toBe(true);
    // --in-place rewrites the journal with the new scores too.
    await rescoreRun({ run: source, inPlace: true, force: false, tasksFile: BUILTIN_TASKS_FILE, env: {} });
    const inPlace = (await readFile(join(source, 'results.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(inPlace.map((line) => [line.test_id, line.success])).toEqual([['tool_weather_single', false], ['tool_time_single', false]]);
    expect(await readJson(join(source, 'metrics.json'))).toEqual(metrics);
  });
});
