/** `regex`: the row's `expected_regex` (`/source/flags` or plain source), else `expected_answer` as a pattern, found in the final answer. */
import { parsePattern } from '../tasks/schema.js';
import { quoted, verdict } from './string-answer.js';
import type { Scorer } from './types.js';

export const regexScorer: Scorer = {
  name: 'regex',
  failureReason: 'wrong_answer',
  check: (task) => {
    if (task.expected_regex !== null) return undefined;
    if (task.expected_answer === null) return 'the regex scorer needs expected_regex (or expected_answer as the pattern)';
    return parsePattern(task.expected_answer) ? undefined : 'expected_answer is not a valid regular expression for the regex scorer';
  },
  score({ task, finalAnswer }) {
    const source = task.expected_regex ?? task.expected_answer ?? '';
    const pattern = parsePattern(source);
    if (!pattern) return Promise.resolve({ value: 0, passed: false, explanation: `invalid pattern ${quoted(source)}`, error: `invalid pattern ${quoted(source)}` });
    if (finalAnswer === null) return verdict(false, 'no final answer');
    const match = pattern.exec(finalAnswer);
    return verdict(match !== null, match ? `${pattern.toString()} matched ${quoted(match[0])}` : `${pattern.toString()} did not match ${quoted(finalAnswer)}`);
  },
};
