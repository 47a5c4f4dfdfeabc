import { describe, expect, it } from 'vitest';
import { groupFailures } from '../../src/report/failure-groups.js';
import { paretoFront } from '../../src/report/pareto.js';
import { knownSum, mcnemarExactPValue, median, nearestRankPercentile, pairedDifferenceInterval, wilsonInterval } from '../../src/report/statistics.js';

describe('wilsonInterval', () => {
  it('matches the published values (Newcombe 1998, single proportion examples)', () => {
    const interval = wilsonInterval(81, 263)!;
    expect(interval.low).toBeCloseTo(0.2553, 4);
    expect(interval.high).toBeCloseTo(0.3662, 4);
    const none = wilsonInterval(0, 10)!;
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
    const all = wilsonInterval(29, 29)!;
    expect(all.low).toBeCloseTo(0.8830, 4);
    expect(all.high).toBe(1);
  });

  it('is null for no tasks and stays within 0..1', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    const interval = wilsonInterval(1, 1)!;
    expect(interval.low).toBeGreaterThan(0);
    expect(interval.high).toBeLessThanOrEqual(1);
  });
});

describe('pairedDifferenceInterval (Newcombe method 10)', () => {
  it('matches the published intervals for paired proportions', () => {
    // Newcombe (1998), Statistics in Medicine 17:2635, Table II: (a, b, c, d) examples.
    const second = pairedDifferenceInterval({ both: 20, firstOnly: 12, secondOnly: 2, neither: 16 })!;
    expect(second.low).toBeCloseTo(0.0618, 4);
    expect(second.high).toBeCloseTo(0.3242, 4);
    const first = pairedDifferenceInterval({ both: 36, firstOnly: 12, secondOnly: 2, neither: 0 })!;
    expect(first.low).toBeCloseTo(0.0569, 4);
    expect(first.high).toBeCloseTo(0.3404, 4);
  });

  it('is symmetric around no difference and null without pairs', () => {
    const interval = pairedDifferenceInterval({ both: 5, firstOnly: 1, secondOnly: 1, neither: 0 })!;
    expect(interval.low).toBeCloseTo(-interval.high, 12);
    expect(pairedDifferenceInterval({ both: 0, firstOnly: 0, secondOnly: 0, neither: 0 })).toBeNull();
  });
});

describe('mcnemarExactPValue', () => {
  it('is twice the smaller binomial tail, exactly', () => {
    expect(mcnemarExactPValue(12, 2)).toBe((2 * (1 + 14 + 91)) / 2 ** 14);
    expect(mcnemarExactPValue(8, 1)).toBe(20 / 512);
    expect(mcnemarExactPValue(1, 8)).toBe(20 / 512);
    expect(mcnemarExactPValue(6, 0)).toBe(2 / 64);
  });

  it('is 1 without discordant pairs and capped at 1 when balanced', () => {
    expect(mcnemarExactPValue(0, 0)).toBe(1);
    expect(mcnemarExactPValue(3, 3)).toBe(1);
  });

  it('stays exact for thousands of pairs (checked against exact rational arithmetic)', () => {
    // Python: 2 * Fraction(sum(comb(4100, i) for i in range(2001)), 2**4100) = 0.12206497999113813
    expect(mcnemarExactPValue(2000, 2100)).toBeCloseTo(0.12206497999113813, 10);
    // 25 of 30 discordant pairs one way: 2 * sum(comb(30, i), i <= 5) / 2^30
    expect(mcnemarExactPValue(25, 5)).toBeCloseTo(0.00032491423189640045, 15);
    expect(mcnemarExactPValue(5000, 0)).toBe(0);
  });
});

describe('order statistics', () => {
  it('median, nearest-rank percentiles and sums that stay unknown when a value is', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(nearestRankPercentile([10, 20, 30, 40], 50)).toBe(20);
    expect(nearestRankPercentile([10, 20, 30, 40], 95)).toBe(40);
    expect(knownSum([1, 2, 3])).toBe(6);
    expect(knownSum([1, null, 3])).toBeNull();
  });
});

describe('paretoFront', () => {
  it('keeps the runs no other run beats on both cost and success', () => {
    const front = paretoFront([
      { id: 'cheap', cost: 0.001, success: 0.5 },
      { id: 'best', cost: 0.01, success: 0.9 },
      { id: 'dominated', cost: 0.02, success: 0.8 },
      { id: 'tie-worse', cost: 0.01, success: 0.85 },
      { id: 'middle', cost: 0.005, success: 0.7 },
      { id: 'unmeasured', cost: null, success: 1 },
    ]);
    expect(front).toEqual(['cheap', 'best', 'middle']);
  });

  it('keeps equal points both on the front', () => {
    expect(paretoFront([{ id: 'a', cost: 1, success: 0.5 }, { id: 'b', cost: 1, success: 0.5 }])).toEqual(['a', 'b']);
  });
});

describe('groupFailures', () => {
  it('counts failed tasks by reason, most frequent first, with their keys; passed tasks are left out', () => {
    const groups = groupFailures([
      { key: 'a', success: false, failureReason: 'missing_keyword' },
      { key: 'b', success: true, failureReason: null },
      { key: 'c', success: false, failureReason: 'timeout' },
      { key: 'd', success: false, failureReason: 'missing_keyword' },
      { key: 'e', success: false, failureReason: null },
    ]);
    expect(groups).toEqual([
      { reason: 'missing_keyword', count: 2, tasks: ['a', 'd'] },
      { reason: 'timeout', count: 1, tasks: ['c'] },
      { reason: 'unknown', count: 1, tasks: ['e'] },
    ]);
  });
});
