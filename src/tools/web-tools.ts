// Optional web tools (spec 3.2, smolagents' VisitWebpageTool and WikipediaSearchTool):
// visit_webpage goes through the same public-address guard as curl; wikipedia_search only talks
// to Wikipedia's API (overridable through ToolContext.endpoints.wikipedia for tests).
import { TextDecoder } from 'node:util';
import { z } from 'zod';
import { guardedRequest, headerValue } from './guarded-http.js';
import { htmlToText } from './html-text.js';
import type { NetworkGuardOptions } from './network-guard.js';
import { ToolError, defineTool, type AnyTool } from './types.js';
import { AGENT_EVAL_VERSION } from '../version.js';

export const VISIT_WEBPAGE_MAX_CHARS = 40_000;
const VISIT_WEBPAGE_MAX_BYTES = 2 * 1024 * 1024;
const VISIT_WEBPAGE_TIMEOUT_MS = 20_000;
const USER_AGENT = `agent-eval/${AGENT_EVAL_VERSION} (LLM agent evaluation harness)`;

/** smolagents' marker, head only. */
function truncateChars(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n..._This content has been truncated to stay below ${max} characters_...`;
}

export function createVisitWebpageTool(guard: NetworkGuardOptions = {}): AnyTool {
  return defineTool({
    name: 'visit_webpage',
    description:
      'Visits a public web page and returns its content as text with light markdown (headings, links, lists), ' +
      `at most ${VISIT_WEBPAGE_MAX_CHARS} characters. Local and private network addresses are refused.`,
    input: z.object({
      url: z.string().min(1).describe('The http:// or https:// URL of the page to visit.'),
    }),
    outputType: 'string',
    async execute({ url }, context) {
      const response = await guardedRequest(
        {
          url: url.trim(),
          headers: { 'User-Agent': USER_AGENT, Accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5' },
          timeoutMs: VISIT_WEBPAGE_TIMEOUT_MS,
          maxBodyBytes: VISIT_WEBPAGE_MAX_BYTES,
          signal: context.signal,
        },
        guard,
      );
      if (response.status >= 400) throw new ToolError(`Error fetching the webpage: HTTP ${response.status} ${response.statusText}`.trim());
      const contentType = (headerValue(response.headers, 'content-type') ?? '').toLowerCase();
      const textual = contentType === '' || /^text\/|json|xml|javascript/.test(contentType);
      if (!textual) throw new ToolError(`The page is not text (${contentType}); visit_webpage reads HTML and text pages only`);
      const charset = /charset\s*=\s*"?([\w.:-]+)/.exec(contentType)?.[1] ?? 'utf-8';
      let decoder: TextDecoder;
      try {
        decoder = new TextDecoder(charset);
      } catch {
        decoder = new TextDecoder('utf-8');
      }
      const raw = decoder.decode(response.body);
      const isHtml = contentType.includes('html') || (contentType === '' && /<html|<body|<p\b/i.test(raw.slice(0, 4096)));
      let text = isHtml ? htmlToText(raw, response.url) : raw.trim();
      if (response.truncated) text += `\n..._The page is larger than ${VISIT_WEBPAGE_MAX_BYTES / (1024 * 1024)} MiB; the rest was not read_...`;
      return text ? truncateChars(text, VISIT_WEBPAGE_MAX_CHARS) : '(the page has no text content)';
    },
  });
}

export const visitWebpageTool = createVisitWebpageTool();

export const WIKIPEDIA_API_URL = 'https://en.wikipedia.org/w/api.php';
export const WIKIPEDIA_MAX_CHARS = 40_000;
const WIKIPEDIA_TIMEOUT_MS = 15_000;

interface WikipediaPage {
  title?: unknown;
  extract?: unknown;
  fullurl?: unknown;
  index?: unknown;
}

export const wikipediaSearchTool = defineTool({
  name: 'wikipedia_search',
  description:
    'Searches English Wikipedia and returns the best matching article: its title, plain text (up to ' +
    `${WIKIPEDIA_MAX_CHARS} characters) and URL.`,
  input: z.object({
    query: z.string().min(1).describe('The topic to look up, e.g. "Python (programming language)" or "Eiffel Tower".'),
  }),
  outputType: 'string',
  async execute({ query }, context) {
    const endpoint = new URL(context.endpoints?.wikipedia ?? WIKIPEDIA_API_URL);
    const params = {
      action: 'query', format: 'json', formatversion: '2', redirects: '1', generator: 'search', gsrsearch: query,
      gsrlimit: '1', gsrnamespace: '0', prop: 'extracts|info', explaintext: '1', inprop: 'url',
    };
    for (const [key, value] of Object.entries(params)) endpoint.searchParams.set(key, value);
    let body: unknown;
    try {
      const response = await fetch(endpoint, {
        headers: { 'User-Agent': USER_AGENT, Accept: 'application/json' },
        signal: AbortSignal.any([context.signal, AbortSignal.timeout(WIKIPEDIA_TIMEOUT_MS)]),
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new ToolError(`wikipedia_search failed: Wikipedia answered HTTP ${response.status}`);
      }
      body = await response.json();
    } catch (error) {
      if (error instanceof ToolError || context.signal.aborted) throw error;
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${WIKIPEDIA_TIMEOUT_MS / 1000} s` : error instanceof Error ? error.message : String(error);
      throw new ToolError(`wikipedia_search failed: could not reach Wikipedia (${reason}). This tool needs network access.`);
    }
    const pages = (body as { query?: { pages?: WikipediaPage[] } } | null)?.query?.pages;
    const page = Array.isArray(pages) ? [...pages].sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0))[0] : undefined;
    if (!page || typeof page.title !== 'string') return `No Wikipedia page found for '${query}'. Try a different query.`;
    const extract = typeof page.extract === 'string' && page.extract.trim() ? page.extract.trim() : '(no text)';
    const url = typeof page.fullurl === 'string' ? page.fullurl : `https://en.wikipedia.org/wiki/${encodeURIComponent(page.title.replace(/ /g, '_'))}`;
    return `✅ **Wikipedia Page:** ${page.title}\n\n**Content:** ${truncateChars(extract, WIKIPEDIA_MAX_CHARS)}\n\n🔗 **Read more:** ${url}`;
  },
});
