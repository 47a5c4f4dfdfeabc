import { describe, expect, it } from 'vitest';
import { FAILURE_REASONS, describeFailure, type FailureInput } from '../../src/scoring/failure.js';
import { scoreTask } from '../../src/scoring/smoltrace.js';
import { describeFailedTask, formatFailedTasks, formatSummary, summarise } from '../../src/report/summary.js';
import type { TaskResult } from '../../src/eval/types.js';

type TaskFields = FailureInput['task'];

const weatherTask: TaskFields = { expected_tool: 'get_weather', expected_tool_calls: 1, expected_keywords: ['18', 'clear'] };

/** A failure input scored the way the runner scores it. */
function failureOf(run: {
  task?: TaskFields;
  toolsUsed?: string[];
  response?: string | null;
  stopReason?: string;
  error?: { kind: string; message: string };
  toolCalls?: FailureInput['toolCalls'];
}) {
  const task = run.task ?? weatherTask;
  const toolsUsed = run.toolsUsed ?? [];
  const response = run.response === undefined ? null : run.response;
  const stopReason = run.stopReason ?? 'final-answer';
  const score = scoreTask({ task, toolsUsed, finalAnswerCalled: stopReason === 'final-answer', response });
  return describeFailure({ task, score, toolsUsed, response, stopReason, error: run.error, toolCalls: run.toolCalls });
}

describe('describeFailure: one reason per failed task', () => {
  it('is null for a passed task', () => {
    expect(failureOf({ toolsUsed: ['get_weather'], response: 'Tokyo: 18°C, clear.' })).toBeNull();
  });

  it('infrastructure: a provider failure after retries', () => {
    expect(failureOf({ stopReason: 'error', error: { kind: 'infrastructure', message: 'server error (500): boom after 3 attempts' } })).toEqual({
      reason: 'infrastructure',
      detail: 'server error (500): boom after 3 attempts',
    });
  });

  it('timeout: the task ran out of time, or a request did', () => {
    expect(failureOf({ stopReason: 'timeout', error: { kind: 'timeout', message: 'task timed out after 5 s' } })).toEqual({ reason: 'timeout', detail: 'task timed out after 5 s' });
    expect(failureOf({ stopReason: 'error', error: { kind: 'timeout', message: 'request timed out' } })?.reason).toBe('timeout');
    expect(failureOf({ stopReason: 'timeout' })).toEqual({ reason: 'timeout', detail: 'the task timed out' });
  });

  it('sandbox: the Python sandbox failed', () => {
    expect(failureOf({ stopReason: 'error', error: { kind: 'sandbox', message: 'the sandbox process exited' } })).toEqual({ reason: 'sandbox', detail: 'the sandbox process exited' });
  });

  it('model_error: a rejected request or an unusable reply', () => {
    expect(failureOf({ stopReason: 'error', error: { kind: 'model', message: 'request rejected (400): bad tools' } })).toEqual({
      reason: 'model_error',
      detail: 'request rejected (400): bad tools',
    });
  });

  it('tool_error: max steps reached after the last tool calls failed, naming the failed call', () => {
    const failure = failureOf({
      toolsUsed: ['get_weather'],
      stopReason: 'max-steps',
      error: { kind: 'tool', message: 'reached max steps (6) without a final answer' },
      toolCalls: [
        { name: 'calculator', is_error: false, output: '4' },
        { name: 'get_weather', is_error: true, output: 'Error: unknown city\nAtlantis' },
      ],
    });
    expect(failure).toEqual({
      reason: 'tool_error',
      detail: 'reached max steps (6) without a final answer after the last tool calls failed; the last failed call was get_weather: "Error: unknown city Atlantis"',
    });
  });

  it('max_steps: no final answer within the steps (the error kind model there is not a model error)', () => {
    expect(failureOf({ toolsUsed: ['get_weather'], stopReason: 'max-steps', error: { kind: 'model', message: 'reached max steps (6) without a final answer' } })).toEqual({
      reason: 'max_steps',
      detail: 'reached max steps (6) without a final answer',
    });
  });

  it('no_final_answer: the agent stopped without one and without an error', () => {
    expect(failureOf({ toolsUsed: ['get_weather'], stopReason: 'error' })).toEqual({
      reason: 'no_final_answer',
      detail: 'expected a final_answer call, the agent stopped (error) without one',
    });
  });

  it('no_tool_call: names the expected tool', () => {
    expect(failureOf({ response: '18 and clear' })).toEqual({ reason: 'no_tool_call', detail: 'expected get_weather, no tool was called' });
    expect(failureOf({ task: { expected_tool: 'multiple', expected_tool_calls: 3, expected_keywords: [] }, response: 'x' })?.detail).toBe(
      'expected at least 3 tool calls, no tool was called',
    );
    expect(failureOf({ task: { expected_tool: null, expected_tool_calls: null, expected_keywords: [] }, response: 'x' })?.detail).toBe(
      'expected a tool call, no tool was called',
    );
  });

  it('a task that needs no tool never fails for want of one', () => {
    const task = { expected_tool: null, expected_tool_calls: 0, expected_keywords: ['42'] };
    expect(failureOf({ task, response: '42' })).toBeNull();
    expect(failureOf({ task, response: '41' })?.reason).toBe('missing_keyword');
  });

  it('wrong_tool: the expected tool was never called, others were', () => {
    expect(failureOf({ toolsUsed: ['web_search', 'calculator', 'web_search'], response: '18 clear' })).toEqual({
      reason: 'wrong_tool',
      detail: 'expected get_weather, called web_search, calculator',
    });
  });

  it('tool_count: the expected tool, too few times (or too few calls for multiple)', () => {
    const task = { expected_tool: 'get_weather', expected_tool_calls: 3, expected_keywords: [] };
    expect(failureOf({ task, toolsUsed: ['get_weather', 'calculator'], response: 'x' })).toEqual({
      reason: 'tool_count',
      detail: 'expected get_weather called 3 times, called it 1 time',
    });
    const multiple = { expected_tool: 'multiple', expected_tool_calls: 3, expected_keywords: [] };
    expect(failureOf({ task: multiple, toolsUsed: ['a', 'b'], response: 'x' })).toEqual({ reason: 'tool_count', detail: 'expected at least 3 tool calls, made 2' });
  });

  it('missing_keyword: names the keywords and the answer', () => {
    expect(failureOf({ toolsUsed: ['get_weather'], response: 'It is 2018 and  unclear.' })).toEqual({
      reason: 'missing_keyword',
      detail: 'expected one of the keywords "18", "clear" in the answer, got "It is 2018 and unclear."',
    });
    const single = { ...weatherTask, expected_keywords: ['20'] };
    const long = 'x'.repeat(300);
    expect(failureOf({ task: single, toolsUsed: ['get_weather'], response: long })?.detail).toBe(`expected the keyword "20" in the answer, got "${'x'.repeat(120)}..."`);
  });

  it('takes the first reason in precedence order when several apply', () => {
    // Everything wrong at once: each error kind beats every later reason.
    const everything = { toolsUsed: ['web_search'], response: null, stopReason: 'max-steps' };
    const kinds: [string, string][] = [
      ['infrastructure', 'infrastructure'],
      ['timeout', 'timeout'],
      ['sandbox', 'sandbox'],
      ['model', 'max_steps'],
      ['tool', 'tool_error'],
    ];
    for (const [kind, reason] of kinds) expect(failureOf({ ...everything, error: { kind, message: 'm' } })?.reason).toBe(reason);
    expect(failureOf({ ...everything, stopReason: 'error', error: { kind: 'model', message: 'm' } })?.reason).toBe('model_error');
    // A timeout stop beats a sandbox or model error recorded before it.
    expect(failureOf({ ...everything, stopReason: 'timeout', error: { kind: 'sandbox', message: 'm' } })?.reason).toBe('timeout');
    // Without errors: how the run ended, then the scoring rules in order.
    expect(failureOf({ ...everything })?.reason).toBe('max_steps');
    expect(failureOf({ ...everything, stopReason: 'aborted' })?.reason).toBe('no_final_answer');
    expect(failureOf({ toolsUsed: [], response: 'nothing' })?.reason).toBe('no_tool_call');
    expect(failureOf({ toolsUsed: ['web_search'], response: 'nothing' })?.reason).toBe('wrong_tool');
    const twice = { ...weatherTask, expected_tool_calls: 2 };
    expect(failureOf({ task: twice, toolsUsed: ['get_weather'], response: 'nothing' })?.reason).toBe('tool_count');
    expect(failureOf({ task: twice, toolsUsed: ['get_weather', 'get_weather'], response: 'nothing' })?.reason).toBe('missing_keyword');
  });

  it('lists the reasons in the documented precedence order', () => {
    expect(FAILURE_REASONS).toEqual([
      'infrastructure', 'timeout', 'sandbox', 'model_error', 'tool_error', 'max_steps',
      'no_final_answer', 'no_tool_call', 'wrong_tool', 'tool_count', 'missing_keyword',
      'wrong_answer', 'judge_rejected', 'judge_error', 'tests_failed', 'output_mismatch', 'scorer_error',
    ]);
  });
});

function result(overrides: Partial<TaskResult>): TaskResult {
  return {
    test_case_uid: 'tool:L1', difficulty: 'easy', success: false, error: null, error_kind: null,
    failure_reason: 'no_tool_call', failure_detail: 'expected get_weather, no tool was called', agent_type: 'tool',
    tool_called: false, correct_tool: false, steps: 1, ...overrides,
  } as TaskResult;
}

describe('console lines for failed tasks', () => {
  it('says why each failed task failed, up to ten, then a count', () => {
    expect(describeFailedTask(result({}))).toBe('FAIL  tool:L1 (easy)  no_tool_call: expected get_weather, no tool was called');
    const results = [
      result({ success: true, failure_reason: null, failure_detail: null, test_case_uid: 'tool:ok' }),
      ...Array.from({ length: 12 }, (_, index) => result({ test_case_uid: `tool:F${index}` })),
    ];
    const lines = formatFailedTasks(results);
    expect(lines).toHaveLength(11);
    expect(lines[0]).toContain('tool:F0');
    expect(lines[9]).toContain('tool:F9');
    expect(lines[10]).toBe('... and 2 more failed task(s): see failure_reason in results.json');
    expect(formatFailedTasks(results.slice(0, 3))).toHaveLength(2);
  });

  it('counts failure reasons in the summary', () => {
    const lines = formatSummary(summarise('TOOL', [result({}), result({ failure_reason: 'infrastructure', error_kind: 'infrastructure', error: 'x' }), result({})]));
    expect(lines).toContain('Failures: no_tool_call 2, infrastructure 1');
    expect(lines).toContain('Errors: infrastructure 1');
  });
});
