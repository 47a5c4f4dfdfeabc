/** The `--pricing` file: custom per-model prices in USD per million tokens, validated with zod. */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../errors.js';

const price = z.number().nonnegative('must be >= 0 (USD per million tokens)');

const customPriceSchema = z.strictObject({
  input_per_mtok: price,
  output_per_mtok: price,
  cache_read_per_mtok: price.optional(),
  cache_write_per_mtok: price.optional(),
});

const pricingFileSchema = z.object({
  models: z.record(z.string().regex(/\S/, 'model id must not be empty'), customPriceSchema),
});

export type CustomPrice = z.infer<typeof customPriceSchema>;

/** One custom entry, keyed in the map by its lower-cased id. */
export interface CustomPriceEntry {
  /** The key as written in the file (`my-model` or `provider/model`). */
  key: string;
  price: CustomPrice;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => {
      const text = String(part);
      if (index > 0 && (text.includes('.') || text === '')) return `[${JSON.stringify(text)}]`;
      return index > 0 ? `.${text}` : text;
    })
    .join('');
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    return 'input' in issue && issue.input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}`;
  }
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  return issue.message;
}

/**
 * Reads and validates a custom pricing file. Keys are matched case-insensitively, so two keys that
 * differ only in case are an error. Throws InputError naming the file (as given) and the field.
 */
export async function loadPricingFile(file: string): Promise<Map<string, CustomPriceEntry>> {
  const label = `--pricing ${file}`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new InputError(`${label}: cannot read the file (${code})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${label}: invalid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = pricingFileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = fieldPath(issue.path);
    throw new InputError(`${label}: ${field ? `${field}: ` : ''}${issueText(issue)}`);
  }
  const entries = new Map<string, CustomPriceEntry>();
  for (const [key, value] of Object.entries(parsed.data.models)) {
    const id = key.trim().toLowerCase();
    const previous = entries.get(id);
    if (previous) throw new InputError(`${label}: models.${key}: same model as models.${previous.key} (keys ignore case)`);
    entries.set(id, { key, price: value });
  }
  return entries;
}

/**
 * Cost of one call at a custom price. `input` counts every input token, cache reads and writes
 * included; cache tokens without their own price are charged at the input price.
 */
export function customCost(price: CustomPrice, tokens: { input: number; cacheRead: number; cacheWrite: number; output: number }): number {
  const uncached = Math.max(0, tokens.input - tokens.cacheRead - tokens.cacheWrite);
  const perMillion =
    uncached * price.input_per_mtok +
    tokens.cacheRead * (price.cache_read_per_mtok ?? price.input_per_mtok) +
    tokens.cacheWrite * (price.cache_write_per_mtok ?? price.input_per_mtok) +
    tokens.output * price.output_per_mtok;
  return perMillion / 1_000_000;
}
