/**
 * One recorded row scored again: the scorers on the AgentRun the row recorded (recorded-run.ts), with the
 * task's interpreter when a scorer needs one, and SMOLTRACE's columns, the verdict and the failure derived
 * as the runner derives them.
 */
import type { ReportTask } from '../report/run-reader.js';
import { describeFailure } from '../scoring/failure.js';
import { findScorer } from '../scoring/registry.js';
import { scoreTaskWith, type TaskScoring } from '../scoring/score-task.js';
import { scoreTask } from '../scoring/smoltrace.js';
import type { ScoreContext } from '../scoring/types.js';
import type { Task } from '../tasks/schema.js';
import { recordedRun } from './recorded-run.js';
import type { RecordedInterpreter } from './rescore-sandbox.js';

/** Whether any of the scorers runs code in the task's interpreter. */
export function needsInterpreter(names: readonly string[]): boolean {
  return names.some((name) => findScorer(name)?.needsInterpreter === true);
}

/** Says in each interpreter scorer's explanation where its code ran (the rebuilt state, or a fresh interpreter). */
function withNote(scoring: TaskScoring, note: string | undefined): TaskScoring {
  if (!note) return scoring;
  const noted = (name: string) => findScorer(name)?.needsInterpreter === true;
  const scores = Object.fromEntries(Object.entries(scoring.scores).map(([name, score]) => [name, noted(name) ? { ...score, explanation: `${note}; ${score.explanation}` } : score]));
  const primary = noted(scoring.primary.name) ? { ...scoring.primary, explanation: `${note}; ${scoring.primary.explanation}` } : scoring.primary;
  return { ...scoring, scores, primary };
}

export interface RowScoring {
  row: Record<string, unknown>;
  passed: boolean;
}

export async function scoreRecordedRow(task: ReportTask, checked: Task, names: readonly string[], context: ScoreContext, interpreter?: RecordedInterpreter): Promise<RowScoring> {
  const row = task.row as ReportTask['row'] & Record<string, unknown>;
  const agentType = row.agent_type === 'code' ? 'code' : 'tool';
  const agentRun = recordedRun(task, agentType);
  const toolsUsed = agentRun.steps.flatMap((step) => (step.type === 'tool-call' && step.call.name !== 'final_answer' ? [step.call.name] : []));
  const finalAnswer = agentRun.finalAnswer ?? null;
  const taskContext: ScoreContext = { ...context, ...(interpreter && { runInTaskInterpreter: interpreter.run }) };
  const scored = await scoreTaskWith(names, { task: checked, agentType, finalAnswer, run: agentRun, toolsUsed }, taskContext);
  const scoring = withNote(scored, interpreter?.note(agentType));
  // As the runner does: SMOLTRACE's columns keep its rule, the first scorer decides, the failure says why.
  const smoltrace = scoreTask({ task: checked, toolsUsed, finalAnswerCalled: agentRun.stopReason === 'final-answer', response: finalAnswer });
  const primary = scoring.primary.name !== 'smoltrace' ? scoring.primary : undefined;
  const score = primary ? { ...smoltrace, success: primary.passed } : smoltrace;
  const toolCalls = row.tool_calls?.map((call) => ({ name: call.name, is_error: call.is_error ?? false, output: call.output ?? '' })) ?? [];
  const failure = describeFailure({ task: checked, score, toolsUsed, response: finalAnswer, stopReason: agentRun.stopReason, error: agentRun.error, toolCalls, ...(primary && { primary }) });
  const passed = scoring.primary.passed;
  return {
    passed,
    row: {
      ...row,
      ...smoltrace,
      success: passed,
      failure_reason: passed ? null : (failure?.reason ?? scoring.primary.reason),
      failure_detail: passed ? null : (failure?.detail ?? scoring.primary.explanation),
      scores: scoring.scores,
      judge_input_tokens: scoring.judgeUsage?.inputTokens ?? null,
      judge_output_tokens: scoring.judgeUsage?.outputTokens ?? null,
      judge_cost_usd: scoring.judgeUsage ? scoring.judgeUsage.costUsd : null,
    },
  };
}
