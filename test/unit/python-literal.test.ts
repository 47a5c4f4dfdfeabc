import { describe, expect, it } from 'vitest';
import { parseCallText, parsePythonLiteral } from '../../src/import/python-literal.js';

describe('Python literals (AgentTrace tool_input)', () => {
  it('reads reprs of dicts, lists, tuples, strings in either quote with escapes, numbers, True/False/None', () => {
    expect(parsePythonLiteral(`{'a': [1, 2.5, -3e2], "b": (True, False, None), 'c': 'it\\'s\\n'}`)).toEqual({ a: [1, 2.5, -300], b: [true, false, null], c: "it's\n" });
  });

  it('gives undefined for code and free text', () => {
    expect(parsePythonLiteral('def square(x): return x*x')).toBeUndefined();
    expect(parsePythonLiteral("{'a': 1} trailing")).toBeUndefined();
  });

  it('reads smolagents call text: kwargs as an object, positional args kept under args', () => {
    expect(parseCallText("args=() kwargs={'command': 'ls -S /tmp'}")).toEqual({ command: 'ls -S /tmp' });
    expect(parseCallText("args=('x', 2) kwargs={}")).toEqual({ args: ['x', 2] });
    expect(parseCallText('ls -S /tmp')).toBeUndefined();
  });
});
