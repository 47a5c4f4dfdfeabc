// SMOLTRACE's env, which and ping tools (spec 3.2).
// - env never reveals the values of secret-looking variables, and `set` writes to an overlay the
//   tool keeps per task (keyed by the task's abort signal), never to process.env.
// - which searches PATH itself (PATHEXT on Windows).
// - ping runs the system ping with an argument list (no shell) after a strict host check.
import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { delimiter, join } from 'node:path';
import { z } from 'zod';
import { looksSecretName, looksSecretValue, urlCredentials } from '../secrets/patterns.js';
import { compileGlob } from './glob.js';
import { capOutput } from './limits.js';
import { ToolError, defineTool, type AnyTool } from './types.js';

export const HIDDEN = '[HIDDEN]';
/** Values that are secrets whatever the name: a URL with a password, known API key prefixes (short ones too). */
const SECRET_PREFIX = /^(sk-|sk_|ghp_|gho_|ghs_|github_pat_|hf_|xox[abpr]-|AKIA|AIza|glpat-)/;

/** A variable's value as env shows it: hidden when the name or the value looks secret (src/secrets/patterns.ts). */
export function shownValue(name: string, value: string): string {
  if (looksSecretName(name) || looksSecretValue(value) || SECRET_PREFIX.test(value) || urlCredentials(value).length) return HIDDEN;
  return value.length > 1000 ? `${value.slice(0, 1000)}… (${value.length} characters)` : value;
}

/** The env tool with its own overlay of `set` values; the registry makes one per run. */
export function createEnvTool(): AnyTool {
  const overlays = new WeakMap<AbortSignal, Map<string, string>>();
  const overlayOf = (signal: AbortSignal): Map<string, string> => {
    let overlay = overlays.get(signal);
    if (!overlay) overlays.set(signal, (overlay = new Map()));
    return overlay;
  };
  return defineTool({
    name: 'env',
    description:
      'Reads environment variables: action "get" (one variable), "list" (all, optionally filtered) or "set" ' +
      '(visible to later env calls in this task only). Values of secret variables (tokens, keys, passwords) show as [HIDDEN].',
    input: z.object({
      action: z.enum(['get', 'list', 'set']).describe('"get", "list" or "set".'),
      name: z.string().optional().describe('Variable name, for get and set.'),
      value: z.string().optional().describe('Value, for set.'),
      filter_pattern: z.string().optional().describe('For list: only names containing this text (case-insensitive) or matching this glob, e.g. "PYTHON*".'),
    }),
    outputType: 'string',
    async execute({ action, name, value, filter_pattern: filter }, context) {
      const overlay = overlayOf(context.signal);
      const lookup = (key: string): string | undefined => overlay.get(key) ?? process.env[key];
      if (action === 'get') {
        if (!name) throw new ToolError('env get needs a name');
        const found = lookup(name);
        return found === undefined ? `Environment variable '${name}' is not set` : `${name}=${shownValue(name, found)}`;
      }
      if (action === 'set') {
        if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ToolError('env set needs a name of letters, digits and underscores');
        if (value === undefined) throw new ToolError('env set needs a value');
        overlay.set(name, value);
        return `Set ${name}=${shownValue(name, value)} (visible to env in this task; the harness environment is unchanged)`;
      }
      const names = new Set([...Object.keys(process.env), ...overlay.keys()]);
      let selected = [...names];
      if (filter) {
        const glob = /[*?[]/.test(filter) ? compileGlob(filter.toUpperCase()) : undefined;
        const needle = filter.toLowerCase();
        selected = selected.filter((key) => (glob ? glob(key.toUpperCase()) : key.toLowerCase().includes(needle)));
      }
      if (selected.length === 0) return filter ? `No environment variables match '${filter}'` : 'The environment is empty';
      const lines = selected.sort().map((key) => `${key}=${shownValue(key, lookup(key) ?? '')}`);
      return capOutput(`${selected.length} environment variables:\n${lines.join('\n')}`);
    },
  });
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    if (process.platform !== 'win32') await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every executable named `command` on PATH, in PATH order. */
export async function findOnPath(command: string, pathValue = process.env.PATH ?? '', all = true): Promise<string[]> {
  const extensions = process.platform === 'win32' ? ['', ...(process.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean)] : [''];
  const found: string[] = [];
  for (const dir of pathValue.split(delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = join(dir, command + extension);
      if (!found.includes(candidate) && (await isExecutable(candidate))) {
        found.push(candidate);
        if (!all) return found;
      }
    }
  }
  return found;
}

export const whichTool = defineTool({
  name: 'which',
  description: 'Finds where an executable is on PATH. With all_matches, lists every match in PATH order.',
  input: z.object({
    command: z.string().min(1).describe('The command name, e.g. "python3" or "git".'),
    all_matches: z.boolean().optional().describe('List all matches, not just the first. Default: false.'),
  }),
  outputType: 'string',
  async execute({ command, all_matches: all = false }) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9._+-]*$/.test(command)) throw new ToolError(`Invalid command name '${command}': give a bare name such as "python3"`);
    const found = await findOnPath(command, process.env.PATH, all);
    return found.length ? found.join('\n') : `'${command}' not found in PATH`;
  },
});

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

export function isValidPingHost(host: string): boolean {
  if (host.startsWith('-')) return false;
  return isIP(host) !== 0 || HOST_NAME.test(host);
}

export function pingArguments(host: string, count: number, timeoutSeconds: number, platform = process.platform): string[] {
  if (platform === 'win32') return ['-n', String(count), '-w', String(timeoutSeconds * 1000), host];
  if (platform === 'darwin') return ['-c', String(count), '-W', String(timeoutSeconds * 1000), host];
  return ['-c', String(count), '-W', String(timeoutSeconds), host];
}

/** The ping tool; `command` replaces the ping binary (tests). */
export function createPingTool(options: { command?: string } = {}): AnyTool {
  const command = options.command ?? 'ping';
  return defineTool({
    name: 'ping',
    description: 'Pings a host with the system ping command and returns its output (replies, packet loss, round-trip times).',
    input: z.object({
      host: z.string().min(1).describe('Host name or IP address, e.g. "example.com" or "8.8.8.8".'),
      count: z.number().int().min(1).max(100).optional().describe('Number of echo requests (1-100). Default: 4.'),
      timeout: z.number().int().min(1).max(60).optional().describe('Seconds to wait for each reply (1-60). Default: 5.'),
    }),
    outputType: 'string',
    async execute({ host, count = 4, timeout = 5 }, context) {
      const target = host.trim();
      if (!isValidPingHost(target)) throw new ToolError(`Invalid host '${host}': give a host name or an IP address`);
      const limitMs = Math.min(600, count * (timeout + 1) + 5) * 1000;
      const result = await new Promise<{ code: number | string | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
        const child = execFile(
          command,
          pingArguments(target, count, timeout),
          { timeout: limitMs, signal: context.signal, maxBuffer: 1024 * 1024, windowsHide: true, encoding: 'utf8' },
          (error, stdout, stderr) => {
            const failure = error as (NodeJS.ErrnoException & { killed?: boolean }) | null;
            resolve({ code: failure ? (failure.code ?? 1) : 0, stdout, stderr, killed: failure?.killed ?? false });
          },
        );
        // kill may signal it while it runs (a parallel tool call of this task), never after.
        const pid = child.pid;
        if (pid !== undefined) {
          context.processes?.add(pid);
          child.once('exit', () => context.processes?.delete(pid));
        }
      });
      if (context.signal.aborted) throw context.signal.reason;
      if (result.code === 'ENOENT') throw new ToolError(`The '${command}' command is not installed on this machine, so ping cannot run`);
      if (result.code === 'EACCES') throw new ToolError(`The '${command}' command cannot be executed here (permission denied)`);
      if (result.killed) throw new ToolError(`ping did not finish within ${limitMs / 1000} s`);
      const stderr = result.stderr.trim();
      if (/not permitted|permission denied|socket: /i.test(stderr) && !result.stdout.trim()) {
        throw new ToolError(`ping is not permitted on this machine: ${stderr.split('\n')[0]}`);
      }
      const output = [result.stdout.trim(), stderr].filter(Boolean).join('\n');
      if (result.code === 0) return capOutput(output);
      if (!output) throw new ToolError(`ping ${target} failed with exit code ${result.code}`);
      return capOutput(`${output}\n(ping exited with code ${result.code}: some or all packets got no reply)`);
    },
  });
}

export const pingTool = createPingTool();
