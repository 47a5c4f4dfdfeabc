// MCP servers for the client tests: an McpServer with assorted tools, served over streamable HTTP
// (stateless, POST /mcp) and SSE (GET /sse + POST /messages) on 127.0.0.1 with node:http, and a
// stdio server script (low-level Server with paginated tools/list) run with `node -e`.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** 1x1 transparent PNG. */
export const TINY_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export function buildTestMcpServer(name = 'test-server'): McpServer {
  const server = new McpServer({ name, version: '1.0.0' });
  server.registerTool(
    'add',
    { description: 'Adds two numbers', inputSchema: { a: z.number().describe('First'), b: z.number().describe('Second') }, outputSchema: { sum: z.number() } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
  );
  server.registerTool('echo', { description: 'Echoes a message', inputSchema: { message: z.string() } }, async ({ message }) => ({
    content: [{ type: 'text', text: `Echo: ${message}` }],
  }));
  server.registerTool('structured_only', { description: 'Structured content without text', inputSchema: {} }, async () => ({
    content: [],
    structuredContent: { temperature: 21.5, unit: 'C' },
  }));
  server.registerTool('tiny_image', { description: 'Returns an image' }, async () => ({
    content: [
      { type: 'text', text: 'Here is the image:' },
      { type: 'image', data: TINY_PNG_BASE64, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'file:///notes.txt', mimeType: 'text/plain', text: 'resource text' } },
      { type: 'resource_link', uri: 'file:///big.bin', name: 'big.bin' },
    ],
  }));
  server.registerTool('fails', { description: 'Always fails', inputSchema: { why: z.string().optional() } }, async ({ why }) => ({
    content: [{ type: 'text', text: `it failed: ${why ?? 'no reason'}` }],
    isError: true,
  }));
  server.registerTool('throws', { description: 'Throws' }, async () => {
    throw new Error('exploded');
  });
  server.registerTool('slow', { description: 'Waits', inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { content: [{ type: 'text', text: `waited ${ms} ms` }] };
  });
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw ? JSON.parse(raw) : undefined;
}

export interface McpHttpTestServer {
  base: string;
  /** Streamable HTTP endpoint. */
  mcpUrl: string;
  /** SSE endpoint (the auto transport picks SSE for it). */
  sseUrl: string;
  requests: number;
  close(): Promise<void>;
}

export async function startMcpHttpServer(name = 'test-server'): Promise<McpHttpTestServer> {
  const sse = new Map<string, SSEServerTransport>();
  const state = { requests: 0 };
  const http = createServer((req, res) => {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    void (async () => {
      if (url.pathname === '/mcp' && req.method === 'POST') {
        const server = buildTestMcpServer(name);
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        res.on('close', () => {
          void transport.close();
          void server.close();
        });
        await server.connect(transport);
        await transport.handleRequest(req, res, await readJson(req));
      } else if (url.pathname === '/sse' && req.method === 'GET') {
        const transport = new SSEServerTransport('/messages', res);
        sse.set(transport.sessionId, transport);
        res.on('close', () => sse.delete(transport.sessionId));
        await buildTestMcpServer(name).connect(transport);
      } else if (url.pathname === '/messages' && req.method === 'POST') {
        const transport = sse.get(url.searchParams.get('sessionId') ?? '');
        if (!transport) res.writeHead(404).end('unknown session');
        else await transport.handlePostMessage(req, res, await readJson(req));
      } else res.writeHead(405, { allow: 'POST' }).end();
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const { port } = http.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    mcpUrl: `${base}/mcp`,
    sseUrl: `${base}/sse`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

export { closedPort } from './loopback-http.js';

/**
 * Source of a stdio MCP server for `node --input-type=module -e`: tools/list answers in two pages
 * (alpha, then beta); calls echo their arguments. It writes a line to stderr when it starts.
 */
export const PAGINATED_STDIO_SERVER = `
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
const server = new Server({ name: 'paged', version: '1.0.0' }, { capabilities: { tools: {} } });
const schema = { type: 'object', properties: { text: { type: 'string', description: 'Some text' } }, required: ['text'] };
server.setRequestHandler(ListToolsRequestSchema, async (request) => request.params?.cursor === 'page-2'
  ? { tools: [{ name: 'beta.tool', description: 'Second page', inputSchema: schema }] }
  : { tools: [{ name: 'alpha', description: 'First page', inputSchema: schema }], nextCursor: 'page-2' });
server.setRequestHandler(CallToolRequestSchema, async (request) => ({
  content: [{ type: 'text', text: request.params.name + ':' + JSON.stringify(request.params.arguments) }],
}));
process.stderr.write('paged server ready\\n');
await server.connect(new StdioServerTransport());
`;

/** A stdio "server" that fails at startup with a message on stderr. */
export const CRASHING_STDIO_SERVER = `process.stderr.write('fatal: config file missing\\n'); process.exit(3);`;
