/**
 * The task row behind each result row of a run: the run's own task set when it can still be read
 * (metadata's `dataset_used`: a built-in set or a local file), else the row's joined `task` (imported runs),
 * else one rebuilt from the row's columns. What `failures` writes and `score` scores against.
 */
import { existsSync } from 'node:fs';
import type { LoadedRun, ReportTask } from '../report/run-reader.js';
import type { Task } from '../tasks/schema.js';

export type TaskLookup = (task: ReportTask) => Record<string, unknown>;

async function datasetTasks(run: LoadedRun): Promise<Map<string, Task> | null> {
  const used = run.metadata?.dataset_used;
  // The built-in sets ('builtin', 'builtin:code-tests', ...) and local files; never a Hub request.
  if (!used || (used !== 'builtin' && !used.startsWith('builtin:') && !(/\.jsonl?$/i.test(used) && existsSync(used)))) return null;
  try {
    const { loadTasks } = await import('../tasks/load.js');
    return new Map((await loadTasks({ datasetName: used, split: 'train' })).map((task) => [task.id, task]));
  } catch {
    return null;
  }
}

/** The row's task columns, as a task row (difficulty 'medium' when the row has none). */
function rebuilt(task: ReportTask): Record<string, unknown> {
  const row = task.row as Record<string, unknown>;
  const entry: Record<string, unknown> = {
    id: row.task_id ?? task.uid,
    prompt: row.prompt ?? '',
    difficulty: typeof row.difficulty === 'string' && ['easy', 'medium', 'hard'].includes(row.difficulty) ? row.difficulty : 'medium',
    agent_type: row.agent_type ?? 'both',
  };
  for (const column of ['expected_tool', 'expected_tool_calls', 'expected_keywords', 'expected_answer', 'category']) {
    if (row[column] !== undefined && row[column] !== null) entry[column] = row[column];
  }
  return entry;
}

/** `joined`: task rows given by the user (`--tasks`), which win over everything the run has. */
export async function taskLookup(run: LoadedRun, joined?: ReadonlyMap<string, Task>): Promise<TaskLookup> {
  const tasks = joined?.size ? joined : await datasetTasks(run);
  return (task) => {
    const id = task.row.task_id ?? task.uid;
    const fromDataset = tasks?.get(id);
    if (fromDataset) return { ...fromDataset };
    const joined = (task.row as { task?: unknown }).task;
    if (joined && typeof joined === 'object') return { ...(joined as Record<string, unknown>) };
    return rebuilt(task);
  };
}
