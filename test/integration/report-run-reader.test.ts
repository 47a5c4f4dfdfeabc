// Reading run directories from their files: SMOLTRACE's output, a run with only its journal (older
// agent-eval or a crash before the summary files), and damaged files (one line naming file and row).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { buildReportData } from '../../src/report/report-data.js';
import { readRunDirectory } from '../../src/report/run-reader.js';
import { reportForRuns } from '../../src/report/write-report.js';

async function runDirectory(files: Record<string, unknown>): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'agent-eval-report-reader-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(directory, name), typeof content === 'string' ? content : JSON.stringify(content));
  return directory;
}

// SMOLTRACE's own rows (spec 6.1, pre-0.1.1: no test_case_uid, span_id or run_id) and leaderboard row (6.5).
const SMOLTRACE_ROW = {
  model: 'gpt-3.5-turbo', evaluation_date: '2025-10-27T19:24:08.519606', task_id: 'tool_weather_single', agent_type: 'tool', difficulty: 'easy',
  prompt: "What's the weather in Paris, France?", success: false, tool_called: false, correct_tool: false, final_answer_called: false, response_correct: true,
  tools_used: [], steps: 0, response: null, error: 'Error while generating output:\nlitellm.AuthenticationError: ...', trace_id: '0x7b48c513a8e548328300c841e9232e92',
  execution_time_ms: 1573.309, total_tokens: 0, cost_usd: 0.0, enhanced_trace_info: '{}',
};
const SMOLTRACE_LEADERBOARD = { run_id: null, model: 'gpt-3.5-turbo', agent_type: 'tool', provider: 'litellm', timestamp: '2025-10-27T19:24:08.801275', total_tests: 2, successful_tests: 1, success_rate: 50.0, co2_emissions_g: 0, gpu_utilization_avg: null, notes: 'Evaluation on 2025-10-27; 2 tests' };

describe('readRunDirectory', () => {
  it("reads SMOLTRACE's results.json and leaderboard_row.json; what they lack stays missing", async () => {
    const directory = await runDirectory({
      'results.json': [SMOLTRACE_ROW, { ...SMOLTRACE_ROW, task_id: 'tool_math', success: true, error: null, steps: 2, tools_used: ['calculator'] }],
      'leaderboard_row.json': SMOLTRACE_LEADERBOARD,
      'metadata.json': { model: 'gpt-3.5-turbo', agent_type: 'tool', dataset_used: 'kshitijthakkar/smoltrace-tasks', timestamp: '20251027_192408', num_results: 2, num_traces: 0, num_metrics: 3 },
    });
    const run = await readRunDirectory(directory);
    expect(run.tasks.map((task) => task.key)).toEqual(['tool_weather_single#0', 'tool_math#0']);
    expect(run.missingFiles).toEqual(['traces.json', 'metrics.json']);
    const data = buildReportData([run], { title: 'SMOLTRACE', groupBy: [] });
    const overview = data.runs[0]!;
    expect(overview).toMatchObject({ model: 'gpt-3.5-turbo', agentType: 'tool', dataset: 'kshitijthakkar/smoltrace-tasks', tasks: 2, successes: 1, successRate: 0.5, errors: { unclassified: 1 }, energyKWh: null, hasTraces: false, p50DurationMs: 1573.309 });
    // No failure_reason in SMOLTRACE's rows and no error kind: the reason is unknown, not guessed.
    expect(data.failures[0]!.groups).toEqual([{ reason: 'unknown', count: 1, tasks: ['0:tool_weather_single#0'] }]);
    expect(data.tasks[0]).toMatchObject({ modelMs: null, overheadMs: null, timelineSource: null, category: null, messages: [] });
    const written = await reportForRuns([run], { output: join(directory, 'report.html'), groupBy: ['model', 'no_such_column'] });
    expect(written).toMatchObject({ runs: 1, tasks: 2, notes: ['--group-by no_such_column: no task of these runs has this column'] });
    const grouped = buildReportData([run], { title: 'SMOLTRACE', groupBy: ['model'] });
    expect(grouped.groups.map((group) => group.column)).toEqual(['category', 'difficulty', 'agent_type', 'model']);
    expect(grouped.groups[3]!.rows).toEqual([{ run: 0, value: 'gpt-3.5-turbo', successes: 1, total: 2, rate: 0.5, low: expect.any(Number), high: expect.any(Number) }]);
    expect(grouped.groups[0]!.rows.map((row) => row.value)).toEqual(['(none)']);
  });

  it('reads the journal when results.json is missing: the last line of a task wins, a cut last line is dropped', async () => {
    const line = (fields: object) => JSON.stringify({ run_id: 'r', test_id: 'a', test_case_uid: 'tool:a', agent_type: 'tool', difficulty: 'easy', success: false, error_kind: 'infrastructure', steps: 0, ...fields });
    const directory = await runDirectory({ 'results.jsonl': [line({}), line({ test_id: 'b', test_case_uid: 'tool:b', success: true, error_kind: null }), line({ success: true, error_kind: null }), '{"run_id": "r", "test_'].join('\n') });
    const run = await readRunDirectory(directory);
    expect(run.tasks.map((task) => [task.key, task.row.success, task.row.task_id])).toEqual([
      ['tool:a#0', true, 'a'],
      ['tool:b#0', true, 'b'],
    ]);
    expect(run.missingFiles).toEqual(['results.json', 'traces.json', 'metadata.json', 'leaderboard_row.json', 'metrics.json']);
  });

  it('names the file and the row of a bad value, and a folder that is not a run', async () => {
    const bad = await runDirectory({ 'results.json': [SMOLTRACE_ROW, { ...SMOLTRACE_ROW, success: 'yes' }] });
    await expect(readRunDirectory(bad)).rejects.toThrow(InputError);
    await expect(readRunDirectory(bad)).rejects.toThrow(`${join(bad, 'results.json')}: row 2: field 'success': Invalid input: expected boolean, received string`);
    const cut = await runDirectory({ 'results.json': '[{"model": ' });
    await expect(readRunDirectory(cut)).rejects.toThrow(/results\.json: not valid JSON/);
    const empty = await runDirectory({});
    await expect(readRunDirectory(empty)).rejects.toThrow(`${empty}: not a run directory (neither results.json nor results.jsonl)`);
  });
});

describe('reportForRuns', () => {
  it('keeps the secrets in force out of the page', async () => {
    const secret = 'canary-secret-value-0123456789';
    const directory = await runDirectory({ 'results.json': [{ ...SMOLTRACE_ROW, prompt: `use the key ${secret} and token hf_abcdefghijklmnopqrstuvwxyz123456` }] });
    const output = join(directory, 'report.html');
    await reportForRuns([await readRunDirectory(directory)], { output, title: `report ${secret}`, env: { MY_API_KEY: secret } });
    const html = await readFile(output, 'utf8');
    const data = gunzipSync(Buffer.from(/id="report-data">([^<]+)</.exec(html)![1]!, 'base64')).toString('utf8');
    expect(html + data).not.toContain(secret);
    expect(data).not.toContain('hf_abcdefghijklmnopqrstuvwxyz123456');
    expect(data).toContain('use the key [REDACTED]');
    expect(html).toContain('<title>report [REDACTED]</title>');
  });
});
