/** The Pareto front of runs: no other run is at least as cheap and at least as successful, and better in one. */

export interface ParetoPoint {
  id: string;
  /** Lower is better (cost or energy per task); null when not measured: such a point is never on the front. */
  cost: number | null;
  /** Higher is better (success rate). */
  success: number;
}

/** The ids of the points on the front, in the order given. */
export function paretoFront(points: readonly ParetoPoint[]): string[] {
  const measured = points.filter((point): point is ParetoPoint & { cost: number } => point.cost !== null && Number.isFinite(point.cost));
  const dominated = (point: { cost: number; success: number }) =>
    measured.some((other) => other.cost <= point.cost && other.success >= point.success && (other.cost < point.cost || other.success > point.success));
  return measured.filter((point) => !dominated(point)).map((point) => point.id);
}
