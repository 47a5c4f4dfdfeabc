import type { Usage } from '../models/types.js';

/** Sum of values, or null when any is unknown (a missing price must not read as $0). */
export function sumKnown(values: readonly (number | null)[]): number | null {
  let total = 0;
  for (const value of values) {
    if (value === null) return null;
    total += value;
  }
  return total;
}

/** Prices one model call; null when the model's price is unknown. */
export type CallPricer = (call: { provider: string; model: string; usage: Usage }) => number | null;
