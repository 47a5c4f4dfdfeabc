/**
 * The main-process side of the Python sandbox: starts the host child process (host.ts), hands out sessions, and
 * runs the tools Python calls. Python never runs in this process. If the child dies, in-flight steps come back as
 * errors, a new child is started, and each session reopens on it at its next step (interpreterRestarted: true).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { StartupError, errorMessage } from '../errors.js';
import { hostLaunch, type HostLaunch } from './launch.js';
import type { HostConfig, HostToParent, ParentToHost, ToolReply } from './protocol.js';
import { normalizeOptions } from './options.js';
import { snapshotCache } from './snapshot-cache.js';
import type { CodeStepResult, SandboxOptions, SandboxSession, ToolHandler } from './types.js';

const START_TIMEOUT_MS = 180_000;
const OPEN_ATTEMPTS = 3;

type Reply = HostToParent | { t: 'gone'; reason: string };

interface HostState {
  child: ChildProcess;
  generation: number;
  ready: Promise<void>;
  isReady: boolean;
  settleReady: (error?: Error) => void;
  exited: Promise<void>;
  onExit: () => void;
  stderr: string;
}

const errorResult = (type: string, message: string, restarted = false): CodeStepResult => ({
  stdout: '',
  error: { type, message },
  durationMs: 0,
  ...(restarted ? { interpreterRestarted: true } : {}),
});

/** What a session needs from its pool (kept off the pool's public API). */
interface PoolLink {
  send(message: ParentToHost): boolean;
  /** The current host generation once it is ready. */
  hostReady(): Promise<number>;
  /** The ready host's generation, or -1 while none is ready. */
  generation(): number;
  /** A released session gives its interpreter back. */
  forget(session: Session): void;
}

class Session implements SandboxSession {
  generation = 0;
  released = false;
  private pending: { expect: HostToParent['t']; resolve: (reply: Reply) => void } | undefined;

  constructor(
    private readonly pool: PoolLink,
    readonly sid: number,
    private readonly handler: ToolHandler,
  ) {}

  request(message: ParentToHost, expect: HostToParent['t']): Promise<Reply> {
    return new Promise<Reply>((resolve) => {
      this.pending = { expect, resolve };
      if (!this.pool.send(message)) this.settle({ t: 'gone', reason: 'the sandbox host process is not running' });
    });
  }

  settle(reply: Reply): void {
    if (!this.pending || (reply.t !== 'gone' && reply.t !== this.pending.expect)) return;
    const { resolve } = this.pending;
    this.pending = undefined;
    resolve(reply);
  }

  async open(): Promise<void> {
    for (let attempt = 1; attempt <= OPEN_ATTEMPTS; attempt++) {
      const generation = await this.pool.hostReady();
      const reply = await this.request({ t: 'open', sid: this.sid }, 'opened');
      if (reply.t === 'opened') {
        this.generation = generation;
        return;
      }
    }
    throw new StartupError('could not open a sandbox session: the sandbox host process keeps exiting');
  }

  async run(code: string, options: { signal?: AbortSignal } = {}): Promise<CodeStepResult> {
    if (this.released) throw new Error('this sandbox session was released');
    if (this.pending) throw new Error('a code step is already running in this sandbox session');
    const { signal } = options;
    if (signal?.aborted) return errorResult('AbortError', 'code step was aborted');
    let restarted = false;
    if (this.generation !== this.pool.generation()) {
      try {
        await this.open();
      } catch (error) {
        return errorResult('SandboxError', errorMessage(error), true);
      }
      restarted = true;
    }
    const onAbort = (): void => void this.pool.send({ t: 'interrupt', sid: this.sid });
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const reply = await this.request({ t: 'run', sid: this.sid, code }, 'result');
      const result = reply.t === 'result' ? reply.result : errorResult('SandboxError', (reply as { reason: string }).reason, true);
      if (restarted) result.interpreterRestarted = true;
      return result;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.settle({ t: 'gone', reason: 'the sandbox session was released while a code step was running' });
    if (this.generation === this.pool.generation()) await this.request({ t: 'close', sid: this.sid }, 'closed');
    this.pool.forget(this);
  }

  callTool(callId: number, name: string, args: Record<string, unknown>): void {
    void (async () => {
      let reply: ToolReply;
      try {
        const outcome = await this.handler(name, args);
        reply = outcome.ok ? { kind: 'ok', output: String(outcome.output) } : { kind: 'error', error: outcome.error };
      } catch (error) {
        reply = { kind: 'error', error: errorMessage(error) };
      }
      if (!this.released) this.pool.send({ t: 'tool-result', sid: this.sid, callId, reply });
    })();
  }
}

export class SandboxPool {
  readonly stats = { startupMs: 0, restarts: 0, snapshotFromDisk: false };
  private host: HostState | undefined;
  private hostGeneration = 0;
  private closing: Promise<void> | undefined;
  private broken: Error | undefined;
  private readonly sessions = new Map<number, Session>();
  private available: number;
  private readonly waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private sidSeq = 0;
  private readonly link: PoolLink = {
    send: (message) => this.send(message),
    hostReady: () => this.hostReady(),
    generation: () => (this.host?.isReady ? this.host.generation : -1),
    forget: (session) => this.forget(session),
  };

  private constructor(
    private readonly config: HostConfig,
    private readonly launch: HostLaunch,
  ) {
    this.available = config.size;
  }

  /** Spawns the host child process and warms `size` interpreters (in parallel, after one memory snapshot). */
  static async start(options: SandboxOptions): Promise<SandboxPool> {
    const started = performance.now();
    const launch = hostLaunch();
    const config: HostConfig = { ...normalizeOptions(options), pyodideDir: launch.pyodideDir };
    const cache = options.snapshotCacheDir
      ? await snapshotCache(options.snapshotCacheDir, { ...config, hostDir: dirname(launch.hostScript) })
      : undefined;
    const cached = await cache?.read();
    let pool: SandboxPool;
    try {
      pool = await SandboxPool.startHost({ ...config, ...(cached && { snapshot: cached }) }, launch);
    } catch (error) {
      if (!cached) throw error;
      // A snapshot from disk the host could not use (corrupt, or from another build): start in full.
      await cache!.discard();
      pool = await SandboxPool.startHost(config, launch);
    }
    if (cache && pool.config.snapshot && pool.config.snapshot !== cached) await cache.write(pool.config.snapshot);
    pool.stats.startupMs = Math.round(performance.now() - started);
    pool.stats.snapshotFromDisk = Boolean(cached) && pool.config.snapshot === cached;
    return pool;
  }

  private static async startHost(config: HostConfig, launch: HostLaunch): Promise<SandboxPool> {
    const pool = new SandboxPool(config, launch);
    try {
      pool.spawnHost();
      await pool.hostReady();
    } catch (error) {
      await pool.close();
      throw error instanceof StartupError ? error : new StartupError(errorMessage(error));
    }
    return pool;
  }

  /** A session on its own fresh interpreter; waits while all `size` are in use. */
  async acquire(handler: ToolHandler): Promise<SandboxSession> {
    if (this.closing) throw new Error('the sandbox pool is closed');
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    const session = new Session(this.link, ++this.sidSeq, handler);
    this.sessions.set(session.sid, session);
    try {
      await session.open();
    } catch (error) {
      this.forget(session);
      throw error;
    }
    return session;
  }

  /** Kills the host child process (and so every interpreter); idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('the sandbox pool is closed'));
      for (const session of this.sessions.values()) {
        session.released = true;
        session.settle({ t: 'gone', reason: 'the sandbox pool was closed' });
      }
      const host = this.host;
      if (host) {
        host.settleReady(new StartupError('the sandbox pool was closed while starting'));
        host.child.kill('SIGKILL');
        await host.exited;
      }
    })();
    return this.closing;
  }

  private send(message: ParentToHost): boolean {
    const child = this.host?.child;
    if (!child?.connected || this.closing) return false;
    child.send(message);
    return true;
  }

  private async hostReady(): Promise<number> {
    if (this.closing) throw new Error('the sandbox pool is closed');
    if (this.broken || !this.host) throw this.broken ?? new StartupError('the sandbox host is not running');
    const host = this.host;
    await host.ready;
    return host.generation;
  }

  private forget(session: Session): void {
    if (!this.sessions.delete(session.sid)) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve();
    else this.available++;
  }

  private spawnHost(): void {
    const child = fork(this.launch.hostScript, [], {
      execArgv: this.launch.execArgv,
      env: {},
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let settleReady: (error?: Error) => void = () => {};
    let onExit: () => void = () => {};
    const host: HostState = {
      child,
      generation: ++this.hostGeneration,
      isReady: false,
      ready: new Promise<void>((resolve, reject) => (settleReady = (error) => (error ? reject(error) : resolve()))),
      settleReady: (error) => settleReady(error),
      exited: new Promise<void>((resolve) => (onExit = resolve)),
      onExit: () => onExit(),
      stderr: '',
    };
    host.ready.catch(() => {});
    const timer = setTimeout(() => {
      host.settleReady(new StartupError(`the sandbox did not start within ${START_TIMEOUT_MS / 1000} s`));
      child.kill('SIGKILL');
    }, START_TIMEOUT_MS);
    host.ready.then(() => (host.isReady = true)).finally(() => clearTimeout(timer)).catch(() => {});
    this.host = host;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (host.stderr = (host.stderr + chunk).slice(-4000)));
    child.on('message', (message: HostToParent) => this.onHostMessage(host, message));
    child.on('error', (error) => this.onHostExit(host, `could not run the sandbox host: ${error.message}`));
    child.on('exit', (code, signal) => this.onHostExit(host, `exited with ${signal ?? `code ${code}`}`));
    child.send({ t: 'init', config: this.config } satisfies ParentToHost);
  }

  private onHostMessage(host: HostState, message: HostToParent): void {
    if (host !== this.host) return;
    if (message.t === 'ready') host.settleReady();
    else if (message.t === 'snapshot') this.config.snapshot = message.base64;
    else if (message.t === 'restarted') this.stats.restarts++;
    else if (message.t === 'tool') this.sessions.get(message.sid)?.callTool(message.callId, message.name, message.args);
    else if (message.t === 'fatal') {
      const error = new StartupError(`the sandbox could not start interpreters: ${message.message.split('\n')[0]}`);
      if (host.isReady) this.broken = error;
      host.settleReady(error);
      host.child.kill('SIGKILL');
    } else this.sessions.get(message.sid)?.settle(message);
  }

  private onHostExit(host: HostState, how: string): void {
    host.onExit();
    if (host !== this.host || this.closing) return;
    const detail = host.stderr.trim() ? `: ${host.stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
    const reason = `the sandbox host process ${how}${detail}`;
    host.settleReady(new StartupError(reason));
    if (!host.isReady) return;
    this.stats.restarts++;
    for (const session of this.sessions.values()) session.settle({ t: 'gone', reason });
    if (!this.broken) this.spawnHost();
  }
}
