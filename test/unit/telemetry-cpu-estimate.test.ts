import { afterEach, describe, expect, it, vi } from 'vitest';
import { CpuEnergyEstimator, DEFAULT_CPU_TDP_WATTS, machineInfo } from '../../src/telemetry/cpu-estimate.js';
import { JOULES_PER_KWH } from '../../src/telemetry/gpu-sampler.js';

function scripted(loads: number[]) {
  let next = 0;
  return async () => {
    const load = loads[Math.min(next, loads.length - 1)];
    next++;
    if (load === undefined) throw new Error('no load');
    return load;
  };
}

describe('CpuEnergyEstimator', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is TDP x load x time, labelled an estimate', async () => {
    let clock = 0;
    const estimator = new CpuEnergyEstimator({ loadSource: scripted([99, 50]), intervalMs: 1e9, now: () => clock });
    await estimator.start(); // the priming reading (99) only sets the clock
    clock = 3_600_000;
    const result = await estimator.stop();
    expect(result).toEqual({
      estimate: true,
      method: 'tdp-x-load',
      tdpWatts: DEFAULT_CPU_TDP_WATTS,
      averageLoadPercent: 50,
      durationMs: 3_600_000,
      readings: 1,
      energyKWh: expect.closeTo(0.0425, 12), // 85 W x 50 % x 1 h
    });
    expect(await estimator.stop()).toEqual(result);
  });

  it('weights each reading by the time since the previous one', async () => {
    vi.useFakeTimers();
    let clock = 0;
    const estimator = new CpuEnergyEstimator({ tdpWatts: 85, loadSource: scripted([0, 100, 0, 50]), intervalMs: 1000, now: () => clock });
    await estimator.start();
    clock = 1000;
    await vi.advanceTimersByTimeAsync(1000); // reads 100 % over 1 s
    clock = 2000;
    await vi.advanceTimersByTimeAsync(1000); // reads 0 % over 1 s
    clock = 4000;
    const result = await estimator.stop(); // reads 50 % over 2 s
    expect(result.readings).toBe(3);
    expect(result.durationMs).toBe(4000);
    expect(result.averageLoadPercent).toBe(50);
    expect(result.energyKWh * JOULES_PER_KWH).toBeCloseTo(170, 9); // 85 W x 50 % x 4 s
  });

  it('yields no energy when the load source fails', async () => {
    let clock = 0;
    const failing = async (): Promise<number> => {
      throw new Error('unavailable');
    };
    const estimator = new CpuEnergyEstimator({ loadSource: failing, intervalMs: 1e9, now: () => clock });
    await estimator.start();
    clock = 5000;
    expect(await estimator.stop()).toMatchObject({ readings: 0, energyKWh: 0, averageLoadPercent: null, durationMs: 0 });
  });

  it('rejects a negative TDP', () => {
    expect(() => new CpuEnergyEstimator({ tdpWatts: -1 })).toThrow(RangeError);
  });
});

describe('machineInfo', () => {
  it('describes the host', async () => {
    const info = await machineInfo();
    expect(typeof info.cpuModel).toBe('string');
    expect(info.cpuModel.length).toBeGreaterThan(0);
    expect(info.physicalCores).toBeGreaterThan(0);
    expect(info.logicalCores).toBeGreaterThanOrEqual(info.physicalCores);
    expect(info.totalMemoryBytes).toBeGreaterThan(0);
    expect(info.os.length).toBeGreaterThan(0);
    expect(info.platform).toBe(process.platform);
    expect(typeof info.arch).toBe('string');
  });
});
