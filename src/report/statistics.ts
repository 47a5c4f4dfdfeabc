/**
 * The statistics of reading results: the Wilson score interval for one success rate, Newcombe's
 * hybrid score interval for the difference of two paired rates, the exact McNemar test on the
 * discordant pairs, and the order statistics the report and compare print. Pure functions, no I/O.
 */

/** The normal quantile for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson's score interval for `successes` out of `total` (null for no tasks): never outside 0..1, sound near 0 and 1. */
export function wilsonInterval(successes: number, total: number, z = Z_95): Interval | null {
  if (total <= 0) return null;
  const rate = successes / total;
  const z2 = z * z;
  const denominator = 1 + z2 / total;
  const centre = (rate + z2 / (2 * total)) / denominator;
  const half = (z * Math.sqrt((rate * (1 - rate)) / total + z2 / (4 * total * total))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The 2x2 table of paired outcomes. `firstOnly`: pairs where the first run passed and the second failed;
 * `secondOnly`: the reverse.
 */
export interface PairedCounts {
  both: number;
  firstOnly: number;
  secondOnly: number;
  neither: number;
}

/**
 * Newcombe's (1998) method 10 interval for p1 - p2 with paired data, where p1 is the first run's success
 * rate and p2 the second's: Wilson limits for each rate combined with the correlation of the pairs.
 * Null for no pairs.
 */
export function pairedDifferenceInterval(counts: PairedCounts, z = Z_95): Interval | null {
  const { both: a, firstOnly: b, secondOnly: c, neither: d } = counts;
  const n = a + b + c + d;
  if (n === 0) return null;
  const p1 = (a + b) / n;
  const p2 = (a + c) / n;
  const first = wilsonInterval(a + b, n, z)!;
  const second = wilsonInterval(a + c, n, z)!;
  const margins = (a + b) * (c + d) * (a + c) * (b + d);
  const phi = margins === 0 ? 0 : (a * d - b * c) / Math.sqrt(margins);
  const difference = p1 - p2;
  const lowerFirst = p1 - first.low;
  const upperSecond = second.high - p2;
  const upperFirst = first.high - p1;
  const lowerSecond = p2 - second.low;
  const delta = Math.sqrt(Math.max(0, lowerFirst ** 2 - 2 * phi * lowerFirst * upperSecond + upperSecond ** 2));
  const epsilon = Math.sqrt(Math.max(0, upperFirst ** 2 - 2 * phi * upperFirst * lowerSecond + lowerSecond ** 2));
  return { low: Math.max(-1, difference - delta), high: Math.min(1, difference + epsilon) };
}

/** log(exp(x) + exp(y)) without overflow. */
function logAdd(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  const high = Math.max(x, y);
  return high + Math.log1p(Math.exp(Math.min(x, y) - high));
}

/**
 * The exact (binomial) two-sided McNemar p-value for `b` and `c` discordant pairs: twice the smaller
 * tail of Binomial(b + c, 1/2), capped at 1; 1 when there is no discordant pair. Up to 1,000 pairs
 * the terms are summed directly; beyond, in log space, so no term overflows or underflows.
 */
export function mcnemarExactPValue(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const smaller = Math.min(b, c);
  if (n <= 1000) {
    // 2^-n is exact in a double down to 2^-1074, and each term follows from the last exactly for small k.
    let term = 2 ** -n;
    let tail = 0;
    for (let k = 0; k <= smaller; k++) {
      if (k > 0) term = (term * (n - k + 1)) / k;
      tail += term;
    }
    return Math.min(1, 2 * tail);
  }
  const logHalfPower = -n * Math.LN2;
  let logChoose = 0; // log C(n, 0)
  let logTail = -Infinity;
  for (let k = 0; k <= smaller; k++) {
    if (k > 0) logChoose += Math.log(n - k + 1) - Math.log(k);
    logTail = logAdd(logTail, logChoose + logHalfPower);
  }
  return Math.min(1, 2 * Math.exp(logTail));
}

/** The median of the values (mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile (as the leaderboard row's p50/p95); null for none. */
export function nearestRankPercentile(values: readonly number[], rank: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** The sum, or null when any value is unknown (null): a missing cost is not a cost of 0. */
export function knownSum(values: readonly (number | null | undefined)[]): number | null {
  let total = 0;
  for (const value of values) {
    if (value === null || value === undefined || !Number.isFinite(value)) return null;
    total += value;
  }
  return total;
}
