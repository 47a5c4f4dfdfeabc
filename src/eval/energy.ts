import { carbonIntensity, energyCosts, type CarbonIntensity } from '../telemetry/carbon.js';
import type { CpuEnergyEstimate, CpuEnergyEstimator } from '../telemetry/cpu-estimate.js';
import { energyFromSamples, windowStats, type GpuSample, type GpuSampler, type GpuWindowStats } from '../telemetry/gpu-sampler.js';
import type { RunOptions } from './types.js';

/** Providers that run the model on this machine, where GPU sampling is on by default. */
const LOCAL_PROVIDERS = new Set(['ollama', 'transformers']);

export interface EnergySettings {
  enabled: boolean;
  intervalMs: number;
  intensity: CarbonIntensity;
  pue: number;
  pricePerKWh: number;
  nvidiaSmi?: string;
  /**
   * The model computes on this machine's CPU (a local model on --device cpu): the CPU estimate is
   * reported even where a GPU is sampled, since the GPU's draw is not the model's.
   */
  modelOnCpu?: boolean;
}

/** Resolves and checks the energy settings (bad values are InputErrors before anything runs). */
export function energySettings(options: RunOptions, modelProvider: string, env: Record<string, string | undefined>): EnergySettings {
  const intensity = carbonIntensity({ gramsPerKWh: options.carbonIntensity, countryIso3: options.country });
  const settings: EnergySettings = {
    enabled: options.gpuMetrics ?? LOCAL_PROVIDERS.has(modelProvider),
    intervalMs: (options.gpuSampleIntervalSeconds ?? 1) * 1000,
    intensity,
    pue: options.pue ?? 1,
    pricePerKWh: options.electricityPrice ?? 0.12,
    nvidiaSmi: env.AGENT_EVAL_NVIDIA_SMI,
    modelOnCpu: modelProvider === 'transformers' && (options.device ?? 'cpu') === 'cpu',
  };
  energyCosts(0, { gramsPerKWh: intensity.gramsPerKWh, pue: settings.pue, pricePerKWh: settings.pricePerKWh });
  return settings;
}

/** What the run measured: GPU samples and their totals, or a labelled CPU estimate without a GPU. */
export interface EnergyReportForRun {
  enabled: boolean;
  gpuAvailable: boolean;
  gpuUnavailableReason: string | null;
  gpuNames: string[];
  samples: GpuSample[];
  stats: GpuWindowStats | null;
  /** Measured GPU energy times PUE, with its CO2 and power cost; null when nothing was measured. */
  measured: { energyKWh: number; co2Grams: number; powerCostUsd: number } | null;
  cpuEstimate: (CpuEnergyEstimate & { co2Grams: number; powerCostUsd: number }) | null;
  settings: Omit<EnergySettings, 'enabled'>;
}

export class EnergyMonitor {
  private gpu?: GpuSampler;
  private cpu?: CpuEnergyEstimator;
  private startedAtMs = 0;

  constructor(private readonly settings: EnergySettings) {}

  /** Starts sampling; returns a notice when GPU metrics were wanted but no GPU can be read. */
  async start(): Promise<string | undefined> {
    if (!this.settings.enabled) return undefined;
    this.startedAtMs = Date.now();
    const { GpuSampler } = await import('../telemetry/gpu-sampler.js');
    this.gpu = new GpuSampler({ intervalMs: this.settings.intervalMs, binary: this.settings.nvidiaSmi });
    const gpuAvailable = await this.gpu.start();
    if (gpuAvailable && !this.settings.modelOnCpu) return undefined;
    const { CpuEnergyEstimator } = await import('../telemetry/cpu-estimate.js');
    this.cpu = new CpuEnergyEstimator({ intervalMs: this.settings.intervalMs });
    await this.cpu.start();
    if (gpuAvailable) return 'the model runs on the CPU: its energy is the CPU estimate (TDP x load); the GPU figures are the GPU\'s own draw';
    return `GPU metrics: ${this.gpu.unavailableReason}; no GPU figures, CPU energy is estimated (TDP x load)`;
  }

  async stop(): Promise<EnergyReportForRun> {
    const { enabled: _enabled, ...settings } = this.settings;
    await this.gpu?.stop();
    const samples = this.gpu?.samples ?? [];
    const gpuAvailable = this.gpu?.available ?? false;
    const cost = (kWh: number) => energyCosts(kWh, { gramsPerKWh: settings.intensity.gramsPerKWh, pue: settings.pue, pricePerKWh: settings.pricePerKWh });
    const cpu = this.cpu ? await this.cpu.stop() : null;
    return {
      enabled: this.settings.enabled,
      gpuAvailable,
      gpuUnavailableReason: this.gpu?.unavailableReason ?? null,
      gpuNames: this.gpu?.gpuNames ?? [],
      samples,
      stats: gpuAvailable ? windowStats(samples, this.startedAtMs, Date.now()) : null,
      measured: gpuAvailable ? cost(energyFromSamples(samples).totalKWh) : null,
      cpuEstimate: cpu ? { ...cpu, ...(({ co2Grams, powerCostUsd }) => ({ co2Grams, powerCostUsd }))(cost(cpu.energyKWh)) } : null,
      settings,
    };
  }
}
