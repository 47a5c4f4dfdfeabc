/**
 * Reads a run directory from its files (results.json, else the results.jsonl journal; traces.json,
 * metadata.json, leaderboard_row.json, metrics.json when present), each checked with zod. Works on
 * SMOLTRACE's output and older agent-eval versions: a file or field that is missing stays missing.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { InputError } from '../errors.js';
import {
  describeIssue,
  leaderboardSchema,
  metadataSchema,
  metricsSchema,
  resultRowSchema,
  traceSchema,
  type LeaderboardFile,
  type MetricsFile,
  type ResultRowFile,
} from './run-schemas.js';

export type TraceFile = z.infer<typeof traceSchema>;
export type MetadataFile = z.infer<typeof metadataSchema>;

export interface ReportTask {
  /** test_case_uid, else (SMOLTRACE before 0.1.1) task_id. */
  uid: string;
  /** The repeat index when a task ran several times, else 0. */
  repeat: number;
  /** uid and repeat: what pairs tasks across runs. */
  key: string;
  row: ResultRowFile;
  trace: TraceFile | null;
}

export interface GpuPoint {
  timeMs: number;
  gpu: string;
  metric: 'power' | 'utilization';
  value: number;
}

export interface LoadedRun {
  /** The directory or the Hub dataset id. */
  source: string;
  /** A short, unique name for the run in tables and charts. */
  label: string;
  metadata: MetadataFile | null;
  leaderboard: LeaderboardFile | null;
  tasks: ReportTask[];
  gpu: GpuPoint[];
  hasTraces: boolean;
  /** Files the run does not have (shown as missing, never invented). */
  missingFiles: string[];
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`${path}: cannot read (${(error as Error).message})`);
  }
}

/** Parses a JSON file with its schema; null when the file is absent. */
async function readJsonFile<Schema extends z.ZodType>(path: string, schema: Schema, rowLabel?: string): Promise<z.infer<Schema> | null> {
  const text = await readText(path);
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InputError(`${path}: ${describeIssue(parsed.error, rowLabel)}`);
  return parsed.data;
}

/** The journal's rows, the last line of each task winning; a last line cut short by a crash is dropped. */
async function readJournal(path: string): Promise<ResultRowFile[] | null> {
  if ((await readText(path)) === null) return null;
  const rows = new Map<string, ResultRowFile>();
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  const pending: { line: number; text: string }[] = [];
  for await (const line of lines) {
    lineNumber++;
    if (line.trim()) pending.push({ line: lineNumber, text: line });
  }
  pending.forEach(({ line, text }, index) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (index === pending.length - 1) return; // cut short by a crash
      throw new InputError(`${path}: line ${line}: not valid JSON (${(error as Error).message})`);
    }
    const parsed = resultRowSchema.safeParse(value);
    if (!parsed.success) throw new InputError(`${path}: line ${line}: ${describeIssue(parsed.error).replace(/^the file: /, '')}`);
    const row = { ...parsed.data, task_id: parsed.data.task_id ?? parsed.data.test_id };
    rows.set(`${row.test_case_uid ?? row.task_id}#${row.repeat ?? row.repeat_index ?? 0}`, row);
  });
  return [...rows.values()];
}

/** Numbers of OTLP data points (`asInt` as a string, `asDouble`). */
function pointValue(point: { asInt?: string | number | bigint | null; asDouble?: number | null }): number | null {
  if (point.asDouble !== null && point.asDouble !== undefined) return point.asDouble;
  if (point.asInt !== null && point.asInt !== undefined) return Number(point.asInt);
  return null;
}

/** GPU power and utilisation over time from metrics.json's resourceMetrics (empty without sampling). */
export function gpuSeries(metrics: MetricsFile | null): GpuPoint[] {
  const points: GpuPoint[] = [];
  const wanted: Record<string, GpuPoint['metric']> = { 'gen_ai.gpu.power': 'power', 'gen_ai.gpu.utilization': 'utilization' };
  for (const resource of metrics?.resourceMetrics ?? []) {
    for (const scope of resource.scopeMetrics ?? []) {
      for (const metric of scope.metrics) {
        const name = wanted[metric.name];
        if (!name) continue;
        for (const point of metric.gauge?.dataPoints ?? []) {
          const value = pointValue(point);
          if (value === null || point.timeUnixNano === null || point.timeUnixNano === undefined) continue;
          const gpuAttribute = point.attributes?.find((attribute) => attribute.key === 'gpu_id')?.value;
          const gpu = String(gpuAttribute?.stringValue ?? gpuAttribute?.intValue ?? '0');
          points.push({ timeMs: Number(BigInt(typeof point.timeUnixNano === 'number' ? Math.round(point.timeUnixNano) : point.timeUnixNano) / 1_000_000n), gpu, metric: name, value });
        }
      }
    }
  }
  return points;
}

/** Rows to tasks: pairs keys, and traces joined by trace_id (or the journal's own trace). */
export function tasksFromRows(rows: readonly ResultRowFile[], traces: readonly TraceFile[]): ReportTask[] {
  const byTraceId = new Map(traces.map((trace) => [trace.trace_id, trace]));
  const occurrences = new Map<string, number>();
  return rows.map((row) => {
    const uid = row.test_case_uid ?? row.task_id ?? row.test_id ?? 'unknown';
    const seen = occurrences.get(uid) ?? 0;
    occurrences.set(uid, seen + 1);
    // Run rows write `repeat`; `repeat_index` is older files' name. Row order is only the last resort.
    const repeat = row.repeat ?? row.repeat_index ?? seen;
    const ownTrace = traceSchema.safeParse(row.trace);
    const trace = (row.trace_id ? byTraceId.get(row.trace_id) : undefined) ?? (ownTrace.success ? ownTrace.data : null);
    const { trace: _dropped, ...rest } = row;
    return { uid, repeat, key: `${uid}#${repeat}`, row: { ...rest, task_id: row.task_id ?? row.test_id }, trace };
  });
}

/** Reads one run directory; an InputError names the file and the row when something is wrong. */
export async function readRunDirectory(directory: string): Promise<LoadedRun> {
  const path = resolve(directory);
  const info = await stat(path).catch(() => null);
  if (!info?.isDirectory()) throw new InputError(`${directory}: not a run directory (no such directory)`);
  const file = (name: string) => join(path, name);
  const missingFiles: string[] = [];
  let rows = await readJsonFile(file('results.json'), z.array(resultRowSchema));
  if (rows === null) {
    missingFiles.push('results.json');
    rows = await readJournal(file('results.jsonl'));
    if (rows === null) throw new InputError(`${directory}: not a run directory (neither results.json nor results.jsonl)`);
  }
  const traces = await readJsonFile(file('traces.json'), z.array(traceSchema), 'trace');
  const metadata = await readJsonFile(file('metadata.json'), metadataSchema);
  const leaderboard = await readJsonFile(file('leaderboard_row.json'), leaderboardSchema);
  const metrics = await readJsonFile(file('metrics.json'), metricsSchema);
  for (const [name, value] of [['traces.json', traces], ['metadata.json', metadata], ['leaderboard_row.json', leaderboard], ['metrics.json', metrics]] as const) {
    if (value === null) missingFiles.push(name);
  }
  const tasks = tasksFromRows(rows, traces ?? []);
  return {
    source: path,
    label: basename(path),
    metadata,
    leaderboard,
    tasks,
    gpu: gpuSeries(metrics),
    hasTraces: tasks.some((task) => task.trace !== null),
    missingFiles,
  };
}

/** Makes run labels unique (two runs of the same name get " (2)"). */
export function uniqueLabels(runs: LoadedRun[]): LoadedRun[] {
  const seen = new Map<string, number>();
  return runs.map((run) => {
    const count = (seen.get(run.label) ?? 0) + 1;
    seen.set(run.label, count);
    return count === 1 ? run : { ...run, label: `${run.label} (${count})` };
  });
}
