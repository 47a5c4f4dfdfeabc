import { describe, expect, it } from 'vitest';
import type { AgentRun, Step } from '../../src/agents/types.js';
import type { Message, ModelResponse } from '../../src/models/types.js';
import { SecretRedactor } from '../../src/secrets/redactor.js';
import { inputMessages, systemInstructions, toolDefinitions } from '../../src/telemetry/genai-messages.js';
import { capAttribute } from '../../src/telemetry/redaction.js';
import { RunTracer, type TaskTraceInput } from '../../src/telemetry/tracing.js';

const SECRET = 'sk-live-abcdefghijklmnopqrstuvwxyz0123';
const tools = [{ name: 'calculator', description: `Evaluates arithmetic (${SECRET})`, parameters: { type: 'object', properties: { expression: { type: 'string' } } } }];

/** A task of `calls` model calls, each observation `observationLength` long, a secret in the history. */
function task(calls: number, observationLength: number, id: string): TaskTraceInput {
  const messages: Message[] = [
    { role: 'system', content: `You are an agent. Never print ${SECRET}.` },
    { role: 'user', content: `New task:\nTask ${id}: what is 21 times 2? key ${SECRET}` },
  ];
  const steps: Step[] = [];
  for (let index = 1; index <= calls; index++) {
    const inputMessageCount = messages.length;
    const response: ModelResponse = {
      message: { role: 'assistant', content: '', toolCalls: [{ id: `c${index}`, name: 'calculator', arguments: { expression: '21 * 2' } }] },
      usage: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 0, reasoningTokens: 0 },
      finishReason: 'tool-calls',
      model: 'gpt-4o-mini',
      attempts: 1,
    };
    steps.push({ type: 'model-call', index, response, startedAtMs: 1_700_000_000_000 + index, durationMs: 1, inputMessageCount });
    messages.push(response.message, { role: 'tool', toolCallId: `c${index}`, name: 'calculator', content: `Result: 42 ${'x'.repeat(observationLength)}` } as Message);
  }
  const run: AgentRun = { agentType: 'tool', steps, messages, usage: { inputTokens: 100 * calls, outputTokens: 10 * calls, cachedInputTokens: 0, reasoningTokens: 0 }, modelCalls: calls, actionSteps: calls, stopReason: 'max-steps' };
  return { taskId: id, testCaseUid: `tool:${id}`, difficulty: 'easy', agentType: 'tool', prompt: `Task ${id}`, provider: 'openai', modelId: 'gpt-4o-mini', generation: {}, tools, run, startedAtMs: 1_700_000_000_000, durationMs: 100, success: false, callCosts: [] };
}

describe('chat span content attributes', () => {
  it('equal the whole history scrubbed and capped, though each message is scrubbed once and the join stops at the cap', async () => {
    const redactor = SecretRedactor.from({ secrets: [SECRET] });
    const tracer = await RunTracer.create({ runId: 'run', resource: {}, captureContent: true, redactor });
    const expected = (input: TaskTraceInput, count: number, key: 'input' | 'system' | 'tools') => {
      const sent = input.run.messages.slice(0, count);
      const value = key === 'input' ? inputMessages(sent) : key === 'system' ? systemInstructions(sent) : toolDefinitions(input.tools);
      return capAttribute(redactor.text(JSON.stringify(value)));
    };
    // Short histories, and one that passes the 8 KiB attribute cap mid-way; two tasks share the system prompt.
    for (const input of [task(3, 10, 'a'), task(6, 3000, 'b'), task(2, 10, 'c')]) {
      const document = tracer.recordTask(input);
      const chats = document.spans.filter((span) => span.name.startsWith('chat '));
      expect(chats).toHaveLength(input.run.modelCalls);
      chats.forEach((span, index) => {
        const step = input.run.steps.filter((candidate) => candidate.type === 'model-call')[index] as Extract<Step, { type: 'model-call' }>;
        expect(span.attributes['gen_ai.input.messages']).toBe(expected(input, step.inputMessageCount, 'input'));
        expect(span.attributes['gen_ai.system_instructions']).toBe(expected(input, step.inputMessageCount, 'system'));
        expect(span.attributes['gen_ai.tool.definitions']).toBe(expected(input, step.inputMessageCount, 'tools'));
        for (const key of ['gen_ai.input.messages', 'gen_ai.system_instructions', 'gen_ai.tool.definitions']) expect(String(span.attributes[key])).not.toContain(SECRET);
      });
    }
    await tracer.shutdown();
  });
});
