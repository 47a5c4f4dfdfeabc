/**
 * SMOLTRACE results given as a file (results.json, or a Parquet file of the results dataset), with its
 * traces when they sit beside it (traces.json in the same folder, or the `-traces-` Parquet file).
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { tasksFromRows, type LoadedRun } from '../report/run-reader.js';
import { describeIssue, resultRowSchema, traceSchema } from '../report/run-schemas.js';

async function rowsOf(path: string): Promise<unknown[] | null> {
  const bytes = await readFile(path).catch(() => null);
  if (!bytes) return null;
  if (extname(path).toLowerCase() === '.parquet') {
    const { readParquet } = await import('../hub/parquet.js');
    try {
      return await readParquet(new Uint8Array(bytes), { parseJson: true });
    } catch (error) {
      throw new InputError(`${path}: not a Parquet file (${(error as Error).message})`);
    }
  }
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (!Array.isArray(value)) throw new InputError(`${path}: expected a JSON list of result rows`);
    return value;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

export async function readSmoltraceFile(path: string): Promise<LoadedRun> {
  const rows = await rowsOf(path);
  const results = z.array(resultRowSchema).safeParse(rows);
  if (!results.success) throw new InputError(`${path}: not SMOLTRACE results (${describeIssue(results.error)})`);
  const name = basename(path);
  const tracesPath = name.includes('results') ? join(dirname(path), name.replace('results', 'traces')) : join(dirname(path), 'traces.json');
  const traceRows = tracesPath !== path ? await rowsOf(tracesPath) : null;
  const traces = traceRows ? z.array(traceSchema).safeParse(traceRows) : null;
  if (traces && !traces.success) throw new InputError(`${tracesPath}: not SMOLTRACE traces (${describeIssue(traces.error, 'trace')})`);
  const tasks = tasksFromRows(results.data, traces?.data ?? []);
  return { source: path, label: name, metadata: null, leaderboard: null, tasks, gpu: [], hasTraces: tasks.some((task) => task.trace !== null), missingFiles: traces ? [] : ['traces'] };
}
