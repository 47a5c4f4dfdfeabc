// The Pyodide memory snapshot on disk: the first pool writes it, later pools start from it, and a
// snapshot the host cannot use is replaced by a full start.
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostLaunch } from '../../src/sandbox/launch.js';
import { SandboxPool } from '../../src/sandbox/pool.js';
import { snapshotCache } from '../../src/sandbox/snapshot-cache.js';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-eval-snapshot-cache-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function startAndRun(cacheDir: string, authorizedImports: string[] = []) {
  const pool = await SandboxPool.start({ size: 1, tools: [], snapshotCacheDir: cacheDir, authorizedImports });
  try {
    const session = await pool.acquire(async () => ({ ok: true as const, output: '' }));
    const result = await session.run('import math, json\njson.dumps({"root": math.isqrt(1764)})');
    await session.release();
    return { fromDisk: pool.stats.snapshotFromDisk, result: result.result, error: result.error };
  } finally {
    await pool.close();
  }
}

describe('sandbox snapshot cache', () => {
  it('writes the snapshot on the first start and starts the next pool from it', async () => {
    const cacheDir = join(directory, 'reuse');
    const first = await startAndRun(cacheDir);
    expect(first).toEqual({ fromDisk: false, result: '\'{"root": 42}\'', error: undefined });
    const files = await readdir(cacheDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^pyodide-snapshot-[0-9a-f]{24}\.bin$/);
    expect((await stat(join(cacheDir, files[0]!))).size).toBeGreaterThan(1_000_000);
    const second = await startAndRun(cacheDir);
    expect(second).toEqual({ fromDisk: true, result: '\'{"root": 42}\'', error: undefined });
  });

  it('keys the snapshot by the preloaded modules and the memory cap', async () => {
    const launch = hostLaunch();
    const key = { pyodideDir: launch.pyodideDir, hostDir: dirname(launch.hostScript), allowedImports: ['math', 'json'], memoryLimitMiB: 512 };
    const base = (await snapshotCache(directory, key)).path;
    expect((await snapshotCache(directory, { ...key, allowedImports: ['json', 'math'] })).path).toBe(base);
    expect((await snapshotCache(directory, { ...key, allowedImports: ['math', 'json', 'statistics'] })).path).not.toBe(base);
    expect((await snapshotCache(directory, { ...key, memoryLimitMiB: 1024 })).path).not.toBe(base);
  });

  it('replaces a snapshot the host cannot use with a full start and a fresh file', async () => {
    // The snapshot the first test wrote, spoiled.
    const cacheDir = join(directory, 'reuse');
    const [name] = await readdir(cacheDir);
    await writeFile(join(cacheDir, name!), Buffer.from('not a pyodide snapshot'));
    const recovered = await startAndRun(cacheDir);
    expect(recovered).toEqual({ fromDisk: false, result: '\'{"root": 42}\'', error: undefined });
    expect((await stat(join(cacheDir, name!))).size).toBeGreaterThan(1_000_000);
  });
});
