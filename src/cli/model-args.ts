import { InputError } from '../errors.js';

/** One `--model-args` value, converted like SMOLTRACE: JSON, then number, then true/false, then text. */
export function convertModelArgValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // not JSON: fall through
  }
  if (/^[+-]?\d+$/.test(raw)) return Number.parseInt(raw, 10);
  if (/^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$/.test(raw)) return Number.parseFloat(raw);
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  return raw;
}

/** Parses `K=V` items (split on the first '='); an item without '=' is an error (naming `flag`), not a silent skip. */
export function parseModelArgs(items: readonly string[] | undefined, flag = '--model-args'): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const item of items ?? []) {
    const equals = item.indexOf('=');
    const key = equals > 0 ? item.slice(0, equals).trim() : '';
    if (!key) throw new InputError(`${flag} ${item}: expected KEY=VALUE`);
    result[key] = convertModelArgValue(item.slice(equals + 1).trim());
  }
  return result;
}
