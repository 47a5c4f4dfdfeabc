import { InputError } from '../errors.js';
import { taskRowSchema, type Task } from './schema.js';

/** A task row before validation, with where it came from for error messages. */
export interface RawRow {
  value: unknown;
  /** Where the row came from, for error messages: "line 3" or "row 2". */
  location: string;
}

/** One JSON object per non-blank line; `prefix` goes before "line N" in locations. */
export function parseJsonLines(path: string, text: string, prefix = ''): RawRow[] {
  const rows: RawRow[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (!line.trim()) return;
    try {
      rows.push({ value: JSON.parse(line), location: `${prefix}line ${index + 1}` });
    } catch (error) {
      throw new InputError(`${path}:${index + 1}: not valid JSON (${(error as Error).message})`);
    }
  });
  return rows;
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

/** Validates rows with the task schema; the first bad row fails with its file, place and field. */
export function validateRows(path: string, rows: readonly RawRow[]): Task[] {
  const tasks: Task[] = [];
  const seen = new Map<string, string>();
  for (const row of rows) {
    if (typeof row.value !== 'object' || row.value === null || Array.isArray(row.value)) {
      throw new InputError(`${path} ${row.location}: a task row must be a JSON object`);
    }
    const parsed = taskRowSchema.safeParse(row.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || 'row';
      const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : issue.message;
      throw new InputError(`${path} ${row.location}: field '${field}' ${message}`);
    }
    const previous = seen.get(parsed.data.id);
    if (previous) throw new InputError(`${path} ${row.location}: duplicate task id '${parsed.data.id}' (first at ${previous})`);
    seen.set(parsed.data.id, row.location);
    tasks.push(parsed.data);
  }
  return tasks;
}
