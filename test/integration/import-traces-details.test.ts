// Import details the first fixtures did not cover: finish reasons (a cut-off reply is not the final
// answer), OpenInference's input.value/output.value as the only messages, an AGENT span's output as the
// answer, OpenInference tool schemas (llm.tools.N.tool.json_schema), and errors of tool spans with no result.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTraces } from '../../src/import/import-run.js';
import { rescoreRun } from '../../src/rescore/rescore-run.js';

const TRACE = '0x11112222333344445555666677778888';
let spanCounter = 0;

function span(name: string, parent: string | null, startMs: number, endMs: number, attributes: Record<string, unknown>, status: Record<string, unknown> = { code: 'OK' }, trace = TRACE) {
  spanCounter++;
  const id = `0x${spanCounter.toString(16).padStart(16, '0')}`;
  const time = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  return { trace_id: trace, span_id: id, parent_span_id: parent, name, start_time: time(startMs), end_time: time(endMs), attributes, status };
}

let lastImport = '';

async function importSpans(spans: unknown[]) {
  const directory = await mkdtemp(join(tmpdir(), 'agent-eval-import-details-'));
  const file = join(directory, 'spans.json');
  await writeFile(file, JSON.stringify(spans));
  const output = join(directory, 'run');
  await importTraces({ sources: [file], format: 'auto', output, force: false, env: {} });
  lastImport = output;
  return JSON.parse(await readFile(join(output, 'results.json'), 'utf8')) as Record<string, unknown>[];
}

async function taskFile(id: string, extra: Record<string, unknown>): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'agent-eval-import-details-')), 'tasks.jsonl');
  await writeFile(file, `${JSON.stringify({ id, prompt: 'Write a long essay.', difficulty: 'easy', agent_type: 'tool', ...extra })}\n`);
  return file;
}

describe('import: finish reasons', () => {
  it('records each model call\'s finish reasons; a reply cut off by length is not the final answer', async () => {
    const agent = span('invoke_agent helper', null, 0, 2000, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'long_essay' });
    const chat = span('chat gpt-4o-mini', agent.span_id, 10, 1900, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.output_tokens': 4096,
      'gen_ai.response.finish_reasons': ['length'],
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Write a long essay.' }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Once upon a time' }], finish_reason: 'length' }]),
    });
    const [row] = await importSpans([agent, chat]);
    expect(row).toMatchObject({ task_id: 'long_essay', response: null, final_answer_called: false, stop_reason: 'length', finish_reasons: ['length'] });
    expect(row!.messages).toEqual([{ role: 'user', content: 'Write a long essay.' }, { role: 'assistant', content: 'Once upon a time' }]);
    // Scored later, the cut-off reply is why the task failed.
    const scored = join(lastImport, '..', 'scored');
    await rescoreRun({ run: lastImport, scorers: ['includes'], output: scored, inPlace: false, force: false, tasksFile: await taskFile('long_essay', { expected_answer: 'upon' }), env: {} });
    const [again] = JSON.parse(await readFile(join(scored, 'results.json'), 'utf8'));
    expect(again).toMatchObject({ success: false, failure_reason: 'model_error', failure_detail: "the model's last reply was cut off (finish reason length)" });
  });

  it('reads finish reasons from the output messages when the span has no finish_reasons attribute', async () => {
    const agent = span('invoke_agent helper', null, 0, 1000, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'short' });
    const chat = span('chat gpt-4o-mini', agent.span_id, 10, 900, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Hello!' }], finish_reason: 'stop' }]),
    });
    const [row] = await importSpans([agent, chat]);
    expect(row).toMatchObject({ response: 'Hello!', final_answer_called: true, stop_reason: 'final-answer', finish_reasons: ['stop'] });
  });
});

describe('import: OpenInference input.value / output.value and tool schemas', () => {
  it('takes an LLM span\'s input.value and output.value (text or a chat completion) as messages, and llm.tools as tool definitions', async () => {
    const trace = '0x99990000999900009999000099990000';
    const agent = span('Agent.run', null, 0, 3000, { 'openinference.span.kind': 'AGENT', 'session.id': 'weather_rome', 'input.value': 'Weather in Rome?' }, { code: 'OK' }, trace);
    const weatherSchema = { type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
    const first = span('llm', agent.span_id, 10, 1000, {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini',
      'llm.token_count.prompt': 30,
      'llm.token_count.completion': 10,
      'llm.tools.0.tool.json_schema': JSON.stringify(weatherSchema),
      'llm.tools.1.tool.json_schema': JSON.stringify({ name: 'final_answer', parameters: { type: 'object', properties: { answer: { type: 'string' } } } }),
      'input.value': 'Weather in Rome?',
      'output.value': JSON.stringify({ choices: [{ finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] } }] }),
    }, { code: 'OK' }, trace);
    const tool = span('get_weather', agent.span_id, 1100, 1200, { 'openinference.span.kind': 'TOOL', 'tool.name': 'get_weather', 'input.value': '{"city":"Rome"}', 'output.value': 'Sunny, 25 C' }, { code: 'OK' }, trace);
    const second = span('llm', agent.span_id, 1300, 2900, {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini',
      'llm.token_count.prompt': 60,
      'llm.token_count.completion': 8,
      'output.value': 'It is sunny in Rome, 25 C.',
    }, { code: 'OK' }, trace);
    const [row] = await importSpans([agent, first, tool, second]);
    expect(row).toMatchObject({ task_id: 'weather_rome', response: 'It is sunny in Rome, 25 C.', final_answer_called: true, tools_used: ['get_weather'], finish_reasons: ['tool_calls', null], total_tokens: 108 });
    expect(row!.messages).toEqual([
      { role: 'user', content: 'Weather in Rome?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] },
      { role: 'tool', tool_call_id: 'w1', content: 'Sunny, 25 C' },
      { role: 'assistant', content: 'It is sunny in Rome, 25 C.' },
    ]);
    expect(row!.tool_definitions).toEqual([weatherSchema, { type: 'function', function: { name: 'final_answer', parameters: { type: 'object', properties: { answer: { type: 'string' } } } } }]);
  });

  it("uses an AGENT span's output.value as the answer when no message holds one", async () => {
    const trace = '0x12121212121212121212121212121212';
    const agent = span('Agent.run', null, 0, 1000, { 'openinference.span.kind': 'AGENT', 'session.id': 'opaque', 'input.value': 'What is 6 x 7?', 'output.value': '42' }, { code: 'OK' }, trace);
    const llm = span('llm', agent.span_id, 10, 900, { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.token_count.prompt': 5, 'llm.token_count.completion': 3 }, { code: 'OK' }, trace);
    const [row] = await importSpans([agent, llm]);
    expect(row).toMatchObject({ task_id: 'opaque', response: '42', final_answer_called: true, prompt: 'What is 6 x 7?' });
  });
});

describe('import: tool errors', () => {
  it('puts error.type and the status message of a failed tool span with no result into the tool call output', async () => {
    const agent = span('invoke_agent helper', null, 0, 2000, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'broken_tool' });
    const chat = span('chat gpt-4o-mini', agent.span_id, 10, 500, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Rate of XYZ?' }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id: 't1', name: 'get_rate', arguments: { code: 'XYZ' } }], finish_reason: 'tool_call' }]),
    });
    const tool = span('execute_tool get_rate', agent.span_id, 600, 700, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_rate', 'gen_ai.tool.call.arguments': '{"code":"XYZ"}', 'error.type': 'ValueError' }, { code: 'ERROR', description: 'unknown currency XYZ' });
    const [row] = await importSpans([agent, chat, tool]);
    expect(row!.tool_calls).toEqual([{ step: 1, name: 'get_rate', arguments: { code: 'XYZ' }, output: 'Error (ValueError): unknown currency XYZ', is_error: true, duration_ms: 100 }]);
    // The tool message the model would have seen carries the same text.
    expect((row!.messages as { role: string; content: string }[]).find((message) => message.role === 'tool')?.content).toBe('Error (ValueError): unknown currency XYZ');
  });
});

describe('import: AgentTrace tool arguments', () => {
  it("takes a tool span's arguments from the model step's tool call, else parses tool_input's kwargs", async () => {
    const directory = await mkdtemp(join(tmpdir(), 'agent-eval-import-details-'));
    const file = join(directory, 'agenttrace.jsonl');
    const base = { timestamp_utc: '2026-03-28T13:31:44Z', model: 'Qwen/Qwen3-0.6B', total_duration_ms: 100 };
    const rows = [
      {
        ...base,
        trace_id: 'a-1',
        prompt: 'Count the lines of notes.txt',
        spans: [{ span_id: 's1', type: 'TOOL', tool_name: 'bash', tool_input: "args=() kwargs={'command': 'wc -l notes.txt'}", tool_output: '3 notes.txt', duration_ms: 5, exit_code: 0 }],
        llm_steps: [
          { step_number: 1, model_output: null, tool_calls: [{ name: 'bash', arguments: { command: 'wc -l notes.txt' } }], input_tokens: 10, output_tokens: 5 },
          { step_number: 2, model_output: '3', tool_calls: [], input_tokens: 12, output_tokens: 1 },
        ],
        metadata: { task_id: 'from_step' },
      },
      {
        ...base,
        trace_id: 'a-2',
        prompt: 'Say it',
        spans: [{ span_id: 's2', type: 'TOOL', tool_name: 'bash', tool_input: "args=() kwargs={'command': \"echo 'it'\", 'timeout': 5, 'quiet': True}", tool_output: 'it', duration_ms: 5, exit_code: 0 }],
        llm_steps: [{ step_number: 1, model_output: 'it', tool_calls: [], input_tokens: 10, output_tokens: 2 }],
        metadata: { task_id: 'from_kwargs' },
      },
    ];
    await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n'));
    const output = join(directory, 'run');
    await importTraces({ sources: [file], format: 'agenttrace', output, force: false, env: {} });
    const [fromStep, fromKwargs] = JSON.parse(await readFile(join(output, 'results.json'), 'utf8'));
    expect(fromStep.tool_calls[0].arguments).toEqual({ command: 'wc -l notes.txt' });
    expect(fromKwargs.tool_calls[0].arguments).toEqual({ command: "echo 'it'", timeout: 5, quiet: true });
  });
});
