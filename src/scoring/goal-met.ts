/**
 * `goal_met`: the judge reads a dialogue's transcript and decides whether the simulated user's goal
 * (the row's `user.goal`, and `stop_when`) was met. One JSON verdict checked with zod; an invalid one
 * is sent back with what was wrong, up to the judge's attempts, then recorded as a judge error.
 */
import { z } from 'zod';
import { answerText, FINAL_ANSWER } from '../agents/tool-calling-agent.js';
import type { AgentRun } from '../agents/types.js';
import type { Message } from '../models/types.js';
import { callJudge } from './judge-call.js';
import type { Score, Scorer } from './types.js';

const verdictSchema = z.object({ reasoning: z.string().min(1), goal_met: z.boolean() });

const SYSTEM = [
  'You judge a conversation between a user and an AI assistant that can use tools.',
  "Decide from the transcript alone whether the user's goal was met: the assistant did or told what the user wanted, correctly, and nothing the user needed is missing. Politeness and length do not matter.",
  'Answer with only a JSON object: {"reasoning": "<one or two sentences>", "goal_met": true or false}.',
].join('\n');

const TOOL_OUTPUT_LIMIT = 500;

/** The dialogue as lines: the user's and the assistant's messages (a final_answer call's answer included), and the assistant's tool calls with their results. */
export function transcript(run: Pick<AgentRun, 'messages'>): string {
  const lines: string[] = [];
  for (const message of run.messages) {
    if (message.role === 'system') continue;
    if (message.role === 'user') lines.push(`USER: ${message.content.replace(/^New task:\n/, '')}`);
    else if (message.role === 'assistant') {
      const calls = message.toolCalls ?? [];
      for (const call of calls) if (call.name !== FINAL_ANSWER) lines.push(`ASSISTANT calls ${call.name}(${JSON.stringify(call.arguments ?? {})})`);
      if (message.content.trim()) lines.push(`ASSISTANT: ${message.content}`);
      // The built-in tool agent replies through final_answer (empty content): its argument is what the user was told.
      for (const call of calls) if (call.name === FINAL_ANSWER) lines.push(`ASSISTANT: ${answerText(call)}`);
    } else if (message.name !== FINAL_ANSWER) {
      lines.push(`TOOL ${message.name}: ${message.content.slice(0, TOOL_OUTPUT_LIMIT)}`);
    }
  }
  return lines.join('\n');
}

export const goalMetScorer: Scorer = {
  name: 'goal_met',
  failureReason: 'judge_rejected',
  errorReason: 'judge_error',
  needsJudge: true,
  check: (task) => (task.user ? undefined : 'needs a user block with the goal (goal_met judges dialogues)'),
  async score(input, context): Promise<Score> {
    const judge = context.judge;
    if (!judge) return { value: 0, passed: false, explanation: 'no judge model (give --judge-model)', error: 'no judge model' };
    const user = input.task.user;
    if (!user) return { value: 0, passed: false, explanation: 'the task has no user block', error: 'no user block' };
    const messages: Message[] = [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: `The user's goal: ${user.goal}\n${user.stop_when ? `The goal is met when: ${user.stop_when}\n` : ''}\nTranscript:\n${transcript(input.run)}` },
    ];
    return callJudge(judge, messages, context.signal, {
      schema: verdictSchema,
      answerShape: '{"reasoning": "...", "goal_met": true or false}',
      toScore: ({ goal_met: passed, reasoning }) => ({ value: passed ? 1 : 0, passed, explanation: `goal ${passed ? 'met' : 'not met'}: ${reasoning}` }),
    });
  },
};
