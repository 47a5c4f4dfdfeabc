/**
 * One structured judge call, shared by the judge scorers (`judge`, `goal_met`): the request, the answer
 * parsed as one JSON object and checked with the verdict's zod schema, an invalid answer sent back with
 * what was wrong (up to the judge's attempts), the judge's tokens and cost summed, and a record of each
 * call for its span. A failed call (after the provider's own retries) or no valid verdict is a judge
 * error, never a pass; an aborted task's error is thrown.
 */
import type { z } from 'zod';
import { epochNow } from '../agents/types.js';
import type { Message, Usage } from '../models/types.js';
import { extractJson } from './judge-prompt.js';
import type { JudgeContext, JudgeUsage, Score } from './types.js';

/** What a judge scorer asks for and how a valid verdict becomes its score. */
export interface JudgeVerdict<Verdict> {
  schema: z.ZodType<Verdict>;
  /** The JSON object's shape, repeated to the judge after an invalid answer. */
  answerShape: string;
  toScore(verdict: Verdict): { value: number; passed: boolean; explanation: string };
}

/** A zod error's first issue ("field 'grade': ..."), or an error's message. */
export function describeProblem(error: unknown): string {
  if (error && typeof error === 'object' && 'issues' in error && Array.isArray(error.issues)) {
    const issue = error.issues[0] as { path: PropertyKey[]; message: string };
    return `${issue.path.length ? `field '${issue.path.join('.')}': ` : ''}${issue.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Asks the judge for a verdict on `messages` (which it extends with the retries) and scores it. */
export async function callJudge<Verdict>(judge: JudgeContext, messages: Message[], signal: AbortSignal, verdict: JudgeVerdict<Verdict>): Promise<Score> {
  const usage: JudgeUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 };
  const addUsage = (callUsage: Usage) => {
    usage.inputTokens += callUsage.inputTokens;
    usage.outputTokens += callUsage.outputTokens;
    usage.calls++;
    const cost = judge.price ? judge.price(callUsage) : null;
    usage.costUsd = usage.costUsd === null || cost === null ? null : usage.costUsd + cost;
  };
  let problem = '';
  for (let attempt = 1; attempt <= judge.attempts; attempt++) {
    const startedAtMs = epochNow();
    const started = performance.now();
    let reply;
    try {
      reply = await judge.provider.generate({ ...judge.generation, messages, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      const message = `the judge call failed: ${describeProblem(error)}`;
      judge.onCall?.({ startedAtMs, durationMs: performance.now() - started, provider: judge.provider.provider, model: judge.provider.modelId, usage: { inputTokens: 0, outputTokens: 0 }, attempt, outcome: { error: message } });
      return { value: 0, passed: false, explanation: message, error: message, judgeUsage: usage };
    }
    addUsage(reply.usage);
    const text = reply.message.content;
    let parsed: ReturnType<typeof verdict.schema.safeParse> | undefined;
    try {
      parsed = verdict.schema.safeParse(extractJson(text));
      problem = parsed.success ? '' : describeProblem(parsed.error);
    } catch (error) {
      problem = describeProblem(error);
    }
    const base = { startedAtMs, durationMs: performance.now() - started, provider: judge.provider.provider, model: reply.model || judge.provider.modelId, usage: reply.usage, attempt };
    if (parsed?.success) {
      const score = verdict.toScore(parsed.data);
      judge.onCall?.({ ...base, outcome: score });
      return { ...score, judgeUsage: usage };
    }
    judge.onCall?.({ ...base, outcome: { error: `invalid verdict: ${problem}` } });
    messages.push({ role: 'assistant', content: text }, { role: 'user', content: `That answer was not valid (${problem}). Answer again with only the JSON object: ${verdict.answerShape}.` });
  }
  const message = `the judge gave no valid verdict in ${judge.attempts} attempt(s): ${problem}`;
  return { value: 0, passed: false, explanation: message, error: message, judgeUsage: usage };
}
