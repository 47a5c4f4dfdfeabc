import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FAIL_TO_PASS, makeReportRuns, PASS_TO_FAIL, REPORT_TASKS, type ReportRuns } from '../helpers/report-runs.js';

let runs: ReportRuns;

beforeAll(async () => {
  runs = await makeReportRuns();
}, 120_000);

describe('agent-eval compare (built CLI, runs made by agent-eval run)', () => {
  it('pairs the tasks and prints the flips, the exact McNemar p-value and the interval as JSON', async () => {
    const result = await runCli(['compare', runs.base, runs.candidate, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const comparison = JSON.parse(result.stdout);
    expect(comparison.base).toMatchObject({ run_dir: runs.base, model: 'openai/base-model', tasks: 12, success_rate: 11 / 12 });
    expect(comparison.candidate).toMatchObject({ run_dir: runs.candidate, model: 'openai/candidate-model', tasks: 12, success_rate: 4 / 12 });
    expect(comparison.paired_tasks).toBe(12);
    expect(comparison.flips.pass_to_fail.sort()).toEqual(PASS_TO_FAIL.map((id) => `tool:${id}`).sort());
    expect(comparison.flips.fail_to_pass).toEqual(FAIL_TO_PASS.map((id) => `tool:${id}`));
    expect(comparison.flip_details.pass_to_fail[0].candidate_failure_reason).toBe('missing_keyword');
    // 8 pass->fail, 1 fail->pass: p = 2 * (C(9,0) + C(9,1)) / 2^9 = 20 / 512, exactly.
    expect(comparison.mcnemar_p_value).toBe(20 / 512);
    expect(comparison.difference).toBeCloseTo((1 - 8) / 12, 12);
    expect(comparison.difference_ci[0]).toBeLessThan(comparison.difference);
    expect(comparison.difference_ci[1]).toBeGreaterThan(comparison.difference);
    expect(comparison.difference_ci[1]).toBeLessThan(0);
    expect(comparison.only_in_base).toEqual([]);
    expect(comparison.only_in_candidate).toEqual([]);
    expect(comparison.deltas.tokens.total).toEqual(expect.any(Number));
    expect(comparison.deltas.duration_ms.median).toEqual(expect.any(Number));
    // No price for these models and no energy on the candidate: unknown, never 0.
    expect(comparison.deltas.cost_usd).toEqual({ median: null, total: null });
    expect(comparison.deltas.energy_kwh.total).toBeNull();
    expect(comparison.regression).toBe(true);
  });

  it('prints the same in words, with the flipped tasks and their reasons', async () => {
    const result = await runCli(['compare', runs.base, runs.candidate]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('paired tasks (scored in both): 12; success 91.7% -> 33.3%');
    expect(result.stdout).toContain('McNemar exact p = 0.0391 (8 pass->fail, 1 fail->pass)');
    expect(result.stdout).toMatch(/pass -> fail \(8\):\n {2}tool:t01 {2}missing_keyword/);
    expect(result.stdout).toContain('fail -> pass (1):\n  tool:t12  was missing_keyword');
    expect(result.stdout).toContain('REGRESSION: worse with p = 0.0391 < alpha 0.05');
  });

  it('exits 4 with --fail-on-regression when the candidate is worse, 0 when it is not', async () => {
    const worse = await runCli(['compare', runs.base, runs.candidate, '--fail-on-regression']);
    expect(worse.code).toBe(4);
    const better = await runCli(['compare', runs.candidate, runs.base, '--fail-on-regression', '--json']);
    expect(better.code).toBe(0);
    expect(JSON.parse(better.stdout)).toMatchObject({ regression: false, flips: { pass_to_fail: ['tool:t12'] } });
    // A strict alpha alone would pass it, but the drop is far beyond --max-drop.
    const dropped = await runCli(['compare', runs.base, runs.candidate, '--fail-on-regression', '--alpha', '0.001', '--max-drop', '60%', '--json']);
    expect(dropped.code).toBe(0);
    expect(JSON.parse(dropped.stdout).regression).toBe(false);
    const beyondDrop = await runCli(['compare', runs.base, runs.candidate, '--fail-on-regression', '--alpha', '0.001', '--max-drop', '0.1']);
    expect(beyondDrop.code).toBe(4);
    expect(beyondDrop.stdout).toContain('success rate dropped by 58.3 points, more than --max-drop 10.0');
  });

  it('says what is wrong with bad input in one line, exit 2', async () => {
    const alpha = await runCli(['compare', runs.base, runs.candidate, '--alpha', '2']);
    expect(alpha.code).toBe(2);
    expect(alpha.stderr.trim()).toBe('agent-eval: --alpha 2: must be a fraction between 0 and 1 (exclusive), e.g. 0.05');
    const missing = await runCli(['compare', runs.base, `${runs.output}/no-such-run`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`agent-eval: ${runs.output}/no-such-run: not a run directory (no such directory)`);
    expect(REPORT_TASKS).toHaveLength(12);
  });
});
