import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { taskRowSchema, type Task } from './schema.js';

/** The name that selects the task set shipped in `tasks/`. */
export const BUILTIN_DATASET = 'builtin';
export const BUILTIN_TASKS_FILE = fileURLToPath(new URL('../../tasks/builtin.jsonl', import.meta.url));

interface RawRow {
  value: unknown;
  /** Where the row came from, for error messages: "line 3" or "row 2". */
  location: string;
}

function parseJsonLines(path: string, text: string): RawRow[] {
  const rows: RawRow[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (!line.trim()) return;
    try {
      rows.push({ value: JSON.parse(line), location: `line ${index + 1}` });
    } catch (error) {
      throw new InputError(`${path}:${index + 1}: not valid JSON (${(error as Error).message})`);
    }
  });
  return rows;
}

function parseJsonDocument(path: string, text: string, split: string): RawRow[] {
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
  return data.map((value, index) => ({ value, location: `row ${index + 1}` }));
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

export interface LoadTasksInput {
  datasetName: string;
  split: string;
}

/** Loads tasks from the built-in set or a local .json/.jsonl file. */
export async function loadTasks(input: LoadTasksInput): Promise<Task[]> {
  const isBuiltin = input.datasetName === BUILTIN_DATASET;
  const path = isBuiltin ? BUILTIN_TASKS_FILE : input.datasetName;
  const lower = path.toLowerCase();
  if (!lower.endsWith('.json') && !lower.endsWith('.jsonl')) {
    throw new InputError(
      `--dataset-name ${input.datasetName}: Hub datasets are not supported in this version yet; give a local .json or .jsonl file or '${BUILTIN_DATASET}'`,
    );
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`--dataset-name ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const rows = lower.endsWith('.jsonl') ? parseJsonLines(path, text) : parseJsonDocument(path, text, input.split);
  if (rows.length === 0) throw new InputError(`${path}: no task rows`);
  return validateRows(path, rows);
}
