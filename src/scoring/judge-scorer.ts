/**
 * The LLM judge (seed 001): grades the final answer against a rubric on a numeric scale. The judge
 * answers with one JSON object checked with zod; an invalid answer is sent back with what was wrong,
 * up to `attempts` calls, and then recorded as a judge error, never as a pass. A failed judge call
 * (after the provider's own retries) is a judge error too. A dialogue's judge always reads its transcript.
 */
import type { Message } from '../models/types.js';
import { DEFAULT_RUBRIC, toRubric } from '../tasks/rubric.js';
import { callJudge } from './judge-call.js';
import { transcript } from './goal-met.js';
import { initialMessages, verdictSchema } from './judge-prompt.js';
import type { Score, Scorer } from './types.js';

export const judgeScorer: Scorer = {
  name: 'judge',
  failureReason: 'judge_rejected',
  errorReason: 'judge_error',
  needsJudge: true,
  async score(input, context): Promise<Score> {
    const judge = context.judge;
    if (!judge) return { value: 0, passed: false, explanation: 'no judge model (give --judge-model)', error: 'no judge model' };
    if (input.finalAnswer === null) return { value: 0, passed: false, explanation: 'no final answer to judge' };
    const rubric = input.task.rubric !== null ? toRubric(input.task.rubric) : (judge.rubric ?? DEFAULT_RUBRIC);
    const schema = verdictSchema(rubric);
    // A dialogue (a task with a user block) is judged on its whole transcript, not its last reply alone.
    const dialogue = input.task.user ? transcript(input.run) : undefined;
    const messages: Message[] = initialMessages(input.task, input.finalAnswer, rubric, judge.includeTrajectory ? input.run : undefined, dialogue);
    return callJudge(judge, messages, context.signal, {
      schema,
      answerShape: `{"reasoning": "...", "grade": <number from ${rubric.scale.min} to ${rubric.scale.max}>}`,
      toScore: ({ grade, reasoning }) => ({
        value: (grade - rubric.scale.min) / (rubric.scale.max - rubric.scale.min),
        passed: grade >= rubric.passThreshold,
        explanation: `grade ${grade} of ${rubric.scale.min}..${rubric.scale.max} (pass at ${rubric.passThreshold}): ${reasoning}`,
      }),
    });
  },
};
