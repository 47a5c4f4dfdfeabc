import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { SecretRedactor, type TextRedactor } from '../secrets/redactor.js';

export const JOURNAL_FILE = 'results.jsonl';

const INTEGER_MARK = '\u0000int:';

/** The redactor for files written without the run's own: this environment's secrets and token shapes. */
function fallbackRedactor(): SecretRedactor {
  return SecretRedactor.from({ env: process.env });
}

/** Scrubs every string of `data` while serialising it (the one place file contents are made). */
function redactedJson(data: unknown, redactor: TextRedactor, space?: number, replacer?: (key: string, value: unknown) => unknown): string {
  return JSON.stringify(
    data,
    (key: string, raw: unknown) => {
      const value = replacer ? replacer(key, raw) : raw;
      return typeof value === 'string' ? redactor.text(value) : value;
    },
    space,
  );
}

/**
 * JSON text in which the digit-string values of `integerKeys` are written as bare integers, so that
 * values past 2^53 (nanosecond timestamps) stay exact for readers with big integers (Python).
 * Every string is scrubbed by `redactor` (default: this environment's secrets).
 */
export function jsonText(data: unknown, integerKeys?: ReadonlySet<string>, redactor: TextRedactor = fallbackRedactor()): string {
  if (!integerKeys) return redactedJson(data, redactor, 2);
  const text = redactedJson(
    data,
    redactor,
    2,
    (key, value) => (integerKeys.has(key) && typeof value === 'string' && /^-?\d+$/.test(value) ? `${INTEGER_MARK}${value}` : value),
  );
  return text.replace(/"\\u0000int:(-?\d+)"/g, '$1');
}

/** Writes JSON through a temporary file and a rename, so readers never see half a file; secrets scrubbed. */
export async function writeJsonAtomic(path: string, data: unknown, integerKeys?: ReadonlySet<string>, redactor?: TextRedactor): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${jsonText(data, integerKeys, redactor)}\n`, 'utf8');
  await rename(temporary, path);
}

/** `{model with / and : as _}_{agent type}_{YYYYMMDD_HHMMSS}` (UTC), SMOLTRACE's directory name. */
export function runDirectoryName(model: string, agentType: string, when: Date): string {
  const stamp = when.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  return `${model.replace(/[/:]/g, '_')}_${agentType}_${stamp}`;
}

/** Checks, without writing anything, that `directory` exists writable or can be created. */
export async function checkWritableDirectory(directory: string, flag: string): Promise<void> {
  let current = resolve(directory);
  for (;;) {
    try {
      const info = await stat(current);
      if (!info.isDirectory()) throw new InputError(`${flag} ${directory}: ${current} is not a directory`);
      await access(current, constants.W_OK);
      return;
    } catch (error) {
      if (error instanceof InputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new InputError(`${flag} ${directory}: not writable (${code ?? 'error'})`);
      const parent = dirname(current);
      if (parent === current) throw new InputError(`${flag} ${directory}: no existing parent directory`);
      current = parent;
    }
  }
}

export async function createRunDirectory(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw new InputError(`--output-dir: cannot create ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * Reads a journal. A line cut short by a crash (only ever the last one) is dropped; the journal is
 * then rewritten clean so appends continue on a fresh line.
 */
export async function readJournal<T>(directory: string, parse: (value: unknown) => T): Promise<{ records: T[]; dropped: number }> {
  const path = join(directory, JOURNAL_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], dropped: 0 };
    throw error;
  }
  const records: T[] = [];
  const kept: string[] = [];
  let dropped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(parse(JSON.parse(line)));
      kept.push(line);
    } catch {
      dropped++;
    }
  }
  if (dropped || (text && !text.endsWith('\n'))) {
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, kept.map((line) => `${line}\n`).join(''), 'utf8');
    await rename(temporary, path);
  }
  return { records, dropped };
}

/** Appends one JSON line per record, in order, each in a single write. */
export class Journal {
  private queue: Promise<void> = Promise.resolve();
  private constructor(private readonly handle: FileHandle) {}

  static async open(directory: string): Promise<Journal> {
    return new Journal(await open(join(directory, JOURNAL_FILE), 'a'));
  }

  append(record: unknown): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    this.queue = this.queue.then(() => this.handle.appendFile(line, 'utf8'));
    return this.queue;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.handle.close();
  }
}
