import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import type { Task } from '../../src/tasks/schema.js';
import { runCli } from '../helpers/cli.js';
import { messageText, startOpenAIServer, type LoopbackOpenAIServer, type Responder } from '../helpers/openai-server.js';

let toolTasks: Task[];
let server: LoopbackOpenAIServer | undefined;

beforeAll(async () => {
  toolTasks = (await loadTasks({ datasetName: 'builtin', split: 'train' })).filter((task) => task.agent_type !== 'code').slice(0, 6);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** An agent behind a chat completions endpoint: it used its own tools and answers in one reply. */
function agentEndpoint(tasks: readonly Task[]): Responder {
  return (request) => {
    const user = messageText(request.body.messages.find((message: { role: string }) => message.role === 'user')?.content);
    const task = tasks.find((candidate) => user.includes(candidate.prompt));
    if (!task) return { content: 'I cannot help with that.' };
    const count = Math.max(1, task.expected_tool_calls ?? 1);
    const tool = task.expected_tool && task.expected_tool !== 'multiple' ? task.expected_tool : 'get_weather';
    return {
      content: `The answer: ${task.expected_keywords.join(', ')}.`,
      toolCalls: Array.from({ length: count }, (_, index) => ({ name: tool, arguments: { call: index } })),
      finishReason: 'stop',
      usage: { prompt_tokens: 40, completion_tokens: 9 },
      model: 'my-framework-agent',
    };
  };
}

describe('agent-eval run --agent-url (built CLI, an agent served as a chat completions endpoint)', () => {
  it("records each reply as the answer, with the agent's reported tool calls, model and usage (the model the endpoint reports, without --model)", async () => {
    server = await startOpenAIServer({ responder: agentEndpoint(toolTasks) });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-agent-url-'));
    const result = await runCli(['run', '--agent-url', `${server.url}/v1`, '--task-id', ...toolTasks.map((task) => task.id), '--output-dir', output, '--enable-otel']);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const [name] = await readdir(output);
    expect(name).toMatch(/^external_tool_/);
    const directory = join(output, name!);
    const rows = JSON.parse(await readFile(join(directory, 'results.json'), 'utf8'));
    expect(rows).toHaveLength(toolTasks.length);
    for (const row of rows) {
      const task = toolTasks.find((candidate) => candidate.id === row.task_id)!;
      expect(row).toMatchObject({ success: true, model: 'my-framework-agent', model_provider: 'external', model_calls: 1, input_tokens: 40, output_tokens: 9, final_answer_called: true });
      expect(row.tools_used).toHaveLength(Math.max(1, task.expected_tool_calls ?? 1));
    }
    // Only the conversation is sent: no tools, no system prompt of ours.
    for (const request of server.requests) {
      expect(request.body.tools).toBeUndefined();
      expect(request.body.messages.map((message: { role: string }) => message.role)).toEqual(['user']);
      expect(request.body.model).toBe('external');
    }
    // The run's model too, once the endpoint has named it.
    expect(JSON.parse(await readFile(join(directory, 'leaderboard_row.json'), 'utf8'))).toMatchObject({ model: 'my-framework-agent', model_provider: 'external' });
    expect(JSON.parse(await readFile(join(directory, 'metadata.json'), 'utf8'))).toMatchObject({ model: 'my-framework-agent' });
    const traces = JSON.parse(await readFile(join(directory, 'traces.json'), 'utf8'));
    expect(traces[0].spans.map((span: { name: string }) => span.name)).toContain('invoke_agent http_agent');
  }, 60_000);

  it("an endpoint gets a traceparent and the OTLP receiver's URL; the execute_tool spans it sends there are its tool calls", async () => {
    const seen: { traceparent: string; endpoint: string }[] = [];
    server = await startOpenAIServer({
      responder: async (request) => {
        const traceparent = String(request.headers.traceparent);
        const endpoint = String(request.headers['x-agent-eval-otlp-endpoint']);
        seen.push({ traceparent, endpoint });
        const [, traceId, parentSpanId] = traceparent.split('-');
        const now = BigInt(Date.now()) * 1_000_000n;
        const attributes = [
          { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
          { key: 'gen_ai.tool.name', value: { stringValue: 'get_weather' } },
          { key: 'gen_ai.tool.call.arguments', value: { stringValue: '{"location":"Paris"}' } },
          { key: 'gen_ai.tool.call.result', value: { stringValue: '20°C, sunny' } },
        ];
        const span = { traceId, spanId: 'a1b2c3d4e5f60718', parentSpanId, name: 'execute_tool get_weather', kind: 1, startTimeUnixNano: String(now - 5_000_000n), endTimeUnixNano: String(now), attributes };
        const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'framework-agent' } }] }, scopeSpans: [{ scope: { name: 'framework' }, spans: [span] }] }] };
        const sent = await fetch(`${endpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(sent.status).toBe(200);
        return { content: 'It is 20°C and sunny in Paris.', usage: { prompt_tokens: 12, completion_tokens: 8 } };
      },
    });
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-agent-url-'));
    const file = join(folder, 'tasks.jsonl');
    await writeFile(file, JSON.stringify({ id: 'weather', prompt: 'Weather in Paris?', difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_weather', expected_tool_calls: 1, expected_keywords: ['20'] }));
    const result = await runCli(['run', '--agent-url', `${server.url}/v1`, '--dataset-name', file, '--output-dir', join(folder, 'out'), '--enable-otel']);
    expect(result.code, result.stderr).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(seen[0]!.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const [name] = await readdir(join(folder, 'out'));
    const directory = join(folder, 'out', name!);
    const [row] = JSON.parse(await readFile(join(directory, 'results.json'), 'utf8'));
    expect(row).toMatchObject({ success: true, tools_used: ['get_weather'], correct_tool: true });
    expect(row.tool_calls[0]).toMatchObject({ name: 'get_weather', arguments: { location: 'Paris' }, output: '20°C, sunny' });
    // The agent's own span stands in the trace under the agent span, once (agent-eval draws no second one).
    const [trace] = JSON.parse(await readFile(join(directory, 'traces.json'), 'utf8'));
    const toolSpans = trace.spans.filter((span: { name: string }) => span.name === 'execute_tool get_weather');
    expect(toolSpans).toHaveLength(1);
    expect(toolSpans[0]).toMatchObject({ span_id: '0xa1b2c3d4e5f60718', attributes: { 'agent_eval.source': 'external_agent' }, resource: { attributes: { 'service.name': 'framework-agent' } } });
  }, 60_000);

  it("in a dialogue, the tool calls of the endpoint's execute_tool spans count in the turn whose request they hang under (turn_tool_calls)", async () => {
    const traceparents: string[] = [];
    const agent = await startOpenAIServer({
      responder: async (request) => {
        const traceparent = String(request.headers.traceparent);
        traceparents.push(traceparent);
        const said = request.body.messages.filter((message: { role: string }) => message.role === 'user').map((message: { content: unknown }) => messageText(message.content));
        if (said.length === 1) return { content: 'How many nights, and at what price?', usage: { prompt_tokens: 10, completion_tokens: 5 } };
        // The second turn: the agent runs its own calculator, under its own agent span, under the request's context.
        const [, traceId, parentSpanId] = traceparent.split('-');
        const now = BigInt(Date.now()) * 1_000_000n;
        const text = (key: string, value: string) => ({ key, value: { stringValue: value } });
        const agentSpan = { traceId, spanId: 'b1b2b3b4b5b6b7b8', parentSpanId, name: 'invoke_agent framework', kind: 1, startTimeUnixNano: String(now - 9_000_000n), endTimeUnixNano: String(now), attributes: [text('gen_ai.operation.name', 'invoke_agent')] };
        const toolSpan = {
          traceId,
          spanId: 'c1c2c3c4c5c6c7c8',
          parentSpanId: agentSpan.spanId,
          name: 'execute_tool calculator',
          kind: 1,
          startTimeUnixNano: String(now - 5_000_000n),
          endTimeUnixNano: String(now - 1_000_000n),
          attributes: [text('gen_ai.operation.name', 'execute_tool'), text('gen_ai.tool.name', 'calculator'), text('gen_ai.tool.call.arguments', '{"expression":"3 * (140 + 4)"}'), text('gen_ai.tool.call.result', '432')],
        };
        const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'framework' }, spans: [agentSpan, toolSpan] }] }] };
        const sent = await fetch(`${String(request.headers['x-agent-eval-otlp-endpoint'])}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(sent.status).toBe(200);
        return { content: 'Your stay costs 432 euros in total.', usage: { prompt_tokens: 20, completion_tokens: 8 } };
      },
    });
    const user = await startOpenAIServer({
      responder: (request) => {
        const said = messageText(request.body.messages.at(-1).content);
        if (said.includes('432')) return { toolCalls: [{ name: 'end_conversation', arguments: { reason: 'goal_met' } }], usage: { prompt_tokens: 3, completion_tokens: 1 } };
        return { content: '3 nights at 140 euros, plus 4 euros tax per night.', usage: { prompt_tokens: 3, completion_tokens: 1 } };
      },
    });
    try {
      const folder = await mkdtemp(join(tmpdir(), 'agent-eval-agent-url-'));
      const file = join(folder, 'tasks.jsonl');
      const row = { id: 'hotel', prompt: 'Work out what my hotel stay costs.', difficulty: 'easy', agent_type: 'tool', expected_tool: 'calculator', expected_tool_calls: 1, expected_keywords: ['432'], user: { goal: 'The total of your stay: 3 nights at 140 euros plus 4 euros tax per night.', opening: 'What will my hotel stay cost?', max_turns: 4 } };
      await writeFile(file, JSON.stringify(row));
      const result = await runCli(['run', '--agent-url', `${agent.url}/v1`, '--user-model', 'user-model', '--user-base-url', `${user.url}/v1`, '--dataset-name', file, '--output-dir', join(folder, 'out'), '--enable-otel']);
      expect(result.code, result.stderr).toBe(0);
      // One trace, a parent span id per request: the spans tell their turn.
      expect(traceparents).toHaveLength(2);
      expect(new Set(traceparents.map((header) => header.split('-')[1])).size).toBe(1);
      expect(new Set(traceparents.map((header) => header.split('-')[2])).size).toBe(2);
      const [name] = await readdir(join(folder, 'out'));
      const directory = join(folder, 'out', name!);
      const [taskRow] = JSON.parse(await readFile(join(directory, 'results.json'), 'utf8'));
      expect(taskRow).toMatchObject({ success: true, turns: 2, dialogue_stop_reason: 'goal_met', turn_tool_calls: [0, 1], tools_used: ['calculator'], correct_tool: true });
      // The call stands in the second turn, before its reply.
      expect(taskRow.tool_calls.map((call: { name: string; step: number }) => [call.name, call.step])).toEqual([
        ['final_answer', 1],
        ['calculator', 2],
        ['final_answer', 2],
      ]);
      // Both of the agent's spans hang where they were sent: its agent span under agent-eval's, the tool span under it.
      const [trace] = JSON.parse(await readFile(join(directory, 'traces.json'), 'utf8'));
      const spans = new Map(trace.spans.map((span: { span_id: string }) => [span.span_id, span]));
      const ownAgent = trace.spans.find((span: { name: string }) => span.name === 'invoke_agent http_agent');
      expect(spans.get('0xb1b2b3b4b5b6b7b8')).toMatchObject({ parent_span_id: ownAgent.span_id });
      expect(spans.get('0xc1c2c3c4c5c6c7c8')).toMatchObject({ parent_span_id: '0xb1b2b3b4b5b6b7b8' });
    } finally {
      await Promise.all([agent.close(), user.close()]);
    }
  }, 60_000);

  it('an endpoint that fails is an infrastructure error of the task', async () => {
    server = await startOpenAIServer({ responder: () => ({ fault: { kind: 'status', status: 500 } }) });
    const output = await mkdtemp(join(tmpdir(), 'agent-eval-agent-url-'));
    const result = await runCli(['run', '--agent-url', `${server.url}/v1`, '--task-id', toolTasks[0]!.id, '--output-dir', output, '--model', 'my-agent']);
    expect(result.code).toBe(1);
    const [name] = await readdir(output);
    const [row] = JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8'));
    expect(row).toMatchObject({ success: false, error_kind: 'infrastructure', model: 'my-agent' });
    expect(row.error).toContain('500');
  }, 60_000);
});
