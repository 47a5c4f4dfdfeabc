import { describe, expect, it } from 'vitest';
import { EndpointHealth, endpointName, isUnreachable } from '../../src/models/endpoint-health.js';
import { ProviderError } from '../../src/models/errors.js';
import { withRetries } from '../../src/models/retry.js';

const refused = () => new ProviderError('connection', 'connection error', { cause: new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }) });

describe('endpoint health', () => {
  it('tells a refused or unroutable connection from a dropped one', () => {
    expect(isUnreachable(refused())).toBe(true);
    const aggregate = Object.assign(new AggregateError([Object.assign(new Error('no route'), { code: 'EHOSTUNREACH' })]), { code: undefined });
    expect(isUnreachable(new ProviderError('connection', 'x', { cause: aggregate }))).toBe(true);
    expect(isUnreachable(new ProviderError('connection', 'socket hang up', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }))).toBe(false);
    expect(isUnreachable(new ProviderError('server', 'server error (503)', { status: 503 }))).toBe(false);
  });

  it('trips once, only after every request for the window failed to connect', () => {
    let now = 0;
    const trips: string[] = [];
    const health = new EndpointHealth('127.0.0.1:9', 10_000, (endpoint) => trips.push(endpoint), () => now);
    health.unreachable();
    now = 9_000;
    health.unreachable();
    health.reached(); // an answer (any status) starts the window over
    now = 15_000;
    health.unreachable();
    now = 24_000;
    health.unreachable();
    expect(trips).toEqual([]);
    now = 25_000;
    health.unreachable();
    health.unreachable();
    expect(trips).toEqual(['127.0.0.1:9']);
    expect(health.isTripped).toBe(true);
  });

  it('is told by withRetries whether each attempt reached the server', async () => {
    let now = 0;
    const trips: string[] = [];
    const health = new EndpointHealth('host:1', 1_000, (endpoint) => trips.push(endpoint), () => now);
    const policy = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 1, health };
    await expect(withRetries(async () => {
      now += 600;
      throw refused();
    }, policy)).rejects.toMatchObject({ kind: 'connection', options: { attempts: 4 } });
    expect(trips).toEqual(['host:1']);
  });

  it('names endpoints host:port', () => {
    expect(endpointName('http://127.0.0.1:8080/v1')).toBe('127.0.0.1:8080');
    expect(endpointName('https://api.openai.com/v1')).toBe('api.openai.com:443');
  });
});
