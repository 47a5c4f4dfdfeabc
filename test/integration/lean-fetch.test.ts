import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeanFetch } from '../../src/models/lean-fetch.js';
import { finalAnswer, startOpenAIServer } from '../helpers/openai-server.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

function answer(req: IncomingMessage, res: ServerResponse, body: string) {
  seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
  const path = new URL(req.url!, 'http://x').pathname;
  if (path === '/echo') {
    res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
    res.end(JSON.stringify({ method: req.method, url: req.url, body, authorization: req.headers.authorization }));
  } else if (path === '/limited') {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
    res.end('{"error":{"message":"slow down"}}');
  } else if (path === '/empty') {
    res.writeHead(204);
    res.end();
  } else if (path === '/moved') {
    res.writeHead(307, { location: '/echo?from=moved' });
    res.end();
  } else if (path === '/slow') {
    setTimeout(() => {
      if (!res.destroyed) res.end('{}');
    }, 5_000).unref();
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => answer(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('lean fetch (undici dispatcher)', () => {
  it('sends method, path, query, headers and body, and returns a standard Response', async () => {
    const lean = createLeanFetch();
    await lean.load();
    const response = await lean.fetch(`${base}/echo?x=1`, { method: 'POST', headers: new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' }), body: '{"a":1}' });
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-multi')).toBe('a, b');
    const expected = { method: 'POST', url: '/echo?x=1', body: '{"a":1}', authorization: 'Bearer k' };
    expect(await response.json()).toEqual(expected);
    // The body held in memory reads the same through every accessor, the stream included.
    expect(JSON.parse(await response.text())).toEqual(expected);
    expect(JSON.parse(Buffer.from(await response.arrayBuffer()).toString('utf8'))).toEqual(expected);
    const streamed = await new Response(response.body).text();
    expect(JSON.parse(streamed)).toEqual(expected);
    await lean.close();
  });

  it('keeps error statuses and their headers, and gives null-body statuses no body', async () => {
    const lean = createLeanFetch();
    await lean.load();
    const limited = await lean.fetch(`${base}/limited`, { method: 'POST', body: '{}' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toEqual({ error: { message: 'slow down' } });
    const empty = await lean.fetch(`${base}/empty`, { method: 'GET' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    await lean.close();
  });

  it('follows a redirect through the built-in fetch', async () => {
    const lean = createLeanFetch();
    await lean.load();
    const response = await lean.fetch(`${base}/moved`, { method: 'GET' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { url: string }).url).toBe('/echo?from=moved');
    await lean.close();
  });

  it('stops a request when its signal aborts, with an AbortError as fetch would', async () => {
    const lean = createLeanFetch();
    await lean.load();
    const controller = new AbortController();
    const pending = lean.fetch(`${base}/slow`, { method: 'POST', body: '{}', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.name).toBe('AbortError');
    await lean.close();
  });

  it('reports a refused connection with its system error code (the endpoint breaker reads it)', async () => {
    const lean = createLeanFetch();
    await lean.load();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = (await lean.fetch(`http://127.0.0.1:${port}/v1`, { method: 'POST', body: '{}' }).catch((caught: unknown) => caught)) as { code?: string };
    expect(error.code).toBe('ECONNREFUSED');
    await lean.close();
  });

  it('answers requests made before undici has loaded through the built-in fetch', async () => {
    const lean = createLeanFetch();
    const response = await lean.fetch(`${base}/echo`, { method: 'POST', body: 'early' });
    expect(((await response.json()) as { body: string }).body).toBe('early');
    await lean.close();
  });

  it('serves the real openai SDK: completions, and its own timeout classification', async () => {
    const model = await startOpenAIServer({ responder: () => finalAnswer('42') });
    const lean = createLeanFetch();
    await lean.load();
    try {
      const client = new OpenAI({ baseURL: `${model.url}/v1`, apiKey: 'sk-test', maxRetries: 0, fetch: lean.fetch });
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(completion.choices[0]?.message.tool_calls?.[0]?.type === 'function' ? completion.choices[0]?.message.tool_calls?.[0]?.function.name : undefined).toBe('final_answer');
      const slow = new OpenAI({ baseURL: base, apiKey: 'sk-test', maxRetries: 0, timeout: 100, fetch: lean.fetch });
      const error = await slow.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, { path: '/slow' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    } finally {
      await lean.close();
      await model.close();
    }
  });
});
