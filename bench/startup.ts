// Start-up figures of the built CLI as a child process: the CPU of `agent-eval --help` and
// `agent-eval run --help` against a bare `node -e 0`, and the time from spawning `agent-eval run` to
// its first model request (a loopback server notes when the request arrives and reads the child's
// CPU time from /proc at that moment). Medians of several runs, never the bench's own process.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;

/** CPU seconds of a process from /proc/<pid>/stat (utime + stime, clock ticks of 10 ms); NaN off Linux. */
function processCpuSeconds(pid: number | 'self', children = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const indices = children ? [13, 14] : [11, 12];
    return indices.reduce((sum, index) => sum + Number(fields[index]), 0) / 100;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of `node args` run to its end (from the children's accumulated time in /proc/self/stat). */
async function childCpuSeconds(args: string[]): Promise<number> {
  const before = processCpuSeconds('self', true);
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return processCpuSeconds('self', true) - before;
}

/** One scripted reply: the final answer at once, so each run makes one request. */
function answer(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  request.on('end', () => {
    const body = JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'final_answer', arguments: '{"answer":"4"}' } }] } }],
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
}

export async function benchStartup(options: { cliPath?: string; repeats?: number } = {}): Promise<void> {
  const cli = options.cliPath ?? DEFAULT_CLI;
  const repeats = options.repeats ?? 9;
  const samples = { node: [] as number[], help: [] as number[], runHelp: [] as number[] };
  for (let index = 0; index < repeats; index++) {
    // Interleaved, so that a busy moment of the machine weighs on all three alike.
    samples.node.push(await childCpuSeconds(['-e', '0']));
    samples.help.push(await childCpuSeconds([cli, '--help']));
    samples.runHelp.push(await childCpuSeconds([cli, 'run', '--help']));
  }
  const node = median(samples.node);
  const line = (name: string, values: number[]) => `  ${name.padEnd(24)} ${(median(values) * 1000).toFixed(0).padStart(5)} ms CPU  ${(median(values) / node).toFixed(2)}x node -e 0`;
  console.log(`\nstart-up (median of ${repeats}; CPU from /proc, 10 ms ticks)`);
  console.log(line('node -e 0', samples.node));
  console.log(line('agent-eval --help', samples.help));
  console.log(line('agent-eval run --help', samples.runHelp));

  const directory = await mkdtemp(join(tmpdir(), 'agent-eval-bench-startup-'));
  const dataset = join(directory, 'one.jsonl');
  await writeFile(dataset, `${JSON.stringify({ id: 'one', prompt: 'What is 2 + 2?', difficulty: 'easy', agent_type: 'tool', expected_keywords: ['4'] })}\n`);
  let arrival: { ms: number; cpuSeconds: number } | undefined;
  let childPid = 0;
  const server = createServer((request, response) => {
    arrival ??= { ms: performance.now(), cpuSeconds: processCpuSeconds(childPid) };
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const wall: number[] = [];
  const cpu: number[] = [];
  try {
    for (let index = 0; index < Math.max(3, Math.ceil(repeats / 2)); index++) {
      arrival = undefined;
      const started = performance.now();
      const child = spawn(process.execPath, [cli, 'run', '--model', 'openai/gpt-4o-mini', '--base-url', url, '--dataset-name', dataset, '--agent-type', 'tool', '--output-dir', join(directory, 'out'), '--quiet'], {
        stdio: 'ignore',
        env: { PATH: process.env.PATH ?? '', HOME: directory, OPENAI_API_KEY: 'sk-bench-not-a-real-key' },
      });
      childPid = child.pid ?? 0;
      await new Promise((resolve) => child.once('exit', resolve));
      if (!arrival) throw new Error('agent-eval run made no model request');
      const reached: { ms: number; cpuSeconds: number } = arrival;
      wall.push(reached.ms - started);
      cpu.push(reached.cpuSeconds * 1000);
    }
  } finally {
    server.close();
    await rm(directory, { recursive: true, force: true });
  }
  console.log(`  agent-eval run -> first model request: ${median(wall).toFixed(0)} ms wall, ${median(cpu).toFixed(0)} ms CPU of the CLI process (median of ${wall.length}; telemetry off)`);
}
