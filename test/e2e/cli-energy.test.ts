import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createFakeNvidiaSmi, type FakeNvidiaSmi } from '../helpers/fake-nvidia-smi.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const TASKS = [{ id: 'w', prompt: "What's the weather in Paris, France?", expected_tool: 'get_weather', expected_keywords: ['20'] }];

let server: LoopbackOpenAIServer;
let fake: FakeNvidiaSmi | undefined;
afterEach(async () => {
  await server?.close();
  fake?.cleanup();
  fake = undefined;
});

async function runWithGpu(env: Record<string, string>, extra: string[] = []) {
  server = await startOpenAIServer({ responder: solveTasks(TASKS), latencyMs: 150 });
  const output = await mkdtemp(join(tmpdir(), 'agent-eval-energy-'));
  const result = await runCli(
    ['run', '--model', 'openai/gpt-4o-mini', '--base-url', `${server.url}/v1`, '--agent-type', 'tool', '--output-dir', output, '--task-id', 'tool_weather_single', '--enable-gpu-metrics', '--gpu-sample-interval', '0.05', ...extra],
    { env: { OPENAI_API_KEY: 'sk-test', ...env } },
  );
  const [name] = await readdir(output);
  const directory = join(output, name!);
  const read = async (file: string) => JSON.parse(await readFile(join(directory, file), 'utf8'));
  return { result, leaderboard: await read('leaderboard_row.json'), metrics: await read('metrics.json'), metadata: await read('metadata.json') };
}

describe('GPU, energy and CO2 figures (fake nvidia-smi)', () => {
  it('samples two GPUs and reports consistent energy, CO2 and power cost', async () => {
    fake = createFakeNvidiaSmi({ fixture: 'rtx4090-2gpu.csv' });
    const { result, leaderboard, metrics, metadata } = await runWithGpu({ AGENT_EVAL_NVIDIA_SMI: fake.binary }, ['--country', 'FRA', '--pue', '1.5']);
    expect(result.code).toBe(0);
    expect(leaderboard.gpu_names).toBe('NVIDIA GeForce RTX 4090, NVIDIA GeForce RTX 4090');
    expect(leaderboard.gpu_power_avg_w).toBeCloseTo((421.33 + 187.9) / 2, 1); // per data point, as SMOLTRACE
    expect(leaderboard.gpu_utilization_max).toBe(98);
    expect(leaderboard.gpu_memory_max_mib).toBe(22110);
    expect(leaderboard.energy_kwh).toBeGreaterThan(0);
    const intensity = metadata.energy.carbon_intensity_g_per_kwh;
    expect(metadata.energy.carbon_intensity_source).toMatch(/^country:FRA/);
    expect(leaderboard.co2_emissions_g).toBeCloseTo(leaderboard.energy_kwh * intensity, 4);
    expect(leaderboard.power_cost_total_usd).toBeCloseTo(leaderboard.energy_kwh * 0.12, 6);
    // Energy is the power integral times PUE: 609.23 W over the sampled span.
    const points = metrics.resourceMetrics[0].scopeMetrics[0].metrics.find((metric: { name: string }) => metric.name === 'gen_ai.gpu.power').gauge.dataPoints;
    expect(points.length).toBeGreaterThanOrEqual(4);
    const times = points.map((point: { timeUnixNano: string }) => BigInt(point.timeUnixNano));
    const spanSeconds = Number(times.at(-1) - times[0]) / 1e9;
    expect(leaderboard.energy_kwh).toBeCloseTo((609.23 * spanSeconds * 1.5) / 3.6e6, 8);
    expect(metrics.aggregates.find((entry: { name: string }) => entry.name === 'gen_ai.co2.emissions').data_points[0].value.value).toBeCloseTo(leaderboard.co2_emissions_g, 4);
  });

  it('says once that there is no GPU and reports only a labelled CPU estimate', async () => {
    const { result, leaderboard, metrics, metadata } = await runWithGpu({ AGENT_EVAL_NVIDIA_SMI: '/nonexistent/nvidia-smi' });
    expect(result.code).toBe(0);
    expect(result.stderr.match(/GPU metrics: nvidia-smi not found/g)).toHaveLength(1);
    expect(leaderboard).toMatchObject({ co2_emissions_g: null, energy_kwh: null, gpu_utilization_avg: null, gpu_names: null });
    expect(leaderboard.cpu_energy_kwh_estimate).toBeGreaterThanOrEqual(0);
    expect(metadata.energy.cpu_estimate).toMatchObject({ estimate: true, method: 'tdp-x-load' });
    expect(metrics.resourceMetrics).toEqual([]);
  });
});
