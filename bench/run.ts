// npm run bench -- [--tasks 500] [--latency 50] [--workers 4,16,64] [--local-model <folder> --local-dtype q4]
// N tasks of 3 model calls each (calculator, get_weather, final_answer) against a loopback
// OpenAI-compatible server with a fixed latency; prints throughput, wall time against the ideal,
// harness CPU per model call and peak RSS for each --parallel-workers value.
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
const rows = Array.from({ length: taskCount }, (_, index) =>
  JSON.stringify({ id: `bench_${index}`, prompt: `Task ${index}: what is 21 times 2?`, difficulty: 'easy', agent_type: 'tool', expected_tool: 'calculator', expected_keywords: ['42'] }),
);
await writeFile(dataset, `${rows.join('\n')}\n`);
const server = await startServer();

console.log(`agent-eval bench: ${taskCount} tasks x ${CALLS_PER_TASK} model calls, ${latencyMs} ms latency, Node ${process.version}`);
console.log('workers  otel  tasks/s   wall s   ideal s  wall/ideal  cpu ms/call  peak RSS MiB  success');
// Every worker count without telemetry, then the middle one again with spans on (the overhead ratio).
const plan = [
  ...workerCounts.map((workers) => ({ workers, otel: false })),
  { workers: workerCounts[Math.floor(workerCounts.length / 2)]!, otel: true },
];
try {
  for (const { workers, otel } of plan) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const result = await runEvaluation(
      { model: 'openai/gpt-4o-mini', baseUrl: `${server.url}/v1`, datasetName: dataset, outputDir: join(directory, `out-${workers}-${otel}`), agentType: 'tool', parallelWorkers: workers, maxRetries: 0, enableOtel: otel },
      { env: {} },
    );
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const calls = result.totals.modelCalls;
    const idealSeconds = (Math.ceil(taskCount / workers) * CALLS_PER_TASK * latencyMs) / 1000;
    const successes = result.totals.successful;
    const peakRss = process.resourceUsage().maxRSS / 1024;
    console.log(
      [
        String(workers).padStart(7),
        (otel ? 'on' : 'off').padStart(5),
        (taskCount / wallSeconds).toFixed(1).padStart(8),
        wallSeconds.toFixed(2).padStart(8),
        idealSeconds.toFixed(2).padStart(9),
        (wallSeconds / idealSeconds).toFixed(3).padStart(11),
        ((cpu.user + cpu.system) / 1000 / calls).toFixed(3).padStart(12),
        peakRss.toFixed(1).padStart(13),
        `${successes}/${taskCount}`.padStart(8),
      ].join(' '),
    );
  }
  await benchCode(server.url, values['code-workers'].split(',').map(Number), Number(values['code-tasks']));
  await benchLocal({
    ...(values['local-model'] && { modelFolder: values['local-model'] }),
    ...(values['local-dtype'] && { dtype: values['local-dtype'] }),
    maxNewTokens: Number(values['local-tokens']),
    repeats: Number(values['local-repeats']),
  });
} finally {
  server.stop();
  await rm(directory, { recursive: true, force: true });
}
