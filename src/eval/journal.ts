import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { RunStoppedError } from '../errors.js';
import { describeFileError, writeTextAtomic } from './run-directory.js';
import type { TaskResult } from './types.js';

/** The journal: one TaskResult per line, appended as each task finishes (README: "The journal"). */
export const JOURNAL_FILE = 'results.jsonl';

/** The fields a resume relies on; the rest of the line is kept as written. */
const journalRecordSchema = z.looseObject({
  test_case_uid: z.string(),
  test_index: z.number(),
  error_kind: z.string().nullish(),
});

/**
 * Reads a journal. A line cut short by a crash or a full disk is dropped; the journal is then
 * rewritten clean so appends continue on a fresh line. Lines stay in file order.
 */
export async function readJournal(directory: string): Promise<{ records: TaskResult[]; dropped: number }> {
  const path = join(directory, JOURNAL_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], dropped: 0 };
    throw new RunStoppedError(`cannot read ${path} (${describeFileError(error)})`, { cause: error });
  }
  const records: TaskResult[] = [];
  const kept: string[] = [];
  let dropped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(journalRecordSchema.parse(JSON.parse(line)) as unknown as TaskResult);
      kept.push(line);
    } catch {
      dropped++;
    }
  }
  if (dropped || (text && !text.endsWith('\n'))) await writeTextAtomic(path, kept.map((line) => `${line}\n`).join(''));
  return { records, dropped };
}

export interface ResumeState {
  /** The last record of each task that counts as done, in journal order. */
  done: TaskResult[];
  /** Tasks whose last record is an error of a kind that is run again. */
  rerun: number;
  dropped: number;
}

/**
 * What a resume keeps: for each test_case_uid its last line (a later line supersedes an earlier one),
 * unless that line failed with one of `rerunKinds` (infrastructure always; timeout with --retry-errors).
 */
export async function readResumeState(directory: string, rerunKinds: ReadonlySet<string>): Promise<ResumeState> {
  const { records, dropped } = await readJournal(directory);
  const latest = new Map<string, TaskResult>();
  for (const record of records) {
    latest.delete(record.test_case_uid);
    latest.set(record.test_case_uid, record);
  }
  const done = [...latest.values()].filter((record) => !(record.error_kind && rerunKinds.has(record.error_kind)));
  return { done, rerun: latest.size - done.length, dropped };
}

/** One journal line: compact JSON (results are already scrubbed of secrets by the runner). */
function journalLine(record: unknown): string {
  return `${JSON.stringify(record)}\n`;
}

/** An append that failed: `deleted` when the journal (or its directory) was removed under the run. */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  constructor(
    readonly deleted: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Appends one JSON line per record, in order, each in a single write. After each append one fstat
 * checks that the file is still linked: a journal whose directory was deleted keeps taking writes
 * that nobody will ever read. The first failure is final: later appends fail with the same error.
 */
export class Journal {
  private queue: Promise<void> = Promise.resolve();
  private failure: JournalError | undefined;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** A new run creates its journal (exclusively: no other run's lines); a resumed run appends to its own. */
  static async open(directory: string, mode: 'create' | 'append'): Promise<Journal> {
    const path = join(directory, JOURNAL_FILE);
    try {
      return new Journal(await open(path, mode === 'create' ? 'ax' : 'a'), path);
    } catch (error) {
      throw new RunStoppedError(`cannot open ${path} (${describeFileError(error)})`, { cause: error });
    }
  }

  append(record: unknown): Promise<void> {
    return this.appendJson(JSON.stringify(record));
  }

  /** Appends a record already serialised as one line of JSON (the runner's scrubbed text, not made twice). */
  appendJson(json: string): Promise<void> {
    const line = `${json}\n`;
    const written = this.queue.then(() => this.write(line));
    this.queue = written.catch(() => undefined);
    return written;
  }

  private async write(line: string): Promise<void> {
    if (this.failure) throw this.failure;
    try {
      await this.handle.appendFile(line, 'utf8');
      if ((await this.handle.stat()).nlink === 0) this.failure = new JournalError(true, `${this.path} was deleted during the run`);
    } catch (error) {
      this.failure = new JournalError(false, `cannot write ${this.path} (${describeFileError(error)})`, { cause: error });
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle.close().catch(() => undefined);
  }
}

/** Writes a whole journal at once (putting back a deleted run directory's finished tasks). */
export async function writeJournal(directory: string, records: readonly unknown[]): Promise<void> {
  await writeTextAtomic(join(directory, JOURNAL_FILE), records.map(journalLine).join(''));
}
