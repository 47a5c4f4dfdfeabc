import { z } from 'zod';
import { defineTool } from './types.js';

export const FINAL_ANSWER_TOOL = 'final_answer';

/** The answer as text: strings as they are, anything else as JSON. */
export function finalAnswerText(answer: unknown): string {
  if (typeof answer === 'string') return answer;
  return JSON.stringify(answer) ?? String(answer);
}

export const finalAnswerTool = defineTool({
  name: FINAL_ANSWER_TOOL,
  description: 'Provides a final answer to the given problem.',
  input: z.object({
    answer: z.unknown().describe('The final answer to the problem.'),
  }),
  outputType: 'any',
  async execute({ answer }) {
    return finalAnswerText(answer);
  },
});
