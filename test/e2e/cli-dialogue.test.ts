import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/tasks/load.js';
import { runCli } from '../helpers/cli.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { finalAnswer, messageText, startOpenAIServer, toolCall, type LoopbackOpenAIServer, type RecordedRequest, type ScriptedReply } from '../helpers/openai-server.js';

const servers: LoopbackOpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

type Wire = { role: string; content?: unknown; tool_calls?: unknown[] };
const messagesOf = (request: RecordedRequest): Wire[] => request.body.messages;
const lastOf = (request: RecordedRequest) => messagesOf(request).at(-1)!;
const textOf = (message: Wire) => messageText(message.content);

const HOTEL = {
  id: 'hotel',
  prompt: 'Work out what my hotel stay costs.',
  difficulty: 'easy',
  agent_type: 'tool',
  expected_tool: 'calculator',
  expected_tool_calls: 1,
  expected_keywords: ['432'],
  user: { persona: 'A traveller.', goal: 'The total of your stay. Facts only you know: 3 nights at 140 euros plus 4 euros tax per night.', opening: 'What will my hotel stay cost?', max_turns: 4, stop_when: 'you were told 432 euros' },
};
const STALL = { id: 'stall', prompt: 'Stall.', difficulty: 'easy', agent_type: 'tool', expected_tool_calls: 0, user: { goal: 'Get an answer.', max_turns: 3 } };
const AGENT_STOPS = { id: 'agent_stops', prompt: 'Break after one reply.', difficulty: 'easy', agent_type: 'tool', expected_tool_calls: 0, user: { goal: 'Keep talking.', max_turns: 4 } };
const SIMULATOR_FAILS = { id: 'simulator_fails', prompt: 'Confuse the user.', difficulty: 'easy', agent_type: 'tool', expected_tool_calls: 0, user: { goal: 'Anything.' } };
const REFUND = { id: 'refund', prompt: 'Refund my flight.', difficulty: 'easy', agent_type: 'tool', expected_tool_calls: 0, user: { goal: 'A refund, which the assistant cannot give.', opening: 'Refund my flight AB123.' } };

/** The agent: asks for the facts, then calculates; stalls and refusals answer in plain text. */
function agentReply(request: RecordedRequest): ScriptedReply {
  const last = lastOf(request);
  const first = textOf(messagesOf(request).find((message) => message.role === 'user')!);
  const usage = { prompt_tokens: 100, completion_tokens: 10 };
  if (first.includes('Refund')) return { content: 'Sorry, I cannot issue refunds.', usage };
  // The agent's model rejects the second turn's request (400: not retried): the agent's run stops mid-dialogue.
  if (first.includes('Break after')) return messagesOf(request).filter((message) => message.role === 'user').length > 1 ? { fault: { kind: 'status', status: 400 } } : { content: 'First reply.', usage };
  if (first.includes('Confuse')) return { content: 'Simulator, please fail.', usage };
  if (first.includes('Stall')) return { content: 'Could you say that again?', usage };
  if (last.role === 'tool') return { ...finalAnswer('Your stay costs 432 euros in total.'), usage };
  if (last.role === 'user' && textOf(last).includes('3 nights')) return { ...toolCall('calculator', { expression: '3 * (140 + 4)' }), usage };
  return { content: 'How many nights, and at what price per night?', usage };
}

/** The simulated user (and the goal_met judge, told apart by their system prompts). */
function userReply(request: RecordedRequest): ScriptedReply {
  const system = textOf(messagesOf(request)[0]!);
  const usage = { prompt_tokens: 30, completion_tokens: 5 };
  if (system.includes('You judge a conversation')) {
    const transcript = textOf(lastOf(request)).split('Transcript:\n')[1]!;
    // '432 euros' is only in the agent's final_answer reply (the calculator said '432'): the judge must see the reply.
    const met = transcript.includes('3 nights') && transcript.includes('ASSISTANT: Your stay costs 432 euros');
    return { content: JSON.stringify({ reasoning: met ? 'the total was given' : 'no total', goal_met: met }), usage };
  }
  const agentSaid = textOf(lastOf(request));
  if (agentSaid.includes('please fail')) return { fault: { kind: 'status', status: 400 } };
  if (agentSaid.includes('432')) return { toolCalls: [{ name: 'end_conversation', arguments: { reason: 'goal_met' } }], usage };
  if (agentSaid.includes('refunds')) return { toolCalls: [{ name: 'end_conversation', arguments: { reason: 'gave_up' } }], usage };
  if (agentSaid.includes('How many nights')) return { content: '3 nights at 140 euros, plus 4 euros tax per night.', usage };
  return { content: 'I said: please answer.', usage };
}

/** A reasoning model's replies: the agent's n-th call reasons "thought n". */
function reasoningAgentReply(request: RecordedRequest): ScriptedReply {
  const call = messagesOf(request).filter((message) => message.role === 'assistant').length + 1;
  return { ...agentReply(request), reasoning: `thought ${call}` };
}

/** An example agent's row: its system prompt, each message once, each tool call with its result, final_answer answered as in the built-in agents' rows. */
function expectExampleConversation(messages: { role: string; content: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string }[]) {
  expect(messages.map((message) => [message.role, message.content, message.tool_calls?.map((call) => `${call.function.name} ${call.function.arguments}`) ?? null])).toEqual([
    ['system', 'You are a helpful agent. Use the tools, then call final_answer.', null],
    ['user', 'What will my hotel stay cost?', null],
    ['assistant', 'How many nights, and at what price per night?', null],
    ['user', '3 nights at 140 euros, plus 4 euros tax per night.', null],
    ['assistant', null, ['calculator {"expression":"3 * (140 + 4)"}']],
    ['tool', expect.stringContaining('432'), null],
    ['assistant', null, ['final_answer {"answer":"Your stay costs 432 euros in total."}']],
    ['tool', 'Your stay costs 432 euros in total.', null],
  ]);
  expect([messages[5]!.tool_call_id, messages[7]!.tool_call_id]).toEqual([messages[4]!.tool_calls![0]!.id, messages[6]!.tool_calls![0]!.id]);
}

async function run(rows: object[], extra: (urls: { user: string; agent: string }) => string[] = () => [], options: { reasoning?: boolean } = {}) {
  const agent = await startOpenAIServer({ responder: options.reasoning ? reasoningAgentReply : agentReply });
  const user = await startOpenAIServer({ responder: userReply });
  servers.push(agent, user);
  const folder = await mkdtemp(join(tmpdir(), 'agent-eval-dialogue-'));
  const file = join(folder, 'tasks.jsonl');
  await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n'));
  await writeFile(join(folder, 'prices.json'), JSON.stringify({ models: { 'agent-model': { input_per_mtok: 1, output_per_mtok: 1 }, 'user-model': { input_per_mtok: 10, output_per_mtok: 10 } } }));
  const output = join(folder, 'out');
  const result = await runCli(['run', '--model', 'agent-model', '--base-url', `${agent.url}/v1`, '--user-model', 'user-model', '--user-base-url', `${user.url}/v1`, '--dataset-name', file, '--output-dir', output, '--pricing', join(folder, 'prices.json'), '--enable-otel', ...extra({ user: `${user.url}/v1`, agent: `${agent.url}/v1` })]);
  expect(result.stderr).not.toMatch(/unexpected error/);
  const [name] = await readdir(output);
  const directory = join(output, name!);
  const rowsOut = JSON.parse(await readFile(join(directory, 'results.json'), 'utf8')) as Record<string, unknown>[];
  const traces = JSON.parse(await readFile(join(directory, 'traces.json'), 'utf8'));
  return { result, rows: Object.fromEntries(rowsOut.map((row) => [row.task_id as string, row])), traces, agent, user, folder, directory };
}

describe('dialogue tasks with a simulated user (built CLI, scripted agent and user models)', () => {
  it('the user reveals a fact when asked, the agent uses a tool and the user ends the dialogue: tokens and spans apart', async () => {
    const { result, rows, traces, user } = await run([HOTEL, STALL, REFUND]);
    expect(result.code).toBe(0);
    expect(rows.hotel).toMatchObject({ success: true, turns: 2, user_turns: 2, dialogue_stop_reason: 'goal_met', turn_tool_calls: [0, 1], response: 'Your stay costs 432 euros in total.', tools_used: ['calculator'] });
    // Three agent calls at 100 + 10 tokens; the simulator's two calls are counted apart (30 + 5 each).
    expect(rows.hotel).toMatchObject({ model_calls: 3, input_tokens: 300, output_tokens: 30, user_input_tokens: 60, user_output_tokens: 10 });
    expect(rows.hotel!.cost_usd).toBeCloseTo(330 / 1e6, 12);
    expect(rows.hotel!.user_cost_usd).toBeCloseTo(700 / 1e6, 12);
    expect(rows.stall).toMatchObject({ turns: 3, user_turns: 3, dialogue_stop_reason: 'max_turns' });
    expect(rows.refund).toMatchObject({ turns: 1, dialogue_stop_reason: 'user_stopped', response: 'Sorry, I cannot issue refunds.' });
    // The console's summary per task kind: the dialogues apart, the simulated user's tokens and cost apart from the agent's.
    const summary = result.stdout.split('\n');
    const start = summary.indexOf('--- DIALOGUE SUMMARY ---');
    expect(start, result.stdout).toBeGreaterThan(summary.indexOf('--- TOOL SUMMARY ---'));
    expect(summary.slice(start + 1, start + 6)).toEqual([
      expect.stringMatching(/^Total: 3, Success: \d\/3 \(/),
      'Avg agent turns: 2.00, Avg user turns: 2.00',
      'Stop reasons: goal_met 1, user_stopped 1, max_turns 1',
      'Agent: 700 input + 70 output tokens, cost $0.000770',
      'Simulated user: 150 input + 25 output tokens, cost $0.001750',
    ]);
    // The simulator saw the dialogue only: its one tool, none of the agent's tools or its system prompt.
    for (const request of user.requests) {
      expect(request.body.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual(['end_conversation']);
      expect(request.body.temperature).toBe(0);
      expect(JSON.stringify(request.body.messages)).not.toContain('final_answer');
    }
    const hotelTrace = traces.find((trace: { test_ids: string[] }) => trace.test_ids.includes('hotel'));
    const spans = hotelTrace.spans as { name: string; span_id: string; parent_span_id: string | null; attributes: Record<string, unknown> }[];
    const simulator = spans.find((span) => span.name === 'simulate_user')!;
    expect(simulator.parent_span_id).toBe(hotelTrace.root_span_id);
    const simulatorChats = spans.filter((span) => span.parent_span_id === simulator.span_id);
    expect(simulatorChats.map((span) => span.name)).toEqual(['chat user-model', 'chat user-model']);
    expect(simulatorChats.every((span) => span.attributes['agent_eval.role'] === 'user_simulator')).toBe(true);
    expect(spans.filter((span) => span.name === 'chat agent-model')).toHaveLength(3);
  }, 60_000);

  it("leaderboard_row.json and metrics.json keep the simulated user's usage apart from the agent's", async () => {
    const { result, directory } = await run([HOTEL, REFUND]);
    expect(result.code, result.stderr).toBe(0);
    const leaderboard = JSON.parse(await readFile(join(directory, 'leaderboard_row.json'), 'utf8'));
    // hotel: two simulator calls, refund: one, at 30 + 5 tokens each and $10 per million tokens.
    expect(leaderboard).toMatchObject({ user_total_tokens: 105, total_tokens: 440 });
    expect(leaderboard.user_cost_usd).toBeCloseTo(0.00105, 9);
    const metrics = JSON.parse(await readFile(join(directory, 'metrics.json'), 'utf8'));
    const aggregates = Object.fromEntries(metrics.aggregates.map((aggregate: { name: string; data_points: { value: { value: number } }[] }) => [aggregate.name, aggregate.data_points[0]!.value.value]));
    expect(aggregates).toMatchObject({ 'llm.token_count.total': 440, 'agent_eval.user_simulator.token_count.total': 105 });
    expect(aggregates['agent_eval.user_simulator.cost.total']).toBeCloseTo(0.00105, 9);
    // The GenAI client histograms: the simulator's calls carry agent_eval.role = user_simulator, the agent's do not.
    type Point = { attributes: { key: string; value: { stringValue?: string } }[]; count: number; sum: number };
    const usage = metrics.resourceMetrics.flatMap((resource: { scopeMetrics?: { metrics: { name: string; histogram: { dataPoints: Point[] } }[] }[] }) => resource.scopeMetrics ?? []).flatMap((scope: { metrics: { name: string; histogram: { dataPoints: Point[] } }[] }) => scope.metrics).find((metric: { name: string }) => metric.name === 'gen_ai.client.token.usage');
    const attribute = (point: Point, key: string) => point.attributes.find((entry) => entry.key === key)?.value.stringValue;
    const simulatorPoints = usage.histogram.dataPoints.filter((point: Point) => attribute(point, 'agent_eval.role') === 'user_simulator');
    expect(simulatorPoints.map((point: Point) => [attribute(point, 'gen_ai.request.model'), attribute(point, 'gen_ai.token.type'), point.sum]).sort()).toEqual([['user-model', 'input', 90], ['user-model', 'output', 15]]);
    const agentPoints = usage.histogram.dataPoints.filter((point: Point) => attribute(point, 'agent_eval.role') === undefined);
    expect(agentPoints.reduce((sum: number, point: Point) => sum + point.sum, 0)).toBe(440);
  }, 60_000);

  /** The sft line of a reasoning agent's dialogue run; the agent's model was never sent its reasoning back. */
  async function exportedDialogue(task: object, extra: (urls: { user: string; agent: string }) => string[] = () => []) {
    const { result, directory, folder, agent } = await run([task], extra, { reasoning: true });
    expect(result.code, result.stderr).toBe(0);
    const sft = join(folder, 'dialogue.jsonl');
    const exported = await runCli(['export', directory, '--format', 'sft', '-o', sft]);
    expect(exported.code, exported.stderr).toBe(0);
    for (const request of agent.requests) for (const message of messagesOf(request)) expect(message).not.toHaveProperty('reasoning_content');
    const [line] = (await readFile(sft, 'utf8')).trim().split('\n').map((text) => JSON.parse(text));
    return line.messages as { role: string; reasoning_content?: string }[];
  }

  it("export --format sft of a dialogue keeps the agent's reasoning on its assistant messages", async () => {
    const messages = await exportedDialogue(HOTEL);
    // Three agent calls over two user turns, each reply with its own reasoning.
    expect(messages.filter((message) => message.role === 'assistant').map((message) => message.reasoning_content)).toEqual(['thought 1', 'thought 2', 'thought 3']);
    expect(messages.filter((message) => message.role === 'user')).toHaveLength(2);
  }, 60_000);

  it('an --agent-url endpoint that returns reasoning_content keeps it in the dialogue row too', async () => {
    const messages = await exportedDialogue(STALL, (urls) => ['--agent-url', urls.agent]);
    expect(messages.map((message) => [message.role, message.reasoning_content])).toEqual([
      ['user', undefined], ['assistant', 'thought 1'], ['user', undefined], ['assistant', 'thought 2'], ['user', undefined], ['assistant', 'thought 3'],
    ]);
  }, 60_000);

  it('the agent stops mid-dialogue (agent_stopped) and the simulator fails (simulator_error): recorded, the run goes on', async () => {
    const { result, rows } = await run([AGENT_STOPS, SIMULATOR_FAILS, REFUND], () => ['--max-retries', '0']);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(rows.agent_stops).toMatchObject({ success: false, turns: 1, user_turns: 2, dialogue_stop_reason: 'agent_stopped', error_kind: 'model', user_input_tokens: 30 });
    expect(rows.simulator_fails).toMatchObject({ success: false, turns: 1, user_turns: 1, dialogue_stop_reason: 'simulator_error', error_kind: 'infrastructure', response: 'Simulator, please fail.' });
    expect(rows.simulator_fails!.error).toMatch(/^user simulator: /);
    expect(rows.refund).toMatchObject({ dialogue_stop_reason: 'user_stopped' });
  }, 60_000);

  it('the TypeScript example agent holds a dialogue over the protocol', async () => {
    const { transform } = await import('esbuild');
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-ts-agent-'));
    const source = await readFile(fileURLToPath(new URL('../../examples/typescript-agent/agent.ts', import.meta.url)), 'utf8');
    await writeFile(join(folder, 'agent.mjs'), (await transform(source, { loader: 'ts', format: 'esm', target: 'node20' })).code);
    const { result, rows } = await run([HOTEL], (urls) => ['--agent-command', `"${process.execPath}" ${join(folder, 'agent.mjs')}`, '--agent-env', `OPENAI_BASE_URL=${urls.agent}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(rows.hotel).toMatchObject({ success: true, turns: 2, user_turns: 2, dialogue_stop_reason: 'goal_met', turn_tool_calls: [0, 1], model_calls: 3, input_tokens: 300, user_input_tokens: 60 });
    expectExampleConversation(rows.hotel!.messages as never);
  }, 60_000);

  it('goal_met: the judge decides from the transcript', async () => {
    const { result, rows } = await run([HOTEL, STALL], (urls) => ['--scorer', 'goal_met', '--judge-model', 'judge-model', '--judge-base-url', urls.user]);
    expect(result.code, result.stderr).toBe(0);
    expect(rows.hotel).toMatchObject({ success: true });
    expect((rows.hotel!.scores as Record<string, { passed: boolean; explanation: string }>).goal_met).toMatchObject({ passed: true, explanation: 'goal met: the total was given' });
    expect(rows.stall).toMatchObject({ success: false, failure_reason: 'judge_rejected' });
  }, 60_000);

  it('--cache records the simulated user and the judge with the agent; the replay needs none of them', async () => {
    const store = join(await mkdtemp(join(tmpdir(), 'agent-eval-dialogue-store-')), 'responses');
    const judged = (urls: { user: string }) => ['--scorer', 'goal_met', '--judge-model', 'judge-model', '--judge-base-url', urls.user, '--cache', 'record', '--cache-dir', store];
    const recorded = await run([HOTEL, REFUND], judged);
    expect(recorded.result.code, recorded.result.stderr).toBe(0);
    const calls = recorded.agent.requests.length + recorded.user.requests.length;
    const recordedMetadata = JSON.parse(await readFile(join(recorded.directory, 'metadata.json'), 'utf8'));
    // The simulator's and the judge's requests are in the store too (they went to the user server).
    expect(recordedMetadata.cache).toMatchObject({ mode: 'record', written: calls, hits: 0 });
    await Promise.all(servers.splice(0).map((server) => server.close()));

    const output = join(recorded.folder, 'replay');
    const dead = 'http://127.0.0.1:9/v1';
    const replayed = await runCli(['run', '--model', 'agent-model', '--base-url', dead, '--user-model', 'user-model', '--user-base-url', dead, '--scorer', 'goal_met', '--judge-model', 'judge-model', '--judge-base-url', dead, '--dataset-name', join(recorded.folder, 'tasks.jsonl'), '--output-dir', output, '--pricing', join(recorded.folder, 'prices.json'), '--enable-otel', '--cache', 'replay', '--cache-dir', store]);
    expect(replayed.stderr).not.toMatch(/unexpected error|infrastructure/);
    expect(replayed.code).toBe(0);
    const [name] = await readdir(output);
    const metadata = JSON.parse(await readFile(join(output, name!, 'metadata.json'), 'utf8'));
    expect(metadata.cache).toMatchObject({ mode: 'replay', hits: calls, misses: 0, written: 0 });
    const rows = JSON.parse(await readFile(join(output, name!, 'results.json'), 'utf8')) as Record<string, unknown>[];
    const hotel = rows.find((row) => row.task_id === 'hotel')!;
    const fields = ['success', 'turns', 'user_turns', 'dialogue_stop_reason', 'input_tokens', 'user_input_tokens', 'user_cost_usd', 'cost_usd', 'scores'] as const;
    for (const field of fields) expect(hotel[field]).toEqual(recorded.rows.hotel![field]);
  }, 60_000);

  it('an external agent process holds the same dialogue over the protocol (user_message after each final_answer)', async () => {
    const agentCommand = `python3 ${fileURLToPath(new URL('../../examples/python-agent/agent.py', import.meta.url))}`;
    const { result, rows } = await run([HOTEL], (urls) => ['--agent-command', agentCommand, '--agent-env', `OPENAI_BASE_URL=${urls.agent}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(rows.hotel).toMatchObject({ success: true, turns: 2, user_turns: 2, dialogue_stop_reason: 'goal_met', turn_tool_calls: [0, 1], model_calls: 3, input_tokens: 300, user_input_tokens: 60 });
    expectExampleConversation(rows.hotel!.messages as never);
  }, 60_000);

  it("--otlp-endpoint gets the simulated user's spans and the external agent's own spans, as in traces.json", async () => {
    const otlp = await startOtlpReceiver();
    try {
      const agentCommand = `python3 ${fileURLToPath(new URL('../../examples/python-agent/agent.py', import.meta.url))}`;
      const { result, traces } = await run([HOTEL], (urls) => ['--agent-command', agentCommand, '--agent-env', `OPENAI_BASE_URL=${urls.agent}`, '--otlp-endpoint', otlp.url]);
      expect(result.code, result.stderr).toBe(0);
      const spans = traces[0].spans as { name: string; span_id: string; parent_span_id: string | null; attributes: Record<string, unknown> }[];
      const added = spans.filter((span) => span.attributes['agent_eval.role'] === 'user_simulator' || span.attributes['agent_eval.source'] === 'external_agent');
      // simulate_user, its two chat spans, and the agent's three exported chat spans.
      expect(added).toHaveLength(6);
      const exported = new Map(otlp.spans.map((span) => [`0x${span.spanId}`, span]));
      for (const span of added) {
        const sent = exported.get(span.span_id);
        expect(sent, span.name).toBeDefined();
        expect({ name: sent!.name, trace: `0x${sent!.traceId}`, parent: sent!.parentSpanId ? `0x${sent!.parentSpanId}` : null }).toEqual({ name: span.name, trace: traces[0].trace_id, parent: span.parent_span_id });
      }
      const agentSpans = added.filter((span) => span.attributes['agent_eval.source'] === 'external_agent').map((span) => exported.get(span.span_id)!);
      expect(agentSpans.every((span) => span.resource['service.name'] === 'python-example-agent')).toBe(true);
      expect(exported.get(added.find((span) => span.name === 'simulate_user')!.span_id)!.attributes['agent_eval.role']).toBe('user_simulator');
    } finally {
      await otlp.close();
    }
  }, 60_000);

  it('--agent-type both: a dialogue runs with the tool agent only, and a [NOTE] says so', async () => {
    const { result, rows } = await run([{ ...HOTEL, agent_type: 'both' }], () => ['--agent-type', 'both']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('[NOTE] 1 dialogue task(s) run with the tool agent only (the code agent holds no dialogues): hotel');
    expect(Object.values(rows).map((row) => row.agent_type)).toEqual(['tool']);
    expect(rows.hotel).toMatchObject({ success: true, dialogue_stop_reason: 'goal_met' });
  }, 60_000);

  it('a dialogue task without --user-model is refused before anything is written', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-dialogue-'));
    const file = join(folder, 'tasks.jsonl');
    await writeFile(file, JSON.stringify(HOTEL));
    const result = await runCli(['run', '--model', 'm', '--base-url', 'http://127.0.0.1:9/v1', '--dataset-name', file, '--output-dir', join(folder, 'out')]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('agent-eval: task hotel is a dialogue (it has a user block): give the simulated user\'s model with --user-model (e.g. --user-model openai/gpt-4o-mini)');
    await expect(readdir(join(folder, 'out'))).rejects.toThrow();
  });

  it('builtin:dialogue holds at least 12 dialogues written for agent-eval', async () => {
    const tasks = await loadTasks({ datasetName: 'builtin:dialogue', split: 'train' });
    expect(tasks.length).toBeGreaterThanOrEqual(12);
    for (const task of tasks) expect(task.user).toMatchObject({ goal: expect.any(String), opening: expect.any(String) });
  });
});
