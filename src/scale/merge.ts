// `agent-eval merge`: shards of one evaluation -> the run directory the unsharded run would have written.
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { EnergyReportForRun } from '../eval/energy.js';
import type { EnvironmentInfo } from '../eval/environment.js';
import { JOURNAL_FILE } from '../eval/journal.js';
import { journalRecords, type JournalRecordAt } from '../eval/journal-reader.js';
import { withHomeFolder } from '../eval/portable-paths.js';
import { stagingFolderFor, swapInDirectory } from '../eval/run-directory.js';
import { RunTotals } from '../eval/run-totals.js';
import type { RunOptions, RunResult, TaskResult } from '../eval/types.js';
import { canonicalJson } from '../models/response-store.js';
import { SecretRedactor } from '../secrets/redactor.js';
import type { TaskSetSource } from '../tasks/load.js';
import { writeLocalJson, type LocalOutput } from '../sinks/local-json.js';
import { readShardRun, type ShardRun } from './shard-run.js';

/** Options that may differ between shards: where and how fast they ran, not what they evaluated. */
const FREE_OPTIONS = new Set(['shard', 'parallelWorkers', 'outputDir', 'outputFormat', 'resume', 'retryErrors', 'cache', 'cacheDir', 'adaptiveConcurrency', 'maxRequestsPerMinute', 'maxTokensPerMinute', 'hfTokenFile', 'workingDirectory', 'otlpEndpoint']);

function evaluationOptions(shard: ShardRun): string {
  return canonicalJson(Object.fromEntries(Object.entries(shard.metadata.run_options).filter(([key]) => !FREE_OPTIONS.has(key))));
}

/** The first option that differs between two shards' run_options, for the error line. */
function firstDifference(left: ShardRun, right: ShardRun): string {
  const keys = new Set([...Object.keys(left.metadata.run_options), ...Object.keys(right.metadata.run_options)]);
  for (const key of [...keys].sort()) {
    if (FREE_OPTIONS.has(key)) continue;
    if (canonicalJson(left.metadata.run_options[key]) !== canonicalJson(right.metadata.run_options[key])) return key;
  }
  return 'run_options';
}

/**
 * Checks that the runs are shards of one evaluation: the same run id, model, agent type, dataset
 * revision and options (beyond FREE_OPTIONS), one shard count, each shard once, all present, and no task
 * in two shards. The first problem is one line naming the runs.
 */
export function checkShards(shards: readonly ShardRun[], options: { allowMissing?: boolean } = {}): void {
  if (shards.length === 0) throw new InputError('merge: give the run directories of the shards');
  const [first] = shards as [ShardRun, ...ShardRun[]];
  const name = (shard: ShardRun) => shard.name;
  for (const shard of shards) {
    const { metadata } = shard;
    if (!metadata.shard) throw new InputError(`merge: ${name(shard)} is not a shard (its metadata.json has no shard; run it with --shard I/N)`);
    if (metadata.run_id !== first.metadata.run_id) throw new InputError(`merge: ${name(shard)} has run id ${metadata.run_id}, ${name(first)} has ${first.metadata.run_id}: give every shard the same --run-id`);
    if (metadata.model !== first.metadata.model) throw new InputError(`merge: ${name(shard)} evaluated ${metadata.model}, ${name(first)} ${first.metadata.model}`);
    if (metadata.agent_type !== first.metadata.agent_type) throw new InputError(`merge: ${name(shard)} ran agent type ${metadata.agent_type}, ${name(first)} ${first.metadata.agent_type}`);
    const sha = metadata.dataset_source?.sha ?? null;
    const firstSha = first.metadata.dataset_source?.sha ?? null;
    if (sha !== firstSha) throw new InputError(`merge: ${name(shard)} read dataset revision ${sha ?? 'unknown'}, ${name(first)} ${firstSha ?? 'unknown'}: pin it with --dataset-revision`);
    if (evaluationOptions(shard) !== evaluationOptions(first)) throw new InputError(`merge: ${name(shard)} and ${name(first)} differ in option ${firstDifference(shard, first)}`);
    if (metadata.shard.count !== first.metadata.shard!.count) throw new InputError(`merge: ${name(shard)} is shard ${metadata.shard.index}/${metadata.shard.count}, ${name(first)} ${first.metadata.shard!.index}/${first.metadata.shard!.count}`);
  }
  const seen = new Map<number, string>();
  for (const shard of shards) {
    const index = shard.metadata.shard!.index;
    const other = seen.get(index);
    if (other) throw new InputError(`merge: ${other} and ${name(shard)} are both shard ${index}/${first.metadata.shard!.count}`);
    seen.set(index, name(shard));
  }
  const count = first.metadata.shard!.count;
  const missing = Array.from({ length: count }, (_, index) => index + 1).filter((index) => !seen.has(index));
  if (missing.length && !options.allowMissing) throw new InputError(`merge: shard(s) ${missing.join(', ')} of ${count} missing (or give --allow-missing to merge what is there)`);
  const owner = new Map<string, string>();
  for (const shard of shards) {
    for (const record of shard.records) {
      const other = owner.get(record.key);
      if (other) throw new InputError(`merge: task ${record.testCaseUid} is in both ${other} and ${name(shard)}`);
      owner.set(record.key, name(shard));
    }
  }
}

const sum = (values: readonly (number | null | undefined)[]): number | null => (values.every((value) => typeof value === 'number') ? values.reduce<number>((total, value) => total + value!, 0) : null);

/** Energy of the whole evaluation: measured energy, CO2 and power cost summed over shards (null if any shard has none). */
function mergedEnergy(shards: readonly ShardRun[]): EnergyReportForRun {
  const energies = shards.map((shard) => shard.metadata.energy);
  const first = energies[0]!;
  const rows = shards.map((shard) => shard.leaderboard);
  const energyKWh = sum(rows.map((row) => row.energy_kwh));
  const cpu = energies.map((energy) => energy.cpu_estimate ?? null);
  const cpuDuration = sum(cpu.map((estimate) => estimate?.durationMs));
  const stat = (key: string, pick: 'avg' | 'max') => {
    const values = rows.map((row) => row[key]).filter((value): value is number => typeof value === 'number');
    if (!values.length) return null;
    return pick === 'max' ? Math.max(...values) : values.reduce((total, value) => total + value, 0) / values.length;
  };
  const hasGpu = rows.some((row) => typeof row.gpu_utilization_avg === 'number');
  return {
    enabled: energies.some((energy) => energy.sampling),
    // The shards' GPU series are carried into metrics.json as they were recorded (clientMetrics below).
    gpuAvailable: false,
    gpuUnavailableReason: null,
    gpuNames: [...new Set(rows.flatMap((row) => (row.gpu_names ? row.gpu_names.split(', ') : [])))],
    samples: [],
    stats: hasGpu
      ? { sampleCount: 0, utilizationAvg: stat('gpu_utilization_avg', 'avg'), utilizationMax: stat('gpu_utilization_max', 'max'), memoryUsedAvgMiB: stat('gpu_memory_avg_mib', 'avg'), memoryUsedMaxMiB: stat('gpu_memory_max_mib', 'max'), temperatureAvgC: stat('gpu_temperature_avg', 'avg'), temperatureMaxC: stat('gpu_temperature_max', 'max'), powerAvgW: stat('gpu_power_avg_w', 'avg') }
      : null,
    measured: energyKWh === null ? null : { energyKWh, co2Grams: sum(rows.map((row) => row.co2_emissions_g)) ?? 0, powerCostUsd: sum(rows.map((row) => row.power_cost_total_usd)) ?? 0 },
    cpuEstimate: cpu.every((estimate) => estimate)
      ? {
          ...(cpu[0] as unknown as NonNullable<EnergyReportForRun['cpuEstimate']>),
          energyKWh: sum(cpu.map((estimate) => estimate!.energyKWh))!,
          co2Grams: sum(cpu.map((estimate) => estimate!.co2Grams))!,
          powerCostUsd: sum(cpu.map((estimate) => estimate!.powerCostUsd))!,
          durationMs: cpuDuration!,
          readings: sum(cpu.map((estimate) => estimate!.readings))!,
          averageLoadPercent: cpuDuration ? cpu.reduce((total, estimate) => total + (estimate!.averageLoadPercent ?? 0) * estimate!.durationMs, 0) / cpuDuration : null,
        }
      : null,
    settings: {
      intervalMs: 1000,
      intensity: { gramsPerKWh: first.carbon_intensity_g_per_kwh, source: first.carbon_intensity_source as EnergyReportForRun['settings']['intensity']['source'] },
      pue: first.pue,
      pricePerKWh: first.electricity_price_usd_per_kwh,
    },
  };
}

/** Writes the merged journal (each task's last line, in test_index order) and returns where each lies. */
async function writeMergedJournal(path: string, shards: readonly ShardRun[]): Promise<JournalRecordAt[]> {
  const records = shards.flatMap((shard) => shard.records).sort((left, right) => left.testIndex - right.testIndex);
  const file = await open(path, 'wx');
  const places: JournalRecordAt[] = [];
  try {
    let offset = 0;
    for (const record of records) {
      const line = `${record.text}\n`;
      const bytes = Buffer.byteLength(line);
      await file.write(line);
      places.push({ offset, length: bytes - 1 });
      offset += bytes;
    }
  } finally {
    await file.close();
  }
  return places;
}

export interface MergeResult extends LocalOutput {
  runId: string;
  shards: number;
  tasks: number;
}

/**
 * Merges shard run directories into `output` (a folder that must not exist, unless `force`): results.jsonl
 * in test_index order, then results.json, traces.json, metrics.json, leaderboard_row.json and
 * metadata.json as the unsharded run would have written them (tokens, cost and energy summed,
 * durations and percentiles from the rows, wall time from the earliest start to the latest end). On
 * a failure the output folder is removed: nothing half-written. With `force` an existing `output` is
 * replaced only once the merged run is complete: it is written into a staging folder beside it, then swapped in.
 */
export async function mergeShards(
  directories: readonly (string | { directory: string; name: string })[],
  output: string,
  options: { allowMissing?: boolean; force?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<MergeResult> {
  const shards: ShardRun[] = [];
  for (const input of directories) shards.push(typeof input === 'string' ? await readShardRun(resolve(input)) : await readShardRun(resolve(input.directory), input.name));
  checkShards(shards, options);
  const target = resolve(output);
  const existing = await stat(target).catch(() => undefined);
  if (existing && !options.force) throw new InputError(`merge -o ${output}: already exists; give a new folder (or --force to replace it)`);
  if (existing && !existing.isDirectory()) throw new InputError(`merge -o ${output}: exists and is not a directory`);
  if (!existing) {
    await mkdir(target, { recursive: true });
    try {
      return await writeMerged(shards, target, options.env ?? process.env);
    } catch (error) {
      await rm(target, { recursive: true, force: true });
      throw error;
    }
  }
  const staging = stagingFolderFor(target);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  try {
    const merged = await writeMerged(shards, staging, options.env ?? process.env);
    const leaderboard = await pointAt(staging, target);
    await swapInDirectory(staging, target);
    return { ...merged, directory: target, leaderboard: leaderboard as MergeResult['leaderboard'] };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The files that name their own directory (the leaderboard row's dataset paths) name the target, not the staging folder. */
async function pointAt(staging: string, target: string): Promise<unknown> {
  const from = JSON.stringify(`/${basename(staging)}/`).slice(1, -1);
  const to = JSON.stringify(`/${basename(target)}/`).slice(1, -1);
  let leaderboard: unknown;
  for (const name of ['leaderboard_row.json', 'metadata.json']) {
    const path = join(staging, name);
    const text = (await readFile(path, 'utf8')).split(from).join(to);
    await writeFile(path, text);
    if (name === 'leaderboard_row.json') leaderboard = JSON.parse(text);
  }
  return leaderboard;
}

async function writeMerged(shards: ShardRun[], target: string, env: Record<string, string | undefined>): Promise<MergeResult> {
  const first = shards[0]!.metadata;
  const journalPath = `${target}/${JOURNAL_FILE}`;
  const records = await writeMergedJournal(journalPath, shards);
  const readResults = () => journalRecords<TaskResult>(journalPath, records);
  const totals = new RunTotals();
  for await (const result of readResults()) totals.add(result);
  const { shard: _shard, ...runOptions } = withHomeFolder(first.run_options);
  const starts = shards.map((shard) => shard.metadata.started_at).sort();
  const ends = shards.map((shard) => shard.metadata.finished_at).sort();
  const { gpu_names: _gpuNames, ...environment } = first.environment as Record<string, unknown>;
  const caches = shards.map((shard) => shard.metadata.cache);
  const run: RunResult = {
    runId: first.run_id,
    runDirectory: target,
    options: runOptions as unknown as RunOptions,
    modelProvider: first.model_provider,
    modelId: shards[0]!.leaderboard.model_id,
    startedAt: starts[0]!,
    finishedAt: ends.at(-1)!,
    totals,
    journal: { path: journalPath, records },
    readResults,
    loadResults: async () => {
      const results: TaskResult[] = [];
      for await (const result of readResults()) results.push(result);
      return results;
    },
    plannedTasks: shards.reduce((total, shard) => total + shard.metadata.planned_tests, 0),
    interrupted: shards.some((shard) => shard.metadata.status === 'interrupted'),
    notices: [...new Set(shards.flatMap((shard) => shard.metadata.notices))],
    environment: environment as unknown as EnvironmentInfo,
    promptHashes: first.prompt_template_sha256,
    generation: first.generation_parameters,
    energy: mergedEnergy(shards),
    clientMetrics: shards.flatMap((shard) => shard.resourceMetrics),
    ...(first.dataset_source && { datasetSource: { notices: [], ...first.dataset_source } as unknown as TaskSetSource }),
    ...(first.local_model !== undefined && { localModel: first.local_model as RunResult['localModel'] }),
    ...(first.sandbox_isolation !== undefined && { sandboxIsolation: first.sandbox_isolation as RunResult['sandboxIsolation'] }),
    ...(first.offered_tools && { offeredTools: first.offered_tools }),
    ...(caches.every((cache) => cache) && {
      cache: { mode: caches[0]!.mode as NonNullable<RunResult['cache']>['mode'], dir: caches[0]!.dir, hits: sum(caches.map((cache) => cache!.hits))!, misses: sum(caches.map((cache) => cache!.misses))!, written: 0, written_bytes: 0 },
    }),
    redactor: SecretRedactor.from({ env }),
  };
  const written = await writeLocalJson(run, { submittedBy: shards[0]!.leaderboard.submitted_by });
  return { ...written, runId: run.runId, shards: shards.length, tasks: totals.count };
}
