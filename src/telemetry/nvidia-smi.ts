/**
 * GPU readings straight from `nvidia-smi` (no NVML binding, no `lspci`): systeminformation's
 * `graphics()` needs pciutils to list NVIDIA GPUs, which many containers lack, so we ask
 * nvidia-smi for exactly the fields SMOLTRACE exports (spec 9.3) plus `index` and `uuid`.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { z } from 'zod';

/** The fields queried, in CSV column order. */
export const GPU_QUERY_FIELDS = [
  'index',
  'name',
  'uuid',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
] as const;

export const NVIDIA_SMI_ARGS: readonly string[] = [
  `--query-gpu=${GPU_QUERY_FIELDS.join(',')}`,
  '--format=csv,noheader,nounits',
];

export const DEFAULT_NVIDIA_SMI_TIMEOUT_MS = 5000;

/** One GPU at one instant. Measurements nvidia-smi reports as `[N/A]` / `[Not Supported]` are null. */
export interface GpuReading {
  index: number;
  name: string;
  uuid: string;
  utilizationPercent: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  temperatureC: number | null;
  powerW: number | null;
}

export type GpuQueryResult = { available: true; gpus: GpuReading[] } | { available: false; reason: string };

export interface NvidiaSmiOptions {
  /** Path or name of the binary; default `nvidia-smi` looked up on PATH. */
  binary?: string;
  timeoutMs?: number;
}

/** A measurement cell: a number, or null for nvidia-smi's bracketed placeholders and `N/A`. */
const measurement = z.string().transform((raw, ctx): number | null => {
  const text = raw.trim();
  if (text === '' || text === 'N/A' || /^\[.*\]$/.test(text)) return null;
  const value = Number(text);
  if (!Number.isFinite(value)) {
    ctx.addIssue({ code: 'custom', message: `not a number: ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return value;
});

const rowSchema = z.object({
  index: z
    .string()
    .trim()
    .regex(/^\d+$/, 'GPU index must be a non-negative integer')
    .transform((text) => Number(text)),
  name: z.string().trim().min(1, 'GPU name is empty'),
  uuid: z.string().trim(),
  utilizationPercent: measurement,
  memoryUsedMiB: measurement,
  memoryTotalMiB: measurement,
  temperatureC: measurement,
  powerW: measurement,
});

/** Thrown by {@link parseNvidiaSmiCsv} for output that is not the expected CSV. */
export class NvidiaSmiParseError extends Error {
  override readonly name = 'NvidiaSmiParseError';
}

/** Parses `--format=csv,noheader,nounits` output of {@link NVIDIA_SMI_ARGS}: one GPU per non-empty line. */
export function parseNvidiaSmiCsv(text: string): GpuReading[] {
  const gpus: GpuReading[] = [];
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  lines.forEach((line, lineIndex) => {
    const cells = line.split(',');
    if (cells.length !== GPU_QUERY_FIELDS.length) {
      throw new NvidiaSmiParseError(
        `line ${lineIndex + 1}: expected ${GPU_QUERY_FIELDS.length} fields, got ${cells.length}: ${line.trim()}`,
      );
    }
    const [index, name, uuid, utilization, memoryUsed, memoryTotal, temperature, power] = cells;
    const parsed = rowSchema.safeParse({
      index,
      name,
      uuid,
      utilizationPercent: utilization,
      memoryUsedMiB: memoryUsed,
      memoryTotalMiB: memoryTotal,
      temperatureC: temperature,
      powerW: power,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') ?? '?';
      throw new NvidiaSmiParseError(`line ${lineIndex + 1}: ${where}: ${issue?.message ?? 'invalid'}`);
    }
    gpus.push(parsed.data);
  });
  return gpus;
}

function firstLine(...texts: string[]): string | undefined {
  for (const text of texts) {
    const line = text.split(/\r?\n/).find((candidate) => candidate.trim() !== '');
    if (line !== undefined) return line.trim();
  }
  return undefined;
}

interface ExecOutcome {
  error: ExecFileException | null;
  stdout: string;
  stderr: string;
}

function run(binary: string, timeoutMs: number): Promise<ExecOutcome> {
  return new Promise((resolve) => {
    execFile(binary, [...NVIDIA_SMI_ARGS], { timeout: timeoutMs, encoding: 'utf8', windowsHide: true }, (error, stdout, stderr) =>
      resolve({ error, stdout, stderr }),
    );
  });
}

/**
 * Runs nvidia-smi once. Never throws: a missing binary, a failing driver, a timeout or
 * unparseable output all give `{ available: false, reason }` (one line, for the user).
 */
export async function queryGpus(options: NvidiaSmiOptions = {}): Promise<GpuQueryResult> {
  const binary = options.binary ?? 'nvidia-smi';
  const timeoutMs = options.timeoutMs ?? DEFAULT_NVIDIA_SMI_TIMEOUT_MS;
  const { error, stdout, stderr } = await run(binary, timeoutMs);
  if (error) {
    if (error.code === 'ENOENT') return { available: false, reason: 'nvidia-smi not found' };
    if (error.killed && error.signal) return { available: false, reason: `nvidia-smi timed out after ${timeoutMs} ms` };
    if (typeof error.code !== 'string') {
      const exit = typeof error.code === 'number' ? `exit code ${error.code}` : `signal ${error.signal ?? '?'}`;
      return { available: false, reason: firstLine(stderr, stdout) ?? `nvidia-smi failed (${exit})` };
    }
    return { available: false, reason: `nvidia-smi could not run: ${error.message.split('\n')[0] ?? error.code}` };
  }
  try {
    const gpus = parseNvidiaSmiCsv(stdout);
    if (gpus.length === 0) return { available: false, reason: 'nvidia-smi listed no GPUs' };
    return { available: true, gpus };
  } catch (parseError) {
    if (parseError instanceof NvidiaSmiParseError) {
      return { available: false, reason: `unexpected nvidia-smi output: ${parseError.message}` };
    }
    throw parseError;
  }
}
