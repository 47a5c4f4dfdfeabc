// Every failed task says why: failure_reason and failure_detail in the files and on the console, for
// each kind of failure the loopback OpenAI server can script.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { finalAnswer, scriptByPrompt, startOpenAIServer, toolCall, type LoopbackOpenAIServer, type ScriptedReply } from '../helpers/openai-server.js';

interface ScriptedTask {
  id: string;
  expected_tool: string;
  expected_tool_calls?: number;
  expected_keywords?: string[];
  script: ScriptedReply[];
  reason: string | null;
  detail: string | RegExp | null;
}

const weather = toolCall('get_weather', { location: 'Paris, France' });
const badSum = toolCall('calculator', { expression: 'two plus two' });

const TASKS: ScriptedTask[] = [
  { id: 'passes', expected_tool: 'get_weather', expected_keywords: ['sunny'], script: [weather, finalAnswer('It is sunny.')], reason: null, detail: null },
  { id: 'no-tool', expected_tool: 'get_weather', script: [finalAnswer('I guess sunny.')], reason: 'no_tool_call', detail: 'expected get_weather, no tool was called' },
  { id: 'no-tool-2', expected_tool: 'calculator', script: [finalAnswer('4')], reason: 'no_tool_call', detail: 'expected calculator, no tool was called' },
  { id: 'no-tool-3', expected_tool: 'multiple', expected_tool_calls: 2, script: [finalAnswer('4')], reason: 'no_tool_call', detail: 'expected at least 2 tool calls, no tool was called' },
  { id: 'wrong-tool', expected_tool: 'get_weather', script: [toolCall('calculator', { expression: '2+2' }), finalAnswer('4')], reason: 'wrong_tool', detail: 'expected get_weather, called calculator' },
  {
    id: 'too-few',
    expected_tool: 'get_weather',
    expected_tool_calls: 2,
    script: [weather, finalAnswer('sunny')],
    reason: 'tool_count',
    detail: 'expected get_weather called 2 times, called it 1 time',
  },
  {
    id: 'no-keyword',
    expected_tool: 'get_weather',
    expected_keywords: ['rain'],
    script: [weather, finalAnswer('It is sunny.')],
    reason: 'missing_keyword',
    detail: 'expected the keyword "rain" in the answer, got "It is sunny."',
  },
  { id: 'loops', expected_tool: 'get_weather', script: [weather], reason: 'max_steps', detail: 'reached max steps (3) without a final answer' },
  { id: 'tool-fails', expected_tool: 'calculator', script: [badSum], reason: 'tool_error', detail: /^reached max steps \(3\) without a final answer after the last tool calls failed; the last failed call was calculator: "/ },
  { id: 'rejected', expected_tool: 'get_weather', script: [{ fault: { kind: 'status', status: 400 } }], reason: 'model_error', detail: /^request rejected \(400\)/ },
  { id: 'server-down', expected_tool: 'get_weather', script: [{ fault: { kind: 'status', status: 503 } }], reason: 'infrastructure', detail: /^server error \(503\)/ },
  { id: 'slow', expected_tool: 'get_weather', script: [{ ...weather, delayMs: 10_000 }], reason: 'timeout', detail: 'task timed out after 2 s' },
  { id: 'misspelt', expected_tool: 'get_wether', script: [weather, finalAnswer('sunny')], reason: 'wrong_tool', detail: 'expected get_wether, called get_weather' },
];

const prompt = (task: ScriptedTask) => `Task ${task.id}: what is the weather in Paris?`;

let directory: string;
let server: LoopbackOpenAIServer;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-eval-failures-'));
  const rows = TASKS.map((task) => ({
    id: task.id,
    prompt: prompt(task),
    difficulty: 'Easy',
    agent_type: 'tool',
    expected_tool: task.expected_tool,
    expected_tool_calls: task.expected_tool_calls ?? 1,
    expected_keywords: task.expected_keywords ?? [],
  }));
  await writeFile(join(directory, 'tasks.jsonl'), rows.map((row) => JSON.stringify(row)).join('\n'));
  server = await startOpenAIServer({ responder: scriptByPrompt(Object.fromEntries(TASKS.map((task) => [`Task ${task.id}:`, task.script]))) });
});
afterAll(async () => server?.close());

async function evaluate(output: string, extra: string[] = []): Promise<CliResult> {
  return runCli(
    [
      'run', '--model', 'openai/test-model', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--dataset-name', join(directory, 'tasks.jsonl'),
      '--output-dir', output, '--max-steps', '3', '--max-retries', '0', '--timeout', '2', '--parallel-workers', '13', '--difficulty', 'EASY', ...extra,
    ],
    { env: { OPENAI_API_KEY: 'sk-test' } },
  );
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

describe('failure reasons (built CLI, scripted model)', () => {
  let result: CliResult;
  let runDirectory: string;

  beforeAll(async () => {
    const output = join(directory, 'out');
    result = await evaluate(output);
    runDirectory = join(output, (await readdir(output))[0]!);
  }, 60_000);

  it('puts failure_reason and failure_detail on every failed row of results.json and the journal, null on passed rows', async () => {
    expect(result.stderr).not.toMatch(/unexpected error/);
    // The exit code (a run with infrastructure failures) is cli-errors' and cli-resume's subject; the files are written either way.
    expect(result.stdout).toContain(`[OUTPUT] ${runDirectory}`);
    const rows: Record<string, unknown>[] = await readJson(join(runDirectory, 'results.json'));
    const journal: Record<string, unknown>[] = (await readFile(join(runDirectory, 'results.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(rows).toHaveLength(TASKS.length);
    for (const task of TASKS) {
      for (const row of [rows.find((candidate) => candidate.task_id === task.id), journal.find((candidate) => candidate.test_id === task.id)]) {
        expect(row, task.id).toBeDefined();
        expect({ id: task.id, reason: row!.failure_reason }).toEqual({ id: task.id, reason: task.reason });
        if (task.detail instanceof RegExp) expect(row!.failure_detail).toMatch(task.detail);
        else expect(row!.failure_detail).toBe(task.detail);
        expect(row!.success).toBe(task.reason === null);
      }
    }
    const byId = Object.fromEntries(rows.map((row) => [row.task_id, row]));
    // error_kind classifies errors only: scoring failures have none.
    for (const id of ['no-tool', 'wrong-tool', 'too-few', 'no-keyword', 'misspelt', 'passes']) expect(byId[id]).toMatchObject({ error: null, error_kind: null });
    expect(byId['server-down']).toMatchObject({ error_kind: 'infrastructure' });
    expect(byId.slow).toMatchObject({ error_kind: 'timeout', stop_reason: 'timeout' });
    expect(byId.rejected).toMatchObject({ error_kind: 'model' });
    expect(byId['tool-fails']).toMatchObject({ error_kind: 'tool', stop_reason: 'max-steps' });
  });

  it('lists failed tasks with their reasons on the console, up to ten, then a count', () => {
    const failLines = result.stdout.split('\n').filter((line) => line.startsWith('FAIL  '));
    expect(failLines).toHaveLength(10);
    expect(result.stdout).toContain('FAIL  tool:no-tool (easy)  no_tool_call: expected get_weather, no tool was called');
    expect(result.stdout).toContain('... and 2 more failed task(s): see failure_reason in results.json');
    expect(result.stdout).toMatch(/^Failures: .*no_tool_call 3/m);
    // Off a terminal, each finished task's line says why too.
    expect(result.stderr).toMatch(/\] FAIL {2}tool:wrong-tool \(easy\) {2}[\d.]+s {2}wrong_tool: expected get_weather, called calculator/);
  });

  it('accepts --difficulty in any case and warns at the start about an expected tool that no offered tool has', () => {
    expect(result.stderr).toContain(
      "[NOTE] expected_tool 'get_wether' of task(s) misspelt is not among the offered tools (get_weather, calculator, get_current_time, web_search, final_answer), so they cannot pass",
    );
    expect(result.stderr.indexOf('[NOTE] expected_tool')).toBeLessThan(result.stderr.indexOf('[1/'));
  });

  it('keeps warnings and the failed tasks with --quiet, and hides progress', async () => {
    const quiet = await evaluate(join(directory, 'quiet'), ['--quiet', '--task-id', 'no-tool', 'misspelt', 'passes']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toContain("[NOTE] expected_tool 'get_wether'");
    expect(quiet.stderr).not.toMatch(/\[\d+\/\d+\]|\[RUN ID\]/);
    expect(quiet.stdout).toContain('FAIL  tool:no-tool (easy)  no_tool_call: expected get_weather, no tool was called');
    expect(quiet.stdout).toContain('FAIL  tool:misspelt (easy)  wrong_tool: expected get_wether, called get_weather');
    expect(quiet.stdout).not.toContain('more failed task(s)');
  }, 60_000);
});
