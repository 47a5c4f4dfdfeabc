import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartupError } from '../../src/errors.js';
import { connectMcpServers, parseMcpServerCommand, parseMcpServerUrl, type McpServerSpec } from '../../src/tools/mcp.js';
import { toolInputs, toolSpec } from '../../src/tools/spec.js';
import { ToolError, type AnyTool, type ToolContext } from '../../src/tools/types.js';
import { CRASHING_STDIO_SERVER, PAGINATED_STDIO_SERVER, closedPort, startMcpHttpServer, type McpHttpTestServer } from '../helpers/mcp-test-server.js';

const context = (signal = new AbortController().signal): ToolContext => ({
  signal,
  workingDirectory: process.cwd(),
  now: () => new Date('2026-01-15T12:00:00Z'),
});

function byName(tools: AnyTool[], name: string): AnyTool {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name} in ${tools.map((t) => t.name).join(', ')}`);
  return tool;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const nodeScript = (source: string, prefix?: string): McpServerSpec => ({
  kind: 'stdio',
  command: process.execPath,
  args: ['--input-type=module', '-e', source],
  label: prefix ?? 'script',
  ...(prefix ? { prefix } : {}),
});

let http: McpHttpTestServer;
beforeAll(async () => {
  http = await startMcpHttpServer();
});
afterAll(async () => {
  await http.close();
});

describe('streamable HTTP', () => {
  it('lists prefixed tools with their JSON Schemas and calls them', async () => {
    const connection = await connectMcpServers([parseMcpServerUrl(`Calc-Server=${http.mcpUrl}`, 'auto')], { callTimeoutMs: 2000 });
    try {
      expect(connection.servers).toEqual([expect.objectContaining({ label: 'Calc-Server', transport: 'streamable-http' })]);
      expect(connection.tools.map((t) => t.name)).toEqual([
        'calc_server_add', 'calc_server_echo', 'calc_server_structured_only', 'calc_server_tiny_image',
        'calc_server_fails', 'calc_server_throws', 'calc_server_slow',
      ]);
      const add = byName(connection.tools, 'calc_server_add');
      expect(add.kind).toBe('extension');
      expect(add.description).toBe('Adds two numbers');
      expect(toolSpec(add).parameters).toMatchObject({ type: 'object', properties: { a: { type: 'number', description: 'First' } }, required: ['a', 'b'] });
      expect(toolSpec(add).parameters).not.toHaveProperty('$schema');
      expect(toolInputs(add)).toEqual({ a: { type: 'number', description: 'First' }, b: { type: 'number', description: 'Second' } });
      expect(toolSpec(byName(connection.tools, 'calc_server_tiny_image')).parameters).toMatchObject({ type: 'object', properties: {} });

      await expect(add.execute({ a: 40, b: 2 }, context())).resolves.toBe('42');
      await expect(byName(connection.tools, 'calc_server_echo').execute({ message: 'hi' }, context())).resolves.toBe('Echo: hi');
      await expect(byName(connection.tools, 'calc_server_structured_only').execute({}, context())).resolves.toBe('{"temperature":21.5,"unit":"C"}');
      await expect(byName(connection.tools, 'calc_server_tiny_image').execute({}, context())).resolves.toBe(
        'Here is the image:\n[image: image/png, 68 bytes]\n[resource: file:///notes.txt (text/plain)]\nresource text\n[resource link: big.bin file:///big.bin]',
      );
    } finally {
      await connection.close();
    }
  });

  it('turns errors, invalid arguments and timeouts into ToolErrors', async () => {
    const connection = await connectMcpServers([parseMcpServerUrl(http.mcpUrl, 'streamable-http')], { callTimeoutMs: 300 });
    try {
      await expect(byName(connection.tools, 'fails').execute({ why: 'disk full' }, context())).rejects.toThrow(new ToolError('it failed: disk full'));
      await expect(byName(connection.tools, 'throws').execute({}, context())).rejects.toThrow(/exploded/);
      await expect(byName(connection.tools, 'add').execute({ a: 'x' }, context())).rejects.toThrow(/Input validation error/);
      await expect(byName(connection.tools, 'slow').execute({ ms: 2000 }, context())).rejects.toThrow(
        "MCP tool 'slow' (server '127.0.0.1:" + new URL(http.mcpUrl).port + "/mcp') failed: no result within 0.3 s",
      );
      const controller = new AbortController();
      const call = byName(connection.tools, 'slow').execute({ ms: 2000 }, context(controller.signal));
      setTimeout(() => controller.abort(new Error('task cancelled')), 50);
      await expect(call).rejects.toThrow('task cancelled');
    } finally {
      await connection.close();
    }
    await expect(byName(connection.tools, 'add').execute({ a: 1, b: 2 }, context())).rejects.toThrow(/no longer connected/);
  });
});

describe('SSE', () => {
  it('is picked for /sse URLs and works without a prefix', async () => {
    const spec = parseMcpServerUrl(http.sseUrl, 'auto');
    expect(spec).toMatchObject({ kind: 'http', transport: 'sse' });
    const connection = await connectMcpServers([spec]);
    try {
      expect(connection.tools.map((t) => t.name)).toContain('echo');
      await expect(byName(connection.tools, 'echo').execute({ message: 'over sse' }, context())).resolves.toBe('Echo: over sse');
      await expect(byName(connection.tools, 'add').execute({ a: 1, b: 2 }, context())).resolves.toBe('3');
    } finally {
      await connection.close();
    }
  });
});

describe('startup failures', () => {
  it('refuses duplicate names across servers and against reserved names', async () => {
    const specs = [parseMcpServerUrl(http.mcpUrl), parseMcpServerUrl(`other=${http.sseUrl}`)];
    await expect(connectMcpServers(specs, { reservedNames: ['other_echo'] })).rejects.toThrow(
      /MCP server 'other': tool 'echo' would be named 'other_echo', which clashes with the built-in tool 'other_echo'/,
    );
    const twice = [parseMcpServerUrl(`a=${http.mcpUrl}`), parseMcpServerUrl(`A=${http.sseUrl}`)];
    const error = await connectMcpServers(twice).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/^MCP server 'A': tool 'add' would be named 'a_add', which clashes with a tool of MCP server 'a'; give the server a distinct name= prefix$/);
  });

  it.each(['streamable-http', 'sse'])('reports an unreachable %s server in one line', async (transport) => {
    const port = await closedPort();
    const error = await connectMcpServers([parseMcpServerUrl(`http://127.0.0.1:${port}/mcp`, transport)], { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(new RegExp(`^MCP server '127\\.0\\.0\\.1:${port}/mcp' \\(${transport}\\): could not connect: .*(ECONNREFUSED|fetch failed)`));
    expect((error as Error).message).not.toContain('\n');
  });

  it('closes the servers that did connect when another fails', async () => {
    const port = await closedPort();
    const error = await connectMcpServers([nodeScript(PAGINATED_STDIO_SERVER, 'paged'), parseMcpServerUrl(`http://127.0.0.1:${port}/mcp`)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
  });

  it('reports a crashing stdio server with its stderr, and a missing command', async () => {
    await expect(connectMcpServers([nodeScript(CRASHING_STDIO_SERVER, 'crashy')])).rejects.toThrow(
      /^MCP server 'crashy' \(stdio\): could not connect: .*\(stderr: fatal: config file missing\)$/,
    );
    await expect(connectMcpServers([parseMcpServerCommand('no-such-mcp-server-binary --stdio')])).rejects.toThrow(
      "MCP server 'no-such-mcp-server-binary' (stdio): could not connect: command not found",
    );
  });

  it('gives up on a silent server after the timeout and stops it', async () => {
    const started = Date.now();
    await expect(connectMcpServers([nodeScript('setInterval(() => {}, 1000);', 'silent')], { timeoutMs: 500 })).rejects.toThrow(
      /^MCP server 'silent' \(stdio\): could not connect: /,
    );
    expect(Date.now() - started).toBeLessThan(6000);
  });
});

describe('stdio', () => {
  it('follows tools/list pages, sanitises names, and stops the child on close', async () => {
    const connection = await connectMcpServers([nodeScript(PAGINATED_STDIO_SERVER, 'paged')]);
    const pid = connection.servers[0]?.pid;
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid!)).toBe(true);
    expect(connection.tools.map((t) => t.name)).toEqual(['paged_alpha', 'paged_beta_tool']);
    await expect(byName(connection.tools, 'paged_beta_tool').execute({ text: 'hi' }, context())).resolves.toBe('beta.tool:{"text":"hi"}');
    await connection.close();
    await connection.close();
    expect(isAlive(pid!)).toBe(false);
  });

  it('runs the reference everything server', async () => {
    const spec = parseMcpServerCommand(`everything="${process.execPath}" node_modules/@modelcontextprotocol/server-everything/dist/index.js stdio`);
    expect(spec).toMatchObject({ kind: 'stdio', prefix: 'everything', label: 'everything' });
    const connection = await connectMcpServers([spec], { timeoutMs: 20_000 });
    const pid = connection.servers[0]?.pid;
    try {
      const names = connection.tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['everything_echo', 'everything_get-sum', 'everything_get-tiny-image']));
      await expect(byName(connection.tools, 'everything_echo').execute({ message: 'ping' }, context())).resolves.toBe('Echo: ping');
      await expect(byName(connection.tools, 'everything_get-sum').execute({ a: 2, b: 3 }, context())).resolves.toBe('The sum of 2 and 3 is 5.');
      await expect(byName(connection.tools, 'everything_get-tiny-image').execute({}, context())).resolves.toMatch(/\[image: image\/png, \d+ bytes\]/);
      await expect(byName(connection.tools, 'everything_get-structured-content').execute({ location: 'Chicago' }, context())).resolves.toMatch(/"temperature"/);
    } finally {
      await connection.close();
    }
    expect(isAlive(pid!)).toBe(false);
  });
});
