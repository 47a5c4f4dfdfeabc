import type { AgentType } from '../agents/types.js';
import { countResults, FAILED_TASKS_KEPT, RunTotals, type DialogueCounts, type FailedTask, type ResultCounts } from '../eval/run-totals.js';
import type { TaskResult } from '../eval/types.js';
import { describeFailedTask } from './console-table.js';

export { describeFailedTask };

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

/** A summary from counts (a run's RunTotals, per agent type or all). */
export function summariseCounts(label: string, counts: ResultCounts): AgentSummary {
  const { total, successful } = counts;
  return {
    label,
    total,
    successful,
    successRate: percent(successful, total),
    toolCalledRate: percent(counts.toolCalled, total),
    correctToolRate: percent(counts.correctTool, total),
    averageSteps: total ? counts.steps / total : 0,
    errors: { ...counts.errors },
    failures: { ...counts.failures },
  };
}

export function summarise(label: string, results: readonly TaskResult[]): AgentSummary {
  return summariseCounts(label, countResults(results));
}

/** SMOLTRACE's per-agent summaries, plus a combined one when both agents ran, from a run's totals. */
export function summariseTotals(totals: RunTotals): AgentSummary[] {
  const agentTypes: AgentType[] = ['tool', 'code'];
  const summaries = agentTypes.flatMap((agentType) => {
    const counts = totals.byAgentType.get(agentType);
    return counts?.total ? [summariseCounts(agentType.toUpperCase(), counts)] : [];
  });
  if (summaries.length > 1) summaries.push(summariseCounts('COMBINED', totals.all));
  return summaries;
}

/** SMOLTRACE's per-agent summaries, plus a combined one when both agents ran. */
export function summariseRun(results: readonly TaskResult[]): AgentSummary[] {
  return summariseTotals(RunTotals.of(results));
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

/** The stop reasons always shown in the dialogue summary; others (agent_stopped, simulator_error) when they happened. */
const MAIN_STOP_REASONS = ['goal_met', 'user_stopped', 'max_turns'];

function tokensAndCost(inputTokens: number, outputTokens: number, costUsd: number | null): string {
  return `${inputTokens} input + ${outputTokens} output tokens, cost ${costUsd === null ? 'unknown' : `$${costUsd.toFixed(6)}`}`;
}

/** The dialogue tasks' summary (SMOLTRACE's layout, one block per task kind); no lines when the run had none. */
export function formatDialogueSummary(dialogue: DialogueCounts): string[] {
  const { total, successful } = dialogue;
  if (!total) return [];
  const reasons = [...MAIN_STOP_REASONS, ...Object.keys(dialogue.stopReasons).filter((reason) => !MAIN_STOP_REASONS.includes(reason))];
  return [
    '--- DIALOGUE SUMMARY ---',
    `Total: ${total}, Success: ${successful}/${total} (${percent(successful, total).toFixed(1)}%)`,
    `Avg agent turns: ${(dialogue.turns / total).toFixed(2)}, Avg user turns: ${(dialogue.userTurns / total).toFixed(2)}`,
    `Stop reasons: ${reasons.map((reason) => `${reason} ${dialogue.stopReasons[reason] ?? 0}`).join(', ')}`,
    `Agent: ${tokensAndCost(dialogue.agentInputTokens, dialogue.agentOutputTokens, dialogue.agentCostUsd)}`,
    `Simulated user: ${tokensAndCost(dialogue.userInputTokens, dialogue.userOutputTokens, dialogue.userCostUsd)}`,
  ];
}

/** The failed tasks, the first `limit` with their reason, then how many more there are. */
export function formatFailedTasks(results: readonly TaskResult[], limit = 10): string[] {
  const failed = results.filter((result) => !result.success);
  return failedTaskLines(failed.slice(0, limit), failed.length);
}

/** The same lines from a run's totals (which keep the first failed tasks by test_index). */
export function formatFailedTotals(totals: RunTotals, limit = FAILED_TASKS_KEPT): string[] {
  return failedTaskLines(totals.firstFailed.slice(0, limit), totals.failed);
}

function failedTaskLines(shown: readonly FailedTask[], failed: number): string[] {
  const lines = shown.map(describeFailedTask);
  if (failed > shown.length) lines.push(`... and ${failed - shown.length} more failed task(s): see failure_reason in results.json`);
  return lines;
}
