// Rows with success null (an import before `agent-eval score`) are "not scored" in the report's data:
// left out of the success rate, the groups and the failures, never counted as failed.
import { describe, expect, it } from 'vitest';
import { buildReportData } from '../../src/report/report-data.js';
import { tasksFromRows, type LoadedRun } from '../../src/report/run-reader.js';
import { resultRowSchema } from '../../src/report/run-schemas.js';

function run(rows: Record<string, unknown>[]): LoadedRun {
  const full = rows.map((row) => resultRowSchema.parse(row));
  return { source: 'imported', label: 'imported', metadata: null, leaderboard: null, tasks: tasksFromRows(full, []), gpu: [], hasTraces: false, missingFiles: [] };
}

describe('not scored rows in the report data', () => {
  it('keeps success null and leaves such rows out of rates, groups and failures', () => {
    const imported = run([
      { test_case_uid: 'a', success: null, category: 'math' },
      { test_case_uid: 'b', success: null, category: 'math' },
      { test_case_uid: 'c', success: true, category: 'math' },
      { test_case_uid: 'd', success: false, category: 'math', failure_reason: 'missing_keyword' },
    ]);
    expect(imported.tasks.map((task) => task.row.success)).toEqual([null, null, true, false]);
    const data = buildReportData([imported], { title: 'imported', groupBy: ['category'] });
    expect(data.runs[0]).toMatchObject({ tasks: 4, notScored: 2, successes: 1, successRate: 0.5 });
    expect(data.groups[0]!.rows).toMatchObject([{ value: 'math', successes: 1, total: 2 }]);
    expect(data.failures[0]!.groups).toEqual([{ reason: 'missing_keyword', count: 1, tasks: ['0:d#0'] }]);
    expect(data.tasks.map((task) => [task.uid, task.success, task.failureReason])).toEqual([['a', null, null], ['b', null, null], ['c', true, null], ['d', false, 'missing_keyword']]);
  });

  it('has no success rate for a run where nothing is scored', () => {
    const data = buildReportData([run([{ test_case_uid: 'a', success: null }])], { title: 'imported', groupBy: [] });
    expect(data.runs[0]).toMatchObject({ notScored: 1, successes: 0, successRate: null, successInterval: null });
  });
});
