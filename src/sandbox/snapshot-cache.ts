/**
 * The Pyodide memory snapshot on disk, which every sandbox process starts from (a full Pyodide start takes
 * seconds). With a cache folder the file is named by a hash of everything the snapshot depends on: the Pyodide
 * version, the compiled sandbox scripts that take and load it, the preloaded modules and the memory cap; a later
 * run finds it there. Without one, the pool keeps it in a temporary folder of its own, removed when it closes.
 * The harness writes the file (from the snapshot-making process, which runs no task code); sandbox processes may
 * only read it. A snapshot the sandbox cannot start from is deleted and made again.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The sandbox scripts that build and load a snapshot: a change to any of them makes a new key. */
const SNAPSHOT_SCRIPTS = ['host.js', 'python.js', 'lockdown.js', 'wasm-memory.js'];

export interface SnapshotCache {
  readonly path: string;
  /** Whether a (non-empty) snapshot is there. */
  exists(): Promise<boolean>;
  /** Saves a snapshot atomically. */
  write(bytes: Uint8Array): Promise<void>;
  /** Removes a snapshot that did not work. */
  discard(): Promise<void>;
  /** Removes the temporary folder, if the pool made one. */
  close(): Promise<void>;
}

export interface SnapshotKeyInput {
  pyodideDir: string;
  hostDir: string;
  allowedImports: readonly string[];
  memoryLimitMiB: number;
}

async function snapshotName(input: SnapshotKeyInput): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(join(input.pyodideDir, 'package.json')));
  for (const script of SNAPSHOT_SCRIPTS) hash.update(await readFile(join(input.hostDir, script)).catch(() => Buffer.from(script)));
  hash.update(JSON.stringify({ imports: [...input.allowedImports].sort(), memory: input.memoryLimitMiB, node: process.versions.v8 }));
  return `pyodide-snapshot-${hash.digest('hex').slice(0, 24)}.bin`;
}

/** The snapshot file in `directory` (a cache shared by runs), or in a temporary folder when `directory` is undefined. */
export async function snapshotCache(directory: string | undefined, input: SnapshotKeyInput): Promise<SnapshotCache> {
  const temporary = directory ? undefined : await mkdtemp(join(tmpdir(), 'agent-eval-sandbox-'));
  const folder = directory ?? temporary!;
  const path = join(folder, await snapshotName(input));
  return {
    path,
    async exists() {
      const info = await stat(path).catch(() => undefined);
      return Boolean(info?.isFile() && info.size > 0);
    },
    async write(bytes) {
      await mkdir(folder, { recursive: true });
      const partial = `${path}.${process.pid}.tmp`;
      try {
        await writeFile(partial, bytes);
        await rename(partial, path);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    },
    async discard() {
      await rm(path, { force: true });
    },
    async close() {
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
}
