// The data flywheel through the built CLI: our own run's traces exported as OTLP JSON and imported
// give back the same tasks, tokens and tool calls; score re-scores imported and native runs; export
// writes sft/dpo/rewards with filters (Parquet read back here, and from Python when pyarrow is there).
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readParquet } from '../../src/hub/parquet.js';
import { BUILTIN_TASKS_FILE, loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli } from '../helpers/cli.js';
import { finalAnswer, startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const hasPyarrow = spawnSync('python3', ['-c', 'import pyarrow, datasets'], { stdio: 'ignore' }).status === 0;
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
const readLines = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));

type Row = Record<string, unknown> & { task_id: string; test_case_uid: string; success: boolean | null; tool_calls: { name: string; arguments: unknown; output: string }[] };

let server: LoopbackOpenAIServer;
let work: string;
let passingRun: string;
let failingRun: string;
let failedTask: Task;

async function evaluate(name: string): Promise<string> {
  const output = join(work, name);
  const result = await runCli(
    ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--output-dir', output, '--limit', '4', '--enable-otel', '--quiet'],
    { env: { OPENAI_API_KEY: 'sk-test' } },
  );
  expect(result.stderr).not.toMatch(/unexpected error/);
  const [directory] = await readdir(output);
  return join(output, directory!);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'agent-eval-flywheel-'));
  const tasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code');
  failedTask = tasks[0]!;
  server = await startOpenAIServer({ responder: solveTasks(tasks) });
  passingRun = await evaluate('passing');
  server.setResponder(solveTasks(tasks, { [failedTask.id]: [finalAnswer('I cannot tell.')] }));
  failingRun = await evaluate('failing');
}, 120_000);
afterAll(async () => server?.close());

describe('import round trip (built CLI)', () => {
  it("gives back our own run's tasks, tokens and tool calls from its traces as OTLP JSON", async () => {
    const otlp = join(work, 'traces.otlp.json');
    const exported = await runCli(['export', passingRun, '--format', 'otlp', '-o', otlp]);
    expect(exported.code).toBe(0);
    expect((await readJson(otlp)).resourceSpans[0].scopeSpans[0].spans.length).toBeGreaterThan(0);
    const imported = join(work, 'imported');
    const result = await runCli(['import', otlp, '-o', imported, '--tasks', BUILTIN_TASKS_FILE]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\[IMPORT\] 4 task\(s\) from 4 trace\(s\) \(otel\), 4 joined/);
    const original: Row[] = await readJson(join(passingRun, 'results.json'));
    const rows: Row[] = await readJson(join(imported, 'results.json'));
    const byUid = new Map(rows.map((row) => [row.test_case_uid, row]));
    expect([...byUid.keys()].sort()).toEqual(original.map((row) => row.test_case_uid).sort());
    for (const row of original) {
      const back = byUid.get(row.test_case_uid)!;
      expect(back).toMatchObject({ task_id: row.task_id, input_tokens: row.input_tokens, output_tokens: row.output_tokens, total_tokens: row.total_tokens, model_calls: row.model_calls, tools_used: row.tools_used, response: row.response, success: null });
      expect(back.tool_calls.map(({ name, arguments: args, output }) => ({ name, args, output }))).toEqual(row.tool_calls.map(({ name, arguments: args, output }) => ({ name, args, output })));
    }
    // Scored from the recorded run with the joined task rows: the same verdicts as the run's own.
    const scored = join(work, 'imported-scored');
    const score = await runCli(['score', imported, '-o', scored, '--scorer', 'smoltrace']);
    expect(score.code).toBe(0);
    const verdicts = new Map(((await readJson(join(scored, 'results.json'))) as Row[]).map((row) => [row.test_case_uid, row.success]));
    for (const row of original) expect(verdicts.get(row.test_case_uid)).toBe(row.success);
    expect((await readJson(join(scored, 'metadata.json'))).scoring[0]).toMatchObject({ scorers: ['smoltrace'], tasks_scored: 4 });
    const report = await runCli(['report', scored, '-o', join(work, 'scored.html')]);
    expect(report.code).toBe(0);
  });

  it('scores a native run again, to a new directory or in place', async () => {
    const rescored = join(work, 'rescored');
    const result = await runCli(['score', failingRun, '-o', rescored]);
    expect(result.code).toBe(0);
    const original: Row[] = await readJson(join(failingRun, 'results.json'));
    const rows: Row[] = await readJson(join(rescored, 'results.json'));
    expect(rows.map((row) => row.success)).toEqual(original.map((row) => row.success));
    // The same reasons as the runner gave (the wrong answer came without the expected tool call).
    expect(rows.map((row) => row.failure_reason)).toEqual(original.map((row) => row.failure_reason));
    expect(rows.find((row) => row.task_id === failedTask.id)).toMatchObject({ success: false, failure_reason: 'no_tool_call' });
    expect((await runCli(['score', failingRun, '-o', rescored])).stderr).toMatch(/already exists \(use --force/);
    const inPlace = await runCli(['score', rescored, '--in-place', '--scorer', 'exact']);
    expect(inPlace.code).toBe(0);
    const metadata = await readJson(join(rescored, 'metadata.json'));
    expect(metadata.scoring.map((entry: { scorers: string[] }) => entry.scorers)).toEqual([['smoltrace'], ['exact']]);
    const unknown = await runCli(['score', failingRun, '-o', join(work, 'never'), '--scorer', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--scorer nope: unknown scorer/);
  });
});

describe('export (built CLI)', () => {
  it('writes sft rows in the conversational format with tools, and filters them', async () => {
    const all = join(work, 'sft-all.jsonl');
    expect((await runCli(['export', passingRun, failingRun, '--format', 'sft', '-o', all])).code).toBe(0);
    const rows = await readLines(all);
    expect(rows).toHaveLength(8);
    // The same run given twice: identical trajectories are kept once unless --no-dedupe.
    const twice = join(work, 'sft-twice.jsonl');
    expect((await runCli(['export', passingRun, passingRun, '--format', 'sft', '-o', twice])).stdout).toMatch(/4 sft row\(s\) from 4 trajectory\(ies\) \(left out: 4 duplicate\)/);
    await runCli(['export', passingRun, passingRun, '--format', 'sft', '-o', twice, '--no-dedupe']);
    expect(await readLines(twice)).toHaveLength(8);
    const first = rows[0];
    expect(first.messages[0].role).toBe('system');
    expect(first.messages.some((message: { role: string; tool_calls?: unknown[] }) => message.role === 'assistant' && message.tool_calls?.length)).toBe(true);
    expect(first.messages.find((message: { role: string }) => message.role === 'tool')).toMatchObject({ tool_call_id: expect.any(String), name: expect.any(String) });
    expect(first.tools[0]).toMatchObject({ type: 'function', function: { name: expect.any(String), parameters: { type: 'object' } } });
    const passing = join(work, 'sft-pass.jsonl');
    const result = await runCli(['export', failingRun, '--format', 'sft', '-o', passing, '--only-success', '--max-steps', '10']);
    expect(result.stdout).toMatch(/left out: 1 failed/);
    expect((await readLines(passing)).every((row: { success: boolean }) => row.success)).toBe(true);
  });

  it('pairs passing and failing rollouts of a task for dpo, and groups rollouts with their scores for rewards', async () => {
    const dpo = join(work, 'dpo.jsonl');
    expect((await runCli(['export', passingRun, failingRun, '--format', 'dpo', '-o', dpo])).code).toBe(0);
    const pairs = await readLines(dpo);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ task_id: failedTask.id, prompt: [{ role: 'system' }, { role: 'user', content: expect.stringContaining(failedTask.prompt) }] });
    expect(JSON.stringify(pairs[0].rejected)).toContain('I cannot tell.');
    expect(pairs[0].chosen.at(-1).role).toBe('tool');
    const rewards = join(work, 'rewards.parquet');
    expect((await runCli(['export', passingRun, failingRun, '--format', 'rewards', '-o', rewards, '--no-dedupe'])).code).toBe(0);
    const groups = await readParquet(new Uint8Array(await readFile(rewards)), { parseJson: true });
    expect(groups).toHaveLength(4);
    const group = groups.find((candidate) => candidate.task_id === failedTask.id)!;
    expect(group.scores).toEqual([1, 0]);
    expect(group.success).toEqual([true, false]);
    expect((group.messages as unknown[][]).length).toBe(2);
  });

  it.skipIf(!hasPyarrow)('writes Parquet and JSONL that datasets loads', async () => {
    const parquet = join(work, 'sft.parquet');
    const jsonl = join(work, 'sft.jsonl');
    await runCli(['export', passingRun, '--format', 'sft', '-o', parquet]);
    await runCli(['export', passingRun, '--format', 'sft', '-o', jsonl]);
    const script = `import json,sys\nfrom datasets import load_dataset\np=load_dataset('parquet',data_files=sys.argv[1])['train']\nj=load_dataset('json',data_files=sys.argv[2])['train']\nprint(json.dumps({'rows':[len(p),len(j)],'role':p[0]['messages'][0]['role'],'tool':p[0]['tools'][0]['function']['name'],'features':str(p.features['messages'])}))`;
    const output = spawnSync('python3', ['-c', script, parquet, jsonl], { encoding: 'utf8' });
    expect(output.status).toBe(0);
    const view = JSON.parse(output.stdout.trim().split('\n').at(-1)!);
    expect(view.rows).toEqual([4, 4]);
    expect(view.role).toBe('system');
    expect(view.features).toMatch(/role/);
  });
});
