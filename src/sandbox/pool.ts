/**
 * The harness's Python sandbox: one sandbox process per task (host.ts), started from a Pyodide memory snapshot,
 * with stand-by processes warmed ahead so that a task rarely waits for one. Python never runs in this process.
 *
 * - `size` sessions run at once; each takes a ready stand-by process (or the next to be ready) and its own fresh
 *   interpreter; the process is killed when the session is released, so nothing a task does reaches another.
 * - Stand-by processes are kept warming or ready ahead of the sessions (standby.ts says how many): one per session
 *   slot, no more than the sessions still expected, and no more starting at once than there are cores, since a
 *   start is CPU work (about half a CPU-second) that would otherwise starve the running tasks. Each is under the
 *   same memory cap as a task's process; their summed memory is measured (stats).
 * - The snapshot is made once by a process that runs no task code (or found in the cache), written by the harness,
 *   and only read by sandbox processes.
 */
import { StartupError, errorMessage } from '../errors.js';
import { hostLaunch, isolationOf, type HostLaunch, type SandboxIsolation } from './launch.js';
import { canMeasureMemory } from './memory.js';
import { normalizeOptions, type NormalizedOptions } from './options.js';
import type { ProcessConfig } from './protocol.js';
import { SandboxProcess, type ProcessLimits } from './sandbox-process.js';
import { Session, type SessionHost } from './session.js';
import { snapshotCache, type SnapshotCache } from './snapshot-cache.js';
import { StandbyPolicy } from './standby.js';
import { RUNTIME_HEADROOM_MIB, type SandboxOptions, type SandboxSession, type ToolHandler } from './types.js';

const START_TIMEOUT_MS = 180_000;
const SNAPSHOT_LINE_BYTES = 1 << 30;
const START_ATTEMPTS = 3;

export interface SandboxStats {
  startupMs: number;
  /** Interpreters replaced within a session (timeouts, crashes, violations). */
  restarts: number;
  snapshotFromDisk: boolean;
  processesStarted: number;
  /** The highest resident memory seen of one sandbox process, in MiB (Linux). */
  peakProcessMiB: number;
  /** The most stand-by processes (warming or ready) held at once, and the cap on that number. */
  peakStandby: number;
  standbyLimit: number;
  /** The highest summed resident memory of the stand-by processes, read each time one became ready, in MiB (Linux). */
  peakStandbyMiB: number;
}

export class SandboxPool implements SessionHost {
  readonly stats: SandboxStats;
  readonly isolation: SandboxIsolation;
  private readonly standby: SandboxProcess[] = [];
  private readonly policy: StandbyPolicy;
  private readonly sessions = new Set<Session>();
  private readonly waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private readonly packageFailures: Record<string, string> = {};
  private readonly limits: ProcessLimits;
  private closed = false;

  private constructor(
    readonly options: NormalizedOptions,
    private readonly launch: HostLaunch,
    private cache: SnapshotCache,
    private readonly probeScript: string | undefined,
  ) {
    const measured = canMeasureMemory();
    const memoryCapMiB = options.memoryLimitMiB + RUNTIME_HEADROOM_MIB;
    const reportBytes = options.outputLimitBytes * 2 + options.finalAnswerBytes + options.toolArgumentBytes;
    this.limits = {
      // JSON may escape a byte as six characters.
      maxLineBytes: reportBytes * 6 + 65_536,
      memoryCapBytes: measured ? memoryCapMiB * 2 ** 20 : 0,
    };
    this.isolation = isolationOf(launch, measured ? memoryCapMiB : options.memoryLimitMiB);
    this.policy = new StandbyPolicy(options);
    this.stats = { startupMs: 0, restarts: 0, snapshotFromDisk: false, processesStarted: 0, peakProcessMiB: 0, peakStandby: 0, standbyLimit: this.policy.limit, peakStandbyMiB: 0 };
  }

  /** Finds or makes the snapshot, then warms the stand-by processes and waits for the first. */
  static async start(options: SandboxOptions & { probeScript?: string; snapshotCacheDir?: string }): Promise<SandboxPool> {
    const started = performance.now();
    const normalized = normalizeOptions(options);
    const launch = hostLaunch(options.wrapper);
    const key = { pyodideDir: launch.pyodideDir, hostDir: launch.hostDir, allowedImports: normalized.allowedImports, memoryLimitMiB: normalized.memoryLimitMiB };
    const cache = await snapshotCache(options.snapshotCacheDir, key);
    const pool = new SandboxPool(normalized, launch, cache, options.probeScript);
    try {
      let fromDisk = await cache.exists();
      if (!fromDisk) await pool.makeSnapshot(key);
      try {
        await pool.warm();
      } catch (error) {
        if (!fromDisk) throw error;
        // A snapshot from disk the sandbox could not use (corrupt, or from another build): make it again.
        fromDisk = false;
        await pool.discardStandby();
        await cache.discard();
        await pool.makeSnapshot(key);
        await pool.warm();
      }
      pool.stats.snapshotFromDisk = fromDisk;
    } catch (error) {
      await pool.close();
      throw error instanceof StartupError ? error : new StartupError(`the Python sandbox could not start: ${errorMessage(error)}`);
    }
    pool.stats.startupMs = Math.round(performance.now() - started);
    return pool;
  }

  /** A session on its own fresh sandbox process; waits while `size` sessions are open. */
  async acquire(handler: ToolHandler): Promise<SandboxSession> {
    if (this.closed) throw new Error('the sandbox pool is closed');
    if (this.sessions.size >= this.options.size) await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.policy.sessionStarted();
    const first = this.take();
    first.catch(() => undefined);
    const session = new Session(this, handler, first);
    this.sessions.add(session);
    try {
      await first;
    } catch (error) {
      this.release(session);
      throw error;
    }
    return session;
  }

  /** A ready process: the first ready stand-by, else the next to be ready, else a new one; the stand-bys are refilled. */
  async take(): Promise<SandboxProcess> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new Error('the sandbox pool is closed');
      const waiting = this.standby.find((candidate) => this.isReady(candidate)) ?? this.standby[0];
      if (waiting) this.standby.splice(this.standby.indexOf(waiting), 1);
      // A task is waiting: its process starts now, whatever the cap on stand-bys starting at once.
      const process = waiting ?? this.spawn();
      this.refill();
      try {
        await withTimeout(process.ready, START_TIMEOUT_MS);
        return process;
      } catch (error) {
        void process.kill({ kind: 'killed', message: 'it did not start' });
        if (attempt >= START_ATTEMPTS) throw new StartupError(`sandbox processes keep failing to start: ${errorMessage(error)}`);
      }
    }
  }

  release(session: Session): void {
    if (!this.sessions.delete(session)) return;
    this.waiters.shift()?.resolve();
  }

  /** Kills every sandbox process; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('the sandbox pool is closed'));
    await Promise.all([...this.sessions].map((session) => session.release()));
    await Promise.all(this.standby.splice(0).map((process) => process.kill({ kind: 'killed', message: 'the pool was closed' })));
    await this.cache.close();
  }

  private readonly readyOnes = new WeakSet<SandboxProcess>();
  private isReady(process: SandboxProcess): boolean {
    return this.readyOnes.has(process) && !process.ended;
  }

  private spawn(): SandboxProcess {
    const config: ProcessConfig = {
      mode: 'interpreter',
      pyodideDir: this.launch.pyodideDir,
      snapshotPath: this.cache.path,
      tools: this.options.tools,
      allowedImports: this.options.allowedImports,
      memoryLimitMiB: this.options.memoryLimitMiB,
      outputLimitBytes: this.options.outputLimitBytes,
      packageFailures: { ...this.packageFailures },
      ...(this.probeScript && { probeScript: this.probeScript }),
    };
    const process = new SandboxProcess(this.launch, config, this.limits);
    this.stats.processesStarted++;
    this.warming.add(process);
    process.ready.then(
      (message) => {
        this.warming.delete(process);
        this.readyOnes.add(process);
        if (message.t === 'ready') Object.assign(this.packageFailures, message.packageFailures);
        this.measureStandby();
        this.refill();
      },
      () => undefined,
    );
    process.onEndForOwner = () => {
      this.stats.peakProcessMiB = Math.max(this.stats.peakProcessMiB, Math.round(process.peakResidentBytes / 2 ** 20));
      this.warming.delete(process);
      const index = this.standby.indexOf(process);
      if (index >= 0) this.standby.splice(index, 1);
      // No refill here: a process that cannot start would start the next one forever; take() refills.
    };
    return process;
  }

  /** Processes started and not yet ready, stand-by or taken: each is using a core. */
  private readonly warming = new Set<SandboxProcess>();

  /** Starts stand-by processes while the policy wants more (see standby.ts). */
  private refill(): void {
    while (!this.closed && this.policy.wantsMore(this.standby.length, this.warming.size)) this.standby.push(this.spawn());
    this.stats.peakStandby = Math.max(this.stats.peakStandby, this.standby.length);
  }

  /** The summed resident memory of the stand-by processes now (read from /proc where it can be). */
  private measureStandby(): void {
    if (!this.limits.memoryCapBytes) return;
    const bytes = this.standby.reduce((sum, process) => sum + process.residentBytes(), 0);
    this.stats.peakStandbyMiB = Math.max(this.stats.peakStandbyMiB, Math.round(bytes / 2 ** 20));
  }

  private async discardStandby(): Promise<void> {
    await Promise.all(this.standby.splice(0).map((process) => process.kill({ kind: 'killed', message: 'its snapshot was bad' })));
  }

  private async warm(): Promise<void> {
    this.refill();
    const first = this.standby[0] ?? this.spawn();
    if (!this.standby.includes(first)) this.standby.push(first);
    await withTimeout(first.ready, START_TIMEOUT_MS);
  }

  private async makeSnapshot(key: { allowedImports: string[]; memoryLimitMiB: number }): Promise<void> {
    const config: ProcessConfig = {
      mode: 'snapshot',
      pyodideDir: this.launch.pyodideDir,
      tools: [],
      allowedImports: key.allowedImports,
      memoryLimitMiB: key.memoryLimitMiB,
      outputLimitBytes: this.options.outputLimitBytes,
      packageFailures: {},
    };
    const maker = new SandboxProcess(this.launch, config, { maxLineBytes: SNAPSHOT_LINE_BYTES, memoryCapBytes: 0 });
    this.stats.processesStarted++;
    try {
      const message = await withTimeout(maker.ready, START_TIMEOUT_MS);
      if (message.t !== 'snapshot') throw new Error(`the snapshot process sent '${message.t}' instead of a snapshot`);
      const bytes = Buffer.from(message.base64, 'base64');
      try {
        await this.cache.write(bytes);
      } catch {
        // A read-only or full cache folder: keep this run's snapshot in a temporary folder instead.
        this.cache = await snapshotCache(undefined, { pyodideDir: this.launch.pyodideDir, hostDir: this.launch.hostDir, ...key });
        await this.cache.write(bytes);
      }
    } finally {
      await maker.kill({ kind: 'killed', message: 'snapshot made' });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the sandbox did not start within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
