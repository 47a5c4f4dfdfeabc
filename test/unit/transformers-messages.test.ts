import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_NEW_TOKENS,
  localGenerationSettings,
  toChatTemplateMessages,
  toChatTemplateTools,
} from '../../src/models/transformers-messages.js';
import type { Message, ModelRequest, ToolSpec } from '../../src/models/types.js';

const USER: Message = { role: 'user', content: 'What is the weather in Paris?' };

function request(parameters: Omit<ModelRequest, 'messages'> = {}): ModelRequest {
  return { messages: [USER], ...parameters };
}

describe('toChatTemplateMessages', () => {
  it('keeps system and user messages as role and content', () => {
    expect(toChatTemplateMessages([{ role: 'system', content: 'Be brief.' }, USER])).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
  });

  it("turns an assistant's tool calls into OpenAI-style tool_calls (arguments left as objects) and keeps its reasoning", () => {
    const messages: Message[] = [
      {
        role: 'assistant',
        content: 'Let me check.',
        reasoning: 'The user wants weather.',
        toolCalls: [
          { id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
          { id: 'call_2', name: 'get_time', arguments: { zone: 'CET' } },
        ],
      },
    ];
    expect(toChatTemplateMessages(messages)).toEqual([
      {
        role: 'assistant',
        content: 'Let me check.',
        reasoning_content: 'The user wants weather.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: { zone: 'CET' } } },
        ],
      },
    ]);
  });

  it('an assistant message without tool calls (or an empty list) or reasoning has no tool_calls or reasoning_content key', () => {
    const converted = toChatTemplateMessages([
      { role: 'assistant', content: 'Sunny.' },
      { role: 'assistant', content: 'Cloudy.', toolCalls: [], reasoning: '' },
    ]);
    expect(converted).toEqual([
      { role: 'assistant', content: 'Sunny.' },
      { role: 'assistant', content: 'Cloudy.' },
    ]);
    for (const message of converted) {
      expect(message).not.toHaveProperty('tool_calls');
      expect(message).not.toHaveProperty('reasoning_content');
    }
  });

  it('gives tool results their tool_call_id and tool name, without our isError flag', () => {
    const converted = toChatTemplateMessages([{ role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: '{"temp": 21}', isError: true }]);
    expect(converted).toEqual([{ role: 'tool', content: '{"temp": 21}', tool_call_id: 'call_1', name: 'get_weather' }]);
  });

  it('keeps the order of a whole conversation', () => {
    const conversation: Message[] = [
      { role: 'system', content: 's' },
      USER,
      { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 'f', arguments: {} }] },
      { role: 'tool', toolCallId: 'a', name: 'f', content: 'r' },
      { role: 'assistant', content: 'done' },
    ];
    expect(toChatTemplateMessages(conversation).map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
  });
});

describe('toChatTemplateTools', () => {
  it('is undefined without tools, so templates render no tool section', () => {
    expect(toChatTemplateTools(undefined)).toBeUndefined();
    expect(toChatTemplateTools([])).toBeUndefined();
  });

  it('wraps each tool in the OpenAI function shape', () => {
    const tools: ToolSpec[] = [
      { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      { name: 'noop', description: '', parameters: { type: 'object', properties: {} } },
    ];
    expect(toChatTemplateTools(tools)).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
      { type: 'function', function: { name: 'noop', description: '', parameters: { type: 'object', properties: {} } } },
    ]);
  });
});

describe('localGenerationSettings', () => {
  it('decodes greedily by default, with the default token limit and no stop strings', () => {
    expect(DEFAULT_MAX_NEW_TOKENS).toBe(1024);
    expect(localGenerationSettings(request())).toEqual({
      generate: { do_sample: false, max_new_tokens: 1024 },
      template: {},
      maxNewTokens: 1024,
      stop: [],
    });
  });

  it('temperature 0 is greedy too, and passes no temperature', () => {
    const settings = localGenerationSettings(request({ temperature: 0 }));
    expect(settings.generate).toEqual({ do_sample: false, max_new_tokens: 1024 });
  });

  it('a positive temperature turns sampling on with that temperature', () => {
    expect(localGenerationSettings(request({ temperature: 0.7 })).generate).toEqual({ do_sample: true, temperature: 0.7, max_new_tokens: 1024 });
  });

  it('passes top_p, in greedy and sampled decoding', () => {
    expect(localGenerationSettings(request({ topP: 0.9 })).generate).toEqual({ do_sample: false, top_p: 0.9, max_new_tokens: 1024 });
    expect(localGenerationSettings(request({ temperature: 1, topP: 0.5 })).generate).toMatchObject({ do_sample: true, temperature: 1, top_p: 0.5 });
  });

  it('maxOutputTokens overrides the token limit in both places', () => {
    const settings = localGenerationSettings(request({ maxOutputTokens: 64 }));
    expect(settings.maxNewTokens).toBe(64);
    expect(settings.generate.max_new_tokens).toBe(64);
  });

  it('sends generate keys to generate and any other extra key to the chat template', () => {
    const settings = localGenerationSettings(
      request({
        extra: {
          top_k: 40,
          repetition_penalty: 1.1,
          no_repeat_ngram_size: 3,
          min_new_tokens: 2,
          min_length: 5,
          length_penalty: 0.8,
          enable_thinking: false,
          custom_variable: 'x',
        },
      }),
    );
    expect(settings.generate).toEqual({
      top_k: 40,
      repetition_penalty: 1.1,
      no_repeat_ngram_size: 3,
      min_new_tokens: 2,
      min_length: 5,
      length_penalty: 0.8,
      do_sample: false,
      max_new_tokens: 1024,
    });
    expect(settings.template).toEqual({ enable_thinking: false, custom_variable: 'x' });
  });

  it('an explicit do_sample extra wins over the temperature rule', () => {
    expect(localGenerationSettings(request({ extra: { do_sample: true } })).generate.do_sample).toBe(true);
    expect(localGenerationSettings(request({ temperature: 0.5, extra: { do_sample: false } })).generate).toMatchObject({ do_sample: false, temperature: 0.5 });
  });

  it("uses the model's defaults, which the request's extras override key by key", () => {
    const defaults = { enable_thinking: false, top_k: 20, repetition_penalty: 1.05 };
    const plain = localGenerationSettings(request(), defaults);
    expect(plain.template).toEqual({ enable_thinking: false });
    expect(plain.generate).toMatchObject({ top_k: 20, repetition_penalty: 1.05 });
    const overridden = localGenerationSettings(request({ extra: { enable_thinking: true, top_k: 5 } }), defaults);
    expect(overridden.template).toEqual({ enable_thinking: true });
    expect(overridden.generate).toMatchObject({ top_k: 5, repetition_penalty: 1.05 });
    // The defaults object is not modified.
    expect(defaults).toEqual({ enable_thinking: false, top_k: 20, repetition_penalty: 1.05 });
  });

  it('returns the stop list as given', () => {
    expect(localGenerationSettings(request({ stop: ['</answer>', '\nObservation:'] })).stop).toEqual(['</answer>', '\nObservation:']);
  });

  it('ignores the seed (transformers.js cannot honour it) rather than passing it on', () => {
    const settings = localGenerationSettings(request({ seed: 7, temperature: 0.3 }));
    expect(settings.generate).toEqual({ do_sample: true, temperature: 0.3, max_new_tokens: 1024 });
    expect(settings.template).toEqual({});
  });
});
