import type { ToolCall } from './types.js';

/**
 * Reads the raw text a local open model generated (decoded with its special tokens kept) as an
 * assistant message: visible content, `<think>` reasoning, and tool calls in the model's native
 * format. Text in no format known here stays in the content, where the agent's `Action: {json}`
 * fallback (agents/text-actions.ts) may still find a call.
 */

export type ToolCallFormat = 'hermes' | 'llama3' | 'mistral';

export interface ParsedGeneration {
  /** Text with tool-call blocks, reasoning blocks and the given special tokens removed, trimmed. */
  content: string;
  /** Text of `<think>...</think>` blocks, trimmed; absent when there is none (or it is empty). */
  reasoning?: string;
  /** In order of appearance. */
  toolCalls: ToolCall[];
  /** The format the calls were found in; absent when no call was found. */
  format?: ToolCallFormat;
  /** One short line per block that looked like a tool call but could not be used. */
  problems: string[];
}

export interface ParseGeneratedTextOptions {
  /** Id for a call that carries none of its own; called once per accepted call, in order. */
  nextId: () => string;
  /** Strings such as `<|im_end|>`, `<|eot_id|>`, `</s>` to remove from the text. */
  specialTokens?: readonly string[];
}

const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';
const HERMES_OPEN = '<tool_call>';
const HERMES_CLOSE = '</tool_call>';
const MISTRAL_CALLS = '[TOOL_CALLS]';
const MISTRAL_ARGS = '[ARGS]';
const MISTRAL_CALL_ID = '[CALL_ID]';
const PYTHON_TAG = '<|python_tag|>';
/** Markers this parser reads: kept until parsing is done even when listed as special tokens. */
const STRUCTURAL = new Set([THINK_OPEN, THINK_CLOSE, HERMES_OPEN, HERMES_CLOSE, MISTRAL_CALLS, MISTRAL_ARGS, MISTRAL_CALL_ID, PYTHON_TAG]);
const MAX_DETAIL = 120;

type CallCandidate = { name: string; arguments: unknown; id?: string };
/** Calls and problems found in the text left after reasoning was taken out. */
type FormatResult = { content: string; calls: ToolCall[]; problems: string[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function removeAll(text: string, tokens: readonly string[]): string {
  const sorted = [...new Set(tokens)].filter((token) => token.length > 0).sort((a, b) => b.length - a.length);
  return sorted.reduce((current, token) => current.split(token).join(''), text);
}

function skipWhitespace(text: string, index: number): number {
  let position = index;
  while (position < text.length && /\s/.test(text[position]!)) position++;
  return position;
}

/**
 * End (exclusive) of the JSON object or array that opens at `start`, found by counting brackets
 * outside strings; undefined when it never closes.
 */
function scanJson(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return index + 1;
    }
  }
  return undefined;
}

/** The JSON value opening at `start`, or a short reason it cannot be read. */
function readJson(text: string, start: number): { value: unknown; end: number } | { problem: string } {
  const end = scanJson(text, start);
  if (end === undefined) return { problem: 'the JSON is incomplete' };
  try {
    return { value: JSON.parse(text.slice(start, end)) as unknown, end };
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0]!.slice(0, MAX_DETAIL);
    return { problem: `the JSON is not valid (${detail})` };
  }
}

function parseArguments(value: unknown): unknown {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return isPlainObject(parsed) ? parsed : value;
  } catch {
    return value; // kept as text: the agent reports malformed arguments back to the model
  }
}

/**
 * A `{"name", "arguments" | "parameters"}` object (optionally wrapped as `{"function": {...}}`)
 * as a call, or a short reason it is not one.
 */
function toCandidate(value: unknown, options: { requireArguments?: boolean; takeId?: boolean } = {}): CallCandidate | string {
  if (!isPlainObject(value)) return 'the JSON is not an object';
  const record = isPlainObject(value.function) && !('name' in value) ? value.function : value;
  if (typeof record.name !== 'string' || !record.name.trim()) return 'the JSON has no "name"';
  const argumentsKey = 'arguments' in record ? 'arguments' : 'parameters' in record ? 'parameters' : undefined;
  if (options.requireArguments && !argumentsKey) return 'the JSON has no "arguments" or "parameters"';
  const candidate: CallCandidate = { name: record.name.trim(), arguments: parseArguments(argumentsKey ? record[argumentsKey] : undefined) };
  if (options.takeId && typeof value.id === 'string' && value.id.trim()) candidate.id = value.id.trim();
  return candidate;
}

function toToolCall(candidate: CallCandidate, nextId: () => string): ToolCall {
  return { id: candidate.id ?? nextId(), name: candidate.name, arguments: candidate.arguments };
}

/** Splits `<think>` blocks from the rest; an unmatched `</think>` makes everything before it reasoning. */
function splitReasoning(text: string): { rest: string; reasoning?: string } {
  const parts: string[] = [];
  let rest = '';
  let position = 0;
  while (position < text.length) {
    const open = text.indexOf(THINK_OPEN, position);
    const close = text.indexOf(THINK_CLOSE, position);
    if (close >= 0 && (open < 0 || close < open)) {
      parts.push(text.slice(position, close));
      position = close + THINK_CLOSE.length;
    } else if (open >= 0) {
      rest += text.slice(position, open);
      const end = text.indexOf(THINK_CLOSE, open + THINK_OPEN.length);
      // No closing tag: generation stopped while the model was still thinking.
      parts.push(text.slice(open + THINK_OPEN.length, end < 0 ? text.length : end));
      position = end < 0 ? text.length : end + THINK_CLOSE.length;
    } else {
      rest += text.slice(position);
      break;
    }
  }
  const reasoning = parts.map((part) => part.trim()).filter(Boolean).join('\n\n');
  return reasoning ? { rest, reasoning } : { rest };
}

/** Index of the first `marker` at or after `from`, or the text's length. */
function indexOrEnd(text: string, marker: string, from: number): number {
  const index = text.indexOf(marker, from);
  return index < 0 ? text.length : index;
}

/** `<tool_call>{json}</tool_call>` blocks (Hermes, Qwen2.5, Qwen3); the last may lack its closing tag. */
function parseHermes(text: string, nextId: () => string): FormatResult {
  const result: FormatResult = { content: '', calls: [], problems: [] };
  let position = 0;
  for (let block = 1; ; block++) {
    const open = text.indexOf(HERMES_OPEN, position);
    if (open < 0) break;
    result.content += text.slice(position, open);
    const bodyStart = open + HERMES_OPEN.length;
    const close = text.indexOf(HERMES_CLOSE, bodyStart);
    const bound = Math.min(close < 0 ? text.length : close, indexOrEnd(text, HERMES_OPEN, bodyStart));
    const brace = text.indexOf('{', bodyStart);
    const read = brace >= 0 && brace < bound ? readJson(text, brace) : { problem: 'no JSON object' };
    if ('problem' in read) {
      result.problems.push(`${HERMES_OPEN} block ${block}: ${read.problem}`);
      // Past the closing tag when the block has one, else up to the next block.
      position = bound === close ? close + HERMES_CLOSE.length : bound;
      continue;
    }
    const candidate = toCandidate(read.value);
    if (typeof candidate === 'string') result.problems.push(`${HERMES_OPEN} block ${block}: ${candidate}`);
    else result.calls.push(toToolCall(candidate, nextId));
    const closeAfter = text.indexOf(HERMES_CLOSE, read.end);
    const closed = closeAfter >= 0 && closeAfter < indexOrEnd(text, HERMES_OPEN, read.end);
    // Unclosed: the block ends with its JSON, and any text after it is content.
    position = closed ? closeAfter + HERMES_CLOSE.length : read.end;
  }
  result.content += text.slice(position);
  return result;
}

/** Mistral's newer form after `[TOOL_CALLS]`: `name[CALL_ID]id[ARGS]{...}`, `[CALL_ID]` optional. */
function readNamedCall(text: string, start: number, segmentEnd: number): { candidate: CallCandidate; end: number } | { problem: string } {
  const argsMarker = text.indexOf(MISTRAL_ARGS, start);
  if (argsMarker < 0 || argsMarker > segmentEnd) return { problem: `no ${MISTRAL_ARGS} after the tool name` };
  const [rawName = '', rawId] = text.slice(start, argsMarker).split(MISTRAL_CALL_ID);
  const name = rawName.trim();
  if (!name || /\s/.test(name)) return { problem: `not a tool name: ${JSON.stringify(name.slice(0, 40))}` };
  const jsonStart = skipWhitespace(text, argsMarker + MISTRAL_ARGS.length);
  if (text[jsonStart] !== '{') return { problem: `no JSON object after ${MISTRAL_ARGS}` };
  const read = readJson(text, jsonStart);
  if ('problem' in read) return read;
  const id = rawId?.trim();
  return { candidate: { name, arguments: parseArguments(read.value), ...(id ? { id } : {}) }, end: read.end };
}

/**
 * Mistral: `[TOOL_CALLS][{...}, ...]` (v3 tokenizers; a single object is accepted too) or
 * `[TOOL_CALLS]name[ARGS]{...}` (newer ones), possibly repeated.
 */
function parseMistral(text: string, nextId: () => string): FormatResult {
  const result: FormatResult = { content: '', calls: [], problems: [] };
  let position = 0;
  for (let block = 1; ; block++) {
    const marker = text.indexOf(MISTRAL_CALLS, position);
    if (marker < 0) break;
    result.content += text.slice(position, marker);
    const start = marker + MISTRAL_CALLS.length;
    const segmentEnd = indexOrEnd(text, MISTRAL_CALLS, start);
    const label = `${MISTRAL_CALLS} block ${block}`;
    const first = skipWhitespace(text, start);
    const isList = text[first] === '[' && /[{\]]/.test(text[skipWhitespace(text, first + 1)] ?? '');
    if (!isList && text[first] !== '{') {
      const named = readNamedCall(text, start, segmentEnd);
      if ('problem' in named) result.problems.push(`${label}: ${named.problem}`);
      else result.calls.push(toToolCall(named.candidate, nextId));
      position = 'problem' in named ? segmentEnd : named.end;
      continue;
    }
    const read = readJson(text, first);
    if ('problem' in read) {
      result.problems.push(`${label}: ${read.problem}`);
      position = segmentEnd;
      continue;
    }
    const items = Array.isArray(read.value) ? read.value : [read.value];
    if (!items.length) result.problems.push(`${label}: the list of calls is empty`);
    items.forEach((item, index) => {
      const candidate = toCandidate(item, { takeId: true });
      if (typeof candidate === 'string') result.problems.push(`${label}, call ${index + 1}: ${candidate}`);
      else result.calls.push(toToolCall(candidate, nextId));
    });
    position = read.end;
  }
  result.content += text.slice(position);
  return result;
}

/**
 * Llama 3.1/3.2 JSON tool calling: the whole reply is `{"name", "parameters"}` objects separated
 * by `;`, optionally after `<|python_tag|>`. Undefined when the reply is not such JSON; with the
 * tag, JSON objects that are not calls are reported as problems rather than left as content.
 */
function parseLlama(text: string, nextId: () => string): FormatResult | undefined {
  let body = text.trim();
  const tagged = body.startsWith(PYTHON_TAG);
  if (tagged) body = body.slice(PYTHON_TAG.length).trim();
  if (!body.startsWith('{')) return undefined;
  const values: unknown[] = [];
  let position = 0;
  while (position < body.length) {
    if (body[position] !== '{') return undefined;
    const read = readJson(body, position);
    if ('problem' in read) return tagged ? { content: '', calls: [], problems: [`${PYTHON_TAG} call: ${read.problem}`] } : undefined;
    values.push(read.value);
    position = skipWhitespace(body, read.end);
    if (body[position] === ';') position = skipWhitespace(body, position + 1);
  }
  const candidates = values.map((value) => toCandidate(value, { requireArguments: !tagged }));
  if (!tagged && candidates.some((candidate) => typeof candidate === 'string')) return undefined;
  const result: FormatResult = { content: '', calls: [], problems: [] };
  candidates.forEach((candidate, index) => {
    if (typeof candidate === 'string') result.problems.push(`${PYTHON_TAG} call ${index + 1}: ${candidate}`);
    else result.calls.push(toToolCall(candidate, nextId));
  });
  return result;
}

/** Never throws: blocks that cannot be used are listed in `problems` and left out of the content. */
export function parseGeneratedText(text: string, options: ParseGeneratedTextOptions): ParsedGeneration {
  const specialTokens = options.specialTokens ?? [];
  const cleaned = removeAll(text, specialTokens.filter((token) => !STRUCTURAL.has(token)));
  const { rest, reasoning: rawReasoning } = splitReasoning(cleaned);
  const reasoning = rawReasoning && removeAll(rawReasoning, specialTokens).trim();
  const { nextId } = options;
  const [format, found]: [ToolCallFormat, FormatResult | undefined] = rest.includes(HERMES_OPEN)
    ? ['hermes', parseHermes(rest, nextId)]
    : rest.includes(MISTRAL_CALLS)
      ? ['mistral', parseMistral(rest, nextId)]
      : ['llama3', parseLlama(rest, nextId)];
  const result = found ?? { content: rest, calls: [], problems: [] };
  return {
    content: removeAll(result.content, specialTokens).trim(),
    ...(reasoning ? { reasoning } : {}),
    toolCalls: result.calls,
    ...(result.calls.length ? { format } : {}),
    problems: result.problems,
  };
}
