import { constants } from 'node:fs';
import { access, mkdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, RunStoppedError } from '../errors.js';
import { SecretRedactor, scrubbedJson, type TextRedactor } from '../secrets/redactor.js';

const INTEGER_MARK = '\u0000int:';

/** The redactor for files written without the run's own: this environment's secrets and token shapes. */
function fallbackRedactor(): SecretRedactor {
  return SecretRedactor.from({ env: process.env });
}

/**
 * JSON text in which the digit-string values of `integerKeys` are written as bare integers, so that
 * values past 2^53 (nanosecond timestamps) stay exact for readers with big integers (Python).
 * Every string is scrubbed by `redactor` (default: this environment's secrets).
 */
export function jsonText(data: unknown, integerKeys?: ReadonlySet<string>, redactor: TextRedactor = fallbackRedactor()): string {
  if (!integerKeys) return scrubbedJson(data, redactor, 2);
  const text = scrubbedJson(
    data,
    redactor,
    2,
    (key, value) => (integerKeys.has(key) && typeof value === 'string' && /^-?\d+$/.test(value) ? `${INTEGER_MARK}${value}` : value),
  );
  return text.replace(/"\\u0000int:(-?\d+)"/g, '$1');
}

/** `CODE: message` of a file system error, for one-line reports. */
export function describeFileError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const reason = typeof message === 'string' ? message.replace(/^[A-Z]+: /, '').replace(/,.*$/, '') : String(error);
  return code ? `${code}: ${reason}` : reason;
}

/**
 * Writes text through a temporary file and a rename, so readers never see half a file. A failure
 * (disk full, read-only, directory gone) removes the temporary file and throws a RunStoppedError
 * that names the file.
 */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new RunStoppedError(`cannot write ${path} (${describeFileError(error)})`, { cause: error });
  }
}

/** Writes JSON atomically (see writeTextAtomic); secrets scrubbed. */
export async function writeJsonAtomic(path: string, data: unknown, integerKeys?: ReadonlySet<string>, redactor?: TextRedactor): Promise<void> {
  await writeTextAtomic(path, `${jsonText(data, integerKeys, redactor)}\n`);
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

/** Suffixes tried after the plain name is taken (`_2` ... `_1000`). */
const MAX_SUFFIX = 1000;

/**
 * Creates a new run directory that no other run uses: `path` itself when it does not exist yet,
 * otherwise `path_2`, `path_3`, ... Each attempt is an exclusive mkdir, so two runs started in the
 * same second (same model, agent type and --output-dir) always get different directories.
 */
export async function createRunDirectory(path: string): Promise<string> {
  try {
    await mkdir(dirname(path), { recursive: true });
    for (let suffix = 1; suffix <= MAX_SUFFIX; suffix++) {
      const candidate = suffix === 1 ? path : `${path}_${suffix}`;
      try {
        await mkdir(candidate);
        return candidate;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  } catch (error) {
    throw new InputError(`--output-dir: cannot create ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  throw new InputError(`--output-dir: ${path} and ${MAX_SUFFIX - 1} numbered variants already exist`);
}

/** A resumed run's directory must still be there (its metadata was read moments ago). */
export async function checkRunDirectory(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(`--resume ${path}: not a directory`);
}

/** The folder a run directory is written into before it is swapped in: beside it, hidden, this process's own. */
export function stagingFolderFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
}

/** Puts the complete `staging` folder in the place of `path`, replacing an existing one only once the new one is whole. */
export async function swapInDirectory(staging: string, path: string): Promise<void> {
  const existing = await stat(path).catch(() => null);
  if (!existing) {
    await rename(staging, path);
    return;
  }
  const old = join(dirname(path), `.${basename(path)}.old-${process.pid}`);
  await rename(path, old);
  await rename(staging, path);
  await rm(old, { recursive: true, force: true });
}

/**
 * A journal (results.jsonl) with each record rewritten by `change` and scrubbed by `redactor`; a line cut
 * short by a crash stays as it was.
 */
export function rewrittenJournal(text: string, change: (line: Record<string, unknown>) => Record<string, unknown>, redactor: TextRedactor): string {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      try {
        return `${scrubbedJson(change(JSON.parse(line) as Record<string, unknown>), redactor)}\n`;
      } catch {
        return `${line}\n`;
      }
    })
    .join('');
}
