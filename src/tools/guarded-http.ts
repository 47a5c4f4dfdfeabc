// HTTP(S) requests for curl and visit_webpage that only reach vetted public addresses: the host is
// resolved and checked (network-guard.ts), the socket connects to the checked address through a
// fixed `lookup` (TLS still verifies the host name), and redirects are followed by hand, each hop
// checked again. Bodies are read up to a cap and the connection is then dropped.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkUrlShape, urlHost, vetHost, type NetworkGuardOptions, type ResolvedAddress } from './network-guard.js';
import { ToolError } from './types.js';

export const MAX_REDIRECTS = 5;

export interface GuardedRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  followRedirects?: boolean;
  /** Bytes of body to keep; the rest is not read. */
  maxBodyBytes: number;
  signal?: AbortSignal;
}

export interface GuardedResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body was longer than maxBodyBytes. */
  truncated: boolean;
  url: string;
  redirects: number;
}

function fixedLookup(vetted: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
    else callback(null, vetted.address, vetted.family);
  }) as unknown as LookupFunction;
}

function once(url: URL, vetted: ResolvedAddress, request: GuardedRequest, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<Omit<GuardedResponse, 'url' | 'redirects'>> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    let req: http.ClientRequest;
    try {
      req = client.request(
        {
          protocol: url.protocol,
          hostname: urlHost(url),
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method,
          headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
          lookup: fixedLookup(vetted),
          agent: false,
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          let truncated = false;
          const done = (): void => {
            res.removeAllListeners('data');
            resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks), truncated });
          };
          res.on('data', (chunk: Buffer) => {
            const room = request.maxBodyBytes - kept;
            if (chunk.length > room) {
              if (room > 0) chunks.push(chunk.subarray(0, room));
              kept = request.maxBodyBytes;
              truncated = true;
              done();
              res.destroy();
              return;
            }
            chunks.push(chunk);
            kept += chunk.length;
          });
          res.on('end', done);
          res.on('error', reject);
          res.on('aborted', () => reject(new Error('the connection closed before the response ended')));
        },
      );
    } catch (error) {
      reject(new ToolError(`Invalid request: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const SENSITIVE_ON_CROSS_ORIGIN = ['authorization', 'cookie', 'proxy-authorization'];

function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

/** Performs the request through the guard; ToolErrors for refusals, bad input and network failures. */
export async function guardedRequest(request: GuardedRequest, guard: NetworkGuardOptions = {}): Promise<GuardedResponse> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new ToolError(`Invalid URL: ${request.url}`);
  }
  checkUrlShape(url);
  let method = (request.method ?? 'GET').toUpperCase();
  let body = request.body;
  let headers = { ...request.headers };
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  for (let redirects = 0; ; redirects++) {
    const vetted = await vetHost(url, guard);
    let response: Awaited<ReturnType<typeof once>>;
    try {
      response = await once(url, vetted, request, method, headers, body, signal);
    } catch (error) {
      if (error instanceof ToolError) throw error;
      if (request.signal?.aborted) throw request.signal.reason ?? error;
      const reason = timeout.aborted ? `no response within ${request.timeoutMs / 1000} s` : describeFailure(error);
      throw new ToolError(`Request to ${url.origin} failed: ${reason}`);
    }
    const location = response.headers.location;
    const isRedirect = [301, 302, 303, 307, 308].includes(response.status) && typeof location === 'string';
    if (!isRedirect || request.followRedirects === false) return { ...response, url: url.href, redirects };
    if (redirects >= MAX_REDIRECTS) throw new ToolError(`Too many redirects (more than ${MAX_REDIRECTS}), last to ${location}`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new ToolError(`Invalid redirect location: ${location}`);
    }
    checkUrlShape(next, `redirect to ${next.href}`);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      if (method !== 'HEAD') method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !/^content-(type|length)$/i.test(name)));
    }
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !SENSITIVE_ON_CROSS_ORIGIN.includes(name.toLowerCase())));
    }
    url = next;
  }
}

/** A response header as one string (repeated headers joined with ", "). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
