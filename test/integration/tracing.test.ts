import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunOptionsInput } from '../../src/eval/defaults.js';
import { runEvaluation } from '../../src/eval/run-evaluation.js';
import type { TraceSpan } from '../../src/telemetry/trace-document.js';
import { finalAnswer, scriptByPrompt, startOpenAIServer, toolCall, type LoopbackOpenAIServer } from '../helpers/openai-server.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { solveTasks } from '../helpers/task-model.js';

const TASKS = [
  { id: 'weather', prompt: "What's the weather in Tokyo, Japan? key sk-abcdefghijklmnop1234", difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_weather', expected_tool_calls: 2, expected_keywords: ['18'] },
  { id: 'math', prompt: 'What is 234 multiplied by 67?', difficulty: 'hard', agent_type: 'tool', expected_tool: 'calculator', expected_keywords: ['15678'] },
];

let server: LoopbackOpenAIServer;
let receiver: OtlpReceiver | undefined;
let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-eval-trace-'));
  await writeFile(join(directory, 'tasks.jsonl'), TASKS.map((task) => JSON.stringify(task)).join('\n'));
  server = await startOpenAIServer({ responder: solveTasks(TASKS, { math: [{ fault: { kind: 'status', status: 400 } }] }) });
});
afterEach(async () => {
  await server.close();
  await receiver?.close();
  receiver = undefined;
});

const run = (options: Partial<RunOptionsInput> = {}, env: Record<string, string> = {}) =>
  runEvaluation(
    { model: 'openai/gpt-4o-mini', baseUrl: `${server.url}/v1`, datasetName: join(directory, 'tasks.jsonl'), outputDir: join(directory, 'out'), agentType: 'tool', maxRetries: 0, enableOtel: true, ...options },
    { env: { OPENAI_API_KEY: 'sk-test-secret-value', ...env } },
  );

const byName = (spans: TraceSpan[], prefix: string) => spans.filter((span) => span.name.startsWith(prefix));

describe('OpenTelemetry spans', () => {
  it('builds one span tree per task with GenAI attributes, tokens and cost counted once', async () => {
    const result = await run({ parallelWorkers: 2 });
    const weather = (await result.loadResults()).find((row) => row.test_id === 'weather')!;
    const trace = weather.trace!;
    expect(weather.trace_id).toBe(trace.trace_id);
    expect(weather.span_id).toBe(trace.root_span_id);
    expect(trace.trace_id).toMatch(/^0x[0-9a-f]{32}$/);
    const [root] = byName(trace.spans, 'test_evaluation');
    const [agent] = byName(trace.spans, 'invoke_agent');
    const chats = byName(trace.spans, 'chat ');
    const tools = byName(trace.spans, 'execute_tool');
    expect(root!.parent_span_id).toBeNull();
    expect(root!.attributes).toMatchObject({ 'test.id': 'weather', 'test.case_uid': 'tool:weather', 'test.difficulty': 'easy', 'agent.type': 'tool', 'tests.tool_calls': 2, 'tests.steps': 2 });
    expect(agent!.parent_span_id).toBe(root!.span_id);
    expect(chats).toHaveLength(2);
    expect(tools.map((span) => span.name)).toEqual(['execute_tool get_weather', 'execute_tool get_weather', 'execute_tool final_answer']);
    for (const span of [...chats, ...tools]) expect(span.parent_span_id).toBe(agent!.span_id);
    expect(chats[0]!.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.response.finish_reasons': ['tool_calls'] });
    expect(chats[0]!.kind).toBe('CLIENT');
    expect(tools[0]!.attributes).toMatchObject({ 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.type': 'function', 'gen_ai.tool.call.result': '20°C, Partly Cloudy' });
    expect(typeof tools[0]!.attributes['process.cpu.user_ms']).toBe('number');
    expect(JSON.parse(chats[1]!.attributes['gen_ai.input.messages'] as string).at(-1)).toEqual({ role: 'tool', parts: [{ type: 'tool_call_response', id: expect.any(String), response: '20°C, Partly Cloudy' }] });
    // Tokens and cost: each model call once; duration: the root span, not a sum.
    expect(trace.total_tokens).toBe(weather.total_tokens);
    expect(trace.total_duration_ms).toBeCloseTo(weather.execution_time_ms, 0);
    expect(trace.total_duration_ms).toBeLessThan(trace.spans.reduce((sum, span) => sum + span.duration_ms, 0));
    const expectedCost = (weather.input_tokens * 0.15 + weather.output_tokens * 0.6) / 1e6;
    expect(weather.cost_usd).toBeCloseTo(expectedCost, 12);
    expect(trace.total_cost_usd).toBeCloseTo(expectedCost, 12);
    expect(BigInt(root!.end_time) - BigInt(root!.start_time)).toBeGreaterThan(0n);
  });

  it('records the GenAI client histograms with the OpenTelemetry metrics SDK', async () => {
    const result = await run();
    const [resource] = result.clientMetrics as { scopeMetrics: { metrics: { name: string; unit: string; histogram: { dataPoints: { attributes: { key: string; value: { stringValue?: string } }[]; count: number; sum: number; bucketCounts: number[] }[] } }[] }[] }[];
    const metrics = Object.fromEntries(resource!.scopeMetrics[0]!.metrics.map((metric) => [metric.name, metric]));
    const weather = (await result.loadResults()).find((row) => row.test_id === 'weather')!;
    const tokenPoints = metrics['gen_ai.client.token.usage']!.histogram.dataPoints;
    const input = tokenPoints.find((point) => point.attributes.some((attribute) => attribute.key === 'gen_ai.token.type' && attribute.value.stringValue === 'input'))!;
    expect(input.count).toBe(weather.model_calls); // the failing task made no completed call
    expect(input.sum).toBe(weather.input_tokens);
    expect(input.bucketCounts.reduce((sum, count) => sum + count, 0)).toBe(input.count);
    expect(metrics['gen_ai.client.operation.duration']!.unit).toBe('s');
  });

  it('marks a failed task with error status and error.type', async () => {
    const result = await run();
    const math = (await result.loadResults()).find((row) => row.test_id === 'math')!;
    const root = math.trace!.spans.find((span) => span.parent_span_id === null)!;
    expect(root.status.code).toBe('ERROR');
    expect(root.attributes['error.type']).toBe('model');
    expect(root.attributes['test.success']).toBe(false);
  });

  it('redacts secrets and leaves content off with captureContent false', async () => {
    const result = await run();
    const weather = (await result.loadResults()).find((row) => row.test_id === 'weather')!;
    const text = JSON.stringify(weather.trace);
    expect(text).not.toContain('sk-abcdefghijklmnop1234');
    expect(text).not.toContain('sk-test-secret-value');
    expect(text).toContain('[REDACTED]');
    const bare = await run({ captureContent: false });
    const spans = (await bare.loadResults()).find((row) => row.test_id === 'weather')!.trace!.spans;
    for (const span of spans) {
      expect(span.attributes).not.toHaveProperty('gen_ai.input.messages');
      expect(span.attributes).not.toHaveProperty('gen_ai.tool.call.result');
    }
  });

  it('records no traces without enableOtel', async () => {
    const result = await run({ enableOtel: false });
    expect((await result.loadResults()).every((row) => row.trace === undefined && row.trace_id === null)).toBe(true);
  });

  it('exports spans over OTLP/protobuf with headers from the environment', async () => {
    receiver = await startOtlpReceiver();
    const result = await run({ otlpEndpoint: receiver.url, enableOtel: false }, { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-team=evals' });
    const local = (await result.loadResults()).flatMap((row) => row.trace!.spans);
    expect(receiver.spans).toHaveLength(local.length);
    expect(receiver.requests[0]!.contentType).toBe('application/x-protobuf');
    expect(receiver.requests[0]!.headers).toMatchObject({ authorization: 'Bearer abc', 'x-team': 'evals' });
    const chat = receiver.spans.find((span) => span.name === 'chat gpt-4o-mini')!;
    expect(chat.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' });
    expect(typeof chat.attributes['gen_ai.usage.input_tokens']).toBe('number');
    const root = receiver.spans.find((span) => span.name === 'test_evaluation' && span.attributes['test.id'] === 'weather')!;
    expect(`0x${root.traceId}`).toBe((await result.loadResults()).find((row) => row.test_id === 'weather')!.trace_id);
  });

  it('sends OpenInference attributes and the resource from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (what Phoenix reads)', async () => {
    receiver = await startOtlpReceiver();
    server.setResponder(scriptByPrompt({ 'weather in Tokyo': [toolCall('get_weather', { location: 'Paris, France' }), finalAnswer('18°C and clear')] }));
    const result = await run(
      { otlpEndpoint: receiver.url },
      { OTEL_SERVICE_NAME: 'weather-evals', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=ci,team=agent%20evals,malformed' },
    );
    const weather = (await result.loadResults()).find((row) => row.test_id === 'weather')!;
    const spans = receiver.spans.filter((span) => `0x${span.traceId}` === weather.trace_id);
    for (const span of receiver.spans) {
      expect(span.resource).toMatchObject({
        'service.name': 'weather-evals',
        'run.id': result.runId,
        'deployment.environment.name': 'ci',
        team: 'agent evals',
        // Phoenix groups traces into projects by this attribute; without it everything lands in "default".
        'openinference.project.name': 'weather-evals',
      });
    }
    const kinds = (prefix: string) => spans.filter((span) => span.name.startsWith(prefix)).map((span) => span.attributes['openinference.span.kind']);
    expect(kinds('test_evaluation')).toEqual(['CHAIN']);
    expect(kinds('invoke_agent')).toEqual(['AGENT']);
    expect(kinds('chat ')).toEqual(['LLM', 'LLM']);
    expect(new Set(kinds('execute_tool'))).toEqual(new Set(['TOOL']));
    const root = spans.find((span) => span.name === 'test_evaluation')!;
    const agent = spans.find((span) => span.name.startsWith('invoke_agent'))!;
    for (const span of [root, agent]) {
      expect(span.attributes).toMatchObject({ 'input.mime_type': 'text/plain', 'output.value': weather.response, 'output.mime_type': 'text/plain' });
      expect(span.attributes['input.value']).toMatch(/^What's the weather in Tokyo, Japan\? key \[REDACTED\]/);
    }
    const chats = spans.filter((span) => span.name.startsWith('chat '));
    const sum = (key: string) => chats.reduce((total, span) => total + (span.attributes[key] as number), 0);
    expect(sum('llm.token_count.prompt')).toBe(weather.input_tokens);
    expect(sum('llm.token_count.completion')).toBe(weather.output_tokens);
    expect(sum('llm.token_count.total')).toBe(weather.total_tokens);
    expect(chats[0]!.attributes).toMatchObject({ 'llm.model_name': 'gpt-4o-mini', 'gen_ai.response.finish_reasons': ['tool_calls'] });
    expect(chats[1]!.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
    const tool = spans.find((span) => span.name === 'execute_tool get_weather')!;
    expect(tool.attributes).toMatchObject({ 'tool.name': 'get_weather', 'input.mime_type': 'application/json', 'output.value': '20°C, Partly Cloudy' });
    expect(JSON.parse(tool.attributes['input.value'] as string)).toEqual({ location: 'Paris, France' });
  });

  it('groups spans under the service name by default, or the project named in the resource attributes', async () => {
    receiver = await startOtlpReceiver();
    await run({ otlpEndpoint: receiver.url });
    expect(receiver.spans[0]!.resource).toMatchObject({ 'service.name': 'agent-eval', 'openinference.project.name': 'agent-eval' });
    await receiver.close();
    receiver = await startOtlpReceiver();
    await run({ otlpEndpoint: receiver.url }, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes,openinference.project.name=nightly' });
    expect(receiver.spans[0]!.resource).toMatchObject({ 'service.name': 'from-attributes', 'openinference.project.name': 'nightly' });
  });

  it('leaves input and output values off the spans without content capture', async () => {
    const result = await run({ captureContent: false });
    const spans = (await result.loadResults()).flatMap((row) => row.trace!.spans);
    for (const span of spans) {
      expect(span.attributes).not.toHaveProperty('input.value');
      expect(span.attributes).not.toHaveProperty('output.value');
      expect(span.attributes['openinference.span.kind']).toMatch(/^(CHAIN|AGENT|LLM|TOOL)$/);
    }
  });

  it('warns once and keeps the run when the collector is down', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await run({ otlpEndpoint: `http://127.0.0.1:${port}` });
    expect(await result.loadResults()).toHaveLength(2);
    const warnings = result.notices.filter((notice) => notice.startsWith('OTLP export'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/traces\.json is complete/);
  });
});

describe('cost', () => {
  it('is null for a model without a known price, with a notice', async () => {
    const result = await run({ model: 'openai/test-model-unknown', enableOtel: false });
    const byId = Object.fromEntries((await result.loadResults()).map((row) => [row.test_id, row]));
    expect(byId.weather!.cost_usd).toBeNull();
    expect(byId.math!.cost_usd).toBe(0); // rejected before any completed model call: nothing billed
    expect(result.notices).toContain('no price known for openai/test-model-unknown: its cost is recorded as null (give prices with --pricing)');
  });

  it('uses a custom pricing file', async () => {
    const pricing = join(directory, 'prices.json');
    await writeFile(pricing, JSON.stringify({ models: { 'my-model': { input_per_mtok: 1, output_per_mtok: 2 } } }));
    server.setResponder(() => finalAnswer('x'));
    const result = await run({ model: 'openai/my-model', pricingFile: pricing, enableOtel: false });
    const row = (await result.loadResults())[0]!;
    expect(row.cost_usd).toBeCloseTo((row.input_tokens * 1 + row.output_tokens * 2) / 1e6, 12);
  });
});
