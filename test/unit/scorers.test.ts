import { describe, expect, it } from 'vitest';
import type { AgentRun } from '../../src/agents/types.js';
import { addAgreement, cohensKappa, emptyAgreement } from '../../src/scoring/agreement.js';
import { gaiaQuestionScorer, normalizeNumber, normalizeText, pythonFloat } from '../../src/scoring/gaia.js';
import { passAtK, passHatK, summariseRepeats } from '../../src/scoring/pass-at-k.js';
import { findScorer, scorerNames } from '../../src/scoring/registry.js';
import { scoreTaskWith, scorersFor } from '../../src/scoring/score-task.js';
import type { ScoreContext, ScoreInput } from '../../src/scoring/types.js';
import { taskRowSchema } from '../../src/tasks/schema.js';

const gaia = (answer: string, truth: string) => gaiaQuestionScorer(answer, truth).passed;

describe('GAIA question_scorer', () => {
  it("reads numbers as Python's float() does", () => {
    expect(pythonFloat(' 12 ')).toBe(12);
    expect(pythonFloat('1e3')).toBe(1000);
    expect(pythonFloat('-.5')).toBe(-0.5);
    expect(pythonFloat('5.')).toBe(5);
    expect(pythonFloat('1_000')).toBe(1000);
    expect(pythonFloat('+inf')).toBe(Number.POSITIVE_INFINITY);
    expect(pythonFloat('NaN')).toBeNaN();
    for (const text of ['0x10', '1,000', '12 km', '1__0', '_1', '', '.', 'e3', '1e']) expect(pythonFloat(text)).toBeUndefined();
  });

  it("reads Unicode digits and whitespace as CPython's float() does (vectors from Python 3.11)", () => {
    // Decimal digits of any script are digits: float('١٢') == 12.0, float('１２') == 12.0, float('𝟘12') == 12.0.
    expect(pythonFloat('١٢')).toBe(12);
    expect(pythonFloat('１２')).toBe(12);
    expect(pythonFloat('١٢.٥')).toBe(12.5);
    expect(pythonFloat('٣e٢')).toBe(300);
    expect(pythonFloat('1_٢')).toBe(12);
    expect(pythonFloat('\u{1D7D8}12')).toBe(12);
    // Non-ASCII whitespace around the number is stripped; U+0085 is whitespace to Python.
    expect(pythonFloat('\xa012\u3000')).toBe(12);
    expect(pythonFloat('\x8512')).toBe(12);
    expect(pythonFloat('12\x85')).toBe(12);
    // Python's float() keeps U+001C-U+001F (below U+007F) and fails; U+FEFF and U+180E are no whitespace; no inner space.
    for (const text of ['\x1c12', '12\x1f', '\ufeff12', '\u180e12', '1\u20002', '\x7f12', '12\u200b']) expect(pythonFloat(text)).toBeUndefined();
  });

  it("removes Python's whitespace in strings (str.isspace, as re's \\s), not JavaScript's", () => {
    expect(normalizeText('a\x1cb\x1d c\x85d')).toBe('abcd');
    expect(normalizeText('a\ufeffb')).toBe('a\ufeffb');
    expect(gaia('New\x1fYork', 'new york')).toBe(true);
    expect(gaia('\ufeffParis', 'Paris')).toBe(false);
    expect(gaia('١٢', '12')).toBe(true);
  });

  it('compares a number ground truth as a number after removing $, % and commas from the answer', () => {
    expect(gaia('$1,000', '1000')).toBe(true);
    expect(gaia('17%', '17')).toBe(true);
    expect(gaia(' 17 ', '17.0')).toBe(true);
    expect(gaia('1e3', '1000')).toBe(true);
    // A unit in the answer makes it no number: infinity, never equal.
    expect(gaia('12 km', '12')).toBe(false);
    expect(gaia('twelve', '12')).toBe(false);
    expect(normalizeNumber('12 km')).toBe(Number.POSITIVE_INFINITY);
    // The ground truth is not normalised: "1,000" is a list of two elements, 1 and 0.
    expect(gaia('1000', '1,000')).toBe(false);
    expect(gaia('1,000', '1,000')).toBe(true);
    expect(gaia('1, 000', '1,000')).toBe(true);
  });

  it('splits lists on commas and semicolons and compares element-wise, numbers as numbers', () => {
    expect(gaia('apple; 3, Banana', 'apple, 3, banana')).toBe(true);
    expect(gaia('apple, 3.0, banana', 'apple, 3, banana')).toBe(true);
    expect(gaia('apple, three, banana', 'apple, 3, banana')).toBe(false);
    expect(gaia('apple, banana', 'apple, 3, banana')).toBe(false);
    // Punctuation is kept inside lists (only whitespace and case are dropped).
    expect(gaia('St. Louis, Paris', 'St Louis, Paris')).toBe(false);
    expect(gaia('st.louis , paris', 'St. Louis, Paris')).toBe(true);
  });

  it('compares strings without whitespace, case and punctuation', () => {
    expect(gaia('Sea gull.', 'seagull')).toBe(true);
    expect(gaia("It's Paris!", 'its paris')).toBe(true);
    expect(gaia('Paris, France', 'Paris')).toBe(false);
    expect(normalizeText('A b-C', false)).toBe('ab-c');
    expect(normalizeText('A b-C')).toBe('abc');
  });

  it('fails without a final answer', async () => {
    const score = await findScorer('gaia')!.score(input({ expected_answer: '4' }, null), context());
    expect(score).toMatchObject({ passed: false, value: 0, explanation: 'no final answer' });
  });
});

function task(fields: Record<string, unknown> = {}) {
  return taskRowSchema.parse({ id: 't1', prompt: 'What is 2+2?', difficulty: 'easy', ...fields });
}

function run(finalAnswer: string | null, toolNames: string[] = []): AgentRun {
  return {
    agentType: 'tool',
    steps: toolNames.map((name, index) => ({ type: 'tool-call', index, call: { id: `c${index}`, name, arguments: {} }, output: 'ok', isError: false, startedAtMs: 0, durationMs: 1, source: 'native' as const })),
    messages: [],
    ...(finalAnswer !== null && { finalAnswer }),
    usage: { inputTokens: 0, outputTokens: 0 },
    modelCalls: 1,
    actionSteps: 1,
    stopReason: finalAnswer === null ? 'max-steps' : 'final-answer',
  };
}

function input(fields: Record<string, unknown>, finalAnswer: string | null, toolNames: string[] = []): ScoreInput {
  return { task: task(fields), agentType: 'tool', finalAnswer, run: run(finalAnswer, toolNames), toolsUsed: toolNames };
}

function context(): ScoreContext {
  return { signal: new AbortController().signal, workingDirectory: '.' };
}

describe('string scorers', () => {
  it('exact: trimmed, whitespace runs as one, case ignored', async () => {
    const exact = findScorer('exact')!;
    expect((await exact.score(input({ expected_answer: 'New  York' }, ' new york\n'), context())).passed).toBe(true);
    expect((await exact.score(input({ expected_answer: 'New York' }, 'New York City'), context())).passed).toBe(false);
    expect(exact.check!(task())).toMatch(/needs expected_answer/);
  });

  it('includes: the expected answer anywhere in the final answer', async () => {
    const includes = findScorer('includes')!;
    expect((await includes.score(input({ expected_answer: 'Paris' }, 'The capital is PARIS.'), context())).passed).toBe(true);
    expect((await includes.score(input({ expected_answer: 'Paris' }, 'Lyon'), context())).explanation).toMatch(/expected the answer to contain "Paris"/);
  });

  it('regex: expected_regex as /source/flags or plain source, else expected_answer', async () => {
    const regex = findScorer('regex')!;
    expect((await regex.score(input({ expected_regex: '/^\\d{4}-\\d{2}$/' }, '2024-05'), context())).passed).toBe(true);
    expect((await regex.score(input({ expected_regex: '/paris/i' }, 'PARIS'), context())).passed).toBe(true);
    expect((await regex.score(input({ expected_regex: 'paris' }, 'PARIS'), context())).passed).toBe(false);
    expect((await regex.score(input({ expected_answer: 'a+b' }, 'aaab'), context())).passed).toBe(true);
    expect(() => task({ expected_regex: '([' })).toThrow(/valid regular expression/);
  });
});

describe('scoring a task with several scorers', () => {
  it('keeps every score; the first decides', async () => {
    const scoring = await scoreTaskWith(['exact', 'smoltrace'], input({ expected_answer: '4', expected_keywords: ['4'], expected_tool: 'calculator' }, '4'), context());
    expect(scoring.primary).toMatchObject({ name: 'exact', passed: true });
    expect(scoring.scores.exact).toMatchObject({ value: 1, passed: true });
    expect(scoring.scores.smoltrace).toMatchObject({ value: 0, passed: false });
    expect(scoring.scores.smoltrace!.explanation).toMatch(/^no_tool_call: /);
  });

  it('records a scorer that throws as its error, a failure with scorer_error, and runs the others', async () => {
    const broken = { ...input({ expected_answer: '4' }, '4'), task: null as never };
    const scoring = await scoreTaskWith(['exact', 'includes'], broken, context());
    expect(scoring.primary).toMatchObject({ name: 'exact', passed: false, reason: 'scorer_error' });
    expect(scoring.scores.exact!.explanation).toMatch(/the exact scorer failed/);
    expect(scoring.scores.includes!.passed).toBe(false);
  });

  it('uses the run scorers over the row, and smoltrace by default', () => {
    expect(scorersFor([], undefined)).toEqual(['smoltrace']);
    expect(scorersFor(['gaia'], undefined)).toEqual(['gaia']);
    expect(scorersFor(['gaia'], ['judge', 'exact'])).toEqual(['judge', 'exact']);
    expect(scorerNames()).toEqual(expect.arrayContaining(['smoltrace', 'gaia', 'judge', 'exact', 'includes', 'regex']));
  });

  it('reads scorer, scorers and rubric columns', () => {
    expect(task({ scorer: 'gaia' })).toMatchObject({ scorer: 'gaia', scorers: null });
    expect(task({ scorers: ['smoltrace', 'judge'], rubric: 'Mentions 4' })).toMatchObject({ scorers: ['smoltrace', 'judge'], rubric: 'Mentions 4' });
    expect(() => task({ rubric: { criteria: 'x', scale: { min: 1, max: 5 }, pass_threshold: 9 } })).toThrow(/pass_threshold must lie within the scale/);
  });
});

describe('pass@k', () => {
  it('matches hand-computed values of 1 - C(n-c, k) / C(n, k)', () => {
    expect(passAtK(5, 0, 1)).toBe(0);
    expect(passAtK(5, 5, 3)).toBe(1);
    expect(passAtK(5, 2, 1)).toBeCloseTo(2 / 5, 12);
    // 1 - C(3,2)/C(5,2) = 1 - 3/10
    expect(passAtK(5, 2, 2)).toBeCloseTo(0.7, 12);
    // 1 - C(3,3)/C(5,3) = 1 - 1/10; n - c < k: certain
    expect(passAtK(5, 2, 3)).toBeCloseTo(0.9, 12);
    expect(passAtK(5, 2, 4)).toBe(1);
    // 1 - C(7,3)/C(10,3) = 1 - 35/120
    expect(passAtK(10, 3, 3)).toBeCloseTo(1 - 35 / 120, 12);
    expect(() => passAtK(2, 1, 3)).toThrow(RangeError);
  });

  it('pass^k: all k succeed', () => {
    expect(passHatK(3, 3, 3)).toBe(1);
    expect(passHatK(3, 2, 3)).toBe(0);
    // C(3,2)/C(4,2) = 3/6
    expect(passHatK(4, 3, 2)).toBeCloseTo(0.5, 12);
  });

  it('averages over tasks, with the per-task variance', () => {
    const summary = summariseRepeats([{ n: 3, c: 3 }, { n: 3, c: 0 }, { n: 3, c: 1 }], 3);
    expect(summary.passAt[1]).toBeCloseTo((1 + 0 + 1 / 3) / 3, 12);
    expect(summary.passAt[2]).toBeCloseTo((1 + 0 + 2 / 3) / 3, 12);
    expect(summary.passAt[3]).toBeCloseTo((1 + 0 + 1) / 3, 12);
    expect(summary.passHatK).toBeCloseTo(1 / 3, 12);
    expect(summary.successVariance).toBeCloseTo((0 + 0 + (1 / 3) * (2 / 3)) / 3, 12);
  });
});

describe("Cohen's kappa", () => {
  it('matches a hand-computed table', () => {
    const table = emptyAgreement();
    // 20 both pass, 5 first only, 10 second only, 15 neither: p_o = 0.7, p_e = 0.5*0.6 + 0.5*0.4 = 0.5
    for (const [first, second, count] of [[true, true, 20], [true, false, 5], [false, true, 10], [false, false, 15]] as const) {
      for (let index = 0; index < count; index++) addAgreement(table, first, second);
    }
    expect(table).toEqual({ both: 20, firstOnly: 5, secondOnly: 10, neither: 15 });
    expect(cohensKappa(table)).toBeCloseTo(0.4, 12);
    expect(cohensKappa({ both: 4, firstOnly: 0, secondOnly: 0, neither: 0 })).toBeNull();
  });
});
