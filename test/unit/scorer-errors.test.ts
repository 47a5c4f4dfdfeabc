// A scorer that cannot score (a judge error, a row without an expected answer) keeps its error in the
// row's scores, never passes, and is left out of its pass rate and of the smoltrace/judge agreement.
import { describe, expect, it } from 'vitest';
import type { RunResult, TaskResult } from '../../src/eval/types.js';
import { RunTotals } from '../../src/eval/run-totals.js';
import { scoringSummaryLines } from '../../src/cli/scoring-summary.js';
import { scoreTaskWith } from '../../src/scoring/score-task.js';
import type { Scores } from '../../src/scoring/types.js';
import { taskRowSchema } from '../../src/tasks/schema.js';
import type { AgentRun } from '../../src/agents/types.js';

const result = (index: number, scores: Scores): TaskResult =>
  ({ test_index: index, test_case_uid: `tool:t${index}`, agent_type: 'tool', difficulty: 'easy', success: Object.values(scores)[0]!.passed, tool_called: true, correct_tool: true, steps: 1, tools_used: [], error_kind: null, error: null, failure_reason: null, failure_detail: null, execution_time_ms: 10, total_tokens: 0, input_tokens: 0, output_tokens: 0, model_calls: 1, cost_usd: 0, scores }) as unknown as TaskResult;
const pass = { value: 1, passed: true, explanation: 'ok' };
const fail = { value: 0, passed: false, explanation: 'no' };
const judgeError = { value: 0, passed: false, explanation: 'the judge gave no valid verdict', error: 'invalid judge output' };

describe('scorer errors', () => {
  it('keep the error in the task scores (additive field)', async () => {
    const task = taskRowSchema.parse({ id: 'h', prompt: 'Hidden answer', difficulty: 'easy', scorers: ['gaia', 'exact'], expected_answer: null });
    const run = { agentType: 'tool', steps: [], messages: [], usage: { inputTokens: 0, outputTokens: 0 }, modelCalls: 0, actionSteps: 0, stopReason: 'final-answer' } as unknown as AgentRun;
    const scoring = await scoreTaskWith(['gaia'], { task, agentType: 'tool', finalAnswer: '42', run, toolsUsed: [] }, { signal: new AbortController().signal, workingDirectory: '.' });
    expect(scoring.scores.gaia).toMatchObject({ passed: false, value: 0, error: 'no expected answer' });
    expect(scoring.scores.gaia!.explanation).toMatch(/^not scored: the row has no expected answer/);
    expect(scoring.primary).toMatchObject({ passed: false, reason: 'scorer_error' });
  });

  it('leave errored tasks out of pass rates and the agreement table', () => {
    const totals = RunTotals.of([
      result(0, { smoltrace: pass, judge: pass }),
      result(1, { smoltrace: fail, judge: fail }),
      result(2, { smoltrace: pass, judge: judgeError }),
      result(3, { smoltrace: fail, judge: judgeError }),
    ]);
    expect(totals.scorers.get('judge')).toEqual({ scored: 2, passed: 1, valueSum: 1, errors: 2 });
    expect(totals.scorers.get('smoltrace')).toEqual({ scored: 4, passed: 2, valueSum: 2, errors: 0 });
    expect(totals.agreement).toEqual({ both: 1, firstOnly: 0, secondOnly: 0, neither: 1 });
    const lines = scoringSummaryLines({ totals, options: {} } as unknown as RunResult);
    expect(lines[0]).toBe('Scorers: smoltrace 2/4 (50.0%), judge 1/2 (50.0%; 2 not scored)');
    expect(lines.at(-1)).toBe('(2 task(s) with a judge error left out: no verdict to compare)');
  });
});
