/**
 * Model files from the Hub in the Hugging Face cache layout that the Python libraries use
 * (`models--org--name/{blobs,snapshots/<sha>,refs}`), so a model downloaded by either side is
 * found by the other. A copy already in the cache is used without asking the Hub; the Hub is asked
 * only for what is missing, and with HF_HUB_OFFLINE (or no network) the cache alone must do.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StartupError } from '../errors.js';
import type { HubClient } from './client.js';
import { HubError } from './hub-error.js';

const SHA = /^[0-9a-f]{40}$/;

/** Picks the files a loader needs from a repo's file list; throws (InputError) when one is missing. */
export type FileSelector = (paths: readonly string[]) => string[];

export type DownloadProgress =
  | { phase: 'start'; repo: string; files: { path: string; size: number }[]; totalBytes: number }
  | { phase: 'bytes'; path: string; loadedBytes: number; totalBytes: number }
  | { phase: 'done'; downloadedBytes: number };

export interface ModelSnapshotRequest {
  repo: string;
  /** Branch, tag or commit sha; default "main". */
  revision?: string;
  /** The Hub cache directory (see `hubCacheDirectory`). */
  cacheDir: string;
  /** Never contact the Hub (HF_HUB_OFFLINE, or a closed security profile). */
  offline: boolean;
  select: FileSelector;
  /**
   * The selection depends on what the repo publishes (`--dtype auto`), not only on what is cached:
   * list the repo's files at the cached commit when the Hub can be reached, and use the cache alone
   * only offline or when the Hub is unreachable.
   */
  listFirst?: boolean;
  /** Made on first need, so a cached model needs no token or network. */
  client: () => Promise<HubClient>;
  onProgress?: (event: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface ModelSnapshot {
  /** snapshots/<sha>: a folder with the selected files. */
  folder: string;
  sha: string;
  /** Bytes downloaded by this call (0 when the cache had everything). */
  downloadedBytes: number;
}

/** HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub (XDG_CACHE_HOME honoured), as huggingface_hub does. */
export function hubCacheDirectory(env: Record<string, string | undefined>): string {
  if (env.HF_HUB_CACHE?.trim()) return env.HF_HUB_CACHE.trim();
  if (env.HF_HOME?.trim()) return join(env.HF_HOME.trim(), 'hub');
  return join(env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache'), 'huggingface', 'hub');
}

/** Whether HF_HUB_OFFLINE asks for no Hub access (1, true, yes, on). */
export function hubOffline(env: Record<string, string | undefined>): boolean {
  return /^(1|true|yes|on)$/i.test(env.HF_HUB_OFFLINE?.trim() ?? '');
}

/** Files under `folder` (relative, `/`-separated), symlinks to files included; [] when it does not exist. */
export async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
  // Symlinks into blobs/ count as files; a dangling one (blob removed) is left out by the stat.
  const paths: string[] = [];
  for (const entry of entries) {
    if ((await stat(join(folder, entry)).catch(() => undefined))?.isFile()) paths.push(entry.split('\\').join('/'));
  }
  return paths;
}

/** The selection when every selected file is already in `folder`; undefined otherwise. */
async function completeSelection(folder: string, select: FileSelector): Promise<string[] | undefined> {
  const present = await filesUnder(folder);
  if (present.length === 0) return undefined;
  try {
    select(present);
    return present;
  } catch {
    return undefined;
  }
}

function offlineError(repo: string, revision: string, cacheDir: string, reason: string): StartupError {
  return new StartupError(
    `model ${repo}@${revision}: ${reason}, and the Hugging Face cache (${cacheDir}) has no complete copy; ` +
      'connect to the network once to download it, or give --model-path <folder> with the model files',
  );
}

async function downloadFile(client: HubClient, request: ModelSnapshotRequest, sha: string, file: { path: string; size: number; etag: string }, repoFolder: string, report: (path: string, bytes: number) => void): Promise<void> {
  const blob = join(repoFolder, 'blobs', file.etag);
  const pointer = join(repoFolder, 'snapshots', sha, file.path);
  await mkdir(dirname(blob), { recursive: true });
  await mkdir(dirname(pointer), { recursive: true });
  if (!(await stat(blob).catch(() => undefined))?.isFile()) {
    const incomplete = `${blob}.incomplete`;
    const response = await client.openModelFile(request.repo, sha, file.path, request.signal);
    if (!response.body) throw new StartupError(`model ${request.repo}: empty response for ${file.path}`);
    let loaded = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        loaded += chunk.byteLength;
        report(file.path, loaded);
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), counter, createWriteStream(incomplete), { signal: request.signal });
    } catch (error) {
      await rm(incomplete, { force: true });
      if (request.signal?.aborted) throw error;
      throw new StartupError(`model ${request.repo}: the download of ${file.path} broke off after ${loaded} bytes (${(error as Error).message}); run again to retry`);
    }
    if (file.size && loaded !== file.size) {
      await rm(incomplete, { force: true });
      throw new StartupError(`model ${request.repo}: ${file.path} arrived incomplete (${loaded} of ${file.size} bytes); run again to retry`);
    }
    await rename(incomplete, blob);
  }
  await rm(pointer, { force: true });
  await symlink(relative(dirname(pointer), blob), pointer);
}

/** Ensures the selected files of `repo` at `revision` are in the cache; returns their folder. */
export async function ensureModelSnapshot(request: ModelSnapshotRequest): Promise<ModelSnapshot> {
  const revision = request.revision ?? 'main';
  const repoFolder = join(request.cacheDir, `models--${request.repo.split('/').join('--')}`);
  const refPath = join(repoFolder, 'refs', revision);
  const known = SHA.test(revision) ? revision : (await readFile(refPath, 'utf8').catch(() => '')).trim();
  let cached: ModelSnapshot | undefined;
  if (SHA.test(known)) {
    const folder = join(repoFolder, 'snapshots', known);
    if (await completeSelection(folder, request.select)) cached = { folder, sha: known, downloadedBytes: 0 };
  }
  if (cached && (!request.listFirst || request.offline)) return cached;
  if (request.offline) throw offlineError(request.repo, revision, request.cacheDir, 'offline mode (HF_HUB_OFFLINE or --security-profile closed)');
  let client: HubClient;
  let sha: string;
  let entries: Awaited<ReturnType<HubClient['listFiles']>>;
  try {
    client = await request.client();
    // A cached commit stays the one used (reproducible runs); only the file list is asked for.
    sha = cached?.sha ?? (SHA.test(revision) ? revision : (await client.modelInfo(request.repo, revision)).sha);
    entries = await client.listFiles(request.repo, sha, undefined, 'model');
  } catch (error) {
    if (error instanceof HubError && error.kind === 'network') {
      if (cached) return cached;
      throw offlineError(request.repo, revision, request.cacheDir, `the Hub is unreachable (${error.message})`);
    }
    throw error;
  }
  const wanted = new Set(request.select(entries.map((entry) => entry.path)));
  const files = entries.filter((entry) => wanted.has(entry.path));
  const folder = join(repoFolder, 'snapshots', sha);
  const present = new Set(await filesUnder(folder));
  const missing = files.filter((file) => !present.has(file.path));
  // Progress counts only the files whose blob must be fetched; a blob already cached (shared with
  // another revision) is just linked.
  const fetching: typeof missing = [];
  for (const file of missing) {
    if (fetching.some((other) => other.etag === file.etag)) continue;
    if (!(await stat(join(repoFolder, 'blobs', file.etag)).catch(() => undefined))?.isFile()) fetching.push(file);
  }
  const totalBytes = fetching.reduce((sum, file) => sum + file.size, 0);
  if (fetching.length) request.onProgress?.({ phase: 'start', repo: request.repo, files: fetching.map(({ path, size }) => ({ path, size })), totalBytes });
  const loadedByFile = new Map<string, number>();
  let downloadedBytes = 0;
  const report = (path: string, bytes: number) => {
    downloadedBytes += bytes - (loadedByFile.get(path) ?? 0);
    loadedByFile.set(path, bytes);
    request.onProgress?.({ phase: 'bytes', path, loadedBytes: downloadedBytes, totalBytes });
  };
  try {
    for (const file of missing) await downloadFile(client, request, sha, file, repoFolder, report);
  } catch (error) {
    if (error instanceof HubError && error.kind === 'network') throw offlineError(request.repo, revision, request.cacheDir, `the download failed (${error.message})`);
    throw error;
  }
  if (!SHA.test(revision)) {
    await mkdir(dirname(refPath), { recursive: true });
    await writeFile(refPath, sha);
  }
  if (fetching.length) request.onProgress?.({ phase: 'done', downloadedBytes });
  return { folder, sha, downloadedBytes };
}
