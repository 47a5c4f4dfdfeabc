import { gaiaQuestionScorer } from './gaia.js';
import type { Scorer } from './types.js';

/** Why a row without an expected answer is not scored (GAIA's test split hides its answers as "?"). */
export const UNSCORED_NO_ANSWER = 'not scored: the row has no expected answer (GAIA\'s test split hides them); the answer can go to the leaderboard with --export-gaia-submission';

/**
 * GAIA's exact match of the final answer against `expected_answer`; no final answer fails. A row
 * without an expected answer is unscored: an error score (never a pass), left out of pass rates.
 */
export const gaiaScorer: Scorer = {
  name: 'gaia',
  failureReason: 'wrong_answer',
  score({ task, finalAnswer }) {
    if (task.expected_answer === null) return Promise.resolve({ value: 0, passed: false, explanation: UNSCORED_NO_ANSWER, error: 'no expected answer' });
    if (finalAnswer === null) return Promise.resolve({ value: 0, passed: false, explanation: 'no final answer' });
    const verdict = gaiaQuestionScorer(finalAnswer, task.expected_answer);
    return Promise.resolve({ value: verdict.passed ? 1 : 0, passed: verdict.passed, explanation: verdict.explanation });
  },
};
