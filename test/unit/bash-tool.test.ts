import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBashTool, createSimulatedShell, fixturePath, formatShellOutput, FIXTURE_ROOT } from '../../src/tools/bash-tool.js';
import type { ToolContext } from '../../src/tools/types.js';

const context = (): ToolContext => ({ signal: new AbortController().signal, workingDirectory: process.cwd(), now: () => new Date() });
const FIXTURE = { 'notes.txt': 'alpha\nbeta\n', 'logs/app.log': 'ok\nerror: disk\nok\n', 'logs/old/app.log': 'error: net\n' };

describe('the simulated shell', () => {
  it('starts in the fixture root with a copy of its files, with fixed modification times', async () => {
    const shell = await createSimulatedShell(FIXTURE);
    expect(await shell.run('pwd')).toEqual({ stdout: `${FIXTURE_ROOT}\n`, stderr: '', exitCode: 0 });
    expect((await shell.run('find . -type f | sort')).stdout).toBe('./logs/app.log\n./logs/old/app.log\n./notes.txt\n');
    expect((await shell.run('grep -rc error logs | sort')).stdout).toBe('logs/app.log:1\nlogs/old/app.log:1\n');
    expect((await shell.run('ls -l notes.txt')).stdout).toContain('Jan  1  2000');
  });

  it('keeps files between commands of one shell, never between shells', async () => {
    const tool = createBashTool(FIXTURE);
    await tool.execute({ command: 'echo gamma >> notes.txt && mkdir out && mv logs/app.log out/' }, context());
    expect(await tool.execute({ command: 'cat notes.txt; ls out' }, context())).toBe('alpha\nbeta\ngamma\napp.log');
    const other = createBashTool(FIXTURE);
    expect(await other.execute({ command: 'cat notes.txt; ls out' }, context())).toBe(
      'alpha\nbeta\n[stderr]\nls: out: No such file or directory\n[exit status 2]',
    );
  });

  it('refuses fixture paths outside the fixture root', () => {
    expect(fixturePath('a/b.txt')).toBe(`${FIXTURE_ROOT}/a/b.txt`);
    for (const path of ['/etc/passwd', '../x', 'a/../../x', '', '.']) expect(() => fixturePath(path)).toThrow(/must be a relative path/);
  });

  it('says what a command printed on stderr and how it exited', () => {
    expect(formatShellOutput({ stdout: '', stderr: '', exitCode: 0 })).toBe('(no output)');
    expect(formatShellOutput({ stdout: 'x\n', stderr: 'bad\n', exitCode: 1 })).toBe('x\n[stderr]\nbad\n[exit status 1]');
  });

  it('rejects an empty command through its schema', () => {
    expect(createBashTool().input.safeParse({ command: '' }).success).toBe(false);
    expect(createBashTool().input.safeParse({}).success).toBe(false);
  });
});

describe('escape attempts from the simulated shell fail', () => {
  let server: Server;
  let port: number;
  let connections = 0;
  const repository = resolve('.');
  const marker = join(tmpdir(), `agent-eval-bash-escape-${process.pid}`);
  const secretName = 'AGENT_EVAL_BASH_TEST_API_KEY';

  beforeAll(async () => {
    process.env[secretName] = 'sk-test-bash-escape-0123456789';
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    delete process.env[secretName];
    await new Promise((done) => server.close(done));
  });

  it('cannot read the host file system or the repository', async () => {
    const shell = await createSimulatedShell(FIXTURE);
    for (const path of ['/etc/passwd', '/etc/hostname', `${repository}/package.json`, `${FIXTURE_ROOT}/../../${repository}/package.json`, '/proc/self/environ', '/proc/1/cmdline']) {
      const result = await shell.run(`cat ${path}`);
      expect(result.exitCode, path).not.toBe(0);
      expect(result.stdout, path).toBe('');
    }
    expect((await shell.run('ls /')).stdout.split('\n').filter(Boolean).sort()).toEqual(['bin', 'dev', 'proc', 'usr', 'workspace']);
    const link = await shell.run(`ln -s /etc/passwd pw; cat pw; ln -s ${repository}/package.json pkg; cat pkg`);
    expect(link.stdout).toBe('');
  });

  it('cannot write outside its memory', async () => {
    const shell = await createSimulatedShell(FIXTURE);
    const result = await shell.run(`echo escaped > ${marker}; cat ${marker}; cp notes.txt ${repository}/escaped.txt`);
    expect(result.stdout).toBe('escaped\n');
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(repository, 'escaped.txt'))).toBe(false);
  });

  it('cannot start host programs', async () => {
    const shell = await createSimulatedShell(FIXTURE);
    for (const command of ['node -e "1"', '/usr/bin/node -e 1', 'python3 -c 1', 'perl -e 1', 'js-exec -c 1', `${process.execPath} -e 1`, 'exec /bin/sh -c id']) {
      const result = await shell.run(command);
      expect(result.exitCode, command).not.toBe(0);
      expect(result.stdout, command).toBe('');
    }
    // The shell's own processes are virtual: its pid is 1 and ps shows no host process.
    expect((await shell.run('echo $$')).stdout).toBe('1\n');
    expect((await shell.run('ps aux')).stdout).not.toContain(String(process.pid));
  });

  it('cannot reach the network', async () => {
    const shell = await createSimulatedShell(FIXTURE);
    for (const command of [`curl -s http://127.0.0.1:${port}/`, `wget -q -O- http://127.0.0.1:${port}/`, `nc 127.0.0.1 ${port}`]) {
      const result = await shell.run(command);
      expect(result.exitCode, command).toBe(127);
    }
    // /dev/tcp is only a name in the in-memory file system.
    await shell.run(`echo hi > /dev/tcp/127.0.0.1/${port}; exec 3<>/dev/tcp/127.0.0.1/${port}`);
    expect(connections).toBe(0);
  });

  it('sees none of the harness environment', async () => {
    const shell = await createSimulatedShell(FIXTURE);
    const printed = (await shell.run('env; printenv; set')).stdout;
    expect(printed).not.toContain(secretName);
    expect(printed).not.toContain('sk-test-bash-escape');
    expect(printed).not.toContain(process.env.PATH ?? '/nonexistent');
  });

  it('leaves the harness its globals while a command runs (the library guards only the shell\'s own async context)', async () => {
    const shell = await createSimulatedShell({ 'a.txt': 'x\n'.repeat(1000) });
    const errors: string[] = [];
    let rounds = 0;
    const harness = (async () => {
      for (let index = 0; index < 100; index++) {
        await new Promise((done) => setTimeout(done, 1));
        try {
          expect(JSON.parse('{"a":1}')).toEqual({ a: 1 });
          expect(Reflect.ownKeys({ b: 2 })).toEqual(['b']);
          expect(process.env.PATH).toBeDefined();
          rounds++;
        } catch (error) {
          errors.push(String(error));
        }
      }
    })();
    const result = await shell.run('for i in $(seq 1 200); do grep -c x a.txt > /dev/null; done; echo done');
    await harness;
    expect(result.stdout).toBe('done\n');
    expect(errors).toEqual([]);
    expect(rounds).toBe(100);
  });

  it('stops runaway loops', async () => {
    const shell = await createSimulatedShell(FIXTURE);
    const result = await shell.run('while true; do :; done');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/too many|limit/i);
  });
});
