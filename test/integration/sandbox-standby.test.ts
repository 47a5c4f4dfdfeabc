// The pool's stand-by processes with real sandbox processes: a stand-by taken is replaced by a fresh process, none
// is started past the sessions the pool was told of, and their count and measured memory stay within the bound.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SandboxPool } from '../../src/sandbox/pool.js';
import type { ToolHandler } from '../../src/sandbox/types.js';
import { TEST_CACHE_DIR } from '../helpers/cli.js';
import { sandboxHosts } from '../helpers/sandbox-processes.js';

const handler: ToolHandler = async () => ({ ok: true, output: '' });
// The snapshot shared with the other tests that start from the cache.
const snapshotCacheDir = join(TEST_CACHE_DIR, 'sandbox');

describe('sandbox stand-by processes', () => {
  it('replaces a stand-by once it is taken, with a fresh process and interpreter, and measures stand-by memory', async () => {
    const pool = await SandboxPool.start({ size: 1, standby: 1, tools: [], snapshotCacheDir });
    try {
      expect(pool.stats.standbyLimit).toBe(1);
      const first = await pool.acquire(handler);
      await first.run('secret = 1');
      const firstPid = (first as unknown as { processId: number }).processId;
      // The session's process and the stand-by that replaces it, nothing more.
      expect(sandboxHosts().map((host) => host.pid)).toContain(firstPid);
      expect(sandboxHosts()).toHaveLength(2);
      await first.release();
      const second = await pool.acquire(handler);
      const leaked = await second.run('secret');
      expect(leaked.error?.type).toBe('NameError');
      expect((second as unknown as { processId: number }).processId).not.toBe(firstPid);
      await second.release();
      expect(pool.stats.peakStandby).toBe(1);
      if (process.platform === 'linux') {
        // Read from /proc when a stand-by became ready: a real process, under the cap of one process.
        expect(pool.stats.peakStandbyMiB).toBeGreaterThan(20);
        expect(pool.stats.peakStandbyMiB).toBeLessThanOrEqual(pool.stats.standbyLimit * pool.isolation.memory_cap_mib);
      }
    } finally {
      await pool.close();
    }
    expect(sandboxHosts()).toHaveLength(0);
  });

  it('starts no process past the sessions it was told of: one per session, none killed unused', async () => {
    const pool = await SandboxPool.start({ size: 2, sessions: 3, tools: [], snapshotCacheDir });
    try {
      const snapshotMaker = pool.stats.snapshotFromDisk ? 0 : 1;
      const first = await pool.acquire(handler);
      const second = await pool.acquire(handler);
      const third = pool.acquire(handler);
      await first.release();
      const last = await third;
      const pids = new Set<number>();
      for (const session of [second, last]) {
        expect((await session.run('6 * 7')).result).toBe('42');
        pids.add((session as unknown as { processId: number }).processId);
      }
      expect(pids.size).toBe(2);
      // Every session has started: no stand-by is left warming for a session that will not come.
      expect(sandboxHosts()).toHaveLength(2);
      await Promise.all([second.release(), last.release()]);
      expect(pool.stats.processesStarted - snapshotMaker).toBe(3);
      expect(pool.stats.peakStandby).toBeLessThanOrEqual(2);
    } finally {
      await pool.close();
    }
  });
});
