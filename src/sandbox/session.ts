/**
 * One task's sandbox session: a sandbox process of its own (a fresh interpreter), its code steps, and the tools
 * Python calls. The harness enforces every cap here, on its side of the channel: observation, final answer, tool
 * arguments, tool calls per step, memory (sandbox-process.ts). A step that runs past its timeout, or whose task is
 * aborted, kills the process; the next step starts on a fresh one and says so (variables were lost).
 */
import { errorMessage } from '../errors.js';
import type { NormalizedOptions } from './options.js';
import type { ProcessToHarness, StepReport, ToolReply } from './protocol.js';
import type { ProcessEnd, SandboxProcess } from './sandbox-process.js';
import type { CodeStepResult, SandboxSession, ToolHandler } from './types.js';

/** What a session needs from its pool. */
export interface SessionHost {
  /** A ready sandbox process for this session (a stand-by one when there is one). */
  take(): Promise<SandboxProcess>;
  /** The session is done: its slot is free again. */
  release(session: Session): void;
  readonly options: NormalizedOptions;
  /** Counts interpreters replaced within a session. */
  readonly stats: { restarts: number };
}

const stepError = (type: string, message: string, extra: Partial<CodeStepResult> = {}): CodeStepResult => ({
  stdout: '',
  error: { type, message },
  durationMs: 0,
  ...extra,
});

function cap(text: string, limit: number, what: string): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= limit) return text;
  const kept = Buffer.from(text).subarray(0, limit).toString('utf8').replace(/\uFFFD$/, '');
  return `${kept}\n[${what} truncated: ${bytes - limit} more bytes]`;
}

const kib = (bytes: number): string => (bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`);

export class Session implements SandboxSession {
  private process: Promise<SandboxProcess> | undefined;
  private released = false;
  private running = false;
  private current: SandboxProcess | undefined;
  /** A rule the process broke between steps, reported at the next step. */
  private idleViolation: string | undefined;

  constructor(
    private readonly host: SessionHost,
    private readonly handler: ToolHandler,
    first: Promise<SandboxProcess>,
  ) {
    this.process = first;
  }

  /** The operating-system process of the current interpreter, once it is known (tests, diagnostics). */
  get processId(): number | undefined {
    return this.current?.pid;
  }

  async run(code: string, options: { signal?: AbortSignal } = {}): Promise<CodeStepResult> {
    if (this.released) throw new Error('this sandbox session was released');
    if (this.running) throw new Error('a code step is already running in this sandbox session');
    const { signal } = options;
    if (signal?.aborted) return stepError('AbortError', 'code step was aborted');
    if (this.idleViolation) return stepError('SandboxError', this.idleViolation, { violation: this.idleViolation });
    this.running = true;
    try {
      let restarted = false;
      let current = await this.process?.catch(() => undefined);
      if (!current || current.ended) {
        restarted = this.process !== undefined;
        this.process = this.host.take();
        try {
          current = await this.process;
        } catch (error) {
          return stepError('SandboxError', `no sandbox process could be started: ${errorMessage(error)}`, { interpreterRestarted: true });
        }
      }
      this.current = current;
      const result = await this.step(current, code, signal);
      if (restarted) result.interpreterRestarted = true;
      return result;
    } finally {
      this.running = false;
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const current = await this.process?.catch(() => undefined);
    this.process = undefined;
    await current?.kill({ kind: 'killed', message: 'the session was released' });
    this.host.release(this);
  }

  private step(process: SandboxProcess, code: string, signal: AbortSignal | undefined): Promise<CodeStepResult> {
    const { stepTimeoutMs, toolCallsPerStep, toolArgumentBytes } = this.host.options;
    const started = performance.now();
    let toolCalls = 0;
    return new Promise<CodeStepResult>((resolve) => {
      let settled = false;
      let stopReason: 'timeout' | 'abort' | undefined;
      const finish = (result: CodeStepResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        process.onEnd = () => {};
        process.onMessage = (message) => {
          this.idleViolation = `the sandbox broke its protocol or a limit: it sent a '${message.t}' message between steps`;
          void process.kill({ kind: 'violation', message: this.idleViolation });
        };
        process.watch(false);
        resolve({ ...result, durationMs: Math.round(performance.now() - started) });
      };
      const violate = (message: string): void => void process.kill({ kind: 'violation', message });
      const stop = (reason: 'timeout' | 'abort'): void => {
        stopReason = reason;
        void process.kill({ kind: 'killed', message: reason });
      };
      const timer = setTimeout(() => stop('timeout'), stepTimeoutMs);
      const onAbort = (): void => stop('abort');
      signal?.addEventListener('abort', onAbort, { once: true });
      process.onEnd = (end) => finish(this.ended(end, stopReason));
      process.onMessage = (message: ProcessToHarness) => {
        if (message.t === 'result') {
          const result = this.report(message.report);
          finish(result);
          if (result.violation) void process.kill({ kind: 'violation', message: result.violation });
          return;
        }
        if (message.t !== 'tool') return violate(`it sent an unexpected '${message.t}' message during a step`);
        if (++toolCalls > toolCallsPerStep) return violate(`more than ${toolCallsPerStep} tool calls in one code step (the limit)`);
        const size = Buffer.byteLength(message.args);
        if (size > toolArgumentBytes) return violate(`${message.name}() was called with ${size} bytes of arguments, over the ${kib(toolArgumentBytes)} limit`);
        void this.callTool(process, message.callId, message.name, message.args);
      };
      process.watch(true);
      process.send({ t: 'run', code });
    });
  }

  /** The step result for a process that ended before reporting one. */
  private ended(end: ProcessEnd, stopReason: 'timeout' | 'abort' | undefined): CodeStepResult {
    this.host.stats.restarts++;
    const restarted = { interpreterRestarted: true };
    if (stopReason === 'timeout') {
      const seconds = Math.round(this.host.options.stepTimeoutMs / 100) / 10;
      return stepError('TimeoutError', `code step exceeded ${seconds} s; the interpreter was stopped and restarted (variables were lost)`, restarted);
    }
    if (stopReason === 'abort') return stepError('AbortError', 'code step was aborted', restarted);
    if (end.kind === 'memory') return stepError('MemoryError', end.message, { ...restarted, violation: end.message });
    if (end.kind === 'killed') return stepError('SandboxError', `the sandbox session was released while a code step was running`, restarted);
    if (end.kind === 'violation') {
      const message = `the sandbox broke its protocol or a limit: ${end.message}`;
      return stepError('SandboxError', message, { ...restarted, violation: message });
    }
    return stepError('SandboxError', `${end.message}; the interpreter was restarted (variables were lost)`, restarted);
  }

  /** The harness's own caps on what the sandbox reports. */
  private report(report: StepReport): CodeStepResult {
    const { outputLimitBytes, finalAnswerBytes } = this.host.options;
    const result: CodeStepResult = { stdout: cap(report.stdout, outputLimitBytes, 'output'), durationMs: 0 };
    if (report.result !== undefined) result.result = cap(report.result, outputLimitBytes, 'value');
    if (report.error) result.error = { type: report.error.type, message: cap(report.error.message, outputLimitBytes, 'message') };
    if (report.final) {
      const size = Buffer.byteLength(report.final.text);
      if (size > finalAnswerBytes) {
        const message = `the sandbox broke its protocol or a limit: the final answer is ${size} bytes, over the ${kib(finalAnswerBytes)} limit`;
        return { ...stepError('SandboxError', message), violation: message };
      }
      result.finalAnswer = { value: parseJson(report.final.json, report.final.text), text: report.final.text };
    }
    return result;
  }

  private async callTool(process: SandboxProcess, callId: number, name: string, payload: string): Promise<void> {
    let reply: ToolReply;
    const args = parseJson(payload, undefined);
    if (typeof args !== 'object' || args === null || Array.isArray(args)) reply = { kind: 'error', error: 'tool arguments must be an object' };
    else {
      try {
        const outcome = await this.handler(name, args as Record<string, unknown>);
        reply = outcome.ok ? { kind: 'ok', output: String(outcome.output) } : { kind: 'error', error: outcome.error };
      } catch (error) {
        reply = { kind: 'error', error: errorMessage(error) };
      }
    }
    if (!this.released) process.send({ t: 'tool-result', callId, reply });
  }
}

function parseJson(text: string | undefined, fallback: unknown): unknown {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}
