// Code-agent figures: first interpreter start, warm per-task overhead (acquire + release), a trivial
// code step's round trip, a tool call from Python, and code-task throughput at several worker counts.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEvaluation, SandboxPool } from 'agent-eval';

const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;

/** CPU seconds of this process and of its children that have ended (the sandbox processes), from /proc (Linux). */
function processTreeCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // utime stime cutime cstime are fields 14-17 of stat, 11-14 after "pid (comm)".
    return [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0) / 100;
  } catch {
    return Number.NaN;
  }
}

export async function benchCode(serverUrl: string, workerCounts: number[], taskCount: number): Promise<void> {
  const started = performance.now();
  const pool = await SandboxPool.start({ size: 1, tools: [{ name: 'get_weather', description: 'weather', parameters: ['location'] }] });
  const firstStart = performance.now() - started;
  const handler = async () => ({ ok: true as const, output: '20°C, Partly Cloudy' });
  const acquire: number[] = [];
  const step: number[] = [];
  const tool: number[] = [];
  try {
    for (let index = 0; index < 5; index++) {
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
  console.log(`  first start ${firstStart.toFixed(0)} ms (pool startup ${pool.stats.startupMs.toFixed(0)} ms); peak sandbox process ${pool.stats.peakProcessMiB} MiB RSS`);
  console.log(`  acquire with a stand-by process warmed meanwhile (median of 5, one process per task) ${median(acquire).toFixed(1)} ms`);
  console.log(`  trivial code step round trip (median of 50) ${median(step).toFixed(2)} ms; tool call from Python ${median(tool).toFixed(2)} ms`);

  const directory = await mkdtemp(join(tmpdir(), 'agent-eval-bench-code-'));
  // The snapshot cache on disk: a full start writes it, the next pool starts from it (as a second run would).
  const cacheDir = join(directory, 'cache');
  const timedStart = async () => {
    const at = performance.now();
    const started = await SandboxPool.start({ size: 1, tools: [], snapshotCacheDir: cacheDir });
    await started.close();
    return { ms: performance.now() - at, fromDisk: started.stats.snapshotFromDisk };
  };
  const full = await timedStart();
  const disk = await timedStart();
  console.log(`  pool start from the snapshot on disk ${disk.ms.toFixed(0)} ms${disk.fromDisk ? '' : ' (not used!)'}; full start that writes it ${full.ms.toFixed(0)} ms`);
  const dataset = join(directory, 'code.jsonl');
  const rows = Array.from({ length: taskCount }, (_, index) =>
    JSON.stringify({ id: `code_${index}`, prompt: `Task ${index}: what is 21 times 2?`, difficulty: 'easy', agent_type: 'code', expected_tool_calls: 0, expected_keywords: ['42'] }),
  );
  await writeFile(dataset, `${rows.join('\n')}\n`);
  console.log('workers  tasks/s   wall s  CPU s/task (harness + sandboxes)  success');
  try {
    for (const workers of workerCounts) {
      const at = performance.now();
      const cpuBefore = processTreeCpuSeconds();
      const result = await runEvaluation(
        { model: 'openai/gpt-4o-mini', baseUrl: `${serverUrl}/v1`, datasetName: dataset, outputDir: join(directory, `out-${workers}`), agentType: 'code', parallelWorkers: workers, maxRetries: 0 },
        { env: { AGENT_EVAL_CACHE_DIR: cacheDir } },
      );
      const wall = (performance.now() - at) / 1000;
      const successes = result.totals.successful;
      const cpuPerTask = (processTreeCpuSeconds() - cpuBefore) / taskCount;
      console.log(`${String(workers).padStart(7)} ${(taskCount / wall).toFixed(2).padStart(8)} ${wall.toFixed(2).padStart(8)} ${cpuPerTask.toFixed(3).padStart(34)} ${`${successes}/${taskCount}`.padStart(8)}`);
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
