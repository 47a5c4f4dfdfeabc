/**
 * The tokenizer of the tiny scripted ONNX model (see tiny-onnx-model.ts): a Qwen-style byte-level BPE
 * tokenizer with no merges. Its vocabulary holds the 256 byte symbols (so any text tokenizes, one
 * token per byte at worst), optional extra words, each scripted reply's pieces as whole tokens, and
 * the Qwen chat tokens as added tokens. Decoding generated ids gives each reply back byte for byte.
 */

export interface AddedTokenSpec {
  content: string;
  special: boolean;
}

/** Added tokens, in id order after the model vocabulary. Like Qwen, only the `<|...|>` ones are special. */
export const ADDED_TOKENS: readonly AddedTokenSpec[] = [
  { content: '<|endoftext|>', special: true },
  { content: '<|im_start|>', special: true },
  { content: '<|im_end|>', special: true },
  { content: '<tool_call>', special: false },
  { content: '</tool_call>', special: false },
  { content: '<tool_response>', special: false },
  { content: '</tool_response>', special: false },
  { content: '<think>', special: false },
  { content: '</think>', special: false },
];

export const END_OF_TEXT = '<|endoftext|>';
export const END_OF_TURN = '<|im_end|>';
export const TOOL_RESPONSE = '<tool_response>';
/** The generation prompt `<|im_start|>assistant\n` ends with this byte-level token (a newline). */
export const GENERATION_PROMPT_LAST_TOKEN = 'Ċ';

/** GPT-2's pre-tokenizer pattern, as @huggingface/tokenizers' ByteLevel pre-tokenizer uses it. */
const PRE_TOKENIZER_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's byte -> printable character table used by byte-level BPE vocabularies. */
const BYTE_SYMBOLS: readonly string[] = (() => {
  const printable = (byte: number) => (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174 && byte <= 255);
  const symbols: string[] = [];
  let next = 256;
  for (let byte = 0; byte < 256; byte++) symbols.push(String.fromCharCode(printable(byte) ? byte : next++));
  return symbols;
})();

export function byteLevel(text: string): string {
  return Array.from(new TextEncoder().encode(text), (byte) => BYTE_SYMBOLS[byte]!).join('');
}

/** One generated token of a reply: its text and its vocabulary entry (an added token's content or byte-level text). */
export interface ReplyPiece {
  text: string;
  token: string;
}

/** Splits `text` the way the tokenizer does: added tokens first, then the pre-tokenizer pattern. */
function naturalPieces(text: string): ReplyPiece[] {
  const contents = ADDED_TOKENS.map((token) => token.content).sort((a, b) => b.length - a.length);
  const pieces: ReplyPiece[] = [];
  let plain = '';
  const flushPlain = () => {
    for (const match of plain.match(PRE_TOKENIZER_PATTERN) ?? []) pieces.push({ text: match, token: byteLevel(match) });
    plain = '';
  };
  for (let index = 0; index < text.length; ) {
    const added = contents.find((content) => text.startsWith(content, index));
    if (added) {
      flushPlain();
      pieces.push({ text: added, token: added });
      index += added.length;
    } else {
      plain += text[index];
      index += 1;
    }
  }
  flushPlain();
  return pieces;
}

/**
 * Splits a reply into pieces that are pairwise distinct (so a bigram table can replay it) and never
 * a token that ends the generation prompt, ends the turn or changes the stage. An offending piece is
 * merged with a neighbour (preferring a plain one over an added token) until none is left.
 */
export function replyPieces(reply: string): ReplyPiece[] {
  const forbidden = new Set([GENERATION_PROMPT_LAST_TOKEN, END_OF_TURN, TOOL_RESPONSE, END_OF_TEXT]);
  const isAdded = (piece: ReplyPiece) => ADDED_TOKENS.some((token) => token.content === piece.token);
  const pieces = naturalPieces(reply);
  if (pieces.map((piece) => piece.text).join('') !== reply) throw new Error(`reply does not split into pieces: ${JSON.stringify(reply)}`);
  for (;;) {
    const seen = new Set<string>();
    const offending = pieces.findIndex((piece) => {
      const bad = forbidden.has(piece.token) || seen.has(piece.token);
      seen.add(piece.token);
      return bad;
    });
    if (offending < 0) return pieces;
    if (pieces.length === 1) throw new Error(`reply ${JSON.stringify(reply)} cannot be generated: it is a single reserved token`);
    const next = pieces[offending + 1];
    const previous = pieces[offending - 1];
    const withNext = next !== undefined && (!isAdded(next) || previous === undefined || isAdded(previous));
    const start = withNext ? offending : offending - 1;
    const text = pieces[start]!.text + pieces[start + 1]!.text;
    pieces.splice(start, 2, { text, token: byteLevel(text) });
  }
}

export interface TinyVocabulary {
  /** Vocabulary entry -> id, added tokens included. */
  ids: Map<string, number>;
  size: number;
  /** Each reply's token ids, without the end-of-turn token. */
  replyTokenIds: number[][];
  tokenizerJson: object;
}

/** Builds the vocabulary and `tokenizer.json` for `replies` plus optional extra plain words. */
export function buildVocabulary(replies: readonly string[], extraWords: readonly string[] = []): TinyVocabulary {
  const ids = new Map<string, number>();
  const addedContents = new Set(ADDED_TOKENS.map((token) => token.content));
  const add = (token: string) => {
    if (!ids.has(token) && !addedContents.has(token)) ids.set(token, ids.size);
  };
  BYTE_SYMBOLS.forEach(add);
  for (const word of extraWords) {
    if (word.length > 0) [word, ` ${word}`].forEach((variant) => add(byteLevel(variant)));
  }
  const pieces = replies.map(replyPieces);
  for (const piece of pieces.flat()) add(piece.token);
  const vocabulary = Object.fromEntries(ids);
  const addedTokens = ADDED_TOKENS.map((token) => {
    const id = ids.size;
    ids.set(token.content, id);
    return { id, content: token.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: token.special };
  });
  const byteLevelOptions = { add_prefix_space: false, trim_offsets: false, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...byteLevelOptions },
    post_processor: null,
    decoder: { type: 'ByteLevel', ...byteLevelOptions },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: true,
      vocab: vocabulary,
      merges: [],
    },
  };
  const replyTokenIds = pieces.map((reply) => reply.map((piece) => ids.get(piece.token)!));
  return { ids, size: ids.size, replyTokenIds, tokenizerJson };
}

/**
 * A Qwen2.5-style chat template: optional tools block, `<tool_call>` JSON lines for assistant tool
 * calls (arguments as a mapping or a JSON string), tool results as `<tool_response>` user turns.
 */
export const CHAT_TEMPLATE = [
  "{%- if tools %}",
  "{{- '<|im_start|>system\\n' }}",
  "{%- if messages[0].role == 'system' %}{{- messages[0].content }}{%- else %}{{- 'You are a helpful assistant.' }}{%- endif %}",
  "{{- '\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>' }}",
  "{%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}{%- endfor %}",
  "{{- '\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\\n</tool_call><|im_end|>\\n' }}",
  "{%- elif messages[0].role == 'system' %}",
  "{{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}",
  "{%- endif %}",
  "{%- for message in messages %}",
  "{%- if message.role == 'user' or (message.role == 'assistant' and not message.tool_calls) %}",
  "{{- '<|im_start|>' + message.role + '\\n' + (message.content or '') + '<|im_end|>\\n' }}",
  "{%- elif message.role == 'assistant' %}",
  "{{- '<|im_start|>assistant' }}",
  "{%- if message.content %}{{- '\\n' + message.content }}{%- endif %}",
  "{%- for tool_call in message.tool_calls %}",
  "{%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}",
  "{{- '\\n<tool_call>\\n{\"name\": \"' + tool_call.name + '\", \"arguments\": ' }}",
  "{%- if tool_call.arguments is string %}{{- tool_call.arguments }}{%- else %}{{- tool_call.arguments | tojson }}{%- endif %}",
  "{{- '}\\n</tool_call>' }}",
  "{%- endfor %}",
  "{{- '<|im_end|>\\n' }}",
  "{%- elif message.role == 'tool' %}",
  "{%- if loop.first or messages[loop.index0 - 1].role != 'tool' %}{{- '<|im_start|>user' }}{%- endif %}",
  "{{- '\\n<tool_response>\\n' + message.content + '\\n</tool_response>' }}",
  "{%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}{{- '<|im_end|>\\n' }}{%- endif %}",
  "{%- endif %}",
  "{%- endfor %}",
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}",
].join('\n');
