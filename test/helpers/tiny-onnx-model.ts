/**
 * Writes, with no download, a tiny local ONNX causal language model folder that transformers.js
 * loads (`AutoTokenizer` / `AutoModelForCausalLM.from_pretrained(folder, { local_files_only: true })`)
 * and whose greedy decoding replays scripted replies exactly.
 *
 * The "model" is a stack of bigram tables, one per stage: stage k = min(number of `<tool_response>`
 * tokens seen so far, replies - 1), and in stage k each token's logits row puts a high score on the
 * next piece of reply k (the last piece -> `<|im_end|>`, any other token -> the first piece).
 * transformers.js feeds a decoder only the newest token once it has a cache, so the stage has to
 * travel in the cache: `past_key_values.0.key` [batch, 1, past, 1] holds, per past token, 1 if it was
 * `<tool_response>` else 0, and `present.0.key` appends the new tokens' flags.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeOnnxModel, type OnnxModel } from './onnx-writer.js';
import { CHAT_TEMPLATE, END_OF_TEXT, END_OF_TURN, TOOL_RESPONSE, buildVocabulary } from './tiny-model-tokenizer.js';

export interface TinyModelOptions {
  /** Scripted replies: reply k is produced when the prompt contains exactly k `<tool_response>` tokens (the last one repeats for larger k). */
  replies: string[];
  /**
   * dtype variants to write, as transformers.js 4.3.1 names their files (fp32 -> onnx/model.onnx,
   * fp16 -> model_fp16, q8 -> model_quantized, q4 -> model_q4, ...). All hold the same fp32 graph. Default ['fp32'].
   */
  dtypes?: string[];
  /** Extra plain words added to the vocabulary (with and without a leading space) so prompts tokenize to fewer tokens. */
  words?: string[];
}

export interface TinyModel {
  /** Absolute path of the model folder. */
  folder: string;
  vocabularySize: number;
  /** `<|im_end|>`: ends every reply. */
  eosTokenId: number;
  /** `<|endoftext|>`. */
  padTokenId: number;
  toolResponseTokenId: number;
  /** Each reply's generated token ids, without the final `<|im_end|>`. */
  replyTokenIds: number[][];
  /** The ONNX files written, relative to the folder. */
  weightFiles: string[];
}

/** transformers.js 4.3.1's DEFAULT_DTYPE_SUFFIX_MAPPING: onnx/model{suffix}.onnx per dtype. */
export const DTYPE_FILE_SUFFIX: Readonly<Record<string, string>> = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q2: '_q2',
  q1: '_q1',
  q4f16: '_q4f16',
  q2f16: '_q2f16',
  q1f16: '_q1f16',
  bnb4: '_bnb4',
};

/** Logit of the scripted next token; every other token gets 0. */
const SCRIPTED_LOGIT = 16;

/** The stacked bigram tables, [stages * vocabulary, vocabulary], row-major. */
function bigramWeights(replyTokenIds: number[][], vocabularySize: number, eosTokenId: number): Float32Array {
  const weights = new Float32Array(replyTokenIds.length * vocabularySize * vocabularySize);
  replyTokenIds.forEach((tokens, stage) => {
    const successor = new Map<number, number>();
    tokens.forEach((token, index) => successor.set(token, tokens[index + 1] ?? eosTokenId));
    const first = tokens[0] ?? eosTokenId;
    for (let token = 0; token < vocabularySize; token++) {
      const row = stage * vocabularySize + token;
      weights[row * vocabularySize + (successor.get(token) ?? first)] = SCRIPTED_LOGIT;
    }
  });
  return weights;
}

function tinyGraph(replyTokenIds: number[][], vocabularySize: number, eosTokenId: number, toolResponseTokenId: number): OnnxModel {
  const stages = replyTokenIds.length;
  const int64 = (name: string, values: number[], dims: number[] = []) => ({
    name,
    elementType: 'int64' as const,
    dims,
    data: BigInt64Array.from(values, (value) => BigInt(value)),
  });
  const float = (name: string, values: ArrayLike<number>, dims: number[] = []) => ({
    name,
    elementType: 'float' as const,
    dims,
    data: Float32Array.from(values),
  });
  return {
    opsetVersion: 13,
    irVersion: 8,
    graph: {
      name: 'tiny_scripted_bigram',
      initializers: [
        int64('tool_response_id', [toolResponseTokenId]),
        int64('flag_axes', [1, 3], [2]),
        int64('count_axes', [2, 3], [2]),
        float('last_stage', [stages - 1]),
        int64('vocabulary_size', [vocabularySize]),
        float('bigram_weights', bigramWeights(replyTokenIds, vocabularySize, eosTokenId), [stages * vocabularySize, vocabularySize]),
      ],
      inputs: [
        { name: 'input_ids', elementType: 'int64', shape: ['batch_size', 'sequence_length'] },
        { name: 'past_key_values.0.key', elementType: 'float', shape: ['batch_size', 1, 'past_sequence_length', 1] },
      ],
      outputs: [
        { name: 'logits', elementType: 'float', shape: ['batch_size', 'sequence_length', vocabularySize] },
        { name: 'present.0.key', elementType: 'float', shape: ['batch_size', 1, 'total_sequence_length', 1] },
      ],
      nodes: [
        { opType: 'Equal', inputs: ['input_ids', 'tool_response_id'], outputs: ['is_tool_response'] },
        { opType: 'Cast', inputs: ['is_tool_response'], outputs: ['flags'], attributes: { to: { int: 1 } } },
        { opType: 'Unsqueeze', inputs: ['flags', 'flag_axes'], outputs: ['new_flags'] },
        { opType: 'Concat', inputs: ['past_key_values.0.key', 'new_flags'], outputs: ['present.0.key'], attributes: { axis: { int: 2 } } },
        { opType: 'ReduceSum', inputs: ['present.0.key', 'count_axes'], outputs: ['tool_responses'], attributes: { keepdims: { int: 0 } } },
        { opType: 'Min', inputs: ['tool_responses', 'last_stage'], outputs: ['stage_float'] },
        { opType: 'Cast', inputs: ['stage_float'], outputs: ['stage'], attributes: { to: { int: 7 } } },
        { opType: 'Mul', inputs: ['stage', 'vocabulary_size'], outputs: ['row_offset'] },
        { opType: 'Add', inputs: ['input_ids', 'row_offset'], outputs: ['rows'] },
        { opType: 'Gather', inputs: ['bigram_weights', 'rows'], outputs: ['logits'], attributes: { axis: { int: 0 } } },
      ],
    },
  };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes the model folder (config, generation config, tokenizer, ONNX weights) into `folder`. */
export async function writeTinyModel(folder: string, options: TinyModelOptions): Promise<TinyModel> {
  if (options.replies.length === 0) throw new Error('writeTinyModel: at least one reply is needed');
  const dtypes = options.dtypes ?? ['fp32'];
  const unknown = dtypes.filter((dtype) => !(dtype in DTYPE_FILE_SUFFIX));
  if (unknown.length) throw new Error(`writeTinyModel: unknown dtype ${unknown.join(', ')}`);

  const absolute = resolve(folder);
  const vocabulary = buildVocabulary(options.replies, options.words);
  const tokenId = (token: string) => vocabulary.ids.get(token)!;
  const eosTokenId = tokenId(END_OF_TURN);
  const padTokenId = tokenId(END_OF_TEXT);
  const toolResponseTokenId = tokenId(TOOL_RESPONSE);

  await mkdir(join(absolute, 'onnx'), { recursive: true });
  await writeJson(join(absolute, 'config.json'), {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    vocab_size: vocabulary.size,
    hidden_size: 1,
    intermediate_size: 1,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    num_key_value_heads: 1,
    head_dim: 1,
    max_position_embeddings: 32768,
    bos_token_id: padTokenId,
    eos_token_id: eosTokenId,
    pad_token_id: padTokenId,
    tie_word_embeddings: false,
    torch_dtype: 'float32',
    use_cache: true,
  });
  await writeJson(join(absolute, 'generation_config.json'), {
    bos_token_id: padTokenId,
    eos_token_id: eosTokenId,
    pad_token_id: padTokenId,
    do_sample: false,
  });
  await writeJson(join(absolute, 'tokenizer.json'), vocabulary.tokenizerJson);
  await writeJson(join(absolute, 'tokenizer_config.json'), {
    tokenizer_class: 'Qwen2Tokenizer',
    model_max_length: 32768,
    bos_token: null,
    eos_token: END_OF_TURN,
    pad_token: END_OF_TEXT,
    unk_token: null,
    clean_up_tokenization_spaces: false,
    split_special_tokens: false,
    chat_template: CHAT_TEMPLATE,
  });

  const onnx = encodeOnnxModel(tinyGraph(vocabulary.replyTokenIds, vocabulary.size, eosTokenId, toolResponseTokenId));
  const weightFiles = [...new Set(dtypes)].map((dtype) => `onnx/model${DTYPE_FILE_SUFFIX[dtype]}.onnx`);
  for (const file of weightFiles) await writeFile(join(absolute, file), onnx);

  return {
    folder: absolute,
    vocabularySize: vocabulary.size,
    eosTokenId,
    padTokenId,
    toolResponseTokenId,
    replyTokenIds: vocabulary.replyTokenIds,
    weightFiles,
  };
}
