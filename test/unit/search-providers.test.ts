// web_search on Serper and Brave Search (SMOLTRACE's --search-provider) against loopback servers that
// check the key header and answer in each API's shape; the settings from the environment.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { resolveTools } from '../../src/tools/registry.js';
import { searchSettings, type SearchSettings } from '../../src/tools/search-providers.js';
import type { ToolContext } from '../../src/tools/types.js';
import { createWebSearchTool } from '../../src/tools/web-search.js';

const context = (): ToolContext => ({ signal: new AbortController().signal, workingDirectory: process.cwd(), now: () => new Date(0) });

interface Seen {
  method?: string;
  path?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: request.method, path: request.url, headers: request.headers, body });
      const json = (status: number, value: unknown) => response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
      if (request.url?.startsWith('/serper')) {
        if (request.headers['x-api-key'] !== 'serper-key') return json(403, { message: 'Unauthorized.' });
        const { q, num } = JSON.parse(body) as { q: string; num: number };
        if (q === 'nothing') return json(200, { organic: [] });
        return json(200, {
          searchParameters: { q },
          organic: Array.from({ length: num + 2 }, (_, index) => ({ title: `Result ${index} for ${q}`, link: `https://example.com/${index}`, snippet: `Snippet ${index}`, position: index + 1 })),
        });
      }
      if (request.url?.startsWith('/brave')) {
        if (request.headers['x-subscription-token'] !== 'brave-key') return json(401, { error: 'bad token' });
        const url = new URL(request.url, 'http://localhost');
        if (url.searchParams.get('q') === 'garbage') return response.writeHead(200).end('<html>not json</html>');
        return json(200, {
          type: 'search',
          web: { results: [{ title: `About <strong>${url.searchParams.get('q')}</strong>`, url: 'https://brave.example/1', description: 'A <strong>short</strong> text' }] },
        });
      }
      return json(404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('searchSettings', () => {
  it('takes the key of the chosen provider from the environment, and AGENT_EVAL_SEARCH_URL', () => {
    expect(searchSettings(undefined, {})).toEqual({ provider: 'duckduckgo' });
    expect(searchSettings('serper', { SERPER_API_KEY: ' k1 ' })).toEqual({ provider: 'serper', apiKey: 'k1' });
    expect(searchSettings('Brave', { BRAVE_API_KEY: 'k2', AGENT_EVAL_SEARCH_URL: 'http://127.0.0.1:1/x' })).toEqual({ provider: 'brave', apiKey: 'k2', endpoint: 'http://127.0.0.1:1/x' });
    expect(() => searchSettings('serper', {})).toThrow(new InputError('--search-provider serper: set SERPER_API_KEY (web_search sends it to Serper)'));
    expect(() => searchSettings('brave', { SERPER_API_KEY: 'x' })).toThrow(/--search-provider brave: set BRAVE_API_KEY/);
    expect(() => searchSettings('bing', {})).toThrow(new InputError('--search-provider bing: choose one of duckduckgo, serper, brave'));
    expect(() => searchSettings('duckduckgo', { AGENT_EVAL_SEARCH_URL: 'not a url' })).toThrow(/AGENT_EVAL_SEARCH_URL not a url: not a URL/);
  });

  it('puts web_search on that provider; google_search is its alias only there', () => {
    const serper: SearchSettings = { provider: 'serper', apiKey: 'k' };
    const tools = resolveTools({ enableTools: ['google_search'], search: serper });
    expect(tools.filter((tool) => tool.name === 'web_search')).toHaveLength(1);
    expect(tools.find((tool) => tool.name === 'web_search')!.description).toMatch(/^Searches the web with Serper/);
    expect(() => resolveTools({ enableTools: ['google_search'], search: { provider: 'duckduckgo' } })).toThrow(/needs --search-provider serper or brave/);
  });
});

describe('web_search on the API providers', () => {
  it('Serper: POSTs the query with X-API-KEY and formats the organic results', async () => {
    const tool = createWebSearchTool({ provider: 'serper', apiKey: 'serper-key', endpoint: `${base}/serper` });
    const output = await tool.execute({ query: 'agent evaluation', max_results: 2 }, context());
    expect(output).toBe('## Search Results\n\n[Result 0 for agent evaluation](https://example.com/0)\nSnippet 0\n\n[Result 1 for agent evaluation](https://example.com/1)\nSnippet 1');
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', path: '/serper' });
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({ q: 'agent evaluation', num: 2 });
    await expect(tool.execute({ query: 'nothing' }, context())).rejects.toThrow("No results found for 'nothing'");
  });

  it('Brave: GETs with X-Subscription-Token and count, and strips the markup', async () => {
    const tool = createWebSearchTool({ provider: 'brave', apiKey: 'brave-key', endpoint: `${base}/brave/res/v1/web/search` });
    expect(await tool.execute({ query: 'typescript' }, context())).toBe('## Search Results\n\n[About typescript](https://brave.example/1)\nA short text');
    const request = seen.at(-1)!;
    expect(request.method).toBe('GET');
    expect(request.path).toBe('/brave/res/v1/web/search?q=typescript&count=5');
    expect(request.headers.accept).toBe('application/json');
    await expect(tool.execute({ query: 'garbage' }, context())).rejects.toThrow('web_search failed: Brave Search answered something that is not search results');
  });

  it('names the provider and the key variable when the key is refused or the server is unreachable', async () => {
    await expect(createWebSearchTool({ provider: 'serper', apiKey: 'wrong', endpoint: `${base}/serper` }).execute({ query: 'x' }, context())).rejects.toThrow(
      /^web_search failed: Serper answered HTTP 403 Forbidden \(check SERPER_API_KEY\)$/,
    );
    await expect(createWebSearchTool({ provider: 'brave', apiKey: 'wrong', endpoint: `${base}/brave` }).execute({ query: 'x' }, context())).rejects.toThrow(/Brave Search answered HTTP 401 .*\(check BRAVE_API_KEY\)$/);
    const closed = createWebSearchTool({ provider: 'serper', apiKey: 'k', endpoint: 'http://127.0.0.1:1/serper' });
    await expect(closed.execute({ query: 'x' }, context())).rejects.toThrow(/^web_search failed: could not reach Serper \(.*\)\. This tool needs network access\.$/);
  });
});
