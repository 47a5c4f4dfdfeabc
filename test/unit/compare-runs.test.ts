import { describe, expect, it } from 'vitest';
import { compareRuns, formatComparison } from '../../src/report/comparison.js';
import { tasksFromRows, type LoadedRun } from '../../src/report/run-reader.js';
import type { ResultRowFile } from '../../src/report/run-schemas.js';

function run(source: string, rows: Partial<ResultRowFile>[], energyKWh: number | null = null): LoadedRun {
  const full = rows.map((row) => ({ success: false, ...row }) as ResultRowFile);
  return { source, label: source, metadata: { model: `model-${source}` }, leaderboard: energyKWh === null ? null : { energy_kwh: energyKWh }, tasks: tasksFromRows(full, []), gpu: [], hasTraces: false, missingFiles: [] };
}

describe('compareRuns', () => {
  it('pairs by test_case_uid and repeat index, leaves unpaired tasks out, and takes deltas over the pairs', () => {
    const base = run('base', [
      { test_case_uid: 'a', repeat_index: 0, success: true, total_tokens: 100, cost_usd: 0.01, execution_time_ms: 1000 },
      { test_case_uid: 'a', repeat_index: 1, success: true, total_tokens: 100, cost_usd: 0.01, execution_time_ms: 1000 },
      { test_case_uid: 'b', success: false, failure_reason: 'timeout', total_tokens: 50, cost_usd: 0.02, execution_time_ms: 3000 },
      { test_case_uid: 'only-base', success: true },
    ], 0.004);
    const candidate = run('candidate', [
      { test_case_uid: 'a', repeat_index: 1, success: false, failure_reason: 'wrong_tool', total_tokens: 130, cost_usd: 0.015, execution_time_ms: 900 },
      { test_case_uid: 'a', repeat_index: 0, success: true, total_tokens: 120, cost_usd: 0.012, execution_time_ms: 1100 },
      { test_case_uid: 'b', success: true, total_tokens: 40, cost_usd: 0.01, execution_time_ms: 2000 },
      { test_case_uid: 'only-candidate', success: false },
    ], 0.006);
    const comparison = compareRuns(base, candidate, { alpha: 0.05, maxDrop: 0.5 });
    expect(comparison.paired_tasks).toBe(3);
    expect(comparison.flips).toEqual({ pass_to_fail: ['a#1'], fail_to_pass: ['b'] });
    expect(comparison.flip_details.pass_to_fail).toEqual([{ test_case_uid: 'a', repeat: 1, base_failure_reason: null, candidate_failure_reason: 'wrong_tool' }]);
    expect(comparison.only_in_base).toEqual(['only-base']);
    expect(comparison.only_in_candidate).toEqual(['only-candidate']);
    expect(comparison.base).toMatchObject({ run_dir: 'base', model: 'model-base', tasks: 4, success_rate: 0.75, paired_success_rate: 2 / 3 });
    expect(comparison.difference).toBe(0);
    expect(comparison.mcnemar_p_value).toBe(1);
    expect(comparison.deltas.tokens).toEqual({ median: 20, total: 40 });
    expect(comparison.deltas.cost_usd.median).toBeCloseTo(0.002, 12);
    expect(comparison.deltas.cost_usd.total).toBeCloseTo(-0.003, 12);
    expect(comparison.deltas.duration_ms).toEqual({ median: -100, total: -1000 });
    // 0.004 kWh over 4 tasks vs 0.006 over 4: +0.0005 kWh per task, times 3 pairs.
    expect(comparison.deltas.energy_kwh.total).toBeCloseTo(0.0015, 12);
    expect(comparison.regression).toBe(false);
  });

  it('is a regression past --max-drop even when the test cannot tell', () => {
    const base = run('base', [{ test_case_uid: 'a', success: true }, { test_case_uid: 'b', success: true }]);
    const candidate = run('candidate', [{ test_case_uid: 'a', success: false }, { test_case_uid: 'b', success: true }]);
    const comparison = compareRuns(base, candidate, { alpha: 0.05, maxDrop: 0.02 });
    expect(comparison.mcnemar_p_value).toBe(1);
    expect(comparison.regression).toBe(true);
    expect(comparison.regression_reasons).toEqual(['success rate dropped by 50.0 points, more than --max-drop 2.0']);
    expect(comparison.deltas.cost_usd).toEqual({ median: null, total: null });
  });

  it('pairs by the rows\' `repeat` column (what run rows write), not by row order', () => {
    // Journal-only runs with several workers: repeats in any order.
    const base = run('base', [
      { test_case_uid: 'a', repeat: 1, success: false },
      { test_case_uid: 'a', repeat: 0, success: true },
    ]);
    const candidate = run('candidate', [
      { test_case_uid: 'a', repeat: 0, success: true },
      { test_case_uid: 'a', repeat: 1, success: true },
    ]);
    const comparison = compareRuns(base, candidate, { alpha: 0.05, maxDrop: 0.5 });
    expect(comparison.paired_tasks).toBe(2);
    expect(comparison.flips).toEqual({ pass_to_fail: [], fail_to_pass: ['a#1'] });
  });

  it('counts success null as not scored: left out of rates and pairs, never a failure', () => {
    const base = run('base', [{ test_case_uid: 'a', success: null }, { test_case_uid: 'b', success: null }]);
    const candidate = run('candidate', [{ test_case_uid: 'a', success: true }, { test_case_uid: 'b', success: null }]);
    const comparison = compareRuns(base, candidate, { alpha: 0.05, maxDrop: 0.02 });
    expect(comparison.base).toMatchObject({ success_rate: null, not_scored: 2, tasks: 2 });
    expect(comparison.candidate).toMatchObject({ success_rate: 1, not_scored: 1 });
    expect(comparison.paired_tasks).toBe(0);
    expect(comparison.flips).toEqual({ pass_to_fail: [], fail_to_pass: [] });
    expect(comparison.regression).toBe(false);
    const lines = formatComparison(comparison);
    expect(lines[0]).toContain(': not scored of 2 task(s)');
    expect(lines[1]).toContain(': 100.0% (1 not scored) of 2 task(s)');
    expect(lines[2]).toBe('paired tasks (scored in both): 0; success n/a -> n/a');
  });
});
