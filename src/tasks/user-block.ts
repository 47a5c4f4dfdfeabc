import { z } from 'zod';

/** Default number of agent replies in a dialogue when the row gives no `max_turns`. */
export const DEFAULT_MAX_TURNS = 6;

/**
 * A multi-turn task's simulated user: who they are, what they want (including facts only they know,
 * revealed when asked), their first message (else the task's prompt), how many agent replies at
 * most, and when the dialogue is over.
 */
export const userBlockSchema = z.object({
  persona: z.string().trim().min(1).nullish().transform((value) => value ?? null),
  goal: z.string().trim().min(1, 'must say what the user wants'),
  opening: z.string().trim().min(1).nullish().transform((value) => value ?? null),
  max_turns: z.number().int().min(1).max(100).nullish().transform((value) => value ?? DEFAULT_MAX_TURNS),
  stop_when: z.string().trim().min(1).nullish().transform((value) => value ?? null),
});

export type UserBlock = z.output<typeof userBlockSchema>;
