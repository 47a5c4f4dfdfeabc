// Per-scorer pass rates in the report's data: each run's scorers from its rows' `scores`, with Wilson
// intervals; a run whose rows record no `scores` (SMOLTRACE, older agent-eval) gets none invented.
import { describe, expect, it } from 'vitest';
import { buildReportData } from '../../src/report/report-data.js';
import { tasksFromRows, type LoadedRun } from '../../src/report/run-reader.js';
import { describeIssue, resultRowSchema, type ResultRowFile } from '../../src/report/run-schemas.js';
import { wilsonInterval } from '../../src/report/statistics.js';

function run(source: string, rows: Partial<ResultRowFile>[]): LoadedRun {
  const full = rows.map((row) => resultRowSchema.parse({ success: false, ...row }));
  return { source, label: source, metadata: null, leaderboard: null, tasks: tasksFromRows(full, []), gpu: [], hasTraces: false, missingFiles: [] };
}

const judged = (index: number, smoltrace: boolean, judge: boolean) => ({
  test_case_uid: `t${index}`,
  success: smoltrace,
  scores: {
    smoltrace: { value: smoltrace ? 1 : 0, passed: smoltrace, explanation: smoltrace ? 'keywords found' : 'missing keyword' },
    judge: { value: judge ? 0.75 : 0.25, passed: judge, explanation: `grade ${judge ? 4 : 2} of 1..5` },
  },
});

describe('scorer pass rates in the report data', () => {
  it('counts each scorer of a run apart, with its 95% Wilson interval, and invents nothing for a run without scores', () => {
    // smoltrace passes 3 of 4, the judge 1 of 4; a fifth row ran the smoltrace rule only.
    const scored = run('scored', [judged(0, true, true), judged(1, true, false), judged(2, true, false), judged(3, false, false), { test_case_uid: 't4', success: true, scores: { smoltrace: { value: 1, passed: true, explanation: 'ok' } } }]);
    const smoltrace = run('smoltrace', [{ test_case_uid: 't0', success: true }, { test_case_uid: 't1', success: false }]);
    const data = buildReportData([scored, smoltrace], { title: 'scorers', groupBy: [] });
    const [first, second] = data.runs;
    const interval = (passed: number, total: number) => wilsonInterval(passed, total)!;
    expect(first!.scorers).toEqual([
      { name: 'smoltrace', scored: 5, passed: 4, errors: 0, rate: 0.8, low: interval(4, 5).low, high: interval(4, 5).high, meanValue: 0.8 },
      { name: 'judge', scored: 4, passed: 1, errors: 0, rate: 0.25, low: interval(1, 4).low, high: interval(1, 4).high, meanValue: 0.375 },
    ]);
    expect(second!.scorers).toBeNull();
    // The drill-down's verdicts: every scorer of the row, in its order, with the explanation in the string table.
    const task = data.tasks.find((view) => view.run === 0 && view.uid === 't1')!;
    expect(task.scorers!.map(({ name, passed, value }) => ({ name, passed, value }))).toEqual([
      { name: 'smoltrace', passed: true, value: 1 },
      { name: 'judge', passed: false, value: 0.25 },
    ]);
    expect(data.strings[task.scorers![1]!.explanation!]).toBe('grade 2 of 1..5');
    expect(data.tasks.find((view) => view.run === 1)!.scorers).toBeNull();
  });

  it('leaves a scorer\'s errors out of its pass rate (no verdict), as the leaderboard row does, and shows them in the drill-down', () => {
    const errored = (index: number) => ({
      test_case_uid: `e${index}`,
      success: false,
      scores: { smoltrace: { value: 1, passed: true, explanation: 'ok' }, judge: { value: 0, passed: false, explanation: '', error: 'judge answered invalid JSON twice' } },
    });
    const data = buildReportData([run('errors', [judged(0, true, true), errored(1), errored(2)])], { title: 'errors', groupBy: [] });
    const judge = data.runs[0]!.scorers!.find((rate) => rate.name === 'judge')!;
    expect(judge).toMatchObject({ scored: 1, passed: 1, errors: 2, rate: 1 });
    const task = data.tasks.find((view) => view.uid === 'e1')!;
    expect(data.strings[task.scorers![1]!.error!]).toBe('judge answered invalid JSON twice');
    expect(task.scorers![0]!.error).toBeNull();
    // Only errors: no rate and no interval, never a 0% pass rate.
    const only = buildReportData([run('only', [errored(1)])], { title: 'only', groupBy: [] }).runs[0]!.scorers!.find((rate) => rate.name === 'judge')!;
    expect(only).toMatchObject({ scored: 0, errors: 1, rate: null, low: null, high: null });
  });

  it('checks scores at the edge: a verdict without a boolean `passed` is a one-line error naming the row and field', () => {
    const rows = [{ success: true, scores: { judge: { value: 1, passed: true, explanation: 'ok' } } }, { success: true, scores: { judge: { value: 1, passed: 'yes' } } }];
    const parsed = resultRowSchema.array().safeParse(rows);
    expect(parsed.success).toBe(false);
    expect(describeIssue(parsed.error!)).toBe("row 2: field 'scores.judge.passed': Invalid input: expected boolean, received string");
    // Imported rows not scored yet carry an empty object: a run of those has no scorer rows.
    expect(buildReportData([run('imported', [{ test_case_uid: 'a', scores: {} }])], { title: 'x', groupBy: [] }).runs[0]!.scorers).toEqual([]);
  });
});
