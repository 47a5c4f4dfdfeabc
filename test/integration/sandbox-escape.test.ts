import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostLaunch } from '../../src/sandbox/launch.js';
import { SandboxPool } from '../../src/sandbox/pool.js';
import type { CodeStepResult, ToolHandler } from '../../src/sandbox/types.js';
import { sandboxHosts } from '../helpers/sandbox-processes.js';

const LIMIT = 4096;
let pool: SandboxPool;
let hang: Promise<never> | undefined;
const handler: ToolHandler = async (_name, args) => {
  if (args.query === 'hang') return (hang ??= new Promise<never>(() => {}));
  return { ok: true, output: 'found' };
};

beforeAll(async () => {
  pool = await SandboxPool.start({
    size: 2,
    tools: [{ name: 'lookup', description: 'Looks something up.', parameters: ['query'] }],
    stepTimeoutMs: 1500,
    memoryLimitMiB: 256,
    outputLimitBytes: LIMIT,
  });
});
afterAll(async () => {
  await pool?.close();
});

/** The real __import__, as any Python sandbox escape would find it (here through a tool function's globals). */
const REAL_IMPORT = "imp = lookup.__globals__['_builtins'].__import__\n";
const IMPORT_DENIED = /^import of '[\w.]+' is not allowed\. Authorized imports: \['collections', /;

/**
 * Runs attacks in one fresh session. First checks that nothing from earlier sessions leaked into this one (guard
 * active, modules intact, no stray globals); after each attack, that the session still runs code.
 */
async function attack(...codes: string[]): Promise<CodeStepResult[]> {
  const session = await pool.acquire(handler);
  try {
    const clean = await session.run('import math, json\n(math.pi, json.dumps([1]), "x" in dir(), len("ab"))');
    expect(clean.result).toBe("(3.141592653589793, '[1]', False, 2)");
    expect((await session.run('import os')).error?.message).toMatch(IMPORT_DENIED);
    const results: CodeStepResult[] = [];
    for (const code of codes) {
      results.push(await session.run(code));
      expect((await session.run('1 + 1')).result, code).toBe('2');
    }
    return results;
  } finally {
    await session.release();
  }
}

describe('sandbox containment', () => {
  it('blocks unlisted imports however they are written', async () => {
    const cases: Array<[string, string | null]> = [
      ['import os', 'os'],
      ["__import__('subprocess')", 'subprocess'],
      ['import js', 'js'],
      ['import pyodide.http', 'pyodide.http'],
      ['import socket', 'socket'],
      ["import importlib\nimportlib.import_module('os')", 'importlib'],
      ["import sys\nsys.modules['math'] = None", 'sys'],
      ['exec("import os")', 'os'],
      ['exec("import os", {})', 'os'],
      ['eval("__import__(\'ctypes\')", {})', 'ctypes'],
      ["__builtins__['__import__']('os')", 'os'],
      ['from . import os', null],
    ];
    const session = await pool.acquire(handler);
    try {
      for (const [code, module] of cases) {
        const { error } = await session.run(code);
        expect(error?.type, code).toBe('ImportError');
        if (module) expect(error?.message, code).toMatch(IMPORT_DENIED);
        if (module) expect(error?.message, code).toContain(`'${module}'`);
      }
      expect((await session.run('import math\nmath.floor(2.5)')).result).toBe('2');
    } finally {
      await session.release();
    }
  });

  it('keeps sys.modules and builtins tampering (through the real import) inside its own session', async () => {
    const code = `${REAL_IMPORT}sys = imp('sys')\nsys.modules['math'] = None\nsys.modules['json'] = None\nimp('builtins').len = None\nx = 1`;
    const [tampered] = await attack(code);
    expect(tampered?.error).toBeUndefined();
    // attack() checks at its start that the next session imports math and json and calls len() as usual.
    const [internal] = await attack('import collections.abc, statistics, datetime, re, json\nstatistics.mean([1, 2, 3])');
    expect(internal?.result).toBe('2');
  });

  it('has no host file system and stops the Function-constructor escape from a bridged JS function', async () => {
    const escape = "F = lookup.__globals__['_bridge'].call_tool.constructor\n";
    const [passwd, listing, toProcess, readPasswd] = await attack(
      "open('/etc/passwd').read()",
      `${REAL_IMPORT}sorted(imp('os').listdir('/'))`,
      `${escape}F('return process')()`,
      `${escape}F('return process.getBuiltinModule("fs").readFileSync("/etc/passwd", "utf8")')()`,
    );
    expect(passwd?.error?.type).toBe('FileNotFoundError');
    expect(listing?.result).toBe("['dev', 'home', 'lib', 'proc', 'tmp']");
    expect(toProcess?.error?.type).toBe('JsException');
    expect(toProcess?.error?.message).toContain('EvalError: Code generation from strings disallowed');
    expect(readPasswd?.error?.message).toContain('Code generation from strings disallowed');
    expect(readPasswd?.stdout + (readPasswd?.result ?? '')).not.toContain('root:');
  });

  it('denies child processes even with the real import (os.system ends only its own sandbox process)', async () => {
    const [system, subprocess] = await attack(
      `${REAL_IMPORT}imp('os').system('id > /tmp/pwned')`,
      `${REAL_IMPORT}imp('subprocess').run(['id'])`,
    );
    expect(system?.error?.type).toBe('SandboxError');
    expect(system?.error?.message).toContain('sandbox process exited');
    expect(system?.interpreterRestarted).toBe(true);
    expect(subprocess?.error?.type).toBe('OSError');
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('denies file reads, writes, child processes and worker threads in a sandbox process (permission model)', () => {
    const probe = `
      const tries = {
        read: () => require('node:fs').readFileSync('/etc/passwd', 'utf8'),
        write: () => require('node:fs').writeFileSync('/tmp/sandbox-probe', 'x'),
        spawn: () => require('node:child_process').execSync('id').toString(),
        worker: () => new (require('node:worker_threads').Worker)('1', { eval: true }),
      };
      const out = {};
      for (const [name, run] of Object.entries(tries)) { try { run(); out[name] = 'allowed'; } catch (e) { out[name] = e.code; } }
      console.log(JSON.stringify(out));`;
    const { file, args } = hostLaunch().command([]);
    const run = spawnSync(file, [...args.slice(0, -1), '-e', probe], { encoding: 'utf8', env: {} });
    expect(JSON.parse(run.stdout)).toEqual({ read: 'ERR_ACCESS_DENIED', write: 'ERR_ACCESS_DENIED', spawn: 'ERR_ACCESS_DENIED', worker: 'ERR_ACCESS_DENIED' });
  });

  it('removes js and pyodide_js even for the real import, and has no fetch', async () => {
    const [js, pyodideJs, fetch] = await attack(
      `${REAL_IMPORT}imp('js')`,
      `${REAL_IMPORT}imp('pyodide_js')`,
      `${REAL_IMPORT}http = imp('pyodide.http', fromlist=['x'])\nawait http.pyfetch('http://127.0.0.1:9')`,
    );
    expect(js?.error?.type).toBe('ModuleNotFoundError');
    expect(pyodideJs?.error?.type).toBe('ModuleNotFoundError');
    expect(fetch?.error).toBeDefined();
  });

  it('opens no network connection through Python sockets', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const code = `${REAL_IMPORT}s = imp('socket').create_connection(('127.0.0.1', ${port}))\ns.sendall(b'hello')`;
      const [result] = await attack(code);
      expect(result?.error?.type).toBe('OSError');
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('stops an endless loop at the step timeout by killing its process; the session goes on in a fresh one', async () => {
    const session = await pool.acquire(handler);
    try {
      await session.run('x = "lost"');
      const result = await session.run('while True:\n    pass');
      expect(result.error).toEqual({ type: 'TimeoutError', message: 'code step exceeded 1.5 s; the interpreter was stopped and restarted (variables were lost)' });
      expect(result.durationMs).toBeGreaterThanOrEqual(1400);
      expect(result.interpreterRestarted).toBe(true);
      expect((await session.run('"x" in dir()')).result).toBe('False');
      const sleep = await session.run('import time\ntime.sleep(100)');
      expect(sleep.error?.type).toBe('TimeoutError');
      const tool = await session.run('lookup("hang")');
      expect(tool.error?.type).toBe('TimeoutError');
      expect((await session.run('lookup("fine")')).result).toBe("'found'");
    } finally {
      await session.release();
    }
  });

  it('terminates and replaces an interpreter stuck in a C-level loop', async () => {
    const restarts = pool.stats.restarts;
    const [result] = await attack('sum(range(10**12))');
    expect(result?.error?.type).toBe('TimeoutError');
    expect(result?.error?.message).toContain('restarted');
    expect(result?.interpreterRestarted).toBe(true);
    expect(pool.stats.restarts).toBe(restarts + 1);
  });

  it('turns memory bombs into MemoryError at the cap, deep recursion into RecursionError, exit() into SystemExit', async () => {
    const [big, growing, recursion, exit, raised, sysExit] = await attack(
      "'x' * 10**9",
      'def grow():\n    chunks = []\n    while True:\n        chunks.append(bytearray(10**8))\ngrow()',
      'def f(n):\n    return f(n + 1)\nf(0)',
      'exit(3)',
      'raise SystemExit',
      `${REAL_IMPORT}imp('sys').exit(0)`,
    );
    expect(big?.error?.type).toBe('MemoryError');
    expect(growing?.error).toEqual({ type: 'MemoryError', message: 'out of memory (the interpreter is limited to 256 MiB)' });
    expect(recursion?.error?.type).toBe('RecursionError');
    expect([exit, raised, sysExit].map((r) => r?.error?.type)).toEqual(['SystemExit', 'SystemExit', 'SystemExit']);
    expect(exit?.error?.message).toContain('exit(3)');
  });

  it('caps output floods', async () => {
    const [big, lines, repr] = await attack("print('y' * 10**6)", 'for i in range(10**5):\n    print(i)', "'z' * 10**6");
    expect(big?.stdout.startsWith('y'.repeat(LIMIT))).toBe(true);
    expect(big?.stdout).toContain('[output truncated: ');
    expect(big?.stdout.length).toBeLessThan(LIMIT + 100);
    expect(lines?.stdout.length).toBeLessThan(LIMIT + 100);
    expect(repr?.result?.length).toBeLessThan(LIMIT + 100);
  });

  it('leaves only the stand-by processes between tasks, still serving', async () => {
    expect(sandboxHosts().length).toBeLessThanOrEqual(2);
    const [done] = await attack('final_answer("done")');
    expect(done?.finalAnswer).toEqual({ value: 'done', text: 'done' });
  });
});
