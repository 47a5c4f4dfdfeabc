import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardOf } from '../../src/scale/shard.js';
import { InputError } from '../../src/errors.js';
import { cacheHash, cacheKey, canonicalJson } from '../../src/models/response-store.js';

const uids = Array.from({ length: 200 }, (_, index) => `${index % 2 ? 'code' : 'tool'}:task_${index}`);

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let index = copy.length - 1; index > 0; index--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

describe('--shard', () => {
  it('parses I/N and rejects anything else with one line naming the flag', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(parseShard(undefined)).toBeUndefined();
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '2', '-1/3']) {
      expect(() => parseShard(bad)).toThrow(InputError);
      expect(() => parseShard(bad)).toThrow(`--shard ${bad}: give I/N with 1 <= I <= N`);
    }
  });

  it('splits the tasks with no overlap and nothing left out, for several N and any dataset order', () => {
    for (const count of [1, 2, 3, 7, 16]) {
      for (const seed of [1, 2, 3]) {
        const order = shuffled(uids, seed);
        const shards = Array.from({ length: count }, (_, index) => order.filter((uid) => inShard({ index: index + 1, count }, uid)));
        const union = shards.flat();
        expect(union).toHaveLength(uids.length);
        expect(new Set(union)).toEqual(new Set(uids));
        // The same task lands in the same shard whatever the order.
        for (const [index, shard] of shards.entries()) for (const uid of shard) expect(shardOf(uid, 0, count)).toBe(index + 1);
      }
    }
  });

  it('spreads tasks over the shards and separates repeats of one task', () => {
    const sizes = Array.from({ length: 4 }, (_, index) => uids.filter((uid) => inShard({ index: index + 1, count: 4 }, uid)).length);
    for (const size of sizes) expect(size).toBeGreaterThan(25);
    const repeats = new Set(Array.from({ length: 20 }, (_, repeat) => shardOf('tool:task_1', repeat, 4)));
    expect(repeats.size).toBeGreaterThan(1);
  });
});

describe('response cache keys', () => {
  it('hash the same request the same way whatever the key order, and differ when any part differs', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"f":2}]},"b":1}');
    const request = { messages: [{ role: 'user' as const, content: 'hi' }], temperature: 0, signal: new AbortController().signal };
    const base = cacheHash(cacheKey('openai', 'gpt-4o-mini', request));
    expect(cacheHash(cacheKey('openai', 'gpt-4o-mini', { temperature: 0, messages: [{ content: 'hi', role: 'user' }] }))).toBe(base);
    expect(cacheHash(cacheKey('openai', 'gpt-4o-mini', { ...request, tools: [] }))).toBe(base);
    expect(cacheHash(cacheKey('openai', 'gpt-4o', request))).not.toBe(base);
    expect(cacheHash(cacheKey('groq', 'gpt-4o-mini', request))).not.toBe(base);
    expect(cacheHash(cacheKey('openai', 'gpt-4o-mini', { ...request, temperature: 0.5 }))).not.toBe(base);
    expect(cacheHash(cacheKey('openai', 'gpt-4o-mini', { ...request, messages: [{ role: 'user', content: 'hi!' }] }))).not.toBe(base);
    expect(cacheHash(cacheKey('openai', 'gpt-4o-mini', { ...request, tools: [{ name: 't', description: '', parameters: {} }] }))).not.toBe(base);
  });
});
