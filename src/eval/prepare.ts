import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadPromptConfig, renderSystemPrompt } from '../agents/prompts.js';
import type { AgentType } from '../agents/types.js';
import { InputError } from '../errors.js';
import { toGenerationParameters } from '../models/generation.js';
import { resolveModel, type ResolvedModel } from '../models/routing.js';
import type { GenerationParameters } from '../models/types.js';
import { loadTasks } from '../tasks/load.js';
import type { Task } from '../tasks/schema.js';
import { checkTaskIds, selectTasks } from '../tasks/select.js';
import { builtinTools } from '../tools/builtin.js';
import type { AnyTool } from '../tools/types.js';
import { createPriceBook, type PriceBook } from '../telemetry/cost.js';
import { RUN_DEFAULTS } from './defaults.js';
import { templateHashes } from './environment.js';
import { energySettings, type EnergySettings } from './energy.js';
import { checkWritableDirectory, runDirectoryName } from './run-directory.js';
import type { RunContext, RunOptions } from './types.js';

export interface WorkItem {
  task: Task;
  agentType: AgentType;
  testIndex: number;
}

/** Everything checked and loaded before anything is written: bad input fails here, with no side effects. */
export interface PreparedRun {
  options: RunOptions;
  runId: string;
  runDirectory: string;
  resolved: ResolvedModel;
  generation: GenerationParameters;
  tools: AnyTool[];
  systemPrompt: string;
  maxSteps: number;
  work: WorkItem[];
  notices: string[];
  startedAt: Date;
  priceBook: PriceBook;
  promptHashes: Record<string, string>;
  energy: EnergySettings;
}

const savedMetadataSchema = z.object({
  run_id: z.string(),
  started_at: z.string(),
  run_options: z.record(z.string(), z.unknown()),
});

/** Options a resumed run takes from its directory; the rest (workers, timeouts) may change. */
const FIXED_ON_RESUME = ['model', 'provider', 'baseUrl', 'hfInferenceProvider', 'agentType', 'difficulty', 'datasetName', 'split', 'promptYml', 'modelArgs', 'maxSteps', 'limit', 'taskIds', 'workingDirectory', 'grouping', 'pricingFile'] as const;

async function readResumeMetadata(directory: string) {
  const path = join(directory, 'metadata.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`--resume ${directory}: no metadata.json there (${(error as NodeJS.ErrnoException).code ?? 'error'}); is it a run directory?`);
  }
  const parsed = savedMetadataSchema.safeParse(JSON.parse(text));
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

function planWork(tasks: readonly Task[], options: RunOptions, notices: string[]): WorkItem[] {
  const agentTypes: AgentType[] = options.agentType === 'both' ? ['tool', 'code'] : [options.agentType];
  const work: WorkItem[] = [];
  for (const agentType of agentTypes) {
    const selected = selectTasks(tasks, { agentType, difficulty: options.difficulty, taskIds: options.taskIds, limit: options.limit });
    if (agentType === 'code') {
      if (selected.length) notices.push(`code agent: ${selected.length} task(s) skipped; the code agent is not available in this version yet`);
      continue;
    }
    for (const task of selected) work.push({ task, agentType, testIndex: work.length });
  }
  return work;
}

export async function prepareRun(given: RunOptions, context: RunContext): Promise<PreparedRun> {
  const now = context.now ?? (() => new Date());
  let options = given;
  let runId = given.runId ?? randomUUID();
  let runDirectory: string | undefined;
  let startedAt = now();
  if (given.resume) {
    const saved = await readResumeMetadata(given.resume);
    const fixed = Object.fromEntries(FIXED_ON_RESUME.map((key) => [key, saved.run_options[key]]));
    fixed.modelArgs = restoreRedactedArgs((fixed.modelArgs ?? {}) as Record<string, unknown>, given.modelArgs);
    options = { ...given, ...fixed, resume: given.resume } as RunOptions;
    runId = saved.run_id;
    runDirectory = resolve(given.resume);
    startedAt = new Date(saved.started_at);
  }
  if (options.agentType === 'code') {
    throw new InputError('--agent-type code: the code agent is not available in this version yet; use --agent-type tool');
  }
  const resolved = resolveModel({ ...options, env: context.env });
  const generation = toGenerationParameters(options.modelArgs);
  const tasks = await loadTasks({ datasetName: options.datasetName, split: options.split });
  checkTaskIds(tasks, options.taskIds);
  const promptConfig = await loadPromptConfig('toolcalling_agent.yaml', options.promptYml);
  const tools = builtinTools();
  const systemPrompt = renderSystemPrompt(promptConfig, tools);
  const workingDirectory = resolve(options.workingDirectory);
  const info = await stat(workingDirectory).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(`--working-directory ${options.workingDirectory}: not a directory`);
  const priceBook = await createPriceBook({ customPricingFile: options.pricingFile });
  const notices: string[] = [];
  const work = planWork(tasks, options, notices);
  if (work.length === 0) throw new InputError('no tasks to run: the dataset has none for this agent type, difficulty and selection');
  if (!runDirectory) {
    await checkWritableDirectory(options.outputDir, '--output-dir');
    runDirectory = resolve(options.outputDir, runDirectoryName(options.model, options.agentType, startedAt));
  }
  return {
    options: { ...options, workingDirectory },
    runId,
    runDirectory,
    resolved,
    generation,
    tools,
    systemPrompt,
    maxSteps: options.maxSteps ?? promptConfig.maxSteps ?? RUN_DEFAULTS.maxSteps,
    work,
    notices,
    startedAt,
    priceBook,
    promptHashes: templateHashes(promptConfig.templates),
    energy: energySettings(options, resolved.provider, context.env),
  };
}
