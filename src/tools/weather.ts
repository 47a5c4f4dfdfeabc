import { z } from 'zod';
import { defineTool } from './types.js';

/** SMOLTRACE's fixed weather table (spec 3.1); keys are matched case- and whitespace-insensitively. */
export const WEATHER_DATA: Readonly<Record<string, string>> = {
  'Paris, France': '20°C, Partly Cloudy',
  'London, UK': '15°C, Rainy',
  'New York, USA': '25°C, Sunny',
  'Tokyo, Japan': '18°C, Clear',
  'Sydney, Australia': '22°C, Windy',
};

const normalize = (location: string): string =>
  location.trim().replace(/\s*,\s*/g, ', ').replace(/\s+/g, ' ').toLowerCase();

const LOOKUP = new Map(Object.entries(WEATHER_DATA).map(([key, value]) => [normalize(key), value]));

/**
 * The weather string for a location. SMOLTRACE matched the keys exactly; here `paris, france` and
 * `Paris ,France` match too. Unknown places get SMOLTRACE's fallback, with the location as given.
 */
export function lookupWeather(location: string): string {
  return LOOKUP.get(normalize(location)) ?? `Weather data for ${location}: 22°C, Clear`;
}

export const weatherTool = defineTool({
  name: 'get_weather',
  description:
    'Gets the current weather for a location. Returns the temperature in degrees Celsius and the condition, ' +
    'e.g. "20°C, Partly Cloudy".',
  input: z.object({
    location: z.string().describe('The city and country, e.g. "Paris, France" or "Tokyo, Japan".'),
  }),
  outputType: 'string',
  async execute({ location }) {
    return lookupWeather(location);
  },
});
