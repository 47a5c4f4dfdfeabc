/**
 * Repeated rollouts: pass@k (Chen et al. 2021, the unbiased estimator 1 - C(n-c, k) / C(n, k) for a
 * task with c successes in n rollouts), pass^k (tau-bench: C(c, k) / C(n, k), the chance that k
 * rollouts all succeed), and the per-task success variance, each averaged over tasks.
 */

/** 1 - C(n-c, k) / C(n, k), as a product (no large binomials). Needs n >= k. */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new RangeError(`pass@${k} needs at least ${k} rollouts, not ${n}`);
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

/** C(c, k) / C(n, k): the chance that k rollouts drawn without replacement all succeed. Needs n >= k. */
export function passHatK(n: number, c: number, k: number): number {
  if (k > n) throw new RangeError(`pass^${k} needs at least ${k} rollouts, not ${n}`);
  if (c < k) return 0;
  let all = 1;
  for (let i = 0; i < k; i++) all *= (c - i) / (n - i);
  return all;
}

export interface RolloutCounts {
  /** Rollouts recorded. */
  n: number;
  /** Rollouts that succeeded. */
  c: number;
}

export interface RepeatSummary {
  /** Rollouts asked per task (K). */
  repeats: number;
  /** pass@k for k = 1..K, averaged over the tasks with at least k rollouts; null when none has. */
  passAt: Record<number, number | null>;
  /** pass^K: all K rollouts succeed. */
  passHatK: number | null;
  /** Mean over tasks of the success rate's variance p(1-p) across the task's rollouts. */
  successVariance: number | null;
}

function mean(values: number[]): number | null {
  return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
}

export function summariseRepeats(tasks: Iterable<RolloutCounts>, repeats: number): RepeatSummary {
  const list = [...tasks];
  const passAt: Record<number, number | null> = {};
  for (let k = 1; k <= repeats; k++) passAt[k] = mean(list.filter((task) => task.n >= k).map((task) => passAtK(task.n, task.c, k)));
  return {
    repeats,
    passAt,
    passHatK: mean(list.filter((task) => task.n >= repeats).map((task) => passHatK(task.n, task.c, repeats))),
    successVariance: mean(list.filter((task) => task.n > 0).map((task) => (task.c / task.n) * (1 - task.c / task.n))),
  };
}
