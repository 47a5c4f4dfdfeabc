import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { InputError } from '../errors.js';
import { huggingFaceTokenPath } from '../secrets/locations.js';

export type HubTokenSource = 'explicit' | 'file' | 'env' | 'cache';

export interface ResolvedHubToken {
  token: string;
  source: HubTokenSource;
  /** The file it was read from (token file or cached login). */
  path?: string;
}

export interface HubTokenInput {
  /** A token given directly (e.g. the deprecated `--hf-token`). */
  token?: string;
  /** `--hf-token-file`: must exist and hold a token; an empty file is an InputError. */
  tokenFile?: string;
  /** Default process.env (HF_TOKEN, HUGGING_FACE_HUB_TOKEN, HF_TOKEN_PATH, HF_HOME, XDG_CACHE_HOME). */
  env?: NodeJS.ProcessEnv;
  /** Default os.homedir(). */
  homeDir?: string;
}

/** Where `hf auth login` stores the token: $HF_TOKEN_PATH, else $HF_HOME/token, else ~/.cache/huggingface/token. */
export function cachedTokenPath(env: NodeJS.ProcessEnv = process.env, homeDir = homedir()): string {
  return huggingFaceTokenPath(env, homeDir);
}

function checked(token: string, where: string): string {
  if (!token.startsWith('hf_')) throw new InputError(`${where}: this is not a Hugging Face token (tokens start with "hf_")`);
  if (/\s/.test(token)) throw new InputError(`${where}: the token contains whitespace`);
  return token;
}

/**
 * Finds the Hub token: the explicit value, then `--hf-token-file`, then HF_TOKEN (or the legacy
 * HUGGING_FACE_HUB_TOKEN), then the cached login file. Returns null when there is none.
 * Tokens must start with "hf_" (the client refuses others before any request).
 */
export async function resolveHubToken(input: HubTokenInput = {}): Promise<ResolvedHubToken | null> {
  const env = input.env ?? process.env;
  const explicit = input.token?.trim();
  if (explicit) return { token: checked(explicit, 'the Hub token'), source: 'explicit' };
  if (input.tokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(input.tokenFile, 'utf8');
    } catch (error) {
      throw new InputError(`--hf-token-file ${input.tokenFile}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const token = text.trim();
    if (!token) throw new InputError(`--hf-token-file ${input.tokenFile}: the file is empty`);
    return { token: checked(token, `--hf-token-file ${input.tokenFile}`), source: 'file', path: input.tokenFile };
  }
  for (const name of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN']) {
    const value = env[name]?.trim();
    if (value) return { token: checked(value, name), source: 'env' };
  }
  const path = cachedTokenPath(env, input.homeDir);
  let cached: string;
  try {
    cached = (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
  if (!cached) return null;
  return { token: checked(cached, `the cached login ${path}`), source: 'cache', path };
}
