import { describe, expect, it } from 'vitest';
import { containsKeyword } from '../../src/scoring/keywords.js';
import { scoreTask } from '../../src/scoring/smoltrace.js';

const task = (overrides: Partial<Parameters<typeof scoreTask>[0]['task']> = {}) => ({
  expected_tool: null,
  expected_tool_calls: null,
  expected_keywords: [],
  ...overrides,
});

describe('containsKeyword', () => {
  it('matches whole numbers only', () => {
    expect(containsKeyword('It is 18°C and clear in Tokyo.', '18')).toBe(true);
    expect(containsKeyword('In 2018 it was warm.', '18')).toBe(false);
    expect(containsKeyword('It was 180 degrees.', '18')).toBe(false);
    expect(containsKeyword('It was 18.5 degrees.', '18')).toBe(false);
    expect(containsKeyword('Temperature: 18.', '18')).toBe(true);
    expect(containsKeyword('ratio 0.5 of it', '5')).toBe(false);
  });

  it('ignores case and matches whole words', () => {
    expect(containsKeyword('Clear skies', 'clear')).toBe(true);
    expect(containsKeyword('The outcome is unclear', 'clear')).toBe(false);
    expect(containsKeyword('Partly   cloudy today', 'partly cloudy')).toBe(true);
  });

  it('handles keywords with symbols at the edges', () => {
    expect(containsKeyword('It is 18°C.', '18°C')).toBe(true);
    expect(containsKeyword('CPU at 85% exceeds the 80% threshold', '80%')).toBe(true);
    expect(containsKeyword('CPU at 180%', '80%')).toBe(false);
  });

  it('accepts thousands separators in numbers', () => {
    expect(containsKeyword('The product is 15,678.', '15678')).toBe(true);
    expect(containsKeyword('The product is 15678.', '15678')).toBe(true);
  });

  it('never matches an empty keyword', () => {
    expect(containsKeyword('anything', '  ')).toBe(false);
  });
});

describe('scoreTask', () => {
  it('succeeds when the expected tool was called and a keyword is in the answer', () => {
    const score = scoreTask({
      task: task({ expected_tool: 'get_weather', expected_tool_calls: 1, expected_keywords: ['18', 'clear'] }),
      toolsUsed: ['get_weather'],
      finalAnswerCalled: true,
      response: 'Tokyo: 18°C, clear.',
    });
    expect(score).toEqual({ success: true, tool_called: true, correct_tool: true, final_answer_called: true, response_correct: true });
  });

  it('needs the expected number of calls', () => {
    const score = scoreTask({
      task: task({ expected_tool: 'get_weather', expected_tool_calls: 2 }),
      toolsUsed: ['get_weather', 'calculator'],
      finalAnswerCalled: true,
      response: 'x',
    });
    expect(score.correct_tool).toBe(false);
    expect(score.success).toBe(false);
  });

  it("counts any tools for 'multiple'", () => {
    const base = { finalAnswerCalled: true, response: 'ok' };
    expect(scoreTask({ ...base, task: task({ expected_tool: 'multiple', expected_tool_calls: 2 }), toolsUsed: ['a', 'b'] }).correct_tool).toBe(true);
    expect(scoreTask({ ...base, task: task({ expected_tool: 'multiple', expected_tool_calls: 2 }), toolsUsed: ['a'] }).correct_tool).toBe(false);
    expect(scoreTask({ ...base, task: task({ expected_tool: 'multiple' }), toolsUsed: ['a'] }).correct_tool).toBe(true);
  });

  it('treats a missing response as incorrect (SMOLTRACE said correct)', () => {
    const score = scoreTask({ task: task(), toolsUsed: ['calculator'], finalAnswerCalled: false, response: null });
    expect(score.response_correct).toBe(false);
    expect(score.success).toBe(false);
  });

  it('falls back to "a tool was called" without an expected tool', () => {
    expect(scoreTask({ task: task(), toolsUsed: [], finalAnswerCalled: true, response: 'hi' })).toMatchObject({ correct_tool: false, success: false });
    expect(scoreTask({ task: task(), toolsUsed: ['x'], finalAnswerCalled: true, response: 'hi' }).success).toBe(true);
  });

  it('fails a response without any expected keyword', () => {
    const score = scoreTask({ task: task({ expected_keywords: ['18'] }), toolsUsed: ['get_weather'], finalAnswerCalled: true, response: 'In 2018' });
    expect(score.response_correct).toBe(false);
  });

  it('does not require a tool for a task with expected_tool_calls 0', () => {
    const score = scoreTask({ task: task({ expected_tool_calls: 0, expected_keywords: ['1060'] }), toolsUsed: [], finalAnswerCalled: true, response: 'The sum is 1060.' });
    expect(score).toMatchObject({ success: true, tool_called: false, correct_tool: true });
  });
});
