import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import { childEnvironment } from '../../src/agents/external/child-environment.js';
import { LineReader } from '../../src/agents/external/line-reader.js';
import { parseAgentLine, ProtocolError } from '../../src/agents/external/protocol.js';
import { toMessages } from '../../src/agents/external/external-conversation.js';
import { SecretRedactor } from '../../src/secrets/redactor.js';

// ajv is CommonJS: its class is the module's default export.
type AjvClass = new (options: { strict: boolean }) => { compile(schema: object): (data: unknown) => boolean };
const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as unknown as AjvClass;
const DOC = fileURLToPath(new URL('../../docs/agent-protocol.md', import.meta.url));

/** The JSON Schema under each `#### \`name\`` heading of docs/agent-protocol.md. */
async function documentedSchemas(): Promise<Record<string, object>> {
  const text = await readFile(DOC, 'utf8');
  const schemas: Record<string, object> = {};
  for (const match of text.matchAll(/#### `(\w+)`\s+```json\n([\s\S]*?)\n```/g)) schemas[match[1]!] = JSON.parse(match[2]!);
  return schemas;
}

const VALID_AGENT_LINES = [
  { type: 'model_call', model: 'gpt-4o-mini', usage: { input_tokens: 10, output_tokens: 2 }, duration_ms: 12.5, output: null },
  { type: 'model_call' },
  {
    type: 'model_call',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', name: 'get_weather', arguments: { location: 'Paris' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '20°C' },
    ],
  },
  // OpenAI's own form of tool calls, as an agent forwards its messages.
  {
    type: 'model_call',
    tool_calls: [{ id: 'c2', type: 'function', function: { name: 'final_answer', arguments: '{"answer":"20°C"}' } }],
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '20°C' },
    ],
  },
  // The model's reasoning: on the call's reply, and on an assistant message of its history (OpenAI-style).
  {
    type: 'model_call',
    output: 'It is 20°C.',
    reasoning: 'The tool said 20°C.',
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, reasoning_content: 'Ask the tool.', tool_calls: [{ id: 'c1', name: 'get_weather', arguments: { location: 'Paris' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '20°C' },
    ],
  },
  { type: 'tool_call', id: 'c1', name: 'get_weather', arguments: { location: 'Paris' } },
  { type: 'final_answer', answer: 'It is sunny.' },
  { type: 'final_answer', answer: { temperature: 20 } },
  { type: 'error', message: 'no API key' },
];
const INVALID_AGENT_LINES = [
  { type: 'model_call', usage: { input_tokens: -1, output_tokens: 0 } },
  { type: 'model_call', messages: [{ role: 'robot', content: 'beep' }] },
  { type: 'model_call', messages: [{ content: 'no role' }] },
  { type: 'model_call', messages: [{ role: 'tool', content: 'which call?' }] },
  { type: 'model_call', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', function: { arguments: '{}' } }] }] },
  { type: 'model_call', tool_calls: [{ id: 'c1' }] },
  { type: 'model_call', reasoning: ['not', 'text'] },
  { type: 'model_call', messages: [{ role: 'assistant', content: 'x', reasoning_content: 42 }] },
  { type: 'tool_call', id: '', name: 'x' },
  { type: 'tool_call', name: 'x' },
  { type: 'error' },
  { type: 'final_answer' },
];

describe('the agent protocol', () => {
  it('documents a JSON Schema for every message, and the schemas agree with the checks agent-eval makes', async () => {
    const schemas = await documentedSchemas();
    expect(Object.keys(schemas).sort()).toEqual(['end', 'error', 'final_answer', 'model_call', 'task', 'tool_call', 'tool_result', 'user_message']);
    const ajv = new Ajv({ strict: false });
    const validators = Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, ajv.compile(schema)]));
    for (const line of VALID_AGENT_LINES) {
      expect(validators[line.type]!(line)).toBe(true);
      expect(parseAgentLine(JSON.stringify(line))).toMatchObject({ type: line.type });
    }
    for (const line of INVALID_AGENT_LINES) {
      expect(validators[line.type]!(line)).toBe(false);
      expect(() => parseAgentLine(JSON.stringify(line))).toThrow(ProtocolError);
    }
  });

  it("keeps a model_call's messages (zod no longer drops them) in agent-eval's message form", () => {
    const line = parseAgentLine(JSON.stringify(VALID_AGENT_LINES[2]));
    if (line.type !== 'model_call') throw new Error('not a model_call');
    expect(toMessages(line.messages!)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: { location: 'Paris' } }] },
      { role: 'tool', toolCallId: 'c1', name: 'get_weather', content: '20°C' },
    ]);
  });

  it("reads OpenAI's form of tool calls as the protocol's (arguments parsed from their JSON text)", () => {
    const line = parseAgentLine(JSON.stringify(VALID_AGENT_LINES[3]));
    if (line.type !== 'model_call') throw new Error('not a model_call');
    expect(line.tool_calls).toEqual([{ id: 'c2', name: 'final_answer', arguments: { answer: '20°C' } }]);
    expect(toMessages(line.messages!)).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: { location: 'Paris' } }] },
      { role: 'tool', toolCallId: 'c1', name: 'get_weather', content: '20°C' },
    ]);
  });

  it("reads the model's reasoning: a call's reasoning, and reasoning_content on a reported assistant message", () => {
    const line = parseAgentLine(JSON.stringify(VALID_AGENT_LINES[4]));
    if (line.type !== 'model_call') throw new Error('not a model_call');
    expect(line.reasoning).toBe('The tool said 20°C.');
    expect(toMessages(line.messages!)[1]).toEqual({ role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: { location: 'Paris' } }], reasoning: 'Ask the tool.' });
  });

  it('names what is wrong with a line', () => {
    expect(() => parseAgentLine(JSON.stringify({ type: 'model_call', messages: [{ role: 'user', content: 'hi' }, { role: 'tool', content: 'x' }] }))).toThrow(/invalid message \(messages\.1\.tool_call_id: /);
    expect(() => parseAgentLine('{"type":"launch"}')).toThrow(/invalid message \(type: /);
    expect(() => parseAgentLine('not json')).toThrow(/not JSON: "not json"/);
    expect(() => parseAgentLine('{"type":"tool_call","id":"c1"}')).toThrow(/name: /);
  });

  it('reads lines across chunks and refuses one past the limit without buffering the rest', () => {
    const lines: string[] = [];
    const overflows: number[] = [];
    const reader = new LineReader(16, (line) => lines.push(line), (bytes) => overflows.push(bytes));
    reader.push(Buffer.from('{"a":1}\n{"b"'));
    reader.push(Buffer.from(':2}\r\n\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    reader.push(Buffer.from('x'.repeat(10)));
    reader.push(Buffer.from('y'.repeat(10)));
    expect(overflows).toEqual([20]);
    reader.push(Buffer.from('\n{"c":3}\n'));
    expect(lines).toHaveLength(2);
  });

  it("gives the agent the caller's environment without secrets, plus what is passed and the telemetry variables", () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/home/someone',
      OPENAI_API_KEY: 'sk-abcdefghijklmnopqrstuvwx',
      MY_TOKEN: 'abcdefghijklmnop',
      DATABASE_URL: 'postgres://user:hunter22hunter@db/x',
      HARMLESS: 'a value the redactor knows 12345',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      LANG: 'C.UTF-8',
    };
    const redactor = SecretRedactor.from().add('a value the redactor knows 12345');
    const child = childEnvironment(env, { redactor, passed: { MY_TOKEN: 'given-on-purpose' }, telemetry: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' } });
    expect(child).toEqual({ PATH: '/usr/bin', HOME: '/home/someone', LANG: 'C.UTF-8', MY_TOKEN: 'given-on-purpose', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' });
  });
});
