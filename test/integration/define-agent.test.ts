import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineAgent, runEvaluation, type Message } from '../../src/index.js';
import { OpenAICompatibleProvider } from '../../src/models/openai-compatible.js';
import { startOpenAIServer, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { finalAnswer, scriptByPrompt, toolCall } from '../helpers/scripts.js';

let server: LoopbackOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function taskFile(rows: object[]): Promise<{ folder: string; file: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'agent-eval-define-agent-'));
  const file = join(folder, 'tasks.jsonl');
  await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n'));
  return { folder, file };
}

describe('defineAgent with runEvaluation', () => {
  it("records the agent's model calls (usage, cost) and tool calls, and scores its answer", async () => {
    server = await startOpenAIServer({
      responder: scriptByPrompt({
        Paris: [{ ...toolCall('get_weather', { location: 'Paris, France' }), usage: { prompt_tokens: 100, completion_tokens: 10 } }, { ...finalAnswer('20 and Partly Cloudy'), usage: { prompt_tokens: 150, completion_tokens: 7 } }],
      }),
    });
    const model = new OpenAICompatibleProvider({ provider: 'openai', modelId: 'gpt-4o-mini', baseUrl: `${server.url}/v1`, apiKey: 'test' });
    const agent = defineAgent({
      name: 'my_agent',
      model,
      turn: async ({ message, tools, callModel, callTool }) => {
        const messages: Message[] = [{ role: 'user', content: message }];
        for (;;) {
          const response = await callModel({ messages, tools: [...tools] });
          messages.push(response.message);
          const calls = response.message.toolCalls ?? [];
          const final = calls.find((call) => call.name === 'final_answer');
          if (final) return String((final.arguments as { answer: string }).answer);
          for (const call of calls) messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: await callTool(call.name, call.arguments) });
        }
      },
    });
    const { folder, file } = await taskFile([{ id: 'w', prompt: "What's the weather in Paris, France?", difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_weather', expected_tool_calls: 1, expected_keywords: ['Partly Cloudy'] }]);
    const pricing = join(folder, 'prices.json');
    await writeFile(pricing, JSON.stringify({ models: { 'gpt-4o-mini': { input_per_mtok: 1, output_per_mtok: 2 } } }));
    const run = await runEvaluation({ model: 'my-agent', datasetName: file, outputDir: folder, workingDirectory: folder, enableOtel: true, pricingFile: pricing }, { env: {} }, { agent });
    const [result] = await run.loadResults();
    expect(run.modelProvider).toBe('external');
    expect(result).toMatchObject({ success: true, agent_type: 'tool', model_calls: 2, input_tokens: 250, output_tokens: 17, tools_used: ['get_weather'], response: '20 and Partly Cloudy' });
    expect(result!.cost_usd).toBeCloseTo((250 * 1 + 17 * 2) / 1e6, 12);
    expect(result!.tool_calls[0]).toMatchObject({ name: 'get_weather', is_error: false });
    expect(result!.tool_calls[0]!.output).toContain('Partly Cloudy');
    const names = result!.trace!.spans.map((span) => span.name);
    expect(names).toContain('invoke_agent my_agent');
    expect(names.filter((name) => name === 'chat gpt-4o-mini')).toHaveLength(2);
  });

  it('holds a dialogue with the simulated user: each turn sees the dialogue so far', async () => {
    server = await startOpenAIServer({
      responder: (request) => {
        const last = request.body.messages.at(-1);
        return String(last.content).includes('42') ? { toolCalls: [{ name: 'end_conversation', arguments: { reason: 'goal_met' } }] } : { content: 'My number is 42.' };
      },
    });
    const { folder, file } = await taskFile([{ id: 'd', prompt: 'Guess my number.', difficulty: 'easy', agent_type: 'tool', expected_tool_calls: 0, expected_keywords: ['42'], user: { goal: 'The assistant repeats your number, 42, which only you know.', max_turns: 3 } }]);
    const seen: number[] = [];
    const agent = defineAgent({
      turn: async ({ message, history }) => {
        seen.push(history.length);
        return message.includes('42') ? 'Your number is 42.' : 'What is your number?';
      },
    });
    const run = await runEvaluation({ model: 'x', datasetName: file, outputDir: folder, workingDirectory: folder, userModel: 'user-model', userBaseUrl: `${server.url}/v1` }, { env: {} }, { agent });
    const [result] = await run.loadResults();
    expect(seen).toEqual([0, 2]);
    expect(result).toMatchObject({ success: true, turns: 2, dialogue_stop_reason: 'goal_met', response: 'Your number is 42.' });
  });

  it('an agent that throws is a recorded task error', async () => {
    const { folder, file } = await taskFile([
      { id: 'a', prompt: 'first', difficulty: 'easy', agent_type: 'tool' },
      { id: 'b', prompt: 'second', difficulty: 'easy', agent_type: 'tool', expected_tool_calls: 0, expected_keywords: ['fine'] },
    ]);
    const agent = defineAgent({
      turn: async ({ message }) => {
        if (message === 'first') throw new Error('no idea');
        return 'all fine';
      },
    });
    const run = await runEvaluation({ model: 'x', datasetName: file, outputDir: folder, workingDirectory: folder }, { env: {} }, { agent });
    const results = await run.loadResults();
    expect(results.find((result) => result.test_id === 'a')).toMatchObject({ success: false, error_kind: 'model', error: 'agent custom_agent: no idea' });
    expect(results.find((result) => result.test_id === 'b')).toMatchObject({ success: true, response: 'all fine' });
  });
});
