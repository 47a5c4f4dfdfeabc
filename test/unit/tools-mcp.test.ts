import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { base64Bytes, formatCallResult } from '../../src/tools/mcp-content.js';
import { mcpPrefix, parseMcpServerCommand, parseMcpServerUrl, parseMcpTransport, splitCommandLine } from '../../src/tools/mcp-spec.js';
import { mcpToolName } from '../../src/tools/mcp.js';
import { ToolError } from '../../src/tools/types.js';

describe('parseMcpServerUrl', () => {
  it('parses plain and named URLs with SMOLTRACE prefixes', () => {
    expect(parseMcpServerUrl('https://example.com/mcp')).toEqual({ kind: 'http', transport: 'streamable-http', url: 'https://example.com/mcp', label: 'example.com/mcp' });
    expect(parseMcpServerUrl('My-Docs_2=https://example.com/mcp?x=a=b', 'auto')).toEqual({
      kind: 'http',
      transport: 'streamable-http',
      url: 'https://example.com/mcp?x=a=b',
      prefix: 'my_docs_2',
      label: 'My-Docs_2',
    });
    expect(parseMcpServerUrl('gh=http://127.0.0.1:8000/sse')).toMatchObject({ transport: 'sse', prefix: 'gh' });
    expect(parseMcpServerUrl('gh=http://127.0.0.1:8000/sse/', 'auto')).toMatchObject({ transport: 'sse' });
    expect(parseMcpServerUrl('http://127.0.0.1:8000/sse', 'streamable-http')).toMatchObject({ transport: 'streamable-http' });
    expect(parseMcpServerUrl('http://127.0.0.1:8000/mcp', 'SSE')).toMatchObject({ transport: 'sse' });
  });

  it.each([
    ['ftp://example.com/mcp', /--mcp-server-url ftp:\/\/example\.com\/mcp: the URL must be http/],
    ['example.com/mcp', /--mcp-server-url example\.com\/mcp: not a URL/],
    ['docs=', /not a URL/],
    ['_=https://example.com/', /not a URL/],
  ])('rejects %s', (value, message) => {
    expect(() => parseMcpServerUrl(value)).toThrow(message);
    expect(() => parseMcpServerUrl(value)).toThrow(InputError);
  });

  it('rejects unknown transports naming the flag', () => {
    expect(() => parseMcpTransport('websocket')).toThrow('--mcp-transport websocket: expected one of auto, streamable-http, sse');
    expect(() => parseMcpServerUrl('https://example.com/mcp', 'ws')).toThrow(InputError);
  });

  it('derives prefixes like SMOLTRACE', () => {
    expect(mcpPrefix('GitHub')).toBe('github');
    expect(mcpPrefix('my--server_')).toBe('my_server');
    expect(mcpPrefix('--')).toBeUndefined();
  });
});

describe('parseMcpServerCommand', () => {
  it('splits command lines with quotes and escapes, no shell', () => {
    expect(splitCommandLine(`npx -y @scope/server "a b" 'c "d"' e\\ f "x\\"y" C:\\path\\bin`)).toEqual([
      'npx', '-y', '@scope/server', 'a b', 'c "d"', 'e f', 'x"y', 'C:\\path\\bin',
    ]);
    expect(splitCommandLine(`  a   ''  b `)).toEqual(['a', '', 'b']);
    expect(splitCommandLine('echo $(id); rm -rf / && x')).toEqual(['echo', '$(id);', 'rm', '-rf', '/', '&&', 'x']);
  });

  it('parses optional names', () => {
    expect(parseMcpServerCommand('npx -y @modelcontextprotocol/server-everything')).toEqual({
      kind: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'], label: 'npx',
    });
    expect(parseMcpServerCommand('fs=/usr/local/bin/mcp-fs --root "/data dir"')).toEqual({
      kind: 'stdio', command: '/usr/local/bin/mcp-fs', args: ['--root', '/data dir'], prefix: 'fs', label: 'fs',
    });
  });

  it.each([
    ['', /no command given/],
    ['   ', /no command given/],
    ['name=', /no command given/],
    ['node "unterminated', /unterminated double quote/],
    ["node 'unterminated", /unterminated single quote/],
  ])('rejects %j', (value, message) => {
    expect(() => parseMcpServerCommand(value)).toThrow(message);
    expect(() => parseMcpServerCommand(value)).toThrow(/--mcp-server-command/);
  });
});

describe('mcpToolName', () => {
  it('prefixes and sanitises', () => {
    expect(mcpToolName('gh', 'search_issues')).toBe('gh_search_issues');
    expect(mcpToolName(undefined, 'get-sum')).toBe('get-sum');
    expect(mcpToolName('fs', 'files/read.all')).toBe('fs_files_read_all');
    expect(mcpToolName('p', 'x'.repeat(100))).toHaveLength(64);
  });
});

describe('formatCallResult', () => {
  it('joins text and describes media', () => {
    expect(formatCallResult({ content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }, 't')).toBe('a\nb');
    expect(formatCallResult({ content: [{ type: 'audio', data: 'AAAA', mimeType: 'audio/wav' }] }, 't')).toBe('[audio: audio/wav, 3 bytes]');
    expect(formatCallResult({ content: [{ type: 'resource', resource: { uri: 'x://b', blob: 'AAA=', mimeType: 'application/zip' } }] }, 't')).toBe(
      '[resource: x://b, application/zip, 2 bytes]',
    );
    expect(formatCallResult({ content: [{ type: 'hologram' }] }, 't')).toBe('[hologram content]');
  });

  it('uses structured content only when there is no text', () => {
    expect(formatCallResult({ content: [], structuredContent: { a: 1 } }, 't')).toBe('{"a":1}');
    expect(formatCallResult({ content: [{ type: 'image', data: 'AAAA', mimeType: 'image/png' }], structuredContent: { a: 1 } }, 't')).toBe(
      '{"a":1}\n[image: image/png, 3 bytes]',
    );
    expect(formatCallResult({ content: [{ type: 'text', text: '1' }], structuredContent: { a: 1 } }, 't')).toBe('1');
    expect(formatCallResult({ content: [] }, 't')).toBe('(the tool returned no content)');
    expect(formatCallResult({ toolResult: { legacy: true } }, 't')).toBe('{"legacy":true}');
  });

  it('throws isError results as ToolErrors', () => {
    expect(() => formatCallResult({ isError: true, content: [{ type: 'text', text: 'bad input' }] }, 't')).toThrow(new ToolError('bad input'));
    expect(() => formatCallResult({ isError: true, content: [] }, 'search')).toThrow("MCP tool 'search' reported an error without a message");
  });

  it('caps huge results', () => {
    const out = formatCallResult({ content: [{ type: 'text', text: 'z'.repeat(500_000) }] }, 't');
    expect(out.length).toBeLessThan(110_000);
    expect(out).toMatch(/\[output truncated: showing the first 102400 of 500000 bytes\]$/);
  });

  it('computes base64 sizes', () => {
    expect(base64Bytes('')).toBe(0);
    expect(base64Bytes('QQ==')).toBe(1);
    expect(base64Bytes('QUI=')).toBe(2);
    expect(base64Bytes('QUJD')).toBe(3);
  });
});
