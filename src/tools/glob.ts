// Glob patterns for list_directory and search_files, matched without regular expressions (a glob
// such as `*a*a*a*a*b` turned into a regex backtracks exponentially; this matcher is O(n·m)).
// Supported: `*` (within one path segment), `**` (across segments; `**/` also matches nothing),
// `?`, `[abc]`, `[a-z]`, `[!abc]` / `[^abc]`, `{a,b}` (expanded, at most 64 alternatives), `\x`.
import { ToolError } from './types.js';

type Token =
  | { kind: 'char'; value: string }
  | { kind: 'one' }
  | { kind: 'class'; negated: boolean; ranges: Array<[string, string]> }
  | { kind: 'star' }
  | { kind: 'globstar' }
  | { kind: 'dirs' }; // `**/`: zero or more whole segments

const MAX_PATTERN = 256;
const MAX_ALTERNATIVES = 64;

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open === -1) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === ',' && depth === 1) commas.push(i);
    else if (c === '}' && --depth === 0) {
      if (commas.length === 0) break;
      const prefix = pattern.slice(0, open);
      const suffix = pattern.slice(i + 1);
      const bounds = [open, ...commas, i];
      const out: string[] = [];
      for (let k = 0; k < bounds.length - 1; k++) {
        for (const rest of expandBraces(pattern.slice(bounds[k]! + 1, bounds[k + 1]) + suffix)) {
          out.push(prefix + rest);
          if (out.length > MAX_ALTERNATIVES) throw new ToolError(`Glob pattern '${pattern}' expands to too many alternatives`);
        }
      }
      return out;
    }
  }
  return [pattern];
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) tokens.push({ kind: 'char', value: pattern[++i]! });
    else if (c === '?') tokens.push({ kind: 'one' });
    else if (c === '*') {
      let j = i;
      while (pattern[j + 1] === '*') j++;
      if (j > i) {
        if (pattern[j + 1] === '/') {
          tokens.push({ kind: 'dirs' });
          j++;
        } else tokens.push({ kind: 'globstar' });
      } else tokens.push({ kind: 'star' });
      i = j;
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) {
        tokens.push({ kind: 'char', value: c });
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negated = body[0] === '!' || body[0] === '^';
      if (negated) body = body.slice(1);
      const ranges: Array<[string, string]> = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === '-' && k + 2 < body.length) {
          ranges.push([body[k]!, body[k + 2]!]);
          k += 2;
        } else ranges.push([body[k]!, body[k]!]);
      }
      tokens.push({ kind: 'class', negated, ranges });
      i = close;
    } else tokens.push({ kind: 'char', value: c });
  }
  return tokens;
}

function matchOne(token: Token, c: string): boolean {
  switch (token.kind) {
    case 'char':
      return token.value === c;
    case 'one':
      return c !== '/';
    case 'class':
      return c !== '/' && token.ranges.some(([lo, hi]) => c >= lo && c <= hi) !== token.negated;
    default:
      return false;
  }
}

/** Dynamic programming over (token, position): reach[j] = the first i tokens can match text[0..j). */
function matchTokens(tokens: Token[], text: string): boolean {
  const n = text.length;
  let reach = new Uint8Array(n + 1);
  reach[0] = 1;
  for (const token of tokens) {
    const next = new Uint8Array(n + 1);
    if (token.kind === 'star' || token.kind === 'globstar') {
      let open = false;
      for (let j = 0; j <= n; j++) {
        if (reach[j]) open = true;
        if (open) next[j] = 1;
        if (token.kind === 'star' && text[j] === '/') open = false;
      }
    } else if (token.kind === 'dirs') {
      let first = -1;
      for (let j = 0; j <= n; j++) {
        if (!reach[j]) continue;
        next[j] = 1;
        if (first === -1) first = j;
      }
      // From the earliest start, every later segment boundary is reachable.
      if (first !== -1) for (let k = first; k < n; k++) if (text[k] === '/') next[k + 1] = 1;
    } else {
      for (let j = 0; j < n; j++) if (reach[j] && matchOne(token, text[j]!)) next[j + 1] = 1;
    }
    reach = next;
  }
  return reach[n] === 1;
}

export type GlobMatcher = (text: string) => boolean;

/** Compiles a glob; `text` is matched whole (a file name, or a `/`-separated relative path). */
export function compileGlob(pattern: string): GlobMatcher {
  if (pattern.length > MAX_PATTERN) throw new ToolError(`Glob pattern is too long (at most ${MAX_PATTERN} characters)`);
  const alternatives = expandBraces(pattern).map(tokenize);
  return (text) => alternatives.some((tokens) => matchTokens(tokens, text));
}
