// Record/replay storage: one plain JSON file per model request, named by the request's canonical hash.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scrubbedJson, type TextRedactor } from '../secrets/redactor.js';
import type { ModelRequest, ModelResponse, ToolSpec, Message, GenerationParameters } from './types.js';

/** The file format's name, written into every entry (README: "Record and replay"). */
export const RESPONSE_STORE_FORMAT = 'agent-eval-response-cache/1';

/** Everything that determines a model's answer: what the hash covers. */
export interface CacheKey {
  provider: string;
  model: string;
  messages: Message[];
  tools: ToolSpec[] | null;
  generation: GenerationParameters;
}

/** One stored file. */
export interface StoredEntry {
  format: typeof RESPONSE_STORE_FORMAT;
  hash: string;
  request: CacheKey;
  response: Omit<ModelResponse, 'attempts'>;
}

/** The request's determining parts; the abort signal and undefined fields are left out. */
export function cacheKey(provider: string, model: string, request: ModelRequest): CacheKey {
  const { messages, tools, signal: _signal, ...generation } = request;
  return { provider, model, messages, tools: tools?.length ? tools : null, generation };
}

/** JSON with object keys sorted at every level and undefined values dropped: the same request, the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** sha256 of the canonical JSON of the key, hex. */
export function cacheHash(key: CacheKey): string {
  return createHash('sha256').update(canonicalJson(key)).digest('hex');
}

/**
 * A folder of entries: `<dir>/<first two hex digits>/<hash>.json`, pretty-printed so a store can be
 * committed and reviewed. `redactor` removes the run's secrets from what is written.
 */
export class ResponseStore {
  constructor(
    readonly directory: string,
    private readonly redactor?: TextRedactor,
  ) {}

  pathOf(hash: string): string {
    return join(this.directory, hash.slice(0, 2), `${hash}.json`);
  }

  /** The stored response, or undefined when there is none (a file of another format counts as none). */
  async read(hash: string): Promise<StoredEntry | undefined> {
    let text: string;
    try {
      text = await readFile(this.pathOf(hash), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const entry = JSON.parse(text) as Partial<StoredEntry>;
    if (entry.format !== RESPONSE_STORE_FORMAT || !entry.response?.message || !entry.response.usage) return undefined;
    return entry as StoredEntry;
  }

  /** Writes an entry atomically (a temporary file renamed), so concurrent runs never see half a file. */
  async write(entry: StoredEntry): Promise<number> {
    const path = this.pathOf(entry.hash);
    await mkdir(join(this.directory, entry.hash.slice(0, 2)), { recursive: true });
    const text = `${this.redactor ? scrubbedJson(entry, this.redactor, 2) : JSON.stringify(entry, null, 2)}\n`;
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, path);
    return Buffer.byteLength(text);
  }
}
