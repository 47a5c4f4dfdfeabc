// Configuration and credential files the file and text tools never read, write or list the contents
// of, whatever the working directory: `.env` (which agent-eval itself loads), `.npmrc`, `.netrc`,
// git credentials, Hugging Face tokens, SSH and TLS keys, and agent-eval's own cache. Names are
// compared case-insensitively (`.ENV` is `.env` on a case-insensitive filesystem), and the checks run
// on the path as given (after `..` is collapsed) and on its real path (after symbolic links).
import { realpathSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { protectedLocations } from '../secrets/locations.js';
import { ToolError } from './types.js';

/** Folders whose whole content is protected. */
const PROTECTED_FOLDERS = new Set(['.ssh', '.gnupg']);
const PROTECTED_NAMES = new Set(['.env', '.envrc', '.npmrc', '.netrc', '_netrc', '.git-credentials', '.pypirc', '.pgpass']);
const SSH_KEY = /^id_(rsa|dsa|ecdsa|ed25519)(-sk)?(\.pub)?$/;
const KEY_EXTENSION = /\.(pem|key|p12|pfx)$/;
const HF_TOKEN_FILES = new Set(['token', 'stored_tokens']);
const HF_FOLDERS = new Set(['huggingface', '.huggingface']);

/** Windows ignores trailing dots and spaces, and `name:stream` opens the file `name`. */
function normalName(segment: string): string {
  return segment.toLowerCase().split(':')[0]!.replace(/[. ]+$/, '');
}

/** True when a path is protected by its own segments (its name and folders). */
function protectedByName(path: string): boolean {
  const segments = resolve(path).split(sep).filter(Boolean).map(normalName);
  const name = segments.at(-1) ?? '';
  const parent = segments.at(-2) ?? '';
  if (segments.some((segment) => PROTECTED_FOLDERS.has(segment))) return true;
  if (PROTECTED_NAMES.has(name) || name.startsWith('.env.')) return true;
  if (SSH_KEY.test(name) || KEY_EXTENSION.test(name)) return true;
  if (parent === '.git' && (name === 'config' || name === 'credentials')) return true;
  return HF_TOKEN_FILES.has(name) && HF_FOLDERS.has(parent);
}

/** A location as written and as its real path (its nearest existing ancestor resolved), lower case. */
function forms(location: string): string[] {
  const absolute = resolve(location);
  let existing = absolute;
  const tail: string[] = [];
  for (;;) {
    try {
      const real = resolve(realpathSync(existing), ...tail);
      return [...new Set([absolute, real].map((path) => path.toLowerCase()))];
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return [absolute.toLowerCase()];
      tail.unshift(basename(existing));
      existing = parent;
    }
  }
}

let cached: { key: string; locations: string[] } | undefined;

/** Hugging Face token files and agent-eval's cache for this process's environment (resolved once per environment). */
function locations(): string[] {
  const key = ['HF_TOKEN_PATH', 'HF_HOME', 'XDG_CACHE_HOME', 'HOME', 'AGENT_EVAL_CACHE_DIR'].map((name) => process.env[name] ?? '').join('\0');
  if (cached?.key !== key) cached = { key, locations: protectedLocations(process.env).flatMap(forms) };
  return cached.locations;
}

function insideLocation(path: string): boolean {
  const lowered = resolve(path).toLowerCase();
  return locations().some((location) => lowered === location || lowered.startsWith(location.endsWith(sep) ? location : `${location}${sep}`));
}

/** True when a path (absolute, or relative to the current directory) must not be touched by a tool. */
export function isProtectedPath(path: string): boolean {
  return protectedByName(path) || insideLocation(path);
}

/**
 * Throws the refusal when either form of a path is protected: `given` as the model wrote it (joined
 * to the working directory, `..` collapsed) and `real` after symbolic links. `shown` names it.
 */
export function refuseProtected(given: string, real: string, shown: string): void {
  if (isProtectedPath(given) || isProtectedPath(real)) throw new ToolError(`refused: ${shown} is a protected configuration file`);
}
