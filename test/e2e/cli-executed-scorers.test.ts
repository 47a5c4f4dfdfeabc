// The built CLI on the built-in sets scored by execution: builtin:bash (the bash tool offered by itself,
// the last command compared with the reference on a fresh fixture) and builtin:code-tests (asserts in
// the code agent's interpreter, or after a tool agent's answer), against scripted models.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli } from '../helpers/cli.js';
import { finalAnswer, scriptByPrompt, startOpenAIServer, toolCall, type LoopbackOpenAIServer, type ScriptedReply } from '../helpers/openai-server.js';

const SOLUTIONS = JSON.parse(await readFile(new URL('../fixtures/code-tests-solutions.json', import.meta.url), 'utf8')) as Record<string, string>;

interface Row {
  task_id: string;
  success: boolean;
  failure_reason: string | null;
  scores: Record<string, { value: number; passed: boolean; explanation: string }>;
  tools_used: string[];
  tool_calls: { name: string; output: string }[];
}

let bashTasks: Task[];
let codeTasks: Task[];
let server: LoopbackOpenAIServer;
beforeAll(async () => {
  bashTasks = await loadTasks({ datasetName: 'builtin:bash', split: 'train' });
  codeTasks = await loadTasks({ datasetName: 'builtin:code-tests', split: 'train' });
});
afterEach(async () => server?.close());

async function run(args: string[]): Promise<{ rows: Row[]; stdout: string; code: number | null }> {
  const output = await mkdtemp(join(tmpdir(), 'agent-eval-executed-'));
  const result = await runCli(['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--output-dir', output, '--quiet', ...args], { env: { OPENAI_API_KEY: 'sk-test' } });
  expect(result.stderr).not.toMatch(/unexpected error/);
  const [name] = await readdir(output);
  const rows = JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8')) as Row[];
  return { rows, stdout: result.stdout, code: result.code };
}

describe('agent-eval run --dataset-name builtin:bash', () => {
  it('offers the bash tool and scores each task by its last command', async () => {
    const wrong = 'bash_count_markdown_files';
    const scripts: Record<string, ScriptedReply[]> = {};
    for (const task of bashTasks) {
      const command = task.id === wrong ? 'find . -name "*.md" | head -n 1' : String(task.reference_command);
      // A first exploring call that changes the files: scoring starts again from the fixture.
      scripts[task.prompt] = [toolCall('bash', { command: 'ls -R; rm -rf data logs' }), toolCall('bash', { command }), finalAnswer('done')];
    }
    server = await startOpenAIServer({ responder: scriptByPrompt(scripts) });
    const { rows, code } = await run(['--dataset-name', 'builtin:bash', '--agent-type', 'tool', '--parallel-workers', '4']);
    expect(code).toBe(0);
    expect(rows).toHaveLength(bashTasks.length);
    for (const row of rows) {
      expect(row.tools_used, row.task_id).toEqual(['bash', 'bash']);
      if (row.task_id === wrong) continue;
      expect(row, row.task_id).toMatchObject({ success: true, failure_reason: null });
      expect(row.scores.bash, row.task_id).toMatchObject({ value: 1, passed: true });
    }
    const failed = rows.find((row) => row.task_id === wrong)!;
    expect(failed).toMatchObject({ success: false, failure_reason: 'output_mismatch' });
    expect(failed.scores.bash!.explanation).toContain('printed a different output (lines)');
    // The tool's observation is the simulated shell's output over the task's own fixture.
    const listing = rows.find((row) => row.task_id === 'bash_find_python_files')!.tool_calls[0]!.output;
    expect(listing).toContain('test_main.py');
    expect(listing).not.toContain('package.json');
  }, 180_000);
});

describe('agent-eval run --dataset-name builtin:bash --agent-type code', () => {
  it('gives Python a bash() function over the task\'s own fixture', async () => {
    const task = bashTasks.find((candidate) => candidate.id === 'bash_config_port')!;
    server = await startOpenAIServer({
      responder: scriptByPrompt({
        [task.prompt]: [
          { content: `Thought: look first.\n<code>\nprint(bash(command="cat config/app.ini"))\n</code>` },
          { content: `Thought: answer.\n<code>\nport = bash(command=${JSON.stringify(task.reference_command)})\nfinal_answer(port)\n</code>` },
        ],
      }),
    });
    const { rows, code } = await run(['--dataset-name', 'builtin:bash', '--agent-type', 'code', '--task-id', task.id]);
    expect(code).toBe(0);
    expect(rows[0]).toMatchObject({ success: true, tools_used: ['bash', 'bash'], scores: { bash: { value: 1, passed: true } } });
    expect(rows[0]!.tool_calls[0]!.output).toContain('port=8080');
  }, 180_000);
});

describe('agent-eval run --dataset-name builtin:code-tests', () => {
  const chosen = ['code_tests_reverse_words', 'code_tests_roman_numerals', 'code_tests_cart_total', 'code_tests_inventory_class', 'code_tests_is_palindrome', 'code_tests_prime_factors'];

  it('runs the asserts against the code agent\'s final namespace', async () => {
    const scripts: Record<string, ScriptedReply[]> = {};
    for (const task of codeTasks.filter((candidate) => chosen.includes(candidate.id))) {
      let solution = SOLUTIONS[task.id]!;
      // One wrong solution (a failing assert), one that hangs (stopped by --code-timeout).
      if (task.id === 'code_tests_is_palindrome') solution = 'def is_palindrome(text):\n    return text == text[::-1]';
      if (task.id === 'code_tests_prime_factors') solution = 'def prime_factors(n):\n    while True:\n        pass';
      scripts[task.prompt] = [
        { content: `Thought: define it.\n<code>\n${solution}\n</code>` },
        { content: 'Thought: done.\n<code>\nfinal_answer("defined")\n</code>' },
      ];
    }
    server = await startOpenAIServer({ responder: scriptByPrompt(scripts) });
    const { rows, code } = await run(['--dataset-name', 'builtin:code-tests', '--agent-type', 'code', '--task-id', ...chosen, '--parallel-workers', '2', '--code-timeout', '3']);
    expect(code).toBe(0);
    const byId = new Map(rows.map((row) => [row.task_id, row]));
    for (const id of ['code_tests_reverse_words', 'code_tests_roman_numerals', 'code_tests_cart_total', 'code_tests_inventory_class']) {
      expect(byId.get(id), id).toMatchObject({ success: true, scores: { tests: { value: 1, passed: true } } });
    }
    const palindrome = byId.get('code_tests_is_palindrome')!;
    expect(palindrome).toMatchObject({ success: false, failure_reason: 'tests_failed', scores: { tests: { value: 0.75, passed: false } } });
    expect(palindrome.scores.tests!.explanation).toContain("assert is_palindrome('A man, a plan, a canal: Panama') is True -> AssertionError");
    const primes = byId.get('code_tests_prime_factors')!;
    expect(primes).toMatchObject({ success: false, failure_reason: 'tests_failed', scores: { tests: { value: 0 } } });
    expect(primes.scores.tests!.explanation).toContain('timed out after 3 s');
  }, 240_000);

  it('runs a tool agent\'s answer code, then the asserts', async () => {
    const scripts: Record<string, ScriptedReply[]> = {};
    for (const task of codeTasks.filter((candidate) => chosen.slice(0, 2).includes(candidate.id))) {
      scripts[task.prompt] = [finalAnswer(`Here is the function:\n\`\`\`python\n${SOLUTIONS[task.id]}\n\`\`\``)];
    }
    server = await startOpenAIServer({ responder: scriptByPrompt(scripts) });
    const { rows, code } = await run(['--dataset-name', 'builtin:code-tests', '--agent-type', 'tool', '--task-id', ...chosen.slice(0, 2)]);
    expect(code).toBe(0);
    for (const row of rows) expect(row, row.task_id).toMatchObject({ success: true, scores: { tests: { value: 1, passed: true } } });
  }, 180_000);
});
