import { basename } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { PROVIDER_CHOICES, hasApiPrefix } from '../models/routing.js';
import { DEVICES, DTYPES } from '../models/transformers-files.js';
import { DEFAULT_LOCAL_MODEL } from '../eval/defaults.js';
import { DIFFICULTIES } from '../tasks/schema.js';
import { PURPOSES, type RunOptions } from '../eval/types.js';
import { parseModelArgs } from './model-args.js';
import { parseSandboxLimits } from '../sandbox/limits.js';
import { parseMcpServerCommand, parseMcpServerUrl, parseMcpTransport } from '../tools/mcp-spec.js';
import { SEARCH_PROVIDERS } from '../tools/search-providers.js';
import { CACHE_MODES } from '../models/response-cache.js';
import { parseShard } from '../scale/shard.js';
import { parseAgentFlags, withExternalModel } from './agent-options.js';
import { parseScoringFlags } from './scoring-options.js';

/** The raw values commander hands over for `agent-eval run`. */
export interface RawRunFlags {
  [flag: string]: unknown;
}

const integer = (flag: string, min: number) =>
  z.coerce.number({ error: `--${flag}: must be a number` }).int(`--${flag}: must be a whole number`).min(min, `--${flag}: must be at least ${min}`);
const seconds = (flag: string) => z.coerce.number({ error: `--${flag}: must be a number of seconds` }).positive(`--${flag}: must be more than 0`);

/** `--fail-under`: a fraction (0.8) or a percentage ("80%"). */
const failUnderSchema = z
  .string()
  .transform((text, context) => {
    const percent = text.trim().endsWith('%');
    const value = Number(percent ? text.trim().slice(0, -1) : text);
    const fraction = percent ? value / 100 : value;
    if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) {
      context.addIssue({ code: 'custom', message: `--fail-under ${text}: give a success rate between 0 and 1, or a percentage like 80%` });
      return z.NEVER;
    }
    return fraction;
  });

const flagsSchema = z.object({
  model: z.string({ error: '--model is required here (e.g. --model openai/gpt-4o-mini)' }).trim().min(1, '--model: must not be empty'),
  provider: z.enum(PROVIDER_CHOICES, { error: `--provider: choose one of ${PROVIDER_CHOICES.join(', ')}` }),
  baseUrl: z.url({ error: '--base-url: must be an http(s) URL' }).optional(),
  hfInferenceProvider: z.string().trim().min(1).optional(),
  device: z.enum(DEVICES, { error: `--device: choose one of ${DEVICES.join(', ')}` }).optional(),
  dtype: z.enum(DTYPES, { error: `--dtype: choose one of ${DTYPES.join(', ')}` }).optional(),
  modelPath: z.string().trim().min(1, '--model-path: must not be empty').optional(),
  trustRemoteCode: z.boolean().optional(),
  agentType: z.enum(['tool', 'code', 'both'], { error: '--agent-type: choose tool, code or both' }),
  difficulty: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(DIFFICULTIES, { error: '--difficulty: choose easy, medium or hard' }))
    .optional(),
  datasetName: z.string().min(1),
  split: z.string().min(1),
  outputFormat: z.enum(['json', 'hub'], { error: '--output-format: choose json or hub' }),
  datasetRevision: z.string().trim().min(1, '--dataset-revision: must not be empty').optional(),
  hfTokenFile: z.string().min(1).optional(),
  outputDir: z.string().min(1),
  promptYml: z.string().optional(),
  runId: z.string().trim().min(1, '--run-id: must not be empty').optional(),
  parallelWorkers: integer('parallel-workers', 1).max(256, '--parallel-workers: at most 256'),
  workingDirectory: z.string().min(1),
  modelArgs: z.array(z.string()).optional(),
  maxSteps: integer('max-steps', 1).optional(),
  additionalImports: z.array(z.string().regex(/^[A-Za-z_][\w.]*$/, '--additional-imports: module names only (e.g. numpy, collections.abc)')).optional(),
  codeTimeout: seconds('code-timeout'),
  sandboxLimit: z.array(z.string()).optional(),
  limit: integer('limit', 1).optional(),
  taskId: z.array(z.string()).optional(),
  timeout: seconds('timeout'),
  requestTimeout: seconds('request-timeout'),
  maxRetries: integer('max-retries', 0),
  resume: z.string().optional(),
  retryErrors: z.boolean().optional(),
  failUnder: failUnderSchema.optional(),
  useCase: z.string().optional(),
  team: z.string().optional(),
  purpose: z.enum(PURPOSES, { error: `--purpose: choose one of ${PURPOSES.join(', ')}` }).optional(),
  suiteVersion: z.string().optional(),
  pricing: z.string().min(1).optional(),
  enableTools: z.array(z.string()).optional(),
  searchProvider: z.enum(SEARCH_PROVIDERS).optional(),
  mcpServerUrl: z.array(z.string()).optional(),
  mcpTransport: z.string(),
  mcpServerCommand: z.array(z.string()).optional(),
  mcpServerEnv: z.array(z.string()).optional(),
  securityProfile: z.enum(['standard', 'closed', 'bfsi-closed']).transform((value) => (value === 'bfsi-closed' ? 'closed' : value)),
  enableOtel: z.boolean().optional(),
  otlpEndpoint: z.url({ protocol: /^https?$/, error: '--otlp-endpoint: must be an http(s) URL' }).optional(),
  captureContent: z.boolean().optional(),
  enableGpuMetrics: z.boolean().optional(),
  disableGpuMetrics: z.boolean().optional(),
  gpuSampleInterval: seconds('gpu-sample-interval'),
  pue: z.coerce.number({ error: '--pue: must be a number' }).min(1, '--pue: must be at least 1'),
  carbonIntensity: z.coerce.number({ error: '--carbon-intensity: must be a number' }).min(0, '--carbon-intensity: must be at least 0').optional(),
  country: z.string().trim().min(2).optional(),
  electricityPrice: z.coerce.number({ error: '--electricity-price: must be a number' }).min(0, '--electricity-price: must be at least 0'),
  quiet: z.boolean().optional(),
  debug: z.boolean().optional(),
  cache: z.enum(CACHE_MODES, { error: `--cache: choose one of ${CACHE_MODES.join(', ')}` }).optional(),
  cacheDir: z.string().trim().min(1, '--cache-dir: must not be empty').optional(),
  adaptiveConcurrency: z.boolean().optional(),
  maxRequestsPerMinute: integer('max-requests-per-minute', 1).optional(),
  maxTokensPerMinute: integer('max-tokens-per-minute', 1).optional(),
  shard: z.string().optional(),
  report: z.boolean().optional(),
});

export interface CliRunSettings {
  options: RunOptions;
  failUnder?: number;
  /** `--export-gaia-submission FILE`: written after the run. */
  gaiaSubmission?: string;
  quiet: boolean;
  debug: boolean;
  /** `--report`: write report.html into the run directory (and upload it with --output-format hub). */
  report: boolean;
}

/**
 * Without --model: a resumed run takes its model from the run directory; --model-path names a local
 * model; otherwise AGENT_EVAL_DEFAULT_MODEL or the built-in default, a local transformers.js model
 * (an id behind a known API prefix, such as openai/..., is routed to that API instead).
 */
function withDefaultModel(raw: RawRunFlags, env: Record<string, string | undefined>): RawRunFlags {
  if (raw.resume && raw.model === undefined) return { ...raw, model: 'resumed' };
  const local = raw.provider === undefined || raw.provider === 'litellm' || raw.provider === 'transformers';
  if (raw.modelPath !== undefined) {
    if (!local) throw new InputError(`--model-path: only for local models (--provider transformers), not --provider ${String(raw.provider)}`);
    // The folder's name names the model in results and in the run directory.
    const name = basename(String(raw.modelPath).replace(/[\\/]+$/, '')) || String(raw.modelPath);
    return { ...raw, provider: 'transformers', model: raw.model ?? name };
  }
  if (raw.model !== undefined) return raw;
  if (!local || raw.baseUrl !== undefined) {
    throw new InputError(`--model is required with ${raw.baseUrl !== undefined ? '--base-url' : `--provider ${String(raw.provider)}`}`);
  }
  const chosen = env.AGENT_EVAL_DEFAULT_MODEL?.trim() || DEFAULT_LOCAL_MODEL.id;
  if (raw.provider !== 'transformers' && hasApiPrefix(chosen)) return { ...raw, model: chosen };
  return { ...raw, model: chosen.replace(/^transformers\//i, ''), provider: 'transformers' };
}

/** `--mcp-server-env NAME=value` or `NAME` (our own value, so secrets stay off the command line). */
function parseMcpServerEnv(entries: string[] | undefined, env: Record<string, string | undefined>): Record<string, string> | undefined {
  if (!entries?.length) return undefined;
  const result: Record<string, string> = {};
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    const name = equals < 0 ? entry : entry.slice(0, equals);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new InputError(`--mcp-server-env ${entry}: give NAME=value or NAME`);
    const value = equals < 0 ? env[name] : entry.slice(equals + 1);
    if (value === undefined) throw new InputError(`--mcp-server-env ${name}: ${name} is not set in this environment`);
    result[name] = value;
  }
  return result;
}

/** Validates commander's values; the first problem becomes one InputError line naming the flag. */
export function parseRunFlags(raw: RawRunFlags, env: Record<string, string | undefined> = process.env): CliRunSettings {
  const parsed = flagsSchema.safeParse(withDefaultModel(withExternalModel(raw), env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = `--${String(issue.path[0] ?? '').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    throw new InputError(issue.message.startsWith('--') ? issue.message : `${flag}: ${issue.message}`);
  }
  const flags = parsed.data;
  const mcpServerEnv = parseMcpServerEnv(flags.mcpServerEnv, env);
  if (mcpServerEnv && !flags.mcpServerCommand?.length) throw new InputError('--mcp-server-env: only for servers started with --mcp-server-command');
  if (flags.enableGpuMetrics && flags.disableGpuMetrics) throw new InputError('--enable-gpu-metrics and --disable-gpu-metrics: choose one');
  if (flags.country && flags.carbonIntensity !== undefined) throw new InputError('--country and --carbon-intensity: choose one');
  if (flags.retryErrors && !flags.resume) throw new InputError('--retry-errors: only with --resume <run-dir>');
  const scoring = parseScoringFlags(raw);
  return {
    failUnder: flags.failUnder,
    ...(scoring.gaiaSubmission && { gaiaSubmission: scoring.gaiaSubmission }),
    quiet: flags.quiet ?? false,
    debug: flags.debug ?? false,
    report: flags.report ?? false,
    options: {
      model: flags.model,
      provider: flags.provider,
      baseUrl: flags.baseUrl,
      hfInferenceProvider: flags.hfInferenceProvider,
      device: flags.device,
      dtype: flags.dtype,
      modelPath: flags.modelPath,
      trustRemoteCode: flags.trustRemoteCode,
      agentType: flags.agentType,
      difficulty: flags.difficulty,
      datasetName: flags.datasetName,
      split: flags.split,
      datasetRevision: flags.datasetRevision,
      outputFormat: flags.outputFormat,
      hfTokenFile: flags.hfTokenFile,
      outputDir: flags.outputDir,
      promptYml: flags.promptYml,
      runId: flags.runId,
      parallelWorkers: flags.parallelWorkers,
      workingDirectory: flags.workingDirectory,
      modelArgs: parseModelArgs(flags.modelArgs),
      maxSteps: flags.maxSteps,
      additionalImports: flags.additionalImports,
      codeTimeoutSeconds: flags.codeTimeout,
      sandboxLimits: parseSandboxLimits(flags.sandboxLimit),
      limit: flags.limit,
      taskIds: flags.taskId,
      timeoutSeconds: flags.timeout,
      requestTimeoutSeconds: flags.requestTimeout,
      maxRetries: flags.maxRetries,
      resume: flags.resume,
      retryErrors: flags.retryErrors,
      pricingFile: flags.pricing,
      enableTools: flags.enableTools,
      searchProvider: flags.searchProvider,
      mcpServers: [
        ...(flags.mcpServerUrl ?? []).map((value) => parseMcpServerUrl(value, parseMcpTransport(flags.mcpTransport))),
        ...(flags.mcpServerCommand ?? []).map(parseMcpServerCommand),
      ],
      mcpServerEnv,
      securityProfile: flags.securityProfile,
      enableOtel: flags.enableOtel,
      otlpEndpoint: flags.otlpEndpoint,
      captureContent: flags.captureContent,
      gpuMetrics: flags.disableGpuMetrics ? false : flags.enableGpuMetrics ? true : undefined,
      gpuSampleIntervalSeconds: flags.gpuSampleInterval,
      pue: flags.pue,
      carbonIntensity: flags.carbonIntensity,
      country: flags.country,
      electricityPrice: flags.electricityPrice,
      grouping: { useCase: flags.useCase, team: flags.team, purpose: flags.purpose, suiteVersion: flags.suiteVersion },
      cache: flags.cache,
      cacheDir: flags.cacheDir,
      adaptiveConcurrency: flags.adaptiveConcurrency,
      maxRequestsPerMinute: flags.maxRequestsPerMinute,
      maxTokensPerMinute: flags.maxTokensPerMinute,
      shard: parseShard(flags.shard),
      ...parseAgentFlags(raw, env),
      ...scoring.options,
    },
  };
}
