// The tests scorer against the real Pyodide sandbox: asserts run in a fresh interpreter in which the code
// agent's steps ran again (their tool calls answered with the outputs the run recorded), or, for a
// tool-calling agent, after the code of its final answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRun, AgentType, Step } from '../../src/agents/types.js';
import { replayStepsOf, TaskInterpreter } from '../../src/eval/executed-tasks.js';
import { SandboxPool } from '../../src/sandbox/pool.js';
import { answerCode, testsScorer } from '../../src/scoring/tests.js';
import type { Score } from '../../src/scoring/types.js';
import { taskRowSchema } from '../../src/tasks/schema.js';

let pool: SandboxPool;
const TIMEOUT_MS = 3000;

beforeAll(async () => {
  pool = await SandboxPool.start({ size: 2, tools: [{ name: 'lookup', description: 'Looks a key up', parameters: ['key'] }], stepTimeoutMs: TIMEOUT_MS, standby: 1 });
});
afterAll(async () => {
  await pool?.close();
});

function task(row: Record<string, unknown>) {
  return taskRowSchema.parse({ id: 't', prompt: 'p', difficulty: 'easy', scorer: 'tests', ...row });
}

function run(agentType: AgentType, finalAnswer: string | undefined, steps: Step[] = []): AgentRun {
  return { agentType, steps, messages: [], usage: { inputTokens: 0, outputTokens: 0 }, modelCalls: 1, actionSteps: 1, stopReason: finalAnswer === undefined ? 'max-steps' : 'final-answer', ...(finalAnswer !== undefined && { finalAnswer }) };
}

const LOOKUP: Record<string, string> = { a: 'apple', b: 'banana' };

/**
 * Scores as the task runner does for a code agent: its steps run in the agent's own session (tools answered
 * by `lookup`, each call recorded as a step), which is released when its run ends; the asserts then run in a
 * fresh interpreter where those steps ran again. `unrecorded` runs in the agent's session but is no step.
 */
async function scoreCodeAgent(agentCode: string[], row: Record<string, unknown>, unrecorded?: string): Promise<Score> {
  const steps: Step[] = [];
  let index = 0;
  const session = await pool.acquire(async (name, args) => {
    const key = String((args as { key?: unknown }).key);
    const output = LOOKUP[key];
    steps.push({ type: 'tool-call', index, call: { id: `c${steps.length}`, name, arguments: args as Record<string, unknown> }, output: output ?? `Error: no key ${key}`, isError: output === undefined, startedAtMs: 0, durationMs: 0, source: 'code' });
    return output === undefined ? { ok: false as const, error: `no key ${key}` } : { ok: true as const, output };
  });
  for (const code of agentCode) {
    index++;
    const result = await session.run(code);
    steps.push({ type: 'code', index, code, stdout: result.stdout, startedAtMs: 0, durationMs: 0 });
  }
  if (unrecorded) await session.run(unrecorded);
  const interpreter = new TaskInterpreter(pool, new AbortController().signal);
  interpreter.keep(session);
  const agentRun = run('code', 'done', steps);
  interpreter.replay(agentRun);
  try {
    return await testsScorer.score({ task: task(row), agentType: 'code', finalAnswer: 'done', run: agentRun, toolsUsed: [] }, { signal: new AbortController().signal, workingDirectory: '.', codeTimeoutMs: TIMEOUT_MS, runInTaskInterpreter: interpreter.run });
  } finally {
    await interpreter.release();
  }
}

async function scoreToolAgent(finalAnswer: string | undefined, row: Record<string, unknown>): Promise<Score> {
  const interpreter = new TaskInterpreter(pool, new AbortController().signal);
  try {
    return await testsScorer.score({ task: task(row), agentType: 'tool', finalAnswer: finalAnswer ?? null, run: run('tool', finalAnswer), toolsUsed: [] }, { signal: new AbortController().signal, workingDirectory: '.', codeTimeoutMs: TIMEOUT_MS, runInTaskInterpreter: interpreter.run });
  } finally {
    await interpreter.release();
  }
}

describe('tests scorer', () => {
  it('passes when every assert holds against the namespace the agent built over several steps', async () => {
    const score = await scoreCodeAgent(['FACTOR = 3', 'def triple(x):\n    return x * FACTOR', 'final_answer("done")'], { tests: ['assert triple(2) == 6', 'assert triple(-1) == -3', 'assert FACTOR == 3'] });
    expect(score).toEqual({ value: 1, passed: true, explanation: '3/3 asserts passed' });
  });

  it('rebuilds the state in a fresh interpreter: the recorded steps only, their tool calls answered from the run', async () => {
    const score = await scoreCodeAgent(
      ['fruit = lookup(key="a")', 'try:\n    missing = lookup(key="zz")\nexcept Exception as error:\n    missing = str(error)', 'raise ValueError("a step that failed")', 'after_error = True'],
      { tests: ['assert fruit == "apple"', 'assert "no key zz" in missing', 'assert after_error', "assert 'ghost' not in globals()"] },
      'ghost = 1',
    );
    expect(score).toEqual({ value: 1, passed: true, explanation: '4/4 asserts passed' });
  });

  it('keeps the recorded steps and their calls in order', () => {
    const steps: Step[] = [
      { type: 'code', index: 1, code: 'a = lookup(key="a")', stdout: '', startedAtMs: 0, durationMs: 0 },
      { type: 'tool-call', index: 1, call: { id: 'x', name: 'lookup', arguments: { key: 'a' } }, output: 'apple', isError: false, startedAtMs: 0, durationMs: 0, source: 'code' },
      { type: 'tool-call', index: 2, call: { id: 'y', name: 'final_answer', arguments: { answer: 1 } }, output: '1', isError: false, startedAtMs: 0, durationMs: 0, source: 'code' },
      { type: 'code', index: 2, code: 'final_answer(1)', stdout: '', startedAtMs: 0, durationMs: 0 },
    ];
    expect(replayStepsOf({ steps })).toEqual([
      { code: 'a = lookup(key="a")', calls: [{ name: 'lookup', output: 'apple', isError: false }] },
      { code: 'final_answer(1)', calls: [] },
    ]);
  });

  it('scores the fraction of asserts that pass and names the failing and erroring ones', async () => {
    const score = await scoreCodeAgent(['def half(x):\n    return x // 2'], { test_list: ['assert half(4) == 2', 'assert half(5) == 2.5', 'assert half("x") == 0', 'assert quarter(8) == 2'] });
    expect(score.value).toBe(0.25);
    expect(score.passed).toBe(false);
    expect(score.explanation).toContain('1/4 asserts passed; failed: assert half(5) == 2.5 -> AssertionError');
    expect(score.explanation).toContain('assert half("x") == 0 -> TypeError: unsupported operand type(s) for //');
    expect(score.explanation).toContain("assert quarter(8) == 2 -> NameError: name 'quarter' is not defined");
  });

  it('stops a hanging assert at the code timeout and reports the rest as not run', async () => {
    const score = await scoreCodeAgent(['def spin(n):\n    while True:\n        n += 1', 'def ok():\n    return True'], { tests: ['assert ok()', 'assert spin(1) == 0', 'assert ok()'] });
    expect(score.value).toBeCloseTo(1 / 3);
    expect(score.explanation).toBe('1/3 asserts passed; failed: assert spin(1) == 0 -> timed out after 3 s; assert ok() -> not run (the interpreter was stopped by an earlier timeout)');
  });

  it('runs test_setup_code first, and a broken setup is a scorer error', async () => {
    const setup = await scoreCodeAgent(['def total(cart):\n    return sum(PRICES[k] * v for k, v in cart.items())'], { tests: ["assert total({'tea': 2}) == 5"], test_setup_code: "PRICES = {'tea': 2.5}" });
    expect(setup.passed).toBe(true);
    const broken = await scoreCodeAgent(['x = 1'], { tests: ['assert x == 1'], test_setup_code: "raise ValueError('bad setup')" });
    expect(broken).toMatchObject({ value: 0, passed: false });
    expect(broken.error).toBe('test_setup_code raised ValueError: bad setup');
  });

  it('says when the entry point was never defined', async () => {
    const score = await scoreCodeAgent(['y = 2'], { tests: ['assert solve(1) == 2'], entry_point: 'solve' });
    expect(score.explanation).toMatch(/^the code defines no solve\(\); 0\/1 asserts passed/);
  });

  it('runs the Python of a tool-calling agent\'s final answer, then the asserts', async () => {
    const answer = 'Here it is:\n```python\ndef add(a, b):\n    return a + b\n```\nIt adds.';
    expect(await scoreToolAgent(answer, { tests: ['assert add(1, 2) == 3', 'assert add("a", "b") == "ab"'] })).toMatchObject({ value: 1, passed: true });
    expect(await scoreToolAgent('def add(a, b):\n    return a - b', { tests: ['assert add(1, 2) == 3'] })).toMatchObject({ value: 0, passed: false });
    expect((await scoreToolAgent('The answer is 3.', { tests: ['assert add(1, 2) == 3'] })).explanation).toBe('the final answer holds no Python code; 0/1 asserts passed; failed: assert add(1, 2) == 3 -> not run');
    expect((await scoreToolAgent(undefined, { tests: ['assert add(1, 2) == 3'] })).explanation).toMatch(/^no final answer; /);
    expect((await scoreToolAgent('```python\ndef add(a, b):\n    return a +\n```', { tests: ['assert add(1, 2) == 3'] })).explanation).toMatch(/^the final answer's code raised SyntaxError/);
  });

  it('finds code in answers', () => {
    expect(answerCode('<code>\ndef f():\n    return 1\n</code>')).toBe('def f():\n    return 1');
    expect(answerCode('import math\ndef f(): return math.pi')).toBe('import math\ndef f(): return math.pi');
    expect(answerCode('42')).toBeUndefined();
  });

  it('is an error, never a pass, without an interpreter or without tests', async () => {
    const none = await testsScorer.score({ task: task({ tests: ['assert True'] }), agentType: 'code', finalAnswer: 'x', run: run('code', 'x'), toolsUsed: [] }, { signal: new AbortController().signal, workingDirectory: '.' });
    expect(none).toMatchObject({ passed: false, error: 'no Python interpreter was available to run the asserts' });
    expect(testsScorer.check?.(task({}))).toMatch(/needs tests \(or test_list\)/);
    expect(testsScorer.check?.(task({ test_list: ['assert True'] }))).toBeUndefined();
  });
});
