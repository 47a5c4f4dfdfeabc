/**
 * Messages between the three parts of the sandbox:
 *   main process (pool.ts)  <-- Node IPC, JSON -->  host child process (host.ts)  <-- postMessage -->  worker threads (worker.ts)
 * Tool calls go worker -> host -> main; the reply comes back main -> host -> worker through a MessagePort read
 * synchronously with receiveMessageOnPort after an Atomics.wait on a shared counter.
 */
import type { MessagePort } from 'node:worker_threads';
import type { CodeStepResult, SandboxToolSpec } from './types.js';

/** What the host needs to know; sent once as the first IPC message. */
export interface HostConfig {
  size: number;
  pyodideDir: string;
  tools: SandboxToolSpec[];
  allowedImports: string[];
  stepTimeoutMs: number;
  memoryLimitMiB: number;
  outputLimitBytes: number;
  /** A memory snapshot (base64) an earlier host of this pool made, so that a restarted host skips the full start. */
  snapshot?: string;
}

export type ParentToHost =
  | { t: 'init'; config: HostConfig }
  | { t: 'open'; sid: number }
  | { t: 'run'; sid: number; code: string }
  | { t: 'interrupt'; sid: number }
  | { t: 'tool-result'; sid: number; callId: number; reply: ToolReply }
  | { t: 'close'; sid: number };

export type HostToParent =
  | { t: 'ready'; snapshot: boolean; firstLoadMs: number }
  | { t: 'snapshot'; base64: string }
  | { t: 'fatal'; message: string }
  | { t: 'opened'; sid: number }
  | { t: 'result'; sid: number; result: CodeStepResult }
  | { t: 'tool'; sid: number; callId: number; name: string; args: Record<string, unknown> }
  | { t: 'restarted'; sid: number | null; reason: string }
  | { t: 'closed'; sid: number };

/** A tool's answer as the worker receives it; 'interrupted' means the step was interrupted while waiting. */
export type ToolReply = { kind: 'ok'; output: string } | { kind: 'error'; error: string } | { kind: 'interrupted' };

/** Everything a worker starts from (structured-cloned into workerData). */
export interface WorkerInit {
  mode: 'snapshot' | 'interpreter';
  pyodideUrl: string;
  indexURL: string;
  /** The pyodide WebAssembly.Module, compiled once by the host with the memory maximum rewritten. */
  module: object;
  /** A memory snapshot taken after the base imports; absent: full start. */
  snapshot?: Uint8Array;
  /** Int32Array(1): Pyodide's interrupt buffer (2 = SIGINT). */
  interrupt: SharedArrayBuffer;
  /** Int32Array(1): bumped by the host after each tool reply it posts on `port`. */
  toolSignal: SharedArrayBuffer;
  port?: MessagePort;
  tools: SandboxToolSpec[];
  allowedImports: string[];
  outputLimitBytes: number;
  memoryLimitMiB: number;
  /** Packages already known not to load (name -> message), so each worker does not retry the download. */
  packageFailures: Record<string, string>;
}

/** The part of the WebAssembly global the sandbox uses (lib ES2023 and @types/node 20 do not declare it). */
export interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(source: unknown, imports?: object): Promise<unknown>;
}
export const wasmApi = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export type HostToWorker = { t: 'run'; code: string };

export type WorkerToHost =
  | { t: 'snapshot'; bytes: Uint8Array; loadMs: number }
  | { t: 'ready'; loadMs: number; packageFailures: Record<string, string> }
  | { t: 'result'; result: WorkerStepResult }
  | { t: 'tool'; callId: number; name: string; args: string }
  | { t: 'fatal'; message: string };

/** A step as the worker reports it; the host adds timing and maps interrupts to timeout/abort errors. */
export type WorkerStepResult = Omit<CodeStepResult, 'durationMs' | 'interpreterRestarted'>;
