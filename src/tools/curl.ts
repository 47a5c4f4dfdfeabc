// SMOLTRACE's curl tool (spec 3.2): http(s) only, no credentials in the URL, every resolved address
// public (checked again on each redirect), body capped at 5000 bytes.
import { TextDecoder } from 'node:util';
import { z } from 'zod';
import { guardedRequest, headerValue, type GuardedResponse } from './guarded-http.js';
import type { NetworkGuardOptions } from './network-guard.js';
import { ToolError, defineTool, type AnyTool } from './types.js';
import { AGENT_EVAL_VERSION } from '../version.js';

export const CURL_MAX_BODY_BYTES = 5000;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const SHOWN_HEADERS = ['Content-Type', 'Content-Length', 'Location', 'Last-Modified', 'Retry-After', 'WWW-Authenticate'];
const MAX_REQUEST_BODY = 1024 * 1024;
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer']);

/** Request headers from an object or a JSON string; values must be strings, numbers or booleans. */
export function parseHeaders(value: unknown): Record<string, string> {
  if (value === undefined || value === null || value === '') return {};
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new ToolError('headers must be a JSON object, e.g. {"Accept": "application/json"}');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ToolError('headers must be a JSON object of header names to values');
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(parsed)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new ToolError(`Invalid header name '${name}'`);
    if (!['string', 'number', 'boolean'].includes(typeof raw)) throw new ToolError(`Header '${name}' must have a string value`);
    const text = String(raw);
    if (/[\r\n\0]/.test(text)) throw new ToolError(`Header '${name}' contains a line break`);
    const lower = name.toLowerCase();
    if (lower === 'host') throw new ToolError('The Host header cannot be set; put the host in the URL');
    if (FRAMING_HEADERS.has(lower)) continue; // set from the body by the HTTP client
    headers[name] = text;
  }
  return headers;
}

function isBinary(contentType: string | undefined, body: Buffer): boolean {
  if (contentType && /^(image|audio|video|font)\/|^application\/(octet-stream|zip|gzip|pdf|x-(?!www-form))/i.test(contentType)) return true;
  return body.subarray(0, 1024).includes(0);
}

function decodeBody(response: GuardedResponse): string {
  const contentType = headerValue(response.headers, 'content-type');
  if (isBinary(contentType, response.body)) return `[binary body: ${contentType ?? 'unknown type'}]`;
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  const text = decoder.decode(response.body);
  return response.truncated ? text.replace(/\uFFFD+$/, '') : text;
}

/** `HTTP {status}\n{selected headers}\n\n{body}`, the body cut at 5000 bytes with a marker. */
export function formatCurlResponse(response: GuardedResponse): string {
  const lines = [`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`];
  for (const name of SHOWN_HEADERS) {
    const value = headerValue(response.headers, name);
    if (value !== undefined) lines.push(`${name}: ${value}`);
  }
  if (response.redirects > 0) lines.push(`X-Final-URL: ${response.url}`);
  let body = decodeBody(response);
  if (response.truncated) body += `\n... [body truncated at ${CURL_MAX_BODY_BYTES} bytes]`;
  return `${lines.join('\n')}\n\n${body}`;
}

/** The curl tool; `guard` replaces DNS resolution and the address policy (tests only). */
export function createCurlTool(guard: NetworkGuardOptions = {}): AnyTool {
  return defineTool({
    name: 'curl',
    description:
      'Makes an HTTP(S) request to a public internet address and returns "HTTP <status>", the main response headers ' +
      'and up to 5000 bytes of the body. Local and private network addresses are refused.',
    input: z.object({
      url: z.string().min(1).describe('The http:// or https:// URL.'),
      method: z.string().optional().describe('HTTP method: GET (default), POST, PUT, PATCH, DELETE, HEAD or OPTIONS.'),
      headers: z
        .union([z.record(z.string(), z.unknown()), z.string()])
        .optional()
        .describe('Request headers as a JSON object, e.g. {"Accept": "application/json"}.'),
      body: z.string().optional().describe('Request body, e.g. a JSON string for POST.'),
      timeout: z.number().optional().describe('Timeout in seconds (1-60). Default: 30.'),
      follow_redirects: z.boolean().optional().describe('Follow up to 5 redirects. Default: true.'),
    }),
    outputType: 'string',
    async execute(input, context) {
      const method = (input.method ?? 'GET').trim().toUpperCase();
      if (!METHODS.includes(method)) throw new ToolError(`Unsupported method '${input.method}' (use ${METHODS.join(', ')})`);
      const headers = parseHeaders(input.headers);
      if (input.body !== undefined && Buffer.byteLength(input.body) > MAX_REQUEST_BODY) throw new ToolError('The request body is larger than 1 MiB');
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent')) headers['User-Agent'] = `agent-eval/${AGENT_EVAL_VERSION}`;
      const seconds = Math.min(60, Math.max(1, Number.isFinite(input.timeout) ? input.timeout! : 30));
      const response = await guardedRequest(
        {
          url: input.url.trim(),
          method,
          headers,
          body: input.body,
          timeoutMs: seconds * 1000,
          followRedirects: input.follow_redirects ?? true,
          maxBodyBytes: CURL_MAX_BODY_BYTES,
          signal: context.signal,
        },
        guard,
      );
      return formatCurlResponse(response);
    },
  });
}

export const curlTool = createCurlTool();
