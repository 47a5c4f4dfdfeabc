// The tiny scripted ONNX model loads in transformers.js from a local folder and, decoding greedily,
// replays its scripted replies: a tool call first, the final answer once a tool response is in the prompt.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyPieces } from '../helpers/tiny-model-tokenizer.js';
import { writeTinyModel, type TinyModel } from '../helpers/tiny-onnx-model.js';

type Transformers = typeof import('@huggingface/transformers');
type Tokenizer = Awaited<ReturnType<Transformers['AutoTokenizer']['from_pretrained']>>;
type CausalModel = Awaited<ReturnType<Transformers['AutoModelForCausalLM']['from_pretrained']>>;
type Tensor = InstanceType<Transformers['Tensor']>;
type ChatMessage = { role: string; content: string; tool_calls?: unknown[] };

const TOOL_CALL =
  '<tool_call>\n{"name": "get_weather", "arguments": {"location": "Paris, France", "unit": "celsius"}}\n</tool_call>';
const FINAL_ANSWER = 'It is 22 °C and sunny in Paris, France. The weather is "nice" 🙂';
const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a location',
      parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
    },
  },
];
const USER: ChatMessage = { role: 'user', content: "What's the weather in Paris? Ünïcödé ✓, and a literal <tool_call> tag." };
const CALLED: ChatMessage = {
  role: 'assistant',
  content: '',
  tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: { location: 'Paris, France' } } }],
};
const RESULT: ChatMessage = { role: 'tool', content: '{"temperature": 22, "sky": "sunny"}' };

let transformers: Transformers;
let root: string;
let model: TinyModel;
let tokenizer: Tokenizer;
let causalModel: CausalModel;

async function load(folder: string, dtype: 'fp32' | 'q4'): Promise<[Tokenizer, CausalModel]> {
  return Promise.all([
    transformers.AutoTokenizer.from_pretrained(folder, { local_files_only: true }),
    transformers.AutoModelForCausalLM.from_pretrained(folder, { local_files_only: true, device: 'cpu', dtype }),
  ]);
}

/** Renders the chat, decodes greedily and returns the new token ids and their text. */
async function reply(messages: ChatMessage[], using: [Tokenizer, CausalModel] = [tokenizer, causalModel]) {
  const [chatTokenizer, chatModel] = using;
  const inputs = chatTokenizer.apply_chat_template(messages, { tools: TOOLS, add_generation_prompt: true, return_dict: true }) as {
    input_ids: Tensor;
    attention_mask: Tensor;
  };
  const promptLength = inputs.input_ids.dims[1]!;
  const sequences = (await chatModel.generate({ ...inputs, max_new_tokens: 200, do_sample: false })) as Tensor;
  const ids = (sequences.tolist() as bigint[][])[0]!.slice(promptLength).map(Number);
  return { ids, text: chatTokenizer.decode(ids, { skip_special_tokens: false }), promptLength };
}

beforeAll(async () => {
  transformers = await import('@huggingface/transformers');
  root = await mkdtemp(join(tmpdir(), 'tiny-onnx-model-'));
  model = await writeTinyModel(join(root, 'scripted'), { replies: [TOOL_CALL, FINAL_ANSWER], dtypes: ['fp32', 'q4'], words: ['weather'] });
  [tokenizer, causalModel] = await load(model.folder, 'fp32');
});

afterAll(async () => {
  await causalModel?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('tiny scripted ONNX model', () => {
  it('writes the config, tokenizer and one ONNX file per dtype', async () => {
    expect((await readdir(model.folder)).sort()).toEqual(['config.json', 'generation_config.json', 'onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect((await readdir(join(model.folder, 'onnx'))).sort()).toEqual(['model.onnx', 'model_q4.onnx']);
    expect(model.weightFiles).toEqual(['onnx/model.onnx', 'onnx/model_q4.onnx']);
    expect(tokenizer.eos_token_id).toBe(model.eosTokenId);
    expect(tokenizer.decode([model.eosTokenId])).toBe('<|im_end|>');
  });

  it('renders tools, tool calls and tool responses with the Qwen-style chat template', () => {
    const text = tokenizer.apply_chat_template([USER, CALLED, RESULT], { tools: TOOLS, add_generation_prompt: true, tokenize: false }) as string;
    expect(text).toContain('<tools>\n{"type": "function", "function": {"name": "get_weather"');
    expect(text).toContain('<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"location": "Paris, France"}}\n</tool_call><|im_end|>\n');
    expect(text).toContain('<|im_start|>user\n<tool_response>\n{"temperature": 22, "sky": "sunny"}\n</tool_response><|im_end|>\n');
    expect(text.endsWith('<|im_start|>assistant\n')).toBe(true);
  });

  it('tokenizes any text, with <tool_response> as one token and known words as one token', () => {
    expect(tokenizer.encode('<tool_response>', { add_special_tokens: false })).toEqual([model.toolResponseTokenId]);
    expect(tokenizer.encode(' weather', { add_special_tokens: false })).toHaveLength(1);
    const odd = 'Ünïcödé 🙂 ✓ \t\r\n';
    const ids = tokenizer.encode(odd, { add_special_tokens: false });
    expect(ids.every((id) => id >= 0 && id < model.vocabularySize)).toBe(true);
    expect(tokenizer.decode(ids)).toBe(odd);
  });

  it('replies with the tool call, then <|im_end|>, when no tool response is in the prompt', async () => {
    const { ids, text } = await reply([USER]);
    expect(text).toBe(`${TOOL_CALL}<|im_end|>`);
    expect(ids).toEqual([...model.replyTokenIds[0]!, model.eosTokenId]);
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe(TOOL_CALL);
  });

  it('replies with the final answer once a tool response is in the prompt', async () => {
    const { ids, text } = await reply([USER, CALLED, RESULT]);
    expect(text).toBe(`${FINAL_ANSWER}<|im_end|>`);
    expect(ids).toHaveLength(model.replyTokenIds[1]!.length + 1);
    expect(ids.at(-1)).toBe(model.eosTokenId);
  });

  it('repeats the last reply for more tool responses than replies', async () => {
    const { text } = await reply([USER, CALLED, RESULT, CALLED, RESULT]);
    expect(text).toBe(`${FINAL_ANSWER}<|im_end|>`);
  });

  it('loads the q4 file variant, which replays the same replies', async () => {
    const quantized = await load(model.folder, 'q4');
    try {
      expect((await reply([USER], quantized)).text).toBe(`${TOOL_CALL}<|im_end|>`);
      expect((await reply([USER, CALLED, RESULT], quantized)).text).toBe(`${FINAL_ANSWER}<|im_end|>`);
    } finally {
      await quantized[1].dispose();
    }
  });

  it('round-trips a 64-word reply token by token', async () => {
    const words = Array.from({ length: 64 }, (_, index) => `word${String.fromCharCode(97 + (index % 26))}${'x'.repeat(Math.floor(index / 26))}`);
    const long = words.join(' ');
    const benchmark = await writeTinyModel(join(root, 'benchmark'), { replies: [long] });
    expect(benchmark.replyTokenIds[0]).toHaveLength(64);
    const loaded = await load(benchmark.folder, 'fp32');
    try {
      const { ids, text } = await reply([USER], loaded);
      expect(text).toBe(`${long}<|im_end|>`);
      expect(ids).toHaveLength(65);
    } finally {
      await loaded[1].dispose();
    }
  });
});

describe('reply pieces', () => {
  it('merges repeated and reserved pieces until each piece is unique', () => {
    const pieces = replyPieces('the cat and the cat\n');
    expect(pieces.map((piece) => piece.text).join('')).toBe('the cat and the cat\n');
    expect(new Set(pieces.map((piece) => piece.token)).size).toBe(pieces.length);
    expect(pieces.map((piece) => piece.token)).not.toContain('Ċ');
  });

  it('rejects a reply that is a single reserved token', () => {
    expect(() => replyPieces('<|im_end|>')).toThrow(/cannot be generated/);
  });
});
