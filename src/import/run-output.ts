/**
 * Writes a run directory that `report`, `compare`, `query` and `push` read: results.json and
 * traces.json as streamed JSON arrays (sinks/json-array-file.ts), metrics.json, leaderboard_row.json,
 * then metadata.json last. Everything goes into a staging folder beside the target, renamed into place
 * at the end: a failure leaves nothing half-written, and `--force` swaps an existing directory only then.
 * `-o` names the run directory itself; an existing one is refused unless forced.
 */
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { jsonText, rewrittenJournal, stagingFolderFor, swapInDirectory, writeJsonAtomic } from '../eval/run-directory.js';
import { SecretRedactor } from '../secrets/redactor.js';
import { JsonArrayFile } from '../sinks/json-array-file.js';
import { NANOSECOND_KEYS } from '../telemetry/trace-document.js';
import { AGENT_EVAL_VERSION } from '../version.js';

/** Refuses an existing target without `force`, before anything is read or written. */
export async function checkOutputDirectory(target: string, force: boolean, flag = '-o'): Promise<void> {
  const info = await stat(target).catch(() => null);
  if (info && !force) throw new InputError(`${flag} ${target}: already exists (use --force to replace it)`);
  if (info && !info.isDirectory()) throw new InputError(`${flag} ${target}: exists and is not a directory`);
}

export interface RunFiles {
  rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>;
  traces: Iterable<unknown> | AsyncIterable<unknown>;
  leaderboard: Record<string, unknown>;
  metadata: Record<string, unknown>;
  runId: string;
  /**
   * A source run whose other files come across (metrics.json with its GPU/energy metrics, effective_policy.json,
   * logs, ...): the new directory is a copy of it plus the files written here. `journal` rewrites each line of
   * its results.jsonl (the new scores), so the copied journal never disagrees with results.json.
   */
  carry?: { from: string; journal?: (line: Record<string, unknown>) => Record<string, unknown> };
}

const WRITTEN = new Set(['results.json', 'traces.json', 'leaderboard_row.json', 'metadata.json']);

/** Copies the source run's other files into the staging folder; returns the names carried. */
async function carryFiles(from: string, staging: string, journal: ((line: Record<string, unknown>) => Record<string, unknown>) | undefined, redactor: SecretRedactor): Promise<string[]> {
  const carried: string[] = [];
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (WRITTEN.has(entry.name) || entry.name.startsWith('.')) continue;
    const target = join(staging, entry.name);
    if (entry.name === 'results.jsonl' && journal && entry.isFile()) {
      await writeFile(target, rewrittenJournal(await readFile(join(from, entry.name), 'utf8'), journal, redactor));
    } else {
      await cp(join(from, entry.name), target, { recursive: true, preserveTimestamps: true });
    }
    carried.push(entry.name);
  }
  return carried;
}

/** Writes the files into a staging folder, then renames it to `target` (replacing it when forced). */
export async function writeRunDirectory(target: string, files: RunFiles, force: boolean): Promise<string> {
  const path = resolve(target);
  const staging = stagingFolderFor(path);
  const redactor = SecretRedactor.from({ env: process.env });
  await mkdir(dirname(path), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`-o ${target}: cannot create its parent (${error.code ?? 'error'})`);
  });
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  try {
    const results = await JsonArrayFile.create(join(staging, 'results.json'));
    for await (const row of files.rows) await results.add(jsonText(row, undefined, redactor));
    await results.commit();
    const traces = await JsonArrayFile.create(join(staging, 'traces.json'));
    for await (const trace of files.traces) await traces.add(jsonText(trace, NANOSECOND_KEYS, redactor));
    await traces.commit();
    const carried = files.carry ? await carryFiles(files.carry.from, staging, files.carry.journal, redactor) : [];
    if (!carried.includes('metrics.json')) await writeJsonAtomic(join(staging, 'metrics.json'), { run_id: files.runId, resourceMetrics: [], aggregates: [] }, undefined, redactor);
    await writeJsonAtomic(join(staging, 'leaderboard_row.json'), files.leaderboard, undefined, redactor);
    await writeJsonAtomic(
      join(staging, 'metadata.json'),
      { ...files.metadata, num_results: results.count, num_traces: traces.count, files: [...new Set(['results.json', 'traces.json', 'metrics.json', 'leaderboard_row.json', 'metadata.json', ...carried])] },
      undefined,
      redactor,
    );
    const existing = await stat(path).catch(() => null);
    if (existing && !force) throw new InputError(`-o ${target}: already exists (use --force to replace it)`);
    await swapInDirectory(staging, path);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return path;
}

type Row = Record<string, unknown>;

const numeric = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const k = ((sorted.length - 1) * p) / 100;
  const low = Math.floor(k);
  const high = Math.min(low + 1, sorted.length - 1);
  return round(sorted[low]! + (sorted[high]! - sorted[low]!) * (k - low), 2);
}

/**
 * leaderboard_row.json from the rows: success figures only over scored rows (`success` null = not
 * scored: the rate is null when none is), tokens and cost null when not every row has them.
 */
export function leaderboardFromRows(rows: readonly Row[], info: { runId: string; model: string | null; agentType: string; provider: string | null; timestamp: string; datasetUsed: string | null; notes: string }) {
  const scored = rows.filter((row) => typeof row.success === 'boolean');
  const successful = scored.filter((row) => row.success === true).length;
  const tokens = rows.map((row) => numeric(row.total_tokens));
  const costs = rows.map((row) => numeric(row.cost_usd));
  const durations = rows.map((row) => numeric(row.execution_time_ms)).filter((value): value is number => value !== null).sort((left, right) => left - right);
  const totalDuration = durations.reduce((sum, value) => sum + value, 0);
  const totalTokens = tokens.every((value) => value !== null) ? tokens.reduce((sum: number, value) => sum + value!, 0) : null;
  const totalCost = rows.length && costs.every((value) => value !== null) ? costs.reduce((sum: number, value) => sum + value!, 0) : null;
  const steps = rows.map((row) => numeric(row.steps) ?? 0).reduce((sum, value) => sum + value, 0);
  return {
    run_id: info.runId,
    model: info.model,
    agent_type: info.agentType,
    provider: info.provider,
    timestamp: info.timestamp,
    results_dataset: 'local:results.json',
    traces_dataset: 'local:traces.json',
    metrics_dataset: 'local:metrics.json',
    dataset_used: info.datasetUsed,
    total_tests: rows.length,
    successful_tests: scored.length ? successful : null,
    failed_tests: scored.length ? scored.length - successful : null,
    success_rate: scored.length ? round((successful / scored.length) * 100, 2) : null,
    scored_tests: scored.length,
    avg_steps: rows.length ? round(steps / rows.length, 2) : null,
    avg_duration_ms: durations.length ? round(totalDuration / durations.length, 2) : null,
    total_duration_ms: round(totalDuration, 2),
    total_tokens: totalTokens,
    avg_tokens_per_test: totalTokens !== null && rows.length ? Math.trunc(totalTokens / rows.length) : null,
    total_cost_usd: totalCost === null ? null : round(totalCost, 6),
    avg_cost_per_test_usd: totalCost === null || !rows.length ? null : round(totalCost / rows.length, 6),
    co2_emissions_g: null,
    energy_kwh: null,
    p50_duration_ms: percentile(durations, 50),
    p95_duration_ms: percentile(durations, 95),
    notes: info.notes,
    agent_eval_version: AGENT_EVAL_VERSION,
  };
}
