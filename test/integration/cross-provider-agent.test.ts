// One script, three wire protocols: the tool-calling agent must end the same way whichever
// provider client carries it, and createProvider must pick the right client.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPromptConfig, renderSystemPrompt } from '../../src/agents/prompts.js';
import { runToolCallingAgent } from '../../src/agents/tool-calling-agent.js';
import type { AgentRun } from '../../src/agents/types.js';
import { AnthropicProvider } from '../../src/models/anthropic.js';
import { createProvider } from '../../src/models/factory.js';
import { OllamaProvider } from '../../src/models/ollama.js';
import { OpenAICompatibleProvider } from '../../src/models/openai-compatible.js';
import type { ResolvedModel } from '../../src/models/routing.js';
import type { ModelProvider } from '../../src/models/types.js';
import { builtinTools } from '../../src/tools/builtin.js';
import { startAnthropicServer, type LoopbackAnthropicServer } from '../helpers/anthropic-server.js';
import { startOllamaServer, type LoopbackOllamaServer } from '../helpers/ollama-server.js';
import { finalAnswer, scriptByPrompt, startOpenAIServer, type LoopbackOpenAIServer, type Responder } from '../helpers/openai-server.js';
import { solveTasks, type ScriptableTask } from '../helpers/task-model.js';

const tasksPath = fileURLToPath(new URL('../../tasks/builtin.jsonl', import.meta.url));
const tasks = readFileSync(tasksPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as ScriptableTask);
const task = (id: string) => tasks.find((entry) => entry.id === id)!;

const retry = { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 100 };
let openai: LoopbackOpenAIServer;
let anthropic: LoopbackAnthropicServer;
let ollama: LoopbackOllamaServer;

beforeAll(async () => {
  [openai, anthropic, ollama] = await Promise.all([startOpenAIServer({ requireApiKey: 'sk-o' }), startAnthropicServer({ requireApiKey: 'sk-a' }), startOllamaServer()]);
});
afterAll(async () => {
  await Promise.all([openai?.close(), anthropic?.close(), ollama?.close()]);
});

function resolved(): Record<string, ResolvedModel> {
  return {
    openai: { provider: 'openai', modelId: 'test-model', baseUrl: `${openai.url}/v1`, apiKey: 'sk-o' },
    // Written with /v1 as LiteLLM users (and earlier versions) did: the factory strips it.
    anthropic: { provider: 'anthropic', modelId: 'test-model', baseUrl: `${anthropic.url}/v1`, apiKey: 'sk-a' },
    ollama: { provider: 'ollama', modelId: 'test-model', baseUrl: ollama.url, apiKey: 'not-needed' },
  };
}

async function providers(responder: Responder): Promise<Record<string, ModelProvider>> {
  for (const server of [openai, anthropic, ollama]) server.setResponder(responder);
  const out: Record<string, ModelProvider> = {};
  for (const [name, model] of Object.entries(resolved())) out[name] = await createProvider(model, { timeoutMs: 5000, retry });
  return out;
}

async function run(provider: ModelProvider, prompt: string): Promise<AgentRun> {
  const tools = builtinTools();
  const config = await loadPromptConfig('toolcalling_agent.yaml');
  return runToolCallingAgent({
    prompt,
    systemPrompt: renderSystemPrompt(config, tools),
    provider,
    tools,
    maxSteps: 5,
    generation: { temperature: 0 },
    signal: new AbortController().signal,
    toolContext: { workingDirectory: process.cwd(), now: () => new Date('2026-01-01T12:00:00Z') },
  });
}

/** What must not depend on the provider: the answer, the tool calls and what they returned. */
function outcome(agentRun: AgentRun) {
  return {
    stopReason: agentRun.stopReason,
    finalAnswer: agentRun.finalAnswer,
    error: agentRun.error,
    modelCalls: agentRun.modelCalls,
    toolCalls: agentRun.steps.flatMap((step) => (step.type === 'tool-call' ? [{ name: step.call.name, arguments: step.call.arguments, output: step.output, isError: step.isError, source: step.source }] : [])),
  };
}

describe('createProvider', () => {
  it('picks the native client for anthropic and ollama, the OpenAI-compatible one otherwise', async () => {
    const models = resolved();
    expect(await createProvider(models.anthropic!)).toBeInstanceOf(AnthropicProvider);
    expect(await createProvider(models.ollama!)).toBeInstanceOf(OllamaProvider);
    expect(await createProvider(models.openai!)).toBeInstanceOf(OpenAICompatibleProvider);
    for (const provider of ['groq', 'hf', 'custom', 'openrouter']) {
      const model = await createProvider({ provider, modelId: 'm', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k' });
      expect(model).toBeInstanceOf(OpenAICompatibleProvider);
      expect(model).toMatchObject({ provider, modelId: 'm' });
    }
    expect(await createProvider(models.anthropic!)).toMatchObject({ provider: 'anthropic', modelId: 'test-model' });
  });
});

describe('the tool-calling agent on OpenAI, Anthropic and Ollama', () => {
  it('answers tool_weather_single the same way on all three', async () => {
    const weather = task('tool_weather_single');
    const models = await providers(
      scriptByPrompt({
        [weather.prompt]: [
          { toolCalls: [{ name: 'get_weather', arguments: { location: 'Paris, France' } }], usage: { prompt_tokens: 900, completion_tokens: 20 } },
          { ...finalAnswer('It is 20°C and Partly Cloudy in Paris.'), usage: { prompt_tokens: 950, completion_tokens: 15 } },
        ],
      }),
    );
    const runs = Object.fromEntries(await Promise.all(Object.entries(models).map(async ([name, model]) => [name, await run(model, weather.prompt)] as const)));
    const expected = {
      stopReason: 'final-answer',
      finalAnswer: 'It is 20°C and Partly Cloudy in Paris.',
      error: undefined,
      modelCalls: 2,
      toolCalls: [
        { name: 'get_weather', arguments: { location: 'Paris, France' }, output: '20°C, Partly Cloudy', isError: false, source: 'native' },
        { name: 'final_answer', arguments: { answer: 'It is 20°C and Partly Cloudy in Paris.' }, output: 'It is 20°C and Partly Cloudy in Paris.', isError: false, source: 'native' },
      ],
    };
    for (const name of ['openai', 'anthropic', 'ollama']) {
      expect(outcome(runs[name]!), name).toEqual(expected);
      expect(runs[name]!.usage, name).toMatchObject({ inputTokens: 1850, outputTokens: 35 });
      for (const keyword of weather.expected_keywords ?? []) expect(runs[name]!.finalAnswer).toContain(keyword);
    }
    // Each server saw the tool result in its own format.
    const second = (requests: { body: { messages: unknown[] } }[]) => requests.filter((request) => Array.isArray(request.body?.messages)).at(-1)!.body.messages.at(-1);
    expect(second(openai.requests)).toMatchObject({ role: 'tool', content: '20°C, Partly Cloudy' });
    expect(second(anthropic.requests)).toMatchObject({ role: 'user', content: [{ type: 'tool_result', content: '20°C, Partly Cloudy' }] });
    expect(second(ollama.requests)).toEqual({ role: 'tool', content: '20°C, Partly Cloudy', tool_name: 'get_weather' });
  });

  it('handles parallel tool calls (tool_weather_compare) the same way on all three', async () => {
    const compare = task('tool_weather_compare');
    const models = await providers(solveTasks([compare]));
    const outcomes = await Promise.all(Object.values(models).map(async (model) => outcome(await run(model, compare.prompt))));
    expect(outcomes[0]).toMatchObject({ stopReason: 'final-answer', finalAnswer: expect.stringContaining('Paris') });
    expect(outcomes[0]!.toolCalls.filter((call) => call.name === 'get_weather')).toHaveLength(2);
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[2]).toEqual(outcomes[0]);
  });
});
