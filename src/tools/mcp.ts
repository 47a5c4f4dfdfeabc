// MCP client: connects to the servers once per run (streamable HTTP, SSE or stdio, with the
// official SDK), lists their tools (all pages), and wraps each as a Tool named `{prefix}_{name}`
// whose JSON Schema goes to the model as is. Unlike SMOLTRACE, failures are not swallowed: an
// unreachable server, a failed listing or a duplicate name is a StartupError naming the server,
// and close() shuts every client and stdio child down.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { StartupError } from '../errors.js';
import { AGENT_EVAL_VERSION } from '../version.js';
import { formatCallResult } from './mcp-content.js';
import type { McpServerSpec } from './mcp-spec.js';
import { ToolError, defineTool, type AnyTool } from './types.js';

export { parseMcpServerCommand, parseMcpServerUrl, parseMcpTransport, type McpServerSpec } from './mcp-spec.js';

export interface McpConnectOptions {
  /** Per server, for connecting and listing tools. Default 30 s. */
  timeoutMs?: number;
  /** Per tool call. Default 120 s. */
  callTimeoutMs?: number;
  /** Names already taken (the built-in tools); an MCP tool with one of them is a StartupError. */
  reservedNames?: Iterable<string>;
  /** Extra environment for stdio servers, on top of the SDK's safe defaults (HOME, PATH, USER, ...). */
  env?: Record<string, string>;
}

export interface McpServerInfo {
  label: string;
  transport: 'streamable-http' | 'sse' | 'stdio';
  toolNames: string[];
  /** The stdio child's pid. */
  pid?: number;
}

export interface McpConnection {
  tools: AnyTool[];
  servers: McpServerInfo[];
  /** Closes every client and transport; stdio children are stopped (idempotent). */
  close(): Promise<void>;
}

interface Connected {
  spec: McpServerSpec;
  client: Client;
  transport: Transport;
  tools: McpTool[];
  pid?: number;
}

const MAX_TOOL_NAME = 64;
const MAX_PAGES = 100;

/** `{prefix}_{name}` with characters model APIs reject replaced by `_`, at most 64 characters. */
export function mcpToolName(prefix: string | undefined, name: string): string {
  const full = prefix ? `${prefix}_${name}` : name;
  return full.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_TOOL_NAME);
}

function transportName(spec: McpServerSpec): McpServerInfo['transport'] {
  return spec.kind === 'stdio' ? 'stdio' : spec.transport;
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'command not found';
  const message = error.message.split('\n')[0] ?? error.name;
  return detail && !message.includes(detail) ? `${message} (${detail})` : message;
}

function makeTransport(spec: McpServerSpec, options: McpConnectOptions, stderrTail: string[]): Transport {
  if (spec.kind === 'stdio') {
    const transport = new StdioClientTransport({
      command: spec.command,
      args: spec.args,
      env: { ...getDefaultEnvironment(), ...options.env },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderrTail.push(...chunk.toString('utf8').split('\n').map((line) => line.trim()).filter(Boolean));
      stderrTail.splice(0, Math.max(0, stderrTail.length - 5));
    });
    return transport;
  }
  const url = new URL(spec.url);
  return spec.transport === 'sse' ? new SSEClientTransport(url) : new StreamableHTTPClientTransport(url);
}

async function connectOne(spec: McpServerSpec, options: McpConnectOptions): Promise<Connected> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const stderrTail: string[] = [];
  const transport = makeTransport(spec, options, stderrTail);
  const client = new Client({ name: 'agent-eval', version: AGENT_EVAL_VERSION });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  const where = `MCP server '${spec.label}' (${transportName(spec)})`;
  let stage = 'could not connect';
  try {
    const work = (async () => {
      await client.connect(transport, { timeout: timeoutMs });
      stage = 'could not list its tools';
      const tools: McpTool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
        tools.push(...result.tools);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      return tools;
    })();
    work.catch(() => undefined); // the deadline may win; the late rejection is handled below by close()
    const tools = await Promise.race([work, deadline]);
    const pid = transport instanceof StdioClientTransport ? (transport.pid ?? undefined) : undefined;
    return { spec, client, transport, tools, ...(pid ? { pid } : {}) };
  } catch (error) {
    await client.close().catch(() => undefined);
    await transport.close().catch(() => undefined);
    const stderr = stderrTail.length ? ` (stderr: ${stderrTail[stderrTail.length - 1]})` : '';
    throw new StartupError(`${where}: ${stage}: ${reason(error)}${stderr}`);
  } finally {
    clearTimeout(timer);
  }
}

function inputSchema(tool: McpTool): Record<string, unknown> {
  const schema: Record<string, unknown> = structuredClone((tool.inputSchema ?? {}) as Record<string, unknown>);
  schema.type = 'object';
  if (typeof schema.properties !== 'object' || schema.properties === null) schema.properties = {};
  return schema;
}

function wrapTool(connected: Connected, tool: McpTool, name: string, options: McpConnectOptions, isClosed: () => boolean): AnyTool {
  const { spec, client } = connected;
  const callTimeoutMs = options.callTimeoutMs ?? 120_000;
  const description = (tool.description ?? tool.title ?? '').trim() || `Tool '${tool.name}' of the MCP server '${spec.label}'.`;
  return defineTool<Record<string, unknown>>({
    name,
    description,
    input: z.record(z.string(), z.unknown()),
    jsonSchema: inputSchema(tool),
    outputType: 'string',
    kind: 'extension',
    async execute(args, context) {
      if (isClosed()) throw new ToolError(`The MCP server '${spec.label}' is no longer connected`);
      let result: unknown;
      try {
        result = await client.callTool({ name: tool.name, arguments: args ?? {} }, undefined, {
          signal: context.signal,
          timeout: callTimeoutMs,
        });
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason ?? error;
        const text = /timed out/i.test(reason(error)) ? `no result within ${callTimeoutMs / 1000} s` : reason(error);
        throw new ToolError(`MCP tool '${tool.name}' (server '${spec.label}') failed: ${text}`);
      }
      return formatCallResult(result, tool.name);
    },
  });
}

async function closeAll(connections: readonly Connected[]): Promise<void> {
  await Promise.all(
    connections.map(async ({ client, transport }) => {
      await client.close().catch(() => undefined);
      await transport.close().catch(() => undefined);
    }),
  );
}

/** Connects to every server (in parallel), lists and wraps their tools; all or nothing. */
export async function connectMcpServers(specs: readonly McpServerSpec[], options: McpConnectOptions = {}): Promise<McpConnection> {
  const settled = await Promise.allSettled(specs.map((spec) => connectOne(spec, options)));
  const connected = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await closeAll(connected);
    throw failure.reason;
  }
  let closed = false;
  const owners = new Map<string, string | undefined>();
  for (const name of options.reservedNames ?? []) owners.set(name, undefined);
  const tools: AnyTool[] = [];
  const servers: McpServerInfo[] = [];
  try {
    for (const server of connected) {
      const toolNames: string[] = [];
      for (const tool of server.tools) {
        const name = mcpToolName(server.spec.prefix, tool.name);
        if (owners.has(name)) {
          const owner = owners.get(name);
          const clash = owner === undefined ? `the built-in tool '${name}'` : `a tool of MCP server '${owner}'`;
          throw new StartupError(
            `MCP server '${server.spec.label}': tool '${tool.name}' would be named '${name}', which clashes with ${clash}; ` +
              'give the server a distinct name= prefix',
          );
        }
        owners.set(name, server.spec.label);
        toolNames.push(name);
        tools.push(wrapTool(server, tool, name, options, () => closed));
      }
      servers.push({ label: server.spec.label, transport: transportName(server.spec), toolNames, ...(server.pid ? { pid: server.pid } : {}) });
    }
  } catch (error) {
    await closeAll(connected);
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    tools,
    servers,
    close() {
      closed = true;
      closing ??= closeAll(connected);
      return closing;
    },
  };
}
