import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli } from '../helpers/cli.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PYTHON_AGENT = join(ROOT, 'examples/python-agent/agent.py');
const TYPESCRIPT_AGENT = join(ROOT, 'examples/typescript-agent/agent.ts');
const BROKEN_AGENT = join(ROOT, 'test/fixtures/agents/broken-agent.py');
const SPANS_ONLY_AGENT = join(ROOT, 'test/fixtures/agents/spans-only-agent.py');
const REASONING_AGENT = join(ROOT, 'test/fixtures/agents/reasoning-agent.py');

let toolTasks: Task[];
let server: LoopbackOpenAIServer | undefined;

beforeAll(async () => {
  toolTasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

async function runDirectoryOf(output: string): Promise<string> {
  const [name] = await readdir(output);
  return join(output, name!);
}

/** Whether a process is gone or a zombie (killed, waiting to be reaped), polling while the kill lands. */
async function exited(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** The TypeScript example as JavaScript (Node 20 runs no TypeScript): type annotations stripped by esbuild. */
async function typescriptAgentCommand(): Promise<string> {
  const { transform } = await import('esbuild');
  const folder = await mkdtemp(join(tmpdir(), 'agent-eval-ts-agent-'));
  const { code } = await transform(await readFile(TYPESCRIPT_AGENT, 'utf8'), { loader: 'ts', format: 'esm', target: 'node20' });
  await writeFile(join(folder, 'agent.mjs'), code);
  return `"${process.execPath}" ${join(folder, 'agent.mjs')}`;
}

describe('agent-eval run --agent-command (built CLI, example agents, loopback model)', () => {
  it('the Python example passes the built-in tool tasks; its reports count and its spans join the task traces', async () => {
    // A reasoning model: each reply carries reasoning_content, which the example reports with its call.
    const solve = solveTasks(toolTasks);
    server = await startOpenAIServer({ responder: async (request) => ({ ...(await solve(request)), reasoning: 'Think first.' }) });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-external-'));
    const result = await runCli(
      ['run', '--agent-command', `python3 ${PYTHON_AGENT}`, '--model', 'openai/test-model', '--agent-env', `OPENAI_BASE_URL=${server.url}/v1`, '--output-dir', output, '--enable-otel', '--parallel-workers', '4'],
      { env: { OPENAI_API_KEY: 'sk-test-not-for-the-agent-0123456789' } },
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Total: ${toolTasks.length}, Success: ${toolTasks.length}/${toolTasks.length}`);
    const directory = await runDirectoryOf(output);
    const rows = await readJson(join(directory, 'results.json'));
    expect(rows).toHaveLength(toolTasks.length);
    for (const row of rows) {
      expect(row).toMatchObject({ success: true, agent_type: 'tool', model_provider: 'external', final_answer_called: true, error: null });
      expect(row.model_calls).toBe(2);
      expect(row.input_tokens).toBeGreaterThan(0);
      // The agent reported the messages it sent and its model's tool calls: the row's conversation is its own, each
      // message once (its system prompt, the task, its assistant messages with their tool calls, each answered once).
      type Wire = { role: string; content: string | null; tool_calls?: { id: string; function: { name: string } }[]; tool_call_id?: string };
      const messages: Wire[] = row.messages;
      expect(messages[0]).toEqual({ role: 'system', content: 'You are a helpful agent. Use the tools, then call final_answer.' });
      expect(messages.filter((message) => message.role === 'user')).toEqual([{ role: 'user', content: row.prompt }]);
      expect(new Set(messages.map((message) => JSON.stringify(message))).size).toBe(messages.length);
      const calls = messages.flatMap((message) => message.tool_calls ?? []);
      expect(messages.filter((message) => message.role === 'tool').map((message) => message.tool_call_id)).toEqual(calls.map((call) => call.id));
      expect(messages.filter((message) => message.role === 'assistant').every((message) => message.tool_calls?.length)).toBe(true);
      expect(calls.at(-1)!.function.name).toBe('final_answer');
      expect(row.messages.filter((message: Wire) => message.role === 'assistant').map((message: { reasoning_content?: string }) => message.reasoning_content)).toEqual(['Think first.', 'Think first.']);
    }
    // The agent never saw the caller's key, nor its model its own reasoning: no request to the model carried either.
    expect(server.requests.every((request) => !String(request.headers.authorization ?? '').includes('sk-test'))).toBe(true);
    expect(server.requests.every((request) => !JSON.stringify(request.body).includes('Think first.'))).toBe(true);
    const traces = await readJson(join(directory, 'traces.json'));
    expect(traces).toHaveLength(toolTasks.length);
    for (const trace of traces) {
      const agentSpan = trace.spans.find((span: { name: string }) => span.name === 'invoke_agent external_agent');
      expect(agentSpan).toBeDefined();
      const external = trace.spans.filter((span: { attributes: Record<string, unknown> }) => span.attributes['agent_eval.source'] === 'external_agent');
      expect(external).toHaveLength(2);
      for (const span of external) {
        expect(span).toMatchObject({ trace_id: trace.trace_id, parent_span_id: agentSpan.span_id, name: 'chat test-model' });
        expect(span.resource.attributes['service.name']).toBe('python-example-agent');
      }
      expect(trace.spans.some((span: { name: string }) => span.name.startsWith('execute_tool '))).toBe(true);
      // Each reported call's chat span carries what the agent sent (model_call.messages): the second call saw the tool's result.
      const chats = trace.spans.filter((span: { name: string; attributes: Record<string, unknown> }) => span.name.startsWith('chat ') && span.attributes['agent_eval.source'] !== 'external_agent');
      expect(chats).toHaveLength(2);
      expect(String(chats[0].attributes['gen_ai.system_instructions'])).toContain('You are a helpful agent.');
      expect(JSON.parse(String(chats[1].attributes['gen_ai.input.messages'])).map((message: { role: string }) => message.role).slice(0, 3)).toEqual(['user', 'assistant', 'tool']);
    }
  }, 120_000);

  it('the TypeScript example passes the built-in tool tasks in reused processes', async () => {
    server = await startOpenAIServer({ responder: solveTasks(toolTasks) });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-external-'));
    const result = await runCli(
      ['run', '--agent-command', await typescriptAgentCommand(), '--agent-reuse', '--model', 'openai/test-model', '--agent-env', `OPENAI_BASE_URL=${server.url}/v1`, '--output-dir', output, '--parallel-workers', '2'],
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Total: ${toolTasks.length}, Success: ${toolTasks.length}/${toolTasks.length}`);
    const rows = await readJson(join(await runDirectoryOf(output), 'results.json'));
    expect(rows.every((row: { tools_used: string[] }) => row.tools_used.length > 0)).toBe(true);
  }, 120_000);

  it('a broken agent (invalid JSON, crash, hang, huge line, unknown tool) gives recorded task errors and the run goes on', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-broken-'));
    const tasksFile = join(folder, 'tasks.jsonl');
    const ids = ['invalid_json', 'crash', 'hang', 'huge', 'unknown_tool', 'bad_messages', 'env'];
    await writeFile(tasksFile, ids.map((id) => JSON.stringify({ id, prompt: `task ${id}`, difficulty: 'easy', agent_type: 'tool', expected_tool_calls: 0 })).join('\n'));
    const pidFile = join(folder, 'hang.pid');
    const envFile = join(folder, 'env.json');
    const output = join(folder, 'out');
    const result = await runCli(
      ['run', '--agent-command', `python3 ${BROKEN_AGENT}`, '--dataset-name', tasksFile, '--output-dir', output, '--timeout', '4', '--agent-env', `PID_FILE=${pidFile}`, '--agent-env', `ENV_FILE=${envFile}`, '--agent-env', 'PASSED_TOKEN'],
      { env: { MY_SERVICE_TOKEN: 'tok-abcdefghijklmnop', PASSED_TOKEN: 'tok-passed-on-purpose-123', HF_TOKEN: 'hf_abcdefghijklmnopqrstuvwxyz' } },
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const directory = await runDirectoryOf(output);
    const rows: Record<string, { error: string | null; error_kind: string | null; success: boolean }> = Object.fromEntries(
      (await readJson(join(directory, 'results.json'))).map((row: { task_id: string }) => [row.task_id, row]),
    );
    expect(rows.invalid_json).toMatchObject({ success: false, error_kind: 'model' });
    expect(rows.invalid_json!.error).toContain('not JSON');
    expect(rows.crash).toMatchObject({ success: false, error_kind: 'model' });
    expect(rows.crash!.error).toMatch(/exited \(code 3\).*something went badly wrong/);
    expect(rows.hang).toMatchObject({ success: false, error_kind: 'timeout' });
    expect(rows.huge).toMatchObject({ success: false, error_kind: 'model' });
    expect(rows.huge!.error).toContain('more than 1048576 bytes');
    expect(rows.unknown_tool!.error).toContain("asked for the tool 'launch_rockets', which was not offered");
    // Reported messages are checked like every line: a tool message must name the call it answers.
    expect(rows.bad_messages).toMatchObject({ success: false, error_kind: 'model' });
    expect(rows.bad_messages!.error).toContain('invalid message (messages.1.tool_call_id: ');
    expect(rows.env).toMatchObject({ success: true, error: null });
    // The hung agent's own child was killed with its process group.
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(await exited(pid)).toBe(true);
    // Its environment: the caller's without secrets, plus what --agent-env passed, plus the receiver.
    const env = await readJson(envFile);
    expect(env.MY_SERVICE_TOKEN).toBeUndefined();
    expect(env.HF_TOKEN).toBeUndefined();
    expect(env.PASSED_TOKEN).toBe('tok-passed-on-purpose-123');
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.TRACEPARENT).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // The crash's stderr is in its task's log; values passed with --agent-env never reach metadata.json.
    expect(await readFile(join(directory, 'agent_logs', 'tool_crash.log'), 'utf8')).toContain('something went badly wrong');
    const metadata = await readFile(join(directory, 'metadata.json'), 'utf8');
    expect(metadata).not.toContain('tok-passed-on-purpose-123');
  }, 120_000);

  it("an agent that reports no model_call is counted from its spans: tokens and cost", async () => {
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-spans-only-'));
    const tasksFile = join(folder, 'tasks.jsonl');
    await writeFile(tasksFile, JSON.stringify({ id: 'spans_only', prompt: 'Say done.', difficulty: 'easy', agent_type: 'tool', expected_tool_calls: 0, expected_keywords: ['done'] }));
    await writeFile(join(folder, 'prices.json'), JSON.stringify({ models: { 'span-model': { input_per_mtok: 2, output_per_mtok: 10 } } }));
    const result = await runCli(['run', '--agent-command', `python3 ${SPANS_ONLY_AGENT}`, '--dataset-name', tasksFile, '--output-dir', join(folder, 'out'), '--pricing', join(folder, 'prices.json'), '--enable-otel']);
    expect(result.code, result.stderr).toBe(0);
    const directory = await runDirectoryOf(join(folder, 'out'));
    const [row] = await readJson(join(directory, 'results.json'));
    expect(row).toMatchObject({ success: true, model_calls: 1, input_tokens: 50, output_tokens: 7, total_tokens: 57, model: 'span-model' });
    expect(row.cost_usd).toBeCloseTo((50 * 2 + 7 * 10) / 1e6, 12);
    // It reported no messages: the row's conversation is what agent-eval saw, the task and the answer.
    expect(row.messages).toEqual([{ role: 'user', content: 'Say done.' }, { role: 'assistant', content: 'done' }]);
    // The span stands in the trace once, and its tokens count for the trace's total.
    const [trace] = await readJson(join(directory, 'traces.json'));
    expect(trace.spans.filter((span: { name: string }) => span.name === 'chat span-model')).toHaveLength(1);
    expect(trace.total_tokens).toBe(57);
  }, 60_000);

  it('an agent that asks for no tool but exports execute_tool spans: those are its tool calls, for the tool checks', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-spans-'));
    const tasksFile = join(folder, 'tasks.jsonl');
    await writeFile(tasksFile, JSON.stringify({ id: 'own_tool', prompt: 'Weather in Paris?', difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_weather', expected_tool_calls: 1, expected_keywords: ['done'] }));
    const result = await runCli(['run', '--agent-command', `python3 ${SPANS_ONLY_AGENT}`, '--dataset-name', tasksFile, '--output-dir', join(folder, 'out')]);
    expect(result.code, result.stderr).toBe(0);
    const [row] = await readJson(join(await runDirectoryOf(join(folder, 'out')), 'results.json'));
    expect(row).toMatchObject({ success: true, tools_used: ['get_weather'], correct_tool: true });
    expect(row.tool_calls.map((call: { name: string; arguments: unknown; output: string }) => [call.name, call.arguments, call.output])).toEqual([
      ['get_weather', { location: 'Paris' }, '20C'],
      ['final_answer', { answer: 'done' }, 'done'],
    ]);
  }, 60_000);

  it("an agent that reports its model's reasoning has it on the row's assistant messages and in export --format sft", async () => {
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-reasoning-'));
    const tasksFile = join(folder, 'tasks.jsonl');
    await writeFile(tasksFile, JSON.stringify({ id: 'reasoning', prompt: 'Weather in Paris?', difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_weather', expected_tool_calls: 1, expected_keywords: ['done'] }));
    const result = await runCli(['run', '--agent-command', `python3 ${REASONING_AGENT}`, '--dataset-name', tasksFile, '--output-dir', join(folder, 'out')]);
    expect(result.code, result.stderr).toBe(0);
    const directory = await runDirectoryOf(join(folder, 'out'));
    const [row] = await readJson(join(directory, 'results.json'));
    expect(row).toMatchObject({ success: true, model_calls: 2, tools_used: ['get_weather'] });
    const roles = (messages: { role: string; reasoning_content?: string }[]) => messages.map((message) => [message.role, message.reasoning_content]);
    // The first call's reasoning came as reasoning_content in the history, the second's as the call's reasoning.
    const expected = [['system', undefined], ['user', undefined], ['assistant', 'Paris needs a weather lookup.'], ['tool', undefined], ['assistant', 'The tool answered; pass it on.'], ['tool', undefined]];
    expect(roles(row.messages)).toEqual(expected);
    expect(row.messages[4].tool_calls[0].function.name).toBe('final_answer');
    const sft = join(folder, 'sft.jsonl');
    const exported = await runCli(['export', directory, '--format', 'sft', '-o', sft]);
    expect(exported.code, exported.stderr).toBe(0);
    const [line] = (await readFile(sft, 'utf8')).trim().split('\n').map((text) => JSON.parse(text));
    expect(roles(line.messages)).toEqual(expected);
  }, 60_000);

  it('a command that does not exist is an infrastructure error (exit 1, run again by --resume)', async () => {
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-external-'));
    const result = await runCli(['run', '--agent-command', 'agent-eval-no-such-agent --flag', '--task-id', toolTasks[0]!.id, '--output-dir', output]);
    expect(result.code).toBe(1);
    const [row] = await readJson(join(await runDirectoryOf(output), 'results.json'));
    expect(row).toMatchObject({ success: false, error_kind: 'infrastructure' });
    expect(row.error).toContain('could not start the agent command: command not found');
  }, 60_000);
});
