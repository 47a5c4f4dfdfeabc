// Where secrets and agent-eval's own state live on disk, resolved from the environment the way the
// tools that write them do. The file tools refuse these locations whatever the working directory.
import { homedir } from 'node:os';
import { join } from 'node:path';

type Env = Record<string, string | undefined>;

const cacheHome = (env: Env, home?: string): string => env.XDG_CACHE_HOME?.trim() || join(home ?? (env.HOME?.trim() || homedir()), '.cache');

/**
 * agent-eval's own cache (the sandbox's Pyodide memory snapshot): AGENT_EVAL_CACHE_DIR, else
 * $XDG_CACHE_HOME/agent-eval, else ~/.cache/agent-eval; AGENT_EVAL_CACHE_DIR=off turns it off.
 */
export function agentEvalCacheDirectory(env: Env): string | undefined {
  const chosen = env.AGENT_EVAL_CACHE_DIR?.trim();
  if (chosen) return chosen === 'off' ? undefined : chosen;
  return join(cacheHome(env), 'agent-eval');
}

/** huggingface_hub's home: $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface (`home` for ~). */
export function huggingFaceHome(env: Env, home?: string): string {
  return env.HF_HOME?.trim() || join(cacheHome(env, home), 'huggingface');
}

/** Where `hf auth login` stores the token: $HF_TOKEN_PATH, else {huggingface home}/token. */
export function huggingFaceTokenPath(env: Env, home?: string): string {
  return env.HF_TOKEN_PATH?.trim() || join(huggingFaceHome(env, home), 'token');
}

/** Files (and folders) that hold credentials or agent-eval's state, absolute, for this environment. */
export function protectedLocations(env: Env): string[] {
  const home = huggingFaceHome(env);
  return [
    huggingFaceTokenPath(env),
    join(home, 'token'),
    join(home, 'stored_tokens'),
    ...[agentEvalCacheDirectory(env)].filter((path): path is string => path !== undefined),
  ];
}
