import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FINAL_ANSWER_TOOL, builtinTools } from '../../src/tools/builtin.js';
import { finalAnswerTool } from '../../src/tools/final-answer.js';
import { timeTool } from '../../src/tools/time.js';
import { ToolError, type ToolContext } from '../../src/tools/types.js';
import { lookupWeather, weatherTool } from '../../src/tools/weather.js';
import { decodeResultUrl, webSearchTool } from '../../src/tools/web-search.js';

const fixedDate = new Date('2026-01-15T12:00:00Z');
const context = (overrides: Partial<ToolContext> = {}): ToolContext => ({
  signal: new AbortController().signal,
  workingDirectory: process.cwd(),
  now: () => fixedDate,
  ...overrides,
});

describe('builtinTools', () => {
  it('lists the five tools in order, with JSON-Schema-able inputs', () => {
    const tools = builtinTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'get_weather',
      'calculator',
      'get_current_time',
      'web_search',
      FINAL_ANSWER_TOOL,
    ]);
    expect(FINAL_ANSWER_TOOL).toBe('final_answer');
    for (const tool of tools) {
      expect(tool.description.length).toBeGreaterThan(20);
      expect(tool.outputType).toBe(tool.name === 'final_answer' ? 'any' : 'string');
      const schema = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as {
        properties: Record<string, { description?: string }>;
      };
      for (const property of Object.values(schema.properties)) expect(property.description).toBeTruthy();
    }
  });
});

describe('get_weather', () => {
  it.each([
    ['Paris, France', '20°C, Partly Cloudy'],
    ['London, UK', '15°C, Rainy'],
    ['New York, USA', '25°C, Sunny'],
    ['Tokyo, Japan', '18°C, Clear'],
    ['Sydney, Australia', '22°C, Windy'],
    ['paris, france', '20°C, Partly Cloudy'],
    ['  NEW   YORK ,usa ', '25°C, Sunny'],
  ])('%j -> %s', async (location, expected) => {
    await expect(weatherTool.execute({ location }, context())).resolves.toBe(expected);
  });

  it('falls back like SMOLTRACE for other places', () => {
    expect(lookupWeather('Berlin, Germany')).toBe('Weather data for Berlin, Germany: 22°C, Clear');
    expect(lookupWeather('Paris')).toBe('Weather data for Paris: 22°C, Clear');
  });
});

describe('get_current_time', () => {
  it.each([
    [undefined, 'UTC', '2026-01-15 12:00:00'],
    ['UTC', 'UTC', '2026-01-15 12:00:00'],
    ['GMT', 'GMT', '2026-01-15 12:00:00'],
    ['Asia/Tokyo', 'Asia/Tokyo', '2026-01-15 21:00:00'],
    ['asia/tokyo', 'asia/tokyo', '2026-01-15 21:00:00'],
    ['America/New_York', 'America/New_York', '2026-01-15 07:00:00'],
    ['Europe/Paris', 'Europe/Paris', '2026-01-15 13:00:00'],
    ['Asia/Kolkata', 'Asia/Kolkata', '2026-01-15 17:30:00'],
    ['Pacific/Kiritimati', 'Pacific/Kiritimati', '2026-01-16 02:00:00'],
    ['UTC+2', 'UTC+2', '2026-01-15 14:00:00'],
    ['+05:30', '+05:30', '2026-01-15 17:30:00'],
    ['GMT-03:30', 'GMT-03:30', '2026-01-15 08:30:00'],
    ['  ', 'UTC', '2026-01-15 12:00:00'],
  ])('%j', async (timezone, shown, expected) => {
    await expect(timeTool.execute({ timezone }, context())).resolves.toBe(`Current time in ${shown}: ${expected}`);
  });

  it('follows daylight saving time', async () => {
    const summer = context({ now: () => new Date('2026-07-01T12:00:00Z') });
    await expect(timeTool.execute({ timezone: 'America/New_York' }, summer)).resolves.toBe(
      'Current time in America/New_York: 2026-07-01 08:00:00',
    );
  });

  it.each(['Mars/Olympus', 'Tokyo', 'UTC+15'])('rejects %j', async (timezone) => {
    const run = timeTool.execute({ timezone }, context());
    await expect(run).rejects.toBeInstanceOf(ToolError);
    await expect(timeTool.execute({ timezone }, context())).rejects.toThrow(
      `Unknown time zone '${timezone}'. Use an IANA name such as 'Europe/Paris' or 'UTC'.`,
    );
  });
});

const RESULTS_PAGE = `<!DOCTYPE html><html><body><div id="links" class="results">
<div class="result results_links result--ad"><h2 class="result__title">
<a rel="nofollow" class="result__a" href="https://duckduckgo.com/y.js?ad_domain=example.com&amp;u3=x">Sponsored</a></h2>
<a class="result__snippet" href="#">Buy things</a></div>
<div class="result results_links results_links_deep web-result"><div class="links_main links_deep result__body">
<h2 class="result__title"><a rel="nofollow" class="result__a"
 href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fwww.python.org%2F&amp;rut=abc">Welcome to <b>Python</b>.org</a></h2>
<a class="result__snippet" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fwww.python.org%2F">The official home of the
 <b>Python</b> Programming Language &amp; friends</a></div></div>
<div class="result results_links web-result"><h2 class="result__title">
<a class="result__a" href="https://en.wikipedia.org/wiki/Python_(programming_language)">Python (programming language) - Wikipedia</a></h2>
<div class="result__snippet">Python is a high-level, general-purpose programming language&#x27;s name.</div></div>
<div class="result results_links web-result"><h2 class="result__title">
<a class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fdocs.python.org%2F3%2F&amp;rut=def">Python 3 docs</a></h2></div>
</div></body></html>`;

describe('web_search', () => {
  let server: Server;
  let endpoint: string;
  const requests: { method?: string; url?: string; body: string; userAgent?: string }[] = [];

  const readBody = async (request: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      void readBody(request).then((body) => {
        requests.push({ method: request.method, url: request.url, body, userAgent: request.headers['user-agent'] });
        const query = new URLSearchParams(body).get('q') ?? '';
        if (request.url === '/broken/') {
          response.writeHead(503, { 'Content-Type': 'text/plain' }).end('busy');
        } else if (query === 'nothing here') {
          response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><div class="no-results">No results.</div></html>');
        } else {
          response.writeHead(200, { 'Content-Type': 'text/html' }).end(RESULTS_PAGE);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/html/`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('posts the query and formats the results like smolagents', async () => {
    const output = await webSearchTool.execute(
      { query: 'python language' },
      context({ endpoints: { duckDuckGo: endpoint } }),
    );
    expect(output).toBe(
      '## Search Results\n\n' +
        '[Welcome to Python.org](https://www.python.org/)\nThe official home of the Python Programming Language & friends\n\n' +
        '[Python (programming language) - Wikipedia](https://en.wikipedia.org/wiki/Python_(programming_language))\n' +
        "Python is a high-level, general-purpose programming language's name.\n\n" +
        '[Python 3 docs](https://docs.python.org/3/)\n',
    );
    const last = requests.at(-1);
    expect(last?.method).toBe('POST');
    expect(new URLSearchParams(last?.body).get('q')).toBe('python language');
    expect(last?.userAgent).toMatch(/Mozilla/);
  });

  it('honours max_results', async () => {
    const output = await webSearchTool.execute(
      { query: 'python', max_results: 1 },
      context({ endpoints: { duckDuckGo: endpoint } }),
    );
    expect(output).toBe('## Search Results\n\n[Welcome to Python.org](https://www.python.org/)\nThe official home of the Python Programming Language & friends');
    expect(webSearchTool.input.safeParse({ query: 'x', max_results: 11 }).success).toBe(false);
  });

  it('reports no results', async () => {
    const run = webSearchTool.execute({ query: 'nothing here' }, context({ endpoints: { duckDuckGo: endpoint } }));
    await expect(run).rejects.toThrow(new ToolError("No results found for 'nothing here'"));
  });

  it('reports an HTTP error status', async () => {
    const broken = endpoint.replace('/html/', '/broken/');
    const run = webSearchTool.execute({ query: 'python' }, context({ endpoints: { duckDuckGo: broken } }));
    await expect(run).rejects.toThrow(/web_search failed: DuckDuckGo answered HTTP 503/);
  });

  it('explains a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const run = webSearchTool.execute(
      { query: 'python' },
      context({ endpoints: { duckDuckGo: `http://127.0.0.1:${port}/html/` } }),
    );
    await expect(run).rejects.toBeInstanceOf(ToolError);
    await expect(
      webSearchTool.execute({ query: 'python' }, context({ endpoints: { duckDuckGo: `http://127.0.0.1:${port}/html/` } })),
    ).rejects.toThrow(/^web_search failed: could not reach DuckDuckGo \(.*ECONNREFUSED.*\)\. This tool needs network access\.$/);
  });

  it('lets a cancelled run abort without turning it into a ToolError', async () => {
    const controller = new AbortController();
    controller.abort();
    const run = webSearchTool.execute(
      { query: 'python' },
      context({ signal: controller.signal, endpoints: { duckDuckGo: endpoint } }),
    );
    await expect(run).rejects.not.toBeInstanceOf(ToolError);
  });

  it('unwraps DuckDuckGo redirect links', () => {
    expect(decodeResultUrl('//duckduckgo.com/l/?uddg=https%3A%2F%2Fa.example%2Fx%3Fy%3D1&rut=z')).toBe(
      'https://a.example/x?y=1',
    );
    expect(decodeResultUrl('https://b.example/page')).toBe('https://b.example/page');
  });
});

describe('final_answer', () => {
  it('returns strings as they are and other values as JSON', async () => {
    expect(finalAnswerTool.name).toBe('final_answer');
    expect(finalAnswerTool.description).toBe('Provides a final answer to the given problem.');
    await expect(finalAnswerTool.execute({ answer: 'Paris is warmer.' }, context())).resolves.toBe('Paris is warmer.');
    await expect(finalAnswerTool.execute({ answer: 15678 }, context())).resolves.toBe('15678');
    await expect(finalAnswerTool.execute({ answer: { a: [1, true, null] } }, context())).resolves.toBe(
      '{"a":[1,true,null]}',
    );
    expect(finalAnswerTool.input.safeParse({}).success).toBe(false);
  });
});
