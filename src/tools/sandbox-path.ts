// Confines file and text tools to the run's working directory. A path from the model is joined to
// the working directory, `..` is collapsed, and symbolic links are followed with realpath: for an
// existing path the path itself, for a new one its nearest existing parent. The tools then use
// the resolved real path, so what was checked is what gets opened (short of a concurrent swap of a
// directory for a link, which a model cannot arrange between two of its own calls). Protected
// configuration files (protected-files.ts) are refused by their given and their real path.
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { refuseProtected } from './protected-files.js';
import { ToolError, type ToolContext } from './types.js';

export interface SandboxPath {
  /** Absolute real path to operate on. */
  real: string;
  /** The path relative to the working directory, `/`-separated, `.` for the directory itself; shown to the model. */
  display: string;
  /** Real path of the working directory. */
  root: string;
  exists: boolean;
}

/** True when `target` is `root` or below it (both absolute, already resolved). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function code(error: unknown): string | undefined {
  const value = (error as { code?: unknown } | null)?.code;
  return typeof value === 'string' ? value : undefined;
}

/** Real path of the working directory; a ToolError when it is gone. */
export async function sandboxRoot(context: Pick<ToolContext, 'workingDirectory'>): Promise<string> {
  try {
    return await realpath(context.workingDirectory);
  } catch {
    throw new ToolError(`The working directory '${context.workingDirectory}' does not exist`);
  }
}

/** Display form of a real path below `root`. */
export function displayPath(root: string, real: string): string {
  return relative(root, real).split(sep).join('/') || '.';
}

/** Resolves a path from the model inside the working directory, or throws `Access denied`. */
export async function resolveSandboxPath(context: Pick<ToolContext, 'workingDirectory'>, input: string): Promise<SandboxPath> {
  if (typeof input !== 'string' || input.trim() === '') throw new ToolError('The path is empty');
  if (input.includes('\0')) throw new ToolError('The path contains a NUL character');
  const root = await sandboxRoot(context);
  const candidate = resolve(root, input);
  let existing = candidate;
  const tail: string[] = [];
  let exists = true;
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch (error) {
      const reason = code(error);
      if (reason !== 'ENOENT' && reason !== 'ENOTDIR') throw fsError(error, input);
    }
    exists = false;
    const parent = dirname(existing);
    if (parent === existing) break;
    tail.unshift(basename(existing));
    existing = parent;
  }
  let real: string;
  try {
    real = join(await realpath(existing), ...tail);
  } catch {
    // A dangling link: following it could create or read a file anywhere, so it is refused.
    throw new ToolError(`Cannot resolve '${input}': it is (or passes through) a broken symbolic link`);
  }
  if (!isInside(root, real)) throw new ToolError(`Access denied: path '${input}' is outside the working directory`);
  // Credentials and configuration (.env, keys, tokens, agent-eval's cache) stay out of reach, links or not.
  refuseProtected(candidate, real, isInside(root, candidate) ? displayPath(root, candidate) : displayPath(root, real));
  return { real, display: displayPath(root, real), root, exists };
}

/** A filesystem error as a ToolError the model can act on. */
export function fsError(error: unknown, shown: string): ToolError {
  switch (code(error)) {
    case 'ENOENT':
      return new ToolError(`File not found: ${shown}`);
    case 'EISDIR':
      return new ToolError(`'${shown}' is a directory, not a file`);
    case 'ENOTDIR':
      return new ToolError(`'${shown}' is not a directory (or a part of it is a file)`);
    case 'EACCES':
    case 'EPERM':
      return new ToolError(`Permission denied: ${shown}`);
    case 'EEXIST':
      return new ToolError(`'${shown}' already exists`);
    case 'ENOSPC':
      return new ToolError(`No space left on the device writing ${shown}`);
    default:
      return new ToolError(`Cannot access ${shown}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
