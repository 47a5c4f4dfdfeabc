/**
 * Scoring checks made before anything is written: every scorer named exists, every row has what its
 * scorers need, a judge scorer has a judge, the judge is not the evaluated model (unless allowed), and
 * the judge rubric file is valid. The judge's provider is made by the runner from `PreparedJudge`.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { toGenerationParameters } from '../models/generation.js';
import { resolveModel, type ResolvedModel } from '../models/routing.js';
import type { ModelProvider } from '../models/types.js';
import type { GenerationParameters, Usage } from '../models/types.js';
import type { TextRedactor } from '../secrets/redactor.js';
import type { JudgeContext } from '../scoring/types.js';
import { redactingProvider } from './redacting-provider.js';
import { findScorer, scorerNames } from '../scoring/registry.js';
import { scorersFor } from '../scoring/score-task.js';
import { rubricObjectSchema, toRubric, type Rubric } from '../tasks/rubric.js';
import { rowScorers, type Task } from '../tasks/schema.js';
import type { RunContext, RunOptions } from './types.js';

export interface PreparedJudge {
  resolved: ResolvedModel;
  rubric?: Rubric;
  generation: GenerationParameters;
  includeTrajectory: boolean;
}

/** Judge calls per task when its answers are not valid. */
export const JUDGE_ATTEMPTS = 3;

function known(): string {
  return scorerNames().join(', ');
}

async function loadRubricFile(path: string): Promise<Rubric> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`--judge-rubric ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const { parse } = await import('yaml');
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new InputError(`--judge-rubric ${path}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = rubricObjectSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`--judge-rubric ${path}: ${issue.path.length ? `field '${issue.path.join('.')}' ` : ''}${issue.message} (expected criteria, scale {min, max}, pass_threshold, examples)`);
  }
  return toRubric(parsed.data);
}

/** An endpoint for comparison: scheme, host (lower case, default port dropped), path without trailing slashes. */
export function normalisedEndpoint(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return baseUrl.trim().replace(/\/+$/, '').toLowerCase();
  }
}

/**
 * Whether the judge is the evaluated model: the same endpoint (the resolved base URL, which carries
 * each provider's default) serving the same model name, whatever provider name reached it
 * (`openai/gpt-4o-mini --base-url X` and `gpt-4o-mini --judge-base-url X` are one model). Ollama's
 * `:latest` tag is the bare name.
 */
export function sameModel(judge: Pick<ResolvedModel, 'modelId' | 'baseUrl'>, evaluated: Pick<ResolvedModel, 'modelId' | 'baseUrl'>): boolean {
  const bare = (id: string) => id.trim().toLowerCase().replace(/:latest$/, '');
  return bare(judge.modelId) === bare(evaluated.modelId) && normalisedEndpoint(judge.baseUrl) === normalisedEndpoint(evaluated.baseUrl);
}

export async function prepareScoring(options: RunOptions, tasks: readonly Task[], evaluated: ResolvedModel, env: RunContext['env']): Promise<{ judge?: PreparedJudge; notices: string[] }> {
  for (const name of options.scorers ?? []) {
    if (!findScorer(name)) throw new InputError(`--scorer ${name}: unknown scorer (known: ${known()})`);
  }
  let needsJudge = false;
  const unscored: string[] = [];
  const seen = new Set<Task>();
  for (const task of tasks) {
    if (seen.has(task)) continue;
    seen.add(task);
    for (const name of scorersFor(rowScorers(task), options.scorers)) {
      const scorer = findScorer(name);
      if (!scorer) throw new InputError(`task ${task.id}: unknown scorer '${name}' (known: ${known()})`);
      const problem = scorer.check?.(task);
      if (problem) throw new InputError(`task ${task.id}: ${problem}`);
      if (scorer.needsJudge) needsJudge = true;
      if (name === 'gaia' && task.expected_answer === null && !unscored.includes(task.id)) unscored.push(task.id);
    }
  }
  const notices = unscored.length
    ? [`${unscored.length} task(s) have no expected answer (${unscored.slice(0, 3).join(', ')}${unscored.length > 3 ? ', ...' : ''}): the gaia scorer leaves them unscored, never passed (GAIA's test split: submit the answers with --export-gaia-submission)`]
    : [];
  const judgeOptions = options.judge;
  if (needsJudge && !judgeOptions) throw new InputError('the judge scorer needs a judge model: give --judge-model (e.g. --judge-model openai/gpt-4o-mini)');
  if (!judgeOptions) return { notices };
  if (options.securityProfile === 'closed') throw new InputError('--judge-model: a judge model is not allowed with --security-profile closed');
  const resolved = resolveModel({ model: judgeOptions.model, provider: 'litellm', ...(judgeOptions.baseUrl && { baseUrl: judgeOptions.baseUrl }), env });
  if (resolved.provider === 'transformers') throw new InputError(`--judge-model ${judgeOptions.model}: give an API model (openai/..., anthropic/..., ollama/...) or --judge-base-url`);
  if (sameModel(resolved, evaluated) && !judgeOptions.allowSelfJudge) {
    throw new InputError(`--judge-model ${judgeOptions.model}: the judge is the evaluated model; choose another judge, or allow it with --allow-self-judge`);
  }
  const generation = toGenerationParameters({ temperature: 0, ...judgeOptions.args }, '--judge-args');
  return {
    judge: {
      resolved,
      ...(judgeOptions.rubricFile && { rubric: await loadRubricFile(judgeOptions.rubricFile) }),
      generation,
      includeTrajectory: judgeOptions.trajectory ?? false,
    },
    notices,
  };
}

/** The judge's provider and context for the run's tasks; `close` ends its client. */
export async function createJudgeContext(
  judge: PreparedJudge,
  settings: {
    timeoutMs: number;
    maxRetries: number;
    price: (call: { provider: string; model: string; usage: Usage }) => number | null;
    redactor: TextRedactor;
    /** Record/replay (--cache) around the judge's provider. */
    wrap?: (provider: ModelProvider) => ModelProvider;
  },
): Promise<{ context: JudgeContext; close: () => Promise<void> }> {
  const { createProvider } = await import('../models/factory.js');
  const provider = await createProvider(judge.resolved, { timeoutMs: settings.timeoutMs, retry: { maxRetries: settings.maxRetries, baseDelayMs: 500, maxDelayMs: 60_000 } });
  const context: JudgeContext = {
    provider: redactingProvider(settings.wrap ? settings.wrap(provider) : provider, settings.redactor),
    ...(judge.rubric && { rubric: judge.rubric }),
    includeTrajectory: judge.includeTrajectory,
    generation: judge.generation,
    attempts: JUDGE_ATTEMPTS,
    price: (usage) => settings.price({ provider: judge.resolved.provider, model: judge.resolved.modelId, usage }),
  };
  return { context, close: async () => provider.close?.() };
}
