/**
 * GPU samples as SMOLTRACE's OTLP-JSON-like `resourceMetrics` (spec 6.3, 9.3): gauges per GPU and
 * cumulative energy, CO2 and power-cost sums. Unlike SMOLTRACE, the sums are totals ACROSS GPUs
 * (it kept per-GPU counters and the leaderboard took their max), in real kWh (it was 3.6x high),
 * with PUE applied. `timeUnixNano` is the exact integer as a string (BigInt, no float rounding).
 */
import { AGENT_EVAL_VERSION } from '../version.js';
import { DEFAULT_GRAMS_PER_KWH, energyCosts } from './carbon.js';
import { energyFromSamples, type GpuSample } from './gpu-sampler.js';
import type { GpuReading } from './nvidia-smi.js';

export type OtlpAnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };
export interface OtlpAttribute {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpNumberDataPoint {
  attributes: OtlpAttribute[];
  startTimeUnixNano?: string;
  timeUnixNano: string;
  asInt: string | null;
  asDouble: number | null;
}

export interface OtlpMetric {
  name: string;
  description: string;
  unit: string;
  gauge?: { dataPoints: OtlpNumberDataPoint[] };
  sum?: { dataPoints: OtlpNumberDataPoint[]; aggregationTemporality: 2; isMonotonic: boolean };
}

export interface OtlpResourceMetrics {
  resource: { attributes: OtlpAttribute[] };
  scopeMetrics: { scope: { name: string; version: string }; metrics: OtlpMetric[] }[];
}

export interface GpuResourceMetricsOptions {
  runId: string;
  serviceName: string;
  /** gCO2e/kWh; default 475. */
  gramsPerKWh?: number;
  /** USD/kWh; default 0.12. */
  pricePerKWh?: number;
  /** Default 1.0. */
  pue?: number;
  /** Samples per resourceMetrics batch (SMOLTRACE: one batch per 10 s export); default all in one. */
  samplesPerBatch?: number;
}

export const GPU_METER_NAME = 'agent-eval.gpu';

/** Exact nanoseconds since the epoch as a decimal string. */
export function unixNanoString(timeMs: number): string {
  const whole = Math.trunc(timeMs);
  const fractionNs = Math.round((timeMs - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(fractionNs)).toString();
}

/** Integral values go to `asInt` (as a string), others to `asDouble` (spec 6.3). */
function numberValue(value: number): Pick<OtlpNumberDataPoint, 'asInt' | 'asDouble'> {
  return Number.isSafeInteger(value) ? { asInt: String(value), asDouble: null } : { asInt: null, asDouble: value };
}

function gpuAttributes(gpu: GpuReading): OtlpAttribute[] {
  return [
    { key: 'gpu_id', value: { stringValue: String(gpu.index) } },
    { key: 'gpu_name', value: { stringValue: gpu.name } },
  ];
}

const GAUGES: { name: string; description: string; unit: string; read: (gpu: GpuReading) => number | null }[] = [
  { name: 'gen_ai.gpu.utilization', description: 'GPU utilization', unit: '%', read: (gpu) => gpu.utilizationPercent },
  { name: 'gen_ai.gpu.memory.used', description: 'GPU memory used', unit: 'MiB', read: (gpu) => gpu.memoryUsedMiB },
  { name: 'gen_ai.gpu.memory.total', description: 'GPU memory total', unit: 'MiB', read: (gpu) => gpu.memoryTotalMiB },
  { name: 'gen_ai.gpu.temperature', description: 'GPU temperature', unit: 'Cel', read: (gpu) => gpu.temperatureC },
  { name: 'gen_ai.gpu.power', description: 'GPU power draw', unit: 'W', read: (gpu) => gpu.powerW },
];

interface RunningTotals {
  timeMs: number;
  energyKWh: number;
  co2Grams: number;
  powerCostUsd: number;
}

/** Totals from the first sample up to each sample, summed over GPUs, PUE applied. */
function runningTotals(samples: readonly GpuSample[], options: GpuResourceMetricsOptions): RunningTotals[] {
  const totals: RunningTotals[] = [];
  let deviceKWh = 0;
  samples.forEach((sample, i) => {
    if (i > 0) deviceKWh += energyFromSamples([samples[i - 1]!, sample]).totalKWh;
    const costs = energyCosts(deviceKWh, {
      gramsPerKWh: options.gramsPerKWh ?? DEFAULT_GRAMS_PER_KWH,
      ...(options.pue !== undefined && { pue: options.pue }),
      ...(options.pricePerKWh !== undefined && { pricePerKWh: options.pricePerKWh }),
    });
    totals.push({ timeMs: sample.timeMs, ...costs });
  });
  return totals;
}

function sumMetric(
  name: string,
  description: string,
  unit: string,
  startNs: string,
  totals: readonly RunningTotals[],
  read: (total: RunningTotals) => number,
): OtlpMetric {
  return {
    name,
    description,
    unit,
    sum: {
      aggregationTemporality: 2,
      isMonotonic: true,
      dataPoints: totals.map((total) => ({
        attributes: [],
        startTimeUnixNano: startNs,
        timeUnixNano: unixNanoString(total.timeMs),
        ...numberValue(read(total)),
      })),
    },
  };
}

/** The `resourceMetrics` array of metrics.json for a run's GPU samples; `[]` without samples. */
export function gpuResourceMetrics(samples: readonly GpuSample[], options: GpuResourceMetricsOptions): OtlpResourceMetrics[] {
  if (samples.length === 0) return [];
  const batchSize = options.samplesPerBatch ?? samples.length;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('samplesPerBatch must be an integer >= 1');
  const totals = runningTotals(samples, options);
  const startNs = unixNanoString(samples[0]!.timeMs);
  const resource = {
    attributes: [
      { key: 'service.name', value: { stringValue: options.serviceName } },
      { key: 'run.id', value: { stringValue: options.runId } },
    ],
  };
  const batches: OtlpResourceMetrics[] = [];
  for (let first = 0; first < samples.length; first += batchSize) {
    const batch = samples.slice(first, first + batchSize);
    const batchTotals = totals.slice(first, first + batchSize);
    const gauges: OtlpMetric[] = GAUGES.map((gauge) => ({
      name: gauge.name,
      description: gauge.description,
      unit: gauge.unit,
      gauge: {
        dataPoints: batch.flatMap((sample) =>
          sample.gpus.flatMap((gpu) => {
            const value = gauge.read(gpu);
            if (value === null) return [];
            return [{ attributes: gpuAttributes(gpu), timeUnixNano: unixNanoString(sample.timeMs), ...numberValue(value) }];
          }),
        ),
      },
    }));
    const sums = [
      sumMetric('gen_ai.energy.consumed', 'Energy consumed by all GPUs, PUE applied', 'kWh', startNs, batchTotals, (t) => t.energyKWh),
      sumMetric('gen_ai.co2.emissions', 'CO2 emissions of all GPUs', 'gCO2e', startNs, batchTotals, (t) => t.co2Grams),
      sumMetric('gen_ai.power.cost', 'Electricity cost of all GPUs', 'USD', startNs, batchTotals, (t) => t.powerCostUsd),
    ];
    batches.push({
      resource,
      scopeMetrics: [{ scope: { name: GPU_METER_NAME, version: AGENT_EVAL_VERSION }, metrics: [...gauges, ...sums] }],
    });
  }
  return batches;
}
