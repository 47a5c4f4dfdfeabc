import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli } from '../helpers/cli.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const CAPACITY = 2;
const WORKERS = 8;
let tasks: Task[];
let server: LoopbackOpenAIServer | undefined;

beforeAll(async () => {
  tasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code' && task.expected_tool !== 'web_search');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * A provider with room for CAPACITY requests at once: one more in flight is answered 429 at once
 * (with a short Retry-After); the others are answered after 30 ms.
 */
async function congestedServer() {
  const counts = { inFlight: 0, peak: 0, tooMany: 0, answered: 0 };
  const solve = solveTasks(tasks);
  server = await startOpenAIServer({
    responder: async (request) => {
      counts.inFlight++;
      counts.peak = Math.max(counts.peak, counts.inFlight);
      try {
        if (counts.inFlight > CAPACITY) {
          counts.tooMany++;
          return { fault: { kind: 'status', status: 429, retryAfter: '0.02' } };
        }
        await new Promise((resolve) => setTimeout(resolve, 30));
        counts.answered++;
        return solve(request);
      } finally {
        counts.inFlight--;
      }
    },
  });
  return counts;
}

async function run(extra: string[]) {
  const output = await mkdtemp(join(tmpdir(), 'agent-eval-aimd-'));
  const result = await runCli(['run', '--model', 'openai/test-model', '--base-url', `${server!.url}/v1`, '--agent-type', 'tool', ...tasks.flatMap((task) => ['--task-id', task.id]), '--parallel-workers', String(WORKERS), '--max-retries', '500', '--output-dir', output, ...extra], { env: { OPENAI_API_KEY: 'sk-test' } });
  const [name] = await readdir(output);
  const metadata = JSON.parse(await readFile(join(output, name!, 'metadata.json'), 'utf8'));
  return { result, metadata };
}

describe('adaptive concurrency against a provider that answers 429 past its capacity', () => {
  it('completes with far fewer 429s than fixed concurrency, never above --parallel-workers', async () => {
    const fixedCounts = await congestedServer();
    const fixed = await run(['--no-adaptive-concurrency']);
    expect(fixed.result.stderr).not.toMatch(/Warning|FAIL/);
    expect(fixed.result.code).toBe(0);
    expect(fixed.metadata.concurrency).toMatchObject({ adaptive: false, max: WORKERS, decreases: 0, final: WORKERS });
    await server!.close();

    const adaptiveCounts = await congestedServer();
    const adaptive = await run([]);
    expect(adaptive.result.stderr).not.toMatch(/unexpected error/);
    expect(adaptive.result.code).toBe(0);
    expect(adaptive.metadata.num_results).toBe(tasks.length);
    // Both runs answered the same conversations.
    expect(adaptiveCounts.answered).toBe(fixedCounts.answered);
    expect(adaptiveCounts.peak).toBeLessThanOrEqual(WORKERS);
    expect(fixedCounts.peak).toBeLessThanOrEqual(WORKERS);
    expect(fixedCounts.tooMany).toBeGreaterThan(10);
    expect(adaptiveCounts.tooMany * 3).toBeLessThan(fixedCounts.tooMany);
    const concurrency = adaptive.metadata.concurrency;
    expect(concurrency).toMatchObject({ adaptive: true, max: WORKERS, max_requests_per_minute: null });
    expect(concurrency.decreases).toBeGreaterThan(0);
    expect(concurrency.decreases).toBeLessThanOrEqual(concurrency.congestion_answers);
    expect(concurrency.min_reached).toBeLessThanOrEqual(CAPACITY);
    expect(concurrency.changes.length).toBeGreaterThan(0);
    for (const change of concurrency.changes) expect(change.limit).toBeLessThanOrEqual(WORKERS);
    // Off a terminal, the progress lines say the concurrency while it is below the configured number.
    expect(adaptive.result.stdout + adaptive.result.stderr).toMatch(new RegExp(`\\[concurrency [1-${WORKERS - 1}]/${WORKERS}\\]`));
  });
});
