/** `exact`: the final answer equals `expected_answer` (trimmed, whitespace runs as one, case ignored). */
import { needsAnswer, normaliseAnswer, quoted, verdict } from './string-answer.js';
import type { Scorer } from './types.js';

export const exactScorer: Scorer = {
  name: 'exact',
  failureReason: 'wrong_answer',
  check: needsAnswer('exact'),
  score({ task, finalAnswer }) {
    const expected = task.expected_answer ?? '';
    if (finalAnswer === null) return verdict(false, 'no final answer');
    const passed = normaliseAnswer(finalAnswer) === normaliseAnswer(expected);
    return verdict(passed, passed ? `the answer is ${quoted(expected)}` : `expected ${quoted(expected)}, got ${quoted(finalAnswer)}`);
  },
};
