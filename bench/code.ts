// Code-agent figures. First the sandbox on its own: the CPU and memory of one sandbox process start from the
// snapshot on disk, acquire with a ready stand-by, a trivial code step's round trip and a tool call from Python.
// Then whole `agent-eval run --agent-type code` processes (the built CLI, start-up included, the snapshot already
// in AGENT_EVAL_CACHE_DIR) at several worker counts: tasks/s, CPU s/task of the whole process tree (CLI and
// sandbox processes), peak RSS of the tree and of its sandbox processes, and the per-task sandbox overhead read
// from traces.json (a second run with --enable-otel): task start -> first code step sent to its interpreter, minus
// the model calls before it.
// Standalone: node build-bench/bench/code.js [--workers 1,2,4] [--tasks 20] [--latency 50] [--cli dist/cli/main.js]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SandboxPool } from 'agent-eval';

const DEFAULT_CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const percentile = (values: number[], share: number) => [...values].sort((left, right) => left - right)[Math.min(values.length - 1, Math.floor(values.length * share))] ?? Number.NaN;
const median = (values: number[]) => percentile(values, 0.5);

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** `pid` and its descendants (Linux /proc: the children of each of its threads). */
function processTree(pid: number): number[] {
  const found: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop()!;
    found.push(next);
    for (const task of readdirSafe(`/proc/${next}/task`)) {
      pending.push(...read(`/proc/${next}/task/${task}/children`).trim().split(' ').filter(Boolean).map(Number));
    }
  }
  return found;
}

/**
 * Samples a process tree every 20 ms: the CPU of each process (its own utime + stime, last value seen, so a process
 * killed while idle is counted whole; the last 20 ms of the root may be missed) and the peak resident memory of the
 * tree and of its sandbox processes. Rusage of waited-for children would miss the sandboxes under bubblewrap, whose
 * outer process is killed before it can wait for the inner ones.
 */
class TreeSampler {
  private readonly cpu = new Map<number, number>();
  peakTreeMiB = 0;
  peakSandboxMiB = 0;
  peakSandboxes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly root: number,
    private readonly only?: (command: string[]) => boolean,
  ) {
    this.timer = setInterval(() => this.sample(), 20);
  }

  sample(): void {
    let tree = 0;
    let sandbox = 0;
    let sandboxes = 0;
    for (const pid of processTree(this.root)) {
      const command = read(`/proc/${pid}/cmdline`).split('\0');
      if (this.only && !this.only(command)) continue;
      const stat = read(`/proc/${pid}/stat`);
      // utime and stime are fields 14 and 15 of stat, 11 and 12 after "pid (comm) ".
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      if (fields.length > 12) this.cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
      const rss = (Number(read(`/proc/${pid}/statm`).split(' ')[1]) || 0) * 4096;
      tree += rss;
      if (command.some((part) => part.endsWith('sandbox/host.js'))) {
        sandbox += rss;
        // One sandbox per Node process (bubblewrap adds two of its own around it).
        if (!/(^|\/)(bwrap|unshare)$/.test(command[0] ?? '')) sandboxes++;
      }
    }
    this.peakTreeMiB = Math.max(this.peakTreeMiB, tree / 2 ** 20);
    this.peakSandboxMiB = Math.max(this.peakSandboxMiB, sandbox / 2 ** 20);
    this.peakSandboxes = Math.max(this.peakSandboxes, sandboxes);
  }

  /** CPU seconds of every process seen so far. */
  cpuSeconds(): number {
    return [...this.cpu.values()].reduce((sum, value) => sum + value, 0);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

interface CliRun {
  wallSeconds: number;
  cpuSeconds: number;
  peakTreeMiB: number;
  peakSandboxMiB: number;
  peakSandboxes: number;
  code: number | null;
  stderr: string;
}

/** Runs the CLI to its end, sampling its process tree. */
async function runCli(cliPath: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const sampler = new TreeSampler(child.pid!);
  // The root's last reading, as late as can be: when it closes its output, just before it exits.
  child.stderr.once('end', () => sampler.sample());
  const code = await new Promise<number | null>((done) => child.once('close', done));
  sampler.stop();
  const wallSeconds = (performance.now() - started) / 1000;
  const { peakTreeMiB, peakSandboxMiB, peakSandboxes } = sampler;
  return { wallSeconds, cpuSeconds: sampler.cpuSeconds(), peakTreeMiB, peakSandboxMiB, peakSandboxes, code, stderr };
}

interface Span {
  name: string;
  start_time: number;
  end_time: number;
  duration_ms: number;
}

/** Per task: its start -> its first code step sent to the interpreter, minus the model calls before that (ms). */
function sandboxOverheads(traces: Array<{ spans: Span[] }>): number[] {
  const overheads: number[] = [];
  for (const { spans } of traces) {
    const root = spans.find((span) => span.name === 'test_evaluation');
    const code = spans.filter((span) => span.name === 'execute_tool python_interpreter').sort((left, right) => left.start_time - right.start_time)[0];
    if (!root || !code) continue;
    const model = spans.filter((span) => span.name.startsWith('chat') && span.end_time <= code.start_time).reduce((sum, span) => sum + span.duration_ms, 0);
    overheads.push((code.start_time - root.start_time) / 1e6 - model);
  }
  return overheads;
}

async function sandboxOnItsOwn(cacheDir: string): Promise<void> {
  const tools = [{ name: 'get_weather', description: 'weather', parameters: ['location'] }];
  const handler = async () => ({ ok: true as const, output: '20°C, Partly Cloudy' });
  // One process per session and no stand-by: each acquire starts one process, killed once idle (so counted whole).
  const cold = await SandboxPool.start({ size: 1, standby: 0, tools, snapshotCacheDir: cacheDir });
  const starts: number[] = [];
  try {
    for (let index = 0; index < 5; index++) {
      const sampler = new TreeSampler(process.pid, (command) => command.some((part) => part.endsWith('sandbox/host.js')));
      const session = await cold.acquire(handler);
      await session.run('x = 21 * 2');
      sampler.sample();
      await session.release();
      sampler.stop();
      starts.push(sampler.cpuSeconds());
    }
  } finally {
    await cold.close();
  }
  const pool = await SandboxPool.start({ size: 1, tools, snapshotCacheDir: cacheDir });
  const acquire: number[] = [];
  const step: number[] = [];
  const tool: number[] = [];
  try {
    for (let index = 0; index < 5; index++) {
      // Let the stand-by become ready, as it does while a task's model call is under way.
      await new Promise((done) => setTimeout(done, 1500));
      const before = performance.now();
      const session = await pool.acquire(handler);
      acquire.push(performance.now() - before);
      for (let repeat = 0; repeat < 10; repeat++) {
        let at = performance.now();
        await session.run('x = 1');
        step.push(performance.now() - at);
        at = performance.now();
        await session.run('w = get_weather("Paris, France")');
        tool.push(performance.now() - at);
      }
      await session.release();
    }
  } finally {
    await pool.close();
  }
  console.log(`\ncode agent: sandbox ${JSON.stringify(pool.isolation)}`);
  console.log(`  one sandbox process from the snapshot on disk, started and run one step (median of 5): ${median(starts).toFixed(2)} CPU s; peak ${cold.stats.peakProcessMiB} MiB RSS`);
  console.log(`  acquire with a ready stand-by (median of 5) ${median(acquire).toFixed(1)} ms; trivial code step round trip (median of 50) ${median(step).toFixed(2)} ms; tool call from Python ${median(tool).toFixed(2)} ms`);
}

export async function benchCode(serverUrl: string, workerCounts: number[], taskCount: number, options: { cliPath?: string } = {}): Promise<void> {
  const cliPath = resolve(options.cliPath ?? DEFAULT_CLI);
  const directory = await mkdtemp(join(tmpdir(), 'agent-eval-bench-code-'));
  const cacheDir = join(directory, 'cache');
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? directory, NO_COLOR: '1', OPENAI_API_KEY: 'sk-bench', AGENT_EVAL_CACHE_DIR: cacheDir };
  const writeTasks = async (name: string, count: number) => {
    const rows = Array.from({ length: count }, (_, index) =>
      JSON.stringify({ id: `code_${index}`, prompt: `Task ${index}: what is 21 times 2?`, difficulty: 'easy', agent_type: 'code', expected_tool_calls: 0, expected_keywords: ['42'] }),
    );
    await writeFile(join(directory, name), `${rows.join('\n')}\n`);
    return join(directory, name);
  };
  try {
    const one = await writeTasks('one.jsonl', 1);
    const dataset = await writeTasks('code.jsonl', taskCount);
    const runArgs = (data: string, workers: number, output: string, otel: boolean) => [
      'run', '--model', 'openai/gpt-4o-mini', '--base-url', `${serverUrl}/v1`, '--dataset-name', data, '--agent-type', 'code',
      '--parallel-workers', String(workers), '--output-dir', join(directory, output), '--max-retries', '0', '--quiet', ...(otel ? ['--enable-otel'] : []),
    ];
    // The first run writes the snapshot into the cache (a full Pyodide start); every run below starts from it.
    const first = await runCli(cliPath, runArgs(one, 1, 'out-first', false), env);
    if (first.code !== 0) throw new Error(`the CLI failed (exit ${first.code}): ${first.stderr.slice(-500)}`);
    console.log(`\ncode tasks through \`agent-eval run\` (${cliPath}), ${taskCount} tasks, snapshot cached (first run that wrote it: ${first.wallSeconds.toFixed(1)} s)`);
    await sandboxOnItsOwn(join(cacheDir, 'sandbox'));
    // The overhead when the stand-by is ready: a model slow enough (1 s a call) for each next process to be ready in time.
    const slow = spawn(process.execPath, [fileURLToPath(new URL('./server.js', import.meta.url)), '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const slowUrl = await new Promise<string>((done) => slow.stdout.once('data', (chunk: Buffer) => done(chunk.toString().trim())));
      const four = await writeTasks('four.jsonl', 4);
      const args = runArgs(four, 1, 'otel-ready', true).map((arg) => (arg === `${serverUrl}/v1` ? `${slowUrl}/v1` : arg));
      await runCli(cliPath, args, env);
      const [traced] = await readdir(join(directory, 'otel-ready'));
      const ready = sandboxOverheads(JSON.parse(await readFile(join(directory, 'otel-ready', traced!, 'traces.json'), 'utf8')) as Array<{ spans: Span[] }>);
      console.log(`  per-task sandbox overhead with a ready stand-by (1 s model, 1 worker, 4 tasks): ${ready.map((value) => value.toFixed(1)).join(', ')} ms`);
    } finally {
      slow.kill('SIGTERM');
    }
    console.log('workers  tasks/s  wall s  CPU s/task (tree)  peak RSS MiB tree / sandboxes (count)  success  overhead ms min / median / p90 / max (<=30 ms)');
    for (const workers of workerCounts) {
      const run = await runCli(cliPath, runArgs(dataset, workers, `out-${workers}`, false), env);
      const [name] = await readdir(join(directory, `out-${workers}`));
      const rows = name ? (JSON.parse(await readFile(join(directory, `out-${workers}`, name, 'results.json'), 'utf8')) as Array<{ success: boolean }>) : [];
      const successes = rows.filter((row) => row.success).length;
      // The same run with spans on, for the per-task overhead (its own throughput is not reported).
      await runCli(cliPath, runArgs(dataset, workers, `otel-${workers}`, true), env);
      const [traced] = await readdir(join(directory, `otel-${workers}`));
      const traces = traced ? (JSON.parse(await readFile(join(directory, `otel-${workers}`, traced, 'traces.json'), 'utf8')) as Array<{ spans: Span[] }>) : [];
      const overhead = sandboxOverheads(traces);
      const within = overhead.filter((value) => value <= 30).length;
      console.log(
        [
          String(workers).padStart(7),
          (taskCount / run.wallSeconds).toFixed(2).padStart(8),
          run.wallSeconds.toFixed(2).padStart(7),
          (run.cpuSeconds / taskCount).toFixed(3).padStart(18),
          `${run.peakTreeMiB.toFixed(0)} / ${run.peakSandboxMiB.toFixed(0)} (${run.peakSandboxes})`.padStart(39),
          `${successes}/${taskCount}`.padStart(8),
          `${Math.min(...overhead).toFixed(0)} / ${median(overhead).toFixed(0)} / ${percentile(overhead, 0.9).toFixed(0)} / ${Math.max(...overhead).toFixed(0)} (${within}/${overhead.length})`.padStart(50),
        ].join(' '),
      );
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { values } = parseArgs({
    options: { workers: { type: 'string', default: '1,2,4' }, tasks: { type: 'string', default: '20' }, latency: { type: 'string', default: '50' }, cli: { type: 'string' } },
  });
  const server = spawn(process.execPath, [fileURLToPath(new URL('./server.js', import.meta.url)), values.latency], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((done) => server.stdout.once('data', (chunk: Buffer) => done(chunk.toString().trim())));
  try {
    await benchCode(url, values.workers.split(',').map(Number), Number(values.tasks), values.cli ? { cliPath: values.cli } : {});
  } finally {
    server.kill('SIGTERM');
  }
}
