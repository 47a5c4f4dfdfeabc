/**
 * GAIA's official `question_scorer` (the leaderboard's scorer, as smolagents copies it), with its
 * semantics kept exactly: the ground truth is never normalised before the checks, "is a number" is
 * Python's `float()` syntax, and an answer that is not a number compares as infinity.
 */

// Python's float() on ASCII text: optional sign, digits with single underscores between them, a point,
// an exponent, or inf/infinity/nan in any case.
const DIGITS = '[0-9](?:_?[0-9])*';
const FLOAT_SYNTAX = new RegExp(
  `^[+-]?(?:(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?|inf(?:inity)?|nan)$`,
  'i',
);

/** Python's str.isspace() (and so `re`'s `\s` on str): not JavaScript's `\s`, which has U+FEFF but not U+001C-U+001F or U+0085. */
export const PYTHON_WHITESPACE = '\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000';
const NON_ASCII_SPACE = /^[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/** A Unicode decimal digit's value: decimal digits come in runs of ten, 0 to 9, so it is its place in its run. */
function digitValue(codePoint: number): number {
  let start = codePoint;
  while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (codePoint - start) % 10;
}

/**
 * CPython's first step in float(): characters below U+007F stay, other whitespace becomes a space and
 * other decimal digits (Arabic-Indic, full-width, ...) their ASCII digit; anything else cannot parse.
 */
function asciiForFloat(text: string): string | undefined {
  let out = '';
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    if (codePoint < 0x7f) out += character;
    else if (NON_ASCII_SPACE.test(character)) out += ' ';
    else if (DECIMAL_DIGIT.test(character)) out += String(digitValue(codePoint));
    else return undefined;
  }
  return out;
}

/** Python's `float(text)`, or undefined where it would raise ValueError. */
export function pythonFloat(text: string): number | undefined {
  const ascii = asciiForFloat(text);
  if (ascii === undefined) return undefined;
  // Then only ASCII whitespace is stripped (U+001C-U+001F stay, and fail).
  const trimmed = ascii.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
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

const PYTHON_SPACES = new RegExp(`[${PYTHON_WHITESPACE}]`, 'gu');

/** GAIA's normalize_str: all (Python) whitespace removed, lower-cased, and (by default) ASCII punctuation removed. */
export function normalizeText(text: string, removePunctuation = true): string {
  const flat = text.replace(PYTHON_SPACES, '').toLowerCase();
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
