import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { hasApiPrefix, resolveModel } from '../../src/models/routing.js';

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

  it('honours OPENAI_BASE_URL and ANTHROPIC_BASE_URL', () => {
    expect(resolve('openai/gpt-4o', { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://proxy/v1' }).baseUrl).toBe('http://proxy/v1');
    expect(resolve('anthropic/claude-x', { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'http://gateway:8080' }).baseUrl).toBe('http://gateway:8080');
  });

  it('routes anthropic and ollama to their native APIs (no /v1)', () => {
    expect(resolve('anthropic/claude-sonnet-4-5', { ANTHROPIC_API_KEY: 'sk-ant' })).toEqual({
      provider: 'anthropic',
      modelId: 'claude-sonnet-4-5',
      baseUrl: 'https://api.anthropic.com',
      apiKey: 'sk-ant',
    });
    expect(() => resolve('anthropic/claude-sonnet-4-5')).toThrow(/ANTHROPIC_API_KEY is not set/);
    expect(resolve('ollama/llama3.2')).toEqual({ provider: 'ollama', modelId: 'llama3.2', baseUrl: 'http://localhost:11434', apiKey: 'not-needed' });
    expect(resolve('ollama_chat/qwen3:8b')).toMatchObject({ provider: 'ollama', modelId: 'qwen3:8b' });
    expect(resolve('llama3.2', {}, { provider: 'ollama' })).toMatchObject({ provider: 'ollama', modelId: 'llama3.2', apiKey: 'not-needed' });
  });

  it.each([
    ['http://gpu-box:11434/', 'http://gpu-box:11434'],
    ['https://ollama.example.com', 'https://ollama.example.com'],
    ['0.0.0.0:11434', 'http://0.0.0.0:11434'],
    ['0.0.0.0', 'http://0.0.0.0:11434'],
    ['gpu-box:8080', 'http://gpu-box:8080'],
    [':8080', 'http://127.0.0.1:8080'],
    ['[::1]:11434', 'http://[::1]:11434'],
    ['  ', 'http://localhost:11434'],
  ])('reads OLLAMA_HOST=%j as %s', (host, baseUrl) => {
    expect(resolve('ollama/llama3.2', { OLLAMA_HOST: host }).baseUrl).toBe(baseUrl);
  });

  it('prefers --base-url over OLLAMA_HOST', () => {
    expect(resolve('ollama/llama3.2', { OLLAMA_HOST: 'gpu-box' }, { baseUrl: 'http://127.0.0.1:9' }).baseUrl).toBe('http://127.0.0.1:9');
  });

  it('maps --provider inference to the Hugging Face router', () => {
    expect(resolve('Qwen/Qwen2.5-7B-Instruct', { HF_TOKEN: 'hf_x' }, { provider: 'inference' })).toMatchObject({ provider: 'hf', modelId: 'Qwen/Qwen2.5-7B-Instruct' });
  });

  it('routes --provider transformers and transformers/ ids to the local provider, with no key', () => {
    expect(resolve('onnx-community/Qwen3-0.6B-ONNX', {}, { provider: 'transformers' })).toEqual({
      provider: 'transformers', modelId: 'onnx-community/Qwen3-0.6B-ONNX', baseUrl: 'local', apiKey: 'not-needed',
    });
    expect(resolve('transformers/org/model').modelId).toBe('org/model');
    expect(resolve('transformers/org/model').provider).toBe('transformers');
    expect(() => resolve('org/model', {}, { provider: 'transformers', baseUrl: 'http://127.0.0.1:1/v1' })).toThrow(/--base-url: not used by --provider transformers/);
  });

  it('tells API-prefixed ids from Hub ids', () => {
    expect(hasApiPrefix('openai/gpt-4o-mini')).toBe(true);
    expect(hasApiPrefix('gpt-4o')).toBe(true);
    expect(hasApiPrefix('ollama/llama3.2')).toBe(true);
    expect(hasApiPrefix('onnx-community/Qwen3-0.6B-ONNX')).toBe(false);
    expect(hasApiPrefix('./models/tiny')).toBe(false);
  });

  it('pins a Hugging Face Inference Provider with --hf-inference-provider', () => {
    const pinned = resolveModel({ model: 'hf/Qwen/Qwen2.5-7B-Instruct', provider: 'litellm', hfInferenceProvider: 'groq', env: { HF_TOKEN: 'hf_x' } });
    expect(pinned.modelId).toBe('Qwen/Qwen2.5-7B-Instruct:groq');
    expect(() => resolveModel({ model: 'openai/gpt-4o', provider: 'litellm', hfInferenceProvider: 'groq', env: { OPENAI_API_KEY: 'k' } })).toThrow(
      '--hf-inference-provider: only for hf/ models or --provider inference',
    );
  });
});
