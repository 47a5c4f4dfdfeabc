import { describe, expect, it } from 'vitest';
import { codeObservation, extractCode } from '../../src/agents/code-blocks.js';

describe('extractCode', () => {
  it('reads the <code> format', () => {
    expect(extractCode('Thought: add.\n<code>\nx = 1 + 1\nprint(x)\n</code>')).toBe('x = 1 + 1\nprint(x)');
  });

  it('reads the older fenced format with <end_code>', () => {
    expect(extractCode('Thought: add.\nCode:\n```py\nx = 2\n```<end_code>')).toBe('x = 2');
    expect(extractCode('```python\ny = 3\n```')).toBe('y = 3');
    expect(extractCode('Code:\n```py\nz = 4\n<end_code>')).toBe('z = 4');
  });

  it('joins several blocks and tolerates a missing closing tag (cut by a stop sequence)', () => {
    expect(extractCode('<code>a = 1</code> then <code>b = 2</code>')).toBe('a = 1\n\nb = 2');
    expect(extractCode('<code>\nfinal_answer(5)\n')).toBe('final_answer(5)');
  });

  it('returns undefined without code', () => {
    expect(extractCode('The answer is 5.')).toBeUndefined();
    expect(extractCode('<code>   </code>')).toBeUndefined();
  });
});

describe('codeObservation', () => {
  it('shows logs and the last value, or the error', () => {
    expect(codeObservation({ stdout: '15678\n', result: '15678' })).toBe('Execution logs:\n15678\nLast output from code snippet:\n15678');
    expect(codeObservation({ stdout: '' })).toBe('Last output from code snippet:\nNone');
    expect(codeObservation({ stdout: 'partial\n', error: { type: 'ZeroDivisionError', message: 'division by zero' } })).toBe(
      "Execution logs:\npartial\nError: ZeroDivisionError: division by zero\nNow let's retry: take care not to repeat the previous error.",
    );
  });
});
