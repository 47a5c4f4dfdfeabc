import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCurlTool, curlTool, parseHeaders } from '../../src/tools/curl.js';
import { htmlToText } from '../../src/tools/html-text.js';
import { classifyAddress, isPublicAddress, parseIPv6, vetHost, type NetworkGuardOptions } from '../../src/tools/network-guard.js';
import { ToolError, type ToolContext } from '../../src/tools/types.js';
import { createVisitWebpageTool, visitWebpageTool, wikipediaSearchTool } from '../../src/tools/web-tools.js';

const context = (overrides: Partial<ToolContext> = {}): ToolContext => ({
  signal: new AbortController().signal,
  workingDirectory: process.cwd(),
  now: () => new Date('2026-01-15T12:00:00Z'),
  ...overrides,
});

interface TestServer {
  url: string;
  port: number;
  requests: string[];
  close(): Promise<void>;
}

async function serve(host: string, handler: (req: IncomingMessage, res: ServerResponse, port: number) => void): Promise<TestServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res, (server.address() as AddressInfo).port);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** 127.0.0.2 stands in for a public host below; Linux routes all of 127/8 to loopback, macOS does not by default. */
const canBindSecondLoopback = await new Promise<boolean>((resolve) => {
  const probe = createServer();
  probe.once('error', () => resolve(false));
  probe.listen(0, '127.0.0.2', () => probe.close(() => resolve(true)));
});

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['1.1.1.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['100.127.255.255', 'shared (CGNAT)'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'site-local'],
    ['2001:db8::1', 'documentation'],
    ['2001:4860:4860::8888', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['[2606:4700:4700::1111]', 'public'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::127.0.0.1', 'reserved'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:0808:0808::', 'public'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['example.com', 'invalid'],
    ['1.2.3', 'invalid'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
    expect(isPublicAddress(address)).toBe(expected === 'public');
  });

  it('parses IPv6 groups', () => {
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIPv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('nope')).toBeUndefined();
  });

  it('refuses a host when any of its addresses is not public', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 as const },
      { address: '10.0.0.5', family: 4 as const },
    ];
    await expect(vetHost(new URL('http://mixed.example/'), { resolve })).rejects.toThrow(/mixed\.example resolves to 10\.0\.0\.5, which is a private address/);
    await expect(vetHost(new URL('http://ok.example/'), { resolve: async () => [{ address: '8.8.8.8', family: 4 }] })).resolves.toEqual({ address: '8.8.8.8', family: 4 });
    await expect(vetHost(new URL('http://none.example/'), { resolve: async () => [] })).rejects.toThrow(/Could not resolve host 'none\.example'/);
    const dual = async () => [
      { address: '2606:4700:4700::1111', family: 6 as const },
      { address: '1.1.1.1', family: 4 as const },
    ];
    await expect(vetHost(new URL('http://dual.example/'), { resolve: dual })).resolves.toEqual({ address: '1.1.1.1', family: 4 });
  });
});

describe('curl', () => {
  let loopback: TestServer;
  beforeAll(async () => {
    loopback = await serve('127.0.0.1', (_req, res) => res.end('secret internal data'));
  });
  afterAll(async () => {
    await loopback.close();
  });
  afterEach(() => {
    loopback.requests.length = 0;
  });

  it.each([
    ['loopback literal', () => `${loopback.url}/admin`, /Access denied: 127\.0\.0\.1 is a loopback address/],
    ['localhost', () => `http://localhost:${loopback.port}/`, /Access denied: localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/],
    ['IPv6 loopback', () => `http://[::1]:${loopback.port}/`, /Access denied: ::1 is a loopback address/],
    ['mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${loopback.port}/`, /loopback address/],
    ['decimal IPv4', () => `http://2130706433:${loopback.port}/`, /127\.0\.0\.1 is a loopback/],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/', /link-local address/],
    ['private', () => 'http://10.0.0.1/', /private address/],
    ['0.0.0.0', () => `http://0.0.0.0:${loopback.port}/`, /unspecified address/],
  ])('refuses %s without sending a request', async (_name, url, message) => {
    await expect(curlTool.execute({ url: url() }, context())).rejects.toThrow(message);
    expect(loopback.requests).toEqual([]);
  });

  it('refuses credentials, other schemes and bad input', async () => {
    await expect(curlTool.execute({ url: `http://user:pw@127.0.0.1:${loopback.port}/` }, context())).rejects.toThrow(/Credentials in the URL/);
    await expect(curlTool.execute({ url: 'file:///etc/passwd' }, context())).rejects.toThrow(/Only http and https URLs are allowed, not 'file'/);
    await expect(curlTool.execute({ url: 'ftp://example.com/' }, context())).rejects.toThrow(/not 'ftp'/);
    await expect(curlTool.execute({ url: 'not a url' }, context())).rejects.toThrow('Invalid URL: not a url');
    await expect(curlTool.execute({ url: 'https://example.com', method: 'TRACE' }, context())).rejects.toThrow(/Unsupported method/);
    expect(loopback.requests).toEqual([]);
  });

  it('parses headers from objects and JSON strings', () => {
    expect(parseHeaders({ Accept: 'text/plain', 'X-N': 3 })).toEqual({ Accept: 'text/plain', 'X-N': '3' });
    expect(parseHeaders('{"Accept": "application/json"}')).toEqual({ Accept: 'application/json' });
    expect(parseHeaders({ 'Content-Length': '99', 'Transfer-Encoding': 'chunked', 'X-Ok': 'y' })).toEqual({ 'X-Ok': 'y' });
    expect(() => parseHeaders('not json')).toThrow(/JSON object/);
    expect(() => parseHeaders({ 'Bad Name': 'x' })).toThrow(/Invalid header name/);
    expect(() => parseHeaders({ 'X-A': 'a\r\nInjected: 1' })).toThrow(/line break/);
    expect(() => parseHeaders({ Host: 'internal' })).toThrow(/Host header/);
  });

  describe.skipIf(!canBindSecondLoopback)('with a resolver that maps a public-looking name to a loopback server', () => {
    // 127.0.0.2 stands in for a public host: only it is allowed; 127.0.0.1 keeps its loopback status.
    let publicHost: TestServer;
    const guard: NetworkGuardOptions = {
      resolve: async (hostname) => {
        if (hostname === 'public.example') return [{ address: '127.0.0.2', family: 4 }];
        if (hostname === 'internal.example') return [{ address: '127.0.0.1', family: 4 }];
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      },
      isAllowed: (address) => address === '127.0.0.2' || isPublicAddress(address),
    };
    const tool = createCurlTool(guard);

    beforeAll(async () => {
      publicHost = await serve('127.0.0.2', (req, res, port) => {
        const path = req.url ?? '/';
        if (path === '/to-loopback') res.writeHead(302, { location: `http://127.0.0.1:${loopback.port}/secret` }).end();
        else if (path === '/to-internal-name') res.writeHead(301, { location: `http://internal.example:${loopback.port}/secret` }).end();
        else if (path === '/to-creds') res.writeHead(302, { location: 'http://u:p@public.example/' }).end();
        else if (path === '/to-file') res.writeHead(302, { location: 'file:///etc/passwd' }).end();
        else if (path === '/hop') res.writeHead(303, { location: '/final' }).end();
        else if (path === '/loop') res.writeHead(302, { location: '/loop' }).end();
        else if (path === '/big') res.writeHead(200, { 'content-type': 'text/plain' }).end('y'.repeat(20_000));
        else if (path === '/image') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(100));
        else if (path === '/slow') setTimeout(() => res.end('late'), 3000);
        else if (path === '/echo') {
          let body = '';
          req.on('data', (chunk) => (body += chunk));
          req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body, accept: req.headers.accept, port })));
        } else res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`final page at ${path}`);
      });
    });
    afterAll(async () => {
      await publicHost.close();
    });

    it('fetches, showing status, selected headers and the body', async () => {
      const out = await tool.execute(
        { url: `http://public.example:${publicHost.port}/echo`, method: 'post', headers: '{"Accept": "application/json"}', body: 'hi' },
        context(),
      );
      expect(out).toMatch(/^HTTP 201 Created\nContent-Type: application\/json\n(Content-Length: \d+\n)?\n/);
      expect(JSON.parse(out.split('\n\n')[1]!)).toMatchObject({ method: 'POST', body: 'hi', accept: 'application/json' });
    });

    it('follows allowed redirects and reports the final URL', async () => {
      const out = await tool.execute({ url: `http://public.example:${publicHost.port}/hop` }, context());
      expect(out).toContain(`X-Final-URL: http://public.example:${publicHost.port}/final`);
      expect(out).toMatch(/\n\nfinal page at \/final$/);
      const noFollow = await tool.execute({ url: `http://public.example:${publicHost.port}/hop`, follow_redirects: false }, context());
      expect(noFollow).toMatch(/^HTTP 303 See Other\nLocation: \/final/);
    });

    it.each([
      ['/to-loopback', /Access denied: 127\.0\.0\.1 is a loopback address/],
      ['/to-internal-name', /Access denied: internal\.example resolves to 127\.0\.0\.1, which is a loopback address/],
      ['/to-creds', /Credentials in the URL/],
      ['/to-file', /Only http and https URLs are allowed/],
      ['/loop', /Too many redirects \(more than 5\)/],
    ])('checks every redirect hop: %s', async (path, message) => {
      await expect(tool.execute({ url: `http://public.example:${publicHost.port}${path}` }, context())).rejects.toThrow(message);
      expect(loopback.requests).toEqual([]);
    });

    it('caps the body at 5000 bytes and describes binary bodies', async () => {
      const out = await tool.execute({ url: `http://public.example:${publicHost.port}/big` }, context());
      expect(out).toMatch(/\n\ny{5000}\n\.\.\. \[body truncated at 5000 bytes\]$/);
      await expect(tool.execute({ url: `http://public.example:${publicHost.port}/image` }, context())).resolves.toMatch(/\[binary body: image\/png\]$/);
    });

    it('times out', async () => {
      await expect(tool.execute({ url: `http://public.example:${publicHost.port}/slow`, timeout: 0.2 }, context())).rejects.toThrow(
        /failed: no response within 1 s/,
      );
    });

    it('visit_webpage converts HTML through the same guard', async () => {
      const visit = createVisitWebpageTool(guard);
      await expect(visit.execute({ url: `http://public.example:${publicHost.port}/to-loopback` }, context())).rejects.toThrow(/loopback address/);
      await expect(visit.execute({ url: `http://public.example:${publicHost.port}/plain` }, context())).resolves.toBe('final page at /plain');
      await expect(visit.execute({ url: `http://public.example:${publicHost.port}/image` }, context())).rejects.toThrow(/not text \(image\/png\)/);
      await expect(visitWebpageTool.execute({ url: `${loopback.url}/` }, context())).rejects.toThrow(/loopback address/);
      expect(loopback.requests).toEqual([]);
    });
  });
});

describe('htmlToText', () => {
  it('keeps headings, links, lists and paragraphs; drops scripts and styles', () => {
    const html = `<!doctype html><html><head><title>My &amp; Page</title><style>body{color:red}</style>
      <script>var x = "<p>not text</p>";</script></head>
      <body><h1>Main  heading</h1><p>First <b>para</b>graph with a <a href="/docs?a=1&amp;b=2">relative link</a>.</p>
      <!-- a comment --><ul><li>one</li><li>two</li></ul><p>Line<br>break &lt;ok&gt; &#169; &#x263A;</p>
      <a href="javascript:alert(1)">js link</a><noscript>enable js</noscript><p>a < b's</p></body></html>`;
    expect(htmlToText(html, 'https://example.com/start/page.html')).toBe(
      [
        'My & Page',
        '',
        '# Main heading',
        '',
        'First paragraph with a [relative link](https://example.com/docs?a=1&b=2).',
        '',
        '- one',
        '- two',
        '',
        'Line',
        'break <ok> © ☺',
        '',
        'js link',
        '',
        "a < b's",
      ].join('\n'),
    );
  });

  it('is linear on hostile input', () => {
    const started = Date.now();
    htmlToText('<a "'.repeat(200_000) + '<script>'.repeat(50_000) + '<title'.repeat(50_000));
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('wikipedia_search', () => {
  let api: TestServer;
  let lastQuery: URLSearchParams | undefined;
  beforeAll(async () => {
    api = await serve('127.0.0.1', (req, res) => {
      lastQuery = new URL(req.url ?? '/', 'http://x').searchParams;
      const q = lastQuery.get('gsrsearch');
      res.writeHead(200, { 'content-type': 'application/json' });
      if (q === 'nothing at all') res.end(JSON.stringify({ batchcomplete: true }));
      else if (q === 'broken') res.end('not json');
      else res.end(JSON.stringify({ query: { pages: [{ pageid: 1, index: 1, title: 'Eiffel Tower', extract: 'The Eiffel Tower is a tower in Paris.', fullurl: 'https://en.wikipedia.org/wiki/Eiffel_Tower' }] } }));
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it('returns the best page in smolagents\' format', async () => {
    const out = await wikipediaSearchTool.execute({ query: 'eiffel tower' }, context({ endpoints: { wikipedia: `${api.url}/w/api.php` } }));
    expect(out).toBe(
      '✅ **Wikipedia Page:** Eiffel Tower\n\n**Content:** The Eiffel Tower is a tower in Paris.\n\n🔗 **Read more:** https://en.wikipedia.org/wiki/Eiffel_Tower',
    );
    expect(lastQuery?.get('generator')).toBe('search');
    expect(lastQuery?.get('explaintext')).toBe('1');
  });

  it('says when nothing is found, and fails clearly', async () => {
    const ctx = context({ endpoints: { wikipedia: `${api.url}/w/api.php` } });
    await expect(wikipediaSearchTool.execute({ query: 'nothing at all' }, ctx)).resolves.toBe("No Wikipedia page found for 'nothing at all'. Try a different query.");
    await expect(wikipediaSearchTool.execute({ query: 'broken' }, ctx)).rejects.toBeInstanceOf(ToolError);
    await expect(wikipediaSearchTool.execute({ query: 'x' }, context({ endpoints: { wikipedia: 'http://127.0.0.1:1/w/api.php' } }))).rejects.toThrow(
      /wikipedia_search failed: could not reach Wikipedia/,
    );
  });
});
