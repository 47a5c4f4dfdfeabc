import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxPool } from '../../src/sandbox/pool.js';
import type { SandboxSession, ToolHandler } from '../../src/sandbox/types.js';
import { sandboxHosts } from '../helpers/sandbox-processes.js';

const tools = [
  { name: 'get_weather', description: 'Weather for a location.', parameters: ['location', 'unit'] },
  { name: 'fail_tool', description: 'Always fails.', parameters: [] },
  { name: 'throw_tool', description: 'Throws in TypeScript.', parameters: [] },
  { name: 'barrier', description: 'Returns once two parties have arrived.', parameters: ['party'] },
];

const calls: Array<{ name: string; args: Record<string, unknown> }> = [];
let arrived: Array<() => void> = [];
const handler: ToolHandler = async (name, args) => {
  calls.push({ name, args });
  if (name === 'fail_tool') return { ok: false, error: 'the service is down' };
  if (name === 'throw_tool') throw new Error('boom in TypeScript');
  if (name === 'barrier') {
    // Resolves only when two calls are waiting at once: proves two interpreters run at the same time.
    await new Promise<void>((resolve) => {
      arrived.push(resolve);
      if (arrived.length === 2) for (const release of arrived.splice(0)) release();
    });
    return { ok: true, output: `party ${String(args.party)} passed` };
  }
  return { ok: true, output: `${String(args.location)}: 21 ${String(args.unit ?? 'C')}` };
};

let pool: SandboxPool;
beforeAll(async () => {
  pool = await SandboxPool.start({ size: 2, tools, authorizedImports: ['sys', 'numpy'] });
});
afterAll(async () => {
  await pool?.close();
});

async function withSession<T>(body: (session: SandboxSession) => Promise<T>): Promise<T> {
  const session = await pool.acquire(handler);
  try {
    return await body(session);
  } finally {
    await session.release();
  }
}

describe('SandboxPool, in one session', () => {
  // These steps share one session (a fresh interpreter costs about half a second of CPU).
  let shared: SandboxSession;
  const withShared = async (body: (session: SandboxSession) => Promise<void>): Promise<void> => body(shared);
  beforeAll(async () => {
    shared = await pool.acquire(handler);
  });
  afterAll(async () => {
    await shared?.release();
  });

  it('runs code, keeps variables across steps and returns the last expression', async () => {
    expect(pool.stats.startupMs).toBeGreaterThan(0);
    await withShared(async (session) => {
      const first = await session.run('x = 6\ny = 7');
      expect(first).toMatchObject({ stdout: '' });
      expect(first.result).toBeUndefined();
      expect(first.error).toBeUndefined();
      expect((await session.run('x * y')).result).toBe('42');
      expect((await session.run('"a" + "b"')).result).toBe("'ab'");
      expect((await session.run('None')).result).toBeUndefined();
      const division = await session.run('1 / 0');
      expect(division.error).toEqual({ type: 'ZeroDivisionError', message: 'division by zero' });
      expect((await session.run('x')).result).toBe('6');
      const syntax = await session.run('def broken(:');
      expect(syntax.error?.type).toBe('SyntaxError');
    });
  });

  it('captures print output, stderr included, with partial lines', async () => {
    await withShared(async (session) => {
      const result = await session.run('import sys\nprint("hello", 42)\nprint("warn", file=sys.stderr)\nprint("tail", end="")');
      expect(result.stdout).toBe('hello 42\nwarn\ntail');
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
      expect((await session.run('print("next step only")')).stdout).toBe('next step only\n');
    });
  });

  it('reports final_answer values as JSON and their str(), and stops the step', async () => {
    await withShared(async (session) => {
      expect((await session.run('final_answer(42)')).finalAnswer).toEqual({ value: 42, text: '42' });
      expect((await session.run('final_answer("Paris")')).finalAnswer).toEqual({ value: 'Paris', text: 'Paris' });
      const list = await session.run('final_answer([1, "two", {"three": 3.5}])');
      expect(list.finalAnswer).toEqual({ value: [1, 'two', { three: 3.5 }], text: "[1, 'two', {'three': 3.5}]" });
      expect((await session.run('final_answer({3})')).finalAnswer).toEqual({ value: '{3}', text: '{3}' });
      const stopped = await session.run('print("before")\nfinal_answer(1)\nprint("after")');
      expect(stopped.stdout).toBe('before\n');
      expect(stopped.error).toBeUndefined();
    });
  });

  it('bridges tools: positional and keyword arguments, str results, failures as ToolError', async () => {
    calls.length = 0;
    await withShared(async (session) => {
      expect((await session.run('get_weather("Paris, France")')).result).toBe("'Paris, France: 21 C'");
      await session.run('r = get_weather(location="Rome", unit="F")');
      expect((await session.run('r, type(r).__name__')).result).toBe("('Rome: 21 F', 'str')");
      await session.run('get_weather("Oslo", unit="K")');
      expect(calls).toEqual([
        { name: 'get_weather', args: { location: 'Paris, France' } },
        { name: 'get_weather', args: { location: 'Rome', unit: 'F' } },
        { name: 'get_weather', args: { location: 'Oslo', unit: 'K' } },
      ]);
      expect((await session.run('fail_tool()')).error).toEqual({ type: 'ToolError', message: 'the service is down' });
      const caught = await session.run('try:\n    fail_tool()\nexcept ToolError as e:\n    print("caught:", e)');
      expect(caught).toMatchObject({ stdout: 'caught: the service is down\n' });
      expect(caught.error).toBeUndefined();
      expect((await session.run('throw_tool()')).error).toEqual({ type: 'ToolError', message: 'boom in TypeScript' });
      const extra = await session.run('get_weather("a", "b", "c")');
      expect(extra.error?.type).toBe('TypeError');
    });
  });

  it('stops a step when its signal aborts (its process is killed), and the session goes on in a fresh one', async () => {
    await withShared(async (session) => {
      await session.run('kept = "yes"');
      const controller = new AbortController();
      const running = session.run('while True:\n    pass', { signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      const result = await running;
      expect(result.error).toEqual({ type: 'AbortError', message: 'code step was aborted' });
      expect(result.interpreterRestarted).toBe(true);
      const next = await session.run('"kept" in dir(), 1 + 1');
      expect(next).toMatchObject({ result: '(False, 2)', interpreterRestarted: true });
      const before = await session.run('1', { signal: AbortSignal.abort() });
      expect(before.error?.type).toBe('AbortError');
      const input = await session.run('input("name? ")');
      expect(input.error?.type).toMatch(/Error$/);
    });
  });

  it('reports an authorised package that cannot be downloaded', async () => {
    await withShared(async (session) => {
      const result = await session.run('import numpy\nnumpy.__name__');
      // Offline (as in CI) the download fails with a clear message; with network access numpy may load.
      if (result.error) {
        expect(result.error.type).toBe('ModuleNotFoundError');
        expect(result.error.message).toContain("package 'numpy' could not be downloaded");
      } else {
        expect(result.result).toBe("'numpy'");
      }
    });
  });

});

describe('SandboxPool, across sessions', () => {
  it('gives every session a fresh interpreter: no variables or patched modules leak', async () => {
    await withSession(async (session) => {
      const patch = await session.run(
        'import math, json, sys\nsecret = "leak"\nmath.pi = 3\njson.dumps = None\n' +
          '__builtins__["len"] = None\nsys.modules["json"] = None\nmath.pi',
      );
      expect(patch.result).toBe('3');
    });
    await withSession(async (session) => {
      const check = await session.run('import math, json\n("secret" in dir(), math.pi, json.dumps([1]), len("ab"))');
      expect(check.result).toBe("(False, 3.141592653589793, '[1]', 2)");
    });
  });

  it('runs sessions concurrently in separate interpreters and queues acquire when all are busy', async () => {
    arrived = [];
    const sessions = await Promise.all([1, 2].map(() => pool.acquire(handler)));
    let fourth: SandboxSession | undefined;
    const waiting = pool.acquire(handler).then((session) => (fourth = session));
    try {
      const results = await Promise.all(sessions.map((session, i) => session.run(`barrier(${i})`)));
      expect(results.map((r) => r.result)).toEqual(["'party 0 passed'", "'party 1 passed'"]);
      expect(fourth).toBeUndefined();
      await sessions[0]?.release();
      await waiting;
      expect((await fourth?.run('1 + 1'))?.result).toBe('2');
    } finally {
      await Promise.all([...sessions, fourth].map((session) => session?.release()));
    }
  });

  it('ends a running step when its session is released', async () => {
    const session = await pool.acquire(handler);
    const running = session.run('while True:\n    pass');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await session.release();
    expect((await running).error).toEqual({
      type: 'SandboxError',
      message: 'the sandbox session was released while a code step was running',
    });
    await expect(session.run('1')).rejects.toThrow(/released/);
  });

  it('survives its sandbox process dying: the step fails, then the session goes on in a fresh process', async () => {
    const restarts = pool.stats.restarts;
    await withSession(async (session) => {
      await session.run('before = 1');
      const pid = (session as unknown as { processId: number | undefined }).processId;
      expect(pid).toBeGreaterThan(0);
      const running = session.run('while True:\n    pass');
      await new Promise((resolve) => setTimeout(resolve, 200));
      process.kill(pid!, 'SIGKILL');
      const failed = await running;
      expect(failed.error?.type).toBe('SandboxError');
      expect(failed.error?.message).toContain('sandbox process exited');
      expect(failed.interpreterRestarted).toBe(true);
      const next = await session.run('"before" in dir(), 2 + 2');
      expect(next).toMatchObject({ result: '(False, 4)', interpreterRestarted: true });
    });
    expect(pool.stats.restarts).toBeGreaterThan(restarts);
    await withSession(async (session) => expect((await session.run('3 * 3')).result).toBe('9'));
  });

  it('close() kills every sandbox process (stand-by ones included) and is idempotent', async () => {
    expect(sandboxHosts().length).toBeGreaterThanOrEqual(2);
    await pool.close();
    await pool.close();
    expect(sandboxHosts()).toHaveLength(0);
    await expect(pool.acquire(handler)).rejects.toThrow(/closed/);
  });
});
