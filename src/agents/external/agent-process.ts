import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { TextRedactor } from '../../secrets/redactor.js';
import { LineReader } from './line-reader.js';
import { MAX_LINE_BYTES, parseAgentLine, ProtocolError, type AgentMessage, type HarnessMessage } from './protocol.js';

export interface AgentProcessOptions {
  /** The command line, run by the shell (`sh -c`), as its own process group. */
  command: string;
  cwd: string;
  env: Record<string, string>;
  redactor?: TextRedactor;
  maxLineBytes?: number;
}

/** Most bytes of stderr written to one task's log. */
const LOG_LIMIT_BYTES = 10 * 1024 * 1024;
const STDERR_TAIL_LINES = 5;

/** Why the process cannot go on: a protocol violation, an exit, a failure to start. */
export class AgentProcessError extends Error {
  constructor(
    message: string,
    readonly reason: 'start' | 'protocol' | 'exit',
  ) {
    super(message);
  }
}

/**
 * One external agent process: its stdout read as validated protocol lines, its stderr to the current
 * task's log (scrubbed of the run's secrets), killed as a process group so its children go too.
 */
export class AgentProcess {
  private readonly child: ChildProcess;
  private readonly queue: AgentMessage[] = [];
  private waiter: (() => void) | undefined;
  private failure: AgentProcessError | undefined;
  private log: WriteStream | undefined;
  private logged = 0;
  private readonly stderrTail: string[] = [];
  private stderrPartial = '';
  /** Whether the agent wrote any line (a 127 exit before that means the shell found no command). */
  private spoke = false;
  readonly exited: Promise<void>;

  constructor(options: AgentProcessOptions) {
    this.child = spawn(options.command, {
      shell: true,
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const reader = new LineReader(
      options.maxLineBytes ?? MAX_LINE_BYTES,
      (line) => {
        this.spoke = true;
        try {
          this.queue.push(parseAgentLine(line));
        } catch (error) {
          reader.stop();
          this.fail(new AgentProcessError((error as ProtocolError).message, 'protocol'));
        }
        this.wake();
      },
      (bytes) => this.fail(new AgentProcessError(`the agent wrote a line of more than ${options.maxLineBytes ?? MAX_LINE_BYTES} bytes (${bytes} so far)`, 'protocol')),
    );
    this.child.stdout!.on('data', (chunk: Buffer) => reader.push(chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => this.stderr(chunk, options.redactor));
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error: NodeJS.ErrnoException) => {
        this.fail(new AgentProcessError(`could not start the agent command: ${error.code === 'ENOENT' ? 'command not found' : error.message}`, 'start'));
        resolve();
      });
      this.child.on('close', (code, signal) => {
        // The shell's "command not found": the agent never ran (an infrastructure error, run again on --resume).
        if (code === 127 && !this.spoke) {
          this.fail(new AgentProcessError(`could not start the agent command: command not found${this.stderrTail.length ? ` (${this.stderrTail.join(' | ')})` : ''}`, 'start'));
          return resolve();
        }
        const tail = this.stderrTail.length ? `; its stderr ended with: ${this.stderrTail.join(' | ')}` : '';
        this.fail(new AgentProcessError(`the agent process exited (${signal ? `signal ${signal}` : `code ${code}`}) before its final answer${tail}`, 'exit'));
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  /** Where stderr goes from now on (one file per task); undefined keeps only the tail. */
  logTo(path: string | undefined): void {
    this.log?.end();
    this.log = undefined;
    this.logged = 0;
    if (!path) return;
    mkdirSync(dirname(path), { recursive: true });
    this.log = createWriteStream(path, { flags: 'a' });
    this.log.on('error', () => (this.log = undefined));
  }

  send(message: HarnessMessage): void {
    if (this.failure || !this.child.stdin!.writable) return;
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /** The next message, or the reason there is none (the process failed or `signal` aborted). */
  async next(signal: AbortSignal): Promise<AgentMessage> {
    for (;;) {
      const message = this.queue.shift();
      if (message) return message;
      if (this.failure) throw this.failure;
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        this.waiter = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        signal.addEventListener('abort', onAbort, { once: true });
      });
      this.waiter = undefined;
    }
  }

  /** Closes stdin and waits up to `graceMs` for the process to exit by itself, then kills its group. */
  async stop(graceMs: number): Promise<void> {
    this.child.stdin!.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.kill();
    await this.exited;
    this.logTo(undefined);
  }

  /** SIGKILL to the whole process group (the shell, the agent and anything it started). */
  kill(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  private fail(error: AgentProcessError): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    this.waiter?.();
  }

  private stderr(chunk: Buffer, redactor: TextRedactor | undefined): void {
    const text = this.stderrPartial + chunk.toString('utf8');
    const cut = text.lastIndexOf('\n');
    this.stderrPartial = cut < 0 ? text.slice(-4096) : text.slice(cut + 1).slice(-4096);
    if (cut < 0) return;
    const lines = text.slice(0, cut).split('\n');
    const clean = lines.map((line) => (redactor ? redactor.text(line) : line));
    for (const line of clean) if (line.trim()) this.stderrTail.push(line.trim().slice(0, 300));
    this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - STDERR_TAIL_LINES));
    if (!this.log || this.logged >= LOG_LIMIT_BYTES) return;
    const out = `${clean.join('\n')}\n`;
    this.logged += Buffer.byteLength(out);
    this.log.write(this.logged >= LOG_LIMIT_BYTES ? `${out}[agent-eval: log cut at ${LOG_LIMIT_BYTES} bytes]\n` : out);
  }
}
