// The judge is the evaluated model when it is the same model name on the same endpoint, whatever
// provider name reached it; --allow-self-judge lets such a run go on.
import { describe, expect, it } from 'vitest';
import { normalisedEndpoint, prepareScoring, sameModel } from '../../src/eval/scoring-setup.js';
import type { RunOptions } from '../../src/eval/types.js';
import { resolveModel } from '../../src/models/routing.js';
import { taskRowSchema } from '../../src/tasks/schema.js';

const env = { OPENAI_API_KEY: 'sk-test' };
const resolve = (model: string, baseUrl?: string) => resolveModel({ model, provider: 'litellm', ...(baseUrl && { baseUrl }), env });

describe('sameModel', () => {
  it('compares the endpoint (with each provider default) and the model name, not the provider name', () => {
    expect(sameModel(resolve('gpt-4o-mini', 'http://127.0.0.1:9/v1'), resolve('openai/gpt-4o-mini', 'http://127.0.0.1:9/v1/'))).toBe(true);
    expect(sameModel(resolve('gpt-4o-mini'), resolve('openai/gpt-4o-mini'))).toBe(true);
    expect(sameModel(resolve('openai/gpt-4o-mini', 'https://API.openai.com:443/v1'), resolve('openai/gpt-4o-mini'))).toBe(true);
    expect(sameModel(resolve('openai/gpt-4o', 'http://127.0.0.1:9/v1'), resolve('openai/gpt-4o-mini', 'http://127.0.0.1:9/v1'))).toBe(false);
    expect(sameModel(resolve('gpt-4o-mini', 'http://127.0.0.1:8/v1'), resolve('openai/gpt-4o-mini', 'http://127.0.0.1:9/v1'))).toBe(false);
    expect(sameModel({ modelId: 'llama3', baseUrl: 'http://localhost:11434' }, { modelId: 'llama3:latest', baseUrl: 'http://localhost:11434/' })).toBe(true);
    expect(sameModel({ modelId: 'llama3:8b', baseUrl: 'http://localhost:11434' }, { modelId: 'llama3:70b', baseUrl: 'http://localhost:11434' })).toBe(false);
    expect(normalisedEndpoint('HTTP://Example.COM:80/v1//')).toBe('http://example.com/v1');
  });

  it('refuses a self-judge unless allowed', async () => {
    const tasks = [taskRowSchema.parse({ id: 'a', prompt: 'Say hi', difficulty: 'easy', scorer: 'judge' })];
    const options = (allowSelfJudge: boolean) => ({ judge: { model: 'gpt-4o-mini', baseUrl: 'http://127.0.0.1:9/v1', allowSelfJudge } }) as unknown as RunOptions;
    const evaluated = resolve('openai/gpt-4o-mini', 'http://127.0.0.1:9/v1');
    await expect(prepareScoring(options(false), tasks, evaluated, env)).rejects.toThrow('--judge-model gpt-4o-mini: the judge is the evaluated model; choose another judge, or allow it with --allow-self-judge');
    const allowed = await prepareScoring(options(true), tasks, evaluated, env);
    expect(allowed.judge?.resolved).toMatchObject({ modelId: 'gpt-4o-mini', baseUrl: 'http://127.0.0.1:9/v1' });
  });
});
