import { InputError } from '../errors.js';

/** A dataset name part (the --dataset-prefix). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** A Hub repository id, "owner/name". */
const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Checks the Hub names given on the command line before anything runs (kept free of heavy imports: the CLI loads it for every command). */
export function checkHubPublishOptions(options: { prefix?: string | undefined; leaderboardRepo?: string | undefined }): void {
  if (options.prefix !== undefined && !NAME.test(options.prefix)) {
    throw new InputError(`--dataset-prefix ${options.prefix}: only letters, digits, '.', '_' and '-' (e.g. smoltrace)`);
  }
  if (options.leaderboardRepo !== undefined && !REPO.test(options.leaderboardRepo)) {
    throw new InputError(`--leaderboard-repo ${options.leaderboardRepo}: give a Hub dataset id "owner/name"`);
  }
}

/** Whether a command-line word names a Hub repository "owner/name" (not whether it exists). */
export function looksLikeHubRepo(text: string): boolean {
  return REPO.test(text);
}

/**
 * The suffix of a shard's per-run dataset names, `-shard-2-of-4`: shards of one run share its run id
 * and may start in the same second, so their datasets must not share a name.
 */
export function shardDatasetSuffix(shard: { index: number; count: number } | null | undefined): string {
  return shard ? `-shard-${shard.index}-of-${shard.count}` : '';
}

/**
 * Why a dataset name (the part after "owner/") is not a valid Hub repository name, or null: the
 * Hub takes at most 96 characters of letters, digits, '.', '_' and '-', no '--' or '..', not
 * starting or ending with '-' or '.'.
 */
export function hubNameProblem(name: string): string | null {
  if (name.length > 96) return `is ${name.length} characters long (the Hub allows 96)`;
  if (!NAME.test(name) || /[-.]$/.test(name)) return "may only hold letters, digits, '.', '_' and '-', and must start and end with a letter or digit";
  if (/--|\.\./.test(name)) return "may not hold '--' or '..'";
  return null;
}
