// The Parquet files the publisher writes, read from Python the way SMOLTRACE's users read its
// datasets: pyarrow sees typed lists, structs, UTC timestamps and int64, and `datasets` loads two
// runs with different tool arguments and span attributes and concatenates them (one schema).
// Skips when python3 with pyarrow and datasets is missing (CI installs them when it can).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../../src/hub/client.js';
import { leaderboardFile, pushRunToHub, RUN_DATA_FILE } from '../../src/hub/publish.js';
import { sampleHubRun } from '../helpers/hub-run.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';

const TOKEN = 'hf_alice';
const SCRIPT = join(import.meta.dirname, '..', 'fixtures', 'python', 'check_hub_parquet.py');
const hasPython = spawnSync('python3', ['-c', 'import pyarrow, datasets'], { stdio: 'ignore' }).status === 0;

interface PythonView {
  types: Record<'results' | 'traces' | 'leaderboard', Record<string, string>>;
  datasets: {
    results: { rows: number; same_features: boolean; first: Record<string, unknown> };
    traces: { rows: number; same_features: boolean; first: Record<string, unknown> };
    leaderboard: { rows: number; run_ids: string[] };
  };
}

/** A second run whose free-form values have other keys than the first's. */
function otherRun() {
  const run = sampleHubRun({ runId: 'run-0002', timestampCompact: '20260103_030405', tests: 2 });
  for (const row of run.results as Record<string, unknown>[]) {
    row.tool_calls = [{ step: 1, name: 'get_weather', arguments: { location: 'Paris, France', units: ['C'] }, output: '20°C', is_error: false, duration_ms: 2, resources: { cpuUserMs: 1, cpuSystemMs: 0, maxRssKiB: 1024, fsReadOps: 0, fsWriteOps: 0 } }];
  }
  for (const trace of run.traces as { spans: Record<string, unknown>[] }[]) {
    trace.spans[0]!.attributes = { 'gen_ai.tool.name': 'get_weather', 'gen_ai.usage.input_tokens': 12, nested: { list: [1, 2] } };
    trace.spans[0]!.total_tokens = 12;
  }
  return run;
}

describe.skipIf(!hasPython)('Hub Parquet files read from Python (pyarrow, datasets)', () => {
  let server: HubServer;
  let directory: string;
  let view: PythonView;

  beforeAll(async () => {
    server = await startHubServer({ users: { [TOKEN]: 'alice' } });
    directory = await mkdtemp(join(tmpdir(), 'hub-parquet-python-'));
    const client = new HubClient({ hubUrl: server.url, token: TOKEN, retry: { tries: 2, baseDelayMs: 1 } });
    await mkdir(join(directory, 'leaderboard'));
    for (const [name, run] of [['run-a', sampleHubRun()], ['run-b', otherRun()]] as const) {
      const pushed = await pushRunToHub(run, { client, user: 'alice', tracesEnabled: true });
      await mkdir(join(directory, name));
      await writeFile(join(directory, name, 'results.parquet'), (await client.downloadFile(pushed.results.repo, 'main', RUN_DATA_FILE))!);
      await writeFile(join(directory, name, 'traces.parquet'), (await client.downloadFile(pushed.traces!.repo, 'main', RUN_DATA_FILE))!);
      const board = leaderboardFile(run.runId);
      await writeFile(join(directory, 'leaderboard', board.slice('data/'.length)), (await client.downloadFile(pushed.leaderboard.repo, 'main', board))!);
    }
    const env = { ...process.env, HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', HF_HOME: join(directory, 'hf-home') };
    view = JSON.parse(execFileSync('python3', [SCRIPT, directory], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] })) as PythonView;
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('pyarrow reads lists, structs, UTC timestamps and int64', () => {
    const { results, traces, leaderboard } = view.types;
    expect(results).toMatchObject({
      evaluation_date: 'timestamp[us, tz=UTC]',
      tools_used: 'list<element: string>',
      steps: 'int64',
      total_tokens: 'int64',
      expected_tool_calls: 'int64',
      cost_usd: 'double',
      success: 'bool',
    });
    expect(results.tool_calls).toMatch(/^list<element: struct<step: int64, name: string, arguments: string, output: string, is_error: bool, duration_ms: double, resources: struct</);
    expect(results.messages).toBe(
      'list<element: struct<role: string, content: string, tool_calls: list<element: struct<id: string, type: string, function: struct<name: string, arguments: string>>>, tool_call_id: string>>',
    );
    expect(traces).toMatchObject({ test_ids: 'list<element: string>', test_case_uids: 'list<element: string>', total_tokens: 'int64' });
    expect(traces.spans).toContain('start_time: int64, end_time: int64, duration_ms: double, attributes: string, events: list<element: struct<name: string, attributes: string, timestamp: int64>>, status: struct<code: string, description: string>');
    expect(leaderboard).toMatchObject({ evaluation_date: 'timestamp[us, tz=UTC]', timestamp: 'string', total_tests: 'int64', total_tokens: 'int64', success_rate: 'double', interrupted: 'bool' });
  });

  it('datasets loads two runs with different tool arguments and span attributes and concatenates them', () => {
    expect(view.datasets.results).toMatchObject({ rows: 5, same_features: true });
    const first = view.datasets.results.first;
    expect(first.tools_used).toEqual([]);
    expect(first.evaluation_date).toBe('2026-01-02 03:04:00+00:00');
    expect(first.messages).toEqual([
      { role: 'user', content: 'What is 0 + 0?', tool_calls: null, tool_call_id: null },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'calculator', arguments: '{"expression":"0+0"}' } }], tool_call_id: null },
      { role: 'tool', content: '0', tool_calls: null, tool_call_id: 'call_0' },
    ]);
    expect(view.datasets.traces).toMatchObject({ rows: 5, same_features: true });
    const span = (view.datasets.traces.first.spans as Record<string, unknown>[])[0]!;
    expect(span).toMatchObject({ status: { code: 'OK', description: null } });
    expect(typeof span.start_time).toBe('number'); // an integer to Python (JSON loses its last digits here)
    expect(JSON.parse(span.attributes as string)).toEqual({ 'test.id': 'task_0' });
    expect(view.datasets.leaderboard).toEqual({ rows: 2, run_ids: ['run-0001', 'run-0002'] });
  });
});
