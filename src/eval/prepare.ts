import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { AgentType } from '../agents/types.js';
import { InputError } from '../errors.js';
import { toGenerationParameters } from '../models/generation.js';
import { resolveModel, type ResolvedModel } from '../models/routing.js';
import type { GenerationParameters } from '../models/types.js';
import { loadTaskSet, type TaskSetSource } from '../tasks/load.js';
import type { Task } from '../tasks/schema.js';
import { checkTaskIds, selectTasks, unknownExpectedToolNotices } from '../tasks/select.js';
import type { McpConnection } from '../tools/mcp.js';
import { NETWORK_TOOLS, resolveTools, withCustomTools } from '../tools/registry.js';
import { searchSettings } from '../tools/search-providers.js';
import { checkSecurityProfile, type EffectivePolicy } from './security.js';
import { prepareLocalModel, type LocalModelInfo } from './local-model.js';
import { agentEvalCacheDirectory } from './defaults.js';
import type { ModelProvider } from '../models/types.js';
import { createPythonInterpreterTool, type PythonInterpreterTool } from './python-tool.js';
import type { AnyTool } from '../tools/types.js';
import { createPriceBook, type PriceBook } from '../telemetry/cost.js';
import { setUpAgents, type AgentsSetup } from './agent-setup.js';
import { impliedTools, markImpliedTools } from './executed-tasks.js';
import { energySettings, type EnergySettings } from './energy.js';
import { checkWritableDirectory, runDirectoryName } from './run-directory.js';
import { withHomeFolder } from './portable-paths.js';
import type { RunContext, RunOptions } from './types.js';
import { SecretRedactor } from '../secrets/redactor.js';
import { urlWithoutCredentials } from '../secrets/patterns.js';
import { resolveHubToken } from '../hub/token.js';
import { inShard } from '../scale/shard.js';
import type { ExternalAgent } from '../agents/external/types.js';
import { externalAgentRoute } from './external-agent-setup.js';
import { checkDialogueTasks } from './dialogue-setup.js';
import { prepareScoring, type PreparedJudge } from './scoring-setup.js';

export interface WorkItem {
  task: Task;
  agentType: AgentType;
  testIndex: number;
  /** The rollout, 0..K-1, with `--repeats K`; absent without repeats. */
  repeat?: number;
}

/** Everything checked and loaded before anything is written: bad input fails here, with no side effects. */
export interface PreparedRun {
  options: RunOptions;
  runId: string;
  runDirectory: string;
  resolved: ResolvedModel;
  generation: GenerationParameters;
  tools: AnyTool[];
  agents: AgentsSetup['agents'];
  additionalImports: string[];
  /** Open MCP connections, closed by the runner at the end. */
  mcp?: McpConnection;
  /** The python_interpreter tool's sandbox, started on first use; closed by the runner. */
  python: PythonInterpreterTool;
  policy: EffectivePolicy;
  work: WorkItem[];
  notices: string[];
  startedAt: Date;
  priceBook: PriceBook;
  promptHashes: Record<string, string>;
  energy: EnergySettings;
  datasetSource: TaskSetSource;
  /** agent-eval's cache folder (the sandbox snapshot); undefined when turned off. */
  cacheDirectory?: string;
  /** Scrubs this run's secrets (environment, API key, Hub token, OTLP headers, URL credentials) from every output. */
  redactor: SecretRedactor;
  /** The loaded local model's provider (provider transformers); closed by the runner. */
  provider?: ModelProvider;
  localModel?: LocalModelInfo;
  /** The LLM judge (`--judge-model`), checked; its provider is made by the runner. */
  judge?: PreparedJudge;
}

const savedMetadataSchema = z.object({
  run_id: z.string(),
  started_at: z.string(),
  run_options: z.record(z.string(), z.unknown()),
  dataset_source: z.looseObject({ sha: z.string().optional(), kind: z.string().optional() }).optional(),
});

/** Options a resumed run takes from its directory; the rest (workers, timeouts) may change. */
const FIXED_ON_RESUME = ['datasetRevision', 'model', 'provider', 'baseUrl', 'hfInferenceProvider', 'dtype', 'modelPath', 'additionalImports', 'enableTools', 'searchProvider', 'mcpServers', 'securityProfile', 'agentType', 'difficulty', 'datasetName', 'split', 'promptYml', 'modelArgs', 'maxSteps', 'limit', 'taskIds', 'workingDirectory', 'grouping', 'pricingFile', 'shard', 'scorers', 'judge', 'repeats', 'datasetConfig', 'columnMap', 'taskConfig', 'agentCommand', 'agentUrl', 'agentReuse', 'userModel', 'userBaseUrl', 'userArgs'] as const;

async function readResumeMetadata(directory: string) {
  const path = join(directory, 'metadata.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`--resume ${directory}: no metadata.json there (${(error as NodeJS.ErrnoException).code ?? 'error'}); is it a run directory?`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`--resume ${directory}: ${path} is not valid JSON (${(error as Error).message}); the file is damaged or cut short`);
  }
  const parsed = savedMetadataSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`--resume ${directory}: metadata.json has no run_id/run_options; was it made by agent-eval?`);
  return parsed.data;
}

/** Secret-looking model args are saved redacted; a resume takes them from --model-args again. */
function restoreRedactedArgs(saved: Record<string, unknown>, given: Record<string, unknown>): Record<string, unknown> {
  const restored = { ...saved };
  for (const [key, value] of Object.entries(saved)) {
    if (value !== '[REDACTED]') continue;
    if (!(key in given)) throw new InputError(`--resume: model arg '${key}' was saved redacted; give it again with --model-args ${key}=...`);
    restored[key] = given[key];
  }
  return restored;
}

/** Fails when a task lists `required_tools` that the run does not have. */
function checkRequiredTools(work: readonly WorkItem[], tools: readonly AnyTool[]): void {
  const available = new Set(tools.map((tool) => tool.name));
  for (const { task } of work) {
    const missing = task.required_tools.filter((name) => !available.has(name));
    if (missing.length) throw new InputError(`task ${task.id} requires tools that are not enabled: ${missing.join(', ')} (add them with --enable-tools)`);
  }
}

/**
 * Tool tasks first, then code tasks (SMOLTRACE's order); test_index follows that order. A shard keeps
 * its tasks' unsharded test_index, so merged shards order their rows as the unsharded run does.
 */
function planWork(tasks: readonly Task[], options: RunOptions, agentTypes: readonly AgentType[]): WorkItem[] {
  const work: WorkItem[] = [];
  let testIndex = 0;
  for (const agentType of agentTypes) {
    const selected = selectTasks(tasks, { agentType, difficulty: options.difficulty, taskIds: options.taskIds, limit: options.limit });
    for (const task of selected) {
      const repeats = options.repeats ?? 1;
      // Each rollout its own test_index; the task's test_case_uid is shared, so its rollouts pair up.
      for (let repeat = 0; repeat < repeats; repeat++) {
        if (inShard(options.shard, `${agentType}:${task.id}`)) work.push({ task, agentType, testIndex, ...(repeats > 1 && { repeat }) });
        testIndex++;
      }
    }
  }
  return work;
}

/**
 * The model's route. A program's own provider (runEvaluation's `provider`) needs no key or known
 * prefix: when the options do not route, the provider's own name and model id are used.
 */
function resolveWithProvider(options: RunOptions, env: RunContext['env'], provider: ModelProvider | undefined): ResolvedModel {
  try {
    // A replayed run never calls the model: no key is needed.
    return resolveModel({ ...options, env, keyOptional: options.cache === 'replay' });
  } catch (error) {
    if (!provider || !(error instanceof InputError)) throw error;
    return { provider: provider.provider, modelId: provider.modelId, baseUrl: 'in-process', apiKey: '' };
  }
}

/** `loadLocalModel: false` skips readying a local model (the caller brings its own provider). */
/**
 * Hugging Face router models take their key the way Hub access does: --hf-token-file first, then
 * HF_TOKEN, then the cached `hf auth login` token.
 */
async function withHubToken(options: RunOptions, env: RunContext['env']): Promise<RunContext['env']> {
  const router = options.provider === 'inference' || /^(hf|huggingface)\//i.test(options.model);
  if (!router || (options.hfTokenFile === undefined && (env.HF_TOKEN?.trim() || env.HUGGINGFACE_API_KEY?.trim()))) return env;
  const { resolveHubToken } = await import('../hub/token.js');
  const token = await resolveHubToken({ env, ...(options.hfTokenFile !== undefined && { tokenFile: options.hfTokenFile }) });
  return token ? { ...env, HF_TOKEN: token.token } : env;
}

/**
 * The run's one redactor: the CLI's when it made one, else a new one, knowing every secret in force:
 * the environment, the model's key, the Hub token (a token file or the cached login too), and the
 * credentials in the model, OTLP and MCP URLs.
 */
async function runRedactor(options: RunOptions, context: RunContext, modelEnv: RunContext['env'], apiKey: string, baseUrl: string): Promise<SecretRedactor> {
  const redactor = (context.redactor ?? SecretRedactor.from()).addEnvironment(modelEnv);
  const hubToken = await resolveHubToken({ env: modelEnv, ...(options.hfTokenFile !== undefined && { tokenFile: options.hfTokenFile }) }).catch(() => null);
  const mcpUrls = (options.mcpServers ?? []).map((server) => (server.kind === 'http' ? server.url : undefined));
  return redactor.addEnvironment(options.mcpServerEnv ?? {}).addEnvironment(options.agentEnv ?? {}).addUrls(options.agentUrl, options.userBaseUrl).add(apiKey, hubToken?.token).addUrls(options.baseUrl, baseUrl, options.otlpEndpoint, ...mcpUrls);
}

export async function prepareRun(given: RunOptions, context: RunContext, settings: { loadLocalModel?: boolean; tools?: readonly AnyTool[]; provider?: ModelProvider; agent?: ExternalAgent } = {}): Promise<PreparedRun> {
  const now = context.now ?? (() => new Date());
  let options = given;
  let runId = given.runId ?? randomUUID();
  let runDirectory: string | undefined;
  let startedAt = now();
  if (given.resume) {
    const saved = await readResumeMetadata(given.resume);
    // Paths were saved with the home folder as ~ (portable-paths.ts).
    const fixed = withHomeFolder(Object.fromEntries(FIXED_ON_RESUME.map((key) => [key, saved.run_options[key]])));
    fixed.modelArgs = restoreRedactedArgs((fixed.modelArgs ?? {}) as Record<string, unknown>, given.modelArgs);
    // A --base-url with credentials is saved as http://***@host: the real one has to be given again.
    if (typeof fixed.baseUrl === 'string' && fixed.baseUrl.includes('://***@')) {
      if (!given.baseUrl || urlWithoutCredentials(given.baseUrl) !== fixed.baseUrl) throw new InputError(`--resume: --base-url was saved without its credentials (${fixed.baseUrl}); give it again with --base-url`);
      fixed.baseUrl = given.baseUrl;
    }
    // An unpinned Hub dataset resumes at the commit the run started from, not at today's head.
    if (!fixed.datasetRevision && saved.dataset_source?.kind === 'hub' && saved.dataset_source.sha) fixed.datasetRevision = saved.dataset_source.sha;
    options = { ...given, ...fixed, resume: given.resume } as RunOptions;
    runId = saved.run_id;
    runDirectory = resolve(given.resume);
    startedAt = new Date(saved.started_at);
  }
  const modelEnv = await withHubToken(options, context.env);
  const external = externalAgentRoute(options, settings.agent);
  const resolved = external?.resolved ?? resolveWithProvider(options, modelEnv, settings.provider);
  const redactor = await runRedactor(options, context, modelEnv, resolved.apiKey, resolved.baseUrl);
  if (resolved.provider !== 'transformers') {
    const local = options.modelPath !== undefined ? '--model-path' : options.dtype !== undefined ? '--dtype' : options.device !== undefined && options.device !== 'cpu' ? '--device' : undefined;
    if (local) throw new InputError(`${local}: only for local models (--provider transformers or a transformers/ model), not ${resolved.provider}`);
  }
  const generation = toGenerationParameters(options.modelArgs);
  const { tasks, source: datasetSource } = await loadTaskSet({ datasetName: options.datasetName, split: options.split, revision: options.datasetRevision, hfTokenFile: options.hfTokenFile, env: context.env, allowHub: options.securityProfile !== 'closed', config: options.datasetConfig, columnMap: options.columnMap, taskConfig: options.taskConfig });
  checkTaskIds(tasks, options.taskIds);
  const cacheDirectory = agentEvalCacheDirectory(context.env);
  const python = createPythonInterpreterTool({
    ...(cacheDirectory && { snapshotCacheDir: join(cacheDirectory, 'sandbox') }),
    size: options.parallelWorkers,
    authorizedImports: options.additionalImports ?? [],
    stepTimeoutMs: (options.codeTimeoutSeconds ?? 30) * 1000,
  });
  const requestedTools = markImpliedTools(resolveTools({ enableTools: [...(options.enableTools ?? []), ...impliedTools(tasks, options.scorers)], optional: { python_interpreter: () => python.tool }, search: searchSettings(options.searchProvider, context.env) }), options.enableTools, options.scorers);
  const policy = checkSecurityProfile(options, resolved, requestedTools.map((tool) => tool.name));
  // The closed profile also drops the always-on web_search.
  const localTools = withCustomTools(requestedTools.filter((tool) => policy.network_tools_allowed || !NETWORK_TOOLS.includes(tool.name)), settings.tools ?? []);
  const agentTypes: AgentType[] = external ? external.agentTypes : options.agentType === 'both' ? ['tool', 'code'] : [options.agentType];
  const workingDirectory = resolve(options.workingDirectory);
  const info = await stat(workingDirectory).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(`--working-directory ${options.workingDirectory}: not a directory`);
  const priceBook = await createPriceBook({ customPricingFile: options.pricingFile, deferLoading: true });
  const notices: string[] = [...datasetSource.notices];
  const dialogues = checkDialogueTasks(planWork(tasks, options, agentTypes), options);
  const work = dialogues.work;
  notices.push(...dialogues.notices);
  if (work.length === 0 && options.shard) throw new InputError(`--shard ${options.shard.index}/${options.shard.count}: no task of this selection falls in this shard (use fewer shards)`);
  if (work.length === 0) throw new InputError('no tasks to run: the dataset has none for this agent type, difficulty and selection');
  const scoring = await prepareScoring(options, work.map((item) => item.task), resolved, modelEnv);
  if (scoring.judge) redactor.add(scoring.judge.resolved.apiKey).addUrls(scoring.judge.resolved.baseUrl);
  notices.push(...scoring.notices);
  if (!runDirectory) {
    await checkWritableDirectory(options.outputDir, '--output-dir');
    runDirectory = resolve(options.outputDir, runDirectoryName(options.model, options.agentType, startedAt));
  }
  // Last, the steps with something to undo: loading a local model, then connecting MCP servers.
  const local = resolved.provider === 'transformers' && settings.loadLocalModel !== false
    ? await prepareLocalModel(options, resolved, context, policy.profile === 'closed')
    : undefined;
  if (local) notices.push(...local.notices);
  let mcp: McpConnection | undefined;
  let tools = localTools;
  let setup: AgentsSetup;
  try {
    mcp = options.mcpServers?.length
      ? await (await import('../tools/mcp.js')).connectMcpServers(options.mcpServers, { reservedNames: localTools.map((tool) => tool.name), ...(options.mcpServerEnv && { env: options.mcpServerEnv }) })
      : undefined;
    if (mcp) tools = [...localTools.slice(0, -1), ...mcp.tools, localTools.at(-1)!];
    checkRequiredTools(work, tools);
    notices.push(...unknownExpectedToolNotices(work.map((item) => item.task), tools.map((tool) => tool.name)));
    setup = await setUpAgents(options, tools, agentTypes, { env: context.env, redactor, ...(settings.agent && { agent: settings.agent }) });
  } catch (error) {
    await mcp?.close();
    await local?.provider.close();
    throw error;
  }
  const { agents, additionalImports } = setup;
  return {
    options: { ...options, workingDirectory },
    runId,
    runDirectory,
    resolved,
    generation,
    tools,
    mcp,
    python,
    policy,
    agents,
    additionalImports,
    work,
    notices,
    startedAt,
    priceBook,
    promptHashes: Object.fromEntries(
      Object.entries(agents).flatMap(([agentType, setup]) => Object.entries(setup.promptHashes).map(([key, hash]) => [`${agentType}.${key}`, hash])),
    ),
    energy: energySettings(options, resolved.provider, context.env),
    datasetSource,
    ...(cacheDirectory && { cacheDirectory }),
    redactor,
    ...(local && { provider: local.provider, localModel: local.info }),
    ...(external && { provider: external.provider }),
    ...(scoring.judge && { judge: scoring.judge }),
  };
}
