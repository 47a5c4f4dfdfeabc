// One redactor per run, built from the secret values in force (environment, API key, Hub token, OTLP
// headers, URL credentials) plus the shapes of well-known tokens. Every output goes through it:
// journal lines, result files, traces, metadata, Hub uploads, console lines and tool observations.
//
// The known values are compiled into one regular expression (a single pass whatever their number),
// followed by one pass per token shape.
import { MIN_SECRET_LENGTH, SECRET_SHAPES, headerValues, isBoringValue, looksSecretName, looksSecretValue, urlCredentials } from './patterns.js';

export const REDACTED = '[REDACTED]';
/** What replaces the `user:password` of a URL. */
export const URL_CREDENTIALS_MASK = '***';

/** Anything with a `text` method scrubs text; what the telemetry and tool layers accept. */
export interface TextRedactor {
  text(value: string): string;
}

export interface SecretSources {
  /** The process environment: secret-named variables, secret-shaped values, OTLP headers, URL credentials. */
  env?: Record<string, string | undefined>;
  /** Secrets known by value: the resolved API key, the Hub token, ... (shorter than 8 characters: ignored). */
  secrets?: Iterable<string | null | undefined>;
  /** URLs whose credentials are secrets: --base-url, OTLP and MCP endpoints. */
  urls?: Iterable<string | null | undefined>;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** JSON text of `value` with every string scrubbed by `redactor`; `replacer` runs first (e.g. to mark integers). */
export function scrubbedJson(value: unknown, redactor: TextRedactor, space?: number, replacer?: (key: string, value: unknown) => unknown): string {
  return JSON.stringify(
    value,
    (key: string, raw: unknown) => {
      const item = replacer ? replacer(key, raw) : raw;
      return typeof item === 'string' ? redactor.text(item) : item;
    },
    space,
  );
}

/**
 * Patterns that need no known value, each run only when a cheap check says it could match (one
 * combined expression defeats V8's literal search and is several times slower than these passes).
 */
const INLINE: ReadonlyArray<{ could: (text: string) => boolean; pattern: RegExp; replace: string }> = [
  // user:password in a URL (the password may be empty); only the credentials are masked.
  { could: (text) => text.includes('://') && text.includes('@'), pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@"'<>]+:[^/\s@"'<>]*(?=@)/gi, replace: `$1${URL_CREDENTIALS_MASK}` },
  // Authorization schemes; the token must hold a digit, so "Bearer authentication" stays.
  { could: (text) => /earer|asic/.test(text), pattern: /\b((?:[Bb]earer|[Bb]asic)\s+)(?=[\w.~+/=-]*\d)[\w.~+/=-]{8,}/g, replace: `$1${REDACTED}` },
  // name=value / name: value for the usual secret names (query strings, headers, config text).
  {
    // Every name below contains one of these (case-insensitive): a plain alternation V8 scans fast.
    could: (text) => /key|token|passw|secret|authori/i.test(text),
    pattern: /((?<![A-Za-z0-9])(?:api[_-]?key|access[_-]?token|auth[_-]?token|token|password|passwd|secret|client[_-]?secret|authorization)["']?\s*[:=]\s*["']?)(?!\[REDACTED\])(?![\d.]+(?![^\s"',;&}<>]))[^\s"',;&}<>]{8,}/gi,
    replace: `$1${REDACTED}`,
  },
  { could: () => true, pattern: new RegExp(`(?<![A-Za-z0-9_-])(?:${SECRET_SHAPES.join('|')})`, 'g'), replace: REDACTED },
];

export class SecretRedactor implements TextRedactor {
  private readonly literals = new Set<string>();
  /** Every known secret value in one alternation (V8 scans plain literal alternations fast). */
  private pattern: RegExp | undefined;

  private constructor() {
    this.compile();
  }

  /** A redactor for these sources; with none, it still catches token shapes and URL credentials. */
  static from(sources: SecretSources = {}): SecretRedactor {
    const redactor = new SecretRedactor();
    redactor.addEnvironment(sources.env ?? {});
    redactor.add(...(sources.secrets ?? []));
    redactor.addUrls(...(sources.urls ?? []));
    return redactor;
  }

  /** How many secret values (with their encoded variants) the redactor knows. */
  get size(): number {
    return this.literals.size;
  }

  /** Adds secret-named variables (values that are not booleans, numbers or paths) and secret-shaped values. */
  addEnvironment(env: Record<string, string | undefined>): this {
    const found: string[] = [];
    for (const [name, value] of Object.entries(env)) {
      if (!value) continue;
      if ((looksSecretName(name) && !isBoringValue(value)) || looksSecretValue(value)) found.push(value, value.trim());
      if (value.includes('@')) found.push(...urlCredentials(value));
      if (/HEADERS$/i.test(name)) found.push(...headerValues(value));
    }
    return this.add(...found);
  }

  /** Adds the credentials of these URLs. */
  addUrls(...urls: Array<string | null | undefined>): this {
    return this.add(...urls.flatMap((url) => urlCredentials(url ?? undefined)));
  }

  /** Adds secret values (8 characters or more), with their JSON-escaped and URL-encoded forms. */
  add(...values: Array<string | null | undefined>): this {
    const before = this.literals.size;
    for (const value of values) {
      if (!value || value.trim().length < MIN_SECRET_LENGTH) continue;
      for (const variant of [value, value.trim(), JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) {
        if (variant.length >= MIN_SECRET_LENGTH) this.literals.add(variant);
      }
    }
    if (this.literals.size !== before) this.compile();
    return this;
  }

  /** `value` with every secret replaced by [REDACTED] and URL credentials by ***. */
  text(value: string): string {
    if (value.length < MIN_SECRET_LENGTH) return value;
    let result = this.pattern ? value.replace(this.pattern, REDACTED) : value;
    for (const inline of INLINE) if (inline.could(result)) result = result.replace(inline.pattern, inline.replace);
    return result;
  }

  /** A copy of a JSON-like value with every string scrubbed (object keys are kept). */
  value<T>(value: T): T {
    return JSON.parse(this.json(value)) as T;
  }

  /** JSON text of `value` with every string scrubbed; `replacer` runs first (e.g. to mark integers). */
  json(value: unknown, space?: number, replacer?: (key: string, value: unknown) => unknown): string {
    return scrubbedJson(value, this, space, replacer);
  }

  /** Scrubs every line a function writes (console output, logs). */
  lines(write: (line: string) => void): (line: string) => void {
    return (line) => write(this.text(line));
  }

  private compile(): void {
    // Longest first, so a secret that contains another is replaced whole.
    const literals = [...this.literals].sort((left, right) => right.length - left.length).map(escapeRegex);
    this.pattern = literals.length ? new RegExp(literals.join('|'), 'g') : undefined;
  }
}
