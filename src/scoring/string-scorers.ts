/**
 * The usual string scorers on the final answer. `exact` and `includes` compare with surrounding
 * whitespace trimmed, runs of whitespace as one space, and case ignored; `regex` searches the answer
 * with the row's `expected_regex` (`/source/flags` or plain source), else `expected_answer` as a pattern.
 */
import { parsePattern, type Task } from '../tasks/schema.js';
import type { Score, Scorer } from './types.js';

function normalise(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

function needsAnswer(name: string) {
  return (task: Task) => (task.expected_answer === null ? `the ${name} scorer needs expected_answer` : undefined);
}

function verdict(passed: boolean, explanation: string): Promise<Score> {
  return Promise.resolve({ value: passed ? 1 : 0, passed, explanation });
}

export const exactScorer: Scorer = {
  name: 'exact',
  failureReason: 'wrong_answer',
  check: needsAnswer('exact'),
  score({ task, finalAnswer }) {
    const expected = task.expected_answer ?? '';
    if (finalAnswer === null) return verdict(false, 'no final answer');
    const passed = normalise(finalAnswer) === normalise(expected);
    return verdict(passed, passed ? `the answer is ${quoted(expected)}` : `expected ${quoted(expected)}, got ${quoted(finalAnswer)}`);
  },
};

export const includesScorer: Scorer = {
  name: 'includes',
  failureReason: 'wrong_answer',
  check: needsAnswer('includes'),
  score({ task, finalAnswer }) {
    const expected = task.expected_answer ?? '';
    if (finalAnswer === null) return verdict(false, 'no final answer');
    const passed = normalise(finalAnswer).includes(normalise(expected));
    return verdict(passed, passed ? `the answer contains ${quoted(expected)}` : `expected the answer to contain ${quoted(expected)}, got ${quoted(finalAnswer)}`);
  },
};

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
