/**
 * The one Hugging Face Hub module: every call goes through HubClient, which passes `hubUrl`
 * (HF_ENDPOINT or https://huggingface.co) and the token on each @huggingface/hub call, retries
 * 429/5xx/network failures with exponential backoff, and turns failures into HubError messages.
 */
import * as hub from '@huggingface/hub';
import { InputError } from '../errors.js';
import { classifyHubError, HubError, isRetryable, type HubCallContext } from './hub-error.js';
import { resolveHubToken, type HubTokenInput, type ResolvedHubToken } from './token.js';

export { HubError, type HubErrorKind } from './hub-error.js';

export const DEFAULT_HUB_URL = 'https://huggingface.co';

/** HF_ENDPOINT (without a trailing slash) or https://huggingface.co. */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HF_ENDPOINT?.trim() || DEFAULT_HUB_URL).replace(/\/+$/, '');
}

export interface RetryOptions {
  /** Attempts in all; default 3. */
  tries?: number;
  /** First delay; doubles each retry. Default 1000 ms. */
  baseDelayMs?: number;
}

export interface HubClientOptions {
  token?: string;
  hubUrl?: string;
  /** For logging or tests; default the global fetch. */
  fetch?: typeof fetch;
  retry?: RetryOptions;
}

export interface HubDatasetInfo {
  id: string;
  /** The commit sha the revision resolved to. */
  sha: string;
  private: boolean;
  gated: false | 'auto' | 'manual';
  createdAt: Date | null;
  lastModified: Date | null;
  /** The README's YAML front matter as the Hub parsed it; null without a card. */
  cardData: Record<string, unknown> | null;
  tags: string[];
}

export interface HubDatasetEntry {
  id: string;
  private: boolean;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface HubFileEntry {
  path: string;
  size: number;
  /** What the Hub's cache layout names the file's blob by: the LFS sha256, else the git blob id. */
  etag: string;
}

export interface HubUploadFile {
  path: string;
  /** Bytes, text, or a Blob (a file opened with fs.openAsBlob is streamed, never read whole). */
  content: Uint8Array | string | Blob;
}

type Repo = { type: 'dataset' | 'model'; name: string };
const dataset = (name: string): Repo => ({ type: 'dataset', name });
const model = (name: string): Repo => ({ type: 'model', name });

function date(value: unknown): Date | null {
  if (typeof value !== 'string' && !(value instanceof Date)) return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class HubClient {
  readonly hubUrl: string;
  readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly tries: number;
  private readonly baseDelayMs: number;

  constructor(options: HubClientOptions = {}) {
    this.hubUrl = (options.hubUrl ?? hubEndpoint()).replace(/\/+$/, '');
    if (options.token !== undefined && !options.token.startsWith('hf_')) {
      throw new InputError('the Hub token must start with "hf_"');
    }
    this.token = options.token;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.tries = Math.max(1, options.retry?.tries ?? 3);
    this.baseDelayMs = options.retry?.baseDelayMs ?? 1000;
  }

  /** A client with the token from `resolveHubToken` (explicit, file, HF_TOKEN, cached login) and HF_ENDPOINT. */
  static async fromEnvironment(
    options: HubTokenInput & { hubUrl?: string; fetch?: typeof fetch; retry?: RetryOptions } = {},
  ): Promise<{ client: HubClient; token: ResolvedHubToken | null }> {
    const token = await resolveHubToken(options);
    const client = new HubClient({
      hubUrl: options.hubUrl ?? hubEndpoint(options.env ?? process.env),
      ...(token && { token: token.token }),
      ...(options.fetch && { fetch: options.fetch }),
      ...(options.retry && { retry: options.retry }),
    });
    return { client, token };
  }

  /** https://huggingface.co/datasets/{repo} */
  datasetUrl(repo: string): string {
    return `${this.hubUrl}/datasets/${repo}`;
  }

  /**
   * Runs one library call with this client's hubUrl, token and a fetch that remembers the failed
   * response's X-Error-Code; retries retryable failures; classifies the final error.
   */
  private async call<T>(
    context: Omit<HubCallContext, 'hubUrl' | 'hasToken'>,
    run: (common: { hubUrl: string; accessToken: string; fetch: typeof fetch }) => Promise<T>,
    options: { retryConflicts?: boolean; once?: boolean } = {},
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let errorCode: string | undefined;
      const probe: typeof fetch = async (input, init) => {
        const response = await this.fetchImpl(input, init);
        if (!response.ok) errorCode = response.headers.get('x-error-code') ?? undefined;
        return response;
      };
      try {
        // An empty token sends no Authorization header (the library skips falsy tokens).
        return await run({ hubUrl: this.hubUrl, accessToken: this.token ?? '', fetch: probe });
      } catch (error) {
        const classified = classifyHubError(error, { ...context, hubUrl: this.hubUrl, hasToken: !!this.token, ...(errorCode && { errorCode }) });
        if (attempt >= this.tries || options.once || !isRetryable(classified, options.retryConflicts)) {
          if (attempt > 1 && isRetryable(classified, options.retryConflicts)) classified.message += ` (after ${attempt} tries)`;
          throw classified;
        }
        await sleep(this.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  /** The token's user name; a HubError 'auth' without a valid token. */
  async whoami(): Promise<{ name: string; type: string }> {
    if (!this.token) throw new HubError('Hub whoami: no Hub token; set HF_TOKEN, pass --hf-token-file, or run `hf auth login`', 'auth');
    const me = await this.call({ action: 'whoami' }, (common) => hub.whoAmI({ ...common, accessToken: this.token! }));
    return { name: me.name, type: me.type };
  }

  /** Creates `name` ("user/repo") as a dataset; an existing repo is kept as it is (`created: false`). */
  async createDatasetRepo(name: string, options: { private: boolean }): Promise<{ repo: string; url: string; created: boolean }> {
    try {
      await this.call({ action: 'create dataset', repo: name }, (common) =>
        hub.createRepo({ ...common, repo: dataset(name), visibility: options.private ? 'private' : 'public' }),
      );
      return { repo: name, url: this.datasetUrl(name), created: true };
    } catch (error) {
      if (error instanceof HubError && error.status === 409) return { repo: name, url: this.datasetUrl(name), created: false };
      throw error;
    }
  }

  /** One commit adding or replacing `files` (and deleting `delete`); returns the commit sha (null if the Hub did not say). */
  async uploadFiles(repo: string, files: readonly HubUploadFile[], commitTitle: string, options: { description?: string; delete?: readonly string[] } = {}): Promise<{ commit: string | null }> {
    const operations: hub.CommitOperation[] = [
      ...files.map((file) => ({
        operation: 'addOrUpdate' as const,
        path: file.path,
        content: file.content instanceof Blob ? file.content : new Blob([typeof file.content === 'string' ? file.content : new Uint8Array(file.content)]),
      })),
      ...(options.delete ?? []).map((path) => ({ operation: 'delete' as const, path })),
    ];
    const output = await this.call(
      { action: 'upload to', repo },
      (common) =>
        hub.commit({
          ...common,
          repo: dataset(repo),
          operations,
          title: commitTitle,
          ...(options.description && { description: options.description }),
          useWebWorkers: false,
        }),
      { retryConflicts: true },
    );
    return { commit: output?.commit.oid ?? null };
  }

  async deleteRepo(repo: string): Promise<void> {
    await this.call({ action: 'delete', repo }, (common) => hub.deleteRepo({ ...common, repo: dataset(repo) }));
  }

  /** The datasets of `author` visible to the token (its private ones included), with creation times. */
  async listDatasets(author: string, options: { search?: string } = {}): Promise<HubDatasetEntry[]> {
    return this.call({ action: 'list datasets of', repo: author }, async (common) => {
      const entries: HubDatasetEntry[] = [];
      const search = { owner: author, ...(options.search && { query: options.search }) };
      for await (const entry of hub.listDatasets({ ...common, search, additionalFields: ['createdAt'] })) {
        entries.push({ id: entry.name, private: entry.private, createdAt: date(entry.createdAt), updatedAt: date(entry.updatedAt) });
      }
      return entries;
    });
  }

  /** Info at `revision` (branch, tag or sha): the resolved sha, visibility, creation time, card data. */
  async datasetInfo(repo: string, revision = 'main'): Promise<HubDatasetInfo> {
    const info = await this.call({ action: 'read dataset', repo, revision }, (common) =>
      hub.datasetInfo({ ...common, name: repo, revision, additionalFields: ['sha', 'createdAt', 'cardData', 'tags'] }),
    );
    const cardData = info.cardData as unknown;
    return {
      id: info.name,
      sha: info.sha,
      private: info.private,
      gated: info.gated,
      createdAt: date(info.createdAt),
      lastModified: info.updatedAt instanceof Date && !Number.isNaN(info.updatedAt.getTime()) ? info.updatedAt : null,
      cardData: typeof cardData === 'object' && cardData !== null && !Array.isArray(cardData) ? (cardData as Record<string, unknown>) : null,
      tags: Array.isArray(info.tags) ? info.tags : [],
    };
  }

  /** The file's bytes, or null when the file does not exist at `revision`. */
  async downloadFile(repo: string, revision: string, path: string): Promise<Uint8Array | null> {
    return this.call({ action: 'download', repo, revision, path }, async (common) => {
      const blob = await hub.downloadFile({ ...common, repo: dataset(repo), revision, path });
      return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
    });
  }

  /** Every file (recursively) of a dataset (or model) repo at `revision`, optionally under `path`. */
  async listFiles(repo: string, revision = 'main', path?: string, repoType: Repo['type'] = 'dataset'): Promise<HubFileEntry[]> {
    return this.call({ action: 'list files of', repo, revision, repoType }, async (common) => {
      const files: HubFileEntry[] = [];
      const designation = repoType === 'model' ? model(repo) : dataset(repo);
      for await (const entry of hub.listFiles({ ...common, repo: designation, revision, recursive: true, ...(path && { path }) })) {
        if (entry.type === 'file') files.push({ path: entry.path, size: entry.size, etag: entry.lfs?.oid ?? entry.oid ?? entry.xetHash ?? '' });
      }
      return files;
    });
  }

  /** A model repo at `revision` (branch, tag or sha): the commit sha it resolves to. */
  async modelInfo(repo: string, revision = 'main'): Promise<{ id: string; sha: string; gated: false | 'auto' | 'manual' }> {
    const info = await this.call({ action: 'read model', repo, revision, repoType: 'model' }, (common) =>
      hub.modelInfo({ ...common, name: repo, revision, additionalFields: ['sha'] }),
    );
    return { id: info.name, sha: info.sha, gated: info.gated };
  }

  /**
   * A Hub API route the library does not cover (the Jobs API, /api/jobs/...): JSON in, the Response
   * out (a JSON body or an event stream), with this client's hubUrl, token, retries and error
   * classification. `once`: no retry (a POST that creates something must not run twice).
   */
  async apiRequest(method: 'GET' | 'POST', path: string, options: { action: string; body?: unknown; once?: boolean }): Promise<Response> {
    const url = `${this.hubUrl}${path}`;
    return this.call({ action: options.action }, async (common) => {
      const headers: Record<string, string> = { ...(this.token && { authorization: `Bearer ${this.token}` }), ...(options.body !== undefined && { 'content-type': 'application/json' }) };
      const response = await common.fetch(url, { method, headers, ...(options.body !== undefined && { body: JSON.stringify(options.body) }) });
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        let message = text;
        try {
          message = (JSON.parse(text) as { error?: string }).error ?? text;
        } catch {
          // a plain-text error body
        }
        throw new hub.HubApiError(url, response.status, undefined, message || response.statusText);
      }
      return response;
    }, { once: options.once ?? false });
  }

  /**
   * Opens one file of a model repo at `revision` from /resolve/ (redirects followed, the token sent
   * on this host only, as fetch drops Authorization across origins). The caller streams the body.
   */
  async openModelFile(repo: string, revision: string, path: string, signal?: AbortSignal): Promise<Response> {
    const url = `${this.hubUrl}/${repo}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
    return this.call({ action: 'download', repo, revision, path, repoType: 'model' }, async (common) => {
      const response = await common.fetch(url, { ...(this.token && { headers: { authorization: `Bearer ${this.token}` } }), ...(signal && { signal }) });
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        let message = text;
        try {
          message = (JSON.parse(text) as { error?: string }).error ?? text;
        } catch {
          // a plain-text error body
        }
        throw new hub.HubApiError(url, response.status, undefined, message || response.statusText);
      }
      return response;
    });
  }
}
