// Sharded runs on the Hub (built CLI, loopback Hub and model): shards of one run published in the same
// second keep their own datasets and write no leaderboard row; `agent-eval merge` takes the shards'
// Hub results datasets as it takes their run directories, and `--push` publishes one run.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../../src/hub/client.js';
import { readParquet } from '../../src/hub/parquet.js';
import { RUN_DATA_FILE } from '../../src/hub/publish.js';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';
import { withoutTimes } from '../helpers/without-times.js';

const TOKEN = 'hf_alice';
const RUN_ID = 'hub-sharded-1';
let tasks: Task[];
let hub: HubServer;
let openai: LoopbackOpenAIServer;
let work: string;
let env: Record<string, string>;
let client: HubClient;

beforeAll(async () => {
  tasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code' && task.expected_tool !== 'web_search');
  hub = await startHubServer({ users: { [TOKEN]: 'alice' } });
  openai = await startOpenAIServer({ responder: solveTasks(tasks) });
  work = await mkdtemp(join(tmpdir(), 'agent-eval-e2e-hub-shards-'));
  // The CLI's temporary folders go here, so the test sees them removed.
  await mkdir(join(work, 'tmp'));
  env = { HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN, HF_HOME: join(work, 'hf-home'), OPENAI_API_KEY: 'sk-test', TMPDIR: join(work, 'tmp') };
  client = new HubClient({ hubUrl: hub.url, token: TOKEN });
});
afterAll(async () => {
  await Promise.all([hub?.close(), openai?.close()]);
  await rm(work, { recursive: true, force: true });
});

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
const rows = async (repo: string, path = RUN_DATA_FILE) => readParquet((await client.downloadFile(repo, 'main', path))!, { parseJson: true });
const files = async (repo: string) => (await client.listFiles(repo)).map((file) => file.path).sort();

async function run(name: string, extra: string[]): Promise<{ directory: string; stdout: string; stderr: string }> {
  const output = join(work, name);
  const args = ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${openai.url}/v1`, '--agent-type', 'tool', ...tasks.flatMap((task) => ['--task-id', task.id]), '--enable-otel', '--run-id', RUN_ID, '--max-retries', '0', '--output-dir', output, '--quiet', ...extra];
  const result = await runCli(args, { env });
  expect(result.stderr).not.toMatch(/unexpected error/);
  expect(result.code).toBe(0);
  const [directory] = await readdir(output);
  return { directory: join(output, directory!), stdout: result.stdout, stderr: result.stderr };
}

describe('sharded runs on the Hub', () => {
  let shards: string[];
  let timestamp: string;
  let shardRepos: string[];
  let localMerge: string;

  it('publishes two shards of one run started in the same second as two datasets with all their rows, and no leaderboard row', async () => {
    // Shard 1 publishes as it ends (--output-format hub); shard 2 is saved, given shard 1's timestamp, then pushed.
    const first = await run('shard-1', ['--shard', '1/2', '--output-format', 'hub']);
    const second = await run('shard-2', ['--shard', '2/2', '--output-format', 'json']);
    shards = [first.directory, second.directory];
    timestamp = (await readJson(join(first.directory, 'metadata.json'))).timestamp;
    const metadataPath = join(second.directory, 'metadata.json');
    // A secret of the pushing environment planted in the shard's files is scrubbed from what is published.
    const secret = 'sk-planted-secret-0123456789';
    await writeFile(metadataPath, JSON.stringify({ ...(await readJson(metadataPath)), timestamp, note: secret }, null, 2));
    const journalPath = join(second.directory, 'results.jsonl');
    const lines = (await readFile(journalPath, 'utf8')).trimEnd().split('\n');
    await writeFile(journalPath, [JSON.stringify({ ...JSON.parse(lines[0]!), debug_note: secret }), ...lines.slice(1)].join('\n') + '\n');
    const pushed = await runCli(['push', second.directory], { env: { ...env, PLANTED_API_KEY: secret } });
    expect(pushed.code).toBe(0);

    shardRepos = [1, 2].map((index) => `alice/smoltrace-results-${timestamp}-shard-${index}-of-2`);
    for (const [index, output] of [first, pushed].entries()) {
      const notes = output.stderr.split('\n').filter((line) => line.startsWith('[NOTE]'));
      expect(notes).toEqual([`[NOTE] shard ${index + 1}/2: no leaderboard row (a shard is part of a run); merge the shards with agent-eval merge <each shard's results dataset, e.g. ${shardRepos[index]}> -o <run-dir> --push`]);
      expect(output.stdout).toContain(`${hub.url}/datasets/${shardRepos[index]}`);
      expect(output.stdout).toContain('leaderboard: none (a shard writes no row; merge the shards with agent-eval merge ... --push)');
    }
    for (const [index, directory] of shards.entries()) {
      const local = await readJson(join(directory, 'results.json'));
      expect(local.length).toBeGreaterThan(0);
      const published = await rows(shardRepos[index]!);
      expect(published.map((row) => row.task_id)).toEqual(local.map((row: { task_id: string }) => row.task_id));
      for (const part of ['traces', 'metrics']) expect(hub.repos.has(`alice/smoltrace-${part}-${timestamp}-shard-${index + 1}-of-2`)).toBe(true);
      expect((await files(shardRepos[index]!)).filter((path) => path !== '.gitattributes')).toEqual(['README.md', RUN_DATA_FILE, 'agent_eval/leaderboard_row.json', 'agent_eval/metadata.json', 'agent_eval/metrics.json', 'agent_eval/results.jsonl'].sort());
      for (const name of ['metadata.json', 'results.jsonl']) {
        const text = new TextDecoder().decode((await client.downloadFile(shardRepos[index]!, 'main', `agent_eval/${name}`))!);
        expect(text).not.toContain('sk-planted-secret');
        if (index === 1) expect(text).toContain('[REDACTED]');
      }
      expect((await client.datasetInfo(shardRepos[index]!)).cardData?.agent_eval).toMatchObject({ kind: 'results', run_id: RUN_ID, shard: { index: index + 1, count: 2 } });
    }
    expect(hub.repos.has(`alice/smoltrace-results-${timestamp}`)).toBe(false);
    expect(hub.repos.has('alice/smoltrace-leaderboard') ? (await files('alice/smoltrace-leaderboard')).filter((path) => path.startsWith('data/')) : []).toEqual([]);

    // Another run's shard 1, in the same second, is refused and changes nothing.
    const other = await run('other', ['--shard', '1/2', '--run-id', 'another-run']);
    const otherMetadata = join(other.directory, 'metadata.json');
    await writeFile(otherMetadata, JSON.stringify({ ...(await readJson(otherMetadata)), timestamp }, null, 2));
    const refused = await runCli(['push', other.directory], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Hub dataset ${shardRepos[0]} already holds run ${RUN_ID}`);
    expect((await rows(shardRepos[0]!)).every((row) => row.run_id === RUN_ID)).toBe(true);
  });

  it('merges the shards\' Hub results datasets into what merging their run directories gives, and --push publishes one run', async () => {
    localMerge = join(work, 'merged-local');
    expect((await runCli(['merge', ...shards, '-o', localMerge], { env })).code).toBe(0);
    const fromHub = join(work, 'merged-hub');
    const merged = await runCli(['merge', shardRepos[1]!, shardRepos[0]!, '-o', fromHub], { env });
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    expect(merged.stdout).toContain(`[MERGED] 2 shard(s), ${tasks.length} task(s), run ${RUN_ID} -> ${fromHub}`);
    for (const name of ['results.json', 'traces.json']) {
      expect(withoutTimes(await readJson(join(fromHub, name)))).toEqual(withoutTimes(await readJson(join(localMerge, name))));
    }
    expect((await readJson(join(fromHub, 'metrics.json'))).aggregates).toEqual((await readJson(join(localMerge, 'metrics.json'))).aggregates);
    const leaderboard = await readJson(join(fromHub, 'leaderboard_row.json'));
    const expected = await readJson(join(localMerge, 'leaderboard_row.json'));
    for (const field of ['run_id', 'total_tests', 'successful_tests', 'success_rate', 'total_tokens', 'total_cost_usd', 'planned_tests']) expect({ field, value: leaderboard[field] }).toEqual({ field, value: expected[field] });
    expect(await readdir(join(work, 'tmp'))).toEqual([]);

    const published = join(work, 'merged-pushed');
    const pushed = await runCli(['merge', ...shardRepos, '-o', published, '--push'], { env });
    expect(pushed.code).toBe(0);
    const board = (await files('alice/smoltrace-leaderboard')).filter((path) => path.startsWith('data/'));
    expect(board).toEqual([`data/${RUN_ID}.parquet`]);
    const [row] = await rows('alice/smoltrace-leaderboard', board[0]);
    const mergedTimestamp = (await readJson(join(published, 'metadata.json'))).timestamp;
    expect(row).toMatchObject({ run_id: RUN_ID, total_tests: tasks.length, results_dataset: `alice/smoltrace-results-${mergedTimestamp}` });
    expect((await rows(`alice/smoltrace-results-${mergedTimestamp}`)).length).toBe(tasks.length);
    expect(await readdir(join(work, 'tmp'))).toEqual([]);
  });

  it('refuses a dataset that is not a shard, one without the run files and a missing one, in one line, exit 2, writing nothing', async () => {
    const whole = await run('whole', ['--output-format', 'json', '--run-id', 'whole-run']);
    expect((await runCli(['push', whole.directory], { env })).code).toBe(0);
    const wholeRepo = `alice/smoltrace-results-${(await readJson(join(whole.directory, 'metadata.json'))).timestamp}`;
    hub.seedDataset('alice/smoltrace-results-20260101_000000-shard-1-of-2', { 'README.md': '---\nagent_eval:\n  kind: results\n  run_id: r\n  shard:\n    index: 1\n    count: 2\n---\n' });
    const refusals: [string, RegExp][] = [
      [wholeRepo, /merge: alice\/smoltrace-results-\d{8}_\d{6} is not a shard/],
      [wholeRepo.replace('-results-', '-traces-'), /is a traces dataset; give each shard's results dataset/],
      ['alice/smoltrace-results-20260101_000000-shard-1-of-2', /lacks agent_eval\/metadata\.json, agent_eval\/leaderboard_row\.json, agent_eval\/metrics\.json, agent_eval\/results\.jsonl/],
      ['alice/no-such-results-shard-1-of-2', /merge: alice\/no-such-results-shard-1-of-2: no such run directory, nor Hub dataset/],
    ];
    for (const [repo, message] of refusals) {
      const output = join(work, `refused-${Math.random().toString(36).slice(2)}`);
      const result = await runCli(['merge', repo, shardRepos[1]!, '-o', output], { env });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      await expect(readdir(output)).rejects.toThrow();
    }
    expect(await readdir(join(work, 'tmp'))).toEqual([]);
  });
});
