/**
 * The Pyodide memory snapshot on disk, so that a new pool (a new run) starts its interpreters from it
 * instead of a full Pyodide start (seconds). The file is named by a hash of everything the snapshot
 * depends on: the Pyodide version, the compiled sandbox scripts that take it, the preloaded modules
 * and the memory cap. It is read by the main process and handed to the sandbox host like the
 * in-memory snapshot of a restarted host, so the sandboxed process gets no extra file access; a
 * snapshot the host cannot use is deleted and the pool starts in full.
 */
import { createHash } from 'node:crypto';
import { readFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The sandbox scripts that build and load a snapshot: a change to any of them makes a new key. */
const SNAPSHOT_SCRIPTS = ['worker.js', 'python.js', 'host-workers.js', 'wasm-memory.js'];

export interface SnapshotCache {
  /** The cached snapshot (base64), or undefined. */
  read(): Promise<string | undefined>;
  /** Saves a snapshot atomically; failures are ignored (the cache is an optimisation). */
  write(base64: string): Promise<void>;
  /** Removes a snapshot that did not work. */
  discard(): Promise<void>;
  readonly path: string;
}

export interface SnapshotKeyInput {
  pyodideDir: string;
  hostDir: string;
  allowedImports: readonly string[];
  memoryLimitMiB: number;
}

export async function snapshotCache(directory: string, input: SnapshotKeyInput): Promise<SnapshotCache> {
  const hash = createHash('sha256');
  hash.update(await readFile(join(input.pyodideDir, 'package.json')));
  for (const script of SNAPSHOT_SCRIPTS) hash.update(await readFile(join(input.hostDir, script)).catch(() => Buffer.from(script)));
  hash.update(JSON.stringify({ imports: [...input.allowedImports].sort(), memory: input.memoryLimitMiB, node: process.versions.v8 }));
  const path = join(directory, `pyodide-snapshot-${hash.digest('hex').slice(0, 24)}.bin`);
  return {
    path,
    async read() {
      const bytes = await readFile(path).catch(() => undefined);
      return bytes?.byteLength ? bytes.toString('base64') : undefined;
    },
    async write(base64) {
      try {
        await mkdir(directory, { recursive: true });
        const temporary = `${path}.${process.pid}.tmp`;
        await writeFile(temporary, Buffer.from(base64, 'base64'));
        await rename(temporary, path);
      } catch {
        // a read-only or full disk: the next run starts in full, as without a cache
      }
    },
    async discard() {
      await rm(path, { force: true });
    },
  };
}
