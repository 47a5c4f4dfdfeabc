// The built CLI: `agent-eval score --scorer tests` on a recorded run of builtin:code-tests (both agents,
// loopback model). Code rows: the recorded code steps run again in the sandbox (a step's tool call answered
// with its recorded output, a failing step ignored, a global kept across steps), then the asserts; tool rows:
// the final answer's code, then the asserts. The verdicts and scores are the run's; a row whose recorded code
// is changed scores differently; a sandbox that cannot start and the closed profile are one line, exit 2.
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { finalAnswer, messageText, startOpenAIServer, type LoopbackOpenAIServer, type RecordedRequest, type ScriptedReply } from '../helpers/openai-server.js';

const SOLUTIONS = JSON.parse(await readFile(new URL('../fixtures/code-tests-solutions.json', import.meta.url), 'utf8')) as Record<string, string>;

interface Row {
  task_id: string;
  test_case_uid: string;
  agent_type: string;
  success: boolean;
  failure_reason: string | null;
  scores: Record<string, { value: number; passed: boolean; explanation: string }>;
  messages: { role: string; content: string | null }[];
}

const PROMPTS: Record<string, string> = {
  reverse: 'Write a Python function `reverse_words(sentence)`',
  roman: 'Write a Python function `to_roman(n)`',
  palindrome: 'Write a Python function `is_palindrome(text)`',
  cart: 'Write a Python function `total_price(cart, prices)`',
};
const WRONG_PALINDROME = 'def is_palindrome(text):\n    return text == text[::-1]';
const CART_WITH_GLOBAL = 'def total_price(cart, prices):\n    return round(sum(prices[item] * q for item, q in cart.items()), DIGITS)';

const code = (text: string): ScriptedReply => ({ content: `Thought: next.\n<code>\n${text}\n</code>` });
const done = code('final_answer("defined")');

/** The code agent's steps per task (the tool agent's answers below). */
const CODE_SCRIPTS: Record<string, ScriptedReply[]> = {
  // A tool call before the definition, in the same step: without its recorded output the step would stop there.
  [PROMPTS.reverse!]: [code(`print(calculator(expression="2+3"))\n${SOLUTIONS.code_tests_reverse_words}`), done],
  // A step that fails (ignored, as in the run), then the definition.
  [PROMPTS.roman!]: [code('raise ValueError("not yet")'), code(SOLUTIONS.code_tests_roman_numerals!), done],
  [PROMPTS.palindrome!]: [code(WRONG_PALINDROME), done],
  // A global from an earlier step that the function reads.
  [PROMPTS.cart!]: [code('DIGITS = 2'), code(CART_WITH_GLOBAL), done],
};
const TOOL_ANSWERS: Record<string, ScriptedReply[]> = {
  [PROMPTS.reverse!]: [finalAnswer(`Here it is:\n\`\`\`python\n${SOLUTIONS.code_tests_reverse_words}\n\`\`\``)],
  [PROMPTS.roman!]: [finalAnswer(`\`\`\`python\n${SOLUTIONS.code_tests_roman_numerals}\n\`\`\``)],
  [PROMPTS.palindrome!]: [finalAnswer(`\`\`\`python\n${WRONG_PALINDROME}\n\`\`\``)],
  [PROMPTS.cart!]: [finalAnswer('I would sum the prices times the quantities.')],
};
const TASK_IDS = ['code_tests_reverse_words', 'code_tests_roman_numerals', 'code_tests_is_palindrome', 'code_tests_cart_total'];

function reply(request: RecordedRequest): ScriptedReply {
  const messages = request.body.messages as { role: string; content: unknown }[];
  const prompt = messageText(messages.find((message) => message.role === 'user')?.content);
  const turn = messages.filter((message) => message.role === 'assistant').length;
  // The tool agent is offered tools; the code agent writes code.
  const scripts = request.body.tools ? TOOL_ANSWERS : CODE_SCRIPTS;
  const script = Object.entries(scripts).find(([key]) => prompt.includes(key))?.[1] ?? [{ content: 'no script' }];
  return script[Math.min(turn, script.length - 1)]!;
}

const readRows = async (directory: string): Promise<Row[]> => JSON.parse(await readFile(join(directory, 'results.json'), 'utf8')) as Row[];
const byUid = (rows: Row[]) => new Map(rows.map((row) => [row.test_case_uid, row]));

let server: LoopbackOpenAIServer;
let work: string;
let runDirectory: string;
let runRows: Row[];

beforeAll(async () => {
  server = await startOpenAIServer({ responder: reply });
  work = await mkdtemp(join(tmpdir(), 'agent-eval-score-tests-'));
  const output = join(work, 'runs');
  const result = await runCli(['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--output-dir', output, '--quiet', '--dataset-name', 'builtin:code-tests', '--agent-type', 'both', '--task-id', ...TASK_IDS, '--parallel-workers', '2', '--code-timeout', '5'], { env: { OPENAI_API_KEY: 'sk-test' } });
  expect(result.stderr).not.toMatch(/unexpected error/);
  expect(result.code).toBe(0);
  runDirectory = join(output, (await readdir(output))[0]!);
  runRows = await readRows(runDirectory);
}, 240_000);
afterAll(async () => server?.close());

describe('agent-eval score --scorer tests', () => {
  it('gives the run\'s verdicts and scores: code rows rebuilt from their steps, tool rows from their answer', async () => {
    const run = byUid(runRows);
    // The run itself: what the scripts meant.
    expect(run.get('code:code_tests_reverse_words')).toMatchObject({ success: true, scores: { tests: { value: 1 } } });
    expect(run.get('code:code_tests_cart_total')).toMatchObject({ success: true });
    expect(run.get('code:code_tests_is_palindrome')).toMatchObject({ success: false, scores: { tests: { value: 0.75 } } });
    expect(run.get('tool:code_tests_cart_total')).toMatchObject({ success: false, failure_reason: 'tests_failed' });
    const scored = join(work, 'scored');
    const result = await runCli(['score', runDirectory, '--scorer', 'tests', '-o', scored, '--code-timeout', '5']);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\[SCORE\] 5\/8 passed \(62\.5%\) with tests/);
    const rows = byUid(await readRows(scored));
    expect([...rows.keys()].sort()).toEqual([...run.keys()].sort());
    for (const [uid, row] of rows) {
      const before = run.get(uid)!;
      expect({ success: row.success, failure_reason: row.failure_reason, value: row.scores.tests!.value, passed: row.scores.tests!.passed }, uid).toEqual({
        success: before.success,
        failure_reason: before.failure_reason,
        value: before.scores.tests!.value,
        passed: before.scores.tests!.passed,
      });
    }
    expect(rows.get('code:code_tests_roman_numerals')!.scores.tests!.explanation).toMatch(/^the interpreter's state was rebuilt from the 3 recorded code step\(s\); 4\/4 asserts passed/);
    expect(rows.get('code:code_tests_is_palindrome')!.scores.tests!.explanation).toContain("assert is_palindrome('A man, a plan, a canal: Panama') is True -> AssertionError");
    // Tool rows: the answer's code ran; no rebuilt state to speak of.
    expect(rows.get('tool:code_tests_reverse_words')!.scores.tests).toMatchObject({ passed: true, explanation: '3/3 asserts passed' });
    expect(rows.get('tool:code_tests_cart_total')!.scores.tests!.explanation).toMatch(/^the final answer holds no Python code/);
    const metadata = JSON.parse(await readFile(join(scored, 'metadata.json'), 'utf8')) as { scoring: { scorers: string[] }[] };
    expect(metadata.scoring.at(-1)).toMatchObject({ scorers: ['tests'], tasks_scored: 8, passed: 5, code_timeout_seconds: 5, sandbox_isolation: { process: 'per-task' } });
  }, 240_000);

  it('scores the recorded code, not the run\'s verdict: a changed function fails, a row with no code says so', async () => {
    const copy = join(work, 'edited');
    await cp(runDirectory, copy, { recursive: true });
    const rows = await readRows(copy);
    const reverse = rows.find((row) => row.test_case_uid === 'code:code_tests_reverse_words')!;
    for (const message of reverse.messages) {
      if (message.role === 'assistant' && message.content) message.content = message.content.replace("' '.join(reversed(sentence.split()))", 'sentence');
    }
    const roman = rows.find((row) => row.test_case_uid === 'code:code_tests_roman_numerals')!;
    roman.messages = roman.messages.filter((message) => message.role !== 'assistant');
    await writeFile(join(copy, 'results.json'), JSON.stringify(rows, null, 2));
    const scored = join(work, 'edited-scored');
    const result = await runCli(['score', copy, '--scorer', 'tests', '-o', scored]);
    expect(result.code).toBe(0);
    const after = byUid(await readRows(scored));
    expect(after.get('code:code_tests_reverse_words')).toMatchObject({ success: false, failure_reason: 'tests_failed', scores: { tests: { passed: false } } });
    expect(after.get('code:code_tests_reverse_words')!.scores.tests!.explanation).toMatch(/rebuilt from the 2 recorded code step\(s\); 1\/3 asserts passed; failed: assert reverse_words\('the quick fox'\) == 'fox quick the' -> AssertionError/);
    const noCode = after.get('code:code_tests_roman_numerals')!;
    expect(noCode).toMatchObject({ success: false, scores: { tests: { value: 0 } } });
    expect(noCode.scores.tests!.explanation).toMatch(/^the row recorded no code, so the asserts ran in a fresh interpreter; 0\/4 asserts passed; failed: .*NameError: name 'to_roman' is not defined/);
    // The other rows keep their verdicts.
    expect(after.get('code:code_tests_cart_total')).toMatchObject({ success: true });
  }, 240_000);

  it('answers a step\'s tool calls with their recorded outputs: without them the step stops before its definition', async () => {
    const copy = join(work, 'no-tool-outputs');
    await cp(runDirectory, copy, { recursive: true });
    const rows = await readRows(copy);
    const reverse = rows.find((row) => row.test_case_uid === 'code:code_tests_reverse_words')! as Row & { tool_calls: { name: string }[] };
    reverse.tool_calls = reverse.tool_calls.filter((call) => call.name !== 'calculator');
    await writeFile(join(copy, 'results.json'), JSON.stringify(rows, null, 2));
    const scored = join(work, 'no-tool-outputs-scored');
    expect((await runCli(['score', copy, '--scorer', 'tests', '-o', scored])).code).toBe(0);
    const row = byUid(await readRows(scored)).get('code:code_tests_reverse_words')!;
    expect(row).toMatchObject({ success: false, scores: { tests: { value: 0 } } });
    expect(row.scores.tests!.explanation).toContain("NameError: name 'reverse_words' is not defined");
  }, 240_000);

  it('a sandbox that cannot start and the closed profile\'s refusals are one line, exit 2, nothing written', async () => {
    const never = join(work, 'never');
    const broken = await runCli(['score', runDirectory, '--scorer', 'tests', '-o', never], { env: { AGENT_EVAL_SANDBOX_WRAPPER: 'chroot' } });
    expect(broken.code).toBe(2);
    expect(broken.stderr.trim()).toBe("agent-eval: AGENT_EVAL_SANDBOX_WRAPPER must be one of bwrap, unshare, none, got 'chroot'");
    const judge = await runCli(['score', runDirectory, '--scorer', 'tests', '-o', never, '--security-profile', 'closed', '--judge-model', 'openai/judge', '--judge-base-url', `${server.url}/v1`]);
    expect(judge.code).toBe(2);
    expect(judge.stderr.trim()).toBe('agent-eval: --judge-model: a judge model is not allowed with --security-profile closed');
    const hub = await runCli(['score', 'someone/results-dataset', '--scorer', 'tests', '-o', never, '--security-profile', 'closed']);
    expect(hub.code).toBe(2);
    expect(hub.stderr.trim()).toBe('agent-eval: someone/results-dataset: Hub datasets are not allowed with --security-profile closed; give a local run directory');
    const timeout = await runCli(['score', runDirectory, '--scorer', 'tests', '-o', never, '--code-timeout', '0']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr.trim()).toBe('agent-eval: --code-timeout: must be more than 0');
    await expect(readdir(never)).rejects.toThrow();
  }, 120_000);
});
