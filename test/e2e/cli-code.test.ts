import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli } from '../helpers/cli.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

let tasks: Task[];
let server: LoopbackOpenAIServer;
beforeAll(async () => {
  tasks = await loadTasks({ datasetName: 'builtin', split: 'train' });
});
afterEach(async () => server?.close());

describe('agent-eval run --agent-type both (code agent in the Pyodide sandbox)', () => {
  it('runs tool tasks, then code tasks, with tool calls from Python recorded exactly', async () => {
    server = await startOpenAIServer({ responder: solveTasks(tasks) });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-code-'));
    const result = await runCli(
      ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--agent-type', 'both', '--output-dir', output, '--parallel-workers', '2', '--enable-otel', '--quiet'],
      { env: { OPENAI_API_KEY: 'sk-test' } },
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--- CODE SUMMARY ---');
    expect(result.stdout).toContain('--- COMBINED SUMMARY ---');
    const [name] = await readdir(output);
    const rows = JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8'));
    const code = rows.filter((row: { agent_type: string }) => row.agent_type === 'code');
    const codeTasks = tasks.filter((task) => task.agent_type !== 'tool');
    expect(code.map((row: { task_id: string }) => row.task_id)).toEqual(codeTasks.map((task) => task.id));
    expect(rows.findIndex((row: { agent_type: string }) => row.agent_type === 'code')).toBe(rows.length - code.length);
    for (const row of code) {
      const task = codeTasks.find((candidate) => candidate.id === row.task_id)!;
      expect(row, row.task_id).toMatchObject({ success: true, final_answer_called: true, steps: 3, error: null });
      expect(row.tools_used.length, row.task_id).toBe(task.expected_tool_calls === 0 ? 0 : Math.max(1, task.expected_tool_calls ?? 1));
    }
    const weather = code.find((row: { task_id: string }) => row.task_id === 'code_weather_average_four');
    expect(weather.tool_calls.slice(0, 4).map((call: { arguments: unknown }) => call.arguments)).toEqual(Array(4).fill({ location: 'Paris, France' }));
    const traces = JSON.parse(await readFile(join(output, name!, 'traces.json'), 'utf8'));
    const trace = traces.find((doc: { test_case_uids: string[] }) => doc.test_case_uids[0] === 'code:code_weather_average_four');
    const python = trace.spans.filter((span: { name: string }) => span.name === 'execute_tool python_interpreter');
    const tools = trace.spans.filter((span: { name: string }) => span.name === 'execute_tool get_weather');
    expect(python).toHaveLength(2);
    expect(tools).toHaveLength(4);
    for (const span of tools) expect(span.parent_span_id).toBe(python[0].span_id);
    const metadata = JSON.parse(await readFile(join(output, name!, 'metadata.json'), 'utf8'));
    expect(metadata.sandbox_isolation).toMatchObject({ process: 'per-task', network: expect.stringMatching(/^(namespace|modules-blocked)$/) });
  }, 120_000);
});
