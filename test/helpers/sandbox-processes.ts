import fs from 'node:fs';

export interface ProcessInfo {
  pid: number;
  command: string;
}

/** Live child processes of `parent` (Linux /proc; zombies excluded). */
export function childProcesses(parent: number = process.pid): ProcessInfo[] {
  const children: ProcessInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may contain spaces, so split after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== parent || state === 'Z') continue;
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      children.push({ pid: Number(entry), command });
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

/** Sandbox host processes started by this process. */
export function sandboxHosts(parent: number = process.pid): ProcessInfo[] {
  return childProcesses(parent).filter((child) => child.command.includes('sandbox/host.js'));
}
