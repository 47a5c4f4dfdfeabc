/**
 * Scores one finished task with every scorer it names, in order. The first scorer decides `success`;
 * every score is kept. A scorer that throws is recorded as that scorer's error (a failure), never
 * as a pass, and the other scorers still run.
 */
import type { FailureReason } from './failure.js';
import { DEFAULT_SCORER, findScorer } from './registry.js';
import type { JudgeUsage, Score, ScoreContext, ScoreInput, Scores } from './types.js';

export interface TaskScoring {
  scores: Scores;
  /** The first scorer's name and verdict, with the failure reason it gives when it fails. */
  primary: { name: string; passed: boolean; reason: FailureReason; explanation: string };
  /** Judge usage summed over the task's judge scores; undefined when no judge ran. */
  judgeUsage?: JudgeUsage;
}

/** The scorers a task uses: the run's (`--scorer`), else the row's, else SMOLTRACE's rule. */
export function scorersFor(rowScorers: readonly string[], runScorers: readonly string[] | undefined): readonly string[] {
  if (runScorers && runScorers.length > 0) return runScorers;
  return rowScorers.length > 0 ? rowScorers : [DEFAULT_SCORER];
}

function addUsage(total: JudgeUsage | undefined, usage: JudgeUsage): JudgeUsage {
  if (!total) return { ...usage };
  return {
    inputTokens: total.inputTokens + usage.inputTokens,
    outputTokens: total.outputTokens + usage.outputTokens,
    costUsd: total.costUsd === null || usage.costUsd === null ? null : total.costUsd + usage.costUsd,
    calls: total.calls + usage.calls,
  };
}

export async function scoreTaskWith(names: readonly string[], input: ScoreInput, context: ScoreContext): Promise<TaskScoring> {
  const scores: Scores = {};
  let primary: TaskScoring['primary'] | undefined;
  let judgeUsage: JudgeUsage | undefined;
  for (const name of names) {
    const scorer = findScorer(name);
    let score: Score;
    if (!scorer) {
      score = { value: 0, passed: false, explanation: `unknown scorer '${name}'`, error: `unknown scorer '${name}'` };
    } else {
      try {
        score = await scorer.score(input, context);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        score = { value: 0, passed: false, explanation: `the ${name} scorer failed: ${message}`, error: message };
      }
    }
    // A score with an error never passes.
    const passed = score.passed && score.error === undefined;
    scores[name] = { value: passed || score.error === undefined ? score.value : 0, passed, explanation: score.explanation, ...(score.error !== undefined && { error: score.error }) };
    if (score.judgeUsage) judgeUsage = addUsage(judgeUsage, score.judgeUsage);
    if (!primary) {
      const reason: FailureReason = score.error !== undefined ? (scorer?.errorReason ?? 'scorer_error') : (scorer?.failureReason ?? 'scorer_error');
      primary = { name, passed, reason, explanation: score.explanation };
    }
  }
  if (!primary) throw new Error('a task needs at least one scorer');
  return { scores, primary, ...(judgeUsage && { judgeUsage }) };
}
