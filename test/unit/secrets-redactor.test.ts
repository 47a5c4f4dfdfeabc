import { describe, expect, it } from 'vitest';
import { headerValues, isBoringValue, looksSecretValue, urlCredentials, urlWithoutCredentials } from '../../src/secrets/patterns.js';
import { REDACTED, SecretRedactor } from '../../src/secrets/redactor.js';

const CANARY = 'canary-7f3a9c1e5b2d4x';

describe('SecretRedactor from the environment', () => {
  it('scrubs secret-named variables, secret-shaped values and OTLP header values', () => {
    const redactor = SecretRedactor.from({
      env: {
        OPENAI_API_KEY: 'plain-key-value-1234',
        INNOCENT_NAME: 'ghp_abcdefghijklmnopqrstuvwx1234',
        OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${CANARY},x-team=evals`,
        DATABASE_URL: `postgres://admin:${CANARY}-db@127.0.0.1:5432/app`,
      },
    });
    const text = `key plain-key-value-1234, token ghp_abcdefghijklmnopqrstuvwx1234, header ${CANARY}, db pw ${CANARY}-db`;
    const scrubbed = redactor.text(text);
    expect(scrubbed).toBe(`key ${REDACTED}, token ${REDACTED}, header ${REDACTED}, db pw ${REDACTED}`);
  });

  it('leaves short, boolean, numeric and path values of secret-named variables alone', () => {
    const redactor = SecretRedactor.from({
      env: { TOKENIZERS_PARALLELISM: 'false', MAX_TOKENS: '12345678', SSH_AUTH_SOCK: '/tmp/ssh-agent/agent.1234', API_KEY: 'short', KEY_URL: 'https://example.com/keys' },
    });
    expect(redactor.size).toBe(0);
    const text = 'false 12345678 /tmp/ssh-agent/agent.1234 short https://example.com/keys';
    expect(redactor.text(text)).toBe(text);
  });

  it('scrubs explicit secrets in raw, JSON-escaped and URL-encoded forms, longest first', () => {
    const redactor = SecretRedactor.from({ secrets: ['pa"ss/word+1234', 'pa"ss/word+1234-longer', 'tiny'] });
    expect(redactor.text('a pa"ss/word+1234-longer b')).toBe(`a ${REDACTED} b`);
    expect(redactor.text(JSON.stringify({ x: 'pa"ss/word+1234' }))).toBe(`{"x":"${REDACTED}"}`);
    expect(redactor.text(`q=${encodeURIComponent('pa"ss/word+1234')}`)).toBe(`q=${REDACTED}`);
    expect(redactor.text('tiny stays')).toBe('tiny stays');
  });
});

describe('inline shapes (no known value needed)', () => {
  const redactor = SecretRedactor.from();
  it.each([
    ['sk-proj-abcdefghijklmnop1234', REDACTED],
    ['hf_abcdefghijklmnopqrstuvwxyz', REDACTED],
    ['github_pat_11ABCDEFG0123456789_abcdefghij', REDACTED],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c', REDACTED],
    ['Authorization: Bearer abc123def456ghi', `Authorization: Bearer ${REDACTED}`],
    ['GET /v1?api_key=s3cr3tvalue99&x=1', `GET /v1?api_key=${REDACTED}&x=1`],
    ['{"password": "hunter2hunter2"}', `{"password": "${REDACTED}"}`],
    ['see http://user:pw12345@127.0.0.1:8080/v1 now', 'see http://***@127.0.0.1:8080/v1 now'],
  ])('%s', (input, expected) => {
    expect(redactor.text(input)).toBe(expected);
  });

  it('keeps ordinary text, usage counters and plain URLs', () => {
    const text = 'risk-assessment-framework-document; basic authentication; "reasoning_tokens": 12345678; max_tokens=512; https://example.com/v1 user@example.com';
    expect(redactor.text(text)).toBe(text);
  });

  it('scrubs every string of a JSON value, keeping its shape', () => {
    const value = { rows: [{ output: 'key=sk-abcdefghijklmnop1234', n: 3 }], nested: { url: 'https://a:b1234567@h/x' } };
    expect(redactor.value(value)).toEqual({ rows: [{ output: `key=${REDACTED}`, n: 3 }], nested: { url: 'https://***@h/x' } });
  });
});

describe('secret helpers', () => {
  it('finds URL credentials, their basic-auth form, and strips them for display', () => {
    expect(urlCredentials('http://user:p%40ss1234@host/v1')).toEqual(['p%40ss1234', 'p@ss1234', Buffer.from('user:p@ss1234').toString('base64')]);
    expect(urlCredentials('https://host/v1')).toEqual([]);
    expect(urlWithoutCredentials('http://user:pw@host/v1')).toBe('http://***@host/v1');
  });

  it('reads OTLP header values, decoded and without the auth scheme', () => {
    expect(headerValues('authorization=Bearer%20tok12345678,x=y')).toEqual(['Bearer%20tok12345678', 'Bearer tok12345678', 'tok12345678', 'y', 'y']);
  });

  it('classifies values', () => {
    expect(looksSecretValue('sk-ant-abcdefghijklmnopqrstu')).toBe(true);
    expect(looksSecretValue('Bearer abcdefgh12')).toBe(true);
    expect(looksSecretValue('hello world')).toBe(false);
    expect(isBoringValue('/home/user/.cache')).toBe(true);
    expect(isBoringValue('correct horse battery')).toBe(false);
  });
});

describe('performance', () => {
  it('scrubs a result-row-sized document with 60 known secrets in well under a millisecond per KiB', () => {
    const env = Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`SERVICE_${index}_TOKEN`, `secret-value-${index}-${'x'.repeat(index % 20)}abcdef`]));
    const redactor = SecretRedactor.from({ env });
    const row = {
      messages: Array.from({ length: 20 }, (_, index) => ({ role: 'tool', content: `Observation ${index}: ${'lorem ipsum dolor sit amet '.repeat(40)}` })),
      tool_calls: Array.from({ length: 10 }, (_, index) => ({ name: 'read_file', output: `line ${index} `.repeat(100) })),
    };
    const size = JSON.stringify(row).length;
    const rounds = 200;
    const started = performance.now();
    for (let round = 0; round < rounds; round++) redactor.json(row);
    const perRowMs = (performance.now() - started) / rounds;
    const plain = performance.now();
    for (let round = 0; round < rounds; round++) JSON.stringify(row);
    const plainMs = (performance.now() - plain) / rounds;
    console.info(`redactor: ${(size / 1024).toFixed(1)} KiB row, ${redactor.size} literals: ${perRowMs.toFixed(3)} ms redacted vs ${plainMs.toFixed(3)} ms plain JSON`);
    expect(perRowMs / (size / 1024)).toBeLessThan(1);
  });
});
