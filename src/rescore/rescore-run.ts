/**
 * `agent-eval score`: scores a finished run again with any registered scorer that needs only what was
 * recorded (smoltrace, gaia, judge, exact, includes, regex; bash re-runs the recorded last command),
 * without running the agent. Writes a new run directory (or results.json, the leaderboard row and
 * metadata.json in place), with the scoring recorded in metadata.
 */
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { jsonText, writeJsonAtomic } from '../eval/run-directory.js';
import { leaderboardFromRows, checkOutputDirectory, writeRunDirectory } from '../import/run-output.js';
import { taskLookup } from '../import/task-rows.js';
import type { ReportTask } from '../report/run-reader.js';
import { findScorer, scorerNames } from '../scoring/registry.js';
import { scoreTaskWith, scorersFor } from '../scoring/score-task.js';
import { describeFailure } from '../scoring/failure.js';
import { scoreTask } from '../scoring/smoltrace.js';
import type { JudgeContext, ScoreContext } from '../scoring/types.js';
import { rowScorers } from '../tasks/schema.js';
import { JsonArrayFile } from '../sinks/json-array-file.js';
import { SecretRedactor } from '../secrets/redactor.js';
import { recordedRun, taskOf } from './recorded-run.js';

export interface RescoreOptions {
  run: string;
  scorers?: string[];
  judge?: { model: string; baseUrl?: string; includeTrajectory?: boolean };
  output?: string;
  inPlace: boolean;
  /** Task rows joined on the task id (`--tasks`), for runs whose own task set is not at hand (SMOLTRACE's). */
  tasksFile?: string;
  force: boolean;
  env: Record<string, string | undefined>;
  now?: () => Date;
}

export interface RescoreSummary {
  directory: string;
  scored: number;
  passed: number;
  skipped: string[];
  scorers: string[];
}

async function judgeContext(options: RescoreOptions): Promise<JudgeContext | undefined> {
  if (!options.judge) return undefined;
  const { createJudge } = await import('../failures/judge.js');
  const provider = await createJudge({ ...options.judge, env: options.env });
  return { provider, includeTrajectory: options.judge.includeTrajectory ?? false, generation: { temperature: 0 }, attempts: 3 };
}

export async function rescoreRun(options: RescoreOptions): Promise<RescoreSummary> {
  for (const name of options.scorers ?? []) {
    if (!findScorer(name)) throw new InputError(`--scorer ${name}: unknown scorer (known: ${scorerNames().join(', ')})`);
  }
  if (options.inPlace && options.output) throw new InputError('--in-place and -o: give one of them');
  if (!options.inPlace && !options.output) throw new InputError('score: give -o <new-run-dir> or --in-place');
  if (options.output) await checkOutputDirectory(options.output, options.force);
  if ((options.scorers ?? []).includes('judge') && !options.judge) throw new InputError('--scorer judge: needs --judge-model');
  const { loadRuns } = await import('../report/run-sources.js');
  const [run] = await loadRuns([options.run], { env: options.env });
  if (options.inPlace && run!.source !== resolve(options.run)) throw new InputError(`--in-place: ${options.run} is not a local run directory`);
  const joined = options.tasksFile ? await (await import('../import/import-run.js')).loadTaskRows(options.tasksFile, options.env) : undefined;
  const lookup = await taskLookup(run!, joined);
  const judge = await judgeContext(options);
  const controller = new AbortController();
  const context: ScoreContext = { signal: controller.signal, workingDirectory: process.cwd(), ...(judge && { judge }) };
  const rows: Record<string, unknown>[] = [];
  const skipped: string[] = [];
  const used = new Set<string>();
  let passed = 0;
  for (const task of run!.tasks) {
    const row = task.row as ReportTask['row'] & Record<string, unknown>;
    const checked = taskOf(lookup(task));
    if ('problem' in checked) {
      skipped.push(`${task.uid}: its task row is not usable (${checked.problem})`);
      rows.push({ ...row, success: null });
      continue;
    }
    const agentType = row.agent_type === 'code' ? 'code' : 'tool';
    const agentRun = recordedRun(task, agentType);
    const names = scorersFor(rowScorers(checked.task), options.scorers);
    names.forEach((name) => used.add(name));
    const toolsUsed = agentRun.steps.flatMap((step) => (step.type === 'tool-call' && step.call.name !== 'final_answer' ? [step.call.name] : []));
    const finalAnswer = agentRun.finalAnswer ?? null;
    const scoring = await scoreTaskWith(names, { task: checked.task, agentType, finalAnswer, run: agentRun, toolsUsed }, context);
    // As the runner does: SMOLTRACE's columns keep its rule, the first scorer decides, the failure says why.
    const smoltrace = scoreTask({ task: checked.task, toolsUsed, finalAnswerCalled: agentRun.stopReason === 'final-answer', response: finalAnswer });
    const primary = scoring.primary.name !== 'smoltrace' ? scoring.primary : undefined;
    const score = primary ? { ...smoltrace, success: primary.passed } : smoltrace;
    const failure = describeFailure({ task: checked.task, score, toolsUsed, response: finalAnswer, stopReason: agentRun.stopReason, error: agentRun.error, toolCalls: row.tool_calls?.map((call) => ({ name: call.name, is_error: call.is_error ?? false, output: call.output ?? '' })) ?? [], ...(primary && { primary }) });
    if (scoring.primary.passed) passed++;
    rows.push({
      ...row,
      ...smoltrace,
      success: scoring.primary.passed,
      failure_reason: scoring.primary.passed ? null : (failure?.reason ?? scoring.primary.reason),
      failure_detail: scoring.primary.passed ? null : (failure?.detail ?? scoring.primary.explanation),
      scores: scoring.scores,
      judge_input_tokens: scoring.judgeUsage?.inputTokens ?? null,
      judge_output_tokens: scoring.judgeUsage?.outputTokens ?? null,
      judge_cost_usd: scoring.judgeUsage ? scoring.judgeUsage.costUsd : null,
    });
  }
  await judge?.provider.close?.();
  const now = (options.now ?? (() => new Date()))();
  const metadata = (run!.metadata ?? {}) as Record<string, unknown>;
  const scoring = { scorers: [...used], judge_model: options.judge?.model ?? null, scored_at: now.toISOString(), source_run: run!.source, tasks_scored: rows.length - skipped.length, passed, skipped: skipped.length };
  const runId = String(metadata.run_id ?? rows[0]?.run_id ?? 'rescored');
  const fresh = leaderboardFromRows(rows, { runId, model: (metadata.model as string | null) ?? null, agentType: String(metadata.agent_type ?? 'tool'), provider: (metadata.provider as string | null) ?? null, timestamp: now.toISOString(), datasetUsed: (metadata.dataset_used as string | null) ?? null, notes: `Scored with ${[...used].join(', ')} on ${now.toISOString().slice(0, 10)}` });
  const leaderboard = { ...(run!.leaderboard ?? {}), ...fresh };
  const newMetadata = { ...metadata, scoring: [...(Array.isArray(metadata.scoring) ? metadata.scoring : metadata.scoring ? [metadata.scoring] : []), scoring] };
  let directory: string;
  if (options.inPlace) {
    directory = resolve(options.run);
    const redactor = SecretRedactor.from({ env: process.env });
    const results = await JsonArrayFile.create(join(directory, 'results.json'));
    for (const row of rows) await results.add(jsonText(row, undefined, redactor));
    await results.commit();
    await writeJsonAtomic(join(directory, 'leaderboard_row.json'), leaderboard, undefined, redactor);
    await writeJsonAtomic(join(directory, 'metadata.json'), newMetadata, undefined, redactor);
  } else {
    const traces = [...new Map(run!.tasks.flatMap((task) => (task.trace ? [[task.trace.trace_id, task.trace] as const] : []))).values()];
    directory = await writeRunDirectory(options.output!, { runId, rows, traces, leaderboard, metadata: newMetadata }, options.force);
  }
  return { directory, scored: rows.length - skipped.length, passed, skipped, scorers: [...used] };
}
