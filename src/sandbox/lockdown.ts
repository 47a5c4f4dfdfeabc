/**
 * What the sandbox process takes away from itself before Pyodide loads (and so before any model-written code runs),
 * for code that has found its way from Python into JavaScript. Node's permission model (launch.ts) already denies
 * file reads outside Pyodide and these scripts, every file write, child processes, worker threads, native addons
 * and the inspector; Node 20's model does not cover the network, so every Node module that reaches a socket is
 * disarmed here: each of its functions throws, and so do the prototype methods that open connections (internal
 * code that kept a module's class still goes through them). `node:process` and `node:module` stay importable, so
 * the process object's own doors (getBuiltinModule, binding, kill, ...) are closed on the real object.
 *
 * On Linux the process also runs in namespaces of its own where the system allows (launch.ts): that, not this
 * file, is what makes the network unreachable even for code that got past it.
 */
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);

/** Node modules that reach the network, other processes, or raw file descriptors past the permission model. */
export const DENIED_MODULES = [
  'net',
  'tls',
  'dgram',
  'http',
  'https',
  'http2',
  'dns',
  'dns/promises',
  'child_process',
  'cluster',
  'inspector',
  'worker_threads',
  'wasi',
  'repl',
  'trace_events',
] as const;

/** A plain function (it has a prototype, so code that subclasses a disarmed class still loads) that always throws. */
function denied(what: string): () => never {
  return function disarmed(): never {
    throw Object.assign(new Error(`${what} is not available in the agent-eval sandbox`), { code: 'ERR_SANDBOX_DENIED' });
  };
}

function disarm(target: Record<string, unknown>, label: string, names: readonly string[] = Object.keys(target)): void {
  for (const name of names) {
    if (typeof target[name] !== 'function') continue;
    try {
      Object.defineProperty(target, name, { value: denied(`${label}.${name}`), writable: false, configurable: false });
    } catch {
      // a non-configurable property stays; the namespaces and the permission model stand behind it
    }
  }
}

interface Constructor {
  prototype: Record<string, unknown>;
}
const prototypeOf = (exports: Record<string, unknown>, name: string): Record<string, unknown> =>
  (exports[name] as Constructor).prototype;

/** Disarms the network modules and the process object's doors; call before anything else is loaded. */
export function denyNetworkAndProcessAccess(): void {
  // Load every module first: some build classes on others' exports (tls on net.Socket) as they load.
  const modules = DENIED_MODULES.map((name) => [name, require(`node:${name}`) as Record<string, unknown>] as const);
  const net = require('node:net') as Record<string, unknown>;
  const dgram = require('node:dgram') as Record<string, unknown>;
  const http = require('node:http') as Record<string, unknown>;
  // Prototype methods first: internal modules that captured these classes at load time still call them.
  disarm(prototypeOf(net, 'Socket'), 'net.Socket', ['connect']);
  disarm(prototypeOf(net, 'Server'), 'net.Server', ['listen']);
  disarm(prototypeOf(dgram, 'Socket'), 'dgram.Socket', ['bind', 'connect', 'send', 'addMembership']);
  disarm(prototypeOf(http, 'Agent'), 'http.Agent', ['createConnection']);
  for (const [name, exports] of modules) {
    disarm(exports, name);
    const promises = Object.getOwnPropertyDescriptor(exports, 'promises')?.value as Record<string, unknown> | undefined;
    if (promises && typeof promises === 'object') disarm(promises, `${name}.promises`);
  }
  const v8 = require('node:v8') as Record<string, unknown>;
  disarm(v8, 'v8', ['setFlagsFromString', 'writeHeapSnapshot', 'getHeapSnapshot', 'startupSnapshot']);
  const os = require('node:os') as Record<string, unknown>;
  disarm(os, 'os', ['networkInterfaces', 'userInfo', 'homedir', 'setPriority']);
  syncBuiltinESMExports();

  const real = process as unknown as Record<string, unknown>;
  // Emscripten's file system asks process.binding('constants') at start-up, which the permission model blocks.
  const binding = (name: string): unknown => {
    if (name === 'constants') return { fs: fs.constants };
    return denied(`process.binding('${name}')`)();
  };
  Object.defineProperty(real, 'binding', { value: binding, writable: false, configurable: false });
  for (const name of ['getBuiltinModule', '_linkedBinding', 'dlopen', 'kill', 'openStdin', 'setSourceMapsEnabled', 'chdir']) {
    if (name in real) Object.defineProperty(real, name, { value: denied(`process.${name}`), writable: false, configurable: false });
  }
}

/**
 * After Pyodide is up: the globals that reach the network or Node go, and `process` becomes a plain object with
 * what Emscripten still reads at run time (os.getuid, os.umask, uname), so the real one is not one step away.
 */
export function lockDownGlobals(): void {
  const globals = globalThis as Record<string, unknown>;
  for (const name of ['fetch', 'Request', 'Response', 'Headers', 'FormData', 'WebSocket', 'EventSource', 'BroadcastChannel', 'require']) {
    Reflect.deleteProperty(globals, name);
  }
  const { version, versions, platform, arch } = process;
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
