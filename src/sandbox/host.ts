/**
 * One sandbox process: a Python interpreter (Pyodide) on the main thread, for one task. Started by the harness
 * (sandbox-process.ts) under Node's permission model and, where the system allows, in namespaces of its own
 * (launch.ts). It disarms the network and its own process object (lockdown.ts) before Pyodide loads, then serves
 * the task's code steps: it blocks on its channel for the next step, runs it, and calls tools synchronously through
 * the same channel. Plain Node ESM with no imports outside this folder. Modes (protocol.ts):
 * - 'snapshot': full start, preload the allowed modules, send a memory snapshot, exit;
 * - 'interpreter': start from the snapshot file, install the bridge and the import guard, then run steps.
 * A step that runs too long is not interrupted here: the harness kills the process, since nothing in it is trusted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PyodideAPI, PyodideConfig } from 'pyodide';
import type { PyCallable, PyProxy } from 'pyodide/ffi';
import { HostChannel } from './host-channel.js';
import { denyNetworkAndProcessAccess, lockDownGlobals } from './lockdown.js';
import { wasmApi, type ProcessConfig, type StepReport, type ToolReply } from './protocol.js';
import { SETUP_MODULE_PY, SETUP_PY, SNAPSHOT_PY, TAKE_SETUP_PY } from './python.js';
import { capWasmMemory } from './wasm-memory.js';

const channel = new HostChannel();

/** Captures stdout/stderr bytes up to the limit and counts the rest (the harness caps again on its side). */
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

/** Instantiate the capped module (memory maximum rewritten) instead of Pyodide's own bytes. */
async function useCappedModule(config: ProcessConfig): Promise<void> {
  const api = wasmApi();
  const wasm = fs.readFileSync(path.join(config.pyodideDir, 'pyodide.asm.wasm'));
  const module = await api.compile(capWasmMemory(wasm, config.memoryLimitMiB * 2 ** 20).bytes);
  const original = api.instantiate.bind(api);
  api.instantiate = (source, imports) => {
    const isBinary = ArrayBuffer.isView(source) || source instanceof ArrayBuffer;
    if (isBinary && (source as ArrayBufferLike).byteLength > 1_000_000) {
      return original(module, imports).then((instance) => ({ module, instance }));
    }
    return original(source, imports);
  };
}

let callSeq = 0;
/** Synchronous from Python's side: send the call, then block on the channel until its reply. */
function callTool(name: string, payload: string): ToolReply {
  const callId = ++callSeq;
  channel.send({ t: 'tool', callId, name, args: payload });
  for (;;) {
    const message = channel.receive();
    if (message.t === 'tool-result' && message.callId === callId) return message.reply;
  }
}

/** Top-level modules of `names` that are neither loaded (the snapshot preloads the allowed ones) nor findable. */
function missingRoots(py: PyodideAPI, names: readonly string[]): string[] {
  const roots = [...new Set(names.map((name) => name.split('.')[0] ?? name).filter((root) => root !== '*'))];
  if (roots.length === 0) return [];
  // One call: a module already in sys.modules is importable without asking the (slow) import system.
  const code = `import sys, importlib.util\n[r for r in ${JSON.stringify(roots)} if r not in sys.modules and importlib.util.find_spec(r) is None]`;
  const found = py.runPython(code) as PyProxy & { toJs(): unknown };
  const missing = found.toJs() as string[];
  found.destroy();
  return missing;
}

/** Packages from Pyodide's index that the caller authorised: try to load them; offline, remember why not. */
async function loadPackages(py: PyodideAPI, config: ProcessConfig, failures: Record<string, string>): Promise<void> {
  const importable = (root: string): boolean =>
    py.runPython(`import importlib, importlib.util\nimportlib.invalidate_caches()\nimportlib.util.find_spec(${JSON.stringify(root)}) is not None`) as boolean;
  for (const root of missingRoots(py, config.allowedImports)) {
    if (root in failures) continue;
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

async function start(config: ProcessConfig): Promise<{ py: PyodideAPI; capture: OutputCapture; loadMs: number }> {
  const started = performance.now();
  await useCappedModule(config);
  const { loadPyodide } = (await import(pathToFileURL(path.join(config.pyodideDir, 'pyodide.mjs')).href)) as typeof import('pyodide');
  const options: PyodideConfig = {
    indexURL: config.pyodideDir + path.sep,
    stdout: () => {},
    stderr: () => {},
    env: { HOME: '/home/pyodide' },
  };
  if (config.mode === 'snapshot') options._makeSnapshot = true;
  else if (config.snapshotPath) options._loadSnapshot = fs.readFileSync(config.snapshotPath);
  const py = await loadPyodide(options);
  return { py, capture: new OutputCapture(config.outputLimitBytes), loadMs: performance.now() - started };
}

async function makeSnapshot(config: ProcessConfig): Promise<void> {
  const { py, loadMs } = await start(config);
  const preload = config.allowedImports.filter((name) => name !== '*');
  py.runPython(SNAPSHOT_PY.replace('__sandbox_preload__', JSON.stringify(preload)));
  py.runPython(setupModuleSource());
  const bytes = py.makeMemorySnapshot();
  channel.send({ t: 'snapshot', base64: Buffer.from(bytes).toString('base64'), loadMs });
}

/** JSON's string literals are Python's too. */
const setupModuleSource = (): string => SETUP_MODULE_PY.replace('__sandbox_setup_source__', JSON.stringify(SETUP_PY));

async function serve(config: ProcessConfig): Promise<void> {
  const { py, capture, loadMs } = await start(config);
  py.setStdin({ error: true });
  py.setStdout({ write: capture.write, isatty: false });
  py.setStderr({ write: capture.write, isatty: false });
  const packageFailures = { ...config.packageFailures };
  await loadPackages(py, config, packageFailures);
  if (!(py.runPython('import sys\n"_sandbox_setup" in sys.modules') as boolean)) py.runPython(setupModuleSource());
  const namespace = py.runPython(TAKE_SETUP_PY) as PyProxy & { get(key: string): unknown };
  const { tools, allowedImports, outputLimitBytes, memoryLimitMiB } = config;
  const settings = { tools, allowedImports, outputLimitBytes, memoryLimitMiB, packageFailures };
  (namespace.get('_configure') as PyCallable)(JSON.stringify(settings), { call_tool: callTool });
  const run = namespace.get('_run') as PyCallable;
  namespace.destroy();
  py.unregisterJsModule('js');
  py.unregisterJsModule('pyodide_js');
  lockDownGlobals();
  if (config.probeScript) {
    // Test-only: JavaScript functions that Python can call, as if it had found its way into JavaScript.
    const probe = (await import(pathToFileURL(config.probeScript).href)) as { default: Record<string, unknown> };
    py.registerJsModule('_sandbox_probe', probe.default);
  }
  channel.send({ t: 'ready', loadMs: Math.round(loadMs), packageFailures });
  for (;;) {
    const message = channel.receive();
    if (message.t !== 'run') continue;
    capture.take();
    let report: StepReport;
    try {
      const proxy = (await run(message.code)) as PyProxy & { toJs(options: object): unknown };
      report = proxy.toJs({ dict_converter: Object.fromEntries }) as StepReport;
      proxy.destroy();
    } catch (error) {
      const type = (error as { type?: string }).type ?? 'SandboxError';
      report = { stdout: '', error: { type, message: error instanceof Error ? (error.message.split('\n').at(-2) ?? '') : '' } };
    }
    report.stdout = capture.take();
    channel.send({ t: 'result', report });
  }
}

async function main(): Promise<void> {
  denyNetworkAndProcessAccess();
  const first = channel.receive();
  if (first.t !== 'init') throw new Error('the first message must be init');
  if (first.config.mode === 'snapshot') await makeSnapshot(first.config);
  else await serve(first.config);
}

main().catch((error: unknown) => {
  try {
    channel.send({ t: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } catch {
    // the harness is gone
  }
});
