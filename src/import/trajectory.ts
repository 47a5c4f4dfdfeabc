/**
 * One imported task (a trajectory) from its spans: model calls (usage counted once per call: a model
 * span inside another model span is the same call seen by two instrumentations), the conversation,
 * tool calls, the final answer and the task's id.
 */
import { argumentsText, flattenedMessages, jsonValue, parseMessageList, sameMessage, systemMessage, type ChatMessage } from './messages.js';
import type { SourceSpan } from './spans.js';
import type { SpanTree } from './span-tree.js';

export interface ImportedToolCall {
  step: number;
  name: string;
  arguments: unknown;
  output: string;
  is_error: boolean;
  duration_ms: number | null;
  resources?: Record<string, number | null>;
}

export interface ImportedModelCall {
  model: string | null;
  provider: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number;
  reasoningTokens: number;
  /** The cost the source recorded, when it did. */
  costUsd: number | null;
  /** Why the model stopped (`gen_ai.response.finish_reasons`, the output messages' `finish_reason`): stop, length, tool_calls... */
  finishReasons: string[];
  startNs: bigint;
}

/** Finish reasons that mean the reply was cut off: such a reply is not a final answer. */
const TRUNCATED = new Set(['length', 'max_tokens', 'content_filter']);

export interface Trajectory {
  /** The join key: conversation id, else test.id / task.id, else the trace id. */
  taskId: string;
  testCaseUid: string | null;
  traceId: string;
  rootSpanId: string | null;
  agentType: 'tool' | 'code';
  difficulty: string | null;
  category: string | null;
  prompt: string;
  messages: ChatMessage[];
  toolDefinitions: unknown[];
  toolCalls: ImportedToolCall[];
  modelCalls: ImportedModelCall[];
  finalAnswer: string | null;
  /** Set when the trajectory ended otherwise than with an answer or an error: the last reply was cut off ('length', 'content_filter'). */
  stopReason?: string;
  startNs: bigint;
  durationMs: number;
  error: string | null;
  /** The source's own spans, kept for traces.json. */
  spans: SourceSpan[];
  /** Things the source recorded that were not copied (a verdict, counting defects), for metadata. */
  extra?: Record<string, unknown>;
}

const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : null);
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null);

function first(attributes: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) if (attributes[key] !== undefined && attributes[key] !== null) return attributes[key];
  return undefined;
}

/** A list of strings from an attribute: an array, its JSON text, or one (comma-separated) string. */
function stringList(value: unknown): string[] {
  const parsed = typeof value === 'string' && value.trim().startsWith('[') ? jsonValue(value) : value;
  if (Array.isArray(parsed)) return parsed.filter((item): item is string => typeof item === 'string' && item !== '');
  return typeof parsed === 'string' && parsed ? parsed.split(',').map((item) => item.trim()).filter(Boolean) : [];
}

/** A model call's finish reasons, from whichever vocabulary recorded them. */
function finishReasonsOf(span: SourceSpan): string[] {
  const a = span.attributes;
  const direct = stringList(first(a, ['gen_ai.response.finish_reasons', 'gen_ai.response.finish_reason', 'llm.finish_reason', 'llm.response.finish_reason']));
  if (direct.length) return direct;
  const reasons: string[] = [];
  const fromMessages = (list: unknown) => {
    const parsed = jsonValue(list);
    if (Array.isArray(parsed)) for (const message of parsed) if (message && typeof message === 'object' && typeof (message as Record<string, unknown>).finish_reason === 'string') reasons.push((message as Record<string, string>).finish_reason!);
  };
  fromMessages(a['gen_ai.output.messages']);
  for (const [key, value] of Object.entries(a)) {
    if (/^(gen_ai\.completion|llm\.output_messages)\.\d+\.(message\.)?finish_reason$/.test(key) && typeof value === 'string') reasons.push(value);
  }
  const output = jsonValue(a['output.value']);
  if (!reasons.length && output && typeof output === 'object' && Array.isArray((output as { choices?: unknown }).choices)) fromMessages((output as { choices: unknown[] }).choices);
  return reasons;
}

function modelCall(span: SourceSpan): ImportedModelCall {
  const a = span.attributes;
  return {
    model: text(first(a, ['gen_ai.request.model', 'gen_ai.response.model', 'llm.model_name'])),
    provider: text(first(a, ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system'])),
    inputTokens: number(first(a, ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt'])),
    outputTokens: number(first(a, ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion'])),
    cachedInputTokens: number(first(a, ['gen_ai.usage.cache_read.input_tokens', 'llm.token_count.prompt_details.cache_read'])) ?? 0,
    reasoningTokens: number(first(a, ['gen_ai.usage.reasoning.output_tokens', 'llm.token_count.completion_details.reasoning'])) ?? 0,
    costUsd: number(first(a, ['gen_ai.usage.cost', 'gen_ai.usage.cost.total'])),
    finishReasons: finishReasonsOf(span),
    startNs: span.startNs,
  };
}

/** The messages a model call was sent, in order of preference among the vocabularies. */
function inputOf(span: SourceSpan): ChatMessage[] {
  const a = span.attributes;
  const parts = parseMessageList(a['gen_ai.input.messages']);
  if (parts) return [...systemMessage(a['gen_ai.system_instructions']), ...parts];
  const openInference = flattenedMessages(a, 'llm.input_messages', 'message.');
  if (openInference.length) return openInference;
  const openLlmetry = flattenedMessages(a, 'gen_ai.prompt');
  if (openLlmetry.length) return openLlmetry;
  const event = span.events.find((candidate) => candidate.name === 'gen_ai.content.prompt');
  const fromEvent = event ? parseMessageList(event.attributes['gen_ai.prompt']) : undefined;
  if (fromEvent) return fromEvent;
  const raw = a['input.value'];
  const input = jsonValue(raw);
  if (Array.isArray(input)) return parseMessageList(input) ?? [];
  if (input && typeof input === 'object' && 'messages' in input) return parseMessageList((input as { messages: unknown }).messages) ?? [];
  // Plain text: the prompt itself.
  if (typeof raw === 'string' && raw.trim() && (input === undefined || typeof input === 'string')) return [{ role: 'user', content: raw }];
  return [];
}

function outputOf(span: SourceSpan): ChatMessage[] {
  const a = span.attributes;
  const parts = parseMessageList(a['gen_ai.output.messages']);
  if (parts) return parts;
  const openInference = flattenedMessages(a, 'llm.output_messages', 'message.');
  if (openInference.length) return openInference;
  const openLlmetry = flattenedMessages(a, 'gen_ai.completion').map((message): ChatMessage => (message.role === 'user' ? { role: 'assistant', content: message.content } : message));
  if (openLlmetry.length) return openLlmetry;
  const event = span.events.find((candidate) => candidate.name === 'gen_ai.content.completion');
  const fromEvent = event ? parseMessageList(event.attributes['gen_ai.completion']) : undefined;
  if (fromEvent?.length) return fromEvent;
  return outputValueMessages(a['output.value']);
}

/**
 * OpenInference's `output.value` of an LLM span, when no message attributes were recorded: plain text (the
 * reply), or JSON: a chat completion (`choices[].message`), a message list, one message, or other JSON as text.
 */
function outputValueMessages(value: unknown): ChatMessage[] {
  if (value === undefined || value === null || value === '') return [];
  const parsed = jsonValue(value);
  if (parsed === undefined || typeof parsed === 'string') return [{ role: 'assistant', content: String(parsed ?? value) }];
  if (parsed && typeof parsed === 'object') {
    const record = parsed as Record<string, unknown>;
    const choices = Array.isArray(record.choices) ? record.choices.map((choice) => (choice as Record<string, unknown>)?.message).filter(Boolean) : null;
    const list = choices?.length ? choices : Array.isArray(parsed) ? parsed : Array.isArray(record.messages) ? record.messages : 'role' in record || 'content' in record ? [{ role: 'assistant', ...record }] : null;
    const messages = list ? parseMessageList(list) : undefined;
    if (messages?.length) return messages.map((message): ChatMessage => (message.role === 'user' ? { role: 'assistant', content: message.content } : message));
  }
  return [{ role: 'assistant', content: typeof value === 'string' ? value : JSON.stringify(parsed) }];
}

/** The conversation over the model calls: each call's input extends the history, its output is appended. */
function conversation(calls: readonly SourceSpan[]): ChatMessage[] {
  const history: ChatMessage[] = [];
  for (const span of calls) {
    const input = inputOf(span);
    const isPrefix = history.length > 0 && input.length >= history.length && history.every((message, index) => sameMessage(message, input[index]!));
    const continues = history.length > 0 && !isPrefix && input.length > 0 && history.every((message, index) => input[index] === undefined || sameMessage(message, input[index]!));
    if (history.length === 0) history.push(...input);
    else if (isPrefix) history.push(...input.slice(history.length));
    else if (!continues) history.push(...input.filter((message) => message.role !== 'system'));
    history.push(...outputOf(span));
  }
  return history;
}

function toolCall(span: SourceSpan, step: number): ImportedToolCall {
  const a = span.attributes;
  const name = text(first(a, ['gen_ai.tool.name', 'tool.name'])) ?? span.name.replace(/^execute_tool\s+/, '');
  const rawArguments = first(a, ['gen_ai.tool.call.arguments', 'tool_call.function.arguments', 'input.value']);
  const parsed = jsonValue(rawArguments);
  const output = first(a, ['gen_ai.tool.call.result', 'output.value', 'tool_output']);
  const isError = span.status.code === 'ERROR' || a['error.type'] !== undefined;
  let outputText = typeof output === 'string' ? output : output === undefined ? '' : JSON.stringify(output);
  // An error with no result: what the span says about it (error.type, the status message, an exception event).
  if (isError && outputText === '') {
    const exception = span.events.find((event) => event.name === 'exception')?.attributes;
    const kind = text(a['error.type']) ?? text(exception?.['exception.type']);
    const message = span.status.description ?? text(exception?.['exception.message']);
    outputText = `Error${kind ? ` (${kind})` : ''}: ${message ?? 'the tool call failed'}`;
  }
  return {
    step,
    name,
    arguments: parsed === undefined ? (rawArguments ?? {}) : parsed,
    output: outputText,
    is_error: isError,
    duration_ms: Number(span.endNs - span.startNs) / 1e6,
  };
}

/** Tool calls from the messages, when the source has no tool spans (durations unknown). */
function toolCallsFromMessages(messages: readonly ChatMessage[]): ImportedToolCall[] {
  const results = new Map(messages.filter((message) => message.role === 'tool').map((message) => [message.tool_call_id, message.content]));
  let step = 0;
  return messages.flatMap((message) => {
    if (message.role !== 'assistant') return [];
    step++;
    return (message.tool_calls ?? []).map((call) => ({
      step,
      name: call.function.name,
      arguments: jsonValue(call.function.arguments) ?? call.function.arguments,
      output: results.get(call.id) ?? '',
      is_error: false,
      duration_ms: null,
    }));
  });
}

/**
 * Tool results the model inputs left out (OpenInference spans of some agents record only the task
 * prompt): each tool call without a tool message after it gets the output of the matching tool span.
 */
function withToolResults(messages: ChatMessage[], toolCalls: readonly ImportedToolCall[]): ChatMessage[] {
  const answered = new Set(messages.flatMap((message) => (message.role === 'tool' ? [message.tool_call_id] : [])));
  const pending = [...toolCalls];
  const result: ChatMessage[] = [];
  for (const message of messages) {
    result.push(message);
    if (message.role !== 'assistant') continue;
    for (const call of message.tool_calls ?? []) {
      const index = pending.findIndex((candidate) => candidate.name === call.function.name);
      const match = index >= 0 ? pending.splice(index, 1)[0] : undefined;
      if (!answered.has(call.id) && match) result.push({ role: 'tool', tool_call_id: call.id, content: match.output });
    }
  }
  return result;
}

/** The final answer: a final_answer tool call's answer, else the last assistant text without tool calls. */
export function finalAnswerOf(messages: readonly ChatMessage[], toolCalls: readonly ImportedToolCall[]): string | null {
  const finalCall = [...toolCalls].reverse().find((call) => call.name === 'final_answer' || call.name === 'FinalAnswerTool');
  if (finalCall) {
    const args = finalCall.arguments as Record<string, unknown> | string | null;
    const answer = typeof args === 'object' && args !== null ? (args.answer ?? args.final_answer ?? Object.values(args)[0]) : args;
    return answer === undefined || answer === null ? null : typeof answer === 'string' ? answer : JSON.stringify(answer);
  }
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role === 'assistant' && !message.tool_calls?.length && message.content) return message.content;
  }
  return null;
}

/** OpenInference's tool schemas on an LLM span: `llm.tools.N.tool.json_schema` (JSON text) → OpenAI tool definitions. */
function openInferenceTools(span: SourceSpan): unknown[] {
  const tools: [number, unknown][] = [];
  for (const [key, value] of Object.entries(span.attributes)) {
    const match = /^llm\.tools\.(\d+)\.tool\.json_schema$/.exec(key);
    const schema = match ? jsonValue(value) : undefined;
    if (schema && typeof schema === 'object') tools.push([Number(match![1]), 'type' in schema || 'function' in schema ? schema : { type: 'function', function: schema }]);
  }
  return tools.sort((left, right) => left[0] - right[0]).map(([, tool]) => tool);
}

function attributeFrom(spans: readonly SourceSpan[], keys: readonly string[]): string | null {
  for (const span of spans) {
    const value = text(first(span.attributes, keys));
    if (value) return value;
  }
  return null;
}

/** Builds the trajectory of one task of a trace. */
export function trajectoryOf(tree: SpanTree, task: { root: SourceSpan; spans: SourceSpan[] }): Trajectory {
  const { root, spans } = task;
  // Identity attributes may sit on the task span, its ancestors (SMOLTRACE's test_evaluation) or its spans.
  const scope = [root, ...tree.ancestors(root), ...spans];
  const models = spans.filter((span) => tree.role(span) === 'model' && !tree.ancestors(span).some((ancestor) => tree.role(ancestor) === 'model'));
  const tools = spans.filter((span) => tree.role(span) === 'tool' && !tree.ancestors(span).some((ancestor) => tree.role(ancestor) === 'tool'));
  const recorded = conversation(models);
  const toolCalls = tools.length
    ? tools.map((span) => toolCall(span, models.filter((model) => model.startNs <= span.startNs).length))
    : toolCallsFromMessages(recorded);
  const messages = tools.length ? withToolResults(recorded, toolCalls) : recorded;
  const testId = attributeFrom(scope, ['test.id', 'task.id']);
  const caseUid = attributeFrom(scope, ['test.case_uid']);
  const conversationId = attributeFrom(scope, ['gen_ai.conversation.id', 'session.id']);
  // Our own traces use the case uid as the conversation id: the task's id is then its test.id.
  const taskId = (conversationId && conversationId !== caseUid ? conversationId : null) ?? testId ?? conversationId ?? tree.traceId;
  const agentType = attributeFrom(scope, ['agent.type']) === 'code' ? 'code' : 'tool';
  const definitions = models.map((span) => jsonValue(span.attributes['gen_ai.tool.definitions'])).find(Array.isArray) ?? models.map(openInferenceTools).find((tools) => tools.length) ?? [];
  const modelCalls = models.map(modelCall);
  // A reply cut off (finish reason length, content_filter) is not a final answer, even as the last text.
  const lastReasons = modelCalls.at(-1)?.finishReasons ?? [];
  const truncated = lastReasons.find((reason) => TRUNCATED.has(reason));
  const agentOutput = tree.role(root) === 'agent' ? text(root.attributes['output.value']) : null;
  const finalAnswer = truncated ? finalAnswerOf([], toolCalls) : (finalAnswerOf(messages, toolCalls) ?? agentOutput);
  const startNs = spans.reduce((min, span) => (span.startNs < min ? span.startNs : min), spans[0]!.startNs);
  const endNs = spans.reduce((max, span) => (span.endNs > max ? span.endNs : max), spans[0]!.endNs);
  const failed = [root, ...spans].find((span) => span.status.code === 'ERROR' && tree.role(span) !== 'tool');
  const prompt = messages.find((message) => message.role === 'user')?.content ?? attributeFrom(scope, ['prompt', 'input.value']) ?? '';
  return {
    taskId,
    testCaseUid: caseUid,
    traceId: tree.traceId,
    rootSpanId: (tree.roots[0] ?? root).spanId,
    agentType,
    difficulty: attributeFrom(scope, ['test.difficulty', 'task.difficulty']),
    category: attributeFrom(scope, ['test.category', 'task.category']),
    prompt: typeof prompt === 'string' ? prompt : argumentsText(prompt),
    messages,
    toolDefinitions: definitions,
    toolCalls,
    modelCalls,
    finalAnswer,
    ...(truncated && finalAnswer === null && { stopReason: truncated === 'content_filter' ? 'content_filter' : 'length' }),
    startNs,
    durationMs: Number(endNs - startNs) / 1e6,
    error: failed ? (failed.status.description ?? `${failed.name} ended with an error`) : null,
    spans,
  };
}
