import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProtectedProcessName, killTool, psTool, sortProcesses, type ProcessRow } from '../../src/tools/process-tools.js';
import { HIDDEN, createEnvTool, createPingTool, findOnPath, isValidPingHost, pingArguments, pingTool, whichTool } from '../../src/tools/system-tools.js';
import { ToolError, type ToolContext } from '../../src/tools/types.js';

const context = (signal = new AbortController().signal): ToolContext => ({
  signal,
  workingDirectory: process.cwd(),
  now: () => new Date('2026-01-15T12:00:00Z'),
});

describe('ps', () => {
  it('lists processes with a header, sorted and limited', async () => {
    const out = await psTool.execute({ limit: 5, sort_by: 'pid', descending: false }, context());
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^\d+ processes, showing 5 sorted by pid \(ascending\)$/);
    expect(lines[1]).toMatch(/^PID\s+CPU%\s+MEM%\s+RSS\(MB\)\s+STATE\s+USER\s+NAME$/);
    expect(lines).toHaveLength(7);
    const pids = lines.slice(2).map((line) => Number(line.split(/\s+/)[0]));
    expect(pids).toEqual([...pids].sort((a, b) => a - b));
  });

  it('filters by name', async () => {
    const out = await psTool.execute({ filter_name: 'node' }, context());
    expect(out).toMatch(/processes matching 'node'/);
    await expect(psTool.execute({ filter_name: 'no-such-process-xyz' }, context())).resolves.toMatch(/^No processes matching 'no-such-process-xyz'/);
  });

  it('sorts rows by each key', () => {
    const rows: ProcessRow[] = [
      { pid: 3, parentPid: 1, name: 'b', cpu: 1, mem: 5, rssKb: 500, state: 'R', user: 'u' },
      { pid: 1, parentPid: 0, name: 'C', cpu: 9, mem: 1, rssKb: 100, state: 'S', user: 'u' },
      { pid: 2, parentPid: 1, name: 'a', cpu: 5, mem: 9, rssKb: 900, state: 'S', user: 'u' },
    ];
    expect(sortProcesses(rows, 'cpu', true).map((r) => r.pid)).toEqual([1, 2, 3]);
    expect(sortProcesses(rows, 'memory', true).map((r) => r.pid)).toEqual([2, 3, 1]);
    expect(sortProcesses(rows, 'name', false).map((r) => r.name)).toEqual(['a', 'b', 'C']);
    expect(sortProcesses(rows, 'pid', false).map((r) => r.pid)).toEqual([1, 2, 3]);
  });
});

describe('kill', () => {
  const children: ReturnType<typeof spawn>[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it.each([
    [0, /PID 0/],
    [1, /PID 1: it is the system's init process/],
    [process.pid, /the evaluation harness itself/],
    [process.ppid, /parent of the evaluation harness/],
  ])('refuses pid %i', async (pid, message) => {
    await expect(killTool.execute({ pid }, context())).rejects.toThrow(message);
  });

  it('refuses system process names', () => {
    for (const name of ['systemd', 'init', 'launchd', 'kthreadd', 'sshd', 'svchost.exe', 'systemd-journald', '[kworker/0:1]', 'LSASS.EXE']) {
      expect(isProtectedProcessName(name)).toBe(true);
    }
    expect(isProtectedProcessName('sleep')).toBe(false);
    expect(isProtectedProcessName('python3')).toBe(false);
  });

  it('reports a missing pid among the task\'s own', async () => {
    const pid = 2 ** 22 + 12345;
    await expect(killTool.execute({ pid }, { ...context(), processes: new Set([pid]) })).rejects.toThrow(/No process with PID/);
  });

  it('refuses a process of the same user that the task\'s tools did not start', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(child);
    await once(child, 'spawn');
    await expect(killTool.execute({ pid: child.pid!, force: true }, context())).rejects.toThrow(
      `Refusing to kill PID ${child.pid}: only processes started by this task's tools can be signalled`,
    );
    await expect(killTool.execute({ pid: child.pid!, force: true }, { ...context(), processes: new Set([child.pid! + 1]) })).rejects.toThrow(/only processes started/);
    expect(child.exitCode === null && child.signalCode === null).toBe(true);
  });

  it('terminates a process the task\'s ping started, while it runs', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-kill-'));
    const fakePing = join(folder, 'slow-ping');
    await writeFile(fakePing, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const toolContext: ToolContext = { ...context(), processes: new Set<number>() };
    const ping = createPingTool({ command: fakePing }).execute({ host: '127.0.0.1', count: 1 }, toolContext);
    while (toolContext.processes!.size === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const [pid] = [...toolContext.processes!];
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(killTool.execute({ pid: pid!, force: true }, toolContext)).resolves.toMatch(new RegExp(`^Sent SIGKILL to process ${pid} \\(sleep`));
    await expect(ping).rejects.toThrow(/ping .*failed|exited/);
    expect(toolContext.processes!.size).toBe(0);
  });

  it('terminates a child process registered as the task\'s', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(child);
    await once(child, 'spawn');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const out = await killTool.execute({ pid: child.pid!, force: true }, { ...context(), processes: new Set([child.pid!]) });
    expect(out).toMatch(new RegExp(`^Sent SIGKILL to process ${child.pid} \\(node`));
    const [, signal] = (await once(child, 'exit')) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
  });
});

describe('env', () => {
  const names = ['AGENT_EVAL_TEST_PLAIN', 'AGENT_EVAL_TEST_API_KEY', 'AGENT_EVAL_TEST_DB', 'AGENT_EVAL_TEST_HF'];
  afterEach(() => {
    for (const name of names) delete process.env[name];
  });

  it('gets and lists values, hiding secrets by name and by value', async () => {
    process.env.AGENT_EVAL_TEST_PLAIN = 'visible';
    process.env.AGENT_EVAL_TEST_API_KEY = 'sk-very-secret';
    process.env.AGENT_EVAL_TEST_DB = 'postgres://user:hunter2@db:5432/x';
    process.env.AGENT_EVAL_TEST_HF = 'hf_abcdef';
    const env = createEnvTool();
    await expect(env.execute({ action: 'get', name: 'AGENT_EVAL_TEST_PLAIN' }, context())).resolves.toBe('AGENT_EVAL_TEST_PLAIN=visible');
    await expect(env.execute({ action: 'get', name: 'AGENT_EVAL_TEST_API_KEY' }, context())).resolves.toBe(`AGENT_EVAL_TEST_API_KEY=${HIDDEN}`);
    await expect(env.execute({ action: 'get', name: 'AGENT_EVAL_TEST_MISSING' }, context())).resolves.toBe("Environment variable 'AGENT_EVAL_TEST_MISSING' is not set");
    const list = await env.execute({ action: 'list', filter_pattern: 'agent_eval_test' }, context());
    expect(list).toBe(
      [
        '4 environment variables:',
        `AGENT_EVAL_TEST_API_KEY=${HIDDEN}`,
        `AGENT_EVAL_TEST_DB=${HIDDEN}`,
        `AGENT_EVAL_TEST_HF=${HIDDEN}`,
        'AGENT_EVAL_TEST_PLAIN=visible',
      ].join('\n'),
    );
    expect(list).not.toMatch(/sk-very|hunter2|hf_abc/);
    await expect(env.execute({ action: 'list', filter_pattern: 'AGENT_EVAL_TEST_P*' }, context())).resolves.toBe('1 environment variables:\nAGENT_EVAL_TEST_PLAIN=visible');
    const all = await env.execute({ action: 'list' }, context());
    for (const [name, value] of Object.entries(process.env)) {
      if (/TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE/i.test(name) && value && value.length > 3) expect(all).not.toContain(`${name}=${value}`);
    }
  });

  it('sets values in a per-task overlay, never in process.env', async () => {
    const env = createEnvTool();
    const task = new AbortController().signal;
    await expect(env.execute({ action: 'set', name: 'AGENT_EVAL_TEST_PLAIN', value: 'overlay' }, context(task))).resolves.toMatch(/^Set AGENT_EVAL_TEST_PLAIN=overlay/);
    expect(process.env.AGENT_EVAL_TEST_PLAIN).toBeUndefined();
    await expect(env.execute({ action: 'get', name: 'AGENT_EVAL_TEST_PLAIN' }, context(task))).resolves.toBe('AGENT_EVAL_TEST_PLAIN=overlay');
    await expect(env.execute({ action: 'get', name: 'AGENT_EVAL_TEST_PLAIN' }, context())).resolves.toMatch(/is not set/);
    await expect(env.execute({ action: 'set', name: 'AGENT_EVAL_TEST_API_KEY', value: 'x' }, context(task))).resolves.toMatch(HIDDEN);
    await expect(env.execute({ action: 'set', name: 'BAD-NAME', value: 'x' }, context(task))).rejects.toBeInstanceOf(ToolError);
    await expect(env.execute({ action: 'get' }, context(task))).rejects.toThrow('env get needs a name');
  });
});

describe('which', () => {
  it('finds node on PATH', async () => {
    const out = await whichTool.execute({ command: 'node' }, context());
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(/node(\.exe)?$/);
    const all = await whichTool.execute({ command: 'node', all_matches: true }, context());
    expect(all.split('\n').length).toBeGreaterThanOrEqual(1);
  });

  it('reports missing commands and rejects paths', async () => {
    await expect(whichTool.execute({ command: 'no-such-command-xyz' }, context())).resolves.toBe("'no-such-command-xyz' not found in PATH");
    await expect(whichTool.execute({ command: '../bin/sh' }, context())).rejects.toThrow(/Invalid command name/);
    await expect(whichTool.execute({ command: '-rf' }, context())).rejects.toThrow(/Invalid command name/);
    await expect(findOnPath('node', '')).resolves.toEqual([]);
  });
});

describe('ping', () => {
  it.each(['-c1 example.com', '--help', 'a;rm -rf /', 'exa mple.com', '$(id)', 'x'.repeat(300), 'foo..bar', ''])('rejects host %j', async (host) => {
    expect(isValidPingHost(host)).toBe(false);
    await expect(pingTool.execute({ host }, context())).rejects.toThrow(/Invalid host/);
  });

  it('accepts names and addresses', () => {
    for (const host of ['example.com', 'localhost', '8.8.8.8', '::1', 'fe80::1', 'my-host.internal.']) expect(isValidPingHost(host)).toBe(true);
  });

  it('builds argument lists per platform', () => {
    expect(pingArguments('example.com', 2, 3, 'linux')).toEqual(['-c', '2', '-W', '3', 'example.com']);
    expect(pingArguments('example.com', 2, 3, 'darwin')).toEqual(['-c', '2', '-W', '3000', 'example.com']);
    expect(pingArguments('example.com', 2, 3, 'win32')).toEqual(['-n', '2', '-w', '3000', 'example.com']);
  });

  it('says clearly when ping is missing', async () => {
    const missing = createPingTool({ command: '/nonexistent/ping' });
    await expect(missing.execute({ host: '127.0.0.1', count: 1 }, context())).rejects.toThrow(
      "The '/nonexistent/ping' command is not installed on this machine, so ping cannot run",
    );
  });

  it('pings loopback with the system ping, or explains why it cannot', async () => {
    try {
      const out = await pingTool.execute({ host: '127.0.0.1', count: 1, timeout: 2 }, context());
      expect(out).toContain('127.0.0.1');
    } catch (error) {
      expect(error).toBeInstanceOf(ToolError);
      expect((error as Error).message).toMatch(/not installed|not permitted|cannot be executed|exit code/);
    }
  });
});
