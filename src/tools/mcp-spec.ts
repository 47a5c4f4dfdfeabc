// MCP server specs from the command line: `--mcp-server-url [name=]URL` with
// `--mcp-transport auto|streamable-http|sse`, and `--mcp-server-command "[name=]cmd args"` (stdio).
// The optional name becomes the tools' prefix as in SMOLTRACE: lower case, non-alphanumerics
// turned into `_`, leading/trailing `_` stripped.
import { basename } from 'node:path';
import { InputError } from '../errors.js';

export type McpTransportOption = 'auto' | 'streamable-http' | 'sse';
export const MCP_TRANSPORTS: readonly McpTransportOption[] = ['auto', 'streamable-http', 'sse'];

export type McpServerSpec =
  | { kind: 'http'; transport: 'streamable-http' | 'sse'; url: string; prefix?: string; label: string }
  | { kind: 'stdio'; command: string; args: string[]; prefix?: string; label: string };

const NAMED = /^([A-Za-z][A-Za-z0-9_-]*)=(.*)$/s;

/** SMOLTRACE's prefix rule; undefined when nothing is left. */
export function mcpPrefix(name: string): string | undefined {
  const prefix = name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return prefix || undefined;
}

function splitName(value: string): { name?: string; prefix?: string; rest: string } {
  const match = NAMED.exec(value.trim());
  if (!match) return { rest: value.trim() };
  // The name starts with a letter, so the prefix is never empty.
  return { name: match[1]!, prefix: mcpPrefix(match[1]!), rest: match[2]!.trim() };
}

export function parseMcpTransport(value: string | undefined): McpTransportOption {
  const transport = (value ?? 'auto').trim().toLowerCase();
  if (!(MCP_TRANSPORTS as readonly string[]).includes(transport)) {
    throw new InputError(`--mcp-transport ${value}: expected one of ${MCP_TRANSPORTS.join(', ')}`);
  }
  return transport as McpTransportOption;
}

/** `URL` or `name=URL`; auto transport picks SSE when the path ends in `/sse`. */
export function parseMcpServerUrl(value: string, transport: string = 'auto'): McpServerSpec {
  const flag = '--mcp-server-url';
  const chosen = parseMcpTransport(transport);
  const { name, prefix, rest } = splitName(value);
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw new InputError(`${flag} ${value}: not a URL (expected [name=]http(s)://host/path, e.g. docs=https://example.com/mcp)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(`${flag} ${value}: the URL must be http:// or https:// (stdio servers go to --mcp-server-command)`);
  }
  const resolved = chosen === 'auto' ? (/\/sse\/?$/i.test(url.pathname) ? 'sse' : 'streamable-http') : chosen;
  return { kind: 'http', transport: resolved, url: url.href, ...(prefix ? { prefix } : {}), label: name ?? `${url.host}${url.pathname}` };
}

/**
 * Splits a command line like a POSIX shell would, without running one: whitespace separates words,
 * '…' is literal, "…" allows \" \\ \$ \` escapes, and outside quotes a backslash escapes a space,
 * quote or backslash (other backslashes stay, so Windows paths work). Throws on an open quote.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) throw new Error('unterminated single quote');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let closed = false;
      for (i++; i < line.length; i++) {
        const d = line[i]!;
        if (d === '"') {
          closed = true;
          break;
        }
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
        else word += d;
      }
      if (!closed) throw new Error('unterminated double quote');
    } else if (c === '\\' && i + 1 < line.length && /[\s'"\\]/.test(line[i + 1]!)) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** `"cmd args"` or `"name=cmd args"`, run over stdio without a shell. */
export function parseMcpServerCommand(value: string): McpServerSpec {
  const flag = '--mcp-server-command';
  const { name, prefix, rest } = splitName(value);
  let words: string[];
  try {
    words = splitCommandLine(rest);
  } catch (error) {
    throw new InputError(`${flag} ${value}: ${(error as Error).message}`);
  }
  const [command, ...args] = words;
  if (!command) throw new InputError(`${flag} ${value}: no command given (expected e.g. "npx -y @modelcontextprotocol/server-everything")`);
  return { kind: 'stdio', command, args, ...(prefix ? { prefix } : {}), label: name ?? basename(command) };
}
