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
  startNs: bigint;
}

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
  const input = jsonValue(a['input.value']);
  if (input && typeof input === 'object' && 'messages' in input) return parseMessageList((input as { messages: unknown }).messages) ?? [];
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
  return (event ? parseMessageList(event.attributes['gen_ai.completion']) : undefined) ?? [];
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
  return {
    step,
    name,
    arguments: parsed === undefined ? (rawArguments ?? {}) : parsed,
    output: typeof output === 'string' ? output : output === undefined ? '' : JSON.stringify(output),
    is_error: span.status.code === 'ERROR' || a['error.type'] !== undefined,
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
  const definitions = models.map((span) => jsonValue(span.attributes['gen_ai.tool.definitions'])).find(Array.isArray) ?? [];
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
    modelCalls: models.map(modelCall),
    finalAnswer: finalAnswerOf(messages, toolCalls),
    startNs,
    durationMs: Number(endNs - startNs) / 1e6,
    error: failed ? (failed.status.description ?? `${failed.name} ended with an error`) : null,
    spans,
  };
}
