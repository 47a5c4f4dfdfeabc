import { z } from 'zod';
import { InputError } from '../errors.js';
import type { GenerationParameters } from './types.js';

const number = z.number({ error: 'must be a number' });

/** Recognised `--model-args` keys and their aliases across providers. */
const KNOWN: Record<string, { target: keyof Omit<GenerationParameters, 'extra'>; schema: z.ZodType }> = {
  temperature: { target: 'temperature', schema: number.min(0) },
  top_p: { target: 'topP', schema: number.min(0).max(1) },
  max_tokens: { target: 'maxOutputTokens', schema: z.number().int().positive() },
  max_new_tokens: { target: 'maxOutputTokens', schema: z.number().int().positive() },
  max_output_tokens: { target: 'maxOutputTokens', schema: z.number().int().positive() },
  seed: { target: 'seed', schema: z.number().int() },
  stop: {
    target: 'stop',
    schema: z.union([z.string().transform((value) => [value]), z.array(z.string())]),
  },
};

/**
 * Turns `--model-args` into generation parameters sent to the provider (never into the prompt).
 * Known keys are type-checked; others pass through to the request body unchanged. `flag` names the
 * flag the arguments came from in errors (`--user-args`, `--judge-args`).
 */
export function toGenerationParameters(modelArgs: Record<string, unknown>, flag = '--model-args'): GenerationParameters {
  const parameters: GenerationParameters = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(modelArgs)) {
    const known = KNOWN[key];
    if (!known) {
      extra[key] = value;
      continue;
    }
    const parsed = known.schema.safeParse(value);
    if (!parsed.success) {
      throw new InputError(`${flag} ${key}=${JSON.stringify(value)}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`);
    }
    (parameters as Record<string, unknown>)[known.target] = parsed.data;
  }
  if (Object.keys(extra).length) parameters.extra = extra;
  return parameters;
}
