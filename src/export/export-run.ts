/**
 * `agent-eval export`: runs → a training file (JSON Lines, or Parquet by the file's extension), written
 * through a temporary file renamed into place; optionally pushed to a private Hub dataset.
 */
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { SecretRedactor, scrubbedJson } from '../secrets/redactor.js';
import { dpoRows, PARQUET_TYPES, rewardRows, sftRows, type ExportFormat } from './formats.js';
import { trajectoriesOf, type ExportFilters } from './trajectories.js';

export interface ExportOptions extends ExportFilters {
  runs: string[];
  format: ExportFormat | 'otlp';
  output: string;
  env: Record<string, string | undefined>;
}

export interface ExportSummary {
  path: string;
  rows: number;
  trajectories: number;
  dropped: Record<string, number>;
  bytes: number;
}

export async function writeFileAtomic(path: string, content: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new InputError(`-o ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** JSON Lines or Parquet (by the extension); every string scrubbed of this environment's secrets and token shapes. */
export function encodeRows(unscrubbed: readonly Record<string, unknown>[], path: string, types: Record<string, import('../hub/parquet-schema.js').ParquetColumnType>): Promise<Uint8Array | string> {
  const redactor = SecretRedactor.from({ env: process.env });
  const rows = unscrubbed.map((row) => JSON.parse(scrubbedJson(row, redactor)) as Record<string, unknown>);
  if (extname(path).toLowerCase() === '.parquet') {
    return import('../hub/parquet.js').then(({ writeParquet }) => writeParquet(rows, { types, columns: Object.keys(types) }));
  }
  return Promise.resolve(rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : ''));
}

export async function exportRuns(options: ExportOptions): Promise<ExportSummary> {
  const extension = extname(options.output).toLowerCase();
  if (options.format !== 'otlp' && extension !== '.jsonl' && extension !== '.parquet') throw new InputError(`-o ${options.output}: give a .jsonl or .parquet file`);
  const { loadRuns } = await import('../report/run-sources.js');
  const runs = await loadRuns(options.runs, { env: options.env });
  const path = resolve(options.output);
  if (options.format === 'otlp') {
    const { otlpFromTraces } = await import('./otlp-json.js');
    const traces = runs.flatMap((run) => [...new Map(run.tasks.flatMap((task) => (task.trace ? [[task.trace.trace_id, task.trace] as const] : []))).values()]);
    const text = `${scrubbedJson(otlpFromTraces(traces), SecretRedactor.from({ env: process.env }))}\n`;
    await writeFileAtomic(path, text);
    return { path, rows: traces.length, trajectories: traces.length, dropped: {}, bytes: Buffer.byteLength(text) };
  }
  // Preference pairs need the failing rollouts: success and score filters pick the chosen side only, and
  // every rollout is kept (repeats are what pairs are made of), whatever --no-dedupe says.
  const filters: ExportFilters = options.format === 'dpo' ? { ...(options.maxSteps !== undefined && { maxSteps: options.maxSteps }), ...(options.scorer && { scorer: options.scorer }), dedupe: false } : options;
  const { trajectories, dropped } = trajectoriesOf(runs, filters);
  const rows =
    options.format === 'sft'
      ? sftRows(trajectories)
      : options.format === 'dpo'
        ? dpoRows(trajectories, (trajectory) => options.minScore === undefined || (trajectory.score !== null && trajectory.score >= options.minScore))
        : rewardRows(trajectories);
  const content = await encodeRows(rows, path, PARQUET_TYPES[options.format]);
  await writeFileAtomic(path, content);
  return { path, rows: rows.length, trajectories: trajectories.length, dropped, bytes: typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength };
}

/** Pushes one file to a private Hub dataset (created when missing) with a short card. */
export async function pushFile(repo: string, path: string, card: string, env: Record<string, string | undefined>): Promise<string> {
  const [{ HubClient }, { readFile }] = await Promise.all([import('../hub/client.js'), import('node:fs/promises')]);
  const { client } = await HubClient.fromEnvironment({ env });
  if (!client.token) throw new InputError(`--push ${repo}: no Hub token (set HF_TOKEN)`);
  await client.createDatasetRepo(repo, { private: true });
  const name = basename(path);
  await client.uploadFiles(repo, [{ path: `data/${name}`, content: new Uint8Array(await readFile(path)) }, { path: 'README.md', content: card }], `agent-eval: ${name}`);
  return client.datasetUrl(repo);
}
