// The run directory and its journal under stress: runs started together, the directory deleted
// mid-run, a full disk, a damaged metadata.json. Each ends in one line and loses nothing finished.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, statfs, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDirectoryName } from '../../src/eval/run-directory.js';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli, startCli, type CliResult } from '../helpers/cli.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

let toolTasks: Task[];
let server: LoopbackOpenAIServer;
const mounts: string[] = [];

beforeAll(async () => {
  toolTasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code');
});
afterEach(async () => {
  await server?.close();
  for (const mount of mounts.splice(0)) execFileSync('umount', ['-l', mount]);
});

const ENV = { OPENAI_API_KEY: 'sk-test' };
const runArgs = (output: string, ...extra: string[]) => ['run', '--model', 'openai/test-model', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--output-dir', output, ...extra];

async function journalRecords(runDirectory: string): Promise<{ run_id: string; test_case_uid: string }[]> {
  const path = join(runDirectory, 'results.jsonl');
  if (!existsSync(path)) return [];
  return (await readFile(path, 'utf8')).split('\n').flatMap((line) => {
    try {
      return line.trim() ? [JSON.parse(line)] : [];
    } catch {
      return []; // a line cut short
    }
  });
}

async function waitForRecords(output: string, count: number): Promise<string> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const [name] = existsSync(output) ? await readdir(output) : [];
    if (name && (await journalRecords(join(output, name))).length >= count) return join(output, name);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the run recorded too few tasks in time');
}

/** The CLI failed with exactly one line of its own and no stack trace. */
function expectOneLineFailure(result: CliResult, code: number): string {
  expect(result.code).toBe(code);
  expect(result.stderr).not.toMatch(/\n\s+at |unexpected error|SyntaxError/);
  const lines = result.stderr.split('\n').filter((line) => line.startsWith('agent-eval:'));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

async function expectCompleteRun(runDirectory: string): Promise<void> {
  const rows = JSON.parse(await readFile(join(runDirectory, 'results.json'), 'utf8'));
  expect(rows.map((row: { task_id: string }) => row.task_id)).toEqual(toolTasks.map((task) => task.id));
  const metadata = JSON.parse(await readFile(join(runDirectory, 'metadata.json'), 'utf8'));
  expect(metadata).toMatchObject({ status: 'completed', num_results: toolTasks.length });
  expect((await readdir(runDirectory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
}

/** A small tmpfs (we are root in CI); undefined where mounting is not allowed. */
async function smallDisk(sizeKiB: number): Promise<string | undefined> {
  const mountPoint = await mkdtemp(join(tmpdir(), 'agent-eval-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', mountPoint], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  mounts.push(mountPoint);
  return mountPoint;
}

/** Fills the disk at `directory` until about `freeBytes` are left. */
async function fillDisk(directory: string, freeBytes: number): Promise<string> {
  const info = await statfs(directory);
  const filler = join(directory, 'filler.bin');
  await writeFile(filler, Buffer.alloc(Math.max(0, info.bavail * info.bsize - freeBytes)));
  return filler;
}

describe('run directories', () => {
  it('gives runs started together (same model, agent type, output dir and second) their own directory and journal', async () => {
    server = await startOpenAIServer({ responder: solveTasks(toolTasks), latencyMs: 5 });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-together-'));
    // An earlier run holds the plain name of every second these runs could start in.
    const taken = new Set<string>();
    for (let offset = -2; offset <= 30; offset++) {
      const name = runDirectoryName('openai/test-model', 'tool', new Date(Date.now() + offset * 1000));
      taken.add(name);
      await mkdir(join(output, name));
      await writeFile(join(output, name, 'results.jsonl'), '{"run_id":"earlier"}\n');
    }
    const runs = await Promise.all(['run-a', 'run-b'].map((runId) => startCli(runArgs(output, '--run-id', runId), { env: ENV }).done));
    for (const run of runs) expect(run.stderr).not.toMatch(/unexpected error/);
    expect(runs.map((run) => run.code)).toEqual([0, 0]);

    const created = (await readdir(output)).filter((name) => !taken.has(name));
    expect(created).toHaveLength(2);
    const owners = await Promise.all(created.map(async (name) => {
      expect(name).toMatch(/^openai_test-model_tool_\d{8}_\d{6}_\d+$/);
      const records = await journalRecords(join(output, name));
      expect(records).toHaveLength(toolTasks.length);
      expect(new Set(records.map((record) => record.run_id)).size).toBe(1);
      const rows = JSON.parse(await readFile(join(output, name, 'results.json'), 'utf8'));
      expect(rows.every((row: { run_id: string }) => row.run_id === records[0]!.run_id)).toBe(true);
      return records[0]!.run_id;
    }));
    expect(owners.sort()).toEqual(['run-a', 'run-b']);
    for (const name of taken) expect(await readFile(join(output, name, 'results.jsonl'), 'utf8')).toBe('{"run_id":"earlier"}\n');
  });

  it('stops at once when the run directory is deleted mid-run, puts back what finished, and resumes', async () => {
    server = await startOpenAIServer({ responder: solveTasks(toolTasks), latencyMs: 100 });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-deleted-'));
    const { done } = startCli(runArgs(output, '--parallel-workers', '2'), { env: ENV });
    const runDirectory = await waitForRecords(output, 3);
    await rm(runDirectory, { recursive: true, force: true });
    const line = expectOneLineFailure(await done, 1);
    expect(line).toContain(`the run directory ${runDirectory} was deleted during the run`);
    expect(line).toContain(`--resume ${runDirectory}`);

    const kept = await journalRecords(runDirectory);
    expect(kept.length).toBeGreaterThanOrEqual(3);
    expect(kept.length).toBeLessThan(toolTasks.length);
    expect(new Set(kept.map((record) => record.test_case_uid)).size).toBe(kept.length);

    const resumed = await runCli(['run', '--resume', runDirectory], { env: ENV });
    expect(resumed.stderr).not.toMatch(/unexpected error/);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`[RESUME] ${kept.length} of ${toolTasks.length} task(s) already recorded`);
    expect(await journalRecords(runDirectory)).toHaveLength(toolTasks.length);
    await expectCompleteRun(runDirectory);
  });

  it('stops with one line when the journal hits a full disk, leaves no temporary files, and resumes once there is room', async (context) => {
    const disk = await smallDisk(1024);
    if (!disk) return context.skip();
    server = await startOpenAIServer({ responder: solveTasks(toolTasks), latencyMs: 5 });
    const filler = await fillDisk(disk, 48 * 1024);
    const result = await runCli(runArgs(disk), { env: ENV });
    const line = expectOneLineFailure(result, 1);
    const [name] = (await readdir(disk)).filter((entry) => entry !== 'filler.bin');
    const runDirectory = join(disk, name!);
    expect(line).toContain(`cannot write ${join(runDirectory, 'results.jsonl')} (ENOSPC`);
    expect(line).toContain(`--resume ${runDirectory}`);
    expect((await readdir(runDirectory)).filter((entry) => entry.endsWith('.tmp'))).toEqual([]);
    const kept = await journalRecords(runDirectory);
    expect(kept.length).toBeLessThan(toolTasks.length);

    await rm(filler);
    const resumed = await runCli(['run', '--resume', runDirectory], { env: ENV });
    expect(resumed.stderr).not.toMatch(/unexpected error/);
    expect(resumed.code).toBe(0);
    await expectCompleteRun(runDirectory);
  });

  it('stops with one line when results.json does not fit, leaves no temporary file, and writes it on --resume', async (context) => {
    const disk = await smallDisk(1024);
    if (!disk) return context.skip();
    server = await startOpenAIServer({ responder: solveTasks(toolTasks), latencyMs: 5 });
    const elsewhere = await mkdtemp(join(tmpdir(), 'agent-eval-finished-'));
    expect((await runCli(runArgs(elsewhere), { env: ENV })).code).toBe(0);
    const [name] = await readdir(elsewhere);
    const runDirectory = join(disk, name!);
    await mkdir(runDirectory);
    for (const file of ['metadata.json', 'results.jsonl']) await cp(join(elsewhere, name!, file), join(runDirectory, file));
    // Room for the small files, not for results.json (a few hundred KB for the tool tasks).
    const filler = await fillDisk(disk, 32 * 1024);
    const requests = server.requests.length;

    const line = expectOneLineFailure(await runCli(['run', '--resume', runDirectory], { env: ENV }), 1);
    expect(line).toContain(`cannot write ${join(runDirectory, 'results.json')} (ENOSPC`);
    expect(line).toContain(`the journal keeps the ${toolTasks.length} finished task(s)`);
    expect(line).toContain(`--resume ${runDirectory}`);
    expect((await readdir(runDirectory)).filter((entry) => entry.endsWith('.tmp'))).toEqual([]);

    await rm(filler);
    expect((await runCli(['run', '--resume', runDirectory], { env: ENV })).code).toBe(0);
    expect(server.requests.length).toBe(requests);
    await expectCompleteRun(runDirectory);
  });

  it('writes the home folder as ~ in metadata.json and leaderboard_row.json, and --resume reads it back', async () => {
    server = await startOpenAIServer({ responder: solveTasks(toolTasks) });
    const home = await mkdtemp(join(tmpdir(), 'agent-eval-home-'));
    await mkdir(join(home, 'work'));
    const env = { ...ENV, HOME: home };
    expect((await runCli(runArgs(join(home, 'out'), '--limit', '2', '--working-directory', join(home, 'work')), { env })).code).toBe(0);
    const [name] = await readdir(join(home, 'out'));
    const runDirectory = join(home, 'out', name!);
    for (const file of ['metadata.json', 'leaderboard_row.json']) expect(await readFile(join(runDirectory, file), 'utf8')).not.toContain(home);
    const metadata = JSON.parse(await readFile(join(runDirectory, 'metadata.json'), 'utf8'));
    expect(metadata.run_options).toMatchObject({ outputDir: '~/out', workingDirectory: '~/work' });
    const leaderboard = JSON.parse(await readFile(join(runDirectory, 'leaderboard_row.json'), 'utf8'));
    expect(leaderboard.results_dataset).toBe(`local:~/out/${name}/results.json`);
    // The working directory comes back from ~/work: a resume that could not expand it would stop with exit 2.
    const resumed = await runCli(['run', '--resume', runDirectory], { env });
    expect(resumed.stderr).not.toMatch(/working-directory/);
    expect(resumed.code).toBe(0);
  });

  it('refuses to resume from a cut metadata.json with one line naming it (exit 2)', async () => {
    server = await startOpenAIServer({ responder: solveTasks(toolTasks) });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-cut-metadata-'));
    expect((await runCli(runArgs(output, '--limit', '2'), { env: ENV })).code).toBe(0);
    const [name] = await readdir(output);
    const metadata = join(output, name!, 'metadata.json');
    await truncate(metadata, Math.floor((await readFile(metadata)).length / 2));
    const line = expectOneLineFailure(await runCli(['run', '--resume', join(output, name!)], { env: ENV }), 2);
    expect(line).toContain(metadata);
    expect(line).toMatch(/not valid JSON/);
  });
});
