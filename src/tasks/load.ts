import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { huggingFaceHome } from '../secrets/locations.js';
import type { Task } from './schema.js';
import { jsonLineRows, parseJsonDocument, validateRows } from './rows.js';
import { applyMapping, columnMapping } from './column-map.js';

export { validateRows } from './rows.js';

/** The name that selects the task set shipped in `tasks/`. */
export const BUILTIN_DATASET = 'builtin';
export const BUILTIN_TASKS_FILE = fileURLToPath(new URL('../../tasks/builtin.jsonl', import.meta.url));
/** More sets shipped in `tasks/`, written for agent-eval: `builtin:code-tests` (asserts) and `builtin:bash` (shell tasks over fixtures). */
export const BUILTIN_TASK_SETS: Readonly<Record<string, string>> = {
  [`${BUILTIN_DATASET}:code-tests`]: fileURLToPath(new URL('../../tasks/code-tests.jsonl', import.meta.url)),
  [`${BUILTIN_DATASET}:bash`]: fileURLToPath(new URL('../../tasks/bash.jsonl', import.meta.url)),
  // Dialogues with a simulated user (a `user` block per row; --user-model).
  [`${BUILTIN_DATASET}:dialogue`]: fileURLToPath(new URL('../../tasks/dialogue.jsonl', import.meta.url)),
};


export interface LoadTasksInput {
  /** 'builtin', a local .json/.jsonl file, or a Hub dataset id ("owner/name"). */
  datasetName: string;
  split: string;
  /** Hub datasets: a branch, tag or commit sha (default: the current main, recorded but not pinned). */
  revision?: string;
  /** Hub datasets: `--hf-token-file` (else HF_TOKEN, else the cached login). */
  hfTokenFile?: string;
  /** HF_ENDPOINT, HF_TOKEN, HF_HOME, ...; default process.env. */
  env?: Record<string, string | undefined>;
  /** false refuses Hub datasets (the closed security profile); default true. */
  allowHub?: boolean;
  /** Hub download cache; default `{HF_HOME or ~/.cache/huggingface}/agent-eval/datasets`. */
  cacheDir?: string;
  /** Hub datasets: the configuration (`--dataset-config`, e.g. GAIA's 2023_level1). */
  config?: string;
  /** Task field = dataset column (`--column-map`); `--task-config` YAML adds columns and defaults. */
  columnMap?: Record<string, string>;
  taskConfig?: string;
}

/** Where the tasks came from, recorded in metadata.json. */
export interface TaskSetSource {
  kind: 'builtin' | 'file' | 'hub';
  /** The --dataset-name as given. */
  dataset: string;
  split: string;
  /** Hub: the revision asked for (absent: the current main was used). */
  revision?: string;
  /** Hub: the commit sha the rows come from; files: the sha256 of the file. */
  sha?: string;
  /** Whether the same tasks will load again: a local file, or a Hub dataset with --dataset-revision. */
  pinned: boolean;
  /** Hub: the rows came from the local cache (no download). */
  fromCache?: boolean;
  /** Things the user should know (an unpinned revision, an offline fallback). */
  notices: string[];
}

/** The Hub dataset cache: `$HF_HOME` (else `$XDG_CACHE_HOME/huggingface`, else ~/.cache/huggingface) + agent-eval/datasets. */
export function hubDatasetCacheDir(env: Record<string, string | undefined> = process.env): string {
  return join(huggingFaceHome(env), 'agent-eval', 'datasets');
}

async function loadHubTaskSet(input: LoadTasksInput): Promise<{ tasks: Task[]; source: TaskSetSource }> {
  if (input.allowHub === false) {
    throw new InputError(`--dataset-name ${input.datasetName}: Hub datasets are not allowed with --security-profile closed; give a local .json or .jsonl file`);
  }
  const env = input.env ?? process.env;
  const { HubClient, loadHubTasks } = await import('../hub/index.js');
  const { client } = await HubClient.fromEnvironment({ env, ...(input.hfTokenFile !== undefined && { tokenFile: input.hfTokenFile }) });
  const loaded = await loadHubTasks({
    client,
    dataset: input.datasetName,
    split: input.split,
    ...(input.revision !== undefined && { revision: input.revision }),
    cacheDir: input.cacheDir ?? hubDatasetCacheDir(env),
    ...(input.config !== undefined && { config: input.config }),
    mapping: await columnMapping(input.columnMap, input.taskConfig),
  });
  const { sha, fromCache } = loaded.source;
  const notices = [...loaded.source.notices];
  const pinned = input.revision !== undefined;
  if (!pinned) {
    notices.push(
      `--dataset-name ${input.datasetName}: no --dataset-revision given, so the run uses the current main (${sha}) and is not pinned; ` +
        `repeat it exactly with --dataset-revision ${sha}`,
    );
  }
  return {
    tasks: loaded.tasks,
    source: { kind: 'hub', dataset: input.datasetName, split: loaded.source.split, ...(pinned && { revision: input.revision }), sha, pinned, fromCache, notices },
  };
}

/**
 * Loads tasks from the built-in set, a local .json/.jsonl file or a Hub dataset, and says where they
 * came from (for a Hub dataset, the commit sha the rows were read at).
 */
export async function loadTaskSet(input: LoadTasksInput): Promise<{ tasks: Task[]; source: TaskSetSource }> {
  const namedSet = Object.hasOwn(BUILTIN_TASK_SETS, input.datasetName) ? BUILTIN_TASK_SETS[input.datasetName] : undefined;
  const isBuiltin = input.datasetName === BUILTIN_DATASET || namedSet !== undefined;
  const path = namedSet ?? (input.datasetName === BUILTIN_DATASET ? BUILTIN_TASKS_FILE : input.datasetName);
  const lower = path.toLowerCase();
  if (!lower.endsWith('.json') && !lower.endsWith('.jsonl')) {
    const { isHubDatasetId } = await import('../hub/tasks.js');
    if (isHubDatasetId(input.datasetName)) return loadHubTaskSet(input);
    throw new InputError(
      `--dataset-name ${input.datasetName}: give '${BUILTIN_DATASET}' (or ${Object.keys(BUILTIN_TASK_SETS).map((name) => `'${name}'`).join(', ')}), a local .json or .jsonl file, or a Hub dataset id ("owner/name")`,
    );
  }
  if (input.revision !== undefined) throw new InputError(`--dataset-revision: only for Hub datasets, not for ${isBuiltin ? `'${BUILTIN_DATASET}'` : 'a local file'}`);
  if (input.config !== undefined) throw new InputError(`--dataset-config: only for Hub datasets, not for ${isBuiltin ? `'${BUILTIN_DATASET}'` : 'a local file'}`);
  const mapping = await columnMapping(input.columnMap, input.taskConfig);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`--dataset-name ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // JSON Lines are parsed and checked one line at a time (100,000 rows stay well under 100 MB).
  const rows = lower.endsWith('.jsonl') ? jsonLineRows(path, text) : parseJsonDocument(path, text, input.split);
  const tasks = validateRows(path, applyMapping(rows, mapping, path));
  if (tasks.length === 0) throw new InputError(`${path}: no task rows`);
  const sha = createHash('sha256').update(text).digest('hex');
  return { tasks, source: { kind: isBuiltin ? 'builtin' : 'file', dataset: input.datasetName, split: input.split, sha, pinned: true, notices: [] } };
}

/** Loads tasks from the built-in set, a local .json/.jsonl file or a Hub dataset. */
export async function loadTasks(input: LoadTasksInput): Promise<Task[]> {
  return (await loadTaskSet(input)).tasks;
}
