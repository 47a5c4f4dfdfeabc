/**
 * `--sandbox-limit NAME=VALUE` (repeatable): the caps the harness enforces on the code agent's sandbox, each with a
 * default that a flag can raise or lower. Sizes take B, KiB, MiB or GiB (or KB/MB/GB, read as the binary units).
 */
import { InputError } from '../errors.js';
import { SANDBOX_DEFAULTS } from './types.js';

export interface SandboxLimitOptions {
  outputLimitBytes?: number;
  finalAnswerBytes?: number;
  toolArgumentBytes?: number;
  toolCallsPerStep?: number;
  memoryLimitMiB?: number;
  /** Bytes one task's tools may write to files in all (enforced by the file tools). */
  writtenBytesPerTask?: number;
}

const LIMITS = {
  observation: { key: 'outputLimitBytes', unit: 'bytes', fallback: `${SANDBOX_DEFAULTS.outputLimitBytes / 1024}KiB` },
  'final-answer': { key: 'finalAnswerBytes', unit: 'bytes', fallback: `${SANDBOX_DEFAULTS.finalAnswerBytes / 1024}KiB` },
  'tool-arguments': { key: 'toolArgumentBytes', unit: 'bytes', fallback: `${SANDBOX_DEFAULTS.toolArgumentBytes / 1024}KiB` },
  'tool-calls-per-step': { key: 'toolCallsPerStep', unit: 'count', fallback: String(SANDBOX_DEFAULTS.toolCallsPerStep) },
  memory: { key: 'memoryLimitMiB', unit: 'mebibytes', fallback: `${SANDBOX_DEFAULTS.memoryLimitMiB}MiB` },
  'written-per-task': { key: 'writtenBytesPerTask', unit: 'bytes', fallback: '50MiB' },
} as const;

export const SANDBOX_LIMIT_HELP = Object.entries(LIMITS)
  .map(([name, limit]) => `${name} (${limit.fallback})`)
  .join(', ');

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 2 ** 20, mb: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gb: 2 ** 30, gib: 2 ** 30 };

function size(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const factor = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined) throw new InputError(`${flag}: '${text}' is not a size (e.g. 64KiB, 2MiB)`);
  return Math.floor(Number(match[1]) * factor);
}

/** Parses the repeated flag values into sandbox options. */
export function parseSandboxLimits(values: readonly string[] | undefined): SandboxLimitOptions {
  const out: SandboxLimitOptions = {};
  for (const value of values ?? []) {
    const [name = '', raw] = value.split('=', 2);
    const limit = LIMITS[name.trim() as keyof typeof LIMITS];
    const flag = `--sandbox-limit ${value}`;
    if (!limit) throw new InputError(`${flag}: unknown limit '${name}'; choose one of ${Object.keys(LIMITS).join(', ')}`);
    if (raw === undefined || !raw.trim()) throw new InputError(`${flag}: give a value, as in ${name}=${limit.fallback}`);
    let amount: number;
    if (limit.unit === 'count') {
      amount = Number(raw);
      if (!Number.isInteger(amount)) throw new InputError(`${flag}: must be a whole number`);
    } else if (limit.unit === 'mebibytes') amount = Math.floor(size(/[a-z]$/i.test(raw.trim()) ? raw : `${raw}MiB`, flag) / 2 ** 20);
    else amount = size(raw, flag);
    if (amount < 1) throw new InputError(`${flag}: must be more than 0`);
    out[limit.key] = amount;
  }
  return out;
}
