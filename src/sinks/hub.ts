/**
 * `--output-format hub` and `agent-eval push <run-dir>`: one code path. The run's local files (always
 * written first) are read back, validated and pushed with `pushRunToHub` (SMOLTRACE's dataset names,
 * spec 7), so what the Hub holds is exactly what the run directory holds.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError, StartupError, errorMessage } from '../errors.js';
import type { RunResult } from '../eval/types.js';
import { SecretRedactor } from '../secrets/redactor.js';
import type { PushResult, RetryOptions } from '../hub/index.js';

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

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

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
});
const resultsSchema = z.array(z.looseObject({ run_id: z.string(), task_id: z.string() }));
const tracesSchema = z.array(z.looseObject({ trace_id: z.string(), spans: z.array(z.unknown()) }));
const metricsSchema = z.looseObject({ resourceMetrics: z.array(z.unknown()), aggregates: z.array(z.unknown()) });
const leaderboardSchema = z.looseObject({ run_id: z.string(), model: z.string(), agent_type: z.string() });

/**
 * traces.json holds nanosecond times as bare JSON integers past 2^53; they are read back as the digit
 * strings the run had in memory, so no precision is lost on the way to the Hub.
 */
export function parseTracesJson(text: string): unknown {
  return JSON.parse(text.replace(/(?<!\\)"(start_time|end_time|timestamp)":(\s*)(-?\d+)(?=\s*[,}\]])/g, '"$1":$2"$3"'));
}

async function readRunFile<T>(directory: string, name: string, schema: z.ZodType<T>, parse: (text: string) => unknown = JSON.parse): Promise<T> {
  const path = join(directory, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError(`${path}: cannot read the file (${code}); is ${directory} a run directory written by agent-eval run?`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${errorMessage(error)})`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `field '${issue.path.join('.')}'` : 'the document';
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : issue.message;
    throw new InputError(`${path}: ${where} ${message}`);
  }
  return parsed.data;
}

/** Checks the publishing flags that need no network: prefix, leaderboard repo. */
export function checkHubPublishOptions(options: Pick<HubPublishOptions, 'prefix' | 'leaderboardRepo'>): void {
  if (options.prefix !== undefined && !NAME.test(options.prefix)) {
    throw new InputError(`--dataset-prefix ${options.prefix}: only letters, digits, '.', '_' and '-' (e.g. smoltrace)`);
  }
  if (options.leaderboardRepo !== undefined && !REPO.test(options.leaderboardRepo)) {
    throw new InputError(`--leaderboard-repo ${options.leaderboardRepo}: give a Hub dataset id "owner/name"`);
  }
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
  const results = await readRunFile(directory, 'results.json', resultsSchema);
  const traces = await readRunFile(directory, 'traces.json', tracesSchema, parseTracesJson);
  const metrics = await readRunFile(directory, 'metrics.json', metricsSchema);
  const leaderboardRow = await readRunFile(directory, 'leaderboard_row.json', leaderboardSchema);
  const foreign = results.find((row) => row.run_id !== metadata.run_id);
  if (foreign) throw new InputError(`${join(directory, 'results.json')}: task ${foreign.task_id} belongs to run ${foreign.run_id}, not ${metadata.run_id}`);
  if (leaderboardRow.run_id !== metadata.run_id) {
    throw new InputError(`${join(directory, 'leaderboard_row.json')}: run_id ${leaderboardRow.run_id} is not the run's ${metadata.run_id}`);
  }

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
    notices.push(`run ${metadata.run_id} was interrupted: publishing the ${results.length} of ${metadata.planned_tests ?? '?'} task(s) it recorded`);
  }
  const runOptions = metadata.run_options ?? {};
  const source = metadata.dataset_source;
  const datasetUsed = metadata.dataset_used ?? null;
  // What leaves the machine is scrubbed once more, with this environment's secrets and the Hub token
  // (the directory may come from an older version, or from a run made with other variables set).
  const redactor = SecretRedactor.from({ env: options.env, secrets: [token.token] });
  const pushed = await pushRunToHub(
    redactor.value({
      runId: metadata.run_id,
      timestampCompact: metadata.timestamp,
      model: metadata.model,
      agentType: metadata.agent_type,
      datasetUsed: datasetUsed && source?.kind === 'hub' && source.sha ? `${datasetUsed}@${source.sha}` : datasetUsed,
      results,
      traces,
      metrics,
      // The row says who pushed it: the Hub user unless AGENT_EVAL_SUBMITTED_BY named someone.
      leaderboardRow: { ...leaderboardRow, submitted_by: leaderboardRow.submitted_by && leaderboardRow.submitted_by !== 'local' ? leaderboardRow.submitted_by : user },
    }),
    {
      client,
      user,
      ...(options.prefix !== undefined && { prefix: options.prefix }),
      private: options.private ?? true,
      ...(options.leaderboardRepo !== undefined && { leaderboardRepo: options.leaderboardRepo }),
      tracesEnabled: traces.length > 0 || runOptions.enableOtel === true || typeof runOptions.otlpEndpoint === 'string',
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
