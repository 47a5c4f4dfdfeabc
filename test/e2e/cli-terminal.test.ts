// The CLI on a pseudo-terminal (util-linux `script`), where the progress bar is drawn: warnings given
// at the end of the run must still reach the screen, with and without --quiet.
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, cliEnvironment } from '../helpers/cli.js';
import { finalAnswer, scriptByPrompt, startOpenAIServer, toolCall, type LoopbackOpenAIServer } from '../helpers/openai-server.js';

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
// eslint-disable-next-line no-control-regex -- terminal escape sequences
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\r/g;

/** Runs the built CLI with stdout and stderr on one pseudo-terminal; returns what the screen got. */
function runOnTerminal(args: string[], env: Record<string, string>): Promise<{ code: number | null; screen: string }> {
  const command = `stty cols 120 rows 40; exec ${[process.execPath, CLI_PATH, ...args].map(shellQuote).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: cliEnvironment({ TERM: 'xterm', ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen: screen.replace(ANSI, '') }));
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let directory: string;
let server: LoopbackOpenAIServer;
let common: string[];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-eval-terminal-'));
  const tasks = ['one', 'two', 'three'].map((id) => ({ id, prompt: `Task ${id}: weather in Paris?`, difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_weather', expected_keywords: ['sunny'] }));
  await writeFile(join(directory, 'tasks.jsonl'), tasks.map((task) => JSON.stringify(task)).join('\n'));
  const script = [toolCall('get_weather', { location: 'Paris, France' }), { ...finalAnswer('It is sunny.'), delayMs: 150 }];
  server = await startOpenAIServer({ responder: scriptByPrompt({ 'Task one:': script, 'Task two:': script, 'Task three:': [finalAnswer('sunny')] }) });
  common = ['run', '--model', 'openai/model-without-a-price', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--dataset-name', join(directory, 'tasks.jsonl'), '--max-retries', '0'];
});
afterAll(async () => server?.close());

describe('on a terminal', () => {
  it('shows the notes given at the end of the run (collector down, unknown price) below the progress bar', async () => {
    const port = await closedPort();
    const { code, screen } = await runOnTerminal([...common, '--output-dir', join(directory, 'bar'), '--otlp-endpoint', `http://127.0.0.1:${port}`], { OPENAI_API_KEY: 'sk-test' });
    expect(screen).not.toMatch(/unexpected error/);
    expect(code).toBe(0);
    expect(screen).toMatch(/3\/3 tasks/); // the bar was drawn
    expect(screen).toContain('[NOTE] OTLP export to http://127.0.0.1:');
    expect(screen).toContain('[NOTE] no price known for openai/model-without-a-price');
    expect(screen).toContain('FAIL  tool:three (easy)  no_tool_call: expected get_weather, no tool was called');
  }, 60_000);

  it('keeps every warning with --quiet, including the resume notice about dropped journal lines', async () => {
    const output = join(directory, 'quiet');
    const first = await runOnTerminal([...common, '--output-dir', output, '--task-id', 'one', '--quiet'], { OPENAI_API_KEY: 'sk-test' });
    expect(first.code).toBe(0);
    expect(first.screen).toContain('[NOTE] no price known for openai/model-without-a-price');
    expect(first.screen).not.toMatch(/tasks \||\[RUN ID\] [^\n]*\n[^\n]*\[1\/1\]/);
    const runDirectory = join(output, (await readdir(output))[0]!);
    await appendFile(join(runDirectory, 'results.jsonl'), '{"test_case_uid": "tool:two", "cut sh');
    const resumed = await runOnTerminal(['run', '--resume', runDirectory, '--quiet'], { OPENAI_API_KEY: 'sk-test' });
    expect(resumed.screen).not.toMatch(/unexpected error/);
    expect(resumed.screen).toMatch(/\[NOTE\] [^\n]*dropped 1 [^\n]*results\.jsonl/);
    expect(resumed.screen).not.toMatch(/\d+\/\d+ tasks/); // no progress bar with --quiet
  }, 60_000);
});
