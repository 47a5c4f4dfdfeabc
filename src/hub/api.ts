/**
 * SMOLTRACE's Hub helpers under TypeScript names, for programs (src/index.ts): `generateDatasetNames`
 * (`generate_dataset_names`), `getHubUserInfo` (`get_hf_user_info`), `updateLeaderboard`
 * (`update_leaderboard`) and `cleanupDatasets` (`cleanup_datasets`). Each takes a HubClient, or finds
 * the token as the CLI does (explicit, `tokenFile`, HF_TOKEN, the cached login) at `HF_ENDPOINT`.
 */
import { InputError } from '../errors.js';
import { discoverRuns, executeCleanup, findLeaderboard, planCleanup, type CleanupOptions, type CleanupPlan, type CleanupResult } from './cleanup.js';
import { HubClient, type RetryOptions } from './client.js';
import { addLeaderboardRow, DEFAULT_PREFIX, hubDatasetNames, leaderboardRecord, type HubDatasetNames, type PushResult } from './publish.js';

export interface HubAccess {
  /** A ready client; otherwise one is made from the fields below. */
  client?: HubClient;
  token?: string;
  tokenFile?: string;
  /** HF_ENDPOINT, HF_TOKEN, HF_HOME, ...; default process.env. */
  env?: Record<string, string | undefined>;
  retry?: RetryOptions;
}

async function clientFor(access: HubAccess): Promise<{ client: HubClient; token: string | null }> {
  if (access.client) return { client: access.client, token: 'given' };
  const { client, token } = await HubClient.fromEnvironment({
    env: access.env ?? process.env,
    ...(access.token !== undefined && { token: access.token }),
    ...(access.tokenFile !== undefined && { tokenFile: access.tokenFile }),
    ...(access.retry && { retry: access.retry }),
  });
  return { client, token: token?.token ?? null };
}

async function writableClient(access: HubAccess, what: string): Promise<HubClient> {
  const { client, token } = await clientFor(access);
  if (!token) throw new InputError(`${what} needs a Hub token with write access: set HF_TOKEN, pass token or tokenFile, or run \`hf auth login\``);
  return client;
}

/** `YYYYMMDD_HHMMSS` in UTC. */
export function compactTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_');
}

/** The four dataset names of a run pushed now (or at `now`): results, traces, metrics, leaderboard. */
export function generateDatasetNames(user: string, options: { prefix?: string; now?: Date } = {}): HubDatasetNames {
  return hubDatasetNames(user, compactTimestamp(options.now ?? new Date()), options.prefix ?? DEFAULT_PREFIX);
}

/** Who the token belongs to (whoami); null without a token. */
export async function getHubUserInfo(access: HubAccess = {}): Promise<{ name: string; type: string } | null> {
  const { client, token } = await clientFor(access);
  return token ? client.whoami() : null;
}

export interface UpdateLeaderboardOptions extends HubAccess {
  /** "owner/name"; default `{user}/{prefix}-leaderboard` for the token's user. */
  repo?: string;
  prefix?: string;
  /** Visibility when the leaderboard is created; default true. */
  private?: boolean;
}

/**
 * Adds a leaderboard row (`leaderboard_row.json`'s shape, with `run_id`) as its own Parquet file,
 * never rewriting other runs' rows. Its `*_dataset` fields are kept as given.
 */
export async function updateLeaderboard(row: Record<string, unknown>, options: UpdateLeaderboardOptions = {}): Promise<{ leaderboard: PushResult['leaderboard']; notices: string[] }> {
  const client = await writableClient(options, 'updateLeaderboard');
  const repo = options.repo ?? `${(await client.whoami()).name}/${options.prefix ?? DEFAULT_PREFIX}-leaderboard`;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const record = leaderboardRecord(row, { results: text(row.results_dataset) ?? '', traces: text(row.traces_dataset), metrics: text(row.metrics_dataset) ?? '' });
  return addLeaderboardRow(client, repo, record, { private: options.private ?? true });
}

export interface CleanupDatasetsOptions extends HubAccess, CleanupOptions {
  prefix?: string;
  /** Default true: plan only, delete nothing. */
  dryRun?: boolean;
  /** Delete `{user}/{prefix}-leaderboard` too; default false (preserved). */
  deleteLeaderboard?: boolean;
}

export interface CleanupDatasetsResult {
  user: string;
  plan: CleanupPlan;
  /** The leaderboard that was (or, in a dry run, would be) deleted. */
  leaderboard: string | null;
  dryRun: boolean;
  deleted: string[];
  failed: CleanupResult[];
  /** 'leaderboard' unless it was deleted, as SMOLTRACE reports. */
  skipped: string[];
}

/**
 * SMOLTRACE's `cleanup_datasets` without prompts (the program confirms): selects runs like
 * `agent-eval cleanup` and deletes them unless `dryRun` (the default).
 */
export async function cleanupDatasets(options: CleanupDatasetsOptions): Promise<CleanupDatasetsResult> {
  const client = await writableClient(options, 'cleanupDatasets');
  const { name: user } = await client.whoami();
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const runs = await discoverRuns(client, user, prefix);
  const plan = planCleanup(runs, options);
  const leaderboard = options.deleteLeaderboard ? await findLeaderboard(client, user, prefix) : null;
  const dryRun = options.dryRun !== false;
  const result: CleanupDatasetsResult = { user, plan, leaderboard, dryRun, deleted: [], failed: [], skipped: leaderboard ? [] : ['leaderboard'] };
  if (dryRun) return result;
  const report = await executeCleanup(plan, client);
  const board = leaderboard ? await executeCleanup({ repos: [leaderboard] }, client) : { deleted: [], failed: [] };
  return { ...result, deleted: [...report.deleted, ...board.deleted], failed: [...report.failed, ...board.failed] };
}
