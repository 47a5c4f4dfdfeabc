// Where the shards of a Hugging Face Jobs run leave their run directories: a private dataset repo
// `{namespace}/agent-eval-shards-{run id}` with one folder per shard. `jobs wait` downloads them and
// merges them into one run, published once (one results dataset, one leaderboard row).
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import type { HubClient } from '../hub/client.js';

/** The run files a merge reads (results.json and traces.json are written again by the merge). */
const SHARD_FILES = ['metadata.json', 'leaderboard_row.json', 'metrics.json', 'results.jsonl'];

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

/** Downloads every shard folder of the store into `into`; returns the shard directories in shard order. */
export async function fetchShards(client: HubClient, repo: string, into: string): Promise<string[]> {
  const entries = await client.listFiles(repo);
  const folders = new Set<string>();
  for (const entry of entries) {
    const match = /^(shard-\d+)\/([^/]+)$/.exec(entry.path);
    if (!match || !SHARD_FILES.includes(match[2]!)) continue;
    const bytes = await client.downloadFile(repo, 'main', entry.path);
    if (!bytes) throw new InputError(`${repo}: ${entry.path} is listed but cannot be downloaded`);
    const target = join(into, entry.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
    folders.add(match[1]!);
  }
  return [...folders].sort((left, right) => Number(left.slice(6)) - Number(right.slice(6))).map((folder) => join(into, folder));
}
