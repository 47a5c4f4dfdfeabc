/**
 * Runs published to the Hub: a results dataset (`owner/smoltrace-results-YYYYMMDD_HHMMSS`, with its
 * `-traces-` sibling when it exists) or a leaderboard dataset (each run it lists). Files are read with
 * the project's Hub client and kept in the Hub dataset cache by commit sha, so a second read is offline.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { HubError, type HubClient } from '../hub/client.js';
import { readParquet } from '../hub/parquet.js';
import { huggingFaceHome } from '../secrets/locations.js';
import { gpuSeries, tasksFromRows, type LoadedRun, type TraceFile } from './run-reader.js';
import { describeIssue, leaderboardSchema, resultRowSchema, traceSchema, type LeaderboardFile } from './run-schemas.js';

const DATA_FILE = /\.parquet$/i;

export interface HubReadOptions {
  client: HubClient;
  env: Record<string, string | undefined>;
}

/** Every Parquet row of a dataset at its current sha, from the cache when there; null when the repo does not exist. */
async function datasetRows(repo: string, options: HubReadOptions): Promise<Record<string, unknown>[] | null> {
  let sha: string;
  try {
    sha = (await options.client.datasetInfo(repo)).sha;
  } catch (error) {
    if (error instanceof HubError && error.kind === 'not-found') return null;
    if (error instanceof HubError && ['auth', 'forbidden', 'gated', 'revision-not-found'].includes(error.kind)) throw new InputError(`${repo}: ${error.message}`);
    throw error;
  }
  const directory = join(huggingFaceHome(options.env), 'agent-eval', 'datasets', ...repo.split('/'), sha);
  const files = (await options.client.listFiles(repo, sha)).map((file) => file.path).filter((path) => DATA_FILE.test(path)).sort();
  const rows: Record<string, unknown>[] = [];
  for (const path of files) {
    const cached = join(directory, path);
    let bytes: Uint8Array | null = await readFile(cached).then((buffer) => new Uint8Array(buffer)).catch(() => null);
    if (!bytes) {
      bytes = await options.client.downloadFile(repo, sha, path);
      if (!bytes) continue;
      await mkdir(dirname(cached), { recursive: true });
      await writeFile(`${cached}.tmp-${process.pid}`, bytes);
      await rename(`${cached}.tmp-${process.pid}`, cached);
    }
    rows.push(...(await readParquet(bytes, { parseJson: true })));
  }
  return rows;
}

function parseRows<Schema extends z.ZodType>(repo: string, rows: unknown[], schema: Schema): z.infer<Schema>[] {
  const parsed = z.array(schema).safeParse(rows);
  if (!parsed.success) throw new InputError(`${repo}: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

/** One run from its results dataset (and the traces dataset of the same timestamp, when published). */
export async function readHubRun(repo: string, options: HubReadOptions, leaderboard: LeaderboardFile | null = null): Promise<LoadedRun> {
  const rows = await datasetRows(repo, options);
  if (rows === null) throw new InputError(`${repo}: no such Hub dataset (or no access: set HF_TOKEN for a private one)`);
  const results = parseRows(repo, rows, resultRowSchema);
  const tracesRepo = repo.replace(/-results-/, '-traces-');
  const traceRows = tracesRepo !== repo ? await datasetRows(tracesRepo, options) : null;
  const traces: TraceFile[] = traceRows ? parseRows(tracesRepo, traceRows, traceSchema) : [];
  const tasks = tasksFromRows(results, traces);
  const first = results[0];
  return {
    source: repo,
    label: repo.split('/')[1] ?? repo,
    metadata: first ? { model: first.model ?? null, agent_type: leaderboard?.agent_type ?? null, run_id: first.run_id ?? null, provider: (first as { provider?: string }).provider ?? null, started_at: first.evaluation_date ?? null } : null,
    leaderboard,
    tasks,
    gpu: gpuSeries(null),
    hasTraces: tasks.some((task) => task.trace !== null),
    missingFiles: [...(traceRows ? [] : ['traces dataset']), 'metrics (GPU series)', ...(leaderboard ? [] : ['leaderboard row'])],
  };
}

/** The runs a leaderboard dataset lists (newest first), `limit` of them when given. */
export async function readHubLeaderboard(repo: string, options: HubReadOptions & { limit?: number }): Promise<LoadedRun[]> {
  const rows = await datasetRows(repo, options);
  if (rows === null) throw new InputError(`${repo}: no such Hub dataset (or no access: set HF_TOKEN for a private one)`);
  const entries = parseRows(repo, rows, leaderboardSchema)
    .filter((row) => row.results_dataset && !row.results_dataset.startsWith('local:'))
    .sort((left, right) => String(right.timestamp ?? '').localeCompare(String(left.timestamp ?? '')));
  const chosen = options.limit ? entries.slice(0, options.limit) : entries;
  if (!chosen.length) throw new InputError(`${repo}: the leaderboard lists no run published to the Hub`);
  const runs: LoadedRun[] = [];
  for (const entry of chosen) runs.push(await readHubRun(entry.results_dataset!, options, entry));
  return runs;
}
