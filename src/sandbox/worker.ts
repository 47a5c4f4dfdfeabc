/**
 * One Python interpreter (Pyodide) in a worker thread of the sandbox host process (host.ts). Plain Node ESM with
 * no imports outside this folder, so it runs under the host's permission model. Modes:
 * - 'snapshot': full start, preload the allowed modules, post a memory snapshot, done;
 * - 'interpreter': start from the snapshot, install the bridge and the import guard, then run steps on request.
 */
import fs from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { PyodideAPI, PyodideConfig } from 'pyodide';
import type { PyCallable, PyProxy } from 'pyodide/ffi';
import { wasmApi, type HostToWorker, type ToolReply, type WorkerInit, type WorkerStepResult, type WorkerToHost } from './protocol.js';
import { SETUP_PY, SNAPSHOT_PY } from './python.js';

const init = workerData as WorkerInit;
if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const hostPort = parentPort;
const post = (message: WorkerToHost, transfer: ArrayBuffer[] = []): void => hostPort.postMessage(message, transfer);
const interrupt = new Int32Array(init.interrupt);
const toolSignal = new Int32Array(init.toolSignal);

/** Captures stdout/stderr bytes up to the limit and counts the rest. */
class OutputCapture {
  private chunks: string[] = [];
  private used = 0;
  private dropped = 0;
  private decoder = new TextDecoder();
  constructor(private readonly limit: number) {}
  readonly write = (buffer: Uint8Array): number => {
    const room = Math.max(0, this.limit - this.used);
    if (room > 0) this.chunks.push(this.decoder.decode(buffer.subarray(0, room), { stream: true }));
    this.used += Math.min(room, buffer.length);
    this.dropped += Math.max(0, buffer.length - room);
    return buffer.length;
  };
  take(): string {
    let text = this.chunks.join('') + this.decoder.decode();
    if (this.dropped > 0) text += `\n[output truncated: ${this.dropped} more bytes]`;
    this.chunks = [];
    this.used = 0;
    this.dropped = 0;
    return text;
  }
}

/** Node's permission model blocks process.binding, which Emscripten's NODEFS calls at start-up for fs constants. */
function shimProcessBinding(): void {
  const target = process as unknown as { binding: (name: string) => unknown };
  const original = target.binding.bind(process);
  target.binding = (name) => (name === 'constants' ? { fs: fs.constants } : original(name));
}

/** Instantiate the host's pre-compiled module (memory maximum already rewritten) instead of Pyodide's bytes. */
function useCappedModule(module: object): void {
  const api = wasmApi();
  const original = api.instantiate.bind(api);
  api.instantiate = (source, imports) => {
    const isBinary = ArrayBuffer.isView(source) || source instanceof ArrayBuffer;
    if (isBinary && (source as ArrayBufferLike).byteLength > 1_000_000) {
      return original(module, imports).then((instance) => ({ module, instance }));
    }
    return original(source, imports);
  };
}

/**
 * Defence in depth once Pyodide is up: Python code that gets hold of a JS object cannot reach the network
 * or Node's process through the worker's globals. (Code generation from strings is off in the host process,
 * and its permission model denies file reads outside Pyodide, file writes and child processes.)
 */
function lockDownGlobals(): void {
  const globals = globalThis as Record<string, unknown>;
  for (const name of ['fetch', 'Request', 'Response', 'Headers', 'FormData', 'WebSocket', 'EventSource']) {
    Reflect.deleteProperty(globals, name);
  }
  Reflect.deleteProperty(globals, 'BroadcastChannel');
  Reflect.deleteProperty(globals, 'require');
  const { version, versions, platform, arch } = process;
  // What Emscripten still reads at run time (os.getuid, os.umask, uname); nothing that reaches Node.
  globals.process = {
    version,
    versions,
    platform,
    arch,
    argv: ['python'],
    env: {},
    exitCode: undefined,
    getuid: () => 0,
    getgid: () => 0,
    umask: () => 0o022,
    cwd: () => '/home/pyodide',
  };
}

/** Synchronous from Python's side: post the call, then sleep on the shared counter until the reply or an interrupt. */
let callSeq = 0;
function callTool(name: string, payload: string): ToolReply {
  const port = init.port;
  if (!port) return { kind: 'error', error: 'tools are not available' };
  const callId = ++callSeq;
  while (receiveMessageOnPort(port)) {
    // drop replies that arrived after an interrupted call
  }
  post({ t: 'tool', callId, name, args: payload });
  for (;;) {
    const seen = Atomics.load(toolSignal, 0);
    const received = receiveMessageOnPort(port) as { message: { callId: number; reply: ToolReply } } | undefined;
    if (received) {
      if (received.message.callId === callId) return received.message.reply;
      continue;
    }
    if (Atomics.load(interrupt, 0) !== 0) {
      Atomics.store(interrupt, 0, 0);
      return { kind: 'interrupted' };
    }
    Atomics.wait(toolSignal, 0, seen, 50);
  }
}

/** Packages from Pyodide's index that the caller authorised: try to load them; offline, remember why not. */
async function loadPackages(py: PyodideAPI, failures: Record<string, string>): Promise<void> {
  const importable = (root: string): boolean =>
    py.runPython(`import importlib, importlib.util\nimportlib.invalidate_caches()\nimportlib.util.find_spec(${JSON.stringify(root)}) is not None`) as boolean;
  for (const name of init.allowedImports) {
    const root = name.split('.')[0] ?? name;
    if (root === '*' || root in failures || importable(root)) continue;
    const entry = Object.values(py.lockfile.packages).find((p) => p.imports.includes(root));
    if (!entry) continue;
    const errors: string[] = [];
    try {
      await py.loadPackage(entry.name, { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
    if (!importable(root)) {
      const why = errors.map((m) => m.trim().replace(/:$/, '')).filter(Boolean).join(': ') || 'unknown error';
      failures[root] = `package '${entry.name}' could not be downloaded (the sandbox has no network access): ${why}`;
    }
  }
}

interface PyOutcome {
  result?: string;
  error?: { type: string; message: string };
  final?: { json: string | undefined; text: string };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  shimProcessBinding();
  useCappedModule(init.module);
  const { loadPyodide } = (await import(init.pyodideUrl)) as typeof import('pyodide');
  const capture = new OutputCapture(init.outputLimitBytes);
  const options: PyodideConfig = {
    indexURL: init.indexURL,
    stdout: () => {},
    stderr: () => {},
    env: { HOME: '/home/pyodide' },
  };
  if (init.mode === 'snapshot') options._makeSnapshot = true;
  else if (init.snapshot) options._loadSnapshot = init.snapshot;
  const py = await loadPyodide(options);
  if (init.mode === 'snapshot') {
    const preload = init.allowedImports.filter((name) => name !== '*');
    py.runPython(SNAPSHOT_PY.replace('__sandbox_preload__', JSON.stringify(preload)));
    const bytes = py.makeMemorySnapshot();
    post({ t: 'snapshot', bytes, loadMs: performance.now() - started }, [bytes.buffer as ArrayBuffer]);
    return;
  }
  py.setInterruptBuffer(interrupt);
  py.setStdin({ error: true });
  py.setStdout({ write: capture.write, isatty: false });
  py.setStderr({ write: capture.write, isatty: false });
  py.registerJsModule('_sandbox_bridge', { call_tool: callTool });
  const packageFailures = { ...init.packageFailures };
  await loadPackages(py, packageFailures);
  const namespace = py.runPython('dict()') as PyProxy & { get(key: string): unknown };
  py.runPython(SETUP_PY, { globals: namespace });
  const { tools, allowedImports, outputLimitBytes, memoryLimitMiB } = init;
  const config = { tools, allowedImports, outputLimitBytes, memoryLimitMiB, packageFailures };
  (namespace.get('_configure') as PyCallable)(JSON.stringify(config));
  const run = namespace.get('_run') as PyCallable;
  py.unregisterJsModule('js');
  py.unregisterJsModule('pyodide_js');
  lockDownGlobals();

  hostPort.on('message', (message: HostToWorker) => {
    if (message.t !== 'run') return;
    Atomics.store(interrupt, 0, 0);
    capture.take();
    void (async () => {
      let outcome: PyOutcome;
      try {
        const proxy = (await run(message.code)) as PyProxy & { toJs(options: object): unknown };
        outcome = proxy.toJs({ dict_converter: Object.fromEntries }) as PyOutcome;
        proxy.destroy();
      } catch (error) {
        // Only when an exception escapes the Python-side try/except (e.g. an interrupt landing right after it).
        const type = (error as { type?: string }).type ?? 'SandboxError';
        outcome = { error: { type, message: error instanceof Error ? error.message.split('\n').at(-2) ?? '' : '' } };
      }
      const result: WorkerStepResult = { stdout: capture.take() };
      if (outcome.result !== undefined) result.result = outcome.result;
      if (outcome.error) result.error = outcome.error;
      const final = outcome.final;
      if (final) result.finalAnswer = { value: final.json === undefined ? final.text : parseJson(final.json), text: final.text };
      post({ t: 'result', result });
    })();
  });
  post({ t: 'ready', loadMs: performance.now() - started, packageFailures });
}

main().catch((error: unknown) => {
  post({ t: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
});
