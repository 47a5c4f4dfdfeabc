/**
 * Any dataset as tasks: its columns mapped to task fields (`--column-map prompt=question ...`, or a
 * `columns:` block in `--task-config`), with `defaults:` for fields the dataset lacks. Original
 * columns are kept beside the mapped fields. GAIA's columns (Question, Final answer or true_answer,
 * Level, file_name) map by themselves.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { RawRow } from './rows.js';

export interface ColumnMapping {
  /** Task field -> dataset column. */
  columns: Record<string, string>;
  /** Values for fields the rows lack after mapping (scorer, agent_type, difficulty, ...). */
  defaults: Record<string, unknown>;
  /** Where the mapping came from, for error messages. */
  origin: string;
}

const REQUIRED = ['id', 'prompt', 'difficulty'] as const;

const taskConfigSchema = z
  .object({
    columns: z.record(z.string().min(1), z.string().min(1)).optional(),
    defaults: z.record(z.string().min(1), z.unknown()).optional(),
  })
  .strict();

/** Reads `--task-config` YAML (columns, defaults); a bad file is one line naming it and the field. */
export async function readTaskConfig(path: string): Promise<{ columns: Record<string, string>; defaults: Record<string, unknown> }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`--task-config ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const { parse } = await import('yaml');
  let value: unknown;
  try {
    value = parse(text) ?? {};
  } catch (error) {
    throw new InputError(`--task-config ${path}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = taskConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`--task-config ${path}: ${issue.path.length ? `field '${issue.path.join('.')}' ` : ''}${issue.message} (expected columns: and defaults: maps)`);
  }
  return { columns: parsed.data.columns ?? {}, defaults: parsed.data.defaults ?? {} };
}

/** The run's mapping from `--task-config` and `--column-map` (whose entries win); undefined when neither is given. */
export async function columnMapping(columnMap: Record<string, string> | undefined, taskConfig: string | undefined): Promise<ColumnMapping | undefined> {
  if (!columnMap && !taskConfig) return undefined;
  const config = taskConfig ? await readTaskConfig(taskConfig) : { columns: {}, defaults: {} };
  const origin = columnMap ? (taskConfig ? `--column-map (over --task-config ${taskConfig})` : '--column-map') : `--task-config ${taskConfig}`;
  return { columns: { ...config.columns, ...columnMap }, defaults: config.defaults, origin };
}

/** GAIA's metadata columns (the Hub dataset gaia-benchmark/GAIA and copies of it). */
export const GAIA_MAPPING: ColumnMapping = {
  columns: { id: 'task_id', prompt: 'Question', expected_answer: 'Final answer', difficulty: 'Level' },
  defaults: { scorer: 'gaia' },
  origin: 'the GAIA column layout',
};

/**
 * GAIA's mapping for rows like `row`: the answer from `Final answer` (the metadata files), else from
 * `true_answer` (GAIA's scorer and results files), else none (a split without answers).
 */
export function gaiaMapping(row: unknown): ColumnMapping {
  const record = (typeof row === 'object' && row !== null ? row : {}) as Record<string, unknown>;
  if ('Final answer' in record) return GAIA_MAPPING;
  const { expected_answer: _answer, ...columns } = GAIA_MAPPING.columns;
  return { ...GAIA_MAPPING, columns: 'true_answer' in record ? { ...columns, expected_answer: 'true_answer' } : columns };
}

/** Whether rows look like GAIA's metadata (task_id, Question, Level, and Final answer or none in the test split). */
export function looksLikeGaia(row: unknown): boolean {
  if (typeof row !== 'object' || row === null) return false;
  const record = row as Record<string, unknown>;
  return 'task_id' in record && 'Question' in record && 'Level' in record && !('prompt' in record);
}

const LEVELS: Record<string, string> = { '1': 'easy', '2': 'medium', '3': 'hard' };

/** A mapped value made to fit its field: GAIA-style levels 1..3 as difficulties, one keyword as a list. */
function fitted(field: string, value: unknown): unknown {
  if (field === 'difficulty' && (typeof value === 'number' || typeof value === 'string')) return LEVELS[String(value).trim()] ?? value;
  if ((field === 'expected_keywords' || field === 'test_list') && (typeof value === 'string' || typeof value === 'number')) return [value];
  if (field === 'expected_answer' && value === '?') return null; // GAIA's test split hides its answers as "?"
  return value;
}

function listed(columns: readonly string[]): string {
  return columns.length ? columns.join(', ') : 'none';
}

/**
 * The rows with the mapping applied. A mapped column the dataset lacks, or a required field (id,
 * prompt, difficulty) neither in the row, mapped nor defaulted, is one error listing the columns.
 */
export function* mapRows(rows: Iterable<RawRow>, mapping: ColumnMapping, label: string): Generator<RawRow> {
  let checked = false;
  for (const row of rows) {
    if (typeof row.value !== 'object' || row.value === null || Array.isArray(row.value)) {
      yield row;
      continue;
    }
    const record = row.value as Record<string, unknown>;
    if (!checked) {
      checked = true;
      const columns = Object.keys(record);
      for (const [field, column] of Object.entries(mapping.columns)) {
        if (!(column in record)) throw new InputError(`${mapping.origin}: ${field}=${column}: ${label} has no column '${column}' (its columns: ${listed(columns)})`);
      }
      const missing = REQUIRED.filter((field) => !(field in mapping.columns) && !(field in record) && !(field in mapping.defaults));
      if (missing.length) {
        const fields = missing.map((field) => `'${field}'`).join(', ');
        throw new InputError(`${mapping.origin}: task field(s) ${fields} not mapped and ${label} has no such column (its columns: ${listed(columns)}); map them with --column-map ${missing[0]}=COLUMN or set defaults: in --task-config`);
      }
    }
    const mapped: Record<string, unknown> = { ...record };
    for (const [field, column] of Object.entries(mapping.columns)) mapped[field] = fitted(field, record[column]);
    for (const [field, value] of Object.entries(mapping.defaults)) if (mapped[field] === undefined || mapped[field] === null) mapped[field] = value;
    yield { value: mapped, location: row.location };
  }
}

/** The rows with `mapping` applied; without one, GAIA's layout is recognised by its first row and mapped. */
export function* applyMapping(rows: Iterable<RawRow>, mapping: ColumnMapping | undefined, label: string): Generator<RawRow> {
  const iterator = rows[Symbol.iterator]();
  const first = iterator.next();
  if (first.done) return;
  const rest: Iterable<RawRow> = { [Symbol.iterator]: () => iterator };
  const chosen = mapping ?? (looksLikeGaia(first.value.value) ? gaiaMapping(first.value.value) : undefined);
  const all = (function* () {
    yield first.value;
    yield* rest;
  })();
  if (chosen) yield* mapRows(all, chosen, label);
  else yield* all;
}
