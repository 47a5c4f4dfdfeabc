import type { z } from 'zod';
import { InputError } from '../errors.js';
import { taskRowSchema, type Task } from './schema.js';
import { setTaskAttachments, type TaskAttachment } from './attachments.js';

/** A task row before validation, with where it came from for error messages. */
export interface RawRow {
  value: unknown;
  /** Where the row came from, for error messages: "line 3" or "row 2". */
  location: string;
  /** Files the loader attached (GAIA's): set by loaders only, never from the row's data. */
  attachments?: readonly TaskAttachment[];
}

/** One JSON object per non-blank line; `prefix` goes before "line N" in locations. */
export function parseJsonLines(path: string, text: string, prefix = ''): RawRow[] {
  return [...jsonLineRows(path, text, prefix)];
}

/** The rows of a JSON Lines text one at a time, so a large task file is never held as lines and rows at once. */
export function* jsonLineRows(path: string, text: string, prefix = ''): Generator<RawRow> {
  for (let start = 0, number = 1; start < text.length; number++) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, end > start && text[end - 1] === '\r' ? end - 1 : end);
    start = end + 1;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InputError(`${path}:${number}: not valid JSON (${(error as Error).message})`);
    }
    yield { value, location: `${prefix}line ${number}` };
  }
}

/** A JSON list, or an object holding the split's list (or `data`). */
export function parseJsonDocument(path: string, text: string, split: string, prefix = ''): RawRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(data) && typeof data === 'object' && data !== null) {
    const record = data as Record<string, unknown>;
    data = record[split] ?? record.data;
    if (data === undefined) throw new InputError(`${path}: no "${split}" or "data" list in the JSON object`);
  }
  if (!Array.isArray(data)) throw new InputError(`${path}: expected a list of task rows`);
  return data.map((value, index) => ({ value, location: `${prefix}row ${index + 1}` }));
}

const TYPE_WORDS: Record<string, string> = {
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
};

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value === 'number' ? 'the number' : 'the value'} ${String(value)}`;
}

/** The value at `path` in a row, or undefined when absent. */
function valueAt(row: unknown, path: readonly PropertyKey[]): unknown {
  let value = row;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/** A schema issue in plain words: "is missing", "must be a list, not the string "20"", "must be easy, medium or hard". */
function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined) return 'is missing';
  if (issue.code === 'invalid_type') return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, not ${kindOf(value)}`;
  if (issue.code === 'invalid_union') return `must be a string or a number, not ${kindOf(value)}`;
  if (issue.code === 'invalid_value') {
    const choices = issue.values.map(String);
    const listed = choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}` : (choices[0] ?? '');
    return `must be ${listed} (any case), not ${kindOf(value)}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'number') return `must be ${String(issue.minimum)} or more, not ${kindOf(value)}`;
  if (issue.code === 'too_small' && issue.origin === 'string') return 'must be a non-empty string';
  return issue.message;
}

/** The fields every task row needs (schema.ts). */
const REQUIRED_FIELDS = ['id', 'prompt', 'difficulty'];

/** A row's data without an `attachments` column: only loaders attach files (attachments.ts), never the data. */
function withoutAttachmentsColumn(value: object): object {
  if (!Object.hasOwn(value, 'attachments')) return value;
  const { attachments: _dropped, ...rest } = value as Record<string, unknown>;
  return rest;
}

/**
 * Validates rows with the task schema; the first bad row fails with its file, place and field. A data
 * column named `attachments` is dropped; the loader's attachments ride on the task (attachments.ts).
 */
export function validateRows(path: string, rows: Iterable<RawRow>): Task[] {
  const tasks: Task[] = [];
  const seen = new Map<string, string>();
  for (const row of rows) {
    if (typeof row.value !== 'object' || row.value === null || Array.isArray(row.value)) {
      throw new InputError(`${path} ${row.location}: a task row must be a JSON object`);
    }
    const parsed = taskRowSchema.safeParse(withoutAttachmentsColumn(row.value));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || 'row';
      const value = valueAt(row.value, issue.path);
      // A required field missing: the dataset's columns may just have other names.
      const columns = value === undefined && issue.path.length === 1 && REQUIRED_FIELDS.includes(field)
        ? ` (the row's columns: ${Object.keys(row.value).join(', ') || 'none'}; map one with --column-map ${field}=COLUMN)`
        : '';
      throw new InputError(`${path} ${row.location}: field '${field}' ${describeIssue(issue, value)}${columns}`);
    }
    const previous = seen.get(parsed.data.id);
    if (previous) throw new InputError(`${path} ${row.location}: duplicate task id '${parsed.data.id}' (first at ${previous})`);
    seen.set(parsed.data.id, row.location);
    if (row.attachments) setTaskAttachments(parsed.data, row.attachments);
    tasks.push(parsed.data);
  }
  return tasks;
}
