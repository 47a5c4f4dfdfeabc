/**
 * `--output-format hub`: a run as Hub datasets (spec 7, fixed per spec 11):
 * `{user}/{prefix}-results-{ts}`, `-traces-{ts}` (only when there are traces) and `-metrics-{ts}`,
 * each ONE commit of `data/train-00000-of-00001.parquet` + README.md, created private unless asked
 * otherwise; then the leaderboard `{user}/{prefix}-leaderboard`, created PRIVATE by default, to
 * which each run adds its own `data/{run_id}.parquet` (never rewriting other runs' rows).
 * A shard (`run --shard I/N`) has `-shard-I-of-N` after the timestamp, records the shard in its cards,
 * carries its run files (`runFiles`, under agent_eval/) for `agent-eval merge`, and adds NO
 * leaderboard row: the merged run does.
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { cardRunMetadata, leaderboardCard, runDatasetCard, type CardRun, type RunDatasetKind } from './cards.js';
import { HubError, type HubClient, type HubUploadFile } from './client.js';
import { GROUPING_COLUMNS, LEADERBOARD_COLUMN_TYPES, RESULTS_TYPES, TRACES_TYPES } from './columns.js';
import { flattenMetrics } from './metrics-rows.js';
import { inferParquetColumns, writeParquet, type ParquetColumnType } from './parquet.js';
import { inferStreamedColumns, rowSource, writeParquetFile, type HubRows, type HubRowSource } from './parquet-stream.js';
import { hubNameProblem, shardDatasetSuffix } from './repo-names.js';

export const DEFAULT_PREFIX = 'smoltrace';
export const RUN_DATA_FILE = 'data/train-00000-of-00001.parquet';

export interface HubRun {
  runId: string;
  /** YYYYMMDD_HHMMSS (UTC); names the per-run datasets. */
  timestampCompact: string;
  model: string;
  agentType: string;
  /** The task dataset, for the cards. */
  datasetUsed?: string | null;
  /** The results rows: an array, or a source read one row at a time (a large run's results.json). */
  results: HubRows;
  /** The trace documents, likewise. */
  traces: HubRows;
  metrics: { resourceMetrics: readonly unknown[]; aggregates: readonly unknown[] };
  /** leaderboard_row.json; its *_dataset fields are replaced by the Hub repo ids. */
  leaderboardRow: Record<string, unknown>;
  /** The shard this run is (`--shard I/N`): shard dataset names, no leaderboard row. */
  shard?: { index: number; count: number } | null;
  /** Files added to the results dataset's commit (a shard's run files for merge, under agent_eval/). */
  runFiles?: readonly HubUploadFile[];
}

export interface PushOptions {
  client: HubClient;
  /** Namespace to push to (the whoami name). */
  user: string;
  prefix?: string;
  /** Visibility of the results, traces and metrics datasets when created; default true. */
  private?: boolean;
  /** Visibility of the leaderboard when created; default `private` (so private unless --public). */
  leaderboardPrivate?: boolean;
  /** "owner/name"; default `{user}/{prefix}-leaderboard`. */
  leaderboardRepo?: string;
  /** Whether the run had telemetry on; recorded in the results card (cleanup reads it). */
  tracesEnabled: boolean;
  /** Time of the placeholder metrics row; default now. */
  now?: Date;
}

export interface PushedDataset {
  repo: string;
  url: string;
  commit: string | null;
}

export interface PushResult {
  results: PushedDataset;
  traces: PushedDataset | null;
  metrics: PushedDataset;
  /** Where the run's row went; a shard writes none (commit and file null, created false). */
  leaderboard: PushedDataset & { created: boolean; file: string | null };
  /** The dataset URLs: results, traces (when pushed), metrics, leaderboard (not for a shard). */
  urls: string[];
  notices: string[];
}

export interface HubDatasetNames {
  results: string;
  traces: string;
  metrics: string;
  leaderboard: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** SMOLTRACE's dataset names with agent-eval's prefix option; a shard's end in `-shard-I-of-N`. */
export function hubDatasetNames(user: string, timestampCompact: string, prefix = DEFAULT_PREFIX, shard?: { index: number; count: number } | null): HubDatasetNames {
  if (!NAME.test(user)) throw new InputError(`Hub user '${user}' is not a valid namespace`);
  if (!NAME.test(prefix)) throw new InputError(`Hub dataset prefix '${prefix}' may only hold letters, digits, '.', '_' and '-'`);
  if (!/^\d{8}_\d{6}$/.test(timestampCompact)) throw new InputError(`run timestamp '${timestampCompact}' is not YYYYMMDD_HHMMSS`);
  const suffix = `${timestampCompact}${shardDatasetSuffix(shard)}`;
  const names = { results: `${prefix}-results-${suffix}`, traces: `${prefix}-traces-${suffix}`, metrics: `${prefix}-metrics-${suffix}`, leaderboard: `${prefix}-leaderboard` };
  for (const name of Object.values(names)) {
    const problem = hubNameProblem(name);
    if (problem) throw new InputError(`Hub dataset name ${name} (from --dataset-prefix ${prefix}) ${problem}`);
  }
  return { results: `${user}/${names.results}`, traces: `${user}/${names.traces}`, metrics: `${user}/${names.metrics}`, leaderboard: `${user}/${names.leaderboard}` };
}

/** The run's leaderboard file name: `data/{run_id}.parquet` with unsafe characters replaced. */
export function leaderboardFile(runId: string): string {
  return `data/${runId.replace(/[^A-Za-z0-9._-]/g, '_')}.parquet`;
}

/** The row as the leaderboard stores it: the fixed columns, Hub repo ids, unknown keys in `extra_columns`. */
export function leaderboardRecord(row: Record<string, unknown>, repos: { results: string; traces: string | null; metrics: string }): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key in LEADERBOARD_COLUMN_TYPES && key !== 'extra_columns') record[key] = value;
    else extra[key] = value;
  }
  // The run's time as a UTC timestamp column (`timestamp` stays SMOLTRACE's ISO text).
  record.evaluation_date = row.evaluation_date ?? (typeof row.timestamp === 'string' && row.timestamp ? row.timestamp : null);
  record.results_dataset = repos.results;
  record.traces_dataset = repos.traces;
  record.metrics_dataset = repos.metrics;
  for (const column of GROUPING_COLUMNS) record[column] = record[column] === null || record[column] === undefined ? null : String(record[column]);
  record.extra_columns = Object.keys(extra).length ? extra : null;
  return record;
}

const runText = (runId: string, shard: { index: number; count: number } | null | undefined) => (shard ? `shard ${shard.index}/${shard.count} of run ${runId}` : `the whole run ${runId}`);

/**
 * Creates a per-run repo; an existing one is reused only when it is empty or holds this same run
 * AND the same shard (shards of one run share its run id), so nothing pushed before is overwritten.
 */
async function claimRunRepo(client: HubClient, repo: string, run: HubRun, isPrivate: boolean): Promise<void> {
  const { created } = await client.createDatasetRepo(repo, { private: isPrivate });
  if (created) return;
  const existing = cardRunMetadata((await client.datasetInfo(repo)).cardData);
  if (existing?.runId && existing.runId !== run.runId) {
    throw new HubError(`Hub dataset ${repo} already holds run ${existing.runId}; runs pushed in the same second collide (use another --dataset-prefix or retry)`, 'conflict', 409);
  }
  const same = existing?.shard?.index === run.shard?.index && existing?.shard?.count === run.shard?.count;
  if (existing?.runId && !same) {
    throw new HubError(`Hub dataset ${repo} already holds ${runText(existing.runId, existing.shard)}, not ${runText(run.runId, run.shard)}; push it with another --dataset-prefix`, 'conflict', 409);
  }
}

interface RunDataset {
  kind: RunDatasetKind;
  repo: string;
  rows: HubRowSource;
  types: Record<string, ParquetColumnType>;
  columns?: string[];
}

/**
 * Pushes one per-run dataset. Its Parquet file is written to `folder` from the streamed rows (one row
 * group at a time) and uploaded from the file, so no dataset is ever whole in memory. `serially`
 * runs the file writing of the datasets one after the other (their uploads overlap).
 */
async function pushRunDataset(options: PushOptions, run: HubRun, card: CardRun, dataset: RunDataset, folder: string, serially: <T>(work: () => Promise<T>) => Promise<T>): Promise<PushedDataset> {
  const { client } = options;
  await claimRunRepo(client, dataset.repo, run, options.private ?? true);
  const writeOptions = { types: dataset.types, ...(dataset.columns && { columns: dataset.columns }) };
  const path = join(folder, `${dataset.kind}.parquet`);
  const columns = await serially(async () => {
    const columns = await inferStreamedColumns(dataset.rows, writeOptions);
    await writeParquetFile(path, dataset.rows, columns, { metadata: { 'agent_eval.run_id': run.runId, 'agent_eval.kind': dataset.kind } });
    return columns;
  });
  const readme = runDatasetCard(dataset.kind, dataset.repo, card, columns, dataset.kind === 'metrics' ? run.metrics.aggregates : []);
  const files: HubUploadFile[] = [
    { path: RUN_DATA_FILE, content: await openAsBlob(path) },
    { path: 'README.md', content: readme },
    ...(dataset.kind === 'results' ? (run.runFiles ?? []) : []),
  ];
  const { commit } = await client.uploadFiles(dataset.repo, files, `Eval ${dataset.kind} for ${run.model} (run_id: ${run.runId})`);
  return { repo: dataset.repo, url: client.datasetUrl(dataset.repo), commit };
}

/** Whether an existing leaderboard card loads `data/*.parquet` (else new rows may be invisible to load_dataset). */
function cardLoadsRunFiles(cardData: Record<string, unknown> | null): boolean {
  const configs = Array.isArray(cardData?.configs) ? (cardData.configs as { data_files?: unknown }[]) : [];
  const paths = configs.flatMap((config) => {
    const files = config.data_files;
    const entries = Array.isArray(files) ? files : [files];
    return entries.flatMap((entry) => (typeof entry === 'string' ? [entry] : typeof entry === 'object' && entry ? [(entry as { path?: unknown }).path].flat() : []));
  });
  return paths.some((path) => path === 'data/*.parquet' || path === 'data/*' || path === 'data/**');
}

/**
 * Adds one leaderboard row as its own file `data/{run_id}.parquet` (the leaderboard is created when
 * missing, with its card); other runs' files are never rewritten. `record` is a `leaderboardRecord`.
 */
export async function addLeaderboardRow(
  client: HubClient,
  repo: string,
  record: Record<string, unknown>,
  options: { private: boolean; commitTitle?: string },
): Promise<{ leaderboard: PushResult['leaderboard']; notices: string[] }> {
  const runId = typeof record.run_id === 'string' && record.run_id ? record.run_id : null;
  if (!runId) throw new InputError('leaderboard row: run_id is missing (it names the row\'s file)');
  const notices: string[] = [];
  const { created } = await client.createDatasetRepo(repo, { private: options.private });
  let writeCard = created;
  if (!created) {
    const cardData = (await client.datasetInfo(repo)).cardData;
    if (!cardData) writeCard = true;
    else if (!cardLoadsRunFiles(cardData)) {
      notices.push(`${repo} has a card that does not load data/*.parquet; the new row is stored but datasets.load_dataset may not read it`);
    }
  }
  const lbOptions = { columns: Object.keys(LEADERBOARD_COLUMN_TYPES), types: LEADERBOARD_COLUMN_TYPES };
  const file = leaderboardFile(runId);
  const files: HubUploadFile[] = [{ path: file, content: writeParquet([record], { ...lbOptions, metadata: { 'agent_eval.run_id': runId, 'agent_eval.kind': 'leaderboard' } }) }];
  if (writeCard) files.push({ path: 'README.md', content: leaderboardCard(repo, inferParquetColumns([record], lbOptions)) });
  const { commit } = await client.uploadFiles(repo, files, options.commitTitle ?? `Add run ${runId}`);
  return { leaderboard: { repo, url: client.datasetUrl(repo), commit, created, file }, notices };
}

/**
 * Pushes a run: the three per-run datasets in parallel (ONE commit each), then the leaderboard row.
 * A failure of any dataset stops before the leaderboard and names what was pushed.
 */
export async function pushRunToHub(run: HubRun, options: PushOptions): Promise<PushResult> {
  const { client } = options;
  const names = hubDatasetNames(options.user, run.timestampCompact, options.prefix ?? DEFAULT_PREFIX, run.shard);
  const resultRows = rowSource(run.results);
  const traceRows = rowSource(run.traces);
  const hasTraces = traceRows.count > 0;
  const card: CardRun = {
    runId: run.runId,
    model: run.model,
    agentType: run.agentType,
    numTests: resultRows.count,
    timestampCompact: run.timestampCompact,
    datasetUsed: run.datasetUsed ?? null,
    telemetry: options.tracesEnabled,
    tracesRepo: hasTraces ? names.traces : null,
    shard: run.shard ?? null,
  };
  const metrics = flattenMetrics(run.metrics, { runId: run.runId, ...(options.now && { now: options.now }) });
  const datasets: RunDataset[] = [
    { kind: 'results', repo: names.results, rows: resultRows, types: RESULTS_TYPES, columns: Object.keys(RESULTS_TYPES) },
    ...(hasTraces ? [{ kind: 'traces' as const, repo: names.traces, rows: traceRows, types: TRACES_TYPES, columns: Object.keys(TRACES_TYPES) }] : []),
    { kind: 'metrics', repo: names.metrics, rows: rowSource(metrics.rows), types: metrics.types },
  ];
  const folder = await mkdtemp(join(tmpdir(), 'agent-eval-push-'));
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const done = queue.then(work);
    queue = done.catch(() => undefined);
    return done;
  };
  const settled = await Promise.allSettled(datasets.map((dataset) => pushRunDataset(options, run, card, dataset, folder, serially))).finally(() => rm(folder, { recursive: true, force: true }));
  const failed = settled.flatMap((outcome, index) => (outcome.status === 'rejected' ? [`${datasets[index]!.kind}: ${(outcome.reason as Error).message}`] : []));
  if (failed.length) {
    const pushed = settled.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [datasets[index]!.repo] : []));
    const first = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')!.reason as unknown;
    throw new HubError(
      `Hub push of run ${run.runId} is incomplete (pushed: ${pushed.join(', ') || 'nothing'}); failed ${failed.join('; ')}. ` +
        `Push again, or remove the partial run with 'agent-eval cleanup --incomplete-only'.`,
      first instanceof HubError ? first.kind : 'other',
      first instanceof HubError ? first.status : undefined,
    );
  }
  const pushed = settled.map((outcome) => (outcome as PromiseFulfilledResult<PushedDataset>).value);
  const results = pushed[0]!;
  const traces = hasTraces ? pushed[1]! : null;
  const metricsPushed = pushed[pushed.length - 1]!;

  const leaderboardRepo = options.leaderboardRepo ?? names.leaderboard;
  if (run.shard) {
    // A shard's row would stand for the whole run (and the next shard's would replace it): the merged run writes the row.
    const notice = `shard ${run.shard.index}/${run.shard.count}: no leaderboard row (a shard is part of a run); merge the shards with agent-eval merge <each shard's results dataset, e.g. ${results.repo}> -o <run-dir> --push`;
    const leaderboard = { repo: leaderboardRepo, url: client.datasetUrl(leaderboardRepo), commit: null, created: false, file: null };
    return { results, traces, metrics: metricsPushed, leaderboard, urls: [results.url, ...(traces ? [traces.url] : []), metricsPushed.url], notices: [notice] };
  }
  const record = leaderboardRecord(run.leaderboardRow, { results: results.repo, traces: traces?.repo ?? null, metrics: metricsPushed.repo });
  const { leaderboard, notices } = await addLeaderboardRow(client, leaderboardRepo, record, {
    private: options.leaderboardPrivate ?? options.private ?? true,
    commitTitle: `Add run ${run.runId}: ${run.model} ${run.agentType}`,
  });
  return {
    results,
    traces,
    metrics: metricsPushed,
    leaderboard,
    urls: [results.url, ...(traces ? [traces.url] : []), metricsPushed.url, leaderboard.url],
    notices,
  };
}
