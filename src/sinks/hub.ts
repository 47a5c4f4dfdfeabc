/**
 * `--output-format hub` and `agent-eval push <run-dir>`: one code path. The run's local files (always
 * written first) are read back, validated and pushed with `pushRunToHub` (SMOLTRACE's dataset names,
 * spec 7), so what the Hub holds is exactly what the run directory holds.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { checkHubPublishOptions } from '../hub/repo-names.js';
import { InputError, StartupError, errorMessage } from '../errors.js';
import type { RunResult } from '../eval/types.js';
import { SecretRedactor } from '../secrets/redactor.js';
import type { HubRowSource, PushResult, RetryOptions } from '../hub/index.js';
import { jsonArrayElements } from './json-array-reader.js';

export interface HubPublishOptions {
  /** Dataset name prefix; default "smoltrace". */
  prefix?: string;
  /** Visibility of the datasets when created (the leaderboard's too); default true. */
  private?: boolean;
  /** "owner/name"; default `{user}/{prefix}-leaderboard`. */
  leaderboardRepo?: string;
  hfTokenFile?: string;
  /** HF_ENDPOINT, HF_TOKEN, HF_HOME, ... */
  env: Record<string, string | undefined>;
  /** Hub call retries (default 3 tries, 1 s doubling). */
  retry?: RetryOptions;
}

export interface HubPublishResult {
  /** results, traces (when the run has traces), metrics, leaderboard. */
  urls: string[];
  notices: string[];
  /** The Hub user the run was pushed as. */
  user: string;
  pushed: PushResult;
}

const record = z.record(z.string(), z.unknown());
const metadataSchema = z.looseObject({
  run_id: z.string().min(1),
  model: z.string().min(1),
  agent_type: z.string().min(1),
  timestamp: z.string().regex(/^\d{8}_\d{6}$/, 'is not YYYYMMDD_HHMMSS'),
  status: z.string().optional(),
  dataset_used: z.string().nullish(),
  num_results: z.number().optional(),
  planned_tests: z.number().optional(),
  dataset_source: z.looseObject({ kind: z.string().optional(), sha: z.string().nullish() }).nullish(),
  run_options: record.optional(),
  shard: z.object({ index: z.number().int().min(1), count: z.number().int().min(1) }).optional(),
});
const resultRowSchema = z.looseObject({ run_id: z.string(), task_id: z.string() });
const traceRowSchema = z.looseObject({ trace_id: z.string(), spans: z.array(z.unknown()) });
const metricsSchema = z.looseObject({ resourceMetrics: z.array(z.unknown()), aggregates: z.array(z.unknown()) });
const leaderboardSchema = z.looseObject({ run_id: z.string(), model: z.string(), agent_type: z.string() });

/**
 * traces.json holds nanosecond times as bare JSON integers past 2^53; they are read back as the digit
 * strings the run had in memory, so no precision is lost on the way to the Hub.
 */
export function parseTracesJson(text: string): unknown {
  return JSON.parse(text.replace(/(?<!\\)"(start_time|end_time|timestamp)":(\s*)(-?\d+)(?=\s*[,}\]])/g, '"$1":$2"$3"'));
}

function unreadable(directory: string, path: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new InputError(`${path}: cannot read the file (${code}); is ${directory} a run directory written by agent-eval run?`);
}

/** The first zod issue as `field 'a.b' is missing` (or the document). */
function describeIssue(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  const issue = error.issues[0]!;
  const path = [...prefix, ...issue.path];
  const where = path.length ? `field '${path.map(String).join('.')}'` : 'the document';
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : issue.message;
  return `${where} ${message}`;
}

/**
 * A JSON array file of the run (results.json, traces.json) checked row by row in one streamed pass;
 * its rows are read again, one at a time, when the Parquet file is written. Never whole in memory.
 */
async function checkRunArray<T>(
  directory: string,
  name: string,
  schema: z.ZodType<T>,
  options: { parse?: (text: string) => unknown; check?: (row: T, path: string) => void; redactor: () => SecretRedactor },
): Promise<HubRowSource> {
  const path = join(directory, name);
  let count = 0;
  try {
    for await (const element of jsonArrayElements(path, options.parse)) {
      const parsed = schema.safeParse(element);
      if (!parsed.success) throw new InputError(`${path}: ${describeIssue(parsed.error, [count])}`);
      options.check?.(parsed.data, path);
      count++;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code) throw unreadable(directory, path, error);
    throw new InputError(`${path}: not valid JSON (${errorMessage(error)})`);
  }
  return {
    count,
    // What leaves the machine is scrubbed once more, row by row (see publishRunDirectory).
    rows: async function* () {
      const redactor = options.redactor();
      for await (const element of jsonArrayElements(path, options.parse)) yield redactor.value(element as Record<string, unknown>);
    },
  };
}

async function readRunFile<T>(directory: string, name: string, schema: z.ZodType<T>, parse: (text: string) => unknown = JSON.parse): Promise<T> {
  const path = join(directory, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw unreadable(directory, path, error);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${errorMessage(error)})`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new InputError(`${path}: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

/** Reads and validates a run directory's five files, then pushes the run as Hub datasets. */
export async function publishRunDirectory(directory: string, options: HubPublishOptions): Promise<HubPublishResult> {
  checkHubPublishOptions(options);
  const metadata = await readRunFile(directory, 'metadata.json', metadataSchema);
  if (metadata.status === 'running') {
    throw new InputError(`${directory}: the run has not finished (metadata.json says running); finish it with agent-eval run --resume ${directory}`);
  }
  if (metadata.run_options?.securityProfile === 'closed') {
    throw new InputError(`${directory}: the run was made with --security-profile closed; its data may not leave this machine`);
  }
  // Set once the Hub token is known; the rows are only read again after that.
  const scrubbing: { redactor?: SecretRedactor } = {};
  const scrubber = () => scrubbing.redactor!;
  const results = await checkRunArray(directory, 'results.json', resultRowSchema, {
    redactor: scrubber,
    check: (row, path) => {
      if (row.run_id !== metadata.run_id) throw new InputError(`${path}: task ${row.task_id} belongs to run ${row.run_id}, not ${metadata.run_id}`);
    },
  });
  const traces = await checkRunArray(directory, 'traces.json', traceRowSchema, { parse: parseTracesJson, redactor: scrubber });
  const metrics = await readRunFile(directory, 'metrics.json', metricsSchema);
  const leaderboardRow = await readRunFile(directory, 'leaderboard_row.json', leaderboardSchema);
  if (leaderboardRow.run_id !== metadata.run_id) {
    throw new InputError(`${join(directory, 'leaderboard_row.json')}: run_id ${leaderboardRow.run_id} is not the run's ${metadata.run_id}`);
  }
  // A shard also publishes the run files merge reads (checked here, before anything is pushed).
  const hubShards = metadata.shard ? await import('../scale/hub-shards.js') : undefined;
  const shard = metadata.shard && hubShards ? { spec: metadata.shard, run: await hubShards.readShardForHub(directory) } : undefined;

  const { HubClient, pushRunToHub } = await import('../hub/index.js');
  const { client, token } = await HubClient.fromEnvironment({
    env: options.env,
    ...(options.hfTokenFile !== undefined && { tokenFile: options.hfTokenFile }),
    ...(options.retry && { retry: options.retry }),
  });
  if (!token) {
    throw new InputError('publishing to the Hub needs a token with write access: set HF_TOKEN, pass --hf-token-file, or run `hf auth login`');
  }
  const { name: user } = await client.whoami();
  const notices: string[] = [];
  if (metadata.status === 'interrupted') {
    notices.push(`run ${metadata.run_id} was interrupted: publishing the ${results.count} of ${metadata.planned_tests ?? '?'} task(s) it recorded`);
  }
  const runOptions = metadata.run_options ?? {};
  const source = metadata.dataset_source;
  const datasetUsed = metadata.dataset_used ?? null;
  // What leaves the machine is scrubbed once more, with this environment's secrets and the Hub token
  // (the directory may come from an older version, or from a run made with other variables set).
  const redactor = (scrubbing.redactor = SecretRedactor.from({ env: options.env, secrets: [token.token] }));
  const pushed = await pushRunToHub(
    {
      ...redactor.value({
      runId: metadata.run_id,
      timestampCompact: metadata.timestamp,
      model: metadata.model,
      agentType: metadata.agent_type,
        datasetUsed: datasetUsed && source?.kind === 'hub' && source.sha ? `${datasetUsed}@${source.sha}` : datasetUsed,
        metrics,
        // The row says who pushed it: the Hub user unless AGENT_EVAL_SUBMITTED_BY named someone.
        leaderboardRow: { ...leaderboardRow, submitted_by: leaderboardRow.submitted_by && leaderboardRow.submitted_by !== 'local' ? leaderboardRow.submitted_by : user },
      }),
      // Streamed from the files, each row scrubbed as it is read.
      results,
      traces,
      ...(shard && hubShards && { shard: shard.spec, runFiles: await hubShards.shardRunFiles(shard.run, redactor) }),
    },
    {
      client,
      user,
      ...(options.prefix !== undefined && { prefix: options.prefix }),
      private: options.private ?? true,
      ...(options.leaderboardRepo !== undefined && { leaderboardRepo: options.leaderboardRepo }),
      tracesEnabled: traces.count > 0 || runOptions.enableOtel === true || typeof runOptions.otlpEndpoint === 'string',
    },
  );
  return { urls: pushed.urls, notices: [...notices, ...pushed.notices], user, pushed };
}

/** The directory as a shell word (quoted only when it needs to be). */
function shellWord(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * `--output-format hub`: publishes the run from its local files (written first). A failure, after the
 * Hub client's retries, is a StartupError that says how to publish the saved run later.
 */
export async function publishRunToHub(_run: RunResult, local: { directory: string }, options: HubPublishOptions): Promise<HubPublishResult> {
  try {
    return await publishRunDirectory(local.directory, options);
  } catch (error) {
    const directory = shellWord(local.directory);
    throw new StartupError(`${errorMessage(error)}; the run is saved in ${local.directory}: publish it later with: agent-eval push ${directory}`);
  }
}
