import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRun } from '../../src/agents/types.js';
import { OpenAICompatibleProvider } from '../../src/models/openai-compatible.js';
import { judgeScorer } from '../../src/scoring/judge-scorer.js';
import type { JudgeCallRecord, JudgeContext, ScoreContext } from '../../src/scoring/types.js';
import { toRubric } from '../../src/tasks/rubric.js';
import { taskRowSchema } from '../../src/tasks/schema.js';
import { messageText, sequence, startOpenAIServer, type LoopbackOpenAIServer, type ScriptedReply } from '../helpers/openai-server.js';

let server: LoopbackOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function judgeContext(replies: ScriptedReply[], extra: Partial<JudgeContext> = {}): Promise<{ context: ScoreContext; calls: JudgeCallRecord[] }> {
  server = await startOpenAIServer({ responder: sequence(replies), requireApiKey: 'sk-judge' });
  const provider = new OpenAICompatibleProvider({
    provider: 'openai',
    modelId: 'judge-model',
    baseUrl: `${server.url}/v1`,
    apiKey: 'sk-judge',
    timeoutMs: 5000,
    retry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 20 },
  });
  const calls: JudgeCallRecord[] = [];
  const judge: JudgeContext = {
    provider,
    includeTrajectory: false,
    generation: { temperature: 0 },
    attempts: 3,
    price: (usage) => usage.inputTokens * 1e-6 + usage.outputTokens * 2e-6,
    onCall: (call) => calls.push(call),
    ...extra,
  };
  return { context: { signal: new AbortController().signal, workingDirectory: '.', judge }, calls };
}

const task = taskRowSchema.parse({ id: 'capital', prompt: 'What is the capital of France? Answer in one word.', difficulty: 'easy', expected_answer: 'Paris' });

function agentRun(finalAnswer: string): AgentRun {
  return {
    agentType: 'tool',
    steps: [],
    messages: [
      { role: 'system', content: 'You are an agent.' },
      { role: 'user', content: task.prompt },
      { role: 'assistant', content: 'Looking it up', toolCalls: [{ id: 'c1', name: 'web_search', arguments: { query: 'capital of France' } }] },
      { role: 'tool', toolCallId: 'c1', name: 'web_search', content: 'Paris is the capital' },
    ],
    finalAnswer,
    usage: { inputTokens: 0, outputTokens: 0 },
    modelCalls: 2,
    actionSteps: 2,
    stopReason: 'final-answer',
  };
}

const input = (answer: string, row = task) => ({ task: row, agentType: 'tool' as const, finalAnswer: answer, run: agentRun(answer), toolsUsed: ['web_search'] });
const verdict = (grade: number, reasoning = 'fine'): ScriptedReply => ({ content: JSON.stringify({ reasoning, grade }), usage: { prompt_tokens: 100, completion_tokens: 20 } });

describe('the LLM judge over a loopback OpenAI-compatible server', () => {
  it('sends the prompt verbatim, the expected answer and the final answer at temperature 0, and grades on the default 1..5 scale', async () => {
    const { context, calls } = await judgeContext([verdict(5, 'Correct: Paris')]);
    const score = await judgeScorer.score(input('Paris'), context);
    expect(score).toMatchObject({ value: 1, passed: true, judgeUsage: { inputTokens: 100, outputTokens: 20, calls: 1 } });
    expect(score.judgeUsage!.costUsd).toBeCloseTo(100e-6 + 40e-6, 12);
    expect(score.explanation).toMatch(/^grade 5 of 1\.\.5 \(pass at 4\): Correct: Paris/);
    const body = server!.requests[0]!.body;
    expect(body.temperature).toBe(0);
    const user = messageText(body.messages[1].content);
    expect(user).toContain(task.prompt);
    expect(user).toContain('## Expected answer\n<<<\nParis\n>>>');
    expect(user).toContain("## Agent's final answer\n<<<\nParis\n>>>");
    expect(user).not.toContain('web_search');
    expect(messageText(body.messages[0].content)).toContain('"grade"');
    expect(calls).toHaveLength(1);
  });

  it('fails a grade under the threshold, and puts the trajectory in the request with --judge-trajectory', async () => {
    const { context } = await judgeContext([verdict(2, 'Wrong city')], { includeTrajectory: true });
    const score = await judgeScorer.score(input('Lyon'), context);
    expect(score).toMatchObject({ value: 0.25, passed: false });
    expect(score.error).toBeUndefined();
    const user = messageText(server!.requests[0]!.body.messages[1].content);
    expect(user).toContain('-> web_search({"query":"capital of France"})');
    expect(user).toContain('[tool web_search] Paris is the capital');
  });

  it("uses the task's rubric (scale, threshold, few-shot examples) over the run's", async () => {
    const row = taskRowSchema.parse({ ...task, rubric: { criteria: ['Names the city only'], scale: { min: 0, max: 10 }, pass_threshold: 8, examples: [{ answer: 'Paris, France', grade: 6, explanation: 'adds the country' }] } });
    const { context } = await judgeContext([verdict(8)], { rubric: toRubric('run rubric') });
    const score = await judgeScorer.score(input('Paris', row), context);
    expect(score).toMatchObject({ value: 0.8, passed: true });
    const body = server!.requests[0]!.body;
    expect(messageText(body.messages[0].content)).toContain('1. Names the city only');
    expect(messageText(body.messages[0].content)).not.toContain('run rubric');
    expect(messageText(body.messages[1].content)).toContain('Answer: Paris, France\nVerdict: {"reasoning":"adds the country","grade":6}');
  });

  it('sends an invalid answer back with what was wrong, and takes the next valid one', async () => {
    const { context, calls } = await judgeContext([{ content: 'I think it is good.' }, { content: '```json\n{"reasoning": "ok", "grade": 9}\n```' }, verdict(4)]);
    const score = await judgeScorer.score(input('Paris'), context);
    expect(score).toMatchObject({ passed: true, value: 0.75 });
    expect(score.judgeUsage!.calls).toBe(3);
    expect(calls.map((call) => ('error' in call.outcome ? call.outcome.error : 'ok'))).toEqual([
      'invalid verdict: no JSON object in the reply',
      "invalid verdict: field 'grade': Too big: expected number to be <=5",
      'ok',
    ]);
    const third = server!.requests[2]!.body.messages;
    expect(third).toHaveLength(6);
    expect(messageText(third[3].content)).toMatch(/^That answer was not valid \(no JSON object in the reply\)/);
  });

  it('records malformed output after every attempt as a judge error, never a pass', async () => {
    const { context } = await judgeContext([{ content: '{"grade": "five"}' }, { content: 'PASS' }, { content: '{"reasoning": "x"}' }]);
    const score = await judgeScorer.score(input('Paris'), context);
    expect(score).toMatchObject({ passed: false, value: 0 });
    expect(score.error).toMatch(/^the judge gave no valid verdict in 3 attempt\(s\): field 'grade'/);
    expect(server!.requests).toHaveLength(3);
  });

  it('records a judge call that fails after its retries as a judge error', async () => {
    const { context } = await judgeContext([{ fault: { kind: 'status', status: 500 } }, { fault: { kind: 'status', status: 503 } }]);
    const score = await judgeScorer.score(input('Paris'), context);
    expect(score).toMatchObject({ passed: false, value: 0 });
    expect(score.error).toMatch(/^the judge call failed: /);
  });

  it('needs no call when there is no final answer', async () => {
    const { context } = await judgeContext([verdict(5)]);
    const score = await judgeScorer.score({ ...input('x'), finalAnswer: null }, context);
    expect(score).toMatchObject({ passed: false, explanation: 'no final answer to judge' });
    expect(server!.requests).toHaveLength(0);
  });
});

describe('the LLM judge on a dialogue (a task with a user block)', () => {
  const dialogueTask = taskRowSchema.parse({ id: 'flight', prompt: 'When does my flight leave?', difficulty: 'easy', scorer: 'judge', user: { goal: 'Learn the departure time of flight AB123' } });
  const dialogueRun: AgentRun = {
    agentType: 'tool',
    steps: [],
    messages: [
      { role: 'system', content: 'You are an agent.' },
      { role: 'user', content: 'When does my flight leave?' },
      { role: 'assistant', content: 'Which flight number?' },
      { role: 'user', content: 'AB123, sorry.' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'f', name: 'final_answer', arguments: { answer: 'AB123 leaves at 09:40.' } }] },
      { role: 'user', content: 'Thanks, bye.' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'g', name: 'final_answer', arguments: { answer: 'Have a good trip.' } }] },
    ],
    finalAnswer: 'Have a good trip.',
    usage: { inputTokens: 0, outputTokens: 0 },
    modelCalls: 3,
    actionSteps: 3,
    stopReason: 'final-answer',
  };

  it('always reads the whole transcript, not the last reply alone (without --judge-trajectory)', async () => {
    const { context } = await judgeContext([verdict(5, 'told the time')]);
    const score = await judgeScorer.score({ task: dialogueTask, agentType: 'tool', finalAnswer: 'Have a good trip.', run: dialogueRun, toolsUsed: [] }, context);
    expect(score).toMatchObject({ passed: true });
    const messages = server!.requests[0]!.body.messages as { role: string; content: unknown }[];
    const user = messageText(messages[1]!.content);
    expect(user).toContain('## Dialogue between the user and the agent (transcript)');
    expect(user).toContain('USER: AB123, sorry.');
    expect(user).toContain('ASSISTANT: AB123 leaves at 09:40.');
    expect(user).toContain("## Agent's last reply\n<<<\nHave a good trip.\n>>>");
    expect(user).not.toContain("## Agent's trajectory");
  });

  it('with --judge-trajectory gives the trajectory (user turns included) once', async () => {
    const { context } = await judgeContext([verdict(5)], { includeTrajectory: true });
    await judgeScorer.score({ task: dialogueTask, agentType: 'tool', finalAnswer: 'Have a good trip.', run: dialogueRun, toolsUsed: [] }, context);
    const user = messageText((server!.requests[0]!.body.messages as { content: unknown }[])[1]!.content);
    expect(user).toContain("## Agent's trajectory");
    expect(user).toContain('[user] AB123, sorry.');
    expect(user).not.toContain('(transcript)');
  });
});
