import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli } from '../helpers/cli.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const PRICES = new URL('../fixtures/pricing/prices.json', import.meta.url).pathname;
let toolTasks: Task[];
let server: LoopbackOpenAIServer | undefined;

beforeAll(async () => {
  // Tools are not cached: the clock tool's answer changes the next request, so its tasks cannot replay.
  toolTasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code' && !/time/.test(task.id)).slice(0, 4);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function onlyRun(output: string): Promise<string> {
  const [name] = await readdir(output);
  return join(output, name!);
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

/** What a replay must reproduce: everything but times, ids and where the run lies. */
function comparable(rows: Record<string, unknown>[]) {
  return rows.map(({ run_id: _run, started_at: _start, evaluation_date: _date, execution_time_ms: _time, trace_id: _trace, span_id: _span, tool_calls, ...rest }) => ({
    ...rest,
    tool_calls: (tool_calls as { duration_ms: number; resources?: unknown }[]).map(({ duration_ms: _duration, resources: _resources, ...call }) => call),
  }));
}

describe('--cache record and replay', () => {
  it('replays a recorded run with the model server stopped and no key: same results, tokens and cost', async () => {
    server = await startOpenAIServer({ responder: solveTasks(toolTasks), requireApiKey: 'sk-record' });
    const store = await mkdtemp(join(tmpdir(), 'agent-eval-store-'));
    const taskIds = toolTasks.flatMap((task) => ['--task-id', task.id]);
    const common = ['run', '--model', 'openai/gpt-4o-mini', '--agent-type', 'tool', ...taskIds, '--pricing', PRICES, '--cache-dir', store, '--quiet'];

    const recordOutput = await mkdtemp(join(tmpdir(), 'agent-eval-record-'));
    const recorded = await runCli([...common, '--base-url', `${server.url}/v1`, '--cache', 'record', '--output-dir', recordOutput], { env: { OPENAI_API_KEY: 'sk-record' } });
    expect(recorded.stderr).not.toMatch(/unexpected error/);
    expect(recorded.code).toBe(0);
    const calls = server.requests.length;
    expect(calls).toBeGreaterThan(0);
    const recordDirectory = await onlyRun(recordOutput);
    const recordMetadata = await readJson(join(recordDirectory, 'metadata.json'));
    expect(recordMetadata.cache).toMatchObject({ mode: 'record', dir: store, hits: 0, misses: 0, written: calls });
    expect(recordMetadata.cache.written_bytes).toBeGreaterThan(0);
    // The size report, in the notices and on the console.
    const report = `response cache (record) ${store}: 0 hit(s), 0 miss(es), ${calls} response(s) written (`;
    expect(recordMetadata.notices.some((notice: string) => notice.startsWith(report))).toBe(true);
    expect(recorded.stdout + recorded.stderr).toContain(`[NOTE] ${report}`);
    // Plain files, one per request, that name their format; the key never reaches them.
    const shards = await readdir(store);
    const entries = (await Promise.all(shards.map(async (folder) => (await readdir(join(store, folder))).map((file) => join(store, folder, file))))).flat();
    expect(entries).toHaveLength(calls);
    const entry = await readJson(entries[0]!);
    expect(entry).toMatchObject({ format: 'agent-eval-response-cache/1', request: { provider: 'openai', model: 'gpt-4o-mini' } });
    expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(entries[0]).toContain(entry.hash);
    for (const path of entries) expect(await readFile(path, 'utf8')).not.toContain('sk-record');

    await server.close();
    const replayOutput = await mkdtemp(join(tmpdir(), 'agent-eval-replay-'));
    // No OPENAI_API_KEY and a base URL where nothing listens: any request would fail.
    const replayed = await runCli([...common, '--base-url', 'http://127.0.0.1:9/v1', '--cache', 'replay', '--output-dir', replayOutput]);
    expect(replayed.stderr).not.toMatch(/unexpected error/);
    expect(replayed.code).toBe(0);
    const replayDirectory = await onlyRun(replayOutput);
    const replayMetadata = await readJson(join(replayDirectory, 'metadata.json'));
    expect(replayMetadata.cache).toMatchObject({ mode: 'replay', dir: store, hits: calls, misses: 0, written: 0 });

    const before = await readJson(join(recordDirectory, 'results.json'));
    const after = await readJson(join(replayDirectory, 'results.json'));
    expect(comparable(after)).toEqual(comparable(before));
    expect(after.map((row: { total_tokens: number }) => row.total_tokens)).toEqual(before.map((row: { total_tokens: number }) => row.total_tokens));
    expect(after.some((row: { cost_usd: number | null }) => typeof row.cost_usd === 'number' && row.cost_usd > 0)).toBe(true);
    const rowBefore = await readJson(join(recordDirectory, 'leaderboard_row.json'));
    const rowAfter = await readJson(join(replayDirectory, 'leaderboard_row.json'));
    for (const field of ['success_rate', 'total_tokens', 'total_cost_usd', 'successful_tests', 'failed_tests']) expect(rowAfter[field]).toEqual(rowBefore[field]);
  });

  it('reports a replay miss as an infrastructure error naming the request', async () => {
    const store = await mkdtemp(join(tmpdir(), 'agent-eval-empty-store-'));
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-miss-'));
    const result = await runCli(['run', '--model', 'openai/gpt-4o-mini', '--agent-type', 'tool', '--task-id', toolTasks[0]!.id, '--cache', 'replay', '--cache-dir', store, '--output-dir', output, '--quiet']);
    expect(result.stderr).not.toMatch(/unexpected error|OPENAI_API_KEY is not set/);
    expect(result.code).toBe(1);
    const [row] = await readJson(join(await onlyRun(output), 'results.json'));
    expect(row.error_kind).toBe('infrastructure');
    expect(row.error).toContain(`--cache replay: no recorded response in ${store} for openai/gpt-4o-mini`);
    expect(row.error).toMatch(/message\(s\), last "user: .*hash [0-9a-f]{16}/);
    const metadata = await readJson(join(await onlyRun(output), 'metadata.json'));
    expect(metadata.cache).toMatchObject({ mode: 'replay', hits: 0, misses: 1 });
  });
});
