/** Creates the host's worker threads: the snapshot maker and the interpreters (see host.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { wasmApi, type HostConfig, type WorkerInit, type WorkerToHost } from './protocol.js';
import { capWasmMemory } from './wasm-memory.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);
/** Caps each worker's JS heap; Python's memory is the wasm memory, capped separately. */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 256 };

export interface Step {
  started: number;
  reason: 'timeout' | 'abort' | null;
  timer: NodeJS.Timeout;
  grace?: NodeJS.Timeout;
  rearm?: NodeJS.Timeout;
}

export class Slot {
  worker!: Worker;
  readonly interrupt = new SharedArrayBuffer(4);
  readonly toolSignal = new SharedArrayBuffer(4);
  state: 'warming' | 'ready' | 'dead' = 'warming';
  step: Step | null = null;
  pendingTool: { hostId: number; workerId: number } | null = null;
  settle: (ok: boolean) => void = () => {};
  readonly ready = new Promise<boolean>((resolve) => (this.settle = resolve));
  constructor(
    public sid: number | null,
    readonly replyPort: MessagePort,
  ) {}
}

export class WorkerFactory {
  snapshot: Uint8Array | undefined;
  /** Packages known not to load, passed to each new interpreter so that it does not retry the download. */
  readonly packageFailures: Record<string, string> = {};
  private module!: object;

  constructor(private readonly config: HostConfig) {}

  /** Compiles the capped wasm module once, then takes the memory snapshot (unless the pool passed one in). */
  async prepare(): Promise<{ firstLoadMs: number; newSnapshot?: Uint8Array }> {
    const wasm = fs.readFileSync(path.join(this.config.pyodideDir, 'pyodide.asm.wasm'));
    this.module = await wasmApi().compile(capWasmMemory(wasm, this.config.memoryLimitMiB * 2 ** 20).bytes);
    if (this.config.snapshot) {
      this.snapshot = Buffer.from(this.config.snapshot, 'base64');
      return { firstLoadMs: 0 };
    }
    const firstLoadMs = await this.makeSnapshot();
    return { firstLoadMs, newSnapshot: this.snapshot };
  }

  /** A new interpreter worker (warming) for a session, or for the idle list when sid is null. */
  interpreter(sid: number | null): Slot {
    const channel = new MessageChannel();
    const slot = new Slot(sid, channel.port1);
    slot.worker = new Worker(WORKER_URL, {
      workerData: this.workerInit('interpreter', channel.port2, slot),
      transferList: [channel.port2],
      resourceLimits: WORKER_LIMITS,
    });
    return slot;
  }

  /** A full Pyodide start that preloads the allowed modules and returns a memory snapshot; on failure, none. */
  private makeSnapshot(): Promise<number> {
    const started = performance.now();
    const worker = new Worker(WORKER_URL, { workerData: this.workerInit('snapshot'), resourceLimits: WORKER_LIMITS });
    return new Promise<number>((resolve) => {
      let finished = false;
      const done = (reason?: string): void => {
        if (finished) return;
        finished = true;
        if (reason) process.stderr.write(`sandbox: no memory snapshot, interpreters start in full: ${reason}\n`);
        void worker.terminate();
        resolve(performance.now() - started);
      };
      worker.on('message', (message: WorkerToHost) => {
        if (message.t === 'snapshot') this.snapshot = message.bytes;
        done(message.t === 'fatal' ? message.message : undefined);
      });
      worker.on('error', (error) => done(error.message));
      worker.on('exit', (code) => done(`exited with code ${code}`));
    });
  }

  private workerInit(mode: WorkerInit['mode'], port?: MessagePort, slot?: Slot): WorkerInit {
    const { pyodideDir, tools, allowedImports, outputLimitBytes, memoryLimitMiB } = this.config;
    return {
      mode,
      pyodideUrl: pathToFileURL(path.join(pyodideDir, 'pyodide.mjs')).href,
      indexURL: pyodideDir + path.sep,
      module: this.module,
      snapshot: mode === 'interpreter' ? this.snapshot : undefined,
      interrupt: slot?.interrupt ?? new SharedArrayBuffer(4),
      toolSignal: slot?.toolSignal ?? new SharedArrayBuffer(4),
      port,
      tools,
      allowedImports,
      outputLimitBytes,
      memoryLimitMiB,
      packageFailures: this.packageFailures,
    };
  }

}
