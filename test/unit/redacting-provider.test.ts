import { describe, expect, it } from 'vitest';
import { redactingProvider } from '../../src/eval/redacting-provider.js';
import type { Message, ModelProvider, ModelRequest } from '../../src/models/types.js';
import { SecretRedactor } from '../../src/secrets/redactor.js';

describe('redactingProvider', () => {
  it('scrubs observations (tool messages, later user messages) but sends the task prompt and assistant turns as they are', async () => {
    const seen: ModelRequest[] = [];
    const inner: ModelProvider = {
      provider: 'openai',
      modelId: 'm',
      generate: async (request) => {
        seen.push(request);
        return { message: { role: 'assistant', content: 'ok' }, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: 'stop', model: 'm', attempts: 1 };
      },
    };
    const secret = 'canary-observation-secret';
    const provider = redactingProvider(inner, SecretRedactor.from({ secrets: [secret] }));
    const messages: Message[] = [
      { role: 'system', content: `system ${secret}` },
      { role: 'user', content: `New task:\nexplain ${secret}` },
      { role: 'assistant', content: `thinking about ${secret}` },
      { role: 'tool', toolCallId: '1', name: 'read_file', content: `file says ${secret}` },
      { role: 'user', content: `Observation:\nprinted ${secret}` },
    ];
    await provider.generate({ messages });
    expect(seen[0]!.messages.map((message) => message.content)).toEqual([
      `system ${secret}`,
      `New task:\nexplain ${secret}`,
      `thinking about ${secret}`,
      'file says [REDACTED]',
      'Observation:\nprinted [REDACTED]',
    ]);
    expect([provider.provider, provider.modelId]).toEqual(['openai', 'm']);
  });
});
