/**
 * CPU energy ESTIMATE for machines without a GPU, in the manner of codecarbon's fallback when
 * RAPL is absent: power = TDP x CPU load. It is a model, not a measurement, and says so in its
 * result type. The load is the whole machine's (not this process's), and RAM, disks and the
 * idle floor are not counted.
 *
 * Default TDP: 85 W, codecarbon's constant for CPUs missing from its TDP table. It does not scale
 * with core count; pass `tdpWatts` from the CPU's datasheet for a better figure.
 */
import * as os from 'node:os';
import { JOULES_PER_KWH } from './gpu-sampler.js';

export const DEFAULT_CPU_TDP_WATTS = 85;
export const DEFAULT_CPU_INTERVAL_MS = 1000;

/** Machine CPU load in percent (0..100) since the previous call, like systeminformation's `currentLoad()`. */
export type LoadSource = () => Promise<number>;

export interface CpuEnergyEstimate {
  estimate: true;
  method: 'tdp-x-load';
  tdpWatts: number;
  /** Time-weighted mean load over the covered time, percent; null with no reading. */
  averageLoadPercent: number | null;
  /** Time covered by load readings. */
  durationMs: number;
  readings: number;
  /** tdpWatts x averageLoad/100 x duration, in kWh. */
  energyKWh: number;
}

export interface CpuEnergyEstimatorOptions {
  tdpWatts?: number;
  intervalMs?: number;
  /** Default: systeminformation's `currentLoad().currentLoad`, imported on first use. */
  loadSource?: LoadSource;
  now?: () => number;
}

async function systemLoad(): Promise<number> {
  const si = await import('systeminformation');
  return (await si.currentLoad()).currentLoad;
}

/**
 * Reads the load every `intervalMs` (never overlapping). Each reading is the mean load since the
 * previous one, so it is weighted by the time since the previous reading; `start()` takes a
 * priming reading that only sets the clock.
 */
export class CpuEnergyEstimator {
  private readonly tdpWatts: number;
  private readonly intervalMs: number;
  private readonly loadSource: LoadSource;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopping: Promise<CpuEnergyEstimate> | undefined;
  private started = false;
  private lastMs = 0;
  private weightedLoadMs = 0;
  private coveredMs = 0;
  private readings = 0;

  constructor(options: CpuEnergyEstimatorOptions = {}) {
    this.tdpWatts = options.tdpWatts ?? DEFAULT_CPU_TDP_WATTS;
    this.intervalMs = options.intervalMs ?? DEFAULT_CPU_INTERVAL_MS;
    if (!Number.isFinite(this.tdpWatts) || this.tdpWatts < 0) throw new RangeError('tdpWatts must be >= 0');
    if (!Number.isFinite(this.intervalMs) || this.intervalMs <= 0) throw new RangeError('intervalMs must be > 0');
    this.loadSource = options.loadSource ?? systemLoad;
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('CpuEnergyEstimator already started');
    this.started = true;
    try {
      await this.loadSource(); // priming: systeminformation measures from the previous call
    } catch {
      // a failing source just yields no readings
    }
    this.lastMs = this.now();
    if (this.stopping) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Takes a last reading and returns the estimate. Idempotent. */
  stop(): Promise<CpuEnergyEstimate> {
    this.stopping ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      if (this.inFlight) await this.inFlight;
      if (this.started) await this.read();
      return this.result();
    })();
    return this.stopping;
  }

  /** The estimate so far. */
  result(): CpuEnergyEstimate {
    const averageLoad = this.coveredMs > 0 ? this.weightedLoadMs / this.coveredMs : null;
    // W x (load share) x s = J; / 3.6e6 = kWh
    const joules = this.tdpWatts * (this.weightedLoadMs / 100) / 1000;
    return {
      estimate: true,
      method: 'tdp-x-load',
      tdpWatts: this.tdpWatts,
      averageLoadPercent: averageLoad,
      durationMs: this.coveredMs,
      readings: this.readings,
      energyKWh: joules / JOULES_PER_KWH,
    };
  }

  private tick(): void {
    if (this.inFlight || this.stopping) return;
    this.inFlight = this.read().finally(() => {
      this.inFlight = undefined;
    });
  }

  private async read(): Promise<void> {
    let load: number;
    try {
      load = await this.loadSource();
    } catch {
      return;
    }
    const at = this.now();
    const span = at - this.lastMs;
    this.lastMs = at;
    if (!Number.isFinite(load) || span <= 0) return;
    const share = Math.min(100, Math.max(0, load));
    this.weightedLoadMs += share * span;
    this.coveredMs += span;
    this.readings++;
  }
}

export interface MachineInfo {
  cpuModel: string;
  physicalCores: number;
  logicalCores: number;
  totalMemoryBytes: number;
  /** e.g. `Ubuntu 24.04.1 LTS (linux 6.8.0, x64)`. */
  os: string;
  platform: string;
  arch: string;
}

/** Run metadata about the host, from systeminformation (imported on first use), falling back to node:os. */
export async function machineInfo(): Promise<MachineInfo> {
  const cpus = os.cpus();
  const fallback: MachineInfo = {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    physicalCores: cpus.length,
    logicalCores: cpus.length,
    totalMemoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    platform: os.platform(),
    arch: os.arch(),
  };
  try {
    const si = await import('systeminformation');
    const [cpu, mem, info] = await Promise.all([si.cpu(), si.mem(), si.osInfo()]);
    const model = [cpu.manufacturer, cpu.brand].filter((part) => part && part.trim()).join(' ').trim();
    const distro = [info.distro, info.release].filter((part) => part && part.trim()).join(' ');
    return {
      cpuModel: model || fallback.cpuModel,
      physicalCores: cpu.physicalCores || fallback.physicalCores,
      logicalCores: cpu.cores || fallback.logicalCores,
      totalMemoryBytes: mem.total || fallback.totalMemoryBytes,
      os: distro ? `${distro} (${info.platform} ${info.kernel}, ${info.arch})` : fallback.os,
      platform: info.platform || fallback.platform,
      arch: info.arch || fallback.arch,
    };
  } catch {
    return fallback;
  }
}
