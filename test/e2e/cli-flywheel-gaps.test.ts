// The flywheel commands through the built CLI, for what flywheel-cli.test.ts leaves out: imports of the
// AgentTrace, OpenInference and OpenLLMetry fixtures and bad input (one line, exit 2); unscored runs read as
// "not scored" by query and compare; score with judge, gaia and bash, and on SMOLTRACE's own run; export
// --min-score and --push; a native run's tools and reasoning in sft rows; dpo and rewards files from Python.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_TASKS_FILE, loadTasks } from '../../src/tasks/load.js';
import { runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { finalAnswer, messageText, startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/import/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const hasPython = spawnSync('python3', ['-c', 'import pyarrow, datasets'], { stdio: 'ignore' }).status === 0;
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
const readLines = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
type Row = Record<string, unknown> & { task_id: string; success: boolean | null; scores?: Record<string, { value: number; passed: boolean }> };

const TOKEN = 'hf_alice';
let work: string;
let judge: LoopbackOpenAIServer;
let hub: HubServer;

async function importRun(name: string, sources: string[], extra: string[] = []): Promise<string> {
  const output = join(work, name);
  const result = await runCli(['import', ...sources, '-o', output, ...extra]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return output;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'agent-eval-flywheel-gaps-'));
  // The judge grades 5 of 5 an answer about Paris, 2 of 5 anything else.
  judge = await startOpenAIServer({ responder: (request) => ({ content: JSON.stringify({ reasoning: 'checked', grade: request.body.messages.map((message: { content: unknown }) => messageText(message.content)).join(' ').includes('rainy in Paris') ? 5 : 2 }) }) });
  hub = await startHubServer({ users: { [TOKEN]: 'alice' } });
}, 60_000);
afterAll(async () => {
  await judge?.close();
  await hub?.close();
});

describe('import fixtures (built CLI)', () => {
  it('imports AgentTrace rows with their reasoning, telemetry and tool arguments', async () => {
    const run = await importRun('agenttrace', [fixture('agenttrace.jsonl')]);
    const rows: Row[] = await readJson(join(run, 'results.json'));
    expect(rows.map((row) => row.task_id)).toEqual(['nl2bash_17', 'mbpp_42']);
    expect(rows[0]).toMatchObject({ success: null, response: 'b.txt\na.txt', tool_calls: [{ name: 'bash', arguments: { command: 'ls -S /tmp' }, resources: { exitCode: 0 } }] });
    expect((await readJson(join(run, 'metadata.json'))).imported).toMatchObject({ format: 'agenttrace' });
  });

  it('imports OpenInference spans and OpenLLMetry OTLP lines', async () => {
    const openInference: Row[] = await readJson(join(await importRun('openinference', [fixture('openinference-spans.json')]), 'results.json'));
    expect(openInference[0]).toMatchObject({ task_id: 'sum_numbers', tools_used: ['calculator'], success: null });
    const openLlmetry: Row[] = await readJson(join(await importRun('openllmetry', [fixture('openllmetry.jsonl')]), 'results.json'));
    expect(openLlmetry[0]).toMatchObject({ task_id: 'capital_france', response: 'Paris.', tools_used: ['search'] });
  });

  it('refuses files that are not traces, span trees with cycles and broken JSON: one line naming the file, exit 2, nothing written', async () => {
    for (const [name, message] of [['not-a-trace.json', /not-a-trace\.json: /], ['cycle.json', /cycle\.json: .*cycle/], ['broken.json', /broken\.json: /]] as const) {
      const output = join(work, `refused-${name}`);
      const result = await runCli(['import', fixture(name), '-o', output]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      await expect(readdir(output)).rejects.toThrow();
    }
  });
});

describe('unscored runs (built CLI)', () => {
  it('query keeps success null and compare says "not scored", never 0%', async () => {
    const run = join(work, 'openinference');
    const query = await runCli(['query', 'select task_id, success from results', run, '--format', 'json']);
    expect(query.code).toBe(0);
    expect(query.stdout).toMatch(/"success":\s*null/);
    const compare = await runCli(['compare', run, run]);
    expect(compare.code).toBe(0);
    expect(compare.stdout).toMatch(/not scored of 1 task\(s\)/);
    expect(compare.stdout).toContain('paired tasks (scored in both): 0; success n/a -> n/a');
    expect(compare.stdout).not.toContain('0.0%');
  });
});

describe('score (built CLI)', () => {
  it('scores an imported run with the judge, then exports by --min-score and pushes to the Hub', async () => {
    const imported = await importRun('genai', [fixture('genai-otlp.json')], ['--tasks', fixture('tasks.jsonl')]);
    const scored = join(work, 'genai-judged');
    const result = await runCli(['score', imported, '--scorer', 'judge', '--judge-model', 'openai/judge-model', '--judge-base-url', `${judge.url}/v1`, '-o', scored], { env: { OPENAI_API_KEY: 'sk-judge' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows: Row[] = await readJson(join(scored, 'results.json'));
    expect(rows.map((row) => [row.task_id, row.success, row.scores?.judge?.value])).toEqual([['weather_paris', true, 1], ['fx_convert', false, 0.25]]);
    expect((await readJson(join(scored, 'metadata.json'))).scoring.at(-1)).toMatchObject({ scorers: ['judge'], judge_model: 'openai/judge-model' });

    const high = join(work, 'judge-high.jsonl');
    const exported = await runCli(['export', scored, '--format', 'sft', '--scorer', 'judge', '--min-score', '0.5', '-o', high, '--push', 'alice/judged-sft'], { env: { HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN, HF_HOME: join(work, 'hf-home') } });
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/left out: 1 score/);
    const highRows = await readLines(high);
    expect(highRows.map((row) => [row.task_id, row.score])).toEqual([['weather_paris', 1]]);
    expect(exported.stdout).toContain('[PUSH]');
    expect(hub.repos.get('alice/judged-sft')!.private).toBe(true);
    expect(new TextDecoder().decode(hub.readFile('alice/judged-sft', 'data/judge-high.jsonl'))).toBe(await readFile(high, 'utf8'));
    expect(new TextDecoder().decode(hub.readFile('alice/judged-sft', 'README.md'))).toContain(`sft data exported by agent-eval from: ${scored}`);
    const none = join(work, 'judge-none.jsonl');
    expect((await runCli(['export', scored, '--format', 'sft', '--scorer', 'judge', '--min-score', '1.5', '-o', none])).stdout).toMatch(/0 sft row\(s\)/);
  });

  it('scores an imported run with gaia (the joined expected answer)', async () => {
    const imported = await importRun('openinference-tasks', [fixture('openinference-spans.json')], ['--tasks', fixture('tasks.jsonl')]);
    const scored = join(work, 'openinference-gaia');
    const result = await runCli(['score', imported, '--scorer', 'gaia', '-o', scored]);
    expect(result.code).toBe(0);
    const [row]: Row[] = await readJson(join(scored, 'results.json'));
    // GAIA's question_scorer: "5" is a number, the answer "The sum is 5." is not.
    expect(row).toMatchObject({ task_id: 'sum_numbers', response: 'The sum is 5.', success: false, scores: { gaia: { passed: false, explanation: expect.stringContaining('compared as numbers') } } });
    const tasks = join(work, 'sum-as-text.jsonl');
    await writeFile(tasks, `${JSON.stringify({ id: 'sum_numbers', prompt: 'Add 2 and 3', difficulty: 'easy', agent_type: 'tool', expected_answer: 'the sum is 5' })}\n`);
    const again = join(work, 'openinference-gaia-text');
    expect((await runCli(['score', imported, '--scorer', 'gaia', '--tasks', tasks, '-o', again])).code).toBe(0);
    expect((await readJson(join(again, 'results.json')))[0]).toMatchObject({ success: true, scores: { gaia: { passed: true } } });
  });

  it("scores an imported AgentTrace NL2Bash run with bash: the command comes from the trace's tool input", async () => {
    const traces = join(work, 'nl2bash.jsonl');
    const trace = (id: string, command: string) => ({
      trace_id: `t-${id}`, timestamp_utc: '2026-03-28T13:31:44Z', prompt: 'How many files are here?', model: 'Qwen/Qwen3-0.6B', total_duration_ms: 50,
      spans: [{ span_id: `s-${id}`, type: 'TOOL', tool_name: 'bash', tool_input: `args=() kwargs={'command': '${command}'}`, tool_output: '2', duration_ms: 3, exit_code: 0 }],
      llm_steps: [{ step_number: 1, model_output: null, tool_calls: [{ name: 'bash' }], input_tokens: 10, output_tokens: 5 }, { step_number: 2, model_output: '2', tool_calls: [], input_tokens: 12, output_tokens: 1 }],
      metadata: { task_id: id },
    });
    await writeFile(traces, [trace('count_right', 'ls | wc -l'), trace('count_wrong', 'ls -a | wc -l')].map((line) => JSON.stringify(line)).join('\n'));
    const tasks = join(work, 'nl2bash-tasks.jsonl');
    const task = (id: string) => ({ id, prompt: 'How many files are here?', difficulty: 'easy', agent_type: 'tool', scorer: 'bash', fixture: { 'a.txt': 'a', 'b.md': 'b' }, reference_command: 'ls | wc -l' });
    await writeFile(tasks, [task('count_right'), task('count_wrong')].map((line) => JSON.stringify(line)).join('\n'));
    const imported = await importRun('nl2bash', [traces], ['--tasks', tasks]);
    const scored = join(work, 'nl2bash-scored');
    const result = await runCli(['score', imported, '--scorer', 'bash', '-o', scored]);
    expect(result.code).toBe(0);
    const rows: Row[] = await readJson(join(scored, 'results.json'));
    expect(rows.map((row) => [row.task_id, row.success])).toEqual([['count_right', true], ['count_wrong', false]]);
    expect(JSON.stringify(rows[1]!.scores)).toMatch(/ls -a \| wc -l/);
  });

  it("scores SMOLTRACE's own run directory with --tasks", async () => {
    const scored = join(work, 'smoltrace-scored');
    const result = await runCli(['score', fixture('smoltrace-run'), '--tasks', BUILTIN_TASKS_FILE, '-o', scored]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows: Row[] = await readJson(join(scored, 'results.json'));
    expect(rows.map((row) => [row.task_id, row.success, row.failure_reason])).toEqual([['tool_weather_single', false, 'missing_keyword'], ['tool_time_single', false, 'model_error']]);
    expect(await readJson(join(scored, 'leaderboard_row.json'))).toMatchObject({ total_tests: 2, successful_tests: 0, scored_tests: 2 });
  });
});

describe('export of a native run (built CLI)', () => {
  let server: LoopbackOpenAIServer;
  let passing: string;
  let failing: string;

  beforeAll(async () => {
    const tasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code').slice(0, 3);
    const solve = solveTasks(tasks);
    // Every reply carries reasoning, as a reasoning model's would.
    server = await startOpenAIServer({ responder: async (request) => ({ ...(await solve(request)), reasoning: 'thinking it over' }) });
    const evaluate = async (name: string) => {
      const output = join(work, name);
      const args = ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', ...tasks.flatMap((task) => ['--task-id', task.id]), '--output-dir', output, '--quiet'];
      const result = await runCli(args, { env: { OPENAI_API_KEY: 'sk-test' } });
      expect(result.stderr).not.toMatch(/unexpected error/);
      const [directory] = await readdir(output);
      return join(output, directory!);
    };
    passing = await evaluate('native-pass');
    server.setResponder(solveTasks(tasks, { [tasks[0]!.id]: [finalAnswer('I cannot tell.')] }));
    failing = await evaluate('native-fail');
  }, 120_000);
  afterAll(async () => server?.close());

  it('keeps the offered tools (metadata.json) and the reasoning (row messages) for sft, without a trace; requests never send reasoning back', async () => {
    const metadata = await readJson(join(passing, 'metadata.json'));
    expect(metadata.offered_tools.tool.map((tool: { function: { name: string } }) => tool.function.name)).toContain('final_answer');
    const rows: Row[] = await readJson(join(passing, 'results.json'));
    expect((rows[0]!.messages as { role: string; reasoning_content?: string }[]).find((message) => message.role === 'assistant')?.reasoning_content).toBe('thinking it over');
    const sft = join(work, 'native.jsonl');
    expect((await runCli(['export', passing, '--format', 'sft', '-o', sft])).code).toBe(0);
    const [first] = await readLines(sft);
    expect(first.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual(metadata.offered_tools.tool.map((tool: { function: { name: string } }) => tool.function.name));
    expect(first.messages.some((message: { reasoning_content?: string }) => message.reasoning_content === 'thinking it over')).toBe(true);
    for (const request of server.requests) for (const message of request.body.messages) expect(message.reasoning_content).toBeUndefined();
  });

  it.skipIf(!hasPython)('writes dpo and rewards files that datasets loads as Parquet and JSON, with the same rows', async () => {
    const files: Record<string, string> = {};
    for (const format of ['dpo', 'rewards']) {
      for (const extension of ['parquet', 'jsonl']) {
        const path = join(work, `${format}.${extension}`);
        const result = await runCli(['export', passing, failing, '--format', format, '-o', path]);
        expect(result.code).toBe(0);
        files[`${format}.${extension}`] = path;
      }
    }
    const script = [
      'import json, sys',
      'from datasets import load_dataset',
      // Parquet structs carry every field (null where a message lacks it): compare without the nulls.
      'def bare(value):',
      '    if isinstance(value, dict): return {key: bare(item) for key, item in value.items() if item is not None}',
      '    if isinstance(value, list): return [bare(item) for item in value]',
      '    return value',
      'out = {}',
      'for name, path in json.loads(sys.argv[1]).items():',
      "    data = load_dataset('parquet' if path.endswith('.parquet') else 'json', data_files=path)['train']",
      "    out[name] = {'rows': len(data), 'columns': sorted(data.column_names), 'first': bare(data[0]), 'parameters': type(data[0]['tools'][0]['function']['parameters']).__name__}",
      'print(json.dumps(out, default=str))',
    ].join('\n');
    const output = spawnSync('python3', ['-c', script, JSON.stringify(files)], { encoding: 'utf8' });
    expect(output.stderr).not.toMatch(/Traceback/);
    expect(output.status).toBe(0);
    const view = JSON.parse(output.stdout.trim().split('\n').at(-1)!);
    expect(view['dpo.parquet'].rows).toBe(1);
    expect(view['dpo.jsonl'].rows).toBe(1);
    expect(view['dpo.parquet'].columns).toEqual(view['dpo.jsonl'].columns);
    expect(view['dpo.parquet'].first.chosen).toEqual(view['dpo.jsonl'].first.chosen);
    // As the README says: a tool's parameters are JSON text in Parquet, an object in JSONL.
    expect([view['dpo.parquet'].parameters, view['dpo.jsonl'].parameters]).toEqual(['str', 'dict']);
    expect(JSON.parse(view['dpo.parquet'].first.tools[0].function.parameters)).toEqual(view['dpo.jsonl'].first.tools[0].function.parameters);
    expect(view['dpo.parquet'].first.rejected.at(-1).content).toContain('I cannot tell.');
    expect(view['rewards.parquet'].rows).toBe(3);
    expect(view['rewards.jsonl'].rows).toBe(3);
    expect(view['rewards.parquet'].first.scores).toEqual(view['rewards.jsonl'].first.scores);
    expect(view['rewards.parquet'].first.success).toEqual(view['rewards.jsonl'].first.success);
  });
});
