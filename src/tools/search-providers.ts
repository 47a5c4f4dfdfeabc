// The API search backends of web_search (SMOLTRACE's --search-provider): Serper (Google results) and
// Brave Search, each with its key from the environment. DuckDuckGo's HTML page, the default, needs
// no key and stays in web-search.ts. `endpoint` replaces the provider's URL (a proxy, a test server).
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { SearchResult } from './web-search.js';

export const SEARCH_PROVIDERS = ['duckduckgo', 'serper', 'brave'] as const;
export type SearchProvider = (typeof SEARCH_PROVIDERS)[number];

export const SERPER_URL = 'https://google.serper.dev/search';
export const BRAVE_URL = 'https://api.search.brave.com/res/v1/web/search';

/** What web_search needs to reach its provider. */
export interface SearchSettings {
  provider: SearchProvider;
  /** SERPER_API_KEY or BRAVE_API_KEY (not used for duckduckgo). */
  apiKey?: string;
  /** The provider's URL instead of the default. */
  endpoint?: string;
}

const KEY_NAMES: Record<Exclude<SearchProvider, 'duckduckgo'>, string> = { serper: 'SERPER_API_KEY', brave: 'BRAVE_API_KEY' };
export const DISPLAY_NAMES: Record<SearchProvider, string> = { duckduckgo: 'DuckDuckGo', serper: 'Serper', brave: 'Brave Search' };

/**
 * The settings for `--search-provider` from the environment: the provider's key (an InputError names
 * the missing variable) and `AGENT_EVAL_SEARCH_URL`, which replaces the provider's URL.
 */
export function searchSettings(provider: string | undefined, env: Record<string, string | undefined>): SearchSettings {
  const chosen = (provider ?? 'duckduckgo').trim().toLowerCase();
  if (!(SEARCH_PROVIDERS as readonly string[]).includes(chosen)) {
    throw new InputError(`--search-provider ${provider}: choose one of ${SEARCH_PROVIDERS.join(', ')}`);
  }
  const endpoint = env.AGENT_EVAL_SEARCH_URL?.trim();
  if (endpoint && !URL.canParse(endpoint)) throw new InputError(`AGENT_EVAL_SEARCH_URL ${endpoint}: not a URL`);
  const settings: SearchSettings = { provider: chosen as SearchProvider, ...(endpoint && { endpoint }) };
  if (settings.provider === 'duckduckgo') return settings;
  const keyName = KEY_NAMES[settings.provider];
  const apiKey = env[keyName]?.trim();
  if (!apiKey) throw new InputError(`--search-provider ${settings.provider}: set ${keyName} (web_search sends it to ${DISPLAY_NAMES[settings.provider]})`);
  return { ...settings, apiKey };
}

const serperSchema = z.object({
  organic: z.array(z.looseObject({ title: z.string().default(''), link: z.string(), snippet: z.string().default('') })).default([]),
});
const braveSchema = z.object({
  web: z.object({ results: z.array(z.looseObject({ title: z.string().default(''), url: z.string(), description: z.string().default('') })).default([]) }).optional(),
});

/** The HTTP request for an API provider. */
export function searchRequest(settings: SearchSettings, query: string, limit: number): { url: string; init: RequestInit } {
  if (settings.provider === 'serper') {
    return {
      url: settings.endpoint ?? SERPER_URL,
      init: { method: 'POST', headers: { 'X-API-KEY': settings.apiKey ?? '', 'Content-Type': 'application/json' }, body: JSON.stringify({ q: query, num: limit }) },
    };
  }
  const url = new URL(settings.endpoint ?? BRAVE_URL);
  url.searchParams.set('q', query);
  url.searchParams.set('count', String(limit));
  return { url: url.href, init: { method: 'GET', headers: { 'X-Subscription-Token': settings.apiKey ?? '', Accept: 'application/json' } } };
}

/** Results from an API provider's JSON answer; null when the answer is not in the provider's shape. */
export function parseSearchAnswer(provider: Exclude<SearchProvider, 'duckduckgo'>, body: unknown, limit: number): SearchResult[] | null {
  if (provider === 'serper') {
    const parsed = serperSchema.safeParse(body);
    return parsed.success ? parsed.data.organic.slice(0, limit).map((item) => ({ title: item.title, url: item.link, snippet: item.snippet })) : null;
  }
  const parsed = braveSchema.safeParse(body);
  if (!parsed.success) return null;
  // Brave marks query terms with <strong>; the snippet is plain text here.
  const plain = (text: string) => text.replace(/<[^>]*>/g, '');
  return (parsed.data.web?.results ?? []).slice(0, limit).map((item) => ({ title: plain(item.title), url: item.url, snippet: plain(item.description) }));
}
