import { homedir } from 'node:os';

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Applies `change` to every string in a JSON-like value (objects and arrays are copied). */
function mapStrings(value: unknown, change: (text: string) => string): unknown {
  if (typeof value === 'string') return change(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, change));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, change)]));
  }
  return value;
}

/**
 * Writes the home folder as `~` in every string (`/home/ana/evals/out` -> `~/evals/out`), for files
 * that leave the machine (metadata.json, leaderboard_row.json): they say where, not whose.
 * Only whole path prefixes change: `/data/home/ana` stays as it is.
 */
export function withoutHomeFolder<T>(value: T, home: string = homedir()): T {
  const folder = home.replace(/\/+$/, '');
  if (!folder || folder === '/') return value;
  const pattern = new RegExp(`(^|[^\\w.~/-])${escapeRegex(folder)}(?=/|$|[^\\w.-])`, 'g');
  return mapStrings(value, (text) => (text.includes(folder) ? text.replace(pattern, '$1~') : text)) as T;
}

/** The reverse, for options a resume reads back: `~` at the start of a path (or after `=`) is the home folder again. */
export function withHomeFolder<T>(value: T, home: string = homedir()): T {
  const folder = home.replace(/\/+$/, '');
  return mapStrings(value, (text) => (text.includes('~') ? text.replace(/(^|[=:,\s])~(?=\/|$)/g, (_match, before: string) => `${before}${folder}`) : text)) as T;
}
