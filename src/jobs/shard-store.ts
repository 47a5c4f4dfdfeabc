// Where the shards of a Hugging Face Jobs run leave their run directories: a private dataset repo
// `{namespace}/agent-eval-shards-{run id}` with one folder per shard. `jobs wait` downloads them and
// merges them into one run, published once (one results dataset, one leaderboard row).
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import type { HubClient } from '../hub/client.js';

/** The run files a merge reads (results.json and traces.json are written again by the merge). */
export const SHARD_FILES = ['metadata.json', 'leaderboard_row.json', 'metrics.json', 'results.jsonl'] as const;
const isShardFile = (name: string) => (SHARD_FILES as readonly string[]).includes(name);

export function shardStoreRepo(namespace: string, runId: string): string {
  return `${namespace}/agent-eval-shards-${runId.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 96);
}

/** The run directory in `folder`: the folder itself when it holds metadata.json, else its one subfolder. */
async function runDirectoryIn(folder: string): Promise<string> {
  if (await stat(join(folder, 'metadata.json')).catch(() => undefined)) return folder;
  const entries = (await readdir(folder, { withFileTypes: true }).catch(() => [])).filter((entry) => entry.isDirectory());
  if (entries.length !== 1) throw new InputError(`${folder}: expected one run directory there, found ${entries.length}`);
  return join(folder, entries[0]!.name);
}

/** Uploads a shard's run files under `shard-{index}/` in one commit. */
export async function storeShard(client: HubClient, repo: string, folder: string, shard: number): Promise<void> {
  const directory = await runDirectoryIn(folder);
  const files = await Promise.all(SHARD_FILES.map(async (name) => ({ path: `shard-${shard}/${name}`, content: new Uint8Array(await readFile(join(directory, name))) })));
  await client.uploadFiles(repo, files, `agent-eval shard ${shard}`);
}

/** Downloads one file of the repo at `revision` to `target`. */
async function downloadTo(client: HubClient, repo: string, revision: string, path: string, target: string): Promise<void> {
  const bytes = await client.downloadFile(repo, revision, path);
  if (!bytes) throw new InputError(`${repo}: ${path} is listed but cannot be downloaded`);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, bytes);
}

/** Downloads every shard folder of the store into `into`; returns the shard directories in shard order. */
export async function fetchShards(client: HubClient, repo: string, into: string): Promise<string[]> {
  const entries = await client.listFiles(repo);
  const folders = new Set<string>();
  for (const entry of entries) {
    const match = /^(shard-\d+)\/([^/]+)$/.exec(entry.path);
    if (!match || !isShardFile(match[2]!)) continue;
    await downloadTo(client, repo, 'main', entry.path, join(into, entry.path));
    folders.add(match[1]!);
  }
  return [...folders].sort((left, right) => Number(left.slice(6)) - Number(right.slice(6))).map((folder) => join(into, folder));
}

/**
 * Downloads the run files a merge reads from `folder` of a dataset at `revision` (a shard's results
 * dataset keeps them under agent_eval/) into the directory `into`; returns the names that are missing.
 */
export async function fetchRunFiles(client: HubClient, repo: string, revision: string, folder: string, into: string): Promise<string[]> {
  const present = new Set((await client.listFiles(repo, revision)).map((entry) => entry.path));
  const missing = SHARD_FILES.filter((name) => !present.has(`${folder}/${name}`));
  if (missing.length) return missing;
  for (const name of SHARD_FILES) await downloadTo(client, repo, revision, `${folder}/${name}`, join(into, name));
  return [];
}
