import { fileURLToPath } from 'node:url';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startMcpHttpServer, type McpHttpTestServer } from '../helpers/mcp-test-server.js';
import { finalAnswer, startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const OPS = fileURLToPath(new URL('../fixtures/ops/', import.meta.url));
const TASKS = [
  { id: 'ops_log_errors', prompt: 'Find the most common ERROR pattern in ./logs/app.log and its likely cause.', difficulty: 'easy', agent_type: 'tool', expected_tool: 'multiple', expected_tool_calls: 2, expected_keywords: ['pool exhausted'], required_tools: ['read_file', 'grep'] },
  { id: 'ops_cpu_threshold', prompt: 'Does any CPU reading in metrics.json exceed the alert threshold? Add the peak to the threshold with the add tool.', difficulty: 'easy', agent_type: 'tool', expected_tool: 'multiple', expected_tool_calls: 2, expected_keywords: ['91.3'], required_tools: ['read_file'] },
];

let directory: string;
let server: LoopbackOpenAIServer | undefined;
let mcp: McpHttpTestServer | undefined;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-eval-tools-'));
  await writeFile(join(directory, 'ops.jsonl'), TASKS.map((task) => JSON.stringify(task)).join('\n'));
});
afterEach(async () => {
  await server?.close();
  await mcp?.close();
  server = mcp = undefined;
});

const call = (name: string, args: unknown) => ({ name, arguments: args });

describe('ops tasks through file tools and an MCP tool', () => {
  it('solves them with --enable-tools files and --mcp-server-url, tools recorded exactly', async () => {
    mcp = await startMcpHttpServer('ops');
    server = await startOpenAIServer({
      responder: solveTasks(TASKS, {
        ops_log_errors: [
          { toolCalls: [call('grep', { file_path: 'logs/app.log', pattern: 'ERROR', count_only: true }), call('read_file', { file_path: './logs/app.log' })] },
          finalAnswer('The most common ERROR is "Database connection timeout ... (pool exhausted)": the connection pool is too small.'),
        ],
        ops_cpu_threshold: [
          { toolCalls: [call('read_file', { file_path: 'metrics.json' })] },
          { toolCalls: [call('ops_add', { a: 91.3, b: 80 })] },
          finalAnswer('Yes: the peak of 91.3% exceeds the 80% threshold (sum 171.3).'),
        ],
      }),
    });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-tools-out-'));
    const result = await runCli(
      ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--dataset-name', join(directory, 'ops.jsonl'), '--agent-type', 'tool',
        '--working-directory', OPS, '--output-dir', output, '--enable-tools', 'files', '--mcp-server-url', `ops=${mcp.mcpUrl}`, '--enable-otel', '--quiet'],
      { env: { OPENAI_API_KEY: 'sk-test' } },
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const [name] = await readdir(output);
    const rows = JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8'));
    const byId = Object.fromEntries(rows.map((row: { task_id: string }) => [row.task_id, row]));
    expect(byId.ops_log_errors).toMatchObject({ success: true, tools_used: ['grep', 'read_file'] });
    expect(byId.ops_log_errors.tool_calls[0].output).toMatch(/^\d+$/);
    expect(byId.ops_log_errors.tool_calls[1].output).toMatch(/^File: .*app\.log\nSize: \d+ bytes/);
    expect(byId.ops_cpu_threshold).toMatchObject({ success: true, tools_used: ['read_file', 'ops_add'] });
    expect(byId.ops_cpu_threshold.tool_calls[1].output).toContain('171.3');
    const tools = server.requests[0]!.body.tools.map((tool: { function: { name: string } }) => tool.function.name);
    expect(tools).toEqual(expect.arrayContaining(['read_file', 'grep', 'ops_add', 'ops_echo', 'final_answer']));
    const traces = JSON.parse(await readFile(join(output, name!, 'traces.json'), 'utf8'));
    const mcpSpan = traces.flatMap((trace: { spans: { name: string; attributes: Record<string, unknown> }[] }) => trace.spans).find((span: { name: string }) => span.name === 'execute_tool ops_add');
    expect(mcpSpan.attributes['gen_ai.tool.type']).toBe('extension');
    expect(JSON.parse(await readFile(join(output, name!, 'effective_policy.json'), 'utf8'))).toMatchObject({ profile: 'standard', validated: true });
  });

  it('passes --mcp-server-env to a stdio MCP server (the reference everything server) and keeps the values out of metadata', async () => {
    const task = { id: 'mcp_env', prompt: 'Which DEMO_TOKEN does the MCP server see?', difficulty: 'easy', agent_type: 'tool', expected_tool: 'everything_get-env', expected_keywords: ['abc123'] };
    await writeFile(join(directory, 'env.jsonl'), `${JSON.stringify(task)}\n`);
    server = await startOpenAIServer({
      responder: solveTasks([task], { mcp_env: [{ toolCalls: [call('everything_get-env', {})] }, finalAnswer('It sees DEMO_TOKEN=abc123.')] }),
    });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-tools-out-'));
    const everything = `everything="${process.execPath}" ${fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url))} stdio`;
    const result = await runCli(
      ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--dataset-name', join(directory, 'env.jsonl'), '--agent-type', 'tool', '--output-dir', output,
        '--mcp-server-command', everything, '--mcp-server-env', 'DEMO_TOKEN=abc123', '--mcp-server-env', 'FROM_PARENT', '--quiet'],
      { env: { OPENAI_API_KEY: 'sk-test', FROM_PARENT: 'passed-on', NOT_PASSED: 'private' } },
    );
    expect(result.code).toBe(0);
    const [name] = await readdir(output);
    const [row] = JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8'));
    const seen = JSON.parse(row.tool_calls[0].output) as Record<string, string>;
    expect(seen).toMatchObject({ DEMO_TOKEN: 'abc123', FROM_PARENT: 'passed-on' });
    expect(seen.NOT_PASSED).toBeUndefined();
    const metadata = await readFile(join(output, name!, 'metadata.json'), 'utf8');
    expect(JSON.parse(metadata).run_options.mcpServerEnv).toEqual({ DEMO_TOKEN: '[REDACTED]', FROM_PARENT: '[REDACTED]' });
    expect(metadata).not.toContain('abc123');
  });

  it('refuses --mcp-server-env without a stdio server, and a bare name that is not set', async () => {
    const alone = await runCli(['run', '--model', 'openai/m', '--base-url', 'http://127.0.0.1:1/v1', '--mcp-server-env', 'A=1']);
    expect(alone.code).toBe(2);
    expect(alone.stderr.trim()).toBe('agent-eval: --mcp-server-env: only for servers started with --mcp-server-command');
    const unset = await runCli(['run', '--model', 'openai/m', '--base-url', 'http://127.0.0.1:1/v1', '--mcp-server-command', 'x', '--mcp-server-env', 'NOPE_NOT_SET']);
    expect(unset.code).toBe(2);
    expect(unset.stderr.trim()).toBe('agent-eval: --mcp-server-env NOPE_NOT_SET: NOPE_NOT_SET is not set in this environment');
  });

  it('refuses a run whose tasks need tools that are not enabled', async () => {
    const result = await runCli(['run', '--model', 'openai/m', '--base-url', 'http://127.0.0.1:1/v1', '--dataset-name', join(directory, 'ops.jsonl'), '--output-dir', join(directory, 'none')]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('agent-eval: task ops_log_errors requires tools that are not enabled: read_file, grep (add them with --enable-tools)');
  });

  it('reports every closed-profile violation at once', async () => {
    const result = await runCli(
      ['run', '--model', 'openai/gpt-4o-mini', '--output-dir', join(directory, 'none'), '--security-profile', 'bfsi-closed', '--enable-tools', 'curl', '--mcp-server-url', 'http://127.0.0.1:1/mcp'],
      { env: { OPENAI_API_KEY: 'sk-test' } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'agent-eval: --security-profile closed: the model is remote (openai at https://api.openai.com/v1); use a local model (--provider transformers, ollama, or a loopback --base-url); MCP servers are not allowed; network tools are not allowed (curl)',
    );
  });
});
