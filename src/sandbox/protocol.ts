/**
 * Messages between the harness (pool.ts, sandbox-process.ts) and one sandbox process (host.ts), one JSON object a
 * line over a socket pair on the child's file descriptor 3. The child runs one interpreter for one task, so nothing
 * in a message names a task: whatever a process says concerns its own task only. The harness validates every line
 * the child sends (messages.ts) and treats anything unexpected as a protocol violation of that task's sandbox.
 *
 * This file is imported by the sandboxed process too: types only, no imports outside the folder.
 */
import type { SandboxToolSpec } from './types.js';

/** The file descriptor of the channel in the sandbox process. */
export const CHANNEL_FD = 3;

/** What a sandbox process starts from; sent once as the first line. */
export interface ProcessConfig {
  /** 'snapshot': full Pyodide start, preload the allowed modules, send a memory snapshot, exit (runs no task code).
   * 'interpreter': start from the snapshot file, then run a task's steps. */
  mode: 'snapshot' | 'interpreter';
  pyodideDir: string;
  snapshotPath?: string;
  tools: SandboxToolSpec[];
  allowedImports: string[];
  memoryLimitMiB: number;
  outputLimitBytes: number;
  /** Packages already known not to load (name -> message), so each process does not retry the download. */
  packageFailures: Record<string, string>;
  /** Test-only: a JavaScript module imported after the lockdown whose functions Python can call as `_sandbox_probe`
   * (attacks as JavaScript, as if Python had found its way there). */
  probeScript?: string;
}

export type HarnessToProcess =
  | { t: 'init'; config: ProcessConfig }
  | { t: 'run'; code: string }
  | { t: 'tool-result'; callId: number; reply: ToolReply };

/** A tool's answer as the interpreter receives it. */
export type ToolReply = { kind: 'ok'; output: string } | { kind: 'error'; error: string };

/** One code step as the sandbox reports it (the harness caps and checks every field). */
export interface StepReport {
  stdout: string;
  result?: string;
  error?: { type: string; message: string };
  /** final_answer(x): x as JSON (absent when it is not JSON-serialisable) and str(x). */
  final?: { json?: string; text: string };
}

export type ProcessToHarness =
  | { t: 'snapshot'; base64: string; loadMs: number }
  | { t: 'ready'; loadMs: number; packageFailures: Record<string, string> }
  | { t: 'result'; report: StepReport }
  | { t: 'tool'; callId: number; name: string; args: string }
  | { t: 'fatal'; message: string };

/** The part of the WebAssembly global the sandbox uses (lib ES2023 and @types/node 20 do not declare it). */
export interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(source: unknown, imports?: object): Promise<unknown>;
}
export const wasmApi = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
