/**
 * Periodic GPU sampling through nvidia-smi, and the pure functions that turn samples into energy
 * and per-window statistics (so the runner can attribute energy to a task by its start/end time).
 */
import { errorMessage } from '../errors.js';
import { queryGpus, type GpuQueryResult, type GpuReading, type NvidiaSmiOptions } from './nvidia-smi.js';

export interface GpuSample {
  /** `Date.now()` when the reading came back. */
  timeMs: number;
  gpus: GpuReading[];
}

export interface GpuSamplerOptions extends NvidiaSmiOptions {
  /** Sampling period; default 1000 ms. */
  intervalMs?: number;
  /** Replaces nvidia-smi (tests, other vendors). */
  query?: () => Promise<GpuQueryResult>;
  now?: () => number;
}

export const DEFAULT_GPU_INTERVAL_MS = 1000;

/**
 * Samples every GPU each `intervalMs`. `start()` probes once: without a usable nvidia-smi it only
 * records `unavailableReason` (the caller prints it once) and never samples. Calls never overlap:
 * a tick that finds the previous query still running is skipped.
 */
export class GpuSampler {
  readonly samples: GpuSample[] = [];
  available = false;
  unavailableReason: string | null = null;
  /** Names by GPU index, from the probe. */
  gpuNames: string[] = [];
  /** Queries that failed after a successful probe (e.g. driver gone mid-run); skipped, not recorded. */
  failedSamples = 0;

  private readonly intervalMs: number;
  private readonly query: () => Promise<GpuQueryResult>;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private started = false;

  constructor(options: GpuSamplerOptions = {}) {
    this.intervalMs = options.intervalMs ?? DEFAULT_GPU_INTERVAL_MS;
    if (!Number.isFinite(this.intervalMs) || this.intervalMs <= 0) throw new RangeError('intervalMs must be > 0');
    this.query = options.query ?? (() => queryGpus(options));
    this.now = options.now ?? Date.now;
  }

  /** Probes and, when a GPU answers, starts the timer. Resolves to `available`. */
  async start(): Promise<boolean> {
    if (this.started || this.stopping) throw new Error('GpuSampler already started');
    this.started = true;
    let probe: GpuQueryResult;
    try {
      probe = await this.query();
    } catch (error) {
      probe = { available: false, reason: errorMessage(error) };
    }
    if (!probe.available) {
      this.unavailableReason = probe.reason;
      return false;
    }
    this.available = true;
    for (const gpu of probe.gpus) this.gpuNames[gpu.index] = gpu.name;
    this.samples.push({ timeMs: this.now(), gpus: probe.gpus });
    if (this.stopping) return true; // stop() was called during the probe
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    return true;
  }

  /** Stops the timer, waits for a running query, then takes one last sample. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      if (this.inFlight) await this.inFlight;
      if (this.available) await this.sample();
    })();
    return this.stopping;
  }

  private tick(): void {
    if (this.inFlight || this.stopping) return;
    this.inFlight = this.sample().finally(() => {
      this.inFlight = undefined;
    });
  }

  private async sample(): Promise<void> {
    let result: GpuQueryResult;
    try {
      result = await this.query();
    } catch {
      result = { available: false, reason: 'query failed' };
    }
    if (result.available) this.samples.push({ timeMs: this.now(), gpus: result.gpus });
    else this.failedSamples++;
  }
}

export interface GpuEnergy {
  index: number;
  name: string;
  energyKWh: number;
}

export interface EnergyReport {
  /** Sum over GPUs (SMOLTRACE took the max of per-GPU counters instead). */
  totalKWh: number;
  perGpu: GpuEnergy[];
}

/**
 * Unit math: W x s = J, and 1 kWh = 1000 W x 3600 s = 3.6e6 J, so kWh = W x s / 3.6e6.
 * SMOLTRACE computed `(W/1000) x seconds` = kW·s, called it Wh and divided by 1000 for "kWh":
 * kW·s / 1000 instead of kW·s / 3600, i.e. 3.6x too much.
 */
export const JOULES_PER_KWH = 3.6e6;

/**
 * Energy by the trapezoid rule over consecutive samples, per GPU (matched by index). An interval
 * where either end lacks a power reading for that GPU is skipped. With `fromMs`/`toMs` the power
 * curve (linear between samples) is clipped to the window, so adjacent windows add up exactly.
 */
export function energyFromSamples(
  samples: readonly GpuSample[],
  window: { fromMs?: number; toMs?: number } = {},
): EnergyReport {
  const from = window.fromMs ?? -Infinity;
  const to = window.toMs ?? Infinity;
  const joules = new Map<number, { name: string; joules: number }>();
  for (const sample of samples) {
    for (const gpu of sample.gpus) if (!joules.has(gpu.index)) joules.set(gpu.index, { name: gpu.name, joules: 0 });
  }
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const start = Math.max(a.timeMs, from);
    const end = Math.min(b.timeMs, to);
    const span = b.timeMs - a.timeMs;
    for (const gpu of b.gpus) {
      const entry = joules.get(gpu.index)!;
      const before = a.gpus.find((candidate) => candidate.index === gpu.index);
      if (span <= 0 || end <= start || before?.powerW == null || gpu.powerW == null) continue;
      const pa = before.powerW;
      const slope = (gpu.powerW - pa) / span;
      const powerAt = (t: number) => pa + slope * (t - a.timeMs);
      entry.joules += ((powerAt(start) + powerAt(end)) / 2) * ((end - start) / 1000);
    }
  }
  const perGpu = [...joules.entries()]
    .sort(([x], [y]) => x - y)
    .map(([index, { name, joules: j }]) => ({ index, name, energyKWh: j / JOULES_PER_KWH }));
  return { totalKWh: perGpu.reduce((total, gpu) => total + gpu.energyKWh, 0), perGpu };
}

export interface GpuWindowStats {
  /** Samples whose time lies in [fromMs, toMs]. */
  sampleCount: number;
  utilizationAvg: number | null;
  utilizationMax: number | null;
  memoryUsedAvgMiB: number | null;
  memoryUsedMaxMiB: number | null;
  temperatureAvgC: number | null;
  temperatureMaxC: number | null;
  powerAvgW: number | null;
}

function avgMax(values: readonly (number | null)[]): { avg: number | null; max: number | null } {
  const known = values.filter((value): value is number => value !== null);
  if (known.length === 0) return { avg: null, max: null };
  return { avg: known.reduce((total, value) => total + value, 0) / known.length, max: Math.max(...known) };
}

/**
 * Average and maximum over every reading (each GPU of each sample) taken in [fromMs, toMs],
 * like SMOLTRACE's leaderboard columns (spec 6.5) but for one window; unrounded. Null readings
 * are left out; a field is null when the window holds no reading of it (e.g. a task shorter than
 * the sampling interval).
 */
export function windowStats(samples: readonly GpuSample[], fromMs: number, toMs: number): GpuWindowStats {
  const inWindow = samples.filter((sample) => sample.timeMs >= fromMs && sample.timeMs <= toMs);
  const readings = inWindow.flatMap((sample) => sample.gpus);
  const utilization = avgMax(readings.map((gpu) => gpu.utilizationPercent));
  const memory = avgMax(readings.map((gpu) => gpu.memoryUsedMiB));
  const temperature = avgMax(readings.map((gpu) => gpu.temperatureC));
  const power = avgMax(readings.map((gpu) => gpu.powerW));
  return {
    sampleCount: inWindow.length,
    utilizationAvg: utilization.avg,
    utilizationMax: utilization.max,
    memoryUsedAvgMiB: memory.avg,
    memoryUsedMaxMiB: memory.max,
    temperatureAvgC: temperature.avg,
    temperatureMaxC: temperature.max,
    powerAvgW: power.avg,
  };
}
