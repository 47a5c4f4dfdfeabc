// HTTP plumbing shared by the loopback servers (the fault answers by all three): body reading, request
// records, JSON replies, delays that close() cancels, listen and close.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Fault, RecordedRequest } from './openai-server.js';

export interface LoopbackHttp {
  /** http://127.0.0.1:PORT */
  url: string;
  readonly closed: boolean;
  /** Resolves after `ms`, or never once the server is closed (its socket is destroyed anyway). */
  sleep(ms: number): Promise<void>;
  close(): Promise<void>;
}

export type LoopbackHandler = (req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, raw: string) => Promise<void> | void;

export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders?: Record<string, string>): void {
  if (res.destroyed || res.writableEnded) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

/**
 * Answers a scripted fault the same way for every fake server: a status (with Retry-After and the
 * server's own error body), a dropped socket, a truncated JSON body, or no answer at all.
 */
export function sendFault(
  req: IncomingMessage,
  res: ServerResponse,
  fault: Fault,
  server: { sendError: (status: number, headers?: Record<string, string>) => void; malformedBody: string; contentType?: string },
): void {
  switch (fault.kind) {
    case 'status': {
      const headers = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : undefined;
      if (fault.body !== undefined) sendJson(res, fault.status, fault.body, headers);
      else server.sendError(fault.status, headers);
      return;
    }
    case 'drop':
      req.socket.destroy();
      return;
    case 'malformed':
      res.writeHead(200, { 'content-type': server.contentType ?? 'application/json', 'content-length': Buffer.byteLength(server.malformedBody) });
      res.end(server.malformedBody);
      return;
    case 'hang':
      return; // never answered; close() destroys the socket
  }
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** JSON body, the raw text when it is not JSON, undefined when empty. */
export function parseBody(raw: string): unknown {
  if (!raw.length) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Listens on 127.0.0.1 on a free port; `handle` gets every request with its body read. */
export async function startLoopbackHttp(handle: LoopbackHandler): Promise<LoopbackHttp> {
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const server = createServer({ noDelay: true }, (req, res) => {
    const receivedAt = Date.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const rec: RecordedRequest = { body: parseBody(raw), headers: req.headers, path, method, receivedAt };
      Promise.resolve()
        .then(() => handle(req, res, rec, raw))
        .catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 10_000; // longer than undici's 4 s default, so the client closes idle sockets first
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get closed() {
      return closed;
    },
    sleep(ms: number) {
      return new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.add(t);
      });
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // includes hanging and keep-alive sockets
      });
    },
  };
}

/** Rough token estimate of the request's messages (4 characters a token), as the OpenAI fake does. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.round(chars / 4));
}

/** A loopback port nothing listens on: bound, then released (for "connection refused" tests). */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
