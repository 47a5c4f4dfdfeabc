/**
 * An external agent's own spans (received by the OTLP receiver) joined to its task's trace: they take
 * the task's trace id, and those whose parent was the traceparent agent-eval gave the agent (or none)
 * hang under the task's `invoke_agent` span. Their chat spans' tokens count when the agent reported none.
 */
import type { ReceivedSpan } from './otlp-wire.js';
import type { TextRedactor } from '../secrets/redactor.js';
import { GEN_AI, OPERATION } from './semconv.js';
import { hexId, type TraceDocument, type TraceSpan } from './trace-document.js';
import { parseToolArguments } from '../models/tool-input.js';

const KINDS = ['INTERNAL', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'] as const;

/** A model call read from a received span: `gen_ai.usage.*` (or OpenInference's `llm.token_count.*`). */
export interface SpanModelCall {
  model: string;
  inputTokens: number;
  outputTokens: number;
  startedAtMs: number;
  durationMs: number;
}

const numberOf = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined);

export function modelCallsFromSpans(spans: readonly ReceivedSpan[]): SpanModelCall[] {
  const calls: SpanModelCall[] = [];
  for (const span of spans) {
    const attributes = span.attributes;
    const input = numberOf(attributes[GEN_AI.usageInputTokens]) ?? numberOf(attributes['llm.token_count.prompt']);
    const output = numberOf(attributes[GEN_AI.usageOutputTokens]) ?? numberOf(attributes['llm.token_count.completion']);
    if (input === undefined && output === undefined) continue;
    const model = attributes[GEN_AI.responseModel] ?? attributes[GEN_AI.requestModel] ?? attributes['llm.model_name'];
    const start = Number(BigInt(span.startTimeUnixNano) / 1000n) / 1000;
    const end = Number(BigInt(span.endTimeUnixNano) / 1000n) / 1000;
    calls.push({ model: typeof model === 'string' ? model : 'external', inputTokens: input ?? 0, outputTokens: output ?? 0, startedAtMs: start, durationMs: Math.max(0, end - start) });
  }
  return calls;
}

/** A tool call read from a received `execute_tool` span (`gen_ai.tool.*`, or OpenInference's `tool.name`). */
export interface SpanToolCall {
  id: string;
  name: string;
  arguments: unknown;
  output: string;
  isError: boolean;
  startedAtMs: number;
  durationMs: number;
  /** The parent span id of the span's topmost ancestor among those received: the trace context the agent was given. */
  contextSpanId: string;
}

/** For each received span, the parent of its topmost received ancestor (cycles are cut). */
function contextSpanIds(spans: readonly ReceivedSpan[]): (span: ReceivedSpan) => string {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  return (span) => {
    let current = span;
    const seen = new Set<string>();
    while (byId.has(current.parentSpanId) && !seen.has(current.parentSpanId)) {
      seen.add(current.parentSpanId);
      current = byId.get(current.parentSpanId)!;
    }
    return current.parentSpanId;
  };
}

/** The agent's own tool calls, from its spans whose operation is execute_tool, in start order. */
export function toolCallsFromSpans(spans: readonly ReceivedSpan[]): SpanToolCall[] {
  const calls: SpanToolCall[] = [];
  const contextOf = contextSpanIds(spans);
  for (const span of spans) {
    const attributes = span.attributes;
    const name = attributes[GEN_AI.toolName] ?? attributes['tool.name'];
    const isTool = attributes[GEN_AI.operationName] === OPERATION.executeTool || attributes['openinference.span.kind'] === 'TOOL';
    if (!isTool || typeof name !== 'string' || !name) continue;
    const start = Number(BigInt(span.startTimeUnixNano) / 1000n) / 1000;
    const end = Number(BigInt(span.endTimeUnixNano) / 1000n) / 1000;
    const id = attributes[GEN_AI.toolCallId];
    const result = attributes[GEN_AI.toolCallResult] ?? attributes['output.value'];
    calls.push({
      id: typeof id === 'string' && id ? id : `span_${span.spanId}`,
      name,
      arguments: parseToolArguments(attributes[GEN_AI.toolCallArguments] ?? attributes['input.value']),
      output: typeof result === 'string' ? result : result === undefined ? '' : JSON.stringify(result),
      isError: span.statusCode === 2,
      startedAtMs: start,
      durationMs: Math.max(0, end - start),
      contextSpanId: contextOf(span),
    });
  }
  return calls.sort((left, right) => left.startedAtMs - right.startedAtMs);
}

/**
 * The document with the agent's spans added under its invoke_agent span (attributes scrubbed): those
 * whose parent is one of the span ids the agent was given (`placeholderSpanIds`), or none. Their tokens
 * join the document's total only when `countTokens` (the agent reported no model calls itself).
 */
export function linkExternalSpans(document: TraceDocument, spans: readonly ReceivedSpan[], placeholderSpanIds: readonly string[], redactor: TextRedactor, countTokens: boolean): TraceDocument {
  if (!spans.length) return document;
  const agentSpan = document.spans.find((span) => span.name.startsWith('invoke_agent')) ?? document.spans.find((span) => span.span_id === document.root_span_id);
  const parentFor = (parent: string) => (!parent || placeholderSpanIds.includes(parent) ? (agentSpan?.span_id ?? null) : hexId(parent));
  // Everything the agent wrote is scrubbed here, not only when traces.json is written: these spans also go to --otlp-endpoint.
  const scrubValue = (value: unknown): unknown => (typeof value === 'string' ? redactor.text(value) : Array.isArray(value) ? value.map(scrubValue) : value);
  const scrub = (attributes: Record<string, unknown>) => Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, scrubValue(value)]));
  let addedTokens = 0;
  const linked: TraceSpan[] = spans.map((span) => {
    const start = BigInt(span.startTimeUnixNano);
    const end = BigInt(span.endTimeUnixNano);
    const attributes = { ...scrub(span.attributes), 'agent_eval.source': 'external_agent' };
    const result: TraceSpan = {
      trace_id: document.trace_id,
      span_id: hexId(span.spanId),
      parent_span_id: parentFor(span.parentSpanId),
      name: redactor.text(span.name),
      start_time: start.toString(),
      end_time: end.toString(),
      duration_ms: Number(end > start ? end - start : 0n) / 1e6,
      attributes,
      events: [],
      status: { code: STATUS[span.statusCode] ?? 'UNSET', description: span.statusMessage ? redactor.text(span.statusMessage) : null },
      kind: KINDS[span.kind] ?? 'INTERNAL',
      resource: { attributes: scrub(span.resource) },
    };
    const input = numberOf(span.attributes[GEN_AI.usageInputTokens]);
    const output = numberOf(span.attributes[GEN_AI.usageOutputTokens]);
    if (input !== undefined || output !== undefined) {
      result.total_tokens = (input ?? 0) + (output ?? 0);
      if (countTokens) addedTokens += result.total_tokens;
    }
    return result;
  });
  return { ...document, spans: [...document.spans, ...linked], total_tokens: document.total_tokens + addedTokens };
}
