import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEvaluation } from '../../src/eval/run-evaluation.js';
import type { RunOptionsInput } from '../../src/eval/defaults.js';
import { finalAnswer, startOpenAIServer, toolCall, type LoopbackOpenAIServer, type ScriptedReply } from '../helpers/openai-server.js';
import { solveTasks } from '../helpers/task-model.js';

const TASKS = [
  { id: 'weather', prompt: "What's the weather in Tokyo, Japan?", difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_weather', expected_tool_calls: 1, expected_keywords: ['18°C'] },
  { id: 'math', prompt: 'What is 234 multiplied by 67?', difficulty: 'easy', agent_type: 'both', expected_tool: 'calculator', expected_tool_calls: 1, expected_keywords: ['15678'] },
  { id: 'code-only', prompt: 'Code task', difficulty: 'easy', agent_type: 'code', expected_tool: 'calculator' },
];

let server: LoopbackOpenAIServer;
let directory: string;
let datasetPath: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-eval-run-'));
  datasetPath = join(directory, 'tasks.jsonl');
  await writeFile(datasetPath, TASKS.map((task) => JSON.stringify(task)).join('\n'));
});
afterEach(async () => server?.close());

async function run(responderOverrides: Record<string, ScriptedReply[]>, options: Partial<RunOptionsInput> = {}, signal?: AbortSignal) {
  server = await startOpenAIServer({ responder: solveTasks(TASKS, responderOverrides) });
  return runEvaluation(
    {
      model: 'openai/test-model',
      baseUrl: `${server.url}/v1`,
      datasetName: datasetPath,
      outputDir: join(directory, 'out'),
      agentType: 'tool',
      maxRetries: 0,
      ...options,
    },
    { env: {}, signal },
  );
}

const byId = (results: Awaited<ReturnType<Awaited<ReturnType<typeof run>>['loadResults']>>) => Object.fromEntries(results.map((result) => [result.test_id, result]));

describe('runEvaluation with the tool-calling agent', () => {
  it('runs, scores and journals every task', async () => {
    const result = await run({ weather: [toolCall('get_weather', { location: 'Tokyo, Japan' }), finalAnswer('It is 18°C and clear in Tokyo.')] });
    expect((await result.loadResults()).map((row) => row.test_case_uid)).toEqual(['tool:weather', 'tool:math']);
    const weather = byId(await result.loadResults()).weather!;
    expect(weather).toMatchObject({
      success: true,
      tool_called: true,
      correct_tool: true,
      final_answer_called: true,
      response_correct: true,
      response: 'It is 18°C and clear in Tokyo.',
      tools_used: ['get_weather'],
      steps: 3,
      model_calls: 2,
      error: null,
      stop_reason: 'final-answer',
    });
    expect(weather.tool_calls[0]).toMatchObject({ name: 'get_weather', output: '18°C, Clear', is_error: false });
    expect(weather.input_tokens).toBeGreaterThan(0);
    expect(weather.total_tokens).toBe(weather.input_tokens + weather.output_tokens);
    expect(weather.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool']);
    const journal = (await readFile(join(result.runDirectory, 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(journal.map((line) => JSON.parse(line).test_case_uid).sort()).toEqual(['tool:math', 'tool:weather']);
  });

  it('keeps no result in memory: reads them back from the journal in test_index order, with totals kept as tasks finished', async () => {
    // The first task answers last, so the journal holds the results out of test_index order.
    const result = await run({ weather: [{ ...toolCall('get_weather', { location: 'Tokyo, Japan' }), delayMs: 300 }, finalAnswer('It is 18°C and clear in Tokyo.')] });
    const journal = (await readFile(join(result.runDirectory, 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(journal.map((line) => JSON.parse(line).test_case_uid)).toEqual(['tool:math', 'tool:weather']);
    expect(result).not.toHaveProperty('results');
    const streamed: string[] = [];
    for await (const row of result.readResults()) streamed.push(row.test_case_uid);
    expect(streamed).toEqual(['tool:weather', 'tool:math']);
    const loaded = await result.loadResults();
    expect(loaded.map((row) => row.test_index)).toEqual([0, 1]);
    expect(result.totals).toMatchObject({
      count: 2,
      successful: loaded.filter((row) => row.success).length,
      totalTokens: loaded.reduce((sum, row) => sum + row.total_tokens, 0),
      modelCalls: loaded.reduce((sum, row) => sum + row.model_calls, 0),
      executionTimes: expect.arrayContaining(loaded.map((row) => row.execution_time_ms)),
    });
    expect(result.journal.records).toHaveLength(2);
  });

  it('passes --model-args to the provider, not into the prompt', async () => {
    await run({}, { modelArgs: { temperature: 0.1, max_tokens: 99, top_k: 3 } });
    const body = server.requests[0]!.body;
    expect(body).toMatchObject({ temperature: 0.1, max_tokens: 99, top_k: 3 });
    expect(JSON.stringify(body.messages)).not.toMatch(/additional arguments|top_k|max_tokens/);
  });

  it("understands smolagents' text Action format", async () => {
    const result = await run({
      weather: [
        { content: 'Thought: weather.\nAction:\n{"name": "get_weather", "arguments": {"location": "Tokyo, Japan"}}' },
        { content: 'Action:\n{"name": "final_answer", "arguments": {"answer": "18°C, clear"}}' },
      ],
    });
    const weather = byId(await result.loadResults()).weather!;
    expect(weather).toMatchObject({ success: true, tools_used: ['get_weather'], response: '18°C, clear' });
    const weatherRequests = server.requests.filter((request) => request.body.messages[1].content.includes('Tokyo'));
    expect(weatherRequests[1]!.body.messages.at(-1)).toEqual({ role: 'user', content: 'Observation:\n18°C, Clear' });
  });

  it('sends tool errors back to the model and goes on', async () => {
    const result = await run({
      weather: [
        toolCall('no_such_tool', {}),
        toolCall('get_weather', { place: 'Tokyo' }),
        { content: 'I think it is warm.' },
        toolCall('get_weather', { location: 'Tokyo, Japan' }),
        finalAnswer('18°C'),
      ],
    });
    const weather = byId(await result.loadResults()).weather!;
    expect(weather.success).toBe(true);
    expect(weather.tools_used).toEqual(['no_such_tool', 'get_weather', 'get_weather']);
    expect(weather.tool_calls[0]!.output).toMatch(/^Error: unknown tool 'no_such_tool'. Available tools: get_weather/);
    expect(weather.tool_calls[1]!.output).toMatch(/^Error: invalid arguments for 'get_weather': location/);
    const observations = server.requests.filter((request) => request.body.messages[1].content.includes('Tokyo')).map((request) => request.body.messages.at(-1));
    expect(observations[3]).toEqual({ role: 'user', content: expect.stringMatching(/^Error: your reply contained no tool call/) });
  });

  it('records a failing task with its error kind and runs the rest', async () => {
    const result = await run({ weather: [{ fault: { kind: 'status', status: 500 } }] });
    const rows = byId(await result.loadResults());
    expect(rows.weather).toMatchObject({ success: false, error_kind: 'infrastructure', stop_reason: 'error', response: null, response_correct: false });
    expect(rows.weather!.error).toMatch(/server error \(500\)/);
    expect(rows.math!.success).toBe(true);
  });

  it('times a slow task out', async () => {
    const result = await run({ weather: [{ content: 'late', delayMs: 3000 }] }, { timeoutSeconds: 0.3 });
    expect(byId(await result.loadResults()).weather).toMatchObject({ success: false, error_kind: 'timeout', stop_reason: 'timeout', error: 'task timed out after 0.3 s' });
    expect(byId(await result.loadResults()).math!.success).toBe(true);
  });

  it('stops at max steps without a final answer', async () => {
    const result = await run({ weather: [toolCall('get_weather', { location: 'Tokyo, Japan' })] }, { maxSteps: 2 });
    expect(byId(await result.loadResults()).weather).toMatchObject({
      success: false,
      final_answer_called: false,
      steps: 2,
      stop_reason: 'max-steps',
      error_kind: 'model',
      error: 'reached max steps (2) without a final answer',
    });
  });

  it('runs code tasks in the Python sandbox with exact tool tracking', async () => {
    const result = await run({
      'code:math': [
        { content: 'Thought: multiply.\n<code>\nproduct = calculator("234 * 67")\nprint(product)\n</code>' },
        { content: 'Thought: done.\n```py\nfinal_answer(product.replace("Result: ", "The product is "))\n```<end_code>' },
      ],
    }, { agentType: 'both' });
    const code = (await result.loadResults()).filter((row) => row.agent_type === 'code');
    expect(code.map((row) => row.test_case_uid)).toEqual(['code:math', 'code:code-only']);
    expect(code[0]).toMatchObject({ success: true, tools_used: ['calculator'], response: 'The product is 15678', steps: 3, final_answer_called: true });
    expect(code[0]!.tool_calls[0]).toMatchObject({ name: 'calculator', arguments: { expression: '234 * 67' }, output: 'Result: 15678' });
    const observation = server.requests.find((request) => !request.body.tools && request.body.messages.length === 4 && request.body.messages[1].content.includes('234'));
    expect(observation!.body.messages.at(-1).content).toBe('Observation:\nExecution logs:\nResult: 15678\nLast output from code snippet:\nNone');
    expect(server.requests.find((request) => !request.body.tools)!.body.stop).toEqual(['Observation:', 'Calling tools:']);
  });

  it('gives the tool-calling agent python_interpreter with --enable-tools', async () => {
    const result = await run(
      {
        math: [
          toolCall('python_interpreter', { code: 'import math\nprint(234 * 67)\nmath.sqrt(16)' }),
          toolCall('python_interpreter', { code: 'import os' }),
          finalAnswer('15678'),
        ],
      },
      { enableTools: ['python_interpreter'] },
    );
    const math = byId(await result.loadResults()).math!;
    // The task expects the calculator, so the run is scored as a wrong tool choice.
    expect(math).toMatchObject({ success: false, correct_tool: false, final_answer_called: true, tools_used: ['python_interpreter', 'python_interpreter'] });
    expect(math.tool_calls[0]).toMatchObject({ output: 'Stdout:\n15678\nOutput: 4.0', is_error: false });
    expect(math.tool_calls[1]).toMatchObject({ is_error: true, output: expect.stringMatching(/^Error: ImportError: import of 'os' is not allowed/) });
  });

  it('keeps finished tasks and drops running ones when interrupted', async () => {
    const controller = new AbortController();
    const pending = run({ weather: [{ content: 'slow', delayMs: 5000 }] }, {}, controller.signal);
    setTimeout(() => controller.abort(), 500);
    const result = await pending;
    expect(result.interrupted).toBe(true);
    expect((await result.loadResults()).map((row) => row.test_id)).toEqual(['math']);
  });
});
