/**
 * `agent-eval import`: trace files (or SMOLTRACE runs) → one run directory. Every source is read and
 * checked before anything is written; a source with nothing usable is an InputError naming it, single
 * bad traces are warnings. Tasks from `--tasks` are joined on the imported task's id.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { Task } from '../tasks/schema.js';
import { AGENT_EVAL_VERSION } from '../version.js';
import { looksLikeAgentTrace, parseAgentTraceFile } from './agenttrace.js';
import { ImportProblem, jsonDocuments, looksLikeOtel, parseOtelFile, type ParsedSource } from './otel.js';
import { resultRowOf, traceDocumentsOf, modelOf } from './rows.js';
import { checkOutputDirectory, leaderboardFromRows, writeRunDirectory } from './run-output.js';
import type { Trajectory } from './trajectory.js';

export const IMPORT_FORMATS = ['auto', 'otel', 'otlp-json', 'smoltrace', 'agenttrace'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportOptions {
  sources: string[];
  format: ImportFormat;
  output?: string;
  force: boolean;
  tasksFile?: string;
  env: Record<string, string | undefined>;
  now?: () => Date;
}

export interface ImportSummary {
  directory: string;
  tasks: number;
  traces: number;
  joined: number;
  formats: string[];
  warnings: string[];
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** A local source by its absolute path, a Hub dataset by its id. */
const sourceName = (source: string) => (!existsSync(source) && HUB_ID.test(source) ? source : resolve(source));

async function readSmoltrace(source: string, env: ImportOptions['env']): Promise<ParsedSource> {
  const [{ loadRuns }, { parseSmoltraceRun }] = await Promise.all([import('../report/run-sources.js'), import('./smoltrace.js')]);
  const info = await stat(source).catch(() => null);
  if (info?.isFile()) {
    const { readSmoltraceFile } = await import('./smoltrace-files.js');
    return parseSmoltraceRun(await readSmoltraceFile(source));
  }
  const runs = await loadRuns([source], { env });
  return parseSmoltraceRun(runs[0]!);
}

/** Reads one source in its format (auto: by what the file holds). */
async function readSource(source: string, format: ImportFormat, env: ImportOptions['env']): Promise<{ parsed: ParsedSource; format: string }> {
  const info = await stat(source).catch(() => null);
  if (format === 'smoltrace' || (format === 'auto' && (info?.isDirectory() || (!info && HUB_ID.test(source)) || extname(source).toLowerCase() === '.parquet'))) {
    return { parsed: await readSmoltrace(source, env), format: 'smoltrace' };
  }
  if (!info) throw new InputError(`${source}: no such file`);
  if (info.isDirectory()) throw new InputError(`${source}: a directory (only --format smoltrace reads run directories)`);
  const text = await readFile(source, 'utf8');
  const values = jsonDocuments(source, text);
  if (format === 'agenttrace' || (format === 'auto' && looksLikeAgentTrace(values))) return { parsed: parseAgentTraceFile(source, values), format: 'agenttrace' };
  if (format === 'auto' && !looksLikeOtel(values)) {
    const head = Array.isArray(values[0]) ? values[0][0] : values[0];
    if (head && typeof head === 'object' && 'task_id' in head && 'success' in head) {
      return { parsed: await readSmoltrace(source, env), format: 'smoltrace' };
    }
    throw new InputError(`${source}: not a trace (no OTLP resourceSpans, span list, SMOLTRACE results or AgentTrace rows)`);
  }
  return { parsed: parseOtelFile(source, values), format: format === 'auto' ? 'otel' : format };
}

export async function loadTaskRows(path: string, env: ImportOptions['env']): Promise<Map<string, Task>> {
  const { loadTasks } = await import('../tasks/load.js');
  try {
    const tasks = await loadTasks({ datasetName: path, split: 'train', env });
    return new Map(tasks.map((task) => [task.id, task]));
  } catch (error) {
    if (error instanceof InputError) throw new InputError(error.message.replace(/--dataset-name/g, '--tasks'));
    throw error;
  }
}

/** Runs the import; nothing is written unless every source reads. */
export async function importTraces(options: ImportOptions): Promise<ImportSummary> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const target = options.output ?? `imported_${startedAt.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15)}`;
  await checkOutputDirectory(target, options.force);
  const tasks = options.tasksFile ? await loadTaskRows(options.tasksFile, options.env) : null;
  const trajectories: { trajectory: Trajectory; format: string; source: string }[] = [];
  const warnings: string[] = [];
  const formats = new Set<string>();
  for (const source of options.sources) {
    try {
      const { parsed, format } = await readSource(source, options.format, options.env);
      formats.add(format);
      warnings.push(...parsed.warnings);
      for (const trajectory of parsed.trajectories) trajectories.push({ trajectory, format, source });
    } catch (error) {
      if (error instanceof ImportProblem) throw new InputError(error.message);
      throw error;
    }
  }
  const { createPriceBook } = await import('../telemetry/cost.js');
  const prices = trajectories.some(({ trajectory }) => trajectory.modelCalls.some((call) => call.costUsd === null && call.model)) ? await createPriceBook() : null;
  const runId = randomUUID();
  const repeats = new Map<string, number>();
  let joined = 0;
  const rows = trajectories.map(({ trajectory, format, source }) => {
    const task = tasks?.get(trajectory.taskId) ?? null;
    if (task) joined++;
    const key = trajectory.testCaseUid ?? trajectory.taskId;
    const repeatIndex = repeats.get(key) ?? 0;
    repeats.set(key, repeatIndex + 1);
    return resultRowOf(trajectory, { runId, repeatIndex, task, prices, format, source: sourceName(source) });
  });
  if (tasks && joined < rows.length) warnings.push(`--tasks ${options.tasksFile}: ${rows.length - joined} of ${rows.length} imported task(s) have no task row with their id`);
  const traces = traceDocumentsOf(trajectories.map(({ trajectory }) => trajectory), rows, runId);
  const models = [...new Set(trajectories.map(({ trajectory }) => modelOf(trajectory)).filter((model): model is string => model !== null))];
  const agentTypes = [...new Set(rows.map((row) => String(row.agent_type)))];
  const agentType = agentTypes.length === 1 ? agentTypes[0]! : 'both';
  const timestamp = startedAt.toISOString();
  const model = models.length === 1 ? models[0]! : models.length ? models.join(',') : null;
  const directory = await writeRunDirectory(
    target,
    {
      runId,
      rows,
      traces,
      leaderboard: leaderboardFromRows(rows, { runId, model, agentType, provider: null, timestamp, datasetUsed: options.tasksFile ?? null, notes: `Imported on ${timestamp.slice(0, 10)}; ${rows.length} tasks, not scored` }),
      metadata: {
        model,
        agent_type: agentType,
        dataset_used: options.tasksFile ?? null,
        timestamp: timestamp.replace(/[-:]/g, '').replace('T', '_').slice(0, 15),
        num_metrics: 0,
        run_id: runId,
        agent_eval_version: AGENT_EVAL_VERSION,
        status: 'completed',
        provider: null,
        started_at: timestamp,
        finished_at: now().toISOString(),
        imported: {
          format: [...formats].join(','),
          sources: options.sources.map(sourceName),
          tasks_file: options.tasksFile ? resolve(options.tasksFile) : null,
          tasks_joined: joined,
          warnings,
        },
        scoring: null,
      },
    },
    options.force,
  );
  return { directory, tasks: rows.length, traces: traces.length, joined, formats: [...formats], warnings };
}
