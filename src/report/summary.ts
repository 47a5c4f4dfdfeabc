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
}

function percent(part: number, whole: number): number {
  return whole ? (part / whole) * 100 : 0;
}

export function summarise(label: string, results: readonly TaskResult[]): AgentSummary {
  const total = results.length;
  const count = (predicate: (result: TaskResult) => boolean) => results.filter(predicate).length;
  const successful = count((result) => result.success);
  const errors: Record<string, number> = {};
  for (const result of results) if (result.error_kind) errors[result.error_kind] = (errors[result.error_kind] ?? 0) + 1;
  return {
    label,
    total,
    successful,
    successRate: percent(successful, total),
    toolCalledRate: percent(count((result) => result.tool_called), total),
    correctToolRate: percent(count((result) => result.correct_tool), total),
    averageSteps: total ? results.reduce((sum, result) => sum + result.steps, 0) / total : 0,
    errors,
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
  const errors = Object.entries(summary.errors).map(([kind, number]) => `${kind} ${number}`).join(', ');
  return [
    `--- ${summary.label} SUMMARY ---`,
    `Total: ${summary.total}, Success: ${summary.successful}/${summary.total} (${summary.successRate.toFixed(1)}%)`,
    `Tool called: ${summary.toolCalledRate.toFixed(1)}%, Correct tool: ${summary.correctToolRate.toFixed(1)}%, Avg steps: ${summary.averageSteps.toFixed(2)}`,
    ...(errors ? [`Errors: ${errors}`] : []),
  ];
}
