/**
 * The sandbox process as the boundary, tested as if Python had already found its way into JavaScript: a test-only
 * module (test/fixtures/sandbox/probe.mjs) runs inside the sandbox process after its lockdown and attacks the
 * network, the process, the channel to the harness and memory. Every network target is a listener started here on
 * 127.0.0.1, ::1 or a Unix socket in a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostLaunch } from '../../src/sandbox/launch.js';
import { SandboxPool } from '../../src/sandbox/pool.js';
import type { SandboxSession, ToolHandler } from '../../src/sandbox/types.js';

const PROBE = resolve('test/fixtures/sandbox/probe.mjs');
const LIMIT = 4096;
const handler: ToolHandler = async () => ({ ok: true, output: 'ok' });

interface Listeners {
  tcp: number;
  tcp6: number | undefined;
  unix: string;
  udp: number;
  hits: string[];
  close(): Promise<void>;
}

async function startListeners(folder: string): Promise<Listeners> {
  const hits: string[] = [];
  const count = (name: string) => (socket: net.Socket) => {
    hits.push(name);
    socket.destroy();
  };
  const listen = (server: net.Server, ...args: unknown[]) =>
    new Promise<void>((done, fail) => {
      server.once('error', fail);
      (server.listen as (...a: unknown[]) => void)(...args, () => done());
    });
  const tcp = net.createServer(count('tcp'));
  await listen(tcp, 0, '127.0.0.1');
  const tcp6 = net.createServer(count('tcp6'));
  const hasIpv6 = await listen(tcp6, 0, '::1').then(() => true, () => false);
  const unixPath = join(folder, 'listener.sock');
  const unix = net.createServer(count('unix'));
  await listen(unix, unixPath);
  const web = http.createServer((_request, response) => {
    hits.push('http');
    response.end('ok');
  });
  await listen(web, 0, '127.0.0.1');
  const udp = dgram.createSocket('udp4');
  udp.on('message', () => hits.push('udp'));
  await new Promise<void>((done) => udp.bind(0, '127.0.0.1', () => done()));
  return {
    tcp: (tcp.address() as net.AddressInfo).port,
    tcp6: hasIpv6 ? (tcp6.address() as net.AddressInfo).port : undefined,
    unix: unixPath,
    udp: udp.address().port,
    hits,
    async close() {
      udp.close();
      await Promise.all([tcp, tcp6, unix, web].map((server) => new Promise((done) => server.close(() => done(undefined)))));
    },
  };
}

const folder = mkdtempSync(join(tmpdir(), 'sandbox-boundary-'));
let listeners: Listeners;
beforeAll(async () => {
  listeners = await startListeners(folder);
});
afterAll(async () => {
  await listeners?.close();
  rmSync(folder, { recursive: true, force: true });
});

const wrappers = ['bwrap', 'unshare', 'none'].filter((wrapper) => {
  try {
    hostLaunch(wrapper);
    return true;
  } catch {
    return false;
  }
});

describe.each(wrappers)('JavaScript inside a sandbox process (wrapper: %s)', (wrapper) => {
  let pool: SandboxPool;
  beforeAll(async () => {
    pool = await SandboxPool.start({ size: 1, tools: [], authorizedImports: ['_sandbox_probe'], wrapper, probeScript: PROBE });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('reaches no listener: TCP over IPv4 and IPv6, a Unix socket, UDP, HTTP, TLS, fetch', async () => {
    const session = await pool.acquire(handler);
    try {
      const { tcp, tcp6, unix, udp } = listeners;
      const code = `import _sandbox_probe as p, json
print(json.dumps([await p.tcp('127.0.0.1', ${tcp}), await p.tcp('::1', ${tcp6 ?? tcp}), await p.unix(${JSON.stringify(unix)}),
 await p.udp('127.0.0.1', ${udp}), await p.http('http://127.0.0.1:${tcp}/'), await p.tls('127.0.0.1', ${tcp}),
 await p.fetch('http://127.0.0.1:${tcp}/')]))`;
      const result = await session.run(code);
      expect(result.error).toBeUndefined();
      const outcomes = JSON.parse(result.stdout) as string[];
      expect(outcomes).toHaveLength(7);
      for (const outcome of outcomes) expect(outcome).toMatch(/^denied: /);
      expect(String(outcomes[0])).toMatch(/ERR_SANDBOX_DENIED/);
      await new Promise((done) => setTimeout(done, 200));
      expect(listeners.hits).toEqual([]);
    } finally {
      await session.release();
    }
  });

  it("cannot reach Node's builtins, bindings, processes, workers or files, nor signal the harness", async () => {
    const session = await pool.acquire(handler);
    try {
      const code = `import _sandbox_probe as p, json
print(json.dumps([await p.builtin('net'), await p.realProcess('net'), await p.binding('tcp_wrap'), await p.kill(${process.pid}),
 await p.spawn(), await p.worker(), await p.requireConnect('127.0.0.1', ${listeners.tcp}), await p.read('/etc/passwd'), await p.write('/tmp/escaped')]))`;
      const result = await session.run(code);
      const outcomes = JSON.parse(result.stdout) as string[];
      expect(outcomes).toHaveLength(9);
      for (const outcome of outcomes) expect(outcome).toMatch(/^denied: /);
    } finally {
      await session.release();
    }
  });
});

describe('the namespaces on their own (no lockdown, Node modules intact)', () => {
  const script = (target: string) => `
    const socket = require('node:net').connect(${target});
    socket.on('connect', () => { console.log('connected'); process.exit(0); });
    socket.on('error', (error) => { console.log('denied ' + error.code); process.exit(0); });
    setTimeout(() => { console.log('denied timeout'); process.exit(0); }, 3000);`;
  const run = (wrapper: string, target: string): string => {
    const { file, args } = hostLaunch(wrapper).command([]);
    return spawnSync(file, [...args.slice(0, -1), '-e', script(target)], { encoding: 'utf8', env: {} }).stdout.trim();
  };

  it.each(wrappers.filter((wrapper) => wrapper !== 'none'))('%s: no TCP to the host over IPv4 or IPv6', (wrapper) => {
    expect(run(wrapper, `{ host: '127.0.0.1', port: ${listeners.tcp} }`)).toMatch(/^denied /);
    expect(run(wrapper, `{ host: '::1', port: ${listeners.tcp6 ?? listeners.tcp} }`)).toMatch(/^denied /);
    expect(listeners.hits).toEqual([]);
  });

  it.runIf(wrappers.includes('bwrap'))('bwrap: no host Unix socket file is there to connect to', () => {
    expect(run('bwrap', JSON.stringify(listeners.unix))).toMatch(/^denied ENOENT/);
    expect(listeners.hits).toEqual([]);
  });

  it('without namespaces the same script does connect, which is what the lockdown is for', () => {
    expect(run('none', `{ host: '127.0.0.1', port: ${listeners.tcp} }`)).toBe('connected');
    listeners.hits.length = 0;
  });
});

describe('the channel, memory and caps, enforced by the harness', () => {
  let pool: SandboxPool;
  beforeAll(async () => {
    pool = await SandboxPool.start({
      size: 2,
      tools: [{ name: 'echo', description: 'Echoes.', parameters: ['text'] }],
      authorizedImports: ['_sandbox_probe'],
      probeScript: PROBE,
      memoryLimitMiB: 256,
      outputLimitBytes: LIMIT,
      finalAnswerBytes: LIMIT,
      toolArgumentBytes: LIMIT,
      toolCallsPerStep: 5,
    });
  });
  afterAll(async () => {
    await pool?.close();
  });

  /** Runs `attack` in one session while another session works; the other must finish unharmed. */
  async function besideAnother(attack: (session: SandboxSession) => Promise<void>): Promise<void> {
    const [victim, bystander] = await Promise.all([pool.acquire(handler), pool.acquire(handler)]);
    try {
      await bystander.run('total = 0');
      const working = bystander.run('import time\nfor i in range(10):\n    time.sleep(0.05)\n    total += i\ntotal');
      await attack(victim);
      expect(await working).toMatchObject({ result: '45' });
      expect((await bystander.run('total')).result).toBe('45');
    } finally {
      await Promise.all([victim.release(), bystander.release()]);
    }
  }

  it.each([
    ['a line that is not JSON', "'not json\\n'", /not JSON/],
    ['a snapshot message', '\'{"t":"snapshot","base64":"AA==","loadMs":1}\\n\'', /unexpected 'snapshot' message/],
    ['a message of an unknown type', '\'{"t":"tool-result","callId":1}\\n\'', /malformed "tool-result" message/],
    ['a line longer than the channel allows', "'x' * 400000", /message over \d+ bytes/],
  ])('ends the task whose sandbox forges %s, and only that task', async (_what, line, reason) => {
    await besideAnother(async (victim) => {
      const result = await victim.run(`import _sandbox_probe as p\nawait p.forge(${line})\nwhile True:\n    pass`);
      expect(result.error?.type).toBe('SandboxError');
      expect(result.violation).toMatch(reason);
    });
  });

  it('caps what a forged result carries, and counts the real result that follows as a violation', async () => {
    await besideAnother(async (victim) => {
      const forged = JSON.stringify({ t: 'result', report: { stdout: 'y'.repeat(100_000) } });
      const result = await victim.run(`import _sandbox_probe as p\nawait p.forge(${JSON.stringify(`${forged}\n`)})`);
      expect(result.stdout.length).toBeLessThan(LIMIT + 100);
      expect(result.stdout).toContain('[output truncated: ');
      await new Promise((done) => setTimeout(done, 200));
      expect((await victim.run('1')).violation).toMatch(/'result' message between steps/);
    });
  });

  it('survives a sandbox closing its end of the channel', async () => {
    await besideAnother(async (victim) => {
      const result = await victim.run('import _sandbox_probe as p\nawait p.closeChannel()\nprint("x")');
      expect(result.error?.type).toBe('SandboxError');
      expect(result.interpreterRestarted).toBe(true);
      expect((await victim.run('2 + 2')).result).toBe('4');
    });
  });

  it('kills a process that allocates past its memory cap outside the WebAssembly memory', async () => {
    await besideAnother(async (victim) => {
      const result = await victim.run('import _sandbox_probe as p\nawait p.allocate(1200)');
      expect(result.error?.type).toBe('MemoryError');
      expect(result.violation).toMatch(/over its 512 MiB cap/);
    });
    expect(pool.stats.peakProcessMiB).toBeGreaterThan(400);
  });

  it('keeps Python memory bombs at the WebAssembly cap as a Python MemoryError, the process alive', async () => {
    const session = await pool.acquire(handler);
    try {
      const result = await session.run("x = 'x' * 10**9");
      expect(result.error?.type).toBe('MemoryError');
      expect(result.violation).toBeUndefined();
      expect((await session.run('1 + 1')).result).toBe('2');
    } finally {
      await session.release();
    }
  });

  it('ends the task on a final answer, tool arguments or tool calls over their caps', async () => {
    const session = await pool.acquire(handler);
    try {
      expect((await session.run(`final_answer('z' * ${LIMIT + 1})`)).violation).toMatch(/final answer is \d+ bytes, over the 4 KiB limit/);
      const big = await session.run(`echo('a' * ${LIMIT * 2})`);
      expect(big.violation).toMatch(/echo\(\) was called with \d+ bytes of arguments, over the 4 KiB limit/);
    } finally {
      await session.release();
    }
    const again = await pool.acquire(handler);
    try {
      const many = await again.run('for i in range(6):\n    echo(str(i))');
      expect(many.violation).toMatch(/more than 5 tool calls in one code step/);
    } finally {
      await again.release();
    }
  });

  it('reports how it was isolated', () => {
    expect(pool.isolation).toMatchObject({ process: 'per-task', memory_cap_mib: 512 });
    expect(['namespace', 'modules-blocked']).toContain(pool.isolation.network);
  });
});
