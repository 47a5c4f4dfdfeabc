/** `includes`: the final answer contains `expected_answer` (trimmed, whitespace runs as one, case ignored). */
import { needsAnswer, normaliseAnswer, quoted, verdict } from './string-answer.js';
import type { Scorer } from './types.js';

export const includesScorer: Scorer = {
  name: 'includes',
  failureReason: 'wrong_answer',
  check: needsAnswer('includes'),
  score({ task, finalAnswer }) {
    const expected = task.expected_answer ?? '';
    if (finalAnswer === null) return verdict(false, 'no final answer');
    const passed = normaliseAnswer(finalAnswer).includes(normaliseAnswer(expected));
    return verdict(passed, passed ? `the answer contains ${quoted(expected)}` : `expected the answer to contain ${quoted(expected)}, got ${quoted(finalAnswer)}`);
  },
};
