import { InputError } from '../errors.js';
import type { Difficulty, Task, TaskAgentType } from './schema.js';

export interface TaskSelection {
  agentType: Exclude<TaskAgentType, 'both'>;
  difficulty?: Difficulty;
  taskIds?: string[];
  limit?: number;
}

/** Tasks for one agent type, filtered in SMOLTRACE's order (agent type, then difficulty), then ids and limit. */
export function selectTasks(tasks: readonly Task[], selection: TaskSelection): Task[] {
  let selected = tasks.filter((task) => task.agent_type === selection.agentType || task.agent_type === 'both');
  if (selection.difficulty) selected = selected.filter((task) => task.difficulty === selection.difficulty);
  if (selection.taskIds?.length) {
    const wanted = new Set(selection.taskIds);
    selected = selected.filter((task) => wanted.has(task.id));
  }
  if (selection.limit !== undefined) selected = selected.slice(0, selection.limit);
  return selected;
}

/** Fails when `--task-id` names ids that the dataset does not have. */
export function checkTaskIds(tasks: readonly Task[], taskIds: readonly string[] | undefined): void {
  if (!taskIds?.length) return;
  const known = new Set(tasks.map((task) => task.id));
  const missing = taskIds.filter((id) => !known.has(id));
  if (missing.length) throw new InputError(`--task-id: no task with id ${missing.map((id) => `'${id}'`).join(', ')} in the dataset`);
}

/**
 * Warnings for tasks whose `expected_tool` no offered tool has: they cannot pass (a misspelt name, or a
 * tool not enabled). One line per unknown name, naming the tasks.
 */
export function unknownExpectedToolNotices(tasks: readonly Pick<Task, 'id' | 'expected_tool'>[], offered: readonly string[]): string[] {
  const available = new Set(offered);
  const byTool = new Map<string, string[]>();
  for (const task of tasks) {
    const expected = task.expected_tool;
    if (!expected || expected === 'multiple' || available.has(expected)) continue;
    const ids = byTool.get(expected) ?? [];
    if (!ids.includes(task.id)) ids.push(task.id);
    byTool.set(expected, ids);
  }
  return [...byTool].map(([tool, ids]) => {
    const named = ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');
    return `expected_tool '${tool}' of task(s) ${named} is not among the offered tools (${offered.join(', ')}), so they cannot pass; check the name or enable it with --enable-tools`;
  });
}
