import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseOlderThan, planCleanup, timestampDate, type DiscoveredRun } from '../../src/hub/cleanup.js';

function run(timestamp: string, options: Partial<DiscoveredRun> = {}): DiscoveredRun {
  const repos = { results: `u/p-results-${timestamp}`, traces: `u/p-traces-${timestamp}`, metrics: `u/p-metrics-${timestamp}` };
  return { timestamp, repos, createdAt: null, time: timestampDate(timestamp), telemetry: 'on', missing: [], complete: true, ...options };
}

const now = new Date('2026-01-21T00:00:00Z');
const runs = [
  run('20260101_000000'),
  run('20260110_000000', { repos: { results: 'u/p-results-20260110_000000', metrics: 'u/p-metrics-20260110_000000' }, telemetry: 'off' }),
  run('20260114_000000', { repos: { results: 'u/p-results-20260114_000000' }, missing: ['traces', 'metrics'], complete: false }),
  run('20260120_000000', { time: new Date('2026-01-05T00:00:00Z') }),
];

describe('parseOlderThan', () => {
  it('reads days, weeks, months and bare numbers', () => {
    expect(parseOlderThan('7d')).toBe(7);
    expect(parseOlderThan(' 2W ')).toBe(14);
    expect(parseOlderThan('1m')).toBe(30);
    expect(parseOlderThan('30')).toBe(30);
    expect(parseOlderThan('0d')).toBe(0);
  });
  it('rejects anything else as an InputError', () => {
    for (const bad of ['', 'd', '7y', '-1d', '1.5d', 'seven']) expect(() => parseOlderThan(bad)).toThrow(InputError);
  });
});

describe('timestampDate', () => {
  it('reads the name timestamp as UTC and rejects impossible dates', () => {
    expect(timestampDate('20260102_030405')?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(timestampDate('20261399_000000')).toBeNull();
    expect(timestampDate('2026')).toBeNull();
  });
});

describe('planCleanup', () => {
  const ids = (plan: { runs: DiscoveredRun[] }) => plan.runs.map((item) => item.timestamp);

  it('needs exactly one selector', () => {
    expect(() => planCleanup(runs, { now })).toThrow(InputError);
    expect(() => planCleanup(runs, { all: true, keepRecent: 1, now })).toThrow(/exactly one/);
    expect(() => planCleanup(runs, { keepRecent: -1, now })).toThrow(InputError);
    expect(() => planCleanup(runs, { olderThanDays: Number.NaN, now })).toThrow(InputError);
  });

  it('older-than uses the run time (createdAt), keeps runs exactly at the cutoff and runs without a time', () => {
    expect(ids(planCleanup(runs, { olderThanDays: 11, now }))).toEqual(['20260120_000000', '20260101_000000']);
    expect(ids(planCleanup(runs, { olderThanDays: 11, now: new Date('2026-01-16T00:00:00Z') }))).toEqual(['20260101_000000']);
    const undated = [run('20260101_000000', { time: null })];
    expect(planCleanup(undated, { olderThanDays: 0, now }).runs).toEqual([]);
  });

  it('keep-recent keeps the N newest; 0 deletes every run', () => {
    expect(ids(planCleanup(runs, { keepRecent: 2, now }))).toEqual(['20260120_000000', '20260101_000000']);
    const all = planCleanup(runs, { keepRecent: 0, now });
    expect(all.runs).toHaveLength(4);
    expect(all.kept).toEqual([]);
    expect(all.repos).toHaveLength(9);
    expect(all.repos.slice(0, 3)).toEqual(['u/p-results-20260114_000000', 'u/p-results-20260110_000000', 'u/p-metrics-20260110_000000']);
  });

  it('incomplete-only selects runs missing a part; a telemetry-off run without traces is complete', () => {
    const plan = planCleanup(runs, { incompleteOnly: true, now });
    expect(ids(plan)).toEqual(['20260114_000000']);
    expect(plan.repos).toEqual(['u/p-results-20260114_000000']);
    expect(plan.kept).toHaveLength(3);
  });

  it('all with only=traces deletes just the traces of runs that have them', () => {
    const plan = planCleanup(runs, { all: true, only: 'traces', now });
    expect(plan.repos).toEqual(['u/p-traces-20260120_000000', 'u/p-traces-20260101_000000']);
    expect(plan.selector).toBe('all runs (traces only)');
  });
});
