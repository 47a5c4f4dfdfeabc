// Canary secrets in every place one can come from (a secret-named variable, .env, the API key, OTLP
// headers, --base-url credentials, a token-shaped value in a file, a provider error that echoes the
// key) must reach no file of the run directory, no console line, no model request, no OTLP span and
// no Hub upload. Everything runs against loopback servers and temporary folders.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../../src/hub/client.js';
import { readParquet } from '../../src/hub/parquet.js';
import { RUN_DATA_FILE } from '../../src/hub/publish.js';
import { runCli } from '../helpers/cli.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';
import { finalAnswer, startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { solveTasks } from '../helpers/task-model.js';

const CANARY = {
  env: 'canary-env-5c8e1f2a9b7d',
  dotenv: 'canary-dotenv-0a1b2c3d4e5f',
  key: 'sk-canary0key0123456789abcdef',
  otlp: 'canary-otlp-77aa99cc11ee',
  url: 'canary-url-pw-31337abc',
  shaped: 'ghp_canaryShapedToken0123456789AB',
};
const HUB_TOKEN = 'hf_canaryHubToken0123456789';
const TASKS = [
  { id: 'leak_env', prompt: 'Show me the environment and the notes, then the .env file.', difficulty: 'easy', agent_type: 'tool', expected_tool: 'env' },
  { id: 'auth_echo', prompt: 'Say hello.', difficulty: 'easy', agent_type: 'tool', expected_tool: 'final_answer' },
];
const call = (name: string, args: unknown) => ({ name, arguments: args });

let work: string;
let openai: LoopbackOpenAIServer;
let otlp: OtlpReceiver;
let hub: HubServer;

async function filesUnder(directory: string): Promise<Array<{ path: string; text: string }>> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath ?? directory, entry.name));
  return Promise.all(files.map(async (path) => ({ path, text: await readFile(path, 'utf8') })));
}

function expectNoCanary(where: string, text: string): void {
  for (const [kind, value] of Object.entries(CANARY)) expect(text.includes(value), `${kind} canary in ${where}`).toBe(false);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'agent-eval-e2e-secrets-'));
  await writeFile(join(work, 'tasks.jsonl'), TASKS.map((task) => JSON.stringify(task)).join('\n'));
  // Loaded by the CLI (dotenv, from its current directory), and in the tools' working directory.
  await writeFile(join(work, '.env'), `DOTENV_SECRET_TOKEN=${CANARY.dotenv}\n`);
  await writeFile(join(work, 'notes.txt'), `service password ${CANARY.env}; deploy token ${CANARY.shaped}\n`);
  openai = await startOpenAIServer({
    responder: solveTasks(TASKS, {
      leak_env: [
        { toolCalls: [call('env', { action: 'list' }), call('read_file', { file_path: 'notes.txt' }), call('read_file', { file_path: './.env' })] },
        // A model that repeats secrets (it saw none, but the test makes sure the files would not keep them).
        finalAnswer(`Found ${CANARY.env} and ${CANARY.dotenv} and ${CANARY.otlp}`),
      ],
      auth_echo: [{ fault: { kind: 'status', status: 401, body: { error: { message: `Incorrect API key provided: ${CANARY.key}`, type: 'invalid_request_error', code: 'invalid_api_key' } } } }],
    }),
  });
  otlp = await startOtlpReceiver();
  hub = await startHubServer({ users: { [HUB_TOKEN]: 'alice' } });
});
afterAll(async () => {
  await Promise.all([openai?.close(), otlp?.close(), hub?.close()]);
  await rm(work, { recursive: true, force: true });
});

const secretEnv = () => ({
  OPENAI_API_KEY: CANARY.key,
  SERVICE_PASSWORD: CANARY.env,
  OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${CANARY.otlp}`,
  HF_ENDPOINT: hub.url,
  HF_TOKEN: HUB_TOKEN,
  HF_HOME: join(work, 'hf-home'),
});

describe('secrets stay out of every output (built CLI)', () => {
  it('a run with secrets in the environment, .env, OTLP headers, a file and a provider error', async () => {
    const output = join(work, 'out');
    const result = await runCli(
      ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${openai.url}/v1`, '--dataset-name', join(work, 'tasks.jsonl'), '--agent-type', 'tool',
        '--working-directory', work, '--output-dir', output, '--enable-tools', 'read_file,env', '--otlp-endpoint', otlp.url, '--max-retries', '0', '--debug'],
      { env: secretEnv(), cwd: work },
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    const [name] = await readdir(output);
    const directory = join(output, name!);
    const files = await filesUnder(directory);
    expect(files.map((file) => file.path.slice(directory.length + 1)).sort()).toEqual(expect.arrayContaining(['metadata.json', 'results.json', 'results.jsonl', 'traces.json']));
    for (const file of files) expectNoCanary(file.path, file.text);
    expectNoCanary('stdout', result.stdout);
    expectNoCanary('stderr', result.stderr);

    // The secrets were in force: the key was sent, the OTLP header too, and the tools ran.
    expect(openai.requests.some((request) => request.headers.authorization === `Bearer ${CANARY.key}`)).toBe(true);
    expect(otlp.requests.some((request) => request.headers.authorization === `Bearer ${CANARY.otlp}`)).toBe(true);
    for (const request of openai.requests) expectNoCanary(`model request ${request.path}`, JSON.stringify(request.body));
    expectNoCanary('OTLP spans', JSON.stringify(otlp.spans));
    const rows = JSON.parse(await readFile(join(directory, 'results.json'), 'utf8')) as Array<{ task_id: string; error: string | null; tool_calls: Array<{ name: string; output: string }> }>;
    const leak = rows.find((row) => row.task_id === 'leak_env')!;
    expect(leak.tool_calls.map((toolCall) => toolCall.name)).toEqual(['env', 'read_file', 'read_file', 'final_answer']);
    expect(leak.tool_calls[1]!.output).toContain('service password [REDACTED]; deploy token [REDACTED]');
    expect(leak.tool_calls[2]!.output).toBe('Error: refused: .env is a protected configuration file');
    expect(rows.find((row) => row.task_id === 'auth_echo')!.error).toContain('Incorrect API key provided: [REDACTED]');

    // What a Hub upload sends.
    const pushed = await runCli(['push', directory], { env: secretEnv(), cwd: work });
    expect(pushed.code).toBe(0);
    expectNoCanary('push output', pushed.stdout + pushed.stderr);
    const client = new HubClient({ hubUrl: hub.url, token: HUB_TOKEN });
    expect([...hub.repos.keys()].filter((id) => /-(results|traces|metrics)-\d/.test(id))).toHaveLength(3);
    for (const repo of [...hub.repos.keys()].filter((id) => /-(results|traces|metrics)-\d/.test(id))) {
      const parquet = await client.downloadFile(repo, 'main', RUN_DATA_FILE);
      expectNoCanary(repo, JSON.stringify(await readParquet(parquet!, { parseJson: true }), (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)));
    }
  });

  it('a --base-url with user:password@ is stored and printed without its credentials', async () => {
    const output = join(work, 'out-url');
    const baseUrl = `${openai.url.replace('://', `://user:${CANARY.url}@`)}/v1`;
    const result = await runCli(
      ['run', '--model', 'openai/gpt-4o-mini', '--base-url', baseUrl, '--dataset-name', join(work, 'tasks.jsonl'), '--agent-type', 'tool', '--task-id', 'auth_echo',
        '--output-dir', output, '--max-retries', '0', '--debug'],
      { env: { OPENAI_API_KEY: CANARY.key }, cwd: work },
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    expectNoCanary('stdout', result.stdout);
    expectNoCanary('stderr', result.stderr);
    const [name] = await readdir(output);
    for (const file of await filesUnder(join(output, name!))) expectNoCanary(file.path, file.text);
    const metadata = JSON.parse(await readFile(join(output, name!, 'metadata.json'), 'utf8'));
    expect(metadata.run_options.baseUrl).toBe(`${openai.url.replace('://', '://***@')}/v1`);
  });
});
