import { z } from 'zod';
import { rubricColumnSchema } from './rubric.js';
import { executedTaskColumns } from './executed-columns.js';
import { userBlockSchema } from './user-block.js';

export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export const TASK_AGENT_TYPES = ['tool', 'code', 'both'] as const;

/**
 * SMOLTRACE's task row. `id`, `prompt` and `difficulty` are required; unknown columns are kept
 * (passthrough) so rows from other datasets load unchanged. Difficulty and agent type are
 * case-insensitive; a row without `agent_type` runs for both agents (SMOLTRACE silently skipped it).
 */
export const taskRowSchema = z
  .object({
    id: z.union([z.string().min(1), z.number()]).transform(String),
    prompt: z.string().trim().min(1, 'must be a non-empty string'),
    difficulty: z
      .string()
      .transform((value) => value.trim().toLowerCase())
      .pipe(z.enum(DIFFICULTIES)),
    agent_type: z
      .string()
      .transform((value) => value.trim().toLowerCase())
      .pipe(z.enum(TASK_AGENT_TYPES))
      .nullish()
      .transform((value) => value ?? 'both'),
    expected_tool: z.string().trim().min(1).nullish().transform((value) => value ?? null),
    expected_tool_calls: z.number().int().min(0).nullish().transform((value) => value ?? null),
    expected_keywords: z.array(z.union([z.string(), z.number()]).transform(String)).nullish().transform((v) => v ?? []),
    expected_answer: z.union([z.string(), z.number()]).transform(String).nullish().transform((v) => v ?? null),
    category: z.string().nullish().transform((value) => value ?? null),
    required_tools: z.array(z.string()).nullish().transform((value) => value ?? []),
    // Scoring (names are checked against the scorers when the run is prepared).
    scorer: z.string().trim().min(1).nullish().transform((value) => value ?? null),
    scorers: z.array(z.string().trim().min(1)).min(1).nullish().transform((value) => value ?? null),
    rubric: rubricColumnSchema.nullish().transform((value) => value ?? null),
    expected_regex: z
      .string()
      .min(1)
      .refine((pattern) => parsePattern(pattern) !== undefined, 'must be a valid regular expression')
      .nullish()
      .transform((value) => value ?? null),
    // Scorers that execute: tests (asserts) and bash (fixture, reference_command, bash_compare).
    ...executedTaskColumns,
    // Multi-turn tasks: the simulated user (src/simulated-user/).
    user: userBlockSchema.nullish().transform((value) => value ?? null),
  })
  .passthrough();

export type Task = z.output<typeof taskRowSchema>;

/**
 * A regular expression from a row: `/source/flags`, or plain source (matched case-sensitively).
 * undefined when it does not compile.
 */
export function parsePattern(text: string): RegExp | undefined {
  const literal = /^\/(.*)\/([dgimsuvy]*)$/s.exec(text);
  try {
    return literal ? new RegExp(literal[1]!, literal[2]!.replace(/[gy]/g, '')) : new RegExp(text);
  } catch {
    return undefined;
  }
}

/** The scorers a row names, in order (`scorers`, else `scorer`); empty when it names none. */
export function rowScorers(task: Pick<Task, 'scorer' | 'scorers'>): string[] {
  if (task.scorers) return task.scorers;
  return task.scorer ? [task.scorer] : [];
}
export type TaskAgentType = (typeof TASK_AGENT_TYPES)[number];
