import { describe, expect, it } from 'vitest';
import { convertModelArgValue, parseModelArgs } from '../../src/cli/model-args.js';
import { redactModelArgs } from '../../src/telemetry/redaction.js';
import { toGenerationParameters } from '../../src/models/generation.js';

describe('parseModelArgs', () => {
  it("converts values like SMOLTRACE's parser", () => {
    expect(convertModelArgValue('7')).toBe(7);
    expect(convertModelArgValue('0.7')).toBe(0.7);
    expect(convertModelArgValue('true')).toBe(true);
    expect(convertModelArgValue('True')).toBe(true);
    expect(convertModelArgValue('null')).toBe(null);
    expect(convertModelArgValue('["A"]')).toEqual(['A']);
    expect(convertModelArgValue('1e5')).toBe(100000);
    expect(convertModelArgValue('hello')).toBe('hello');
    expect(convertModelArgValue('.5')).toBe(0.5);
  });

  it('splits on the first = and trims', () => {
    expect(parseModelArgs([' temperature = 0.2', 'stop=a=b'])).toEqual({ temperature: 0.2, stop: 'a=b' });
    expect(parseModelArgs(undefined)).toEqual({});
  });

  it('rejects an item without a key', () => {
    expect(() => parseModelArgs(['temperature'])).toThrow('--model-args temperature: expected KEY=VALUE');
    expect(() => parseModelArgs(['=3'])).toThrow(/expected KEY=VALUE/);
  });

  it('redacts secret-looking keys', () => {
    expect(redactModelArgs({ api_key: 'x', temperature: 1, hf_token: 'y', password: 'z' })).toEqual({
      api_key: '[REDACTED]',
      temperature: 1,
      hf_token: '[REDACTED]',
      password: '[REDACTED]',
    });
  });
});

describe('toGenerationParameters', () => {
  it('maps known keys and passes others through', () => {
    expect(toGenerationParameters({ temperature: 0.2, top_p: 0.9, max_tokens: 256, seed: 7, stop: 'END', frequency_penalty: 0.5 })).toEqual({
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 256,
      seed: 7,
      stop: ['END'],
      extra: { frequency_penalty: 0.5 },
    });
  });

  it('rejects wrong types with the flag named', () => {
    expect(() => toGenerationParameters({ temperature: 'hot' })).toThrow(/--model-args temperature="hot": must be a number/);
    expect(() => toGenerationParameters({ max_tokens: 1.5 })).toThrow(/--model-args max_tokens=1.5/);
  });
});
