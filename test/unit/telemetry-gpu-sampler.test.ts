import { afterEach, describe, expect, it, vi } from 'vitest';
import { GpuSampler, JOULES_PER_KWH, energyFromSamples, windowStats, type GpuSample } from '../../src/telemetry/gpu-sampler.js';
import { parseNvidiaSmiCsv, type GpuQueryResult, type GpuReading } from '../../src/telemetry/nvidia-smi.js';
import { createFakeNvidiaSmi, nvidiaSmiFixture, type FakeNvidiaSmi } from '../helpers/fake-nvidia-smi.js';

function gpu(index: number, powerW: number | null, extra: Partial<GpuReading> = {}): GpuReading {
  return {
    index,
    name: `GPU ${index}`,
    uuid: `GPU-${index}`,
    utilizationPercent: null,
    memoryUsedMiB: null,
    memoryTotalMiB: null,
    temperatureC: null,
    powerW,
    ...extra,
  };
}

const at = (timeMs: number, ...gpus: GpuReading[]): GpuSample => ({ timeMs, gpus });

describe('GpuSampler with a fake nvidia-smi', () => {
  let fake: FakeNvidiaSmi | undefined;
  afterEach(() => {
    fake?.cleanup();
    fake = undefined;
  });

  it('probes, samples on an interval and takes a last sample on stop', async () => {
    fake = createFakeNvidiaSmi([{ fixture: 'rtx4090-2gpu.csv' }, { fixture: 'rtx4090-2gpu-later.csv' }]);
    const sampler = new GpuSampler({ binary: fake.binary, intervalMs: 20 });
    expect(await sampler.start()).toBe(true);
    expect(sampler.available).toBe(true);
    expect(sampler.unavailableReason).toBeNull();
    expect(sampler.gpuNames).toEqual(['NVIDIA GeForce RTX 4090', 'NVIDIA GeForce RTX 4090']);
    await vi.waitFor(() => expect(fake!.invocations()).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 10 });
    await sampler.stop();
    await sampler.stop(); // idempotent

    const count = sampler.samples.length;
    expect(count).toBeGreaterThanOrEqual(4); // probe, >= 2 ticks, the last sample
    expect(fake.invocations()).toBe(count);
    expect(sampler.samples[0]!.gpus).toEqual(parseNvidiaSmiCsv(nvidiaSmiFixture('rtx4090-2gpu.csv')));
    const later = parseNvidiaSmiCsv(nvidiaSmiFixture('rtx4090-2gpu-later.csv'));
    for (const sample of sampler.samples.slice(1)) expect(sample.gpus).toEqual(later);
    const times = sampler.samples.map((sample) => sample.timeMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(energyFromSamples(sampler.samples).perGpu).toHaveLength(2);
  });

  it('records why no GPU is available and samples nothing', async () => {
    fake = createFakeNvidiaSmi({ fixture: 'driver-failed.txt', exitCode: 9 });
    const sampler = new GpuSampler({ binary: fake.binary, intervalMs: 20 });
    expect(await sampler.start()).toBe(false);
    expect(sampler.available).toBe(false);
    expect(sampler.unavailableReason).toMatch(/^NVIDIA-SMI has failed because it couldn't communicate/);
    await sampler.stop();
    expect(sampler.samples).toEqual([]);
    expect(fake.invocations()).toBe(1);
  });

  it('reports a missing binary', async () => {
    const sampler = new GpuSampler({ binary: '/nonexistent/nvidia-smi' });
    expect(await sampler.start()).toBe(false);
    expect(sampler.unavailableReason).toBe('nvidia-smi not found');
  });
});

describe('GpuSampler with an injected query', () => {
  it('never runs two queries at once and skips failed ones', async () => {
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const query = async (): Promise<GpuQueryResult> => {
      calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 25));
      active--;
      return calls % 2 === 0 ? { available: false, reason: 'transient' } : { available: true, gpus: [gpu(0, 100)] };
    };
    const sampler = new GpuSampler({ query, intervalMs: 2 });
    await sampler.start();
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(4), { timeout: 10_000, interval: 5 });
    await sampler.stop();
    expect(maxActive).toBe(1);
    expect(sampler.samples.length + sampler.failedSamples).toBe(calls);
    expect(sampler.failedSamples).toBeGreaterThanOrEqual(1);
  });
});

describe('energyFromSamples', () => {
  it('300 W for an hour is 0.3 kWh', () => {
    const report = energyFromSamples([at(0, gpu(0, 300)), at(1_800_000, gpu(0, 300)), at(3_600_000, gpu(0, 300))]);
    expect(report.totalKWh).toBeCloseTo(0.3, 12);
    expect(report.perGpu).toEqual([{ index: 0, name: 'GPU 0', energyKWh: report.totalKWh }]);
  });

  it('sums GPUs instead of taking the max', () => {
    const report = energyFromSamples([at(0, gpu(0, 300), gpu(1, 100)), at(3_600_000, gpu(0, 300), gpu(1, 100))]);
    expect(report.perGpu.map((g) => g.energyKWh)).toEqual([expect.closeTo(0.3, 12), expect.closeTo(0.1, 12)]);
    expect(report.totalKWh).toBeCloseTo(0.4, 12);
  });

  it('integrates a ramp by the trapezoid rule: 0 -> 200 W over 10 s is 1000 J', () => {
    const ramp = [at(0, gpu(0, 0)), at(10_000, gpu(0, 200))];
    expect(energyFromSamples(ramp).totalKWh).toBeCloseTo(1000 / JOULES_PER_KWH, 15);
    expect(energyFromSamples(ramp).totalKWh).toBeCloseTo(0.000277777777778, 15);
  });

  it('clips to a window along the linear power curve, so windows add up', () => {
    const ramp = [at(0, gpu(0, 0)), at(10_000, gpu(0, 200))];
    const first = energyFromSamples(ramp, { toMs: 5000 }).totalKWh * JOULES_PER_KWH;
    const second = energyFromSamples(ramp, { fromMs: 5000 }).totalKWh * JOULES_PER_KWH;
    expect(first).toBeCloseTo(250, 9); // mean 50 W x 5 s
    expect(second).toBeCloseTo(750, 9); // mean 150 W x 5 s
    expect(energyFromSamples(ramp, { fromMs: 20_000 }).totalKWh).toBe(0);
  });

  it('skips intervals with a null power reading', () => {
    const samples = [at(0, gpu(0, 100)), at(1000, gpu(0, null)), at(2000, gpu(0, 100)), at(3000, gpu(0, 100))];
    expect(energyFromSamples(samples).totalKWh * JOULES_PER_KWH).toBeCloseTo(100, 9);
    expect(energyFromSamples([at(0, gpu(0, 100))])).toEqual({ totalKWh: 0, perGpu: [{ index: 0, name: 'GPU 0', energyKWh: 0 }] });
    expect(energyFromSamples([])).toEqual({ totalKWh: 0, perGpu: [] });
  });
});

describe('windowStats', () => {
  const samples = [
    at(0, gpu(0, 100, { utilizationPercent: 10, memoryUsedMiB: 1000, temperatureC: 40 })),
    at(1000, gpu(0, 200, { utilizationPercent: 50, memoryUsedMiB: 2000, temperatureC: 50 }), gpu(1, null, { utilizationPercent: 90 })),
    at(2000, gpu(0, 300, { utilizationPercent: 70, memoryUsedMiB: 4000, temperatureC: 60 })),
  ];

  it('averages and maximises every reading in the window, leaving nulls out', () => {
    expect(windowStats(samples, 500, 2000)).toEqual({
      sampleCount: 2,
      utilizationAvg: 70,
      utilizationMax: 90,
      memoryUsedAvgMiB: 3000,
      memoryUsedMaxMiB: 4000,
      temperatureAvgC: 55,
      temperatureMaxC: 60,
      powerAvgW: 250,
    });
  });

  it('gives nulls for an empty window', () => {
    expect(windowStats(samples, 100, 900)).toEqual({
      sampleCount: 0,
      utilizationAvg: null,
      utilizationMax: null,
      memoryUsedAvgMiB: null,
      memoryUsedMaxMiB: null,
      temperatureAvgC: null,
      temperatureMaxC: null,
      powerAvgW: null,
    });
  });
});
