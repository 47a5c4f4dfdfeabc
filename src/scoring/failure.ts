import type { Task } from '../tasks/schema.js';
import type { SmoltraceScore as Score } from './smoltrace.js';

/**
 * Why a task failed, as a stable code. Where several apply, the first in this order wins: errors
 * that stopped the run first (infrastructure before the model's own), then how the run ended, then
 * the scoring rules in the order SMOLTRACE checks them.
 */
export const FAILURE_REASONS = [
  'infrastructure',
  'timeout',
  'sandbox',
  'model_error',
  'tool_error',
  'max_steps',
  'no_final_answer',
  'no_tool_call',
  'wrong_tool',
  'tool_count',
  'missing_keyword',
  // The other scorers' reasons, when one of them is the task's first scorer.
  'wrong_answer',
  'judge_rejected',
  'judge_error',
  'tests_failed',
  'output_mismatch',
  'scorer_error',
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];

export interface Failure {
  reason: FailureReason;
  /** One sentence naming what was expected and what happened. */
  detail: string;
}

export interface FailureInput {
  task: Pick<Task, 'expected_tool' | 'expected_tool_calls' | 'expected_keywords'>;
  score: Score;
  /** Tools called, in order, without final_answer. */
  toolsUsed: readonly string[];
  response: string | null;
  /** The agent's stop reason: 'final-answer', 'max-steps', 'timeout', 'error', 'aborted'. */
  stopReason: string;
  /** The run's error: its kind (model, tool, infrastructure, timeout, sandbox) and message. */
  error: { kind: string; message: string } | null | undefined;
  /** Tool calls with their outcome, for naming the failed one. */
  toolCalls?: readonly { name: string; is_error: boolean; output: string }[];
  /**
   * The task's first scorer when it is not `smoltrace`: its verdict decides, and when no error
   * stopped the run its reason and explanation are the failure's (SMOLTRACE's rules do not apply).
   */
  primary?: { passed: boolean; reason: FailureReason; explanation: string };
}

const ANSWER_PREVIEW = 120;

function quoted(text: string, limit = ANSWER_PREVIEW): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > limit ? `${flat.slice(0, limit)}...` : flat);
}

function times(count: number): string {
  return count === 1 ? '1 time' : `${count} times`;
}

/** What the task expects of the tool calls, in words: "get_weather", "get_weather 2 times", "at least 2 tool calls". */
function expectedTools(task: FailureInput['task']): string {
  const calls = task.expected_tool_calls;
  if (task.expected_tool === 'multiple') return `at least ${calls || 1} tool calls`;
  if (task.expected_tool) return calls && calls > 1 ? `${task.expected_tool} ${times(calls)}` : task.expected_tool;
  return calls && calls > 1 ? `${calls} tool calls` : 'a tool call';
}

function lastFailedTool(input: FailureInput): string {
  const failed = [...(input.toolCalls ?? [])].reverse().find((call) => call.is_error);
  return failed ? `; the last failed call was ${failed.name}: ${quoted(failed.output, 200)}` : '';
}

/** Each reason's test, in precedence order: a detail when it applies, else undefined. */
const CHECKS: readonly (readonly [FailureReason, (input: FailureInput) => string | undefined])[] = [
  ['infrastructure', ({ error }) => (error?.kind === 'infrastructure' ? error.message : undefined)],
  ['timeout', ({ error, stopReason }) => (error?.kind === 'timeout' || stopReason === 'timeout' ? (error?.message ?? 'the task timed out') : undefined)],
  ['sandbox', ({ error }) => (error?.kind === 'sandbox' ? error.message : undefined)],
  ['model_error', ({ error, stopReason }) => (error?.kind === 'model' && stopReason !== 'max-steps' ? error.message : undefined)],
  ['tool_error', (input) => (input.error?.kind === 'tool' ? `${input.error.message} after the last tool calls failed${lastFailedTool(input)}` : undefined)],
  ['max_steps', ({ error, stopReason }) => (stopReason === 'max-steps' ? (error?.message ?? 'reached max steps without a final answer') : undefined)],
  [
    'no_final_answer',
    ({ score, stopReason }) => (score.final_answer_called ? undefined : `expected a final_answer call, the agent stopped (${stopReason}) without one`),
  ],
  [
    'no_tool_call',
    ({ task, score }) => {
      const toolOptional = !task.expected_tool && task.expected_tool_calls === 0;
      return score.tool_called || toolOptional ? undefined : `expected ${expectedTools(task)}, no tool was called`;
    },
  ],
  [
    'wrong_tool',
    ({ task, score, toolsUsed }) => {
      const named = task.expected_tool && task.expected_tool !== 'multiple' ? task.expected_tool : undefined;
      if (score.correct_tool || !named || toolsUsed.includes(named)) return undefined;
      return `expected ${named}, called ${[...new Set(toolsUsed)].join(', ')}`;
    },
  ],
  [
    'tool_count',
    ({ task, score, toolsUsed }) => {
      if (score.correct_tool) return undefined;
      const named = task.expected_tool && task.expected_tool !== 'multiple' ? task.expected_tool : undefined;
      if (named) return `expected ${named} called ${times(task.expected_tool_calls ?? 1)}, called it ${times(toolsUsed.filter((name) => name === named).length)}`;
      return `expected ${expectedTools(task)}, made ${toolsUsed.length}`;
    },
  ],
  [
    'missing_keyword',
    ({ task, response }) => {
      const keywords = task.expected_keywords.map((keyword) => JSON.stringify(keyword)).join(', ');
      const count = task.expected_keywords.length;
      const expected = count === 0 ? 'an answer' : count === 1 ? `the keyword ${keywords}` : `one of the keywords ${keywords}`;
      return `expected ${expected} in the answer, got ${response === null ? 'no answer' : quoted(response)}`;
    },
  ],
];

/**
 * The reason a task failed and one sentence about it; null when it passed. Every failed task gets
 * one: when no error or earlier rule applies, the answer lacked the keywords (the last rule left).
 */
export function describeFailure(input: FailureInput): Failure | null {
  const primary = input.primary;
  if (primary ? primary.passed : input.score.success) return null;
  for (const [reason, check] of CHECKS) {
    if (primary && reason === 'no_final_answer') return { reason: primary.reason, detail: primary.explanation };
    const detail = check(input);
    if (detail !== undefined) return { reason, detail };
  }
  return null;
}
