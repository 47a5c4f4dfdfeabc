import { describe, expect, it } from 'vitest';
import type { TaskResult } from '../../src/eval/types.js';
import { RunTotals } from '../../src/eval/run-totals.js';
import { consoleTableFromTotals, formatConsoleTable } from '../../src/report/console-table.js';

describe('formatConsoleTable', () => {
  it('prints one aligned line per agent type with the Wilson interval, errors, tokens, cost and duration', () => {
    const lines = formatConsoleTable({
      rows: [
        { label: 'tool', total: 12, successful: 11, errors: { infrastructure: 1 }, tokens: 12345, costUsd: null, durationMs: 4200 },
        { label: 'code', total: 5, successful: 5, errors: {}, tokens: 900, costUsd: 0.0123, durationMs: 181_000 },
        { label: 'all', total: 17, successful: 16, errors: { infrastructure: 1 }, tokens: null, costUsd: null, durationMs: null },
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
    expect(lines.at(-1)).toBe('... and 30 more failed task(s): see failure_reason in results.json');
    expect(lines[3]).toBe('FAIL  tool:t0  timeout: task exceeded 600 s');
  });

  it("builds its rows from a run's totals: one per agent type, then all with tokens, cost and duration", () => {
    const result = (index: number, agentType: 'tool' | 'code', success: boolean): TaskResult =>
      ({ test_index: index, test_case_uid: `${agentType}:t${index}`, agent_type: agentType, difficulty: 'easy', success, tool_called: true, correct_tool: true, steps: 2, tools_used: [], error_kind: success ? null : 'timeout', error: success ? null : 'too slow', failure_reason: success ? null : 'timeout', failure_detail: success ? null : 'ran past 600 s', execution_time_ms: 1000, total_tokens: 10, input_tokens: 6, output_tokens: 4, model_calls: 1, cost_usd: null, trace: undefined }) as unknown as TaskResult;
    const totals = RunTotals.of([result(0, 'tool', true), result(1, 'tool', false), result(2, 'code', true)]);
    const lines = formatConsoleTable(consoleTableFromTotals(totals, 'run/report.html'));
    expect(lines[2]).toMatch(/^tool +2 +1 50\.0% \(9\.5%-90\.5%\) +timeout 1 *$/);
    expect(lines[3]).toMatch(/^code +1 +1 100\.0% \(20\.7%-100\.0%\) +none *$/);
    expect(lines[4]).toMatch(/^all +3 +2 66\.7% \(20\.8%-93\.9%\) +timeout 1 +30 +unknown +3\.0 s$/);
    expect(lines.slice(5)).toEqual(['FAIL  tool:t1 (easy)  timeout: ran past 600 s', '[REPORT] run/report.html']);
    const single = formatConsoleTable(consoleTableFromTotals(RunTotals.of([result(0, 'tool', true)])));
    expect(single).toHaveLength(3);
    expect(single[2]).toMatch(/^tool +1 +1 100\.0% .* +none +10 +unknown +1\.0 s$/);
  });
});
