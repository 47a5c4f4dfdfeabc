/**
 * Task rows from a Hub dataset. The revision (branch, tag or sha; default "main") is resolved to a
 * commit sha, which the caller records. The split's files (Parquet, JSON Lines or JSON) are cached
 * under `{cacheDir}/{owner}/{name}/{sha}/…` with a manifest, so a run pinned to a sha is offline
 * the second time; a branch or tag falls back to its last known sha when the Hub is unreachable.
 * Rows are validated with the same schema as local task files.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { parseJsonDocument, parseJsonLines, validateRows, type RawRow } from '../tasks/rows.js';
import { applyMapping, type ColumnMapping } from '../tasks/column-map.js';
import type { Task } from '../tasks/schema.js';
import { attachmentFolder, type TaskAttachment } from '../tasks/attachments.js';
import { HubError, type HubClient } from './client.js';
import { splitFiles } from './data-files.js';
import { readParquet } from './parquet.js';

export interface LoadHubTasksInput {
  client: HubClient;
  /** "owner/name" */
  dataset: string;
  /** Default "train". */
  split?: string;
  /** Branch, tag or commit sha; default "main". */
  revision?: string;
  cacheDir: string;
  /** The card's configuration (`--dataset-config`); default: "default", else the first. */
  config?: string;
  /** Columns to task fields; without one, GAIA's layout is recognised and mapped. */
  mapping?: ColumnMapping;
}

export interface HubTaskSource {
  dataset: string;
  split: string;
  /** The revision asked for. */
  revision: string;
  /** The commit sha the rows come from. */
  sha: string;
  files: string[];
  /** True when the files came from the cache (no download). */
  fromCache: boolean;
  notices: string[];
}

interface Manifest {
  splits: Record<string, string[]>;
}

const DATASET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SHA = /^[0-9a-f]{40}$/;
const MANIFEST = '.agent-eval-manifest.json';
const ACCESS_KINDS = new Set(['auth', 'forbidden', 'gated', 'not-found', 'revision-not-found']);

/** Whether `name` looks like a Hub dataset id rather than a local file. */
export function isHubDatasetId(name: string): boolean {
  return DATASET_ID.test(name) && !/\.(jsonl?|parquet)$/i.test(name) && !name.includes('..');
}

async function writeAtomic(path: string, content: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Access problems (no token, private, gated, missing repo or revision) are the user's to fix: InputError. */
function asInputError(error: unknown, dataset: string): unknown {
  if (error instanceof HubError && ACCESS_KINDS.has(error.kind)) return new InputError(`--dataset-name ${dataset}: ${error.message}`);
  return error;
}

async function parseFile(path: string, bytes: Uint8Array, split: string): Promise<RawRow[]> {
  const lower = path.toLowerCase();
  if (lower.endsWith('.parquet')) {
    const rows = await readParquet(bytes, { parseJson: true });
    return rows.map((value, index) => ({ value, location: `${path} row ${index + 1}` }));
  }
  const text = new TextDecoder().decode(bytes);
  return lower.endsWith('.jsonl') ? parseJsonLines(path, text, `${path} `) : parseJsonDocument(path, text, split, `${path} `);
}

/** Resolves the revision to a sha: offline for a full sha, else via the Hub (last known sha if unreachable). */
async function resolveSha(input: LoadHubTasksInput, revision: string, repoDir: string, notices: string[]) {
  if (SHA.test(revision)) return { sha: revision, cardData: undefined };
  const refPath = join(repoDir, 'refs', encodeURIComponent(revision));
  try {
    const info = await input.client.datasetInfo(input.dataset, revision);
    await writeAtomic(refPath, info.sha);
    return { sha: info.sha, cardData: info.cardData };
  } catch (error) {
    if (!(error instanceof HubError && error.kind === 'network')) throw asInputError(error, input.dataset);
    const known = (await readFile(refPath, 'utf8').catch(() => '')).trim();
    if (!SHA.test(known)) throw error;
    notices.push(`the Hub is unreachable; using the cached ${input.dataset}@${revision} = ${known}`);
    return { sha: known, cardData: undefined };
  }
}

/**
 * Rows naming an attached file (`file_name`, GAIA's layout: the file beside the metadata file, or
 * `file_path` in the repo) get it downloaded into the cache once, attached for the runner to place in
 * the task's own folder (`attachments/<task id>/` under the working directory), and a sentence naming
 * that path after the prompt. The attachment rides beside the row's data, which cannot set one.
 */
async function withAttachments(input: LoadHubTasksInput, sha: string, shaDir: string, dataFile: string, rows: RawRow[]): Promise<RawRow[]> {
  const folder = dirname(dataFile) === '.' ? '' : `${dirname(dataFile)}/`;
  const result: RawRow[] = [];
  for (const row of rows) {
    const record = row.value as Record<string, unknown>;
    const name = typeof record?.file_name === 'string' ? record.file_name.trim() : '';
    if (!name) {
      result.push(row);
      continue;
    }
    const repoPath = typeof record.file_path === 'string' && record.file_path.trim() && !/^(\/|[a-z]+:)/i.test(record.file_path) ? record.file_path.trim() : `${folder}${name}`;
    if (repoPath.split('/').includes('..') || name.includes('/') || name.includes('\\') || name === '.' || name === '..') throw new InputError(`${input.dataset} ${row.location}: unsafe attachment name ${name}`);
    const local = join(shaDir, repoPath);
    const present = await readFile(local).then(() => true, () => false);
    if (!present) {
      let bytes: Uint8Array | null;
      try {
        bytes = await input.client.downloadFile(input.dataset, sha, repoPath);
      } catch (error) {
        throw asInputError(error, input.dataset);
      }
      if (!bytes) throw new InputError(`${input.dataset} ${row.location}: its attached file ${repoPath} is not in the dataset at ${sha.slice(0, 7)}`);
      await writeAtomic(local, bytes);
    }
    const id = typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : row.location;
    const attachments: TaskAttachment[] = [{ name: `${attachmentFolder(id)}/${name}`, source: local }];
    const prompt = typeof record.prompt === 'string' ? `${record.prompt}\n\nAttached file: ${attachments[0]!.name} (a path relative to your working directory).` : record.prompt;
    result.push({ value: { ...record, prompt }, location: row.location, attachments });
  }
  return result;
}

/** Loads and validates the task rows of a Hub dataset split. */
export async function loadHubTasks(input: LoadHubTasksInput): Promise<{ tasks: Task[]; source: HubTaskSource }> {
  const { client, dataset } = input;
  const split = input.split ?? 'train';
  const revision = input.revision ?? 'main';
  if (!isHubDatasetId(dataset)) throw new InputError(`--dataset-name ${dataset}: not a Hub dataset id ("owner/name")`);
  const notices: string[] = [];
  const repoDir = join(input.cacheDir, ...dataset.split('/'));
  const resolved = await resolveSha(input, revision, repoDir, notices);
  const { sha } = resolved;
  const shaDir = join(repoDir, sha);
  const manifest = (await readJson<Manifest>(join(shaDir, MANIFEST))) ?? { splits: {} };
  // The manifest's key: the split, within its configuration when one is named.
  const key = input.config !== undefined ? `${input.config}/${split}` : split;
  let files: string[] = manifest.splits[key] ?? [];
  const cached = key in manifest.splits;
  const cachedBytes = new Map<string, Uint8Array>();
  if (cached) {
    for (const path of files) {
      const bytes = await readFile(join(shaDir, path)).catch(() => null);
      if (!bytes) break;
      cachedBytes.set(path, new Uint8Array(bytes));
    }
  }
  const fromCache = cached && cachedBytes.size === files.length;
  if (!fromCache) {
    cachedBytes.clear();
    let cardData = resolved.cardData;
    let paths: string[];
    try {
      if (cardData === undefined) cardData = (await client.datasetInfo(dataset, sha)).cardData;
      paths = (await client.listFiles(dataset, sha)).map((file) => file.path);
    } catch (error) {
      throw asInputError(error, dataset);
    }
    const found = splitFiles(paths, cardData ?? null, split, input.config);
    if (input.config !== undefined && found.splits.length === 0) {
      throw new InputError(`--dataset-config ${input.config}: ${dataset}@${sha.slice(0, 7)} has no such configuration (configurations: ${found.configs?.join(', ') || 'none'})`);
    }
    if (found.files.length === 0) {
      const which = found.splits.length ? `splits found: ${found.splits.join(', ')}` : 'no Parquet, JSON or JSON Lines data files found';
      throw new InputError(`--split ${split}: ${dataset}@${sha.slice(0, 7)} has no split '${split}' (${which})`);
    }
    files = found.files;
    for (const path of files) {
      if (path.startsWith('/') || path.split('/').includes('..')) throw new InputError(`--dataset-name ${dataset}: unsafe file path ${path}`);
      let bytes: Uint8Array | null;
      try {
        bytes = await client.downloadFile(dataset, sha, path);
      } catch (error) {
        throw asInputError(error, dataset);
      }
      if (!bytes) throw new InputError(`--dataset-name ${dataset}: ${path} disappeared at ${sha}`);
      await writeAtomic(join(shaDir, path), bytes);
      cachedBytes.set(path, bytes);
    }
    const latest = (await readJson<Manifest>(join(shaDir, MANIFEST))) ?? { splits: {} };
    latest.splits[key] = files;
    await writeAtomic(join(shaDir, MANIFEST), JSON.stringify(latest, null, 2));
  }
  const rows: RawRow[] = [];
  const label = `${dataset}@${sha.slice(0, 7)}:${split}`;
  for (const path of files) {
    const parsed = [...applyMapping(await parseFile(path, cachedBytes.get(path)!, split), input.mapping, label)];
    rows.push(...(await withAttachments(input, sha, shaDir, path, parsed)));
  }
  if (rows.length === 0) throw new InputError(`${label}: no task rows`);
  const tasks = validateRows(label, rows);
  return { tasks, source: { dataset, split, revision, sha, files, fromCache, notices } };
}
