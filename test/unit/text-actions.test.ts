import { describe, expect, it } from 'vitest';
import { parseTextAction } from '../../src/agents/text-actions.js';

describe('parseTextAction', () => {
  it("reads smolagents' Action: JSON blob", () => {
    const text = 'Thought: I need the weather.\nAction:\n{\n  "name": "get_weather",\n  "arguments": {"location": "Paris, France"}\n}';
    expect(parseTextAction(text, 'c1')).toEqual({ id: 'c1', name: 'get_weather', arguments: { location: 'Paris, France' } });
  });

  it('accepts the older action/action_input keys', () => {
    expect(parseTextAction('Action: {"action": "final_answer", "action_input": {"answer": "42"}}', 'c2')).toEqual({
      id: 'c2',
      name: 'final_answer',
      arguments: { answer: '42' },
    });
  });

  it('returns undefined for plain text', () => {
    expect(parseTextAction('The answer is 42.', 'c3')).toBeUndefined();
  });

  it('explains a broken Action blob', () => {
    expect(() => parseTextAction('Action: {"name": "calculator", "arguments": {', 'c4')).toThrow(/no JSON object|not valid/);
    expect(() => parseTextAction('Action: {"arguments": {}}', 'c5')).toThrow(/no "name"/);
  });
});
