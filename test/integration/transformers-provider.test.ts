// The transformers.js provider against a real ONNX Runtime session: a tiny generated model whose
// greedy decoding replays scripted replies, so tool-call parsing, usage and stops are exact.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/models/errors.js';
import { TransformersProvider } from '../../src/models/transformers.js';
import type { Message, ToolSpec } from '../../src/models/types.js';
import { writeTinyModel, type TinyModel } from '../helpers/tiny-onnx-model.js';

const TOOL_CALL = '<tool_call>\n{"name": "get_weather", "arguments": {"location": "Paris, France"}}\n</tool_call>';
const ANSWER = 'It is 20°C and partly cloudy in Paris.';
const WEATHER: ToolSpec = {
  name: 'get_weather',
  description: 'Gets the weather',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};
const QUESTION: Message[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: "What's the weather in Paris, France?" },
];

let root: string;
let tiny: TinyModel;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'agent-eval-tiny-'));
  tiny = await writeTinyModel(join(root, 'model'), { replies: [TOOL_CALL, ANSWER], dtypes: ['fp32', 'q4'] });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function provider(overrides: Partial<ConstructorParameters<typeof TransformersProvider>[0]> = {}) {
  return new TransformersProvider({ modelId: 'tiny', folder: tiny.folder, device: 'cpu', dtype: 'fp32', ...overrides });
}

describe('TransformersProvider', () => {
  it('parses the generated <tool_call> into a native tool call with exact token counts', async () => {
    const model = provider();
    try {
      const response = await model.generate({ messages: QUESTION, tools: [WEATHER] });
      expect(response.message.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: { location: 'Paris, France' } }]);
      expect(response.message.content).toBe('');
      expect(response.finishReason).toBe('tool-calls');
      expect(response.usage.outputTokens).toBe(tiny.replyTokenIds[0]!.length + 1);
      expect(response.usage.inputTokens).toBeGreaterThan(20);
      expect(response.model).toBe('tiny');
      expect(response.attempts).toBe(1);
    } finally {
      await model.close();
    }
  });

  it('answers in text after a tool result, through the chat template', async () => {
    const model = provider();
    try {
      const messages: Message[] = [
        ...QUESTION,
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { location: 'Paris, France' } }] },
        { role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: '20°C, Partly Cloudy' },
      ];
      const response = await model.generate({ messages, tools: [WEATHER] });
      expect(response.message.content).toBe(ANSWER);
      expect(response.message.toolCalls).toBeUndefined();
      expect(response.finishReason).toBe('stop');
    } finally {
      await model.close();
    }
  });

  it('stops at max tokens with finish reason length, and at a stop sequence', async () => {
    const model = provider();
    try {
      const short = await model.generate({ messages: QUESTION, maxOutputTokens: 3 });
      expect(short.usage.outputTokens).toBe(3);
      expect(short.finishReason).toBe('length');
      const stopped = await model.generate({ messages: QUESTION, stop: ['get_weather'] });
      expect(stopped.finishReason).toBe('stop');
      expect(stopped.message.toolCalls).toBeUndefined();
      expect(stopped.message.content).not.toContain('get_weather');
    } finally {
      await model.close();
    }
  });

  it('serialises concurrent generations on one shared session and gives each its own reply', async () => {
    const first = provider();
    const second = provider();
    try {
      const [one, two, three] = await Promise.all([
        first.generate({ messages: QUESTION, tools: [WEATHER] }),
        second.generate({ messages: QUESTION, tools: [WEATHER] }),
        first.generate({ messages: [...QUESTION, { role: 'tool', toolCallId: 'x', name: 'get_weather', content: 'sunny' }] }),
      ]);
      expect(one.message.toolCalls?.[0]?.name).toBe('get_weather');
      expect(two.message.toolCalls?.[0]?.name).toBe('get_weather');
      expect(three.message.content).toBe(ANSWER);
      expect(await first.load()).toBe(await second.load());
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('loads the q4 weight file when asked', async () => {
    const model = provider({ dtype: 'q4' });
    try {
      expect((await model.generate({ messages: QUESTION, tools: [WEATHER] })).message.toolCalls).toHaveLength(1);
    } finally {
      await model.close();
    }
  });

  it('reports an aborted request as aborted', async () => {
    const model = provider();
    try {
      const controller = new AbortController();
      controller.abort();
      await expect(model.generate({ messages: QUESTION, signal: controller.signal })).rejects.toMatchObject({ kind: 'aborted' });
    } finally {
      await model.close();
    }
  });

  it('fails with a clear message when the device cannot be used', async () => {
    const model = provider({ device: 'cuda' });
    await expect(model.load()).rejects.toThrow(/--device cuda: .*--device cpu/);
    await model.close();
  });

  it('classifies a chat template failure as a bad request, with the template message', async () => {
    const model = provider();
    try {
      // Extra model args go to the template; chat_template replaces it, here with one that refuses.
      const failing = model.generate({ messages: QUESTION, extra: { chat_template: "{{ raise_exception('roles must alternate') }}" } });
      await expect(failing).rejects.toBeInstanceOf(ProviderError);
      await expect(failing).rejects.toMatchObject({ kind: 'bad-request', message: expect.stringContaining('roles must alternate') });
    } finally {
      await model.close();
    }
  });
});
