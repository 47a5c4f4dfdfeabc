import { describe, expect, it } from 'vitest';
import { parseGeneratedText } from '../../src/models/generated-tool-calls.js';

function counter(prefix = 'call_'): () => string {
  let next = 0;
  return () => `${prefix}${++next}`;
}

function parse(text: string, specialTokens?: readonly string[]) {
  return parseGeneratedText(text, { nextId: counter(), ...(specialTokens ? { specialTokens } : {}) });
}

describe('parseGeneratedText: plain text', () => {
  it('returns trimmed content and nothing else for a plain reply', () => {
    expect(parse('  The answer is 42.\n')).toEqual({ content: 'The answer is 42.', toolCalls: [], problems: [] });
  });

  it("leaves smolagents' Action: JSON to the agent's fallback", () => {
    const text = 'Thought: I need the weather.\nAction:\n{"name": "get_weather", "arguments": {"location": "Paris"}}';
    const parsed = parse(text);
    expect(parsed.content).toBe(text);
    expect(parsed.toolCalls).toEqual([]);
    expect(parsed.format).toBeUndefined();
  });
});

describe('parseGeneratedText: Hermes / Qwen', () => {
  it('reads one block with text before and after it', () => {
    const parsed = parse('Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\nBack soon.');
    expect(parsed).toEqual({
      content: 'Let me check.\n\nBack soon.',
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
      format: 'hermes',
      problems: [],
    });
  });

  it('reads several blocks in order, with ids from nextId in order', () => {
    const text = [
      '<tool_call>\n{"name": "a", "arguments": {"x": 1}}\n</tool_call>',
      '<tool_call>\n{"name": "b", "arguments": {"y": 2}}\n</tool_call>',
      '<tool_call>\n{"name": "c", "arguments": {}}\n</tool_call>',
    ].join('\n');
    const parsed = parseGeneratedText(text, { nextId: counter('id-') });
    expect(parsed.toolCalls).toEqual([
      { id: 'id-1', name: 'a', arguments: { x: 1 } },
      { id: 'id-2', name: 'b', arguments: { y: 2 } },
      { id: 'id-3', name: 'c', arguments: {} },
    ]);
    expect(parsed.content).toBe('');
  });

  it('accepts a final block whose closing tag is missing', () => {
    const parsed = parse('<tool_call>\n{"name": "a", "arguments": {}}\n</tool_call>\n<tool_call>\n{"name": "b", "arguments": {"q": "x"}}\n');
    expect(parsed.toolCalls.map((call) => call.name)).toEqual(['a', 'b']);
    expect(parsed.toolCalls[1]!.arguments).toEqual({ q: 'x' });
    expect(parsed.problems).toEqual([]);
  });

  it('reports an unclosed final block whose JSON was cut off', () => {
    const parsed = parse('Checking.\n<tool_call>\n{"name": "search", "arguments": {"query": "cats');
    expect(parsed.toolCalls).toEqual([]);
    expect(parsed.content).toBe('Checking.');
    expect(parsed.problems).toEqual(['<tool_call> block 1: the JSON is incomplete']);
  });

  it('parses arguments given as a JSON string, and keeps a string that is not JSON', () => {
    const parsed = parse(
      '<tool_call>{"name": "a", "arguments": "{\\"n\\": 3}"}</tool_call><tool_call>{"name": "b", "arguments": "not json"}</tool_call>',
    );
    expect(parsed.toolCalls.map((call) => call.arguments)).toEqual([{ n: 3 }, 'not json']);
  });

  it('accepts "parameters" as the arguments key and defaults missing arguments to {}', () => {
    const parsed = parse('<tool_call>{"name": "a", "parameters": {"k": true}}</tool_call><tool_call>{"name": "b"}</tool_call>');
    expect(parsed.toolCalls.map((call) => call.arguments)).toEqual([{ k: true }, {}]);
  });

  it('ignores trailing text inside a block and braces inside JSON strings', () => {
    const parsed = parse('<tool_call>\n{"name": "write", "arguments": {"text": "} </tool_call> {"}} trailing junk\n</tool_call>\nDone.');
    expect(parsed.toolCalls).toEqual([{ id: 'call_1', name: 'write', arguments: { text: '} </tool_call> {' } }]);
    expect(parsed.content).toBe('Done.');
  });

  it('reports bad JSON and a missing name, keeps their text out of content, and still reads the good block', () => {
    const parsed = parse(
      'Start\n<tool_call>\n{"name": "a", arguments: {}}\n</tool_call>\n<tool_call>\n{"arguments": {"x": 1}}\n</tool_call>\n<tool_call>\n{"name": "ok", "arguments": {}}\n</tool_call>\nEnd',
    );
    expect(parsed.toolCalls).toEqual([{ id: 'call_1', name: 'ok', arguments: {} }]);
    expect(parsed.problems).toHaveLength(2);
    expect(parsed.problems[0]).toMatch(/^<tool_call> block 1: the JSON is not valid/);
    expect(parsed.problems[1]).toBe('<tool_call> block 2: the JSON has no "name"');
    expect(parsed.content).toBe('Start\n\n\n\nEnd');
  });

  it('reports a block holding no JSON object', () => {
    const parsed = parse('<tool_call>\nget_weather(city="Paris")\n</tool_call>');
    expect(parsed).toEqual({ content: '', toolCalls: [], problems: ['<tool_call> block 1: no JSON object'] });
  });

  it('sets no format when every block was unusable', () => {
    const parsed = parse('<tool_call>{"arguments": {}}</tool_call>');
    expect(parsed.format).toBeUndefined();
    expect(parsed.problems).toHaveLength(1);
  });
});

describe('parseGeneratedText: reasoning', () => {
  it('splits a <think> block from the answer', () => {
    expect(parse('<think>\nThe user wants 6*7.\n</think>\n\nIt is 42.')).toEqual({
      content: 'It is 42.',
      reasoning: 'The user wants 6*7.',
      toolCalls: [],
      problems: [],
    });
  });

  it('treats everything before a lone </think> as reasoning (Qwen3 template opened it)', () => {
    const parsed = parse('I should look this up.\n</think>\n\n<tool_call>\n{"name": "search", "arguments": {"q": "x"}}\n</tool_call>');
    expect(parsed.reasoning).toBe('I should look this up.');
    expect(parsed.toolCalls).toEqual([{ id: 'call_1', name: 'search', arguments: { q: 'x' } }]);
    expect(parsed.content).toBe('');
  });

  it('does not take a <tool_call> inside the reasoning as a call', () => {
    const draft = '<tool_call>{"name": "draft", "arguments": {}}</tool_call>';
    const parsed = parse(`<think>Maybe ${draft}? No.</think>Final answer.`);
    expect(parsed.toolCalls).toEqual([]);
    expect(parsed.reasoning).toBe(`Maybe ${draft}? No.`);
    expect(parsed.content).toBe('Final answer.');
  });

  it('does not take a <tool_call> before a lone </think> as a call, but reads the one after it', () => {
    const parsed = parse('<tool_call>{"name": "draft", "arguments": {}}</tool_call></think><tool_call>{"name": "real", "arguments": {}}</tool_call>');
    expect(parsed.toolCalls.map((call) => call.name)).toEqual(['real']);
    expect(parsed.reasoning).toContain('draft');
  });

  it('leaves reasoning out when the think block is empty', () => {
    const parsed = parse('<think>\n\n</think>\n\nHello.');
    expect(parsed.reasoning).toBeUndefined();
    expect('reasoning' in parsed).toBe(false);
    expect(parsed.content).toBe('Hello.');
  });

  it('takes an unclosed <think> (generation stopped while thinking) as reasoning', () => {
    expect(parse('<think>Let me consider the')).toEqual({ content: '', reasoning: 'Let me consider the', toolCalls: [], problems: [] });
  });
});

describe('parseGeneratedText: special tokens', () => {
  it('strips every occurrence of the given tokens from content', () => {
    const parsed = parse('Hello<|im_end|> world<|im_end|></s><|endoftext|>', ['<|im_end|>', '</s>', '<|endoftext|>']);
    expect(parsed.content).toBe('Hello world');
  });

  it('strips them before parsing, so a call followed by end tokens is read', () => {
    const parsed = parse('<tool_call>\n{"name": "a", "arguments": {}}\n</tool_call><|im_end|>', ['<|im_end|>', '']);
    expect(parsed.toolCalls).toHaveLength(1);
    expect(parsed.content).toBe('');
  });

  it('still reads the markers it parses when they are listed as special tokens', () => {
    const tokens = ['<think>', '</think>', '<tool_call>', '</tool_call>', '<|im_end|>'];
    const parsed = parse('<think>hm</think><tool_call>{"name": "a", "arguments": {}}</tool_call><|im_end|>', tokens);
    expect(parsed.reasoning).toBe('hm');
    expect(parsed.toolCalls.map((call) => call.name)).toEqual(['a']);
  });

  it('strips listed tokens that are left over in content after parsing', () => {
    expect(parse('Done.</tool_call><|eot_id|>', ['</tool_call>', '<|eot_id|>']).content).toBe('Done.');
  });
});

describe('parseGeneratedText: Llama 3 JSON', () => {
  it('reads a reply that is one JSON call with "parameters"', () => {
    expect(parse('{"name": "get_weather", "parameters": {"city": "Oslo"}}<|eot_id|>', ['<|eot_id|>'])).toEqual({
      content: '',
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } }],
      format: 'llama3',
      problems: [],
    });
  });

  it('reads calls separated by ";" after <|python_tag|>, with string arguments parsed', () => {
    const parsed = parse('<|python_tag|>{"name": "a", "parameters": {"x": 1}}; {"name": "b", "arguments": "{\\"y\\": 2}"}<|eom_id|>', ['<|eom_id|>']);
    expect(parsed.toolCalls).toEqual([
      { id: 'call_1', name: 'a', arguments: { x: 1 } },
      { id: 'call_2', name: 'b', arguments: { y: 2 } },
    ]);
    expect(parsed.format).toBe('llama3');
  });

  it('leaves a JSON object in the middle of prose as content', () => {
    const text = 'You could call {"name": "a", "parameters": {}} to do that.';
    expect(parse(text)).toEqual({ content: text, toolCalls: [], problems: [] });
  });

  it('leaves JSON that is not a call (no name, or no arguments key) as content without problems', () => {
    for (const text of ['{"answer": 42}', '{"name": "Ada Lovelace"}', '{"name": "a", "parameters": {}}; {"result": 1}']) {
      const parsed = parse(text);
      expect(parsed.toolCalls).toEqual([]);
      expect(parsed.content).toBe(text);
      expect(parsed.problems).toEqual([]);
    }
  });

  it('does not use up ids when the reply turns out not to be calls', () => {
    const nextId = counter();
    parseGeneratedText('{"name": "a", "parameters": {}}; {"other": 1}', { nextId });
    expect(nextId()).toBe('call_1');
  });

  it('reports unusable JSON after <|python_tag|>', () => {
    const parsed = parse('<|python_tag|>{"name": "a", "parameters": {');
    expect(parsed.toolCalls).toEqual([]);
    expect(parsed.problems).toEqual(['<|python_tag|> call: the JSON is incomplete']);
    expect(parse('<|python_tag|>{"parameters": {}}').problems).toEqual(['<|python_tag|> call 1: the JSON has no "name"']);
  });

  it('leaves Python code after <|python_tag|> as content', () => {
    expect(parse('<|python_tag|>brave_search.call(query="x")').content).toBe('<|python_tag|>brave_search.call(query="x")');
  });
});

describe('parseGeneratedText: Mistral', () => {
  it('reads the v3 JSON list, using ids it carries and nextId otherwise', () => {
    const parsed = parse('[TOOL_CALLS] [{"name": "a", "arguments": {"x": 1}, "id": "abc123XYZ"}, {"name": "b", "arguments": {}}]</s>', ['</s>']);
    expect(parsed).toEqual({
      content: '',
      toolCalls: [
        { id: 'abc123XYZ', name: 'a', arguments: { x: 1 } },
        { id: 'call_1', name: 'b', arguments: {} },
      ],
      format: 'mistral',
      problems: [],
    });
  });

  it('reads the newer name[ARGS]{...} form, repeated, with text before it', () => {
    const parsed = parse('Sure.[TOOL_CALLS]get_weather[ARGS]{"city": "Rome"}[TOOL_CALLS]get_time[ARGS]{"zone": "CET"}');
    expect(parsed.toolCalls).toEqual([
      { id: 'call_1', name: 'get_weather', arguments: { city: 'Rome' } },
      { id: 'call_2', name: 'get_time', arguments: { zone: 'CET' } },
    ]);
    expect(parsed.content).toBe('Sure.');
  });

  it('uses a [CALL_ID] when present', () => {
    const parsed = parse('[TOOL_CALLS]a[CALL_ID]Xy12345ab[ARGS]{"k": "v"}[TOOL_CALLS]b[ARGS]{}');
    expect(parsed.toolCalls).toEqual([
      { id: 'Xy12345ab', name: 'a', arguments: { k: 'v' } },
      { id: 'call_1', name: 'b', arguments: {} },
    ]);
  });

  it('reports bad JSON, a missing [ARGS] and list items without a name', () => {
    expect(parse('[TOOL_CALLS]a[ARGS]{"k": v}').problems[0]).toMatch(/^\[TOOL_CALLS\] block 1: the JSON is not valid/);
    expect(parse('[TOOL_CALLS]a{"k": 1}').problems).toEqual(['[TOOL_CALLS] block 1: no [ARGS] after the tool name']);
    const listed = parse('[TOOL_CALLS][{"arguments": {}}, {"name": "ok", "arguments": {}}]');
    expect(listed.problems).toEqual(['[TOOL_CALLS] block 1, call 1: the JSON has no "name"']);
    expect(listed.toolCalls.map((call) => call.name)).toEqual(['ok']);
  });

  it('reports a name that is not one and a cut-off list, keeping their text out of content', () => {
    const named = parse('[TOOL_CALLS]let me see[ARGS]{}');
    expect(named.problems).toEqual(['[TOOL_CALLS] block 1: not a tool name: "let me see"']);
    expect(named.content).toBe('');
    const cut = parse('Calling.[TOOL_CALLS][{"name": "a", "arguments": {"x": ');
    expect(cut.problems).toEqual(['[TOOL_CALLS] block 1: the JSON is incomplete']);
    expect(cut.content).toBe('Calling.');
  });
});

describe('parseGeneratedText: robustness', () => {
  it('never throws on odd input', () => {
    const inputs = ['', '<tool_call>', '</tool_call>', '[TOOL_CALLS]', '[TOOL_CALLS][', '{', '<think>', '</think>', '<tool_call>{"name": 1}</tool_call>', '"\\'];
    for (const text of inputs) {
      const parsed = parse(text);
      expect(Array.isArray(parsed.toolCalls)).toBe(true);
      expect(typeof parsed.content).toBe('string');
    }
    expect(parse('<tool_call>{"name": 1}</tool_call>').problems).toEqual(['<tool_call> block 1: the JSON has no "name"']);
  });
});
