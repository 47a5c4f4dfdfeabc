import { describeFailure } from './failure.js';
import { scoreTask } from './smoltrace.js';
import type { Scorer } from './types.js';

/** SMOLTRACE's rule (right tool, final answer, a keyword) as a scorer: the default. */
export const smoltraceScorer: Scorer = {
  name: 'smoltrace',
  failureReason: 'missing_keyword',
  score(input) {
    const finalAnswerCalled = input.run.stopReason === 'final-answer';
    const score = scoreTask({ task: input.task, toolsUsed: input.toolsUsed, finalAnswerCalled, response: input.finalAnswer });
    if (score.success) return Promise.resolve({ value: 1, passed: true, explanation: 'the expected tool calls were made and the final answer has a keyword' });
    // Only the scoring rules here: errors that stopped the run are the result's, not this scorer's.
    const failure = describeFailure({ task: input.task, score, toolsUsed: input.toolsUsed, response: input.finalAnswer, stopReason: input.run.stopReason, error: null });
    return Promise.resolve({ value: 0, passed: false, explanation: failure ? `${failure.reason}: ${failure.detail}` : 'failed' });
  },
};
