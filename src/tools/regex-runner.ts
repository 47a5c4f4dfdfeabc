// Runs regular expressions from the model over file lines in a worker thread with a time limit, so
// a catastrophically backtracking pattern (e.g. `(a+)+$`) costs at most the limit instead of
// hanging the run. Patterns are compiled here first so syntax errors come back as ToolErrors.
import { Worker } from 'node:worker_threads';
import { ToolError } from './types.js';

export const REGEX_TIME_LIMIT_MS = 5_000;
const MAX_PATTERN_LENGTH = 1_000;

/** Plain CommonJS source for the worker (eval mode), so it runs the same from src/ under vitest and from dist/. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { source, flags, lines, op, replacement } = workerData;
const re = new RegExp(source, flags);
if (op === 'test') {
  const out = new Uint8Array(lines.length);
  for (let i = 0; i < lines.length; i++) { re.lastIndex = 0; out[i] = re.test(lines[i]) ? 1 : 0; }
  parentPort.postMessage(out);
} else {
  parentPort.postMessage(lines.map((line) => { re.lastIndex = 0; return line.replace(re, replacement); }));
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

type Job = { op: 'test'; lines: string[] } | { op: 'replace'; lines: string[]; replacement: string };

function run<T>(pattern: CompiledPattern, job: Job, signal: AbortSignal | undefined, timeoutMs: number): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  if (job.lines.length === 0) return Promise.resolve((job.op === 'test' ? new Uint8Array(0) : []) as T);
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
export function replaceLines(pattern: CompiledPattern, lines: string[], replacement: string, signal?: AbortSignal, timeoutMs = REGEX_TIME_LIMIT_MS): Promise<string[]> {
  return run<string[]>(pattern, { op: 'replace', lines, replacement }, signal, timeoutMs);
}
