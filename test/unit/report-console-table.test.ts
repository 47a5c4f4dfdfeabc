import { describe, expect, it } from 'vitest';
import { formatConsoleTable } from '../../src/report/console-table.js';

describe('formatConsoleTable', () => {
  it('prints one aligned line per agent type with the Wilson interval, errors, tokens, cost and duration', () => {
    const lines = formatConsoleTable({
      rows: [
        { label: 'tool', total: 12, successful: 11, errors: { infrastructure: 1 }, tokens: 12345, costUsd: null, durationMs: 4200 },
        { label: 'code', total: 5, successful: 5, errors: {}, tokens: 900, costUsd: 0.0123, durationMs: 181_000 },
        { label: 'all', total: 17, successful: 16, errors: { infrastructure: 1 } },
      ],
      failed: [{ test_case_uid: 'tool:t12', difficulty: 'easy', failure_reason: 'missing_keyword', failure_detail: 'expected "Paris"\nin the answer' }],
      failedTotal: 1,
      reportPath: '/runs/x/report.html',
    });
    expect(lines).toEqual([
      'agent  tasks  success (95% CI)         errors             tokens     cost  duration',
      '-----  -----  -----------------------  ----------------  -------  -------  --------',
      'tool      12  11 91.7% (64.6%-98.5%)   infrastructure 1   12,345  unknown     4.2 s',
      'code       5  5 100.0% (56.6%-100.0%)  none                  900  $0.0123   3.0 min',
      'all       17  16 94.1% (73.0%-99.0%)   infrastructure 1  unknown  unknown   unknown',
      'FAIL  tool:t12 (easy)  missing_keyword: expected "Paris" in the answer',
      '[REPORT] /runs/x/report.html',
    ]);
  });

  it('lists at most 10 failed tasks and says how many more there are', () => {
    const failed = Array.from({ length: 10 }, (_, index) => ({ test_case_uid: `tool:t${index}`, failure_reason: null, failure_detail: null, error_kind: 'timeout', error: 'task exceeded 600 s' }));
    const lines = formatConsoleTable({ rows: [{ label: 'tool', total: 40, successful: 0, errors: { timeout: 40 } }], failed, failedTotal: 40 });
    expect(lines.filter((line) => line.startsWith('FAIL'))).toHaveLength(10);
    expect(lines[2]).toContain('0 0.0% (0.0%-8.8%)');
    expect(lines.at(-1)).toBe('... and 30 more failed task(s): see failure_reason in results.json, or agent-eval report');
    expect(lines[3]).toBe('FAIL  tool:t0  timeout: task exceeded 600 s');
  });
});
