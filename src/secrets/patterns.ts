// What counts as a secret: variable names, values with well-known shapes, and credentials in URLs.
// A bottom-level module (no domain imports), so every layer can use it.

/** Shortest value treated as a secret; shorter ones ("true", "1", "dev") are too common to scrub. */
export const MIN_SECRET_LENGTH = 8;

/** Names of variables that hold secrets: keys, tokens, passwords, auth and OTLP headers. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|SIGNATURE|HEADERS/i;

/** Well-known token shapes, caught whatever variable (or text) they appear in. */
export const SECRET_SHAPES: readonly string[] = [
  'sk-ant-[A-Za-z0-9_-]{16,}',
  'sk-(?:proj-|svcacct-|live-|test-)?[A-Za-z0-9_-]{16,}',
  'sk_(?:live|test)_[A-Za-z0-9]{16,}',
  'hf_[A-Za-z0-9]{20,}',
  'gh[pousr]_[A-Za-z0-9]{20,}',
  'github_pat_[A-Za-z0-9_]{20,}',
  'glpat-[A-Za-z0-9_-]{20,}',
  'xox[abpr]-[A-Za-z0-9-]{10,}',
  'AKIA[0-9A-Z]{16}',
  'AIza[0-9A-Za-z_-]{35}',
  'gsk_[A-Za-z0-9]{20,}',
  // JSON Web Tokens: header.payload.signature, both first parts base64url JSON objects.
  'eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}',
];

const SHAPE = new RegExp(`^(?:${SECRET_SHAPES.join('|')})$`);
const URL_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^/\s@]*:[^/\s@]*@/i;
const BEARER = /^(?:bearer|basic|token)\s+\S{8,}$/i;
const BORING = /^(?:true|false|yes|no|on|off|null|none|undefined|enabled|disabled)$/i;
const NUMBER_LIKE = /^[\d\s.,:+-]*[a-z]{0,3}$/i;
const PATH_LIKE = /^(?:~?[/\\]|\.{1,2}[/\\]|[a-z]:[/\\])/i;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

export function looksSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A value secret by its shape alone: a known token prefix, a JWT, a bearer token, a URL with a password. */
export function looksSecretValue(value: string): boolean {
  const trimmed = value.trim();
  return SHAPE.test(trimmed) || BEARER.test(trimmed) || URL_CREDENTIALS.test(trimmed);
}

/** True for values too common or too structural to scrub: short ones, booleans, numbers, paths, plain URLs. */
export function isBoringValue(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed.length < MIN_SECRET_LENGTH) return true;
  if (BORING.test(trimmed) || NUMBER_LIKE.test(trimmed)) return true;
  if (URL_LIKE.test(trimmed)) return !URL_CREDENTIALS.test(trimmed);
  return PATH_LIKE.test(trimmed) && !/\s/.test(trimmed);
}

/** The credentials of a URL (`user:password@`), as the secrets to scrub: the password, and the basic-auth form. */
export function urlCredentials(text: string | undefined): string[] {
  if (!text) return [];
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return [];
  }
  if (!url.password && !url.username) return [];
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const found = [url.password, password, Buffer.from(`${user}:${password}`).toString('base64')];
  // A username alone is often a token (https://TOKEN@host); with a password it is only a name.
  if (!url.password) found.push(url.username, user);
  return found;
}

/** A URL for storing and printing: the real one minus `user:password@` (shown as `***@`). */
export function urlWithoutCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/i, '$1***@');
}

/** OTEL_EXPORTER_OTLP_HEADERS-style `name=value,name2=value2` (values URL-encoded): the values. */
export function headerValues(text: string | undefined): string[] {
  const values: string[] = [];
  for (const item of (text ?? '').split(',')) {
    const equals = item.indexOf('=');
    if (equals <= 0) continue;
    const raw = item.slice(equals + 1).trim();
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // Not URL-encoded after all: the raw value is the secret.
    }
    values.push(raw, decoded);
    const scheme = /^(?:bearer|basic|token)\s+(.+)$/i.exec(decoded);
    if (scheme) values.push(scheme[1]!);
  }
  return values;
}
