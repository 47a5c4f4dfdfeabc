/**
 * The harness's side of one sandbox process (host.ts): starts it, reads its channel line by line with a size cap,
 * checks every message (messages.ts), watches its resident memory, and kills it. Nothing the process says can
 * throw into the harness: a bad line, an oversized line, a message the harness did not ask for, or memory over the
 * cap ends the process with a recorded violation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import type { HostLaunch } from './launch.js';
import { treeResidentBytes } from './memory.js';
import { parseProcessMessage } from './messages.js';
import type { HarnessToProcess, ProcessConfig, ProcessToHarness } from './protocol.js';

/** Why a process ended: it exited on its own, broke a rule, went over its memory cap, or the harness killed it. */
export type ProcessEnd =
  | { kind: 'exit'; message: string }
  | { kind: 'violation'; message: string }
  | { kind: 'memory'; message: string }
  | { kind: 'killed'; message: string };

export interface ProcessLimits {
  /** The longest line the process may send. */
  maxLineBytes: number;
  /** Resident memory of the process tree above which it is killed; 0: not watched. */
  memoryCapBytes: number;
}

const STDERR_KEEP = 4000;
const WATCH_IDLE_MS = 1000;
const WATCH_BUSY_MS = 50;

export class SandboxProcess {
  /** Resolves with the first 'ready' or 'snapshot' message; rejects if the process ends before. */
  readonly ready: Promise<ProcessToHarness>;
  /** Messages after the first, for whoever uses the process now. */
  onMessage: (message: ProcessToHarness) => void = () => {};
  /** Called once when the process has ended, whatever the cause (for whoever uses the process now). */
  onEnd: (end: ProcessEnd) => void = () => {};
  /** Called once when the process has ended, for its owner (the pool), whoever uses it. */
  onEndForOwner: (end: ProcessEnd) => void = () => {};
  ended: ProcessEnd | undefined;
  peakResidentBytes = 0;
  private readonly child: ChildProcess;
  private readonly channel: Duplex;
  private settleReady!: { resolve: (message: ProcessToHarness) => void; reject: (error: Error) => void };
  private isReady = false;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stderr = '';
  private watcher: NodeJS.Timeout | undefined;
  private readonly exited: Promise<void>;

  constructor(
    launch: HostLaunch,
    config: ProcessConfig,
    private readonly limits: ProcessLimits,
  ) {
    const reads = [config.snapshotPath, config.probeScript].filter((read): read is string => Boolean(read));
    const { file, args } = launch.command(reads);
    this.ready = new Promise((resolve, reject) => (this.settleReady = { resolve, reject }));
    this.ready.catch(() => {});
    this.child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: {}, cwd: '/' });
    this.channel = this.child.stdio[3] as Duplex;
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-STDERR_KEEP)));
    this.channel.on('data', (chunk: Buffer) => this.receive(chunk));
    this.channel.on('error', () => {});
    this.child.on('error', (error) => this.end({ kind: 'exit', message: `could not start the sandbox process: ${error.message}` }));
    this.child.on('exit', (code, signal) => {
      const detail = this.stderr.trim() ? `: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
      this.end({ kind: 'exit', message: `the sandbox process exited with ${signal ?? `code ${code}`}${detail}` });
    });
    this.send({ t: 'init', config });
    this.watch(false);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: HarnessToProcess): void {
    if (this.ended || this.channel.destroyed) return;
    this.channel.write(`${JSON.stringify(message)}\n`);
  }

  /** Memory is read every 50 ms while model-written code runs, every second otherwise. */
  watch(busy: boolean): void {
    clearInterval(this.watcher);
    if (!this.limits.memoryCapBytes || this.ended || this.child.pid === undefined) return;
    const pid = this.child.pid;
    this.watcher = setInterval(() => this.checkMemory(pid), busy ? WATCH_BUSY_MS : WATCH_IDLE_MS);
    this.watcher.unref();
  }

  /** Ends the process (SIGKILL); the reason is what its user is told. Resolves once it is gone. */
  kill(end: ProcessEnd): Promise<void> {
    this.end(end);
    return this.exited;
  }

  /** Resident memory of the process tree now (0 once it has ended, or where it cannot be read); a reading counts for the peak. */
  residentBytes(): number {
    if (this.ended || this.child.pid === undefined) return 0;
    const bytes = treeResidentBytes(this.child.pid);
    this.peakResidentBytes = Math.max(this.peakResidentBytes, bytes);
    return bytes;
  }

  private checkMemory(pid: number): void {
    const bytes = treeResidentBytes(pid);
    this.peakResidentBytes = Math.max(this.peakResidentBytes, bytes);
    if (bytes > this.limits.memoryCapBytes) {
      const mib = (value: number): number => Math.round(value / 2 ** 20);
      this.end({ kind: 'memory', message: `the sandbox process used ${mib(bytes)} MiB, over its ${mib(this.limits.memoryCapBytes)} MiB cap, and was stopped` });
    }
  }

  private end(end: ProcessEnd): void {
    if (this.ended) return;
    this.ended = end;
    clearInterval(this.watcher);
    this.chunks = [];
    this.channel.destroy();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.settleReady.reject(new Error(end.message));
    this.onEndForOwner(end);
    this.onEnd(end);
  }

  private receive(chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline >= 0 && !this.ended; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (this.buffered + piece.length > this.limits.maxLineBytes) return this.tooLong();
      const line = this.chunks.length ? Buffer.concat([...this.chunks, piece]).toString('utf8') : piece.toString('utf8');
      this.chunks = [];
      this.buffered = 0;
      this.dispatch(line);
    }
    if (this.ended || start >= chunk.length) return;
    const rest = chunk.subarray(start);
    if (this.buffered + rest.length > this.limits.maxLineBytes) return this.tooLong();
    this.chunks.push(rest);
    this.buffered += rest.length;
  }

  private tooLong(): void {
    this.end({ kind: 'violation', message: `it sent a message over ${this.limits.maxLineBytes} bytes` });
  }

  private dispatch(line: string): void {
    const parsed = parseProcessMessage(line);
    if ('violation' in parsed) return this.end({ kind: 'violation', message: parsed.violation });
    const { message } = parsed;
    if (message.t === 'fatal') {
      return this.end({ kind: 'exit', message: `the sandbox process failed: ${message.message.split('\n')[0]}` });
    }
    if (!this.isReady) {
      this.isReady = true;
      this.settleReady.resolve(message);
      return;
    }
    this.onMessage(message);
  }
}
