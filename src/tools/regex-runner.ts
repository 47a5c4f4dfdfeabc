// Runs regular expressions from the model over file lines in a worker thread with a time limit, so
// a catastrophically backtracking pattern (e.g. `(a+)+$`) costs at most the limit instead of
// hanging the run. Patterns are compiled here first so syntax errors come back as ToolErrors.
import { Worker } from 'node:worker_threads';
import { ToolError } from './types.js';

export const REGEX_TIME_LIMIT_MS = 5_000;
const MAX_PATTERN_LENGTH = 1_000;

/**
 * Plain CommonJS source for the worker (eval mode), so it runs the same from src/ under vitest and from
 * dist/. Replacements are expanded here (String.prototype.replace's `$` rules) piece by piece against a
 * budget, so `s/.*\/&&&&.../` on a long line stops at the cap instead of building megabytes first.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { source, flags, lines, op, replacement, maxChars } = workerData;
const re = new RegExp(source, flags);
if (op === 'test') {
  const out = new Uint8Array(lines.length);
  for (let i = 0; i < lines.length; i++) { re.lastIndex = 0; out[i] = re.test(lines[i]) ? 1 : 0; }
  parentPort.postMessage(out);
} else {
  const STOP = {};
  let used = 0;
  const spend = (text) => { used += text.length; if (used > maxChars) throw STOP; return text; };
  const expand = (args) => {
    const named = typeof args[args.length - 1] === 'object' && args[args.length - 1] !== null ? args[args.length - 1] : undefined;
    const end = named ? args.length - 3 : args.length - 2;
    const match = args[0], captures = args.slice(1, end), offset = args[end], whole = args[end + 1];
    let out = '';
    for (let i = 0; i < replacement.length; i++) {
      const c = replacement[i], next = replacement[i + 1];
      if (c !== '$' || next === undefined) { out += spend(c); continue; }
      if (next === '$') { out += spend('$'); i++; }
      else if (next === '&') { out += spend(match); i++; }
      else if (next === '\u0060') { out += spend(whole.slice(0, offset)); i++; }
      else if (next === "'") { out += spend(whole.slice(offset + match.length)); i++; }
      else if (next >= '0' && next <= '9') {
        const two = Number(replacement.slice(i + 1, i + 3));
        const one = Number(next);
        if (/^[0-9]{2}$/.test(replacement.slice(i + 1, i + 3)) && two >= 1 && two <= captures.length) { out += spend(captures[two - 1] ?? ''); i += 2; }
        else if (one >= 1 && one <= captures.length) { out += spend(captures[one - 1] ?? ''); i++; }
        else out += spend(c);
      } else if (next === '<' && named && replacement.indexOf('>', i + 2) !== -1) {
        const close = replacement.indexOf('>', i + 2);
        out += spend(named[replacement.slice(i + 2, close)] ?? '');
        i = close;
      } else out += spend(c);
    }
    return out;
  };
  const out = [];
  let truncated = false;
  for (const line of lines) {
    re.lastIndex = 0;
    // The unchanged parts of the line count too: at most the line itself.
    if (used + line.length > maxChars) { truncated = true; break; }
    const before = used;
    try {
      out.push(line.replace(re, (...args) => expand(args)));
    } catch (error) {
      if (error !== STOP) throw error;
      truncated = true;
      break;
    }
    used = before + out[out.length - 1].length + 1;
  }
  parentPort.postMessage({ lines: out, truncated });
}
`;

export interface CompiledPattern {
  source: string;
  flags: string;
}

/**
 * Checks and normalises a pattern: Python's `(?P<name>…)` and `(?P=name)` become JavaScript's
 * named groups, a leading `(?i)` becomes the `i` flag. Invalid patterns throw a ToolError.
 */
export function compilePattern(pattern: string, options: { ignoreCase?: boolean; global?: boolean } = {}): CompiledPattern {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new ToolError(`The pattern is too long (at most ${MAX_PATTERN_LENGTH} characters)`);
  let source = pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  let ignoreCase = options.ignoreCase ?? false;
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    ignoreCase = true;
  }
  const flags = `${options.global ? 'g' : ''}${ignoreCase ? 'i' : ''}`;
  try {
    new RegExp(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    throw new ToolError(`Invalid regular expression '${pattern}': ${reason}`);
  }
  return { source, flags };
}

type Job = { op: 'test'; lines: string[] } | { op: 'replace'; lines: string[]; replacement: string; maxChars: number };

function run<T>(pattern: CompiledPattern, job: Job, signal: AbortSignal | undefined, timeoutMs: number): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  if (job.lines.length === 0) return Promise.resolve((job.op === 'test' ? new Uint8Array(0) : { lines: [], truncated: false }) as T);
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...pattern, ...job } });
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      action();
    };
    const onAbort = (): void => finish(() => reject(signal?.reason ?? new Error('aborted')));
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(new ToolError(`The pattern took longer than ${timeoutMs / 1000} s (it probably backtracks catastrophically); simplify it`)),
        ),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (value: T) => finish(() => resolve(value)));
    worker.once('error', (error) => finish(() => reject(new ToolError(`Regular expression failed: ${error.message}`))));
    worker.once('exit', (code) => finish(() => reject(new ToolError(`Regular expression worker exited with code ${code}`))));
  });
}

/** For each line, whether the pattern matches it. */
export async function testLines(pattern: CompiledPattern, lines: string[], signal?: AbortSignal, timeoutMs = REGEX_TIME_LIMIT_MS): Promise<boolean[]> {
  const flags = await run<Uint8Array>({ ...pattern, flags: pattern.flags.replace('g', '') }, { op: 'test', lines }, signal, timeoutMs);
  return Array.from(flags, (flag) => flag === 1);
}

/** Each line with `String.prototype.replace(pattern, replacement)` applied (global when the pattern has `g`). */
export async function replaceLines(pattern: CompiledPattern, lines: string[], replacement: string, signal?: AbortSignal, timeoutMs = REGEX_TIME_LIMIT_MS): Promise<string[]> {
  return (await replaceLinesBounded(pattern, lines, replacement, { signal, timeoutMs })).lines;
}

/**
 * Like replaceLines, but stops building once the result passes `maxChars` characters (newlines
 * counted): the lines done so far come back with `truncated: true`.
 */
export function replaceLinesBounded(
  pattern: CompiledPattern,
  lines: string[],
  replacement: string,
  options: { maxChars?: number; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<{ lines: string[]; truncated: boolean }> {
  const maxChars = options.maxChars ?? Number.MAX_SAFE_INTEGER;
  return run(pattern, { op: 'replace', lines, replacement, maxChars }, options.signal, options.timeoutMs ?? REGEX_TIME_LIMIT_MS);
}
