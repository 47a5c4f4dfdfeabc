/**
 * Grid carbon intensity and the CO2 / power cost of measured energy. Offline: country averages
 * come from the tables bundled in `@tgwf/co2` (Ember annual averages, gCO2e/kWh by ISO 3166-1
 * alpha-3 code or region such as WORLD, EU).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';

/** SMOLTRACE's default (`GENAI_CARBON_INTENSITY`), close to Ember's world average. */
export const DEFAULT_GRAMS_PER_KWH = 475;
/** SMOLTRACE's default (`GENAI_POWER_COST_PER_KWH`). */
export const DEFAULT_PRICE_PER_KWH = 0.12;

export type CarbonIntensitySource = 'default' | 'flag' | `country:${string}`;

export interface CarbonIntensity {
  gramsPerKWh: number;
  source: CarbonIntensitySource;
}

const co2DataSchema = z.object({
  averageIntensity: z.object({ data: z.record(z.string(), z.number()) }),
});

interface GridTable {
  data: Record<string, number>;
  /** e.g. `@tgwf/co2 0.19.0`: the table carries no year (each country has Ember's latest annual value). */
  label: string;
}

let gridTable: GridTable | undefined;

/**
 * `@tgwf/co2` ships no type declarations, so its `./data` export is loaded with require and
 * validated. Its package.json is not exported, so the version is read next to the resolved file.
 */
function loadGridTable(): GridTable {
  if (gridTable) return gridTable;
  const require = createRequire(import.meta.url);
  const parsed = co2DataSchema.parse(require('@tgwf/co2/data'));
  let version = '';
  try {
    let dir = dirname(require.resolve('@tgwf/co2/data'));
    for (let depth = 0; depth < 4 && !version; depth++, dir = dirname(dir)) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
        if (manifest.name === '@tgwf/co2' && typeof manifest.version === 'string') version = manifest.version;
      } catch {
        // no package.json at this level
      }
    }
  } catch {
    // version is only a label
  }
  gridTable = { data: parsed.averageIntensity.data, label: version ? `@tgwf/co2 ${version}` : '@tgwf/co2' };
  return gridTable;
}

/** Every code `--country` accepts (ISO3 countries and Ember regions), sorted. */
export function knownGridCodes(): string[] {
  return Object.keys(loadGridTable().data).sort();
}

/**
 * Carbon intensity to use: an explicit `gramsPerKWh` wins, then the average grid intensity of
 * `countryIso3` (case-insensitive), then SMOLTRACE's 475 g/kWh. Unknown country or a negative
 * value -> InputError.
 */
export function carbonIntensity(options: { gramsPerKWh?: number; countryIso3?: string } = {}): CarbonIntensity {
  if (options.gramsPerKWh !== undefined) {
    if (!Number.isFinite(options.gramsPerKWh) || options.gramsPerKWh < 0) {
      throw new InputError(`carbon intensity ${options.gramsPerKWh}: must be a number of gCO2e/kWh >= 0`);
    }
    return { gramsPerKWh: options.gramsPerKWh, source: 'flag' };
  }
  if (options.countryIso3 !== undefined) {
    const code = options.countryIso3.trim().toUpperCase();
    const table = loadGridTable();
    const grams = Object.hasOwn(table.data, code) ? table.data[code] : undefined;
    if (grams === undefined) {
      throw new InputError(`--country ${options.countryIso3}: no grid intensity for this country code`);
    }
    return { gramsPerKWh: grams, source: `country:${code} (${table.label})` };
  }
  return { gramsPerKWh: DEFAULT_GRAMS_PER_KWH, source: 'default' };
}

export interface EnergyCostOptions {
  /** Power usage effectiveness of the data centre (>= 1); default 1.0 (SMOLTRACE applied none). */
  pue?: number;
  gramsPerKWh: number;
  /** USD per kWh; default 0.12. */
  pricePerKWh?: number;
}

export interface EnergyCosts {
  /** Measured energy times PUE. */
  energyKWh: number;
  co2Grams: number;
  powerCostUsd: number;
}

/** CO2 and power cost of `kWh` of measured (device) energy. */
export function energyCosts(kWh: number, options: EnergyCostOptions): EnergyCosts {
  const pue = options.pue ?? 1.0;
  const price = options.pricePerKWh ?? DEFAULT_PRICE_PER_KWH;
  if (!Number.isFinite(pue) || pue < 1) throw new InputError(`PUE ${pue}: must be a number >= 1`);
  if (!Number.isFinite(price) || price < 0) throw new InputError(`power price ${price}: must be a number of USD/kWh >= 0`);
  if (!Number.isFinite(kWh) || kWh < 0) throw new RangeError(`energy must be a finite number >= 0, got ${kWh}`);
  const energyKWh = kWh * pue;
  return { energyKWh, co2Grams: energyKWh * options.gramsPerKWh, powerCostUsd: energyKWh * price };
}
