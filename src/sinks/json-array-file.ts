/**
 * A JSON array written one element at a time, byte for byte what `JSON.stringify(array, null, 2)`
 * writes (each element indented one level), through a temporary file renamed into place: readers
 * never see half a file, and the array is never whole in memory.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { RunStoppedError } from '../errors.js';
import { describeFileError } from '../eval/run-directory.js';

/** Text is written in pieces of about this size (small enough to stay out of V8's large-object space). */
const FLUSH_CHARACTERS = 1 << 16;

export class JsonArrayFile {
  private pending: string[] = [];
  private pendingCharacters = 0;
  private elements = 0;

  private constructor(
    readonly path: string,
    private readonly temporary: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<JsonArrayFile> {
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      return new JsonArrayFile(path, temporary, await open(temporary, 'w'));
    } catch (error) {
      throw new RunStoppedError(`cannot write ${path} (${describeFileError(error)})`, { cause: error });
    }
  }

  get count(): number {
    return this.elements;
  }

  /** Adds one element, given as its JSON text at indent 2 (as JSON.stringify(element, null, 2) writes it). */
  async add(json: string): Promise<void> {
    // JSON text holds no raw newline inside strings, so every newline starts a line to indent.
    this.push(`${this.elements ? ',\n' : '[\n'}  ${json.replace(/\n/g, '\n  ')}`);
    this.elements++;
    if (this.pendingCharacters >= FLUSH_CHARACTERS) await this.flush();
  }

  private push(text: string): void {
    this.pending.push(text);
    this.pendingCharacters += text.length;
  }

  private async flush(): Promise<void> {
    const text = this.pending.join('');
    this.pending = [];
    this.pendingCharacters = 0;
    try {
      await this.handle.write(text, null, 'utf8');
    } catch (error) {
      await this.abort();
      throw new RunStoppedError(`cannot write ${this.path} (${describeFileError(error)})`, { cause: error });
    }
  }

  /** Ends the array (with a final newline, as writeJsonAtomic does) and renames the file into place. */
  async commit(): Promise<void> {
    this.push(this.elements ? '\n]\n' : '[]\n');
    await this.flush();
    try {
      await this.handle.close();
      await rename(this.temporary, this.path);
    } catch (error) {
      await unlink(this.temporary).catch(() => undefined);
      throw new RunStoppedError(`cannot write ${this.path} (${describeFileError(error)})`, { cause: error });
    }
  }

  /** Drops the temporary file (after a failure elsewhere). */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await unlink(this.temporary).catch(() => undefined);
  }
}
