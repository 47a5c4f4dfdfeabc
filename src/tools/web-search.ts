import { z } from 'zod';
import { DISPLAY_NAMES, parseSearchAnswer, searchRequest, type SearchSettings } from './search-providers.js';
import { ToolError, defineTool, type AnyTool, type ToolContext } from './types.js';

export const DUCKDUCKGO_HTML_URL = 'https://html.duckduckgo.com/html/';
export const WEB_SEARCH_TIMEOUT_MS = 15_000;
const USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return ENTITIES[name.toLowerCase()] ?? entity;
  });
}

/** Visible text of an HTML fragment: tags removed, entities decoded, whitespace collapsed. */
function htmlText(fragment: string): string {
  return decodeEntities(fragment.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(attributes);
  return match ? decodeEntities(match[1] ?? match[2] ?? '') : undefined;
}

/** The target of a DuckDuckGo link: `//duckduckgo.com/l/?uddg=<encoded>&rut=…` is unwrapped. */
export function decodeResultUrl(href: string): string {
  try {
    const url = new URL(href, 'https://duckduckgo.com');
    const target = url.searchParams.get('uddg');
    if (target) return target;
    return url.href;
  } catch {
    return href;
  }
}

const TITLE_LINK = /<a\b([^>]*\bclass\s*=\s*["'][^"']*\bresult__a\b[^"']*["'][^>]*)>([\s\S]*?)<\/a>/gi;
const SNIPPET = /<(a|div|td|span)\b[^>]*\bclass\s*=\s*["'][^"']*\bresult__snippet\b[^"']*["'][^>]*>([\s\S]*?)<\/\1>/i;

/** Results of a DuckDuckGo HTML page, ads skipped, at most `limit`. */
export function parseDuckDuckGoHtml(html: string, limit: number): SearchResult[] {
  const titles = [...html.matchAll(TITLE_LINK)];
  const results: SearchResult[] = [];
  for (const [index, match] of titles.entries()) {
    if (results.length >= limit) break;
    const href = attribute(match[1] ?? '', 'href');
    if (!href) continue;
    const url = decodeResultUrl(href);
    if (/^https?:\/\/([^/]+\.)?duckduckgo\.com\//i.test(url)) continue; // ads go through duckduckgo.com/y.js
    const start = (match.index ?? 0) + match[0].length;
    const end = titles[index + 1]?.index ?? html.length;
    const snippet = SNIPPET.exec(html.slice(start, end));
    results.push({ title: htmlText(match[2] ?? ''), url, snippet: snippet ? htmlText(snippet[2] ?? '') : '' });
  }
  return results;
}

/** smolagents' DuckDuckGoSearchTool output format. */
export function formatSearchResults(results: readonly SearchResult[]): string {
  return `## Search Results\n\n${results.map((result) => `[${result.title}](${result.url})\n${result.snippet}`).join('\n\n')}`;
}

function failureReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${WEB_SEARCH_TIMEOUT_MS / 1000} s`;
  }
  const cause = error instanceof Error ? (error.cause as { message?: unknown; code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.message === 'string' && cause.message) return cause.message;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

async function duckDuckGoHtml(query: string, endpoint: string, signal: AbortSignal): Promise<Response> {
  return fetch(endpoint, {
    method: 'POST',
    headers: {
      'User-Agent': USER_AGENT,
      Accept: 'text/html,application/xhtml+xml',
      'Accept-Language': 'en-US,en;q=0.9',
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ q: query, b: '', kl: '' }).toString(),
    signal,
  });
}

/** One request to the provider; the body as text. Failures are ToolErrors naming the provider. */
async function fetchAnswer(settings: SearchSettings, query: string, limit: number, context: ToolContext): Promise<string> {
  const name = DISPLAY_NAMES[settings.provider];
  const signal = AbortSignal.any([context.signal, AbortSignal.timeout(WEB_SEARCH_TIMEOUT_MS)]);
  try {
    let response: Response;
    if (settings.provider === 'duckduckgo') {
      response = await duckDuckGoHtml(query, settings.endpoint ?? context.endpoints?.duckDuckGo ?? DUCKDUCKGO_HTML_URL, signal);
    } else {
      const request = searchRequest(settings, query, limit);
      response = await fetch(request.url, { ...request.init, signal });
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const hint = response.status === 401 || response.status === 403 ? ` (check ${settings.provider === 'serper' ? 'SERPER_API_KEY' : 'BRAVE_API_KEY'})` : '';
      throw new ToolError(`web_search failed: ${name} answered HTTP ${response.status} ${response.statusText}`.trim() + (settings.provider === 'duckduckgo' ? '' : hint));
    }
    return await response.text();
  } catch (error) {
    if (error instanceof ToolError || context.signal.aborted) throw error;
    throw new ToolError(`web_search failed: could not reach ${name} (${failureReason(error)}). This tool needs network access.`);
  }
}

function resultsOf(settings: SearchSettings, body: string, limit: number): SearchResult[] {
  if (settings.provider === 'duckduckgo') {
    const results = parseDuckDuckGoHtml(body, limit);
    if (results.length === 0 && /anomaly|challenge-form|captcha/i.test(body)) {
      throw new ToolError('web_search failed: DuckDuckGo refused the request with a bot check; try again later.');
    }
    return results;
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const results = parseSearchAnswer(settings.provider, json, limit);
  if (!results) throw new ToolError(`web_search failed: ${DISPLAY_NAMES[settings.provider]} answered something that is not search results`);
  return results;
}

/** web_search on the chosen provider (SMOLTRACE's --search-provider); DuckDuckGo by default. */
export function createWebSearchTool(settings: SearchSettings = { provider: 'duckduckgo' }): AnyTool {
  return defineTool({
    name: 'web_search',
    description:
      `Searches the web with ${DISPLAY_NAMES[settings.provider]} and returns the top results as markdown links with a short snippet each. ` +
      'Needs network access.',
    input: z.object({
      query: z.string().min(1).describe('The search query, e.g. "Python programming language".'),
      max_results: z.number().int().min(1).max(10).optional().describe('How many results to return (1-10). Default: 5.'),
    }),
    outputType: 'string',
    async execute({ query, max_results: maxResults = 5 }, context) {
      const results = resultsOf(settings, await fetchAnswer(settings, query, maxResults, context), maxResults);
      if (results.length === 0) throw new ToolError(`No results found for '${query}'`);
      return formatSearchResults(results);
    },
  });
}

export const webSearchTool = createWebSearchTool();
