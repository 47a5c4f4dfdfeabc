// Provider trouble is not a model failure: outages longer than the retry budget, a model server that
// is down, malformed bodies and slow requests end as infrastructure errors that make the run exit 1
// and that --resume runs again.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli } from '../helpers/cli.js';
import { closedPort } from '../helpers/loopback-http.js';
import { messageText, startOpenAIServer, type LoopbackOpenAIServer, type RecordedRequest } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

let toolTasks: Task[];
let server: LoopbackOpenAIServer | undefined;

beforeAll(async () => {
  toolTasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ENV = { OPENAI_API_KEY: 'sk-test' };
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
const promptOf = (request: RecordedRequest) =>
  messageText(request.body.messages.find((message: { role: string }) => message.role === 'user')?.content).replace(/^New task:\n/, '');

async function onlyRunDirectory(output: string): Promise<string> {
  const names = await readdir(output);
  expect(names).toHaveLength(1);
  return join(output, names[0]!);
}

type Row = { task_id: string; success: boolean; error: string | null; error_kind: string | null };
const rowsById = async (runDirectory: string): Promise<Map<string, Row>> =>
  new Map((await readJson(join(runDirectory, 'results.json'))).map((row: Row) => [row.task_id, row]));

describe('infrastructure failures', () => {
  it('exits 1 after an outage longer than the retry budget, keeps the model rate apart, and --resume runs only those tasks again', async () => {
    const [down1, down2, slow] = toolTasks;
    const outage = [{ fault: { kind: 'status' as const, status: 503 } }];
    server = await startOpenAIServer({ responder: solveTasks(toolTasks, { [down1!.id]: outage, [down2!.id]: outage, [slow!.id]: [{ fault: { kind: 'hang' } }] }) });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-outage-'));
    const first = await runCli(
      ['run', '--model', 'openai/test-model', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--output-dir', output, '--max-retries', '1', '--timeout', '2', '--fail-under', '0.99'],
      { env: ENV },
    );
    expect(first.stderr).not.toMatch(/unexpected error/);
    const runDirectory = await onlyRunDirectory(output);
    // Exit 1 (infrastructure) takes precedence over --fail-under's 3.
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`[FAIL] 2 task(s) failed on infrastructure errors`);
    expect(first.stderr).toContain(`agent-eval run --resume ${runDirectory}`);
    const before = await rowsById(runDirectory);
    expect(before.get(down1!.id)).toMatchObject({ success: false, error_kind: 'infrastructure' });
    expect(before.get(down1!.id)!.error).toMatch(/503/);
    expect(before.get(slow!.id)).toMatchObject({ success: false, error_kind: 'timeout' });
    const count = toolTasks.length;
    expect(await readJson(join(runDirectory, 'leaderboard_row.json'))).toMatchObject({
      total_tests: count,
      successful_tests: count - 3,
      success_rate: Math.round(((count - 3) / count) * 10000) / 100,
      infrastructure_errors: 2,
      success_rate_excluding_infrastructure: Math.round(((count - 3) / (count - 2)) * 10000) / 100,
    });

    // The provider is back: a resume runs the two infrastructure failures, not the timeout.
    server.setResponder(solveTasks(toolTasks));
    const requests = server.requests.length;
    const resumed = await runCli(['run', '--resume', runDirectory], { env: ENV });
    expect(resumed.stderr).not.toMatch(/unexpected error/);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`[RESUME] ${count - 2} of ${count} task(s) already recorded`);
    const rerun = new Set(server.requests.slice(requests).map(promptOf));
    expect([...rerun].sort()).toEqual([down1!.prompt, down2!.prompt].sort());
    const after = await rowsById(runDirectory);
    expect(after.size).toBe(count);
    expect(after.get(down1!.id)).toMatchObject({ success: true, error_kind: null });
    expect(after.get(slow!.id)).toMatchObject({ error_kind: 'timeout' });
    // The journal keeps both lines; the later one is the task's record everywhere.
    const journal = (await readFile(join(runDirectory, 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(journal).toHaveLength(count + 2);
    expect(await readJson(join(runDirectory, 'leaderboard_row.json'))).toMatchObject({ total_tests: count, successful_tests: count - 1, infrastructure_errors: 0 });

    // --retry-errors also runs the timed-out task again.
    const again = await runCli(['run', '--resume', runDirectory, '--retry-errors'], { env: ENV });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`[RESUME] ${count - 1} of ${count} task(s) already recorded`);
    expect((await rowsById(runDirectory)).get(slow!.id)).toMatchObject({ success: true, error_kind: null });
    expect(await readJson(join(runDirectory, 'leaderboard_row.json'))).toMatchObject({ successful_tests: count, success_rate: 100 });
  }, 60_000);

  it('labels a malformed body and a request slower than --request-timeout as infrastructure, with the cause in error', async () => {
    const [malformed, slow] = toolTasks;
    server = await startOpenAIServer({ responder: solveTasks(toolTasks, { [malformed!.id]: [{ fault: { kind: 'malformed' } }], [slow!.id]: [{ content: 'late', delayMs: 3000 }] }) });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-labels-'));
    const result = await runCli(
      ['run', '--model', 'openai/test-model', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--output-dir', output, '--max-retries', '0', '--request-timeout', '1', '--task-id', malformed!.id, slow!.id],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[FAIL] 2 task(s) failed on infrastructure errors');
    const rows = await rowsById(await onlyRunDirectory(output));
    expect(rows.get(malformed!.id)).toMatchObject({ error_kind: 'infrastructure' });
    expect(rows.get(malformed!.id)!.error).toMatch(/malformed response/);
    expect(rows.get(slow!.id)).toMatchObject({ error_kind: 'infrastructure' });
    expect(rows.get(slow!.id)!.error).toMatch(/request timed out after 1 s \(--request-timeout\)/);
  });

  it('stops within 30 s when the model server is down (default retries), naming host:port, and --resume finishes once it is back', async () => {
    const port = await closedPort();
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-down-'));
    const started = Date.now();
    const result = await runCli(['run', '--model', 'openai/test-model', '--base-url', `http://127.0.0.1:${port}/v1`, '--agent-type', 'tool', '--output-dir', output], { env: ENV });
    const seconds = (Date.now() - started) / 1000;
    expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(result.code).toBe(1);
    expect(seconds).toBeLessThan(30);
    const runDirectory = await onlyRunDirectory(output);
    const stopped = result.stderr.split('\n').filter((line) => line.startsWith('[STOPPED]'));
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toContain(`the model endpoint 127.0.0.1:${port} is unreachable`);
    expect(stopped[0]).toContain(`--resume ${runDirectory}`);
    const metadata = await readJson(join(runDirectory, 'metadata.json'));
    expect(metadata).toMatchObject({ status: 'interrupted' });
    expect(metadata.stopped_because).toContain(`127.0.0.1:${port}`);
    // Far fewer than all tasks were recorded, and only as infrastructure errors.
    const recorded = existsSync(join(runDirectory, 'results.jsonl'))
      ? (await readFile(join(runDirectory, 'results.jsonl'), 'utf8')).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
      : [];
    expect(recorded.length).toBeLessThan(toolTasks.length);
    expect(recorded.every((record: Row) => record.error_kind === 'infrastructure')).toBe(true);

    server = await startOpenAIServer({ responder: solveTasks(toolTasks), port });
    const resumed = await runCli(['run', '--resume', runDirectory], { env: ENV });
    expect(resumed.stderr).not.toMatch(/unexpected error/);
    expect(resumed.code).toBe(0);
    const rows = await rowsById(runDirectory);
    expect(rows.size).toBe(toolTasks.length);
    expect([...rows.values()].every((row) => row.success)).toBe(true);
  }, 90_000);

  it('rejects --retry-errors without --resume with one line (exit 2)', async () => {
    const result = await runCli(['run', '--model', 'openai/test-model', '--base-url', 'http://127.0.0.1:9/v1', '--retry-errors'], { env: ENV });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('agent-eval: --retry-errors: only with --resume <run-dir>');
  });

  it('rejects a bad AGENT_EVAL_UNREACHABLE_SECONDS with one line (exit 2)', async () => {
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-window-'));
    const result = await runCli(['run', '--model', 'openai/test-model', '--base-url', 'http://127.0.0.1:9/v1', '--agent-type', 'tool', '--output-dir', output], { env: { ...ENV, AGENT_EVAL_UNREACHABLE_SECONDS: 'soon' } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe("agent-eval: AGENT_EVAL_UNREACHABLE_SECONDS: expected a number of seconds above 0, got 'soon'");
  });
});
