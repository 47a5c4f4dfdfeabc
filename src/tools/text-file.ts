// Reading and writing text files inside the working directory, shared by the file and text tools.
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TextDecoder } from 'node:util';
import { MAX_FILE_BYTES, MAX_WRITE_BYTES, formatBytes } from './limits.js';
import { fsError, resolveSandboxPath, type SandboxPath } from './sandbox-path.js';
import { ToolError, type ToolContext } from './types.js';

export interface TextFile {
  path: SandboxPath;
  text: string;
  /** Size in bytes on disk. */
  size: number;
}

/** Python codec names the model is likely to use, mapped to WHATWG labels TextDecoder knows. */
const ENCODING_ALIASES: Record<string, string> = { 'latin-1': 'latin1', l1: 'latin1', 'utf-8-sig': 'utf-8', cp1252: 'windows-1252' };

function decoder(encoding: string | undefined): TextDecoder {
  const label = (encoding ?? 'utf-8').trim().toLowerCase().replace(/_/g, '-');
  try {
    return new TextDecoder(ENCODING_ALIASES[label] ?? label);
  } catch {
    throw new ToolError(`Unsupported encoding '${encoding}' (try utf-8, latin-1 or utf-16)`);
  }
}

/**
 * Reads a text file below the working directory: refuses paths outside it, directories, files over
 * `maxBytes` and binary files (a NUL byte in the first 8 KB, unless the encoding is UTF-16).
 */
export async function readTextFile(
  context: Pick<ToolContext, 'workingDirectory'>,
  filePath: string,
  options: { encoding?: string; maxBytes?: number } = {},
): Promise<TextFile> {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const textDecoder = decoder(options.encoding);
  const path = await resolveSandboxPath(context, filePath);
  let size: number;
  try {
    const info = await stat(path.real);
    if (info.isDirectory()) throw new ToolError(`'${path.display}' is a directory, not a file`);
    if (!info.isFile()) throw new ToolError(`'${path.display}' is not a regular file`);
    size = info.size;
  } catch (error) {
    throw error instanceof ToolError ? error : fsError(error, filePath);
  }
  if (size > maxBytes) {
    throw new ToolError(
      `File too large: ${path.display} is ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}. ` +
        'Use head_tail or grep to look at parts of it.',
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path.real);
  } catch (error) {
    throw fsError(error, filePath);
  }
  if (bytes.length > maxBytes) throw new ToolError(`File too large: ${path.display} grew past ${formatBytes(maxBytes)}`);
  if (!textDecoder.encoding.startsWith('utf-16') && bytes.subarray(0, 8192).includes(0)) {
    throw new ToolError(`'${path.display}' looks like a binary file; only text files can be read`);
  }
  let text = textDecoder.decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { path, text, size: bytes.length };
}

/** What one task's tools may write to files in all, unless `--sandbox-limit written-per-task` says otherwise. */
export const DEFAULT_WRITE_LIMIT_PER_TASK = 50 * 2 ** 20;
const SYSTEM_PREFIXES = ['/etc/', '/sys/', '/proc/', '/dev/', 'c:\\windows\\', 'c:\\program files\\'];

/**
 * Writes (or appends) text below the working directory, creating missing parent directories
 * there. SMOLTRACE's deny list of system directories still applies when the working directory
 * happens to contain them.
 */
export async function writeSandboxFile(
  context: Pick<ToolContext, 'workingDirectory' | 'writeLimitBytes' | 'written'>,
  filePath: string,
  content: string,
  mode: 'write' | 'append' = 'write',
): Promise<{ path: SandboxPath; bytes: number }> {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > MAX_WRITE_BYTES) throw new ToolError(`Content too large: ${formatBytes(bytes)}; the limit is ${formatBytes(MAX_WRITE_BYTES)}`);
  const path = await resolveSandboxPath(context, filePath);
  const lowered = `${path.real.toLowerCase()}/`;
  if (SYSTEM_PREFIXES.some((prefix) => lowered.startsWith(prefix) || lowered.startsWith(prefix.replace(/\\/g, '/')))) {
    throw new ToolError(`Access denied: '${filePath}' is in a system directory`);
  }
  if (path.display === '.') throw new ToolError(`'${filePath}' is the working directory itself, not a file`);
  const limit = context.writeLimitBytes ?? DEFAULT_WRITE_LIMIT_PER_TASK;
  const used = context.written?.bytes ?? 0;
  if (used + bytes > limit) {
    throw new ToolError(`Write refused: this task has written ${formatBytes(used)} and the limit per task is ${formatBytes(limit)} (--sandbox-limit written-per-task)`);
  }
  try {
    await mkdir(dirname(path.real), { recursive: true });
    if (mode === 'append') await appendFile(path.real, content, 'utf8');
    else await writeFile(path.real, content, 'utf8');
  } catch (error) {
    throw fsError(error, filePath);
  }
  if (context.written) context.written.bytes += bytes;
  return { path, bytes };
}
