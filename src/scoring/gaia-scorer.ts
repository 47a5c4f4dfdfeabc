import { gaiaQuestionScorer } from './gaia.js';
import type { Scorer } from './types.js';

/** GAIA's exact match of the final answer against `expected_answer`; no final answer fails. */
export const gaiaScorer: Scorer = {
  name: 'gaia',
  failureReason: 'wrong_answer',
  check: (task) => (task.expected_answer === null ? 'the gaia scorer needs expected_answer' : undefined),
  score({ task, finalAnswer }) {
    if (finalAnswer === null) return Promise.resolve({ value: 0, passed: false, explanation: 'no final answer' });
    const verdict = gaiaQuestionScorer(finalAnswer, task.expected_answer ?? '');
    return Promise.resolve({ value: verdict.passed ? 1 : 0, passed: verdict.passed, explanation: verdict.explanation });
  },
};
