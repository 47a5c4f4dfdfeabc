// The package as the container image installs it: `npm pack`, then the tarball installed into an empty
// folder with production dependencies only (optional ones left out, as in the default image). Catches
// files missing from the package's "files" and imports of development dependencies.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import { cliEnvironment, type CliResult } from '../helpers/cli.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
let installed: string;
let server: LoopbackOpenAIServer;

beforeAll(async () => {
  const folder = await mkdtemp(join(tmpdir(), 'agent-eval-package-'));
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', folder], { cwd: ROOT });
  const tarball = join(folder, stdout.trim().split('\n').at(-1)!);
  const app = join(folder, 'app');
  await run('mkdir', [app]);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'image', private: true }));
  await run('npm', ['install', '--prefer-offline', '--omit=dev', '--omit=optional', '--no-audit', '--no-fund', tarball], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
  installed = join(app, 'node_modules', 'agent-eval', 'dist', 'cli', 'main.js');
  const tasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.expected_tool !== 'web_search');
  server = await startOpenAIServer({ responder: solveTasks(tasks) });
}, 300_000);
afterAll(async () => server?.close());

/** The installed CLI, run from an empty folder with its own agent-eval cache. */
function agentEval(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [installed, ...args], { cwd: tmpdir(), env: cliEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('the packed package, installed as the image installs it', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    const result = await agentEval(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('runs tool and code tasks against a loopback model', async () => {
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-package-run-'));
    const result = await agentEval(['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--agent-type', 'both', '--task-id', 'tool_weather_single', '--task-id', 'code_weather_average_four', '--output-dir', output, '--quiet'], { OPENAI_API_KEY: 'sk-test', AGENT_EVAL_CACHE_DIR: await mkdtemp(join(tmpdir(), 'agent-eval-package-cache-')) });
    expect(result.stderr).not.toMatch(/unexpected error|Cannot find (module|package)/);
    expect(result.code).toBe(0);
    const [name] = await readdir(output);
    const rows = JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8'));
    expect(rows.map((row: { test_case_uid: string; success: boolean }) => [row.test_case_uid, row.success])).toEqual([
      ['tool:tool_weather_single', true],
      ['code:code_weather_average_four', true],
    ]);
  }, 240_000);

  it("makes the sandbox snapshot with the Dockerfile's build step (a code run against an address where nothing listens)", async () => {
    const cache = await mkdtemp(join(tmpdir(), 'agent-eval-image-cache-'));
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-image-snapshot-'));
    const result = await agentEval(['run', '--model', 'openai/snapshot', '--base-url', 'http://127.0.0.1:9/v1', '--agent-type', 'code', '--limit', '1', '--max-retries', '0', '--output-dir', output, '--quiet'], { AGENT_EVAL_UNREACHABLE_SECONDS: '1', OPENAI_API_KEY: 'image-build', AGENT_EVAL_CACHE_DIR: cache });
    expect(result.code).toBe(1);
    const snapshots = (await readdir(join(cache, 'sandbox'))).filter((file) => /^pyodide-snapshot-.*\.bin$/.test(file));
    expect(snapshots).toHaveLength(1);
  }, 240_000);
});
