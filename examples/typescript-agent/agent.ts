/**
 * An external agent for agent-eval in TypeScript, with no dependencies (docs/agent-protocol.md): Node's
 * own fetch and readline. It reads agent-eval's messages on stdin, calls an OpenAI-compatible chat
 * completions API with the tools agent-eval offers, asks agent-eval to run each tool call, reports
 * each model call, and writes its final answer. Spans go to agent-eval's OTLP receiver (OTLP/HTTP JSON).
 *
 * Run it with a TypeScript runner, e.g. `npx tsx examples/typescript-agent/agent.ts`, or Node 22.18+
 * (`node examples/typescript-agent/agent.ts`). Environment as the Python example: OPENAI_BASE_URL,
 * OPENAI_API_KEY (pass it with --agent-env OPENAI_API_KEY), AGENT_MODEL.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

interface TaskMessage {
  type: 'task';
  prompt: string;
  tools: ToolSpec[];
  max_steps: number;
  model: string | null;
  traceparent: string | null;
}

type Incoming = TaskMessage | { type: 'tool_result'; id: string; output: string; is_error: boolean } | { type: 'user_message'; content: string } | { type: 'end' };

interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

interface ChatReply {
  model?: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  /** `reasoning_content`: a reasoning model's reasoning (reported, never sent back to the model). */
  choices: { message: ChatMessage & { reasoning_content?: string | null } }[];
}

const FINAL_ANSWER: ToolSpec = {
  name: 'final_answer',
  description: 'Give the final answer to the user.',
  parameters: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
};

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function receive(): Promise<Incoming> {
  const next = await lines.next();
  if (next.done) process.exit(0);
  return JSON.parse(next.value) as Incoming;
}

function send(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** One `chat {model}` span in the task's trace, sent to agent-eval's OTLP receiver. */
async function exportSpan(task: TaskMessage, model: string, reply: ChatReply, startedNs: bigint, endedNs: bigint): Promise<void> {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const traceparent = task.traceparent ?? process.env.TRACEPARENT;
  if (!endpoint || !traceparent) return;
  const [, traceId, parentSpanId] = traceparent.split('-');
  const attribute = (key: string, value: string | number) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } });
  const span = {
    traceId,
    spanId: randomBytes(8).toString('hex'),
    parentSpanId,
    name: `chat ${model}`,
    kind: 3,
    startTimeUnixNano: startedNs.toString(),
    endTimeUnixNano: endedNs.toString(),
    attributes: [
      attribute('gen_ai.operation.name', 'chat'),
      attribute('gen_ai.request.model', model),
      attribute('gen_ai.usage.input_tokens', reply.usage?.prompt_tokens ?? 0),
      attribute('gen_ai.usage.output_tokens', reply.usage?.completion_tokens ?? 0),
    ],
  };
  const body = { resourceSpans: [{ resource: { attributes: [attribute('service.name', 'typescript-example-agent')] }, scopeSpans: [{ scope: { name: 'example' }, spans: [span] }] }] };
  await postJson(`${endpoint.replace(/\/+$/, '')}/v1/traces`, body).catch((error: unknown) => process.stderr.write(`span export failed: ${String(error)}\n`));
}

async function chat(model: string, messages: ChatMessage[], tools: ToolSpec[]): Promise<ChatReply> {
  const base = (process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
  const key = process.env.OPENAI_API_KEY;
  return postJson<ChatReply>(`${base}/chat/completions`, { model, messages, tools: tools.map((tool) => ({ type: 'function', function: tool })) }, key ? { authorization: `Bearer ${key}` } : {});
}

/** Model calls and tool calls until a final answer (or plain text); undefined past max_steps. */
async function runTurn(task: TaskMessage, model: string, messages: ChatMessage[]): Promise<string | undefined> {
  for (let step = 0; step < task.max_steps; step++) {
    const startedNs = BigInt(Date.now()) * 1_000_000n;
    const started = performance.now();
    // What the model is sent, reported as it stands (the protocol takes OpenAI's message form too).
    const sent = messages.map((entry) => ({ ...entry }));
    const reply = await chat(model, messages, [...task.tools, FINAL_ANSWER]);
    const durationMs = performance.now() - started;
    const message = reply.choices[0]!.message;
    const calls = message.tool_calls ?? [];
    send({ type: 'model_call', model: reply.model ?? model, usage: { input_tokens: reply.usage?.prompt_tokens ?? 0, output_tokens: reply.usage?.completion_tokens ?? 0 }, duration_ms: durationMs, output: message.content, reasoning: message.reasoning_content ?? null, tool_calls: calls, messages: sent });
    await exportSpan(task, model, reply, startedNs, startedNs + BigInt(Math.round(durationMs * 1e6)));
    messages.push({ role: 'assistant', content: message.content, ...(calls.length && { tool_calls: calls }) });
    if (!calls.length) return message.content ?? '';
    for (const call of calls) {
      const args = JSON.parse(call.function.arguments || '{}') as Record<string, unknown>;
      if (call.function.name === 'final_answer') return String(args.answer ?? '');
      send({ type: 'tool_call', id: call.id, name: call.function.name, arguments: args });
      const result = await receive();
      messages.push({ role: 'tool', tool_call_id: call.id, content: result.type === 'tool_result' ? result.output : '' });
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  for (;;) {
    const task = await receive();
    if (task.type !== 'task') continue;
    const named = task.model ?? 'gpt-4o-mini';
    const model = process.env.AGENT_MODEL ?? named.slice(named.indexOf('/') + 1);
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are a helpful agent. Use the tools, then call final_answer.' },
      { role: 'user', content: task.prompt },
    ];
    for (;;) {
      const answer = await runTurn(task, model, messages);
      if (answer === undefined) {
        send({ type: 'error', message: `no answer within ${task.max_steps} steps` });
        break;
      }
      send({ type: 'final_answer', answer });
      const following = await receive();
      if (following.type !== 'user_message') break;
      messages.push({ role: 'user', content: following.content });
    }
  }
}

await main();
