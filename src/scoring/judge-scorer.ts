/**
 * The LLM judge (seed 001): grades the final answer against a rubric on a numeric scale. The judge
 * answers with one JSON object checked with zod; an invalid answer is sent back with what was wrong,
 * up to `attempts` calls, and then recorded as a judge error, never as a pass. A failed judge call
 * (after the provider's own retries) is a judge error too.
 */
import { epochNow } from '../agents/types.js';
import type { Message, Usage } from '../models/types.js';
import { DEFAULT_RUBRIC, toRubric } from '../tasks/rubric.js';
import { extractJson, initialMessages, verdictSchema } from './judge-prompt.js';
import type { JudgeUsage, Score, Scorer } from './types.js';

function describeProblem(error: unknown): string {
  if (error && typeof error === 'object' && 'issues' in error && Array.isArray(error.issues)) {
    const issue = error.issues[0] as { path: PropertyKey[]; message: string };
    return `${issue.path.length ? `field '${issue.path.join('.')}': ` : ''}${issue.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export const judgeScorer: Scorer = {
  name: 'judge',
  failureReason: 'judge_rejected',
  errorReason: 'judge_error',
  needsJudge: true,
  async score(input, context): Promise<Score> {
    const judge = context.judge;
    if (!judge) return { value: 0, passed: false, explanation: 'no judge model (give --judge-model)', error: 'no judge model' };
    if (input.finalAnswer === null) return { value: 0, passed: false, explanation: 'no final answer to judge' };
    const rubric = input.task.rubric !== null ? toRubric(input.task.rubric) : (judge.rubric ?? DEFAULT_RUBRIC);
    const schema = verdictSchema(rubric);
    const messages: Message[] = initialMessages(input.task, input.finalAnswer, rubric, judge.includeTrajectory ? input.run : undefined);
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
        reply = await judge.provider.generate({ ...judge.generation, messages, signal: context.signal });
      } catch (error) {
        if (context.signal.aborted) throw error;
        const message = `the judge call failed: ${describeProblem(error)}`;
        judge.onCall?.({ startedAtMs, durationMs: performance.now() - started, provider: judge.provider.provider, model: judge.provider.modelId, usage: { inputTokens: 0, outputTokens: 0 }, attempt, outcome: { error: message } });
        return { value: 0, passed: false, explanation: message, error: message, judgeUsage: usage };
      }
      addUsage(reply.usage);
      const text = reply.message.content;
      let parsed: ReturnType<typeof schema.safeParse> | undefined;
      try {
        parsed = schema.safeParse(extractJson(text));
        problem = parsed.success ? '' : describeProblem(parsed.error);
      } catch (error) {
        problem = describeProblem(error);
      }
      const durationMs = performance.now() - started;
      const base = { startedAtMs, durationMs, provider: judge.provider.provider, model: reply.model || judge.provider.modelId, usage: reply.usage, attempt };
      if (parsed?.success) {
        const { grade, reasoning } = parsed.data;
        const value = (grade - rubric.scale.min) / (rubric.scale.max - rubric.scale.min);
        const passed = grade >= rubric.passThreshold;
        const explanation = `grade ${grade} of ${rubric.scale.min}..${rubric.scale.max} (pass at ${rubric.passThreshold}): ${reasoning}`;
        judge.onCall?.({ ...base, outcome: { passed, value, explanation } });
        return { value, passed, explanation, judgeUsage: usage };
      }
      judge.onCall?.({ ...base, outcome: { error: `invalid verdict: ${problem}` } });
      messages.push(
        { role: 'assistant', content: text },
        { role: 'user', content: `That answer was not valid (${problem}). Answer again with only the JSON object: {"reasoning": "...", "grade": <number from ${rubric.scale.min} to ${rubric.scale.max}>}.` },
      );
    }
    const message = `the judge gave no valid verdict in ${judge.attempts} attempt(s): ${problem}`;
    return { value: 0, passed: false, explanation: message, error: message, judgeUsage: usage };
  },
};
