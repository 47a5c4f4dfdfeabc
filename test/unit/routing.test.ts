import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { resolveModel } from '../../src/models/routing.js';

const resolve = (model: string, env: Record<string, string> = {}, extra: { baseUrl?: string; provider?: 'litellm' | 'inference' | 'ollama' | 'transformers' } = {}) =>
  resolveModel({ model, provider: extra.provider ?? 'litellm', baseUrl: extra.baseUrl, env });

describe('resolveModel', () => {
  it.each([
    ['openai/gpt-4o-mini', 'OPENAI_API_KEY', 'openai', 'gpt-4o-mini', 'https://api.openai.com/v1'],
    ['mistral/mistral-small-latest', 'MISTRAL_API_KEY', 'mistral', 'mistral-small-latest', 'https://api.mistral.ai/v1'],
    ['groq/llama-3.1-8b-instant', 'GROQ_API_KEY', 'groq', 'llama-3.1-8b-instant', 'https://api.groq.com/openai/v1'],
    ['together_ai/meta-llama/Llama-3-8b', 'TOGETHER_API_KEY', 'together_ai', 'meta-llama/Llama-3-8b', 'https://api.together.xyz/v1'],
    ['openrouter/anthropic/claude-3.5', 'OPENROUTER_API_KEY', 'openrouter', 'anthropic/claude-3.5', 'https://openrouter.ai/api/v1'],
    ['deepseek/deepseek-chat', 'DEEPSEEK_API_KEY', 'deepseek', 'deepseek-chat', 'https://api.deepseek.com/v1'],
    ['fireworks_ai/accounts/fireworks/models/x', 'FIREWORKS_AI_API_KEY', 'fireworks_ai', 'accounts/fireworks/models/x', 'https://api.fireworks.ai/inference/v1'],
    ['xai/grok-2', 'XAI_API_KEY', 'xai', 'grok-2', 'https://api.x.ai/v1'],
    ['hf/meta-llama/Llama-3.1-8B-Instruct', 'HF_TOKEN', 'hf', 'meta-llama/Llama-3.1-8B-Instruct', 'https://router.huggingface.co/v1'],
  ])('routes %s', (model, variable, provider, modelId, baseUrl) => {
    expect(resolve(model, { [variable]: 'secret-key' })).toEqual({ provider, modelId, baseUrl, apiKey: 'secret-key' });
  });

  it('names the missing key variable', () => {
    expect(() => resolve('groq/llama')).toThrow(new InputError('--model groq/llama: GROQ_API_KEY is not set (put it in the environment or in .env)'));
  });

  it("treats SMOLTRACE's 'dummy' key as missing", () => {
    expect(() => resolve('openai/gpt-4o', { OPENAI_API_KEY: 'dummy' })).toThrow(/OPENAI_API_KEY is not set/);
  });

  it('rejects an unknown prefix, listing the known ones', () => {
    expect(() => resolve('nosuch/model')).toThrow(/unknown provider prefix 'nosuch'.*openai, mistral/);
  });

  it('sends bare OpenAI model names to OpenAI', () => {
    expect(resolve('gpt-4o-mini', { OPENAI_API_KEY: 'k' }).provider).toBe('openai');
    expect(() => resolve('llama3')).toThrow(/cannot tell the provider/);
  });

  it('points any id at --base-url, key optional', () => {
    expect(resolve('meta-llama/Llama-3-8B', {}, { baseUrl: 'http://127.0.0.1:8000/v1' })).toEqual({
      provider: 'custom',
      modelId: 'meta-llama/Llama-3-8B',
      baseUrl: 'http://127.0.0.1:8000/v1',
      apiKey: 'not-needed',
    });
    const routed = resolve('openai/gpt-4o', {}, { baseUrl: 'http://127.0.0.1:9/v1' });
    expect(routed).toMatchObject({ provider: 'openai', modelId: 'gpt-4o', baseUrl: 'http://127.0.0.1:9/v1' });
  });

  it('honours OPENAI_BASE_URL and OLLAMA_HOST', () => {
    expect(resolve('openai/gpt-4o', { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://proxy/v1' }).baseUrl).toBe('http://proxy/v1');
    expect(resolve('ollama/llama3.2', { OLLAMA_HOST: 'http://gpu-box:11434/' }).baseUrl).toBe('http://gpu-box:11434/v1');
    expect(resolve('llama3.2', {}, { provider: 'ollama' })).toMatchObject({ provider: 'ollama', modelId: 'llama3.2', apiKey: 'not-needed' });
  });

  it('maps --provider inference to the Hugging Face router', () => {
    expect(resolve('Qwen/Qwen2.5-7B-Instruct', { HF_TOKEN: 'hf_x' }, { provider: 'inference' })).toMatchObject({ provider: 'hf', modelId: 'Qwen/Qwen2.5-7B-Instruct' });
  });

  it('says clearly that transformers is not available yet', () => {
    expect(() => resolve('x', {}, { provider: 'transformers' })).toThrow(/not available in this version/);
  });
});
