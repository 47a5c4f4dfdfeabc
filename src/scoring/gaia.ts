/**
 * GAIA's official `question_scorer` (the leaderboard's scorer, as smolagents copies it), with its
 * semantics kept exactly: the ground truth is never normalised before the checks, "is a number" is
 * Python's `float()` syntax, and an answer that is not a number compares as infinity.
 */

// Python's float(): optional sign, digits with single underscores between them, a point, an exponent,
// or inf/infinity/nan in any case, surrounded by any whitespace.
const DIGITS = '\\d(?:_?\\d)*';
const FLOAT_SYNTAX = new RegExp(
  `^[+-]?(?:(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?|inf(?:inity)?|nan)$`,
  'i',
);

/** Python's `float(text)`, or undefined where it would raise ValueError. */
export function pythonFloat(text: string): number | undefined {
  const trimmed = text.trim();
  if (!FLOAT_SYNTAX.test(trimmed)) return undefined;
  const lower = trimmed.toLowerCase().replace(/_/g, '');
  const sign = lower.startsWith('-') ? -1 : 1;
  const unsigned = lower.replace(/^[+-]/, '');
  if (unsigned === 'nan') return Number.NaN;
  if (unsigned.startsWith('inf')) return sign * Number.POSITIVE_INFINITY;
  return Number(lower);
}

/** GAIA's normalize_number_str: `$`, `%` and `,` removed, then float(); infinity when that fails. */
export function normalizeNumber(text: string): number {
  return pythonFloat(text.replace(/[$%,]/g, '')) ?? Number.POSITIVE_INFINITY;
}

// Python's string.punctuation.
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/** GAIA's normalize_str: all whitespace removed, lower-cased, and (by default) ASCII punctuation removed. */
export function normalizeText(text: string, removePunctuation = true): string {
  const flat = text.replace(/\s/gu, '').toLowerCase();
  return removePunctuation ? flat.replace(PUNCTUATION, '') : flat;
}

export interface GaiaVerdict {
  passed: boolean;
  /** How the answer was compared: as a number, as a list, or as a string. */
  comparedAs: 'number' | 'list' | 'string';
  explanation: string;
}

function show(value: number): string {
  return Number.isFinite(value) || Number.isNaN(value) ? String(value) : 'not a number';
}

/** `question_scorer(model_answer, ground_truth)`. */
export function gaiaQuestionScorer(modelAnswer: string, groundTruth: string): GaiaVerdict {
  const truthNumber = pythonFloat(groundTruth);
  if (truthNumber !== undefined) {
    const answer = normalizeNumber(modelAnswer);
    const passed = answer === truthNumber;
    return { passed, comparedAs: 'number', explanation: `compared as numbers: answer ${show(answer)}, expected ${groundTruth.trim()}` };
  }
  if (/[,;]/.test(groundTruth)) {
    const truthItems = groundTruth.split(/[,;]/);
    const answerItems = modelAnswer.split(/[,;]/);
    if (truthItems.length !== answerItems.length) {
      return { passed: false, comparedAs: 'list', explanation: `compared as lists: the answer has ${answerItems.length} element(s), the expected answer ${truthItems.length}` };
    }
    const wrong: number[] = [];
    truthItems.forEach((truth, index) => {
      const answer = answerItems[index]!;
      const number = pythonFloat(truth);
      const same = number !== undefined ? normalizeNumber(answer) === number : normalizeText(answer, false) === normalizeText(truth, false);
      if (!same) wrong.push(index + 1);
    });
    const passed = wrong.length === 0;
    return {
      passed,
      comparedAs: 'list',
      explanation: passed ? `compared as lists: all ${truthItems.length} elements match` : `compared as lists: element(s) ${wrong.join(', ')} of ${truthItems.length} differ`,
    };
  }
  const passed = normalizeText(modelAnswer) === normalizeText(groundTruth);
  return {
    passed,
    comparedAs: 'string',
    explanation: `compared as strings without spaces, case and punctuation: ${JSON.stringify(normalizeText(modelAnswer).slice(0, 80))} ${passed ? '=' : '!='} ${JSON.stringify(normalizeText(groundTruth).slice(0, 80))}`,
  };
}
