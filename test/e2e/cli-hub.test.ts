// The Hub from the built CLI: `push <run-dir>`, `cleanup`, and `run` with a Hub task dataset and
// `--output-format hub`, against the loopback Hub (HF_ENDPOINT) and the loopback OpenAI server.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubClient } from '../../src/hub/client.js';
import { readParquet } from '../../src/hub/parquet.js';
import { RUN_DATA_FILE } from '../../src/hub/publish.js';
import { parseTracesJson } from '../../src/sinks/hub.js';
import { runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { withoutNulls } from '../helpers/hub-run.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const TOKEN = 'hf_alice';
const TASKS = [
  { id: 'weather', prompt: "What's the weather in Paris, France?", difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_weather', expected_tool_calls: 1, expected_keywords: ['20°C'] },
  { id: 'math', prompt: 'What is 234 multiplied by 67?', difficulty: 'easy', agent_type: 'tool', expected_tool: 'calculator', expected_tool_calls: 1, expected_keywords: ['15678'] },
  { id: 'time', prompt: 'What time is it in UTC?', difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_current_time', expected_tool_calls: 1 },
];
const jsonl = (rows: object[]) => rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

let hub: HubServer;
let openai: LoopbackOpenAIServer;
let work: string;
let env: Record<string, string>;

beforeEach(async () => {
  hub = await startHubServer({ users: { [TOKEN]: 'alice' } });
  openai = await startOpenAIServer({ responder: solveTasks(TASKS) });
  work = await mkdtemp(join(tmpdir(), 'agent-eval-e2e-hub-'));
  env = { HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN, HF_HOME: join(work, 'hf-home'), OPENAI_API_KEY: 'sk-test' };
});
afterEach(async () => {
  await Promise.all([hub.close(), openai.close()]);
  await rm(work, { recursive: true, force: true });
});

const runArgs = (output: string, ...extra: string[]) => [
  'run', '--model', 'openai/test-model', '--base-url', `${openai.url}/v1`, '--agent-type', 'tool', '--limit', '2', '--max-retries', '0', '--output-dir', output, ...extra,
];

async function onlyRunDirectory(output: string): Promise<string> {
  const names = await readdir(output);
  expect(names).toHaveLength(1);
  return join(output, names[0]!);
}

/** The last lines of stdout: the four dataset URLs. */
function printedUrls(stdout: string): string[] {
  return stdout.trimEnd().split('\n').slice(-4).map((line) => line.trim().split(/\s+/).pop()!);
}

describe('agent-eval push (built CLI)', () => {
  it('publishes a run directory made by a local run; the Hub datasets equal the local files', async () => {
    const output = join(work, 'out');
    const local = await runCli(runArgs(output, '--output-format', 'json', '--enable-otel'), { env });
    expect(local.stderr).not.toMatch(/unexpected error/);
    expect(local.code).toBe(0);
    const directory = await onlyRunDirectory(output);
    const metadata = await readJson(join(directory, 'metadata.json'));

    expect((await runCli(['push', directory], { env: { ...env, HF_TOKEN: undefined } })).code).toBe(2);
    const pushed = await runCli(['push', directory], { env });
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    const names = ['results', 'traces', 'metrics'].map((part) => `alice/smoltrace-${part}-${metadata.timestamp}`);
    expect(printedUrls(pushed.stdout)).toEqual([...names, 'alice/smoltrace-leaderboard'].map((repo) => `${hub.url}/datasets/${repo}`));

    const client = new HubClient({ hubUrl: hub.url, token: TOKEN });
    const rows = async (repo: string, path = RUN_DATA_FILE) => readParquet((await client.downloadFile(repo, 'main', path))!, { parseJson: true });
    expect(withoutNulls(await rows(names[0]!))).toEqual(withoutNulls(await readJson(join(directory, 'results.json'))));
    expect(withoutNulls(await rows(names[1]!))).toEqual(withoutNulls(parseTracesJson(await readFile(join(directory, 'traces.json'), 'utf8'))));
    expect((await rows(names[2]!)).every((row) => row.run_id === metadata.run_id)).toBe(true);
    const [board] = await rows('alice/smoltrace-leaderboard', `data/${metadata.run_id}.parquet`);
    const row = await readJson(join(directory, 'leaderboard_row.json'));
    expect(board).toMatchObject({ ...Object.fromEntries(['run_id', 'model', 'total_tests', 'successful_tests', 'success_rate', 'total_tokens'].map((key) => [key, row[key]])) });
    expect([board!.results_dataset, board!.traces_dataset, board!.metrics_dataset]).toEqual(names);
    expect(hub.repos.get(names[0]!)!.private).toBe(true);
  });
});

describe('agent-eval cleanup (built CLI)', () => {
  beforeEach(() => {
    for (const [timestamp, createdAt] of [['20260101_000000', '2026-01-01T00:00:00Z'], ['20260105_000000', '2026-01-05T00:00:00Z']] as const) {
      for (const part of ['results', 'traces', 'metrics']) hub.seedDataset(`alice/smoltrace-${part}-${timestamp}`, {}, { createdAt });
    }
    hub.seedDataset('alice/smoltrace-leaderboard', {}, { createdAt: '2025-01-01T00:00:00Z' });
    hub.seedDataset('alice/smoltrace-tasks', {}, { createdAt: '2025-01-01T00:00:00Z' });
  });
  const runRepos = () => [...hub.repos.keys()].filter((id) => /-(results|traces|metrics)-\d/.test(id)).sort();

  it('a dry run lists and deletes nothing; deleting needs --yes without a terminal', async () => {
    const dry = await runCli(['cleanup', '--older-than', '1w'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('(DRY-RUN)');
    expect(dry.stdout).toContain('Leaderboard: preserved');
    expect(dry.stdout).toContain('  6. alice/smoltrace-metrics-20260101_000000');
    expect(runRepos()).toHaveLength(6);

    const refused = await runCli(['cleanup', '--older-than', '1w', '--no-dry-run'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('confirmation needed: pass --yes');
    const noSelector = await runCli(['cleanup'], { env });
    expect(noSelector.code).toBe(2);
    expect(noSelector.stderr).toContain('choose what to delete with one of --older-than');
    expect(hub.requests.some((request) => request.method === 'DELETE')).toBe(false);
  });

  it('deletes with --no-dry-run --yes: --older-than 0d, --only traces, --keep-recent 0', async () => {
    const traces = await runCli(['cleanup', '--keep-recent', '1', '--only', 'traces', '--no-dry-run', '--yes'], { env });
    expect(traces.code).toBe(0);
    expect(traces.stdout).toContain('✓ alice/smoltrace-traces-20260101_000000');
    expect(runRepos()).not.toContain('alice/smoltrace-traces-20260101_000000');
    expect(runRepos()).toHaveLength(5);

    const old = await runCli(['cleanup', '--older-than', '0d', '--no-dry-run', '--yes'], { env });
    expect(old.code).toBe(0);
    expect(runRepos()).toEqual([]);
    expect(hub.repos.has('alice/smoltrace-leaderboard') && hub.repos.has('alice/smoltrace-tasks')).toBe(true);
  });

  it('reports each deletion and exits 1 when one fails', async () => {
    hub.fail({ method: 'DELETE', path: '/api/repos/delete', status: 403 });
    const result = await runCli(['cleanup', '--keep-recent', '0', '--no-dry-run', '--yes'], { env });
    expect(result.code).toBe(1);
    expect(result.stdout.match(/^✓ /gm)).toHaveLength(5);
    expect(result.stdout).toMatch(/^✗ alice\/smoltrace-\w+-\d{8}_\d{6}: .*403/m);
    expect(runRepos()).toHaveLength(1);
  });
});

describe('agent-eval run with the Hub (needs the run hooks)', () => {
  it('reads a Hub task dataset at a revision, records its sha, publishes, and repeats offline from the cache', async () => {
    const sha = hub.seedDataset('alice/tasks', { 'data/train.jsonl': jsonl(TASKS) }, { private: true });
    const output = join(work, 'out');
    const result = await runCli(runArgs(output, '--dataset-name', 'alice/tasks', '--dataset-revision', 'main', '--output-format', 'hub'), { env });
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const directory = await onlyRunDirectory(output);
    const metadata = await readJson(join(directory, 'metadata.json'));
    expect(metadata.dataset_source).toMatchObject({ kind: 'hub', dataset: 'alice/tasks', revision: 'main', sha, pinned: true });
    expect(result.stdout).toContain('[SUCCESS] Results pushed to the Hugging Face Hub as alice');
    const urls = printedUrls(result.stdout);
    expect(urls[0]).toBe(`${hub.url}/datasets/alice/smoltrace-results-${metadata.timestamp}`);
    expect(urls[3]).toBe(`${hub.url}/datasets/alice/smoltrace-leaderboard`);
    expect(hub.repos.has(`alice/smoltrace-metrics-${metadata.timestamp}`)).toBe(true);

    const unpinned = await runCli(runArgs(join(work, 'unpinned'), '--dataset-name', 'alice/tasks'), { env });
    expect(unpinned.code).toBe(0);
    expect(unpinned.stderr).toContain(`not pinned; repeat it exactly with --dataset-revision ${sha}`);
    expect((await readJson(join(await onlyRunDirectory(join(work, 'unpinned')), 'metadata.json'))).dataset_source).toMatchObject({ sha, pinned: false });

    await hub.close();
    const offline = await runCli(runArgs(join(work, 'offline'), '--dataset-name', 'alice/tasks', '--dataset-revision', sha), { env });
    expect(offline.code).toBe(0);
    hub = await startHubServer({ users: { [TOKEN]: 'alice' } });
  });

  it('a failed publish keeps the local run and says how to push it; push then works', async () => {
    hub.fail({ path: '/commit/', status: 500, times: 9 }); // 3 datasets x 3 tries
    const output = join(work, 'out');
    const result = await runCli(runArgs(output, '--output-format', 'hub', '--enable-otel'), { env });
    expect(result.code).toBe(1);
    const directory = await onlyRunDirectory(output);
    expect(existsSync(join(directory, 'results.json')) && existsSync(join(directory, 'metadata.json'))).toBe(true);
    expect(result.stderr).toContain(`; the run is saved in ${directory}: publish it later with: agent-eval push ${directory}`);
    const pushed = await runCli(['push', directory], { env });
    expect(pushed.code).toBe(0);
    expect(printedUrls(pushed.stdout)).toHaveLength(4);
  });

  it('refuses --output-format hub without a token before running any task', async () => {
    const result = await runCli(runArgs(join(work, 'out'), '--output-format', 'hub'), { env: { ...env, HF_TOKEN: undefined } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--output-format hub needs a Hub token');
    expect(openai.requests).toHaveLength(0);
  });
});
