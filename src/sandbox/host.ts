/**
 * The sandbox host: a child process (started by pool.ts with Node's permission model, code generation from strings
 * disallowed and an empty environment) that keeps one worker thread per interpreter. It compiles Pyodide's wasm once
 * with the memory maximum capped, takes one memory snapshot after a full start, and starts every interpreter from
 * that snapshot. Each session gets a fresh interpreter; a released one is terminated and replaced, so nothing a task
 * does (globals, monkeypatched modules, sys.modules) reaches the next. Talks to the main process over Node IPC.
 */
import { Slot, WorkerFactory, type Step } from './host-workers.js';
import type {
  HostConfig,
  HostToParent,
  HostToWorker,
  ParentToHost,
  ToolReply,
  WorkerStepResult,
  WorkerToHost,
} from './protocol.js';
import type { CodeStepResult } from './types.js';

const MAX_WARM_FAILURES = 3;

function stopTimers(step: Step): void {
  clearTimeout(step.timer);
  clearTimeout(step.grace);
  clearInterval(step.rearm);
}

const send = (message: HostToParent): void => void process.send?.(message);

class Host {
  private readonly factory: WorkerFactory;
  private idle: Slot[] = [];
  private readonly sessions = new Map<number, Slot>();
  /** Sessions whose abort arrived before their step started (e.g. while a replacement interpreter warmed). */
  private readonly abortsBeforeStart = new Set<number>();
  private warmFailures = 0;
  private lastFailure = '';
  private toolSeq = 0;
  private closing = false;
  private readonly graceMs: number;

  constructor(private readonly config: HostConfig) {
    this.graceMs = Math.min(2000, Math.max(250, config.stepTimeoutMs / 2));
    this.factory = new WorkerFactory(config);
  }

  async start(): Promise<void> {
    const { firstLoadMs, newSnapshot } = await this.factory.prepare();
    if (newSnapshot) send({ t: 'snapshot', base64: Buffer.from(newSnapshot).toString('base64') });
    const slots = Array.from({ length: this.config.size }, () => this.spawn(null));
    this.idle.push(...slots);
    const ok = await Promise.all(slots.map((slot) => slot.ready));
    if (!ok.every(Boolean)) throw new Error(`an interpreter failed to start: ${this.lastFailure}`);
    send({ t: 'ready', snapshot: this.factory.snapshot !== undefined, firstLoadMs: Math.round(firstLoadMs) });
  }

  handle(message: ParentToHost): void {
    if (message.t === 'open') void this.open(message.sid);
    else if (message.t === 'run') void this.run(message.sid, message.code);
    else if (message.t === 'interrupt') this.abort(message.sid);
    else if (message.t === 'tool-result') this.toolResult(message.sid, message.callId, message.reply);
    else if (message.t === 'close') this.close(message.sid);
  }

  shutdown(): void {
    this.closing = true;
    for (const slot of [...this.idle, ...this.sessions.values()]) this.retire(slot);
  }

  private spawn(sid: number | null): Slot {
    const slot = this.factory.interpreter(sid);
    slot.worker.on('message', (message: WorkerToHost) => this.onWorkerMessage(slot, message));
    slot.worker.on('error', (error) => this.onWorkerDeath(slot, `the interpreter crashed: ${error.message}`));
    slot.worker.on('exit', (code) => this.onWorkerDeath(slot, `the interpreter exited with code ${code}`));
    return slot;
  }

  private onWorkerMessage(slot: Slot, message: WorkerToHost): void {
    if (message.t === 'ready') {
      slot.state = 'ready';
      this.warmFailures = 0;
      Object.assign(this.factory.packageFailures, message.packageFailures);
      slot.settle(true);
    } else if (message.t === 'result') this.finish(slot, message.result, false);
    else if (message.t === 'tool') this.forwardTool(slot, message);
    else if (message.t === 'fatal') this.onWorkerDeath(slot, `the interpreter failed to start: ${message.message}`);
  }

  /** Ends a worker on purpose; its 'exit' event is then ignored. */
  private retire(slot: Slot): void {
    if (slot.step) stopTimers(slot.step);
    slot.state = 'dead';
    slot.settle(false);
    slot.replyPort.close();
    void slot.worker.terminate();
  }

  /** Replaces a dead worker (same session, or back to the idle list) and reports the restart. */
  private replace(slot: Slot, reason: string): void {
    if (this.closing) return;
    const replacement = this.spawn(slot.sid);
    if (slot.sid !== null && this.sessions.get(slot.sid) === slot) this.sessions.set(slot.sid, replacement);
    else if (slot.sid === null) this.idle.push(replacement);
    send({ t: 'restarted', sid: slot.sid, reason });
  }

  private onWorkerDeath(slot: Slot, reason: string): void {
    if (slot.state === 'dead') return;
    const warming = slot.state === 'warming';
    const step = slot.step;
    this.retire(slot);
    this.idle = this.idle.filter((other) => other !== slot);
    if (warming) {
      this.lastFailure = reason;
      if (++this.warmFailures >= MAX_WARM_FAILURES) {
        send({ t: 'fatal', message: `interpreters keep failing to start: ${reason}` });
        return;
      }
    }
    this.replace(slot, reason);
    if (step) this.finish(slot, { stdout: '', error: { type: 'SandboxError', message: reason } }, true, step);
  }

  /** The session's interpreter once it is ready; follows replacements while it warms. */
  private async readySlot(sid: number): Promise<Slot | undefined> {
    for (let attempt = 0; attempt <= MAX_WARM_FAILURES; attempt++) {
      const slot = this.sessions.get(sid);
      if (!slot) return undefined;
      if ((await slot.ready) && slot.state === 'ready') return slot;
      if (this.sessions.get(sid) === slot) return undefined;
    }
    return undefined;
  }

  private async open(sid: number): Promise<void> {
    const slot = this.idle.find((candidate) => candidate.state === 'ready') ?? this.idle[0] ?? this.spawn(null);
    this.idle = this.idle.filter((other) => other !== slot);
    slot.sid = sid;
    this.sessions.set(sid, slot);
    await this.readySlot(sid);
    send({ t: 'opened', sid });
  }

  private abort(sid: number): void {
    const slot = this.sessions.get(sid);
    if (slot?.step) this.interruptStep(slot, 'abort');
    else this.abortsBeforeStart.add(sid);
  }

  private async run(sid: number, code: string): Promise<void> {
    this.abortsBeforeStart.delete(sid);
    const slot = await this.readySlot(sid);
    const fail = (type: string, message: string): void =>
      send({ t: 'result', sid, result: { stdout: '', error: { type, message }, durationMs: 0 } });
    if (this.abortsBeforeStart.delete(sid)) return fail('AbortError', 'code step was aborted');
    if (!slot) return fail('SandboxError', `no interpreter could be started: ${this.lastFailure}`);
    if (slot.step) return fail('SandboxError', 'a step is already running');
    const timer = setTimeout(() => this.interruptStep(slot, 'timeout'), this.config.stepTimeoutMs);
    slot.step = { started: performance.now(), reason: null, timer };
    Atomics.store(new Int32Array(slot.interrupt), 0, 0);
    slot.worker.postMessage({ t: 'run', code } satisfies HostToWorker);
  }

  /** Sets Pyodide's interrupt flag (KeyboardInterrupt at the next bytecode); a C-level loop gets terminated after a grace period. */
  private interruptStep(slot: Slot | undefined, reason: 'timeout' | 'abort'): void {
    const step = slot?.step;
    if (!slot || !step || step.reason) return;
    step.reason = reason;
    const flag = new Int32Array(slot.interrupt);
    Atomics.store(flag, 0, 2);
    // Python sometimes (~3% of interrupts here) clears the flag without raising KeyboardInterrupt: set it again
    // every 100 ms until the step ends or the grace period runs out.
    step.rearm = setInterval(() => Atomics.compareExchange(flag, 0, 0, 2), 100);
    step.grace = setTimeout(() => {
      if (slot.step !== step) return;
      this.retire(slot);
      this.replace(slot, `the code step ignored the interrupt (${reason}) and its interpreter was terminated`);
      this.finish(slot, { stdout: '' }, true, step);
    }, this.graceMs);
  }

  private finish(slot: Slot, result: WorkerStepResult, restarted: boolean, step = slot.step): void {
    if (!step || slot.sid === null) return;
    slot.step = null;
    slot.pendingTool = null;
    stopTimers(step);
    let error = result.error;
    if (step.reason) {
      // Whatever the interrupt surfaced as (KeyboardInterrupt, or an error while unwinding), the cause is this.
      const seconds = Math.round(this.config.stepTimeoutMs / 100) / 10;
      let message = step.reason === 'timeout' ? `code step exceeded ${seconds} s` : 'code step was aborted';
      if (restarted) message += '; the interpreter did not stop and was restarted (variables were lost)';
      error = { type: step.reason === 'timeout' ? 'TimeoutError' : 'AbortError', message };
    }
    const out: CodeStepResult = { stdout: result.stdout, durationMs: Math.round(performance.now() - step.started) };
    if (result.result !== undefined) out.result = result.result;
    if (error) out.error = error;
    if (result.finalAnswer) out.finalAnswer = result.finalAnswer;
    if (restarted) out.interpreterRestarted = true;
    send({ t: 'result', sid: slot.sid, result: out });
  }

  private forwardTool(slot: Slot, message: Extract<WorkerToHost, { t: 'tool' }>): void {
    const fail = (error: string): void => this.replyTool(slot, message.callId, { kind: 'error', error });
    if (slot.step?.reason) return this.replyTool(slot, message.callId, { kind: 'interrupted' });
    if (slot.sid === null || !slot.step) return fail('no code step is running');
    let args: unknown;
    try {
      args = JSON.parse(message.args);
    } catch {
      return fail('tool arguments are not valid JSON');
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) return fail('tool arguments must be an object');
    slot.pendingTool = { hostId: ++this.toolSeq, workerId: message.callId };
    const toolArgs = args as Record<string, unknown>;
    send({ t: 'tool', sid: slot.sid, callId: slot.pendingTool.hostId, name: message.name, args: toolArgs });
  }

  private toolResult(sid: number, callId: number, reply: ToolReply): void {
    const slot = this.sessions.get(sid);
    if (!slot?.pendingTool || slot.pendingTool.hostId !== callId) return;
    const workerId = slot.pendingTool.workerId;
    slot.pendingTool = null;
    this.replyTool(slot, workerId, reply);
  }

  private replyTool(slot: Slot, callId: number, reply: ToolReply): void {
    if (slot.state === 'dead') return;
    slot.replyPort.postMessage({ callId, reply });
    const signal = new Int32Array(slot.toolSignal);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  }

  private close(sid: number): void {
    const slot = this.sessions.get(sid);
    this.sessions.delete(sid);
    this.abortsBeforeStart.delete(sid);
    if (slot) {
      this.retire(slot);
      if (!this.closing) this.idle.push(this.spawn(null));
    }
    send({ t: 'closed', sid });
  }
}

let host: Host | undefined;
process.on('message', (message: ParentToHost) => {
  if (message.t !== 'init') return host?.handle(message);
  if (host) return;
  host = new Host(message.config);
  host.start().catch((error: unknown) => {
    send({ t: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});
// The main process is gone: stop the workers so that this process can end.
process.on('disconnect', () => host?.shutdown());
