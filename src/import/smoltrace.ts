/**
 * SMOLTRACE's results and traces (a run directory, a Hub results dataset with its traces sibling, or a
 * results file in JSON or Parquet) → trajectories. Its known counting defects are reported, not copied:
 * tokens are counted again from the model-call spans, once each (SMOLTRACE summed every span's
 * `llm.token_count.total`, so agent spans counted twice), durations are the trace's wall time (not the
 * sum of nested spans). SMOLTRACE's own verdict is kept as `imported_success`, not as `success`.
 */
import type { LoadedRun, ReportTask } from '../report/run-reader.js';
import { spansFromDicts, spanListSchema } from './spans.js';
import { SpanTree, TraceProblem, sortByStart } from './span-tree.js';
import { trajectoryOf, type Trajectory } from './trajectory.js';
import type { ParsedSource } from './otel.js';
import type { ChatMessage } from './messages.js';

interface Defects {
  tokensRecounted: number;
  durationsFixed: number;
  withoutTrace: number;
}

function rowOnlyTrajectory(task: ReportTask): Trajectory {
  const row = task.row;
  const response = typeof row.response === 'string' && row.response !== 'None' ? row.response : null;
  const messages: ChatMessage[] = [{ role: 'user', content: row.prompt ?? '' }, ...(response !== null ? [{ role: 'assistant' as const, content: response }] : [])];
  const started = row.evaluation_date ? Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(row.evaluation_date) ? row.evaluation_date : `${row.evaluation_date}Z`) : NaN;
  return {
    taskId: row.task_id ?? task.uid,
    testCaseUid: row.test_case_uid ?? null,
    traceId: (row.trace_id ?? '').replace(/^0x/, '').padStart(32, '0'),
    rootSpanId: null,
    agentType: row.agent_type === 'code' ? 'code' : 'tool',
    difficulty: row.difficulty ?? null,
    category: row.category ?? null,
    prompt: row.prompt ?? '',
    messages,
    toolDefinitions: [],
    toolCalls: (row.tools_used ?? []).map((name, index) => ({ step: index + 1, name, arguments: {}, output: '', is_error: false, duration_ms: null })),
    modelCalls: [],
    finalAnswer: response,
    startNs: Number.isNaN(started) ? 0n : BigInt(started) * 1_000_000n,
    durationMs: row.execution_time_ms ?? 0,
    error: row.error ?? null,
    spans: [],
  };
}

function traceTrajectory(task: ReportTask, defects: Defects): Trajectory {
  const row = task.row;
  const trace = task.trace!;
  const dicts = spanListSchema.parse(trace.spans);
  const spans = spansFromDicts(dicts, trace.trace_id);
  const tree = new SpanTree(spans[0]?.traceId ?? trace.trace_id, spans);
  // With streaming, SMOLTRACE's agent span ends at once and the model/tool spans hang off the root: the task is the whole trace.
  const root = tree.roots.find((span) => span.name === 'test_evaluation') ?? tree.roots[0]!;
  const trajectory = trajectoryOf(tree, { root, spans: sortByStart([...spans]) });
  const recounted = trajectory.modelCalls.reduce((sum, call) => sum + (call.inputTokens ?? 0) + (call.outputTokens ?? 0), 0);
  const reported = (trace as { total_tokens?: unknown }).total_tokens ?? row.total_tokens;
  if (typeof reported === 'number' && reported !== recounted) defects.tokensRecounted++;
  const reportedDuration = (trace as { total_duration_ms?: unknown }).total_duration_ms;
  if (typeof reportedDuration === 'number' && Math.abs(reportedDuration - trajectory.durationMs) > 1) defects.durationsFixed++;
  const response = typeof row.response === 'string' && row.response !== 'None' ? row.response : null;
  return {
    ...trajectory,
    taskId: row.task_id ?? trajectory.taskId,
    testCaseUid: row.test_case_uid ?? trajectory.testCaseUid,
    agentType: row.agent_type === 'code' ? 'code' : trajectory.agentType,
    difficulty: row.difficulty ?? trajectory.difficulty,
    category: row.category ?? trajectory.category,
    prompt: row.prompt ?? trajectory.prompt,
    finalAnswer: trajectory.finalAnswer ?? response,
    error: row.error ?? trajectory.error,
  };
}

/** Trajectories of a SMOLTRACE run read by report/'s readers (a directory or a Hub dataset). */
export function parseSmoltraceRun(run: LoadedRun): ParsedSource {
  const defects: Defects = { tokensRecounted: 0, durationsFixed: 0, withoutTrace: 0 };
  const warnings: string[] = [];
  const trajectories: Trajectory[] = [];
  for (const task of run.tasks) {
    let trajectory: Trajectory;
    try {
      if (task.trace && task.trace.spans.length) trajectory = traceTrajectory(task, defects);
      else {
        defects.withoutTrace++;
        trajectory = rowOnlyTrajectory(task);
      }
    } catch (error) {
      if (!(error instanceof TraceProblem)) throw error;
      warnings.push(`${run.source}: task ${task.uid}: ${error.message}; imported without its trace`);
      trajectory = rowOnlyTrajectory(task);
    }
    const verdict = task.row.success;
    trajectories.push({ ...trajectory, extra: { ...trajectory.extra, imported_success: typeof verdict === 'boolean' ? verdict : null, imported_total_tokens: task.row.total_tokens ?? null } });
  }
  if (defects.tokensRecounted) warnings.push(`${run.source}: ${defects.tokensRecounted} task(s): SMOLTRACE's token totals (a sum over every span) differ from the model calls' tokens; recounted once per call`);
  if (defects.durationsFixed) warnings.push(`${run.source}: ${defects.durationsFixed} trace(s): SMOLTRACE's total_duration_ms (nested spans summed) replaced by the trace's wall time`);
  if (defects.withoutTrace) warnings.push(`${run.source}: ${defects.withoutTrace} task(s) without a trace: tokens unknown, no conversation beyond prompt and answer`);
  return { trajectories, warnings };
}
