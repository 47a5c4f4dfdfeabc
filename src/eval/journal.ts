import { createWriteStream } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { RunStoppedError } from '../errors.js';
import { describeFileError } from './run-directory.js';
import { journalLines, type JournalRecordAt } from './journal-reader.js';

/** The journal: one TaskResult per line, appended as each task finishes (README: "The journal"). */
export const JOURNAL_FILE = 'results.jsonl';

/** The fields a resume relies on; the rest of the line is kept as written. */
const journalRecordSchema = z.looseObject({
  test_case_uid: z.string(),
  test_index: z.number(),
  error_kind: z.string().nullish(),
  repeat: z.number().nullish(),
});

/** One rollout of a task: its test_case_uid, and its repeat with `--repeats` (rollouts share the uid). */
export function rolloutKey(testCaseUid: string, repeat: number | null | undefined): string {
  return repeat === null || repeat === undefined ? testCaseUid : `${testCaseUid}#${repeat}`;
}

/** Where one journal line lies, with the fields a resume and the ordering need: a few numbers per task. */
export interface JournalEntry extends JournalRecordAt {
  test_case_uid: string;
  test_index: number;
  error_kind: string | null;
  /** rolloutKey(test_case_uid, repeat): what a resume counts as one task. */
  key: string;
}

/**
 * Reads a journal line by line (never the whole file at once). A line cut short by a crash or a full
 * disk (one that does not parse) is dropped, as are blank lines; the journal is then rewritten clean (streamed to a temporary
 * file and renamed) so appends continue on a fresh line. Entries stay in file order, their offsets
 * those of the clean file.
 */
export async function readJournal(directory: string): Promise<{ entries: JournalEntry[]; dropped: number }> {
  const path = join(directory, JOURNAL_FILE);
  const entries: JournalEntry[] = [];
  let dropped = 0;
  let rewrite = false;
  let cleanOffset = 0;
  try {
    for await (const line of journalLines(path)) {
      // A last line without its newline is kept when it parses (the newline is added by the rewrite).
      if (!line.complete) rewrite = true;
      if (!line.text.trim()) {
        rewrite = true;
        continue;
      }
      try {
        const record = journalRecordSchema.parse(JSON.parse(line.text));
        entries.push({ test_case_uid: record.test_case_uid, test_index: record.test_index, error_kind: record.error_kind ?? null, key: rolloutKey(record.test_case_uid, record.repeat), offset: cleanOffset, length: line.length });
        cleanOffset += line.length + 1;
      } catch {
        dropped++;
        rewrite = true;
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], dropped: 0 };
    throw new RunStoppedError(`cannot read ${path} (${describeFileError(error)})`, { cause: error });
  }
  if (rewrite) await rewriteClean(path);
  return { entries, dropped };
}

/** Streams the journal's complete, parseable lines to a temporary file and renames it over the journal. */
async function rewriteClean(path: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const output = createWriteStream(temporary, { flags: 'w' });
    for await (const line of journalLines(path)) {
      if (!line.text.trim()) continue;
      try {
        journalRecordSchema.parse(JSON.parse(line.text));
      } catch {
        continue;
      }
      if (!output.write(`${line.text}\n`)) await new Promise<void>((resolve) => output.once('drain', () => resolve()));
    }
    output.end();
    await finished(output);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new RunStoppedError(`cannot write ${path} (${describeFileError(error)})`, { cause: error });
  }
}

export interface ResumeState {
  /** The last record of each task that counts as done, in journal order (where it lies, not its text). */
  done: JournalEntry[];
  /** Tasks whose last record is an error of a kind that is run again. */
  rerun: number;
  dropped: number;
}

/**
 * What a resume keeps: for each test_case_uid (and repeat) its last line (a later line supersedes an earlier one),
 * unless that line failed with one of `rerunKinds` (infrastructure always; timeout with --retry-errors).
 */
export async function readResumeState(directory: string, rerunKinds: ReadonlySet<string>): Promise<ResumeState> {
  const { entries, dropped } = await readJournal(directory);
  const latest = new Map<string, JournalEntry>();
  for (const entry of entries) {
    latest.delete(entry.key);
    latest.set(entry.key, entry);
  }
  const done = [...latest.values()].filter((entry) => !(entry.error_kind && rerunKinds.has(entry.error_kind)));
  return { done, rerun: latest.size - done.length, dropped };
}

/** An append that failed: `deleted` when the journal (or its directory) was removed under the run. */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  constructor(
    readonly deleted: boolean,
    message: string,
    options?: ErrorOptions & { at?: JournalRecordAt },
  ) {
    super(message, options);
    this.at = options?.at;
  }

  /** Where the line went in a deleted journal's open file (it is put back from there). */
  readonly at: JournalRecordAt | undefined;
}

/**
 * Appends one JSON line per record, in order, each in a single write, and says where it lies (byte
 * offset and length), so the run keeps a few numbers per task instead of the task's result. After
 * each append one fstat checks that the file is still linked. A journal deleted under the run keeps
 * taking lines in its open (unlinked) file, from which `copyTo` puts it back; any other failure is
 * final: later appends fail with the same error.
 */
export class Journal {
  private queue: Promise<unknown> = Promise.resolve();
  private failure: JournalError | undefined;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private size: number,
  ) {}

  /** A new run creates its journal (exclusively: no other run's lines); a resumed run appends to its own. */
  static async open(directory: string, mode: 'create' | 'append'): Promise<Journal> {
    const path = join(directory, JOURNAL_FILE);
    try {
      // Opened for reading too: a deleted journal is copied back from this descriptor.
      const handle = await open(path, mode === 'create' ? 'ax+' : 'a+');
      return new Journal(handle, path, (await handle.stat()).size);
    } catch (error) {
      throw new RunStoppedError(`cannot open ${path} (${describeFileError(error)})`, { cause: error });
    }
  }

  /** Whether lines still go to the file (false once a write failed or the journal was deleted). */
  get failed(): JournalError | undefined {
    return this.failure;
  }

  /**
   * Appends a record already serialised as one line of JSON (the runner's scrubbed text, not made
   * twice); resolves to where the line lies. Rejects with a JournalError when the line could not be
   * written, or was written to a deleted journal (it is then still in the open file, at `at`).
   */
  appendJson(json: string): Promise<JournalRecordAt> {
    const line = Buffer.from(`${json}\n`, 'utf8');
    const written = this.queue.then(() => this.write(line));
    this.queue = written.catch(() => undefined);
    return written;
  }

  private async write(line: Buffer): Promise<JournalRecordAt> {
    if (this.failure && !this.failure.deleted) throw this.failure;
    const at = { offset: this.size, length: line.length - 1 };
    try {
      await this.handle.appendFile(line);
      this.size += line.length;
      if (!this.failure && (await this.handle.stat()).nlink === 0) this.failure = new JournalError(true, `${this.path} was deleted during the run`);
    } catch (error) {
      this.failure = new JournalError(false, `cannot write ${this.path} (${describeFileError(error)})`, { cause: error });
      throw this.failure;
    }
    if (this.failure) throw new JournalError(true, this.failure.message, { at });
    return at;
  }

  /** Copies every line written so far (from the open descriptor, even when the file was deleted) to `path`, atomically. */
  async copyTo(path: string): Promise<void> {
    await this.queue;
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      const output = await open(temporary, 'w');
      try {
        const buffer = Buffer.allocUnsafe(1 << 20);
        for (let position = 0; position < this.size; ) {
          const { bytesRead } = await this.handle.read(buffer, 0, Math.min(buffer.length, this.size - position), position);
          if (!bytesRead) break;
          await output.write(buffer, 0, bytesRead);
          position += bytesRead;
        }
      } finally {
        await output.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw new RunStoppedError(`cannot write ${path} (${describeFileError(error)})`, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle.close().catch(() => undefined);
  }
}
