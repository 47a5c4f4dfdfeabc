/**
 * Judge rubrics (a task column, so here beside the task schema): a task's `rubric` column (a string, or an object) or the run's `--judge-rubric` YAML.
 * The judge grades on `scale` (default 1..5); a grade at or above `pass_threshold` (default 4) passes.
 */
import { z } from 'zod';

export const rubricExampleSchema = z
  .object({
    answer: z.string(),
    grade: z.number(),
    explanation: z.string().optional(),
    prompt: z.string().optional(),
  })
  .strict();

export const rubricObjectSchema = z
  .object({
    criteria: z.union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1)]),
    scale: z
      .object({ min: z.number(), max: z.number() })
      .strict()
      .refine((scale) => scale.max > scale.min, 'max must be above min')
      .optional(),
    pass_threshold: z.number().optional(),
    examples: z.array(rubricExampleSchema).optional(),
  })
  .strict()
  .refine((rubric) => {
    if (rubric.pass_threshold === undefined) return true;
    const scale = rubric.scale ?? DEFAULT_SCALE;
    return rubric.pass_threshold >= scale.min && rubric.pass_threshold <= scale.max;
  }, 'pass_threshold must lie within the scale');

/** A task row's `rubric`: plain criteria text, or the full object. */
export const rubricColumnSchema = z.union([z.string().trim().min(1), rubricObjectSchema]);

export const DEFAULT_SCALE = { min: 1, max: 5 } as const;
export const DEFAULT_PASS_THRESHOLD = 4;

export interface Rubric {
  criteria: string[];
  scale: { min: number; max: number };
  passThreshold: number;
  examples: z.output<typeof rubricExampleSchema>[];
}

/** The rubric with its defaults filled in. */
export function toRubric(value: z.output<typeof rubricColumnSchema>): Rubric {
  if (typeof value === 'string') return { criteria: [value], scale: { ...DEFAULT_SCALE }, passThreshold: DEFAULT_PASS_THRESHOLD, examples: [] };
  const scale = value.scale ?? { ...DEFAULT_SCALE };
  const criteria = typeof value.criteria === 'string' ? [value.criteria] : value.criteria;
  // Without a threshold on a custom scale: the same place as 4 on 1..5 (three quarters up).
  const passThreshold = value.pass_threshold ?? (value.scale ? scale.min + 0.75 * (scale.max - scale.min) : DEFAULT_PASS_THRESHOLD);
  return { criteria, scale, passThreshold, examples: value.examples ?? [] };
}

/** The rubric when none is given: is the answer correct and complete for the task. */
export const DEFAULT_RUBRIC: Rubric = {
  criteria: [
    'The final answer correctly and completely does what the task asks.',
    'When an expected answer or keywords are given, the final answer agrees with them (wording may differ).',
  ],
  scale: { ...DEFAULT_SCALE },
  passThreshold: DEFAULT_PASS_THRESHOLD,
  examples: [],
};
