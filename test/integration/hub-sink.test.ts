// Publishing a real run directory (runEvaluation + writeLocalJson) through src/sinks/hub.ts, and
// loading Hub task sets through loadTaskSet, against the loopback Hub.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputError, StartupError } from '../../src/errors.js';
import { runEvaluation } from '../../src/eval/run-evaluation.js';
import type { RunResult } from '../../src/eval/types.js';
import { HubClient } from '../../src/hub/client.js';
import { readParquet } from '../../src/hub/parquet.js';
import { RUN_DATA_FILE } from '../../src/hub/publish.js';
import { parseTracesJson, publishRunDirectory, publishRunToHub } from '../../src/sinks/hub.js';
import { writeLocalJson } from '../../src/sinks/local-json.js';
import { loadTaskSet } from '../../src/tasks/load.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { withoutNulls } from '../helpers/hub-run.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const TOKEN = 'hf_alice';
const TASKS = [
  { id: 'weather', prompt: "What's the weather in Paris, France?", difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_weather', expected_tool_calls: 1, expected_keywords: ['20°C'] },
  { id: 'math', prompt: 'What is 234 multiplied by 67?', difficulty: 'easy', agent_type: 'tool', expected_tool: 'calculator', expected_tool_calls: 1, expected_keywords: ['15678'] },
];
const jsonl = (rows: object[]) => rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

let openai: LoopbackOpenAIServer;
let server: HubServer;
let directory: string;
let run: RunResult;
let runDirectory: string;
let env: Record<string, string>;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-eval-hub-sink-'));
  await writeFile(join(directory, 'tasks.jsonl'), jsonl(TASKS));
  openai = await startOpenAIServer({ responder: solveTasks(TASKS) });
  run = await runEvaluation(
    { model: 'openai/test-model', baseUrl: `${openai.url}/v1`, datasetName: join(directory, 'tasks.jsonl'), outputDir: join(directory, 'out'), agentType: 'tool', maxRetries: 0, enableOtel: true },
    { env: {} },
  );
  runDirectory = (await writeLocalJson(run, { submittedBy: 'local' })).directory;
});
afterAll(async () => {
  await openai.close();
  await rm(directory, { recursive: true, force: true });
});
beforeEach(async () => {
  server = await startHubServer({ users: { [TOKEN]: 'alice' } });
  env = { HF_ENDPOINT: server.url, HF_TOKEN: TOKEN, HF_HOME: join(directory, 'hf-home') };
});
afterEach(async () => server.close());

describe('publishing a run directory', () => {
  it('pushes the local files unchanged and names the Hub repos in the leaderboard row', async () => {
    const published = await publishRunToHub(run, { directory: runDirectory }, { env, retry: { tries: 2, baseDelayMs: 1 } });
    expect(published.user).toBe('alice');
    const metadata = await readJson(join(runDirectory, 'metadata.json'));
    const names = ['results', 'traces', 'metrics'].map((part) => `alice/smoltrace-${part}-${metadata.timestamp}`);
    expect(published.urls).toEqual([...names, 'alice/smoltrace-leaderboard'].map((repo) => `${server.url}/datasets/${repo}`));
    const client = new HubClient({ hubUrl: server.url, token: TOKEN });
    const rows = async (repo: string, path = RUN_DATA_FILE) => readParquet((await client.downloadFile(repo, 'main', path))!, { parseJson: true });

    // Equal up to struct fields a value lacks (null in Parquet) and nanoseconds as bigints.
    expect(withoutNulls(await rows(names[0]!))).toEqual(withoutNulls(await readJson(join(runDirectory, 'results.json'))));
    const traces = parseTracesJson(await readFile(join(runDirectory, 'traces.json'), 'utf8')) as { spans: { start_time: string }[] }[];
    expect(traces).toHaveLength(2);
    expect(traces[0]!.spans[0]!.start_time).toMatch(/^\d{19}$/);
    expect(withoutNulls(await rows(names[1]!))).toEqual(withoutNulls(traces));
    expect((await rows(names[2]!))[0]).toMatchObject({ run_id: run.runId });
    const [board] = await rows('alice/smoltrace-leaderboard', `data/${run.runId}.parquet`);
    const local = await readJson(join(runDirectory, 'leaderboard_row.json'));
    expect(board).toMatchObject({ run_id: run.runId, model: 'openai/test-model', total_tests: 2, success_rate: local.success_rate, submitted_by: 'alice' });
    expect([board!.results_dataset, board!.traces_dataset, board!.metrics_dataset]).toEqual(names);
    expect(server.repos.get(names[0]!)!.private).toBe(true);
  });

  it('a failed push keeps the local copy and says how to push it later; pushing again works', async () => {
    server.fail({ path: '/commit/', status: 500, times: 6 }); // 3 datasets x 2 tries
    const error = await publishRunToHub(run, { directory: runDirectory }, { env, retry: { tries: 2, baseDelayMs: 1 } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/answered 500/);
    expect((error as Error).message.endsWith(`; the run is saved in ${runDirectory}: publish it later with: agent-eval push ${runDirectory}`)).toBe(true);
    const again = await publishRunDirectory(runDirectory, { env, private: false, prefix: 'evals' });
    expect(again.urls[0]).toMatch(/\/datasets\/alice\/evals-results-\d{8}_\d{6}$/);
    expect(server.repos.get('alice/evals-leaderboard')!.private).toBe(false);
  });

  it('refuses a broken run directory or a missing token clearly, before any upload', async () => {
    const broken = await mkdtemp(join(directory, 'broken-'));
    await expect(publishRunDirectory(broken, { env })).rejects.toThrow(/metadata\.json: cannot read the file \(ENOENT\); is .* a run directory/);
    const metadata = await readJson(join(runDirectory, 'metadata.json'));
    await writeFile(join(broken, 'metadata.json'), JSON.stringify({ ...metadata, status: 'running' }));
    await expect(publishRunDirectory(broken, { env })).rejects.toThrow(/has not finished .* agent-eval run --resume/);
    await writeFile(join(broken, 'metadata.json'), JSON.stringify(metadata));
    await writeFile(join(broken, 'results.json'), JSON.stringify([{ run_id: metadata.run_id }]));
    await expect(publishRunDirectory(broken, { env })).rejects.toThrow(new InputError(`${join(broken, 'results.json')}: field '0.task_id' is missing`));
    await expect(publishRunDirectory(runDirectory, { env: { HF_ENDPOINT: server.url, HF_HOME: join(directory, 'none') } })).rejects.toThrow(/needs a token with write access/);
    await expect(publishRunDirectory(runDirectory, { env, prefix: 'bad prefix' })).rejects.toThrow(/--dataset-prefix bad prefix/);
    expect(server.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  });
});

describe('publishing a large run directory', () => {
  it('streams results.json and traces.json into Parquet row groups of 1,000 rows that read back equal', async () => {
    // 2,500 copies of the run's rows (compact JSON, as another writer might leave it), and its traces.
    const large = await mkdtemp(join(directory, 'large-'));
    const metadata = await readJson(join(runDirectory, 'metadata.json'));
    const [first] = (await readJson(join(runDirectory, 'results.json'))) as Record<string, unknown>[];
    const rows = Array.from({ length: 2500 }, (_, index) => ({ ...first, task_id: `task_${index}`, test_case_uid: `tool:task_${index}` }));
    await writeFile(join(large, 'results.json'), JSON.stringify(rows));
    await writeFile(join(large, 'metadata.json'), JSON.stringify({ ...metadata, num_results: rows.length }));
    for (const name of ['traces.json', 'metrics.json', 'leaderboard_row.json']) await writeFile(join(large, name), await readFile(join(runDirectory, name)));
    const published = await publishRunDirectory(large, { env });
    const bytes = (await new HubClient({ hubUrl: server.url, token: TOKEN }).downloadFile(published.pushed.results.repo, 'main', RUN_DATA_FILE))!;
    const { parquetMetadata } = await import('hyparquet');
    expect(parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer).row_groups.map((group) => Number(group.num_rows))).toEqual([1000, 1000, 500]);
    const read = await readParquet(bytes, { parseJson: true });
    expect(withoutNulls(read)).toEqual(withoutNulls(rows));
    const traces = (await readJson(join(runDirectory, 'traces.json'))) as unknown[];
    expect(published.pushed.traces).not.toBeNull();
    const traceBytes = (await new HubClient({ hubUrl: server.url, token: TOKEN }).downloadFile(published.pushed.traces!.repo, 'main', RUN_DATA_FILE))!;
    expect(await readParquet(traceBytes)).toHaveLength(traces.length);
  });
});

describe('loadTaskSet with a Hub dataset', () => {
  it('records the sha, notes an unpinned run, and loads a pinned sha offline from the cache', async () => {
    const sha = server.seedDataset('alice/tasks', { 'data/train.jsonl': jsonl(TASKS) }, { private: true });
    const head = await loadTaskSet({ datasetName: 'alice/tasks', split: 'train', env });
    expect(head.tasks.map((task) => task.id)).toEqual(['weather', 'math']);
    expect(head.source).toMatchObject({ kind: 'hub', dataset: 'alice/tasks', split: 'train', sha, pinned: false, fromCache: false });
    expect(head.source.notices.join('\n')).toContain(`not pinned; repeat it exactly with --dataset-revision ${sha}`);

    const byBranch = await loadTaskSet({ datasetName: 'alice/tasks', split: 'train', revision: 'main', env });
    expect(byBranch.source).toMatchObject({ revision: 'main', sha, pinned: true, notices: [] });
    await server.close();
    const offline = await loadTaskSet({ datasetName: 'alice/tasks', split: 'train', revision: sha, env });
    expect(offline.source).toMatchObject({ sha, pinned: true, fromCache: true });
    expect(offline.tasks).toEqual(head.tasks);
    server = await startHubServer({ users: { [TOKEN]: 'alice' } });
  });

  it('maps access problems to input errors naming the dataset', async () => {
    server.seedDataset('alice/secret', { 'train.jsonl': jsonl(TASKS) }, { private: true });
    await expect(loadTaskSet({ datasetName: 'alice/secret', split: 'train', env: { ...env, HF_TOKEN: undefined } })).rejects.toThrow(/--dataset-name alice\/secret: .*private/);
    await expect(loadTaskSet({ datasetName: 'alice/tasks', split: 'train', revision: 'nope', env })).rejects.toBeInstanceOf(InputError);
  });
});
