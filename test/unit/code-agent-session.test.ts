// When the code agent takes its interpreter: asked for at the start so it warms up while the model
// writes, awaited only at the first code step, and always given back.
import { describe, expect, it } from 'vitest';
import { runCodeAgent, type CodeAgentInput } from '../../src/agents/code-agent.js';
import type { CodeExecutor, CodeSession } from '../../src/agents/code-executor.js';
import type { Step } from '../../src/agents/types.js';
import type { ModelProvider, ModelRequest, ModelResponse } from '../../src/models/types.js';

function reply(content: string): ModelResponse {
  return { message: { role: 'assistant', content }, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: 'stop', model: 'm', attempts: 1 };
}

function scripted(replies: string[], events: string[]): ModelProvider {
  let turn = 0;
  return {
    provider: 'test',
    modelId: 'm',
    async generate(_request: ModelRequest) {
      events.push('model-start');
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push('model-end');
      return reply(replies[turn++] ?? 'no code');
    },
  };
}

function executor(events: string[], options: { fail?: boolean; acquireMs?: number; readyAt?: number[] } = {}): CodeExecutor & { released: number } {
  const state = { released: 0 };
  return {
    get released() {
      return state.released;
    },
    async acquire() {
      events.push('acquire-start');
      await new Promise((resolve) => setTimeout(resolve, options.acquireMs ?? 5));
      if (options.fail) throw new Error('sandbox host died');
      events.push('acquire-end');
      options.readyAt?.push(performance.timeOrigin + performance.now());
      const session: CodeSession = {
        async run() {
          events.push('run');
          return { stdout: '', durationMs: 1, finalAnswer: { value: 42, text: '42' } };
        },
        async release() {
          state.released++;
        },
      };
      return session;
    },
  };
}

function input(provider: ModelProvider, codeExecutor: CodeExecutor): CodeAgentInput {
  return {
    prompt: 'What is 6 times 7?',
    systemPrompt: 'system',
    provider,
    tools: [],
    executor: codeExecutor,
    maxSteps: 2,
    generation: {},
    signal: new AbortController().signal,
    toolContext: { workingDirectory: process.cwd(), now: () => new Date() },
  };
}

describe('code agent interpreter session', () => {
  it('warms the interpreter during the first model call and uses it at the first code step', async () => {
    const events: string[] = [];
    const sandbox = executor(events);
    const run = await runCodeAgent(input(scripted(['<code>\nfinal_answer(6 * 7)\n</code>'], events), sandbox));
    expect(run.finalAnswer).toBe('42');
    expect(events).toEqual(['acquire-start', 'model-start', 'acquire-end', 'model-end', 'run']);
    expect(sandbox.released).toBe(1);
  });

  it('starts the recorded code step when its code goes to the interpreter, after any wait for the interpreter', async () => {
    const events: string[] = [];
    const readyAt: number[] = [];
    const steps: Step[] = [];
    // The interpreter is ready only after the model's first reply: the step waits for it, and that wait is not the step's.
    const sandbox = executor(events, { acquireMs: 80, readyAt });
    const run = await runCodeAgent({ ...input(scripted(['<code>\nfinal_answer(6 * 7)\n</code>'], events), sandbox), onStep: (step) => steps.push(step) });
    expect(run.finalAnswer).toBe('42');
    expect(events).toEqual(['acquire-start', 'model-start', 'model-end', 'acquire-end', 'run']);
    const code = steps.find((step) => step.type === 'code');
    expect(code?.startedAtMs).toBeGreaterThanOrEqual(readyAt[0]!);
  });

  it('gives the session back when the model never writes code', async () => {
    const events: string[] = [];
    const sandbox = executor(events);
    const run = await runCodeAgent(input(scripted(['I cannot code', 'still no code'], events), sandbox));
    expect(run.finalAnswer).toBeUndefined();
    expect(events).not.toContain('run');
    expect(sandbox.released).toBe(1);
  });

  it('fails the task at the first code step when no interpreter can be had', async () => {
    const events: string[] = [];
    await expect(runCodeAgent(input(scripted(['<code>\nfinal_answer(1)\n</code>'], events), executor(events, { fail: true })))).rejects.toThrow('sandbox host died');
    expect(events).toEqual(['acquire-start', 'model-start', 'model-end']);
  });
});
