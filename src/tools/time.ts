import { z } from 'zod';
import { ToolError, defineTool } from './types.js';

const OFFSET = /^(?:(?:UTC|GMT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** Minutes east of UTC for `UTC+2`, `GMT-03:30`, `+05:30`, `+0530`; undefined when not an offset. */
export function parseUtcOffset(zone: string): number | undefined {
  const match = OFFSET.exec(zone);
  if (!match) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3] ?? '0');
  if (hours > 14 || minutes >= 60) return undefined;
  return (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function formatter(timeZone: string): Intl.DateTimeFormat | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    return undefined;
  }
}

/** `YYYY-MM-DD HH:MM:SS` of `date` in `zone` (IANA name, UTC/GMT or a fixed offset); undefined if unknown. */
export function formatInTimeZone(date: Date, zone: string): string | undefined {
  const offset = parseUtcOffset(zone);
  const shifted = offset === undefined ? date : new Date(date.getTime() + offset * 60_000);
  const format = formatter(offset === undefined ? zone : 'UTC');
  if (!format) return undefined;
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(shifted)) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

export const timeTool = defineTool({
  name: 'get_current_time',
  description:
    'Gets the current date and time in a time zone, formatted as YYYY-MM-DD HH:MM:SS (24-hour clock).',
  input: z.object({
    timezone: z
      .string()
      .optional()
      .describe('An IANA time zone such as "Europe/Paris" or "Asia/Tokyo", "UTC", or an offset like "UTC+2". Default: UTC.'),
  }),
  outputType: 'string',
  async execute({ timezone }, context) {
    const zone = timezone?.trim() || 'UTC';
    const formatted = formatInTimeZone(context.now(), zone);
    if (formatted === undefined) {
      throw new ToolError(`Unknown time zone '${zone}'. Use an IANA name such as 'Europe/Paris' or 'UTC'.`);
    }
    return `Current time in ${zone}: ${formatted}`;
  },
});
