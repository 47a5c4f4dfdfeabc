// SMOLTRACE's ps and kill tools (spec 3.2). Processes come from systeminformation's processes()
// (imported on first use): it works on Linux, macOS and Windows, where SMOLTRACE used psutil.
// On Linux it runs the `ps` binary (procps); without it the list comes back empty and ps says so.
// Command lines are not shown: their arguments can carry secrets.
import { z } from 'zod';
import { capOutput } from './limits.js';
import { ToolError, defineTool } from './types.js';

export interface ProcessRow {
  pid: number;
  parentPid: number;
  name: string;
  /** Percent of one CPU. */
  cpu: number;
  /** Percent of memory. */
  mem: number;
  /** Resident memory in KiB. */
  rssKb: number;
  state: string;
  user: string;
}

/** systeminformation answers from a cache for 500 ms after a call; waiting that out keeps kill's view fresh. */
const SI_CACHE_MS = 550;
let lastListing = 0;

export async function listProcesses(): Promise<ProcessRow[]> {
  const si = await import('systeminformation');
  const wait = lastListing + SI_CACHE_MS - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  lastListing = Date.now();
  const data = await si.processes();
  lastListing = Date.now();
  return data.list.map((p) => ({
    pid: p.pid,
    parentPid: p.parentPid,
    name: p.name || p.command || '?',
    cpu: Number.isFinite(p.cpu) ? p.cpu : 0,
    mem: Number.isFinite(p.mem) ? p.mem : 0,
    rssKb: Number.isFinite(p.memRss) ? p.memRss : 0,
    state: p.state || '',
    user: p.user || '',
  }));
}

type SortKey = 'cpu' | 'memory' | 'pid' | 'name';

export function sortProcesses(rows: ProcessRow[], sortBy: SortKey, descending: boolean): ProcessRow[] {
  const compare: Record<SortKey, (a: ProcessRow, b: ProcessRow) => number> = {
    cpu: (a, b) => a.cpu - b.cpu,
    memory: (a, b) => a.rssKb - b.rssKb || a.mem - b.mem,
    pid: (a, b) => a.pid - b.pid,
    name: (a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()),
  };
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => sign * compare[sortBy](a, b) || a.pid - b.pid);
}

function formatRow(p: ProcessRow): string {
  const user = p.user.length > 12 ? `${p.user.slice(0, 11)}…` : p.user;
  return `${String(p.pid).padEnd(8)} ${p.cpu.toFixed(1).padStart(6)} ${p.mem.toFixed(1).padStart(6)} ${(p.rssKb / 1024).toFixed(1).padStart(9)}  ${p.state.padEnd(9)} ${user.padEnd(12)} ${p.name}`;
}

export const psTool = defineTool({
  name: 'ps',
  description:
    'Lists running processes with PID, CPU %, memory % and resident memory, sorted (CPU by default) and limited. ' +
    'Filter by a part of the process name.',
  input: z.object({
    filter_name: z.string().optional().describe('Only processes whose name contains this text (case-insensitive).'),
    sort_by: z.enum(['cpu', 'memory', 'pid', 'name']).optional().describe('Sort key: cpu (default), memory, pid or name.'),
    limit: z.number().int().min(1).max(500).optional().describe('Maximum number of processes to show (1-500). Default: 50.'),
    descending: z.boolean().optional().describe('Largest first. Default: true.'),
  }),
  outputType: 'string',
  async execute({ filter_name: filter, sort_by: sortBy = 'cpu', limit = 50, descending = true }) {
    let rows: ProcessRow[];
    try {
      rows = await listProcesses();
    } catch (error) {
      throw new ToolError(`Could not list processes: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (rows.length === 0) throw new ToolError('Could not list processes on this machine (on Linux the `ps` command from procps is needed)');
    const needle = filter?.trim().toLowerCase();
    const matching = needle ? rows.filter((row) => row.name.toLowerCase().includes(needle)) : rows;
    if (matching.length === 0) return `No processes matching '${filter}' (${rows.length} processes running)`;
    const shown = sortProcesses(matching, sortBy, descending).slice(0, limit);
    const header = `${'PID'.padEnd(8)} ${'CPU%'.padStart(6)} ${'MEM%'.padStart(6)} ${'RSS(MB)'.padStart(9)}  ${'STATE'.padEnd(9)} ${'USER'.padEnd(12)} NAME`;
    const summary = `${matching.length} processes${needle ? ` matching '${filter}'` : ''}, showing ${shown.length} sorted by ${sortBy} (${descending ? 'descending' : 'ascending'})`;
    return capOutput([summary, header, ...shown.map(formatRow)].join('\n'));
  },
});

/** Process names kill refuses, lower case (SMOLTRACE's list plus other core services). */
export const PROTECTED_PROCESS_NAMES = new Set([
  'systemd', 'init', 'launchd', 'kthreadd', 'sshd', 'svchost.exe', 'csrss.exe', 'wininit.exe', 'winlogon.exe',
  'lsass.exe', 'services.exe', 'smss.exe', 'system', 'system idle process', 'explorer.exe', 'kernel_task',
  'loginwindow', 'windowserver', 'dbus-daemon', 'dockerd', 'containerd', 'udevd', 'cron', 'crond', 'rsyslogd',
  'polkitd', 'networkmanager', 'sshd-session',
]);

export function isProtectedProcessName(name: string): boolean {
  const lower = name.trim().toLowerCase();
  return PROTECTED_PROCESS_NAMES.has(lower) || lower.startsWith('systemd-') || /^\[.*\]$/.test(lower) || lower.startsWith('kworker');
}

export const killTool = defineTool({
  name: 'kill',
  description:
    'Terminates a process this task\'s tools started, by PID (SIGTERM, or SIGKILL with force). Every other process ' +
    '(the harness, its sandbox, system processes, other users\' or other tasks\' processes) is refused.',
  input: z.object({
    pid: z.number().int().min(0).describe('The process ID, as shown by ps.'),
    force: z.boolean().optional().describe('Send SIGKILL instead of SIGTERM. Default: false.'),
  }),
  outputType: 'string',
  async execute({ pid, force = false }, context) {
    if (pid <= 1) throw new ToolError(`Refusing to kill PID ${pid}: it is the system's init process (or a process group)`);
    if (pid === process.pid) throw new ToolError(`Refusing to kill PID ${pid}: it is the evaluation harness itself`);
    if (pid === process.ppid) throw new ToolError(`Refusing to kill PID ${pid}: it is the parent of the evaluation harness`);
    const rows = await listProcesses().catch(() => [] as ProcessRow[]);
    const byPid = new Map(rows.map((row) => [row.pid, row]));
    for (let ancestor = byPid.get(process.ppid), hops = 0; ancestor && hops < 64; ancestor = byPid.get(ancestor.parentPid), hops++) {
      if (ancestor.pid === pid) throw new ToolError(`Refusing to kill PID ${pid}: the evaluation harness runs under it`);
    }
    if (!context.processes?.has(pid)) {
      throw new ToolError(`Refusing to kill PID ${pid}: only processes started by this task's tools can be signalled`);
    }
    const target = byPid.get(pid);
    if (!target) {
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ESRCH') throw new ToolError(`No process with PID ${pid}`);
      }
      throw new ToolError(`Refusing to kill PID ${pid}: it could not be identified (not in the process list)`);
    }
    if (isProtectedProcessName(target.name) || (target.parentPid === 2 && process.platform === 'linux')) {
      throw new ToolError(`Refusing to kill PID ${pid} (${target.name}): it is a system process`);
    }
    const signal = force ? 'SIGKILL' : 'SIGTERM';
    try {
      process.kill(pid, signal);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ESRCH') throw new ToolError(`No process with PID ${pid}`);
      if (code === 'EPERM') throw new ToolError(`Permission denied: cannot signal PID ${pid} (${target.name})`);
      throw new ToolError(`Could not signal PID ${pid}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return `Sent ${signal} to process ${pid} (${target.name})`;
  },
});
