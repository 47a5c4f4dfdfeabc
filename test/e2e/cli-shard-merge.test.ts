import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli } from '../helpers/cli.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';
import { withoutTimes } from '../helpers/without-times.js';

const PRICES = new URL('../fixtures/pricing/prices.json', import.meta.url).pathname;
const RUN_ID = 'sharded-run-1';
let tasks: Task[];
let server: LoopbackOpenAIServer;
let root: string;

beforeAll(async () => {
  tasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code' && task.expected_tool !== 'web_search');
  server = await startOpenAIServer({ responder: solveTasks(tasks) });
  root = await mkdtemp(join(tmpdir(), 'agent-eval-shards-'));
});
afterAll(async () => server?.close());

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

async function run(name: string, extra: string[]): Promise<string> {
  const output = join(root, name);
  const args = ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', ...tasks.flatMap((task) => ['--task-id', task.id]), '--pricing', PRICES, '--enable-otel', '--run-id', RUN_ID, '--output-dir', output, '--quiet', ...extra];
  const result = await runCli(args, { env: { OPENAI_API_KEY: 'sk-test' } });
  expect(result.stderr).not.toMatch(/unexpected error/);
  expect(result.code).toBe(0);
  const [directory] = await readdir(output);
  return join(output, directory!);
}

describe('--shard and agent-eval merge', () => {
  let whole: string;
  let shards: string[];

  it('splits a run over 3 shards with no overlap, and merges them into what the unsharded run wrote', async () => {
    whole = await run('whole', []);
    shards = [];
    for (const index of [1, 2, 3]) shards.push(await run(`shard-${index}`, ['--shard', `${index}/3`]));
    const shardRows = await Promise.all(shards.map((directory) => readJson(join(directory, 'results.json'))));
    const uids = shardRows.flat().map((row: { test_case_uid: string }) => row.test_case_uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.sort()).toEqual(tasks.map((task) => `tool:${task.id}`).sort());
    for (const [index, directory] of shards.entries()) expect((await readJson(join(directory, 'metadata.json'))).shard).toEqual({ index: index + 1, count: 3 });

    const merged = join(root, 'merged');
    // Any order of the shards gives the same run.
    const result = await runCli(['merge', shards[2]!, shards[0]!, shards[1]!, '-o', merged]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`[MERGED] 3 shard(s), ${tasks.length} task(s), run ${RUN_ID} -> ${merged}`);

    expect(withoutTimes(await readJson(join(merged, 'results.json')))).toEqual(withoutTimes(await readJson(join(whole, 'results.json'))));
    expect(withoutTimes(await readJson(join(merged, 'traces.json')))).toEqual(withoutTimes(await readJson(join(whole, 'traces.json'))));
    const metricsMerged = await readJson(join(merged, 'metrics.json'));
    const metricsWhole = await readJson(join(whole, 'metrics.json'));
    expect(metricsMerged.aggregates).toEqual(metricsWhole.aggregates);
    expect(metricsMerged.run_id).toBe(RUN_ID);

    const rowMerged = await readJson(join(merged, 'leaderboard_row.json'));
    const rowWhole = await readJson(join(whole, 'leaderboard_row.json'));
    const shardRowsLeaderboard = await Promise.all(shards.map((directory) => readJson(join(directory, 'leaderboard_row.json'))));
    const same = ['run_id', 'model', 'agent_type', 'total_tests', 'successful_tests', 'failed_tests', 'success_rate', 'avg_steps', 'total_tokens', 'avg_tokens_per_test', 'total_cost_usd', 'avg_cost_per_test_usd', 'planned_tests', 'total_input_tokens', 'total_output_tokens', 'error_counts', 'model_id', 'model_provider'];
    for (const field of same) expect({ field, value: rowMerged[field] }).toEqual({ field, value: rowWhole[field] });
    // Durations and percentiles come from the merged rows: the sum of the shards' durations.
    const shardDuration = shardRowsLeaderboard.reduce((total, row) => total + row.total_duration_ms, 0);
    expect(rowMerged.total_duration_ms).toBeCloseTo(shardDuration, 1);
    const mergedRows = await readJson(join(merged, 'results.json'));
    const times = mergedRows.map((row: { execution_time_ms: number }) => row.execution_time_ms).sort((left: number, right: number) => left - right);
    expect(rowMerged.p95_duration_ms).toBeCloseTo(times[Math.ceil(0.95 * times.length) - 1], 1);
    expect(rowMerged.results_dataset).toBe(`local:${join(merged, 'results.json')}`);

    const metadata = await readJson(join(merged, 'metadata.json'));
    expect(metadata).toMatchObject({ run_id: RUN_ID, status: 'completed', num_results: tasks.length, planned_tests: tasks.length });
    expect(metadata.shard).toBeUndefined();
    const shardMetadata = await Promise.all(shards.map((directory) => readJson(join(directory, 'metadata.json'))));
    expect(metadata.started_at).toBe(shardMetadata.map((entry) => entry.started_at).sort()[0]);
    expect(metadata.finished_at).toBe(shardMetadata.map((entry) => entry.finished_at).sort().at(-1));
    const journal = (await readFile(join(merged, 'results.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line).test_index);
    expect(journal).toEqual([...journal].sort((left, right) => left - right));
  });

  it('refuses overlaps, missing shards, other runs and an existing output, with one line and exit 2, writing nothing', async () => {
    const refusals: [string[], RegExp][] = [
      [[shards[0]!, shards[0]!, shards[1]!], /merge: .* and .* are both shard 1\/3/],
      [[shards[0]!, shards[1]!], /merge: shard\(s\) 3 of 3 missing/],
      [[shards[0]!, shards[1]!, shards[2]!, whole], /is not a shard/],
    ];
    const other = await run('other-id', ['--shard', '3/3', '--run-id', 'another-run']);
    refusals.push([[shards[0]!, shards[1]!, other], /has run id another-run, .* has sharded-run-1: give every shard the same --run-id/]);
    const otherArgs = await run('other-args', ['--shard', '3/3', '--model-args', 'temperature=0.5']);
    refusals.push([[shards[0]!, shards[1]!, otherArgs], /differ in option modelArgs/]);
    for (const [inputs, message] of refusals) {
      const output = join(root, `refused-${Math.random().toString(36).slice(2)}`);
      const result = await runCli(['merge', ...inputs, '-o', output]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      await expect(readdir(output)).rejects.toThrow();
    }
    const taken = await runCli(['merge', ...shards, '-o', whole]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('already exists');
    expect(taken.stderr).toContain('--force');
  });

  it('--force replaces an existing -o once the merged run is complete, leaving no staging folder', async () => {
    const target = join(root, 'forced');
    await mkdir(target);
    await writeFile(join(target, 'stale.txt'), 'from before');
    const refused = await runCli(['merge', shards[0]!, shards[1]!, '-o', target, '--force']);
    expect(refused.code).toBe(2); // shard 3 missing: the old folder stays as it was
    expect(await readdir(target)).toEqual(['stale.txt']);
    const result = await runCli(['merge', ...shards, '-o', target, '--force']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await readdir(target)).sort()).toEqual(['leaderboard_row.json', 'metadata.json', 'metrics.json', 'results.json', 'results.jsonl', 'traces.json']);
    expect((await readdir(root)).filter((name) => name.startsWith('.forced'))).toEqual([]);
    expect(withoutTimes(await readJson(join(target, 'results.json')))).toEqual(withoutTimes(await readJson(join(whole, 'results.json'))));
    expect((await readJson(join(target, 'leaderboard_row.json'))).results_dataset).toBe(`local:${join(target, 'results.json')}`);
    // The tools the agents were offered (export's `tools`) survive the merge.
    expect((await readJson(join(target, 'metadata.json'))).offered_tools).toEqual((await readJson(join(whole, 'metadata.json'))).offered_tools);
    expect((await readJson(join(whole, 'metadata.json'))).offered_tools.tool.length).toBeGreaterThan(0);
  });
});
