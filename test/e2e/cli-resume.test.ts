import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli, startCli } from '../helpers/cli.js';
import { messageText, startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

let toolTasks: Task[];
let server: LoopbackOpenAIServer;

beforeAll(async () => {
  toolTasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code');
});
afterEach(async () => server?.close());

async function journalIds(runDirectory: string): Promise<string[]> {
  const path = join(runDirectory, 'results.jsonl');
  if (!existsSync(path)) return [];
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim());
  return lines.flatMap((line) => {
    try {
      return [JSON.parse(line).test_case_uid as string];
    } catch {
      return [];
    }
  });
}

async function waitForRecords(output: string, count: number): Promise<string> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const [name] = existsSync(output) ? await readdir(output) : [];
    if (name && (await journalIds(join(output, name))).length >= count) return join(output, name);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the run recorded too few tasks in time');
}

const promptOf = (request: LoopbackOpenAIServer['requests'][number]) =>
  messageText(request.body.messages.find((message: { role: string }) => message.role === 'user')?.content);

describe('crash, interrupt and --resume', () => {
  it('loses nothing when killed and runs no task twice on --resume', async () => {
    server = await startOpenAIServer({ responder: solveTasks(toolTasks), latencyMs: 60 });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-resume-'));
    const args = ['run', '--model', 'openai/test-model', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--output-dir', output, '--parallel-workers', '2'];
    const { child, done } = startCli(args, { env: { OPENAI_API_KEY: 'sk-test' } });
    const runDirectory = await waitForRecords(output, 3);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    const before = await journalIds(runDirectory);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.length).toBeLessThan(toolTasks.length);
    const finishedPrompts = new Set(toolTasks.filter((task) => before.includes(`tool:${task.id}`)).map((task) => task.prompt));
    const requestsBefore = server.requests.length;

    const resumed = await runCli(['run', '--resume', runDirectory], { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(resumed.stderr).not.toMatch(/unexpected error/);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`[RESUME] ${before.length} of ${toolTasks.length} task(s) already recorded`);

    const after = await journalIds(runDirectory);
    expect(after).toHaveLength(toolTasks.length);
    expect(new Set(after).size).toBe(toolTasks.length);
    const rerun = server.requests.slice(requestsBefore).map(promptOf).filter((prompt) => [...finishedPrompts].some((done) => prompt.includes(done)));
    expect(rerun).toEqual([]);

    const rows = JSON.parse(await readFile(join(runDirectory, 'results.json'), 'utf8'));
    expect(rows.map((row: { task_id: string }) => row.task_id)).toEqual(toolTasks.map((task) => task.id));
    expect(new Set(rows.map((row: { run_id: string }) => row.run_id)).size).toBe(1);
    const metadata = JSON.parse(await readFile(join(runDirectory, 'metadata.json'), 'utf8'));
    expect(metadata).toMatchObject({ status: 'completed', num_results: toolTasks.length });
  });

  it('stops cleanly on Ctrl-C and keeps what finished', async () => {
    server = await startOpenAIServer({ responder: solveTasks(toolTasks), latencyMs: 80 });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-interrupt-'));
    const args = ['run', '--model', 'openai/test-model', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--output-dir', output, '--parallel-workers', '2'];
    const { child, done } = startCli(args, { env: { OPENAI_API_KEY: 'sk-test' } });
    const runDirectory = await waitForRecords(output, 2);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stdout).toContain(`continue with --resume ${runDirectory}`);
    const recorded = await journalIds(runDirectory);
    const rows = JSON.parse(await readFile(join(runDirectory, 'results.json'), 'utf8'));
    expect(rows.map((row: { test_case_uid: string }) => row.test_case_uid).sort()).toEqual([...recorded].sort());
    const metadata = JSON.parse(await readFile(join(runDirectory, 'metadata.json'), 'utf8'));
    expect(metadata.status).toBe('interrupted');
  });
});
