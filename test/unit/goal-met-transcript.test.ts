import { describe, expect, it } from 'vitest';
import { transcript } from '../../src/scoring/goal-met.js';

describe('goal_met transcript', () => {
  it("shows the built-in agent's final_answer reply (empty content) as what the assistant said", () => {
    const text = transcript({
      messages: [
        { role: 'system', content: 'You are an agent.' },
        { role: 'user', content: 'New task:\nWhen does my flight leave?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 'web_search', arguments: { query: 'AB123' } }] },
        { role: 'tool', toolCallId: 'a', name: 'web_search', content: 'AB123 schedule page' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'b', name: 'final_answer', arguments: { answer: 'It leaves at 09:40.' } }] },
        { role: 'tool', toolCallId: 'b', name: 'final_answer', content: 'It leaves at 09:40.' },
        { role: 'user', content: 'Thanks.' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'final_answer', arguments: { answer: { gate: 12 } } }] },
      ],
    });
    expect(text.split('\n')).toEqual([
      'USER: When does my flight leave?',
      'ASSISTANT calls web_search({"query":"AB123"})',
      'TOOL web_search: AB123 schedule page',
      'ASSISTANT: It leaves at 09:40.',
      'USER: Thanks.',
      'ASSISTANT: {"gate":12}',
    ]);
  });
});
