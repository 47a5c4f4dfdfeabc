/**
 * What the string scorers (exact-scorer.ts, includes-scorer.ts, regex-scorer.ts) share: answers compared
 * with surrounding whitespace trimmed, runs of whitespace as one space and case ignored, quoted in
 * explanations, and the check that a row has `expected_answer`.
 */
import type { Task } from '../tasks/schema.js';
import type { Score } from './types.js';

export function normaliseAnswer(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function quoted(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

export function needsAnswer(name: string) {
  return (task: Task) => (task.expected_answer === null ? `the ${name} scorer needs expected_answer` : undefined);
}

export function verdict(passed: boolean, explanation: string): Promise<Score> {
  return Promise.resolve({ value: passed ? 1 : 0, passed, explanation });
}
