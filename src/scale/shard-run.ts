// Reading one shard's run directory for `agent-eval merge`: metadata.json, leaderboard_row.json and
// metrics.json checked with zod, the journal's last line per task. Nothing in the directory is changed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { JOURNAL_FILE } from '../eval/journal.js';
import { journalLines } from '../eval/journal-reader.js';

const numberOrNull = z.number().nullable().optional();

const metadataSchema = z.looseObject({
  run_id: z.string(),
  model: z.string(),
  agent_type: z.string(),
  status: z.string(),
  provider: z.string(),
  model_provider: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  planned_tests: z.number(),
  notices: z.array(z.string()).default([]),
  dataset_source: z.looseObject({ sha: z.string().nullable().optional(), revision: z.string().nullable().optional() }).nullable(),
  shard: z.object({ index: z.number(), count: z.number() }).optional(),
  environment: z.looseObject({}),
  energy: z.looseObject({
    sampling: z.boolean(),
    gpu_available: z.boolean(),
    carbon_intensity_g_per_kwh: z.number(),
    carbon_intensity_source: z.unknown(),
    pue: z.number(),
    electricity_price_usd_per_kwh: z.number(),
    cpu_estimate: z.looseObject({ energyKWh: z.number(), co2Grams: z.number(), powerCostUsd: z.number(), durationMs: z.number(), readings: z.number(), averageLoadPercent: z.number().nullable() }).nullable().optional(),
  }),
  prompt_template_sha256: z.record(z.string(), z.string()).default({}),
  generation_parameters: z.record(z.string(), z.unknown()).default({}),
  run_options: z.record(z.string(), z.unknown()),
  local_model: z.unknown().optional(),
  sandbox_isolation: z.unknown().optional(),
  offered_tools: z.record(z.string(), z.array(z.unknown())).optional(),
  cache: z.object({ mode: z.string(), dir: z.string(), hits: z.number(), misses: z.number() }).loose().optional(),
});

const leaderboardSchema = z.looseObject({
  model_id: z.string(),
  submitted_by: z.string(),
  energy_kwh: numberOrNull,
  co2_emissions_g: numberOrNull,
  power_cost_total_usd: numberOrNull,
  gpu_names: z.string().nullable().optional(),
});

const metricsSchema = z.looseObject({ resourceMetrics: z.array(z.unknown()).default([]) });

export type ShardMetadata = z.infer<typeof metadataSchema>;

/** One rollout's last journal line: its text as written, and what merging orders and checks by. */
export interface ShardRecord {
  testCaseUid: string;
  /** test_case_uid and repeat (rollouts of one task share the uid; a shard holds all of a task's). */
  key: string;
  testIndex: number;
  text: string;
}

export interface ShardRun {
  directory: string;
  /** What the shard is called in messages: its directory, or the Hub dataset it was downloaded from. */
  name: string;
  metadata: ShardMetadata;
  leaderboard: z.infer<typeof leaderboardSchema>;
  resourceMetrics: unknown[];
  records: ShardRecord[];
}

async function readJson<T>(directory: string, name: string, schema: z.ZodType<T>): Promise<T> {
  const path = join(directory, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}); is ${directory} a finished run directory?`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${path}: ${issue.path.join('.') || 'the document'}: ${issue.message}`);
  }
  return parsed.data;
}

const recordSchema = z.looseObject({ test_case_uid: z.string(), test_index: z.number().int().min(0), repeat: z.number().int().min(0).nullish() });

/** The last complete line of each rollout (task and repeat) in the journal, in test_index order. */
async function readRecords(directory: string): Promise<ShardRecord[]> {
  const path = join(directory, JOURNAL_FILE);
  const latest = new Map<string, ShardRecord>();
  let lineNumber = 0;
  try {
    for await (const line of journalLines(path)) {
      lineNumber++;
      if (!line.complete || !line.text.trim()) continue;
      let parsed;
      try {
        parsed = recordSchema.safeParse(JSON.parse(line.text));
      } catch {
        throw new InputError(`${path}:${lineNumber}: not JSON`);
      }
      if (!parsed.success) throw new InputError(`${path}:${lineNumber}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
      const key = `${parsed.data.test_case_uid}#${parsed.data.repeat ?? 0}`;
      latest.delete(key);
      latest.set(key, { testCaseUid: parsed.data.test_case_uid, key, testIndex: parsed.data.test_index, text: line.text });
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return [...latest.values()].sort((left, right) => left.testIndex - right.testIndex);
}

/**
 * Reads a shard's run directory; anything missing or malformed is an InputError naming the file
 * (under `name` instead of the directory when given: a Hub dataset downloaded to a temporary folder).
 */
export async function readShardRun(directory: string, name = directory): Promise<ShardRun> {
  try {
    const metadata = await readJson(directory, 'metadata.json', metadataSchema);
    if (metadata.status === 'running') throw new InputError(`${join(directory, 'metadata.json')}: the run has not finished (status running); finish it with agent-eval run --resume ${directory}`);
    const leaderboard = await readJson(directory, 'leaderboard_row.json', leaderboardSchema);
    const metrics = await readJson(directory, 'metrics.json', metricsSchema);
    return { directory, name, metadata, leaderboard, resourceMetrics: metrics.resourceMetrics, records: await readRecords(directory) };
  } catch (error) {
    if (error instanceof InputError && name !== directory) throw new InputError(error.message.split(directory).join(name));
    throw error;
  }
}
