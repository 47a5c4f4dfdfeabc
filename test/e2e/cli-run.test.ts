import { existsSync } from 'node:fs';
import { readdir, readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli } from '../helpers/cli.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const RESULT_COLUMNS = ['model', 'evaluation_date', 'task_id', 'test_case_uid', 'agent_type', 'difficulty', 'prompt', 'success', 'tool_called', 'correct_tool', 'final_answer_called', 'response_correct', 'tools_used', 'steps', 'response', 'error', 'trace_id', 'span_id', 'run_id', 'execution_time_ms', 'total_tokens', 'cost_usd', 'enhanced_trace_info'];
const LEADERBOARD_COLUMNS = ['run_id', 'model', 'agent_type', 'provider', 'timestamp', 'submitted_by', 'use_case', 'team', 'purpose', 'suite_version', 'results_dataset', 'traces_dataset', 'metrics_dataset', 'dataset_used', 'total_tests', 'successful_tests', 'failed_tests', 'success_rate', 'avg_steps', 'avg_duration_ms', 'total_duration_ms', 'total_tokens', 'avg_tokens_per_test', 'total_cost_usd', 'avg_cost_per_test_usd', 'co2_emissions_g', 'power_cost_total_usd', 'gpu_utilization_avg', 'gpu_utilization_max', 'gpu_memory_avg_mib', 'gpu_memory_max_mib', 'gpu_temperature_avg', 'gpu_temperature_max', 'gpu_power_avg_w', 'notes'];

let tasks: Task[];
let toolTasks: Task[];
let server: LoopbackOpenAIServer;

beforeAll(async () => {
  tasks = await loadTasks({ datasetName: 'builtin', split: 'train' });
  toolTasks = tasks.filter((task) => task.agent_type !== 'code');
});
afterEach(async () => server?.close());

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

describe('agent-eval run (built CLI, loopback OpenAI server)', () => {
  it('evaluates the built-in tasks and writes SMOLTRACE-shaped files', async () => {
    const failing = toolTasks[0]!;
    server = await startOpenAIServer({ responder: solveTasks(toolTasks, { [failing.id]: [{ fault: { kind: 'status', status: 500 } }] }) });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-e2e-'));
    const result = await runCli(
      ['run', '--model', 'openai/test-model', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--output-dir', output, '--run-id', 'run-e2e', '--parallel-workers', '4', '--max-retries', '0', '--use-case', 'Weather Bots'],
      { env: { OPENAI_API_KEY: 'sk-test' } },
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    // The 500 is an infrastructure failure: the files are written, the run exits 1 and says how to rerun it.
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[FAIL] 1 task(s) failed on infrastructure errors');
    expect(result.stdout).toContain('--- TOOL SUMMARY ---');
    expect(result.stdout).toContain(`Total: ${toolTasks.length}, Success: ${toolTasks.length - 1}/${toolTasks.length}`);
    expect(result.stdout).toContain('[RUN ID] run-e2e');
    expect(result.stderr).toMatch(/\[\d+\/\d+\] PASS {2}tool:/);

    const [runName] = await readdir(output);
    expect(runName).toMatch(/^openai_test-model_tool_\d{8}_\d{6}$/);
    const runDirectory = join(output, runName!);
    expect(result.stdout).toContain(`[OUTPUT] ${runDirectory}`);
    expect((await readdir(runDirectory)).sort()).toEqual(['effective_policy.json', 'leaderboard_row.json', 'metadata.json', 'metrics.json', 'results.json', 'results.jsonl', 'traces.json']);

    const rows = await readJson(join(runDirectory, 'results.json'));
    expect(rows).toHaveLength(toolTasks.length);
    expect(Object.keys(rows[0]).slice(0, RESULT_COLUMNS.length)).toEqual(RESULT_COLUMNS);
    expect(rows.map((row: { task_id: string }) => row.task_id)).toEqual(toolTasks.map((task) => task.id));
    for (const row of rows) {
      expect(row).toMatchObject({ model: 'openai/test-model', run_id: 'run-e2e', provider: 'litellm', model_provider: 'openai', enhanced_trace_info: '{}' });
      if (row.task_id === failing.id) {
        expect(row).toMatchObject({ success: false, response: null, error_kind: 'infrastructure', response_correct: false });
      } else {
        expect(row).toMatchObject({ success: true, error: null, final_answer_called: true });
        expect(row.total_tokens).toBeGreaterThan(0);
      }
    }
    const journal = (await readFile(join(runDirectory, 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(journal).toHaveLength(toolTasks.length);

    const leaderboard = await readJson(join(runDirectory, 'leaderboard_row.json'));
    expect(Object.keys(leaderboard).slice(0, LEADERBOARD_COLUMNS.length)).toEqual(LEADERBOARD_COLUMNS);
    const successes = toolTasks.length - 1;
    expect(leaderboard).toMatchObject({
      run_id: 'run-e2e',
      provider: 'litellm',
      model_provider: 'openai',
      agent_type: 'tool',
      use_case: 'weather-bots',
      team: null,
      total_tests: toolTasks.length,
      successful_tests: successes,
      failed_tests: 1,
      success_rate: Math.round((successes / toolTasks.length) * 10000) / 100,
      infrastructure_errors: 1,
      success_rate_excluding_infrastructure: 100,
      total_cost_usd: null,
      co2_emissions_g: null,
      results_dataset: `local:${join(runDirectory, 'results.json')}`,
      traces_dataset: 'local:none',
      dataset_used: 'builtin',
    });
    const totalTokens = rows.reduce((sum: number, row: { total_tokens: number }) => sum + row.total_tokens, 0);
    expect(leaderboard.total_tokens).toBe(totalTokens);

    const metadata = await readJson(join(runDirectory, 'metadata.json'));
    expect(metadata).toMatchObject({ model: 'openai/test-model', agent_type: 'tool', dataset_used: 'builtin', num_results: toolTasks.length, num_traces: 0, run_id: 'run-e2e', status: 'completed' });
    expect(metadata.timestamp).toMatch(/^\d{8}_\d{6}$/);
    expect(await readJson(join(runDirectory, 'traces.json'))).toEqual([]);
    const metrics = await readJson(join(runDirectory, 'metrics.json'));
    expect(metrics.run_id).toBe('run-e2e');
    expect(metrics.aggregates[0]).toMatchObject({ name: 'tests.successful', data_points: [{ value: { value: successes }, attributes: { total_tests: toolTasks.length } }] });
  });

  it('writes consistent traces, results and leaderboard with --enable-otel', async () => {
    server = await startOpenAIServer({ responder: solveTasks(toolTasks) });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-e2e-'));
    const result = await runCli(
      ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--output-dir', output, '--limit', '6', '--enable-otel', '--quiet'],
      { env: { OPENAI_API_KEY: 'sk-test' } },
    );
    expect(result.code).toBe(0);
    const [runName] = await readdir(output);
    const runDirectory = join(output, runName!);
    const rows = await readJson(join(runDirectory, 'results.json'));
    const tracesText = await readFile(join(runDirectory, 'traces.json'), 'utf8');
    const traces = JSON.parse(tracesText);
    const leaderboard = await readJson(join(runDirectory, 'leaderboard_row.json'));
    const metadata = await readJson(join(runDirectory, 'metadata.json'));
    expect(traces).toHaveLength(6);
    expect(tracesText).toMatch(/"start_time": \d{19},/);
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    const rowTokens = sum(rows.map((row: { total_tokens: number }) => row.total_tokens));
    expect(sum(traces.map((trace: { total_tokens: number }) => trace.total_tokens))).toBe(rowTokens);
    expect(leaderboard.total_tokens).toBe(rowTokens);
    const traceDurations = sum(traces.map((trace: { total_duration_ms: number }) => trace.total_duration_ms));
    expect(Math.abs(leaderboard.total_duration_ms - traceDurations)).toBeLessThan(6);
    const costs = rows.map((row: { cost_usd: number }) => row.cost_usd);
    expect(costs.every((cost: unknown) => typeof cost === 'number' && cost > 0)).toBe(true);
    expect(leaderboard.total_cost_usd).toBeCloseTo(sum(costs), 6);
    expect(leaderboard.traces_dataset).toBe(`local:${join(runDirectory, 'traces.json')}`);
    for (const row of rows) {
      const trace = traces.find((candidate: { trace_id: string }) => candidate.trace_id === row.trace_id);
      expect(trace.test_case_uids).toEqual([row.test_case_uid]);
      expect(JSON.parse(row.enhanced_trace_info)).toMatchObject({ trace_id: row.trace_id, root_span_id: row.span_id, total_tokens: row.total_tokens });
    }
    expect(metadata).toMatchObject({ num_traces: 6, environment: { agent_eval_version: '0.1.0', node_version: process.version } });
    expect(metadata.prompt_template_sha256['tool.system_prompt']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('exits 3 under --fail-under and 0 above it', async () => {
    server = await startOpenAIServer({ responder: () => ({ content: 'I will not use tools.' }) });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-e2e-'));
    const args = ['run', '--model', 'openai/m', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--output-dir', output, '--limit', '2', '--max-steps', '1', '--quiet'];
    const failed = await runCli([...args, '--fail-under', '0.5']);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain('[FAIL] success rate 0.0% is below --fail-under 50.0%');
    expect(failed.stderr).not.toContain('[1/2]');
    const passed = await runCli([...args, '--fail-under', '0%']);
    expect(passed.code).toBe(0);
  });

  it('prints help with every flag and its default', async () => {
    const result = await runCli(['run', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--model', '--provider', '--agent-type', '--difficulty', '--dataset-name', '--split', '--output-format', '--output-dir', '--prompt-yml', '--run-id', '--parallel-workers', '--concurrency', '--working-directory', '--model-args', '--quiet', '--debug', '--base-url', '--max-steps', '--limit', '--task-id', '--timeout', '--resume', '--fail-under']) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toMatch(/default:\s+"litellm"/);
    expect(result.stdout).toMatch(/default:\s+"\.\/smoltrace_results"/);
    expect(result.stdout).toMatch(/default:\s+the\s+current\s+directory/);
    expect(existsSync(join(process.cwd(), 'smoltrace_results'))).toBe(false);
  });
});
