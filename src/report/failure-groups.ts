/** Failed tasks grouped by why they failed (failure_reason, else the error kind of older runs), most frequent first. */

export interface FailureGroup {
  reason: string;
  count: number;
  /** Keys of the failed tasks, in run order. */
  tasks: string[];
}

export interface FailedTask {
  key: string;
  /** null: not scored, so not a failure. */
  success: boolean | null;
  failureReason: string | null;
}

/** The reason "unknown" stands for a failed task that records none (SMOLTRACE's rows without an error). */
export function groupFailures(tasks: readonly FailedTask[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const task of tasks) {
    if (task.success !== false) continue;
    const reason = task.failureReason ?? 'unknown';
    const group = groups.get(reason) ?? { reason, count: 0, tasks: [] };
    group.count++;
    group.tasks.push(task.key);
    groups.set(reason, group);
  }
  return [...groups.values()].sort((left, right) => right.count - left.count || left.reason.localeCompare(right.reason));
}
