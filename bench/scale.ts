// npm run bench -- --scale 10000,100000 [--scale-workers 100] [--scale-latency 0] [--cli dist/cli/main.js]
// Memory at scale: for each task count, `agent-eval run` (tool agent, 3 model calls per task) as a
// child process against the loopback model server, then `agent-eval push` of the largest run to a
// loopback Hub. Prints wall time and the peak RSS of the agent-eval process itself (GNU time's %M,
// else the child's VmHWM read from /proc just before it exits), never the bench's own memory.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHubServer } from '../test/helpers/hub-server.js';

export interface ScaleOptions {
  taskCounts: number[];
  workers: number;
  latencyMs: number;
  /** The built CLI to measure (another build's dist/cli/main.js to compare before and after). */
  cliPath?: string;
  directory: string;
  startServer: (latencyMs: number) => Promise<{ url: string; stop: () => void }>;
}

const DEFAULT_CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const GNU_TIME = '/usr/bin/time';

interface Measured {
  code: number | null;
  wallSeconds: number;
  peakRssMiB: number;
  stderr: string;
}

/** Runs `node cli args` and measures its wall time and peak RSS (kilobytes from GNU time, else VmHWM). */
async function measure(cliPath: string, args: string[], env: Record<string, string>): Promise<Measured> {
  const rssFile = join(env.TMPDIR ?? '/tmp', `agent-eval-scale-rss-${process.pid}`);
  const useTime = existsSync(GNU_TIME);
  const command = useTime ? GNU_TIME : process.execPath;
  const argv = useTime ? ['-f', '%M', '-o', rssFile, process.execPath, cliPath, ...args] : [cliPath, ...args];
  const started = performance.now();
  const child = spawn(command, argv, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let highWater = 0;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        void readFile(`/proc/${child.pid}/status`, 'utf8').then(
          (text) => (highWater = Math.max(highWater, Number(/VmHWM:\s+(\d+)/.exec(text)?.[1] ?? 0))),
          () => undefined,
        );
      }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (poll) clearInterval(poll);
  const wallSeconds = (performance.now() - started) / 1000;
  const kilobytes = useTime ? Number((await readFile(rssFile, 'utf8')).trim().split('\n').at(-1)) : highWater;
  if (useTime) await rm(rssFile, { force: true });
  return { code, wallSeconds, peakRssMiB: kilobytes / 1024, stderr };
}

async function writeTasks(path: string, count: number): Promise<void> {
  const rows: string[] = [];
  for (let index = 0; index < count; index++) {
    rows.push(JSON.stringify({ id: `bench_${index}`, prompt: `Task ${index}: what is 21 times 2?`, difficulty: 'easy', agent_type: 'tool', expected_tool: 'calculator', expected_keywords: ['42'] }));
  }
  await writeFile(path, `${rows.join('\n')}\n`);
}

function row(cells: (string | number)[]): string {
  return cells.map((cell, index) => String(cell).padStart(index === 0 ? 8 : 12)).join(' ');
}

/** The scale table: run (and push of the largest run) per task count. */
export async function benchScale(options: ScaleOptions): Promise<void> {
  const cliPath = options.cliPath ?? DEFAULT_CLI;
  const server = await options.startServer(options.latencyMs);
  const hub = await startHubServer({ users: { hf_scale_bench_token: 'bench' } });
  console.log(`\nscale: tool agent, ${options.workers} workers, ${options.latencyMs} ms latency, CLI ${cliPath}`);
  console.log(row(['command', 'tasks', 'wall s', 'tasks/s', 'peak RSS MiB', 'results MiB', 'exit']));
  let largest: { directory: string; tasks: number } | undefined;
  try {
    for (const count of options.taskCounts) {
      const dataset = join(options.directory, `scale-${count}.jsonl`);
      const outputDir = join(options.directory, `scale-out-${count}`);
      await writeTasks(dataset, count);
      const run = await measure(
        cliPath,
        ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--dataset-name', dataset, '--agent-type', 'tool', '--parallel-workers', String(options.workers), '--max-retries', '0', '--output-dir', outputDir, '--quiet'],
        { TMPDIR: options.directory },
      );
      const [runName] = await readdir(outputDir);
      const runDirectory = join(outputDir, runName ?? '');
      const resultsBytes = runName ? (await stat(join(runDirectory, 'results.json')).catch(() => ({ size: 0 }))).size : 0;
      console.log(row(['run', count, run.wallSeconds.toFixed(1), (count / run.wallSeconds).toFixed(0), run.peakRssMiB.toFixed(1), (resultsBytes / 2 ** 20).toFixed(1), String(run.code)]));
      if (run.code !== 0) console.log(run.stderr.trim().split('\n').slice(-3).join('\n'));
      await rm(dataset, { force: true });
      if (largest) await rm(largest.directory, { recursive: true, force: true });
      largest = { directory: runDirectory, tasks: count };
    }
    if (largest) {
      const push = await measure(cliPath, ['push', largest.directory], { TMPDIR: options.directory, HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_scale_bench_token' });
      console.log(row(['push', largest.tasks, push.wallSeconds.toFixed(1), (largest.tasks / push.wallSeconds).toFixed(0), push.peakRssMiB.toFixed(1), '', String(push.code)]));
      if (push.code !== 0) console.log(push.stderr.trim().split('\n').slice(-3).join('\n'));
    }
  } finally {
    server.stop();
    await hub.close();
  }
}
