/**
 * `agent-eval score`: scores a finished run again with any registered scorer that needs only what was
 * recorded (smoltrace, gaia, judge, exact, includes, regex; bash re-runs the recorded last command; tests
 * re-runs the asserts in the run's sandbox, rescore-sandbox.ts), without running the agent. Writes a new run
 * directory (or results.json, the leaderboard row and metadata.json in place), with the scoring recorded in
 * metadata. Everything is checked, and the sandbox started, before anything is written.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { jsonText, rewrittenJournal, writeJsonAtomic, writeTextAtomic } from '../eval/run-directory.js';
import { leaderboardFromRows, checkOutputDirectory, writeRunDirectory } from '../import/run-output.js';
import { taskLookup } from '../import/task-rows.js';
import type { ReportTask } from '../report/run-reader.js';
import { weakIsolationNotice, type SandboxIsolation } from '../sandbox/launch.js';
import { findScorer, scorerNames } from '../scoring/registry.js';
import { scorersFor } from '../scoring/score-task.js';
import type { JudgeContext, ScoreContext } from '../scoring/types.js';
import { agentEvalCacheDirectory } from '../secrets/locations.js';
import { rowScorers, type Task } from '../tasks/schema.js';
import { JsonArrayFile } from '../sinks/json-array-file.js';
import { SecretRedactor } from '../secrets/redactor.js';
import { recordedCodeSteps, type RecordedCodeStep } from './recorded-code.js';
import { taskOf } from './recorded-run.js';
import { DEFAULT_CODE_TIMEOUT_SECONDS, RecordedInterpreter, savedRunSettings, startRescoreSandbox, type RescoreSandbox } from './rescore-sandbox.js';
import { needsInterpreter, scoreRecordedRow } from './score-row.js';

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
  /** Seconds per code step when the tests scorer runs code (`--code-timeout`); default the run's, else 30. */
  codeTimeoutSeconds?: number;
  /** `--security-profile`; default the recorded run's, else standard. */
  securityProfile?: 'standard' | 'closed';
}

export interface RescoreSummary {
  directory: string;
  scored: number;
  passed: number;
  skipped: string[];
  scorers: string[];
  /** Lines for the console (a sandbox weaker than this system could allow). */
  notices: string[];
  /** How the Python sandbox was isolated, when a scorer ran code. */
  sandboxIsolation?: SandboxIsolation;
}

async function judgeContext(options: RescoreOptions): Promise<JudgeContext | undefined> {
  if (!options.judge) return undefined;
  const { createJudge } = await import('../failures/judge.js');
  const provider = await createJudge({ ...options.judge, env: options.env });
  return { provider, includeTrajectory: options.judge.includeTrajectory ?? false, generation: { temperature: 0 }, attempts: 3 };
}

/** `--security-profile closed` as in `run`: the run and the task rows only from this machine, no judge model. */
async function checkClosedProfile(options: RescoreOptions, stage: 'sources' | 'judge'): Promise<void> {
  if (stage === 'judge') {
    if (options.judge) throw new InputError('--judge-model: a judge model is not allowed with --security-profile closed');
    return;
  }
  if (!(await stat(options.run).catch(() => null))) throw new InputError(`${options.run}: Hub datasets are not allowed with --security-profile closed; give a local run directory`);
}

/** --tasks: task rows joined on the task ids; under the closed profile only local files (or the built-in sets). */
async function loadJoinedTasks(options: RescoreOptions, closed: boolean): Promise<Map<string, Task> | undefined> {
  if (!options.tasksFile) return undefined;
  const { loadTasks } = await import('../tasks/load.js');
  try {
    const tasks = await loadTasks({ datasetName: options.tasksFile, split: 'train', env: options.env, allowHub: !closed });
    return new Map(tasks.map((task) => [task.id, task]));
  } catch (error) {
    if (error instanceof InputError) throw new InputError(error.message.replace(/--dataset-name/g, '--tasks'));
    throw error;
  }
}

interface PlannedRow {
  task: ReportTask;
  checked?: Task;
  problem?: string;
  names: readonly string[];
  /** The code steps to run again before the scorers' code (code rows scored by a scorer that needs an interpreter). */
  steps?: RecordedCodeStep[];
}

/** The columns scoring sets on a row: what a journal line takes from its rescored row. */
const SCORING_COLUMNS = ['success', 'tool_called', 'correct_tool', 'final_answer_called', 'response_correct', 'failure_reason', 'failure_detail', 'scores', 'judge_input_tokens', 'judge_output_tokens', 'judge_cost_usd'];

/** A journal line with its task's new scores (matched on test_case_uid and repeat, as the reader pairs them). */
function journalWithScores(keys: readonly string[], rows: readonly Record<string, unknown>[]) {
  const byKey = new Map(keys.map((key, index) => [key, rows[index]!]));
  return (line: Record<string, unknown>): Record<string, unknown> => {
    const scored = byKey.get(`${String(line.test_case_uid ?? line.test_id)}#${Number(line.repeat ?? line.repeat_index ?? 0)}`);
    if (!scored) return line;
    return { ...line, ...Object.fromEntries(SCORING_COLUMNS.filter((column) => column in scored).map((column) => [column, scored[column]])) };
  };
}

/** --in-place: the run's journal (when it has one) takes the new scores too, so it never disagrees with results.json. */
async function rewriteJournal(path: string, journal: (line: Record<string, unknown>) => Record<string, unknown>, redactor: SecretRedactor): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text !== null) await writeTextAtomic(path, rewrittenJournal(text, journal, redactor));
}

export async function rescoreRun(options: RescoreOptions): Promise<RescoreSummary> {
  for (const name of options.scorers ?? []) {
    if (!findScorer(name)) throw new InputError(`--scorer ${name}: unknown scorer (known: ${scorerNames().join(', ')})`);
  }
  if (options.inPlace && options.output) throw new InputError('--in-place and -o: give one of them');
  if (!options.inPlace && !options.output) throw new InputError('score: give -o <new-run-dir> or --in-place');
  if (options.codeTimeoutSeconds !== undefined && !(options.codeTimeoutSeconds > 0)) throw new InputError('--code-timeout: must be more than 0');
  if (options.output) await checkOutputDirectory(options.output, options.force);
  if ((options.scorers ?? []).includes('judge') && !options.judge) throw new InputError('--scorer judge: needs --judge-model');
  if (options.securityProfile === 'closed') await checkClosedProfile(options, 'sources');
  const { loadRuns } = await import('../report/run-sources.js');
  const [run] = await loadRuns([options.run], { env: options.env });
  if (options.inPlace && run!.source !== resolve(options.run)) throw new InputError(`--in-place: ${options.run} is not a local run directory`);
  const saved = savedRunSettings(run!.metadata, options.run);
  // The run's own profile holds unless --security-profile says otherwise.
  const closed = (options.securityProfile ?? saved.securityProfile) === 'closed';
  if (closed) await checkClosedProfile(options, 'judge');
  const joined = await loadJoinedTasks(options, closed);
  const lookup = await taskLookup(run!, joined);
  const plan = run!.tasks.map((task): PlannedRow => {
    const checked = taskOf(lookup(task));
    if ('problem' in checked) return { task, problem: checked.problem, names: [] };
    const names = scorersFor(rowScorers(checked.task), options.scorers);
    const steps = needsInterpreter(names) && task.row.agent_type === 'code' ? recordedCodeSteps(task.row) : undefined;
    return { task, checked: checked.task, names, ...(steps && { steps }) };
  });
  const interpreted = plan.filter((entry) => entry.checked && needsInterpreter(entry.names));
  const codeTimeoutMs = (options.codeTimeoutSeconds ?? saved.codeTimeoutSeconds ?? DEFAULT_CODE_TIMEOUT_SECONDS) * 1000;
  const judge = await judgeContext(options);
  const rows: Record<string, unknown>[] = [];
  const skipped: string[] = [];
  const notices: string[] = [];
  const used = new Set<string>();
  let passed = 0;
  let sandbox: RescoreSandbox | undefined;
  try {
    if (interpreted.length) {
      const cacheDirectory = agentEvalCacheDirectory(options.env);
      sandbox = await startRescoreSandbox({ sessions: interpreted.length, steps: interpreted.flatMap((entry) => entry.steps ?? []), codeTimeoutMs, saved, ...(cacheDirectory && { cacheDirectory }) });
      const notice = weakIsolationNotice(sandbox.isolation);
      if (notice) notices.push(notice);
    }
    const controller = new AbortController();
    const context: ScoreContext = { signal: controller.signal, workingDirectory: process.cwd(), codeTimeoutMs, ...(judge && { judge }) };
    for (const entry of plan) {
      if (!entry.checked) {
        skipped.push(`${entry.task.uid}: its task row is not usable (${entry.problem})`);
        rows.push({ ...entry.task.row, success: null });
        continue;
      }
      entry.names.forEach((name) => used.add(name));
      const interpreter = sandbox && needsInterpreter(entry.names) ? new RecordedInterpreter(sandbox, entry.steps ?? [], controller.signal) : undefined;
      try {
        const scored = await scoreRecordedRow(entry.task, entry.checked, entry.names, context, interpreter);
        if (scored.passed) passed++;
        rows.push(scored.row);
      } finally {
        await interpreter?.release();
      }
    }
  } finally {
    await sandbox?.close();
    await judge?.provider.close?.();
  }
  const now = (options.now ?? (() => new Date()))();
  const metadata = (run!.metadata ?? {}) as Record<string, unknown>;
  const scoring = { scorers: [...used], judge_model: options.judge?.model ?? null, scored_at: now.toISOString(), source_run: run!.source, tasks_scored: rows.length - skipped.length, passed, skipped: skipped.length, ...(sandbox && { code_timeout_seconds: codeTimeoutMs / 1000, sandbox_isolation: sandbox.isolation }) };
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
    await rewriteJournal(join(directory, 'results.jsonl'), journalWithScores(plan.map((entry) => entry.task.key), rows), redactor);
    await writeJsonAtomic(join(directory, 'metadata.json'), newMetadata, undefined, redactor);
  } else {
    const traces = [...new Map(run!.tasks.flatMap((task) => (task.trace ? [[task.trace.trace_id, task.trace] as const] : []))).values()];
    // A local source run's other files come across (metrics.json, effective_policy.json, its journal with the new scores).
    const local = run!.source === resolve(options.run) && (await stat(run!.source).catch(() => null))?.isDirectory();
    const carry = local ? { from: run!.source, journal: journalWithScores(plan.map((entry) => entry.task.key), rows) } : undefined;
    directory = await writeRunDirectory(options.output!, { runId, rows, traces, leaderboard, metadata: newMetadata, ...(carry && { carry }) }, options.force);
  }
  return { directory, scored: rows.length - skipped.length, passed, skipped, scorers: [...used], notices, ...(sandbox && { sandboxIsolation: sandbox.isolation }) };
}
