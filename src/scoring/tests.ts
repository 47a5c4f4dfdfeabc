/**
 * MBPP/HumanEval-style scoring: the row's asserts (`tests`, else MBPP's `test_list`) run in Python
 * against the agent's final code state, each with the code timeout. The score is the fraction that
 * pass; `passed` when all do. Failing asserts and their exceptions go into the explanation.
 *
 * Code agent: the asserts run in a fresh sandbox interpreter in which the agent's code steps ran again
 * first (eval/executed-tasks.ts; tool calls answered with the outputs the run recorded), so they see the
 * whole global namespace its steps built (functions and globals alike). Tool-calling agent (no
 * interpreter): the Python of its final answer (its fenced or <code> blocks, else the answer itself
 * when it reads as code) runs first in a fresh sandbox interpreter, then the asserts.
 * Each assert is one step of its own, in row order, sharing one namespace as MBPP's harness does. One
 * that runs past the timeout stops the interpreter (the namespace is gone), so the asserts after it are
 * reported as not run and count as failed.
 */
import { extractCode } from '../agents/code-blocks.js';
import { rowTests } from '../tasks/executed-columns.js';
import type { InterpreterResult, Score, Scorer } from './types.js';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Failures named in the explanation; the rest are counted. */
const NAMED_FAILURES = 5;

/** A line that starts Python code (a definition, an import, an assignment at the top level). */
const CODE_LINE = /^(?:def |class |import |from \S+ import |async def |@\w|[A-Za-z_]\w*\s*=[^=])/m;

/** The Python of a tool-calling agent's final answer; undefined when it holds none. */
export function answerCode(answer: string): string | undefined {
  const blocks = extractCode(answer);
  if (blocks) return blocks;
  return CODE_LINE.test(answer) ? answer : undefined;
}

function shorten(text: string, limit = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit)}...` : flat;
}

/** The last line of an exception text, which names the exception ("AssertionError", "NameError: name 'f' is not defined"). */
function exceptionOf(result: InterpreterResult): string {
  return shorten((result.error ?? '').trim().split('\n').at(-1) ?? '', 200).replace(/:\s*$/, '');
}

interface AssertOutcome {
  statement: string;
  passed: boolean;
  /** Why it failed: the exception, a timeout, or "not run". */
  reason?: string;
}

function explanation(outcomes: readonly AssertOutcome[], prefix = ''): string {
  const passed = outcomes.filter((outcome) => outcome.passed).length;
  const failed = outcomes.filter((outcome) => !outcome.passed);
  const head = `${prefix}${passed}/${outcomes.length} asserts passed`;
  if (!failed.length) return head;
  const named = failed.slice(0, NAMED_FAILURES).map((outcome) => `${shorten(outcome.statement)} -> ${outcome.reason}`);
  const more = failed.length > NAMED_FAILURES ? `; and ${failed.length - NAMED_FAILURES} more` : '';
  return `${head}; failed: ${named.join('; ')}${more}`;
}

function allFailed(asserts: readonly string[], reason: string): AssertOutcome[] {
  return asserts.map((statement) => ({ statement, passed: false, reason }));
}

function scoreOf(outcomes: readonly AssertOutcome[], prefix = ''): Score {
  const passed = outcomes.filter((outcome) => outcome.passed).length;
  return { value: passed / outcomes.length, passed: passed === outcomes.length, explanation: explanation(outcomes, prefix) };
}

export const testsScorer: Scorer = {
  name: 'tests',
  failureReason: 'tests_failed',
  needsInterpreter: true,
  check: (task) => (rowTests(task).length === 0 ? 'the tests scorer needs tests (or test_list): a list of Python assert statements' : undefined),
  async score({ task, agentType, finalAnswer }, context): Promise<Score> {
    const asserts = rowTests(task);
    if (!asserts.length) return { value: 0, passed: false, explanation: 'the row has no tests', error: 'the row has no tests' };
    const run = context.runInTaskInterpreter;
    if (!run) {
      const message = 'no Python interpreter was available to run the asserts';
      return { value: 0, passed: false, explanation: message, error: message };
    }
    const timeoutMs = context.codeTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (agentType === 'tool') {
      const code = finalAnswer === null ? undefined : answerCode(finalAnswer);
      if (code === undefined) return scoreOf(allFailed(asserts, 'not run'), finalAnswer === null ? 'no final answer; ' : 'the final answer holds no Python code; ');
      const defined = await run(code, timeoutMs);
      if (defined.error !== undefined) return scoreOf(allFailed(asserts, 'not run'), `the final answer's code raised ${exceptionOf(defined)}; `);
    }
    if (task.test_setup_code) {
      const setup = await run(task.test_setup_code, timeoutMs);
      if (setup.error !== undefined) {
        const message = `test_setup_code raised ${exceptionOf(setup)}`;
        return { ...scoreOf(allFailed(asserts, 'not run'), `${message}; `), value: 0, error: message };
      }
    }
    const outcomes: AssertOutcome[] = [];
    let stopped: string | undefined;
    for (const statement of asserts) {
      if (stopped) {
        outcomes.push({ statement, passed: false, reason: `not run (${stopped})` });
        continue;
      }
      const result = await run(statement, timeoutMs);
      if (result.error === undefined) {
        outcomes.push({ statement, passed: true });
      } else if (result.timedOut) {
        const seconds = Math.round(timeoutMs / 100) / 10;
        outcomes.push({ statement, passed: false, reason: `timed out after ${seconds} s` });
        stopped = 'the interpreter was stopped by an earlier timeout';
      } else {
        outcomes.push({ statement, passed: false, reason: exceptionOf(result) || 'failed' });
      }
      if (context.signal.aborted) stopped ??= 'the run was interrupted';
    }
    const missing = task.entry_point && outcomes.some((outcome) => outcome.reason?.includes(`name '${task.entry_point}' is not defined`));
    return scoreOf(outcomes, missing ? `the code defines no ${task.entry_point}(); ` : '');
  },
};
