// npm run bench -- [--tasks 500] [--latency 50] [--workers 4,16,64] [--local-model <folder> --local-dtype q4]
//                  [--skip-startup] [--cli other/dist/cli/main.js] | --scale 10000,100000
// N tasks of 3 model calls each (calculator, get_weather, final_answer) against a loopback
// OpenAI-compatible server with a fixed latency; prints throughput, wall time against the ideal,
// harness CPU per model call and peak RSS for each --parallel-workers value (after one warm-up run),
// then the fixed case of 1,000 tasks x 100 workers x 100 ms, then start-up figures of the built CLI
// (bench/startup.ts), the code agent (bench/code.ts) and a local model (bench/local.ts).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runEvaluation } from 'agent-eval';
import { benchCode } from './code.js';
import { benchLocal } from './local.js';
import { benchScale } from './scale.js';
import { benchStartup } from './startup.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '500' },
    latency: { type: 'string', default: '50' },
    workers: { type: 'string', default: '4,16,64' },
    'code-tasks': { type: 'string', default: '20' },
    'code-workers': { type: 'string', default: '1,2,4' },
    'local-model': { type: 'string' },
    'local-dtype': { type: 'string' },
    'local-tokens': { type: 'string', default: '256' },
    'local-repeats': { type: 'string', default: '5' },
    scale: { type: 'string' },
    'scale-workers': { type: 'string', default: '100' },
    'scale-latency': { type: 'string', default: '0' },
    cli: { type: 'string' },
    'skip-startup': { type: 'boolean', default: false },
  },
});
const taskCount = Number(values.tasks);
const latencyMs = Number(values.latency);
const workerCounts = values.workers.split(',').map(Number);
const CALLS_PER_TASK = 3;

async function startServer(latency = latencyMs): Promise<{ url: string; stop: () => void }> {
  const script = fileURLToPath(new URL('./server.js', import.meta.url));
  const child = spawn(process.execPath, [script, String(latency)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

const directory = await mkdtemp(join(tmpdir(), 'agent-eval-bench-'));
if (values.scale) {
  // --scale N,M: only the memory-at-scale table (bench/scale.ts).
  await benchScale({ taskCounts: values.scale.split(',').map(Number), workers: Number(values['scale-workers']), latencyMs: Number(values['scale-latency']), directory, startServer, ...(values.cli && { cliPath: values.cli }) }).finally(() => rm(directory, { recursive: true, force: true }));
  process.exit(0);
}
const dataset = join(directory, 'tasks.jsonl');
const benchRows = (count: number) =>
  Array.from({ length: count }, (_, index) =>
    JSON.stringify({ id: `bench_${index}`, prompt: `Task ${index}: what is 21 times 2?`, difficulty: 'easy', agent_type: 'tool', expected_tool: 'calculator', expected_keywords: ['42'] }),
  );
await writeFile(dataset, `${benchRows(taskCount).join('\n')}\n`);
const server = await startServer();

/** The 1,000-task case of issue 13: 100 workers against a 100 ms model (its limit is 10 x 3 x 100 ms = 3 s). */
const SCALE_CASE = { tasks: 1000, workers: 100, latencyMs: 100 };
const scaleDataset = join(directory, 'tasks-1000.jsonl');
await writeFile(scaleDataset, `${benchRows(SCALE_CASE.tasks).join('\n')}\n`);
const scaleServer = SCALE_CASE.latencyMs === latencyMs ? server : await startServer(SCALE_CASE.latencyMs);

interface Case {
  label: string;
  url: string;
  dataset: string;
  tasks: number;
  latencyMs: number;
  workers: number;
  otel: boolean;
}

/** One in-process run; CPU is this process's (the model server runs in its own). */
async function measureCase({ url, dataset: file, tasks, latencyMs: latency, workers, otel }: Case, out: string) {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await runEvaluation(
    { model: 'openai/gpt-4o-mini', baseUrl: `${url}/v1`, datasetName: file, outputDir: join(directory, out), agentType: 'tool', parallelWorkers: workers, maxRetries: 0, enableOtel: otel },
    { env: {} },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { result, wallSeconds, idealSeconds: (Math.ceil(tasks / workers) * CALLS_PER_TASK * latency) / 1000, cpuMsPerCall: (cpu.user + cpu.system) / 1000 / result.totals.modelCalls };
}

console.log(`agent-eval bench: ${taskCount} tasks x ${CALLS_PER_TASK} model calls, ${latencyMs} ms latency, Node ${process.version}`);
// A first run warms the JIT and the module cache, as a long run is warm for most of its calls.
await measureCase({ label: 'warm-up', url: server.url, dataset, tasks: taskCount, latencyMs, workers: workerCounts[0]!, otel: false }, 'warm-up');
console.log('case                      workers  otel  tasks/s   wall s   ideal s  wall/ideal  cpu ms/call  peak RSS MiB  success');
// Every worker count without telemetry, then the middle one again with spans on (the overhead ratio),
// then the 1,000 x 100 x 100 ms case with and without spans.
const plan: Case[] = [
  ...workerCounts.map((workers) => ({ label: `${taskCount} tasks, ${latencyMs} ms`, url: server.url, dataset, tasks: taskCount, latencyMs, workers, otel: false })),
  { label: `${taskCount} tasks, ${latencyMs} ms`, url: server.url, dataset, tasks: taskCount, latencyMs, workers: workerCounts[Math.floor(workerCounts.length / 2)]!, otel: true },
  ...[false, true].map((otel) => ({ label: `${SCALE_CASE.tasks} tasks, ${SCALE_CASE.latencyMs} ms`, url: scaleServer.url, dataset: scaleDataset, tasks: SCALE_CASE.tasks, latencyMs: SCALE_CASE.latencyMs, workers: SCALE_CASE.workers, otel })),
];
try {
  for (const [index, item] of plan.entries()) {
    const { result, wallSeconds, idealSeconds, cpuMsPerCall } = await measureCase(item, `out-${index}`);
    const peakRss = process.resourceUsage().maxRSS / 1024;
    console.log(
      [
        item.label.padEnd(24),
        String(item.workers).padStart(7),
        (item.otel ? 'on' : 'off').padStart(5),
        (item.tasks / wallSeconds).toFixed(1).padStart(8),
        wallSeconds.toFixed(2).padStart(8),
        idealSeconds.toFixed(2).padStart(9),
        (wallSeconds / idealSeconds).toFixed(3).padStart(11),
        cpuMsPerCall.toFixed(3).padStart(12),
        peakRss.toFixed(1).padStart(13),
        `${result.totals.successful}/${item.tasks}`.padStart(8),
      ].join(' '),
    );
  }
  if (!values['skip-startup']) await benchStartup(values.cli ? { cliPath: values.cli } : {});
  await benchCode(server.url, values['code-workers'].split(',').map(Number), Number(values['code-tasks']));
  await benchLocal({
    ...(values['local-model'] && { modelFolder: values['local-model'] }),
    ...(values['local-dtype'] && { dtype: values['local-dtype'] }),
    maxNewTokens: Number(values['local-tokens']),
    repeats: Number(values['local-repeats']),
  });
} finally {
  server.stop();
  if (scaleServer !== server) scaleServer.stop();
  await rm(directory, { recursive: true, force: true });
}
