import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import { CLI_PATH, cliEnvironment, runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const run = promisify(execFile);

const TOKEN = 'hf_alice_token_0123456789';
const OPENAI_KEY = 'sk-proj-secret-value-0123456789abcdef';
let hub: HubServer;

beforeAll(async () => {
  hub = await startHubServer({ users: { [TOKEN]: 'alice' } });
});
afterAll(async () => hub?.close());

const env = () => ({ HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN, OPENAI_API_KEY: OPENAI_KEY });
const RUN_FLAGS = ['--model', 'openai/gpt-4o-mini', '--agent-type', 'both', '--dataset-name', 'alice/tasks', '--dataset-revision', 'v1'];

describe('agent-eval jobs on the (loopback) Hugging Face Jobs API', () => {
  let runId: string;

  it('submits one job per shard (its run, then its files to the private shard store), secrets as job secrets only', async () => {
    const result = await runCli(['jobs', 'run', '--shards', '3', '--flavor', 'cpu-upgrade', '--image', 'ghcr.io/me/agent-eval:1', '--secrets', 'OPENAI_API_KEY', '--timeout', '2h', '--', ...RUN_FLAGS], { env: env() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    runId = /\[RUN ID\] (\S+)/.exec(result.stdout)![1]!;
    expect(hub.jobs.submissions).toHaveLength(3);
    for (const [index, body] of hub.jobs.submissions.entries()) {
      expect(body).toEqual({
        dockerImage: 'ghcr.io/me/agent-eval:1',
        command: ['sh', '-c', `agent-eval run "$@" --shard ${index + 1}/3 --output-dir agent-eval-shard && agent-eval jobs store-shard agent-eval-shard --repo alice/agent-eval-shards-${runId} --shard ${index + 1}`, 'agent-eval-shard', ...RUN_FLAGS, '--run-id', runId],
        arguments: [],
        environment: {},
        secrets: { HF_TOKEN: TOKEN, OPENAI_API_KEY: OPENAI_KEY },
        flavor: 'cpu-upgrade',
        timeoutSeconds: 7200,
        labels: { 'agent-eval-run-id': runId, 'agent-eval-shard': `${index + 1}/3` },
      });
    }
    expect(result.stdout).toContain('[SECRETS] HF_TOKEN, OPENAI_API_KEY (passed as job secrets)');
    // The shard store exists, private, before any job starts.
    expect(hub.repos.get(`alice/agent-eval-shards-${runId}`)?.private).toBe(true);
    expect(result.stdout.match(/\[JOB\] shard \d\/3: [0-9a-f]{24} http:\/\/127\.0\.0\.1:\d+\/jobs\/alice\/[0-9a-f]{24}/g)).toHaveLength(3);
    expect(result.stdout).not.toContain(OPENAI_KEY);
    expect(result.stdout).not.toContain(TOKEN);
    expect(result.stdout).not.toContain('[REDACTED]');
    // Every Jobs request went to the Hub endpoint with the token, as alice.
    expect(hub.requests.filter((request) => request.path.startsWith('/api/jobs/')).every((request) => request.user === 'alice')).toBe(true);
  });

  it('refuses a secret in the run flags, and flags jobs run sets itself, before submitting anything', async () => {
    const before = hub.jobs.submissions.length;
    const leaked = await runCli(['jobs', 'run', '--shards', '2', '--secrets', 'OPENAI_API_KEY', '--', ...RUN_FLAGS, '--base-url', `https://user:${OPENAI_KEY}@example.com/v1`], { env: env() });
    expect(leaked.code).toBe(2);
    expect(leaked.stderr).toMatch(/a run flag holds the value of OPENAI_API_KEY; pass it with --secrets OPENAI_API_KEY instead/);
    expect(leaked.stderr).not.toContain(OPENAI_KEY);
    const reserved = await runCli(['jobs', 'run', '--shards', '2', '--', ...RUN_FLAGS, '--shard', '1/2'], { env: env() });
    expect(reserved.code).toBe(2);
    expect(reserved.stderr).toContain('--shard is set for each shard by jobs run');
    expect(hub.jobs.submissions).toHaveLength(before);
  });

  it('reports status over the shards, scrubs secrets from logs, and waits until a failed shard is reported with its resubmission', async () => {
    const jobs = [...hub.jobs.jobs.values()];
    hub.jobs.finish(jobs[0]!.id, 'COMPLETED');
    hub.jobs.finish(jobs[1]!.id, 'ERROR', 'OOMKilled');
    hub.jobs.log(jobs[1]!.id, 'starting shard 2/3', `oops, printed the key ${OPENAI_KEY}`);

    const status = await runCli(['jobs', 'status', runId], { env: env() });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`[RUN ${runId}] 1/3 completed, 1 error, 1 running`);
    expect(status.stdout).toMatch(/shard 2\/3 {2}[0-9a-f]{24} {2}ERROR {2}OOMKilled/);
    const single = await runCli(['jobs', 'status', jobs[1]!.id], { env: env() });
    expect(single.stdout).toContain(`${jobs[1]!.id}  ERROR  OOMKilled`);

    const logs = await runCli(['jobs', 'logs', runId], { env: env() });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('[shard 2] starting shard 2/3');
    expect(logs.stdout).not.toContain('Job started');
    expect(logs.stdout).not.toContain(OPENAI_KEY);

    hub.jobs.finish(jobs[2]!.id, 'COMPLETED');
    const waited = await runCli(['jobs', 'wait', runId, '--interval', '0.05'], { env: env() });
    expect(waited.code).toBe(1);
    expect(waited.stdout).toContain(`[WAIT] run ${runId}: 2/3 completed, 1 error`);
    expect(waited.stderr).toContain(`[FAILED] shard 2/3 (${jobs[1]!.id}): ERROR: OOMKilled`);
    const resubmit = /Resubmit with: agent-eval (.*)/.exec(waited.stderr)![1]!;
    expect(resubmit).toBe(`jobs run --shards 3 --only-shards 2 --flavor cpu-upgrade --image ghcr.io/me/agent-eval:1 --secrets OPENAI_API_KEY -- ${[...RUN_FLAGS, '--run-id', runId].join(' ')}`);

    // The printed command resubmits shard 2 under the same run id; once it completes, the run is done.
    const again = await runCli(resubmit.split(' '), { env: env() });
    expect(again.code).toBe(0);
    const resubmitted = hub.jobs.submissions.at(-1)! as { command: string[]; labels: Record<string, string> };
    expect(resubmitted.labels).toEqual({ 'agent-eval-run-id': runId, 'agent-eval-shard': '2/3' });
    const newest = [...hub.jobs.jobs.values()].at(-1)!;
    const running = await runCli(['jobs', 'status', runId], { env: env() });
    expect(running.stdout).toContain('2/3 completed, 1 running');
    hub.jobs.finish(newest.id, 'COMPLETED');
    // The shards of this run never stored files (no real job ran): waiting ends in a merge that finds none.
    const done = await runCli(['jobs', 'wait', runId, '--interval', '0.05', '--no-push', '-o', `/tmp/agent-eval-none-${runId}`], { env: env() });
    expect(done.stdout).toContain(`[DONE] all 3 shard(s) completed`);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain('merge: give the run directories of the shards');
  });

  it('cancels the unfinished shards of a run', async () => {
    const submitted = await runCli(['jobs', 'run', '--shards', '2', '--', ...RUN_FLAGS], { env: env() });
    const runId2 = /\[RUN ID\] (\S+)/.exec(submitted.stdout)![1]!;
    const [first] = [...hub.jobs.jobs.values()].filter((job) => (job.spec.labels as Record<string, string>)['agent-eval-run-id'] === runId2);
    hub.jobs.finish(first!.id, 'COMPLETED');
    const canceled = await runCli(['jobs', 'cancel', runId2], { env: env() });
    expect(canceled.code).toBe(0);
    expect(canceled.stdout.trim().split('\n')).toHaveLength(1);
    const status = await runCli(['jobs', 'status', runId2], { env: env() });
    expect(status.stdout).toContain('1/2 completed, 1 canceled');
  });
});

describe('a sharded run on (loopback) Hugging Face Jobs, end to end', () => {
  it('each job runs its shard and stores its files; jobs wait merges them and publishes one run', async () => {
    const tasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type === 'tool' && task.expected_tool !== 'web_search').slice(0, 6);
    const model = await startOpenAIServer({ responder: solveTasks(tasks), requireApiKey: OPENAI_KEY });
    try {
      const flags = ['--model', 'openai/gpt-4o-mini', '--base-url', `${model.url}/v1`, '--agent-type', 'tool', ...tasks.flatMap((task) => ['--task-id', task.id])];
      const submitted = await runCli(['jobs', 'run', '--shards', '2', '--secrets', 'OPENAI_API_KEY', '--', ...flags], { env: env() });
      expect(submitted.code).toBe(0);
      const runId = /\[RUN ID\] (\S+)/.exec(submitted.stdout)![1]!;
      const jobs = [...hub.jobs.jobs.values()].filter((job) => (job.spec.labels as Record<string, string>)['agent-eval-run-id'] === runId);
      expect(jobs).toHaveLength(2);
      // What the Hub does with each job: its command in a fresh folder, agent-eval on the PATH, the secrets as environment.
      const bin = await mkdtemp(join(tmpdir(), 'agent-eval-bin-'));
      await writeFile(join(bin, 'agent-eval'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_PATH}" "$@"\n`, { mode: 0o755 });
      for (const job of jobs) {
        const command = job.spec.command as string[];
        const secrets = job.spec.secrets as Record<string, string>;
        const result = await run(command[0]!, command.slice(1), { cwd: await mkdtemp(join(tmpdir(), 'agent-eval-job-')), env: cliEnvironment({ ...secrets, HF_ENDPOINT: hub.url, PATH: `${bin}:${process.env.PATH}` }) });
        expect(result.stdout).toMatch(/\[STORED\] shard \d in alice\/agent-eval-shards-/);
        hub.jobs.finish(job.id, 'COMPLETED');
      }
      const output = join(await mkdtemp(join(tmpdir(), 'agent-eval-merged-')), 'run');
      const waited = await runCli(['jobs', 'wait', runId, '--interval', '0.05', '-o', output], { env: env() });
      expect(waited.stderr).not.toMatch(/unexpected error/);
      expect(waited.code).toBe(0);
      expect(waited.stdout).toContain(`[MERGED] 2 shard(s), ${tasks.length} task(s), run ${runId} -> ${output}`);
      const rows = JSON.parse(await readFile(join(output, 'results.json'), 'utf8'));
      expect(rows.map((row: { task_id: string }) => row.task_id).sort()).toEqual(tasks.map((task) => task.id).sort());
      // One leaderboard row for the whole run, and one results dataset.
      const leaderboard = hub.repos.get('alice/smoltrace-leaderboard');
      expect(leaderboard).toBeDefined();
      const rowFiles = [...hub.store.resolve(leaderboard!, 'main')!.files.keys()].filter((path) => path.startsWith('data/'));
      expect(rowFiles).toEqual([`data/${runId}.parquet`]);
      expect([...hub.repos.keys()].filter((name) => name.startsWith('alice/smoltrace-results-'))).toHaveLength(1);
    } finally {
      await model.close();
    }
  }, 120_000);
});
