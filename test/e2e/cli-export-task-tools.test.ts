// export's `tools` are the tools each task was offered (#16 after #15): `bash` only for the task scored by
// bash, through a run, `agent-eval score -o` and `agent-eval merge` of shards; a run written before rows
// named their tools falls back to the run's offered_tools. The built CLI against a scripted loopback model.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { finalAnswer, scriptByPrompt, startOpenAIServer, toolCall, type LoopbackOpenAIServer } from '../helpers/openai-server.js';

// Task ids chosen so that --shard 1/2 takes bash_port and --shard 2/2 takes sum_prices (src/scale/shard.ts).
const BASH_TASK = { id: 'bash_port', prompt: 'Print the port setting of config/app.ini.', difficulty: 'easy', agent_type: 'tool', expected_tool: 'bash', expected_keywords: ['8080'], scorer: 'bash', fixture: { 'config/app.ini': 'host=localhost\nport=8080\n' }, reference_command: "grep '^port=' config/app.ini | cut -d= -f2" };
const PLAIN_TASK = { id: 'sum_prices', prompt: 'What do 3 items at 4 euros each cost?', difficulty: 'easy', agent_type: 'tool', expected_tool: 'calculator', expected_keywords: ['12'] };
const RUN_ID = 'task-tools-run';

let server: LoopbackOpenAIServer;
let work: string;
let tasksFile: string;

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

beforeAll(async () => {
  server = await startOpenAIServer({
    responder: scriptByPrompt({
      [BASH_TASK.prompt]: [toolCall('bash', { command: BASH_TASK.reference_command }), finalAnswer('8080')],
      [PLAIN_TASK.prompt]: [toolCall('calculator', { expression: '3 * 4' }), finalAnswer('12 euros')],
    }),
  });
  work = await mkdtemp(join(tmpdir(), 'agent-eval-task-tools-'));
  tasksFile = join(work, 'tasks.jsonl');
  await writeFile(tasksFile, [BASH_TASK, PLAIN_TASK].map((task) => JSON.stringify(task)).join('\n'));
});
afterAll(async () => server?.close());

async function evaluate(name: string, extra: string[] = []): Promise<string> {
  const output = join(work, name);
  const result = await runCli(['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--dataset-name', tasksFile, '--run-id', RUN_ID, '--output-dir', output, '--quiet', ...extra], { env: { OPENAI_API_KEY: 'sk-test' } });
  expect(result.stderr).not.toMatch(/unexpected error/);
  expect(result.code, result.stderr).toBe(0);
  const [directory] = await readdir(output);
  return join(output, directory!);
}

/** Each task's exported tool names (sft). */
async function exportedTools(run: string, name: string): Promise<Record<string, string[]>> {
  const file = join(work, `${name}.jsonl`);
  const result = await runCli(['export', run, '--format', 'sft', '-o', file]);
  expect(result.code, result.stderr).toBe(0);
  const lines = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { task_id: string; tools: { function: { name: string; parameters: unknown } }[] });
  return Object.fromEntries(lines.map((line) => [line.task_id, line.tools.map((tool) => tool.function.name)]));
}

describe("export --format sft: each line's tools are its task's own", () => {
  let whole: string;
  let perTask: Record<string, string[]>;

  it('lists bash for the task scored by bash only, as the rows and the traces record', async () => {
    whole = await evaluate('whole', ['--enable-otel']);
    const rows = (await readJson(join(whole, 'results.json'))) as { task_id: string; success: boolean; tools_offered: string[] }[];
    expect(rows.map((row) => [row.task_id, row.success])).toEqual([['bash_port', true], ['sum_prices', true]]);
    const runWide = ((await readJson(join(whole, 'metadata.json'))).offered_tools.tool as { function: { name: string } }[]).map((tool) => tool.function.name);
    expect(runWide).toContain('bash');
    perTask = await exportedTools(whole, 'whole');
    expect(perTask.bash_port).toContain('bash');
    expect(perTask.bash_port).toContain('final_answer');
    expect(perTask.sum_prices).toEqual(runWide.filter((name) => name !== 'bash'));
    expect(perTask.bash_port!.filter((name) => name !== 'bash')).toEqual(perTask.sum_prices);
    for (const row of rows) expect(row.tools_offered).toEqual(perTask[row.task_id]);
    // The trace's tool definitions are the task's own too.
    const traces = (await readJson(join(whole, 'traces.json'))) as { test_ids: string[]; spans: { attributes: Record<string, unknown> }[] }[];
    for (const trace of traces) {
      const definitions = trace.spans.map((span) => span.attributes['gen_ai.tool.definitions']).find((value) => typeof value === 'string') as string;
      expect(JSON.parse(definitions).map((tool: { function?: { name: string }; name?: string }) => tool.function?.name ?? tool.name)).toEqual(perTask[trace.test_ids[0]!]);
    }
  }, 60_000);

  it('keeps them through agent-eval score -o and agent-eval merge of shards', async () => {
    const scored = join(work, 'scored');
    const rescored = await runCli(['score', whole, '--scorer', 'smoltrace', '-o', scored]);
    expect(rescored.code, rescored.stderr).toBe(0);
    expect(await exportedTools(scored, 'scored')).toEqual(perTask);

    const shards = [await evaluate('shard-1', ['--shard', '1/2']), await evaluate('shard-2', ['--shard', '2/2'])];
    expect((await readJson(join(shards[0]!, 'results.json'))).map((row: { task_id: string }) => row.task_id)).toEqual(['bash_port']);
    const merged = join(work, 'merged');
    const result = await runCli(['merge', ...shards, '-o', merged]);
    expect(result.code, result.stderr).toBe(0);
    expect(await exportedTools(merged, 'merged')).toEqual(perTask);
  }, 90_000);

  it("a run whose rows do not name their tools (older runs) exports the run's offered_tools, as before", async () => {
    const older = await evaluate('older');
    const rows = (await readJson(join(older, 'results.json'))) as Record<string, unknown>[];
    await writeFile(join(older, 'results.json'), JSON.stringify(rows.map(({ tools_offered: _dropped, ...row }) => row), null, 2));
    const runWide = ((await readJson(join(older, 'metadata.json'))).offered_tools.tool as { function: { name: string } }[]).map((tool) => tool.function.name);
    expect(await exportedTools(older, 'older')).toEqual({ bash_port: runWide, sum_prices: runWide });
  }, 60_000);
});
