import { describe, expect, it } from 'vitest';
import { gpuResourceMetrics, unixNanoString, type OtlpMetric, type OtlpNumberDataPoint } from '../../src/telemetry/gpu-metrics.js';
import type { GpuSample } from '../../src/telemetry/gpu-sampler.js';
import { parseNvidiaSmiCsv } from '../../src/telemetry/nvidia-smi.js';
import { nvidiaSmiFixture } from '../helpers/fake-nvidia-smi.js';

const T0 = 1_700_000_000_123; // ms; in ns far beyond 2^53
const HOUR = 3_600_000;

function value(point: OtlpNumberDataPoint): number {
  return point.asInt !== null ? Number(point.asInt) : (point.asDouble ?? Number.NaN);
}

function metric(metrics: OtlpMetric[], name: string): OtlpMetric {
  const found = metrics.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no metric ${name}`);
  return found;
}

/** Two RTX 4090s, their power forced to 300 W and 100 W for an hour. */
function twoGpuHour(): GpuSample[] {
  const gpus = parseNvidiaSmiCsv(nvidiaSmiFixture('rtx4090-2gpu.csv'));
  const withPower = (powers: [number, number]) => gpus.map((gpu, i) => ({ ...gpu, powerW: powers[i]! }));
  return [
    { timeMs: T0, gpus: withPower([300, 100]) },
    { timeMs: T0 + HOUR, gpus: withPower([300, 100]) },
  ];
}

describe('unixNanoString', () => {
  it('is the exact integer, beyond Number precision', () => {
    const ns = unixNanoString(T0);
    expect(ns).toBe('1700000000123000000');
    expect(BigInt(ns)).toBe(BigInt(T0) * 1_000_000n);
    expect(BigInt(ns)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(unixNanoString(T0 + 0.5)).toBe('1700000000123500000');
  });
});

describe('gpuResourceMetrics', () => {
  it('has the OTLP-JSON shape with gauges per GPU', () => {
    const samples = twoGpuHour();
    samples[1]!.gpus[1] = { ...samples[1]!.gpus[1]!, temperatureC: null };
    const [batch, ...rest] = gpuResourceMetrics(samples, { runId: 'run-1', serviceName: 'agent-eval' });
    expect(rest).toEqual([]);
    expect(batch!.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'agent-eval' } },
      { key: 'run.id', value: { stringValue: 'run-1' } },
    ]);
    const [scope] = batch!.scopeMetrics;
    expect(scope!.scope.name).toBe('agent-eval.gpu');
    const metrics = scope!.metrics;
    expect(metrics.map((m) => [m.name, m.unit])).toEqual([
      ['gen_ai.gpu.utilization', '%'],
      ['gen_ai.gpu.memory.used', 'MiB'],
      ['gen_ai.gpu.memory.total', 'MiB'],
      ['gen_ai.gpu.temperature', 'Cel'],
      ['gen_ai.gpu.power', 'W'],
      ['gen_ai.energy.consumed', 'kWh'],
      ['gen_ai.co2.emissions', 'gCO2e'],
      ['gen_ai.power.cost', 'USD'],
    ]);
    const utilization = metric(metrics, 'gen_ai.gpu.utilization').gauge!.dataPoints;
    expect(utilization).toHaveLength(4);
    expect(utilization[0]).toEqual({
      attributes: [
        { key: 'gpu_id', value: { stringValue: '0' } },
        { key: 'gpu_name', value: { stringValue: 'NVIDIA GeForce RTX 4090' } },
      ],
      timeUnixNano: '1700000000123000000',
      asInt: '98',
      asDouble: null,
    });
    expect(utilization[1]!.attributes[0]).toEqual({ key: 'gpu_id', value: { stringValue: '1' } });
    expect(utilization[3]!.timeUnixNano).toBe('1700003600123000000');
    // a null reading is left out, not exported as 0
    expect(metric(metrics, 'gen_ai.gpu.temperature').gauge!.dataPoints).toHaveLength(3);
  });

  it('puts non-integral values in asDouble', () => {
    const gpus = parseNvidiaSmiCsv(nvidiaSmiFixture('rtx4090-2gpu.csv'));
    const [batch] = gpuResourceMetrics([{ timeMs: T0, gpus }], { runId: 'r', serviceName: 's' });
    const power = metric(batch!.scopeMetrics[0]!.metrics, 'gen_ai.gpu.power').gauge!.dataPoints;
    expect(power.map((p) => [p.asInt, p.asDouble])).toEqual([
      [null, 421.33],
      [null, 187.9],
    ]);
  });

  it('exports running totals summed across GPUs, with CO2, cost and PUE', () => {
    const [batch] = gpuResourceMetrics(twoGpuHour(), { runId: 'r', serviceName: 's', gramsPerKWh: 475, pue: 1.5 });
    const metrics = batch!.scopeMetrics[0]!.metrics;
    const energy = metric(metrics, 'gen_ai.energy.consumed');
    expect(energy.sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
    const points = energy.sum!.dataPoints;
    expect(points.map((p) => p.timeUnixNano)).toEqual(['1700000000123000000', '1700003600123000000']);
    expect(points.every((p) => p.attributes.length === 0 && p.startTimeUnixNano === '1700000000123000000')).toBe(true);
    expect(points[0]).toMatchObject({ asInt: '0', asDouble: null });
    // (0.3 + 0.1) kWh x PUE 1.5; SMOLTRACE would have reported max(0.3, 0.1) x 3.6
    expect(value(points[1]!)).toBeCloseTo(0.6, 12);
    expect(value(metric(metrics, 'gen_ai.co2.emissions').sum!.dataPoints[1]!)).toBeCloseTo(0.6 * 475, 9);
    expect(value(metric(metrics, 'gen_ai.power.cost').sum!.dataPoints[1]!)).toBeCloseTo(0.6 * 0.12, 12);
  });

  it('splits into batches whose cumulative points keep counting', () => {
    const samples = twoGpuHour();
    samples.push({ timeMs: T0 + 2 * HOUR, gpus: samples[1]!.gpus });
    const batches = gpuResourceMetrics(samples, { runId: 'r', serviceName: 's', samplesPerBatch: 2 });
    expect(batches).toHaveLength(2);
    const co2 = batches.map((b) => metric(b.scopeMetrics[0]!.metrics, 'gen_ai.co2.emissions').sum!.dataPoints.map(value));
    expect(co2[0]).toEqual([0, expect.closeTo(0.4 * 475, 9)]);
    expect(co2[1]).toEqual([expect.closeTo(0.8 * 475, 9)]);
    expect(metric(batches[1]!.scopeMetrics[0]!.metrics, 'gen_ai.gpu.utilization').gauge!.dataPoints).toHaveLength(2);
  });

  it('is empty without samples', () => {
    expect(gpuResourceMetrics([], { runId: 'r', serviceName: 's' })).toEqual([]);
  });
});
