import type { AgentType } from '../agents/types.js';
import type { TaskResult } from '../eval/types.js';

export interface AgentSummary {
  label: string;
  total: number;
  successful: number;
  successRate: number;
  toolCalledRate: number;
  correctToolRate: number;
  averageSteps: number;
  errors: Record<string, number>;
  /** Failed tasks per failure_reason. */
  failures: Record<string, number>;
}

function percent(part: number, whole: number): number {
  return whole ? (part / whole) * 100 : 0;
}

export function summarise(label: string, results: readonly TaskResult[]): AgentSummary {
  const total = results.length;
  const count = (predicate: (result: TaskResult) => boolean) => results.filter(predicate).length;
  const successful = count((result) => result.success);
  const errors: Record<string, number> = {};
  const failures: Record<string, number> = {};
  for (const result of results) {
    if (result.error_kind) errors[result.error_kind] = (errors[result.error_kind] ?? 0) + 1;
    if (result.failure_reason) failures[result.failure_reason] = (failures[result.failure_reason] ?? 0) + 1;
  }
  return {
    label,
    total,
    successful,
    successRate: percent(successful, total),
    toolCalledRate: percent(count((result) => result.tool_called), total),
    correctToolRate: percent(count((result) => result.correct_tool), total),
    averageSteps: total ? results.reduce((sum, result) => sum + result.steps, 0) / total : 0,
    errors,
    failures,
  };
}

/** SMOLTRACE's per-agent summaries, plus a combined one when both agents ran. */
export function summariseRun(results: readonly TaskResult[]): AgentSummary[] {
  const agentTypes: AgentType[] = ['tool', 'code'];
  const summaries = agentTypes
    .map((agentType) => summarise(agentType.toUpperCase(), results.filter((result) => result.agent_type === agentType)))
    .filter((summary) => summary.total > 0);
  if (summaries.length > 1) summaries.push(summarise('COMBINED', results));
  return summaries;
}

export function formatSummary(summary: AgentSummary): string[] {
  const counts = (record: Record<string, number>) => Object.entries(record).map(([kind, number]) => `${kind} ${number}`).join(', ');
  const errors = counts(summary.errors);
  const failures = counts(summary.failures);
  return [
    `--- ${summary.label} SUMMARY ---`,
    `Total: ${summary.total}, Success: ${summary.successful}/${summary.total} (${summary.successRate.toFixed(1)}%)`,
    `Tool called: ${summary.toolCalledRate.toFixed(1)}%, Correct tool: ${summary.correctToolRate.toFixed(1)}%, Avg steps: ${summary.averageSteps.toFixed(2)}`,
    ...(failures ? [`Failures: ${failures}`] : []),
    ...(errors ? [`Errors: ${errors}`] : []),
  ];
}

/** `FAIL  tool:L3 (easy)  no_tool_call: expected get_weather, no tool was called` */
export function describeFailedTask(result: TaskResult): string {
  const why = result.failure_reason ? `${result.failure_reason}: ${result.failure_detail ?? ''}` : `${result.error_kind ?? 'failed'}: ${result.error ?? ''}`;
  return `FAIL  ${result.test_case_uid} (${result.difficulty})  ${why.trim()}`;
}

/** The failed tasks, the first `limit` with their reason, then how many more there are. */
export function formatFailedTasks(results: readonly TaskResult[], limit = 10): string[] {
  const failed = results.filter((result) => !result.success);
  const lines = failed.slice(0, limit).map(describeFailedTask);
  if (failed.length > limit) lines.push(`... and ${failed.length - limit} more failed task(s): see failure_reason in results.json`);
  return lines;
}
