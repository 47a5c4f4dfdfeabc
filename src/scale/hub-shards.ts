// Shards on the Hub. A shard published with --output-format hub or `agent-eval push` carries the run
// files `agent-eval merge` reads (SHARD_FILES: metadata.json, leaderboard_row.json, metrics.json and
// the journal, each rollout's last line) in its results dataset under agent_eval/, so `merge` takes a
// shard's results dataset as well as its run directory: it downloads those files into a temporary
// run directory (removed afterwards) and merges as for local shards.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { HubClient, HubUploadFile, RetryOptions } from '../hub/client.js';
import { looksLikeHubRepo } from '../hub/repo-names.js';
import { fetchRunFiles, SHARD_FILES } from '../jobs/shard-store.js';
import type { SecretRedactor } from '../secrets/redactor.js';
import { mergeShards, type MergeResult } from './merge.js';
import { readShardRun, type ShardRun } from './shard-run.js';

/** The folder of a shard's results dataset that holds its run files. */
export const SHARD_RUN_FOLDER = 'agent_eval';

/** Reads and checks a shard's run directory before anything is published (the same checks as merge). */
export async function readShardForHub(directory: string): Promise<ShardRun> {
  return readShardRun(resolve(directory));
}

/**
 * The shard's run files for its results dataset, scrubbed once more with `redactor` (as every row
 * published is): the JSON files as on disk, the journal reduced to each rollout's last line.
 */
export async function shardRunFiles(shard: ShardRun, redactor: SecretRedactor): Promise<HubUploadFile[]> {
  const files: HubUploadFile[] = [];
  for (const name of SHARD_FILES) {
    const path = `${SHARD_RUN_FOLDER}/${name}`;
    if (name === 'results.jsonl') {
      files.push({ path, content: new Blob(shard.records.map((record) => `${JSON.stringify(redactor.value(JSON.parse(record.text) as unknown))}\n`)) });
    } else {
      const value = JSON.parse(await readFile(join(shard.directory, name), 'utf8')) as unknown;
      files.push({ path, content: `${JSON.stringify(redactor.value(value), null, 2)}\n` });
    }
  }
  return files;
}

/** Whether a merge argument is a Hub dataset: "owner/name" that is not a local path. */
export function isHubShardArgument(text: string): boolean {
  return looksLikeHubRepo(text) && !existsSync(text);
}

/**
 * Downloads a shard's run files from its results dataset into `into`. A dataset that is missing, not
 * an agent-eval results dataset, not a shard, or without the files is one InputError line.
 */
export async function fetchHubShard(client: HubClient, repo: string, into: string): Promise<void> {
  const { HubError } = await import('../hub/hub-error.js');
  const { cardRunMetadata } = await import('../hub/cards.js');
  let info;
  try {
    info = await client.datasetInfo(repo);
  } catch (error) {
    if (error instanceof HubError && error.kind === 'not-found') throw new InputError(`merge: ${repo}: no such run directory, nor Hub dataset (or no access: set HF_TOKEN for a private one)`);
    if (error instanceof HubError && ['auth', 'forbidden', 'gated'].includes(error.kind)) throw new InputError(`merge: ${repo}: ${error.message}`);
    throw error;
  }
  const card = cardRunMetadata(info.cardData);
  if (card?.kind !== 'results') {
    const what = card?.kind ? `a ${card.kind} dataset` : 'not a results dataset written by agent-eval';
    throw new InputError(`merge: ${repo} is ${what}; give each shard's results dataset ({prefix}-results-{timestamp}-shard-I-of-N)`);
  }
  if (!card.shard) throw new InputError(`merge: ${repo} is not a shard (its card records no shard: a whole run has nothing to merge)`);
  const missing = await fetchRunFiles(client, repo, info.sha, SHARD_RUN_FOLDER, into);
  if (missing.length) {
    throw new InputError(`merge: ${repo} lacks ${missing.map((name) => `${SHARD_RUN_FOLDER}/${name}`).join(', ')} (published by an older agent-eval?); push the shard's run directory again`);
  }
}

export interface MergeRunsOptions {
  allowMissing?: boolean;
  /** Replace an existing output directory once the merged run is complete. */
  force?: boolean;
  env: Record<string, string | undefined>;
  /** For Hub datasets: the token file (default HF_TOKEN, then the cached login; public datasets need none). */
  hfTokenFile?: string;
  retry?: RetryOptions;
}

/**
 * `agent-eval merge` over run directories and shards' Hub results datasets (in any mix): the Hub
 * ones are downloaded into a temporary folder, removed whatever happens.
 */
export async function mergeRuns(inputs: readonly string[], output: string, options: MergeRunsOptions): Promise<MergeResult> {
  const mergeOptions = { env: options.env, ...(options.allowMissing && { allowMissing: true }), ...(options.force && { force: true }) };
  if (!inputs.some(isHubShardArgument)) return mergeShards(inputs, output, mergeOptions);
  // Refused before any download (mergeShards checks it again).
  if (!options.force && (await stat(resolve(output)).catch(() => undefined))) throw new InputError(`merge -o ${output}: already exists; give a new folder (or --force to replace it)`);
  const { HubClient } = await import('../hub/client.js');
  const { client } = await HubClient.fromEnvironment({
    env: options.env,
    ...(options.hfTokenFile !== undefined && { tokenFile: options.hfTokenFile }),
    ...(options.retry && { retry: options.retry }),
  });
  const folder = await mkdtemp(join(tmpdir(), 'agent-eval-merge-'));
  try {
    const sources: (string | { directory: string; name: string })[] = [];
    for (const [index, input] of inputs.entries()) {
      if (!isHubShardArgument(input)) {
        sources.push(input);
        continue;
      }
      const directory = join(folder, `shard-${index}`);
      await fetchHubShard(client, input, directory);
      sources.push({ directory, name: input });
    }
    return await mergeShards(sources, output, mergeOptions);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
