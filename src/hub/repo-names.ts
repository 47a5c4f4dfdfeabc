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
