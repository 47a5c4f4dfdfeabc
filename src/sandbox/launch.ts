/**
 * How a sandbox process is started, and how strongly it is isolated on this system.
 *
 * Every sandbox process runs under Node's permission model (reads of Pyodide, the sandbox scripts and the snapshot
 * only; no writes, no child processes, no worker threads, no native addons, no inspector) with code generation from
 * strings disallowed, an empty environment, and the network modules disarmed inside it (lockdown.ts). On Linux it
 * is also wrapped, where the system allows, in namespaces of its own:
 * - bubblewrap (`bwrap`): new user, network, PID, IPC, UTS and mount namespaces over a private root that holds only
 *   the system's read-only program folders and the few files the sandbox reads: no network interface but a down
 *   loopback, no host socket file to connect to, no other process to signal;
 * - else `unshare -rn`: a network namespace of its own (no interface but a down loopback); Unix socket files of the
 *   host stay reachable by path for code that gets past lockdown.ts;
 * - else nothing more ("modules-blocked"), which `agent-eval run` says once at start.
 * AGENT_EVAL_SANDBOX_WRAPPER=bwrap|unshare|none chooses one (a wrapper that does not work here is an error).
 *
 * The host script is TypeScript in src/sandbox/, compiled by `npm run build` to dist/sandbox/*.js, which is what
 * Node runs in the child. Under vitest this file runs from src/, so the compiled copy in dist/sandbox/ is used; a
 * missing or stale copy is an error that says to build.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, StartupError } from '../errors.js';

/** Files the sandbox process loads; each must be compiled next to host.js. */
export const HOST_FILES = ['host', 'host-channel', 'lockdown', 'python', 'wasm-memory', 'protocol'];

export type SandboxWrapper = 'bwrap' | 'unshare' | 'none';
const WRAPPERS: readonly SandboxWrapper[] = ['bwrap', 'unshare', 'none'];

export interface SandboxIsolation {
  /** "namespace": the process has no network interface of its own to use; "modules-blocked": only lockdown.ts. */
  network: 'namespace' | 'modules-blocked';
  /** One process per task: a task's process serves no other task and is killed when the task ends. */
  process: 'per-task';
  /** "private-root": the process sees only read-only program folders and its own files (bubblewrap). */
  filesystem: 'private-root' | 'permission-model';
  wrapper: SandboxWrapper;
  /** Resident memory cap of each sandbox process, enforced by the harness. */
  memory_cap_mib: number;
}

export interface HostLaunch {
  hostScript: string;
  hostDir: string;
  pyodideDir: string;
  wrapper: SandboxWrapper;
  /** The command and arguments that start a sandbox process allowed to read `extraReads` (files) too. */
  command(extraReads: readonly string[]): { file: string; args: string[] };
}

function compiledHostDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (fs.existsSync(path.join(here, 'host.js'))) return here;
  const dist = path.resolve(here, '../../dist/sandbox');
  for (const name of HOST_FILES) {
    const built = path.join(dist, `${name}.js`);
    const source = path.join(here, `${name}.ts`);
    if (!fs.existsSync(built)) throw new StartupError(`sandbox host script ${built} is missing; run \`npm run build\` first`);
    if (fs.existsSync(source) && fs.statSync(source).mtimeMs > fs.statSync(built).mtimeMs) {
      throw new StartupError(`${built} is older than ${source}; run \`npm run build\` first`);
    }
  }
  return dist;
}

/** The package.json that makes the host scripts ES modules (Node reads it to tell the module type). */
function packageFile(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * V8's dynamic tiering recompiles a WebAssembly function with its optimising compiler once it has run a budget of
 * code; with the default budget, a start from the snapshot alone crosses it for Python's interpreter loop (a huge
 * function), which costs about half a CPU-second per process on background threads. A budget 100 times larger leaves
 * a trivial task's interpreter on the baseline compiler and still optimises code that runs for a while (a tight
 * loop of a few hundred milliseconds tiers up within it). A compiler heuristic: it changes no behaviour or check.
 */
export const WASM_TIERING_BUDGET = 180_000_000;

function nodeArgs(reads: readonly string[], hostScript: string): string[] {
  return [
    `--wasm-tiering-budget=${WASM_TIERING_BUDGET}`,
    '--experimental-permission',
    ...reads.map((read) => `--allow-fs-read=${read}`),
    '--disallow-code-generation-from-strings',
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
    hostScript,
  ];
}

/** bubblewrap's arguments: a private root of read-only system folders plus `binds`, and every namespace. */
function bubblewrapArgs(binds: readonly string[]): string[] {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--clearenv'];
  for (const top of ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    const stat = fs.lstatSync(top, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(top), top);
    else if (stat?.isDirectory()) args.push('--ro-bind', top, top);
  }
  for (const file of ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ssl/openssl.cnf']) {
    if (fs.existsSync(file)) args.push('--ro-bind', file, file);
  }
  // The private /tmp first: the binds below may lie under it (a snapshot in a temporary folder).
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const bind of binds) args.push('--ro-bind', bind, bind);
  args.push('--chdir', '/');
  return args;
}

function launchWith(wrapper: SandboxWrapper, hostDir: string, pyodideDir: string): HostLaunch {
  const hostScript = path.join(hostDir, 'host.js');
  const node = fs.realpathSync(process.execPath);
  const pkg = packageFile(hostDir);
  return {
    hostScript,
    hostDir,
    pyodideDir,
    wrapper,
    command(extraReads) {
      const reads = [pyodideDir, hostDir, ...extraReads];
      const args = nodeArgs(reads, hostScript);
      if (wrapper === 'none') return { file: node, args };
      if (wrapper === 'unshare') return { file: 'unshare', args: ['--user', '--map-root-user', '--net', '--', node, ...args] };
      const binds = [...reads, ...(pkg ? [pkg] : []), ...(node.startsWith('/usr/') ? [] : [node])];
      return { file: 'bwrap', args: [...bubblewrapArgs(binds), node, ...args] };
    },
  };
}

/** Whether `launch` can start Node here (the wrapper exists and the kernel allows its namespaces). */
function works(launch: HostLaunch): boolean {
  const { file, args } = launch.command([]);
  const probe = [...args.slice(0, -1), '-e', 'process.exitCode = 7'];
  const result = spawnSync(file, probe, { stdio: 'ignore', env: {}, timeout: 10_000 });
  return result.status === 7;
}

const chosen = new Map<string, HostLaunch>();

/**
 * The strongest launch this system allows (probed once per process), or the one `wrapper` or
 * AGENT_EVAL_SANDBOX_WRAPPER names (an error where it does not work).
 */
export function hostLaunch(wrapper: string | undefined = process.env.AGENT_EVAL_SANDBOX_WRAPPER?.trim() || undefined): HostLaunch {
  const key = wrapper ?? 'auto';
  const known = chosen.get(key);
  if (known) return known;
  const hostDir = compiledHostDir();
  const pyodideDir = path.dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
  let launch: HostLaunch | undefined;
  if (wrapper) {
    if (!WRAPPERS.includes(wrapper as SandboxWrapper)) {
      throw new InputError(`AGENT_EVAL_SANDBOX_WRAPPER must be one of ${WRAPPERS.join(', ')}, got '${wrapper}'`);
    }
    launch = launchWith(wrapper as SandboxWrapper, hostDir, pyodideDir);
    if (!works(launch)) throw new StartupError(`sandbox wrapper '${wrapper}' cannot start the sandbox on this system`);
  } else {
    const candidates: SandboxWrapper[] = process.platform === 'linux' ? ['bwrap', 'unshare'] : [];
    launch = candidates.map((name) => launchWith(name, hostDir, pyodideDir)).find(works) ?? launchWith('none', hostDir, pyodideDir);
  }
  chosen.set(key, launch);
  return launch;
}

export function isolationOf(launch: HostLaunch, memoryCapMiB: number): SandboxIsolation {
  return {
    network: launch.wrapper === 'none' ? 'modules-blocked' : 'namespace',
    process: 'per-task',
    filesystem: launch.wrapper === 'bwrap' ? 'private-root' : 'permission-model',
    wrapper: launch.wrapper,
    memory_cap_mib: memoryCapMiB,
  };
}

/** One line for the start of a run when the sandbox is weaker than this design allows, else undefined. */
export function weakIsolationNotice(isolation: SandboxIsolation): string | undefined {
  if (isolation.wrapper === 'bwrap') return undefined;
  if (isolation.wrapper === 'unshare') {
    return 'sandbox: bubblewrap (bwrap) is not available, so code runs in a network namespace of its own but sees the host file system through Node\'s permission model only; install bubblewrap for a private root';
  }
  return 'sandbox: no namespaces here (bubblewrap or unprivileged user namespaces are missing): the network is blocked only by disarming Node\'s network modules inside the sandbox process; install bubblewrap on Linux for a real network boundary';
}
