// The code a code agent ran, read back from its result row (score's tests scorer runs it again), the
// tools it called, and the replay of their recorded outputs.
import { describe, expect, it } from 'vitest';
import { recordedCodeSteps, recordedTools, replayHandler } from '../../src/rescore/recorded-code.js';
import type { ReportTask } from '../../src/report/run-reader.js';

const row = (fields: Record<string, unknown>) => fields as unknown as ReportTask['row'];

describe('recordedCodeSteps', () => {
  it('takes each assistant reply as one model step, the code of its blocks, and the tool calls of that step', () => {
    const steps = recordedCodeSteps(
      row({
        messages: [
          { role: 'system', content: 'You write <code>blocks</code>.' },
          { role: 'user', content: 'New task:\nDefine f' },
          { role: 'assistant', content: 'Thought: look.\n<code>\nx = calculator(expression="2+3")\n</code>' },
          { role: 'user', content: 'Observation:\n5' },
          // Step 2: no code (a parse error in the run): nothing to run, but it counts as a step.
          { role: 'assistant', content: 'I think I am done.' },
          { role: 'user', content: 'Error: no code block found' },
          // Step 3: the older fenced format, two blocks run together.
          { role: 'assistant', content: 'Thought: define.\n```py\ndef f():\n    return x\n```<end_code>\nand\n```python\ny = f()\n```' },
          { role: 'user', content: 'Observation:\nNone' },
          // Step 4: content as a list of parts (imported rows).
          { role: 'assistant', content: [{ type: 'text', text: '<code>final_answer(y)</code>' }] },
        ],
        tool_calls: [
          { step: 1, name: 'calculator', arguments: { expression: '2+3' }, output: '5', is_error: false },
          { step: 4, name: 'final_answer', arguments: { answer: 5 }, output: '5', is_error: false },
          // No step number (SMOLTRACE's rows): cannot be placed.
          { step: null, name: 'get_weather', arguments: {}, output: 'Sunny' },
        ],
      }),
    );
    expect(steps).toEqual([
      { step: 1, code: 'x = calculator(expression="2+3")', calls: [{ name: 'calculator', arguments: { expression: '2+3' }, output: '5', isError: false }] },
      { step: 3, code: 'def f():\n    return x\n\ny = f()', calls: [] },
      { step: 4, code: 'final_answer(y)', calls: [] },
    ]);
  });

  it('is empty for a row without messages or without code', () => {
    expect(recordedCodeSteps(row({}))).toEqual([]);
    expect(recordedCodeSteps(row({ messages: [{ role: 'assistant', content: 'Paris' }, 'not a message', null] }))).toEqual([]);
  });
});

describe('recordedTools and replayHandler', () => {
  const calls = [
    { name: 'bash', arguments: { command: 'ls' }, output: 'a.txt', isError: false },
    { name: 'bash', arguments: { command: 'cat b', cwd: '/' }, output: 'Error: no such file', isError: true },
    { name: 'web_search', arguments: { query: 'x' }, output: 'results', isError: false },
  ];

  it('names each tool with its parameters in the order first seen', () => {
    expect([...recordedTools([{ step: 1, code: '', calls }])]).toEqual([
      ['bash', ['command', 'cwd']],
      ['web_search', ['query']],
    ]);
  });

  it('answers calls with the recorded outputs in order, errors as errors, and refuses a call the run did not make', async () => {
    const handler = replayHandler(calls);
    expect(await handler('bash', { command: 'ls' })).toEqual({ ok: true, output: 'a.txt' });
    expect(await handler('web_search', { query: 'x' })).toEqual({ ok: true, output: 'results' });
    expect(await handler('bash', { command: 'cat b' })).toEqual({ ok: false, error: 'no such file' });
    expect(await handler('bash', { command: 'rm -rf /' })).toEqual({ ok: false, error: 'bash: no output recorded for this call in the run' });
  });
});
