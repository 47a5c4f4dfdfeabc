import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { DEFAULT_GRAMS_PER_KWH, carbonIntensity, energyCosts, knownGridCodes } from '../../src/telemetry/carbon.js';

const require = createRequire(import.meta.url);
const table = (require('@tgwf/co2/data') as { averageIntensity: { data: Record<string, number> } }).averageIntensity.data;

describe('carbonIntensity', () => {
  it("defaults to SMOLTRACE's 475 g/kWh", () => {
    expect(carbonIntensity()).toEqual({ gramsPerKWh: 475, source: 'default' });
    expect(DEFAULT_GRAMS_PER_KWH).toBe(475);
  });

  it('takes an explicit value over a country', () => {
    expect(carbonIntensity({ gramsPerKWh: 120, countryIso3: 'FRA' })).toEqual({ gramsPerKWh: 120, source: 'flag' });
    expect(carbonIntensity({ gramsPerKWh: 0 })).toEqual({ gramsPerKWh: 0, source: 'flag' });
  });

  it("looks a country up in @tgwf/co2's average grid intensities, case-insensitively", () => {
    const france = carbonIntensity({ countryIso3: 'fra' });
    expect(france.gramsPerKWh).toBe(table.FRA);
    expect(france.gramsPerKWh).toBeGreaterThan(0);
    expect(france.gramsPerKWh).toBeLessThan(200); // nuclear-heavy grid
    expect(france.source).toMatch(/^country:FRA \(@tgwf\/co2 \d+\.\d+\.\d+\)$/);
    expect(carbonIntensity({ countryIso3: 'USA' }).gramsPerKWh).toBe(table.USA);
    expect(knownGridCodes()).toEqual(expect.arrayContaining(['DEU', 'USA', 'WORLD']));
  });

  it('rejects an unknown country code and bad values with InputError', () => {
    expect(() => carbonIntensity({ countryIso3: 'XYZ' })).toThrow(InputError);
    expect(() => carbonIntensity({ countryIso3: 'XYZ' })).toThrow('--country XYZ: no grid intensity for this country code');
    expect(() => carbonIntensity({ countryIso3: 'constructor' })).toThrow(InputError);
    expect(() => carbonIntensity({ gramsPerKWh: -1 })).toThrow(InputError);
    expect(() => carbonIntensity({ gramsPerKWh: Number.NaN })).toThrow(InputError);
  });
});

describe('energyCosts', () => {
  it('CO2 is kWh x intensity and cost kWh x 0.12 by default', () => {
    const costs = energyCosts(0.4, { gramsPerKWh: 475 });
    expect(costs.energyKWh).toBe(0.4);
    expect(costs.co2Grams).toBeCloseTo(190, 10);
    expect(costs.powerCostUsd).toBeCloseTo(0.048, 12);
  });

  it('applies PUE to the energy before CO2 and cost', () => {
    const costs = energyCosts(2, { gramsPerKWh: 100, pue: 1.5, pricePerKWh: 0.3 });
    expect(costs).toEqual({ energyKWh: 3, co2Grams: 300, powerCostUsd: expect.closeTo(0.9, 12) });
  });

  it('rejects a PUE below 1, a negative price and negative energy', () => {
    expect(() => energyCosts(1, { gramsPerKWh: 475, pue: 0.9 })).toThrow(InputError);
    expect(() => energyCosts(1, { gramsPerKWh: 475, pricePerKWh: -1 })).toThrow(InputError);
    expect(() => energyCosts(-1, { gramsPerKWh: 475 })).toThrow(RangeError);
  });
});
