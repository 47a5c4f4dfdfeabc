const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const patternCache = new Map<string, RegExp>();

/**
 * A case-insensitive pattern that finds `keyword` as a whole word or number: `18` matches "18°C"
 * and "is 18." but not "2018", "180" or "18.5"; `Clear` matches "clear skies" but not "unclear".
 */
function keywordPattern(keyword: string): RegExp {
  let pattern = patternCache.get(keyword);
  if (pattern) return pattern;
  const first = keyword[0] ?? '';
  const last = keyword[keyword.length - 1] ?? '';
  let source = escapeRegExp(keyword).replace(/\s+/g, '\\s+');
  if (WORD_CHARACTER.test(first)) source = `(?<![\\p{L}\\p{N}_]|\\d[.,])${source}`;
  if (WORD_CHARACTER.test(last)) source = `${source}(?![\\p{L}\\p{N}_]|[.,]\\d)`;
  pattern = new RegExp(source, 'iu');
  patternCache.set(keyword, pattern);
  return pattern;
}

/** Thousands separators in numbers ("15,678" -> "15678") so numeric keywords match either way. */
function withoutThousandsSeparators(text: string): string {
  return text.replace(/(?<=\d),(?=\d{3}(?!\d))/g, '');
}

/** True when `keyword` occurs in `text` as a whole word or number, ignoring case. */
export function containsKeyword(text: string, keyword: string): boolean {
  const trimmed = keyword.trim();
  if (!trimmed) return false;
  const pattern = keywordPattern(trimmed);
  return pattern.test(text) || pattern.test(withoutThousandsSeparators(text));
}
