import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { GEN_AI, SMOLTRACE } from './semconv.js';

/**
 * One span in traces.json, SMOLTRACE's span dict (spec 6.2). Times are integer nanoseconds, past 2^53,
 * so they are kept as digit strings here and written to traces.json as exact JSON integers.
 */
export interface TraceSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  start_time: string;
  end_time: string;
  duration_ms: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown>; timestamp: string }[];
  status: { code: 'UNSET' | 'OK' | 'ERROR'; description: string | null };
  kind: string;
  resource: { attributes: Record<string, unknown> };
  total_tokens?: number;
  tool_output?: string;
}

/** One task's trace in traces.json: SMOLTRACE's document with its aggregates computed correctly. */
export interface TraceDocument {
  trace_id: string;
  run_id: string;
  root_span_id: string;
  test_ids: string[];
  test_case_uids: string[];
  agent_type: string | null;
  spans: TraceSpan[];
  /** Tokens of the model-call spans only, each call counted once. */
  total_tokens: number;
  /** The root span's wall time, not a sum over nested spans. */
  total_duration_ms: number;
  /** Sum of per-call costs; null when any call's price is unknown. */
  total_cost_usd: number | null;
}

const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'] as const;

/** `0x` + the W3C id, zero-padded (SMOLTRACE dropped leading zeros, which broke joins). */
export function hexId(id: string): string {
  return `0x${id}`;
}

function nanoseconds(time: HrTime): string {
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}

/** Keys of traces.json whose digit-string values are written as JSON integers. */
export const NANOSECOND_KEYS = new Set(['start_time', 'end_time', 'timestamp']);

function toSpan(span: ReadableSpan): TraceSpan {
  const context = span.spanContext();
  const attributes = { ...span.attributes } as Record<string, unknown>;
  const result: TraceSpan = {
    trace_id: hexId(context.traceId),
    span_id: hexId(context.spanId),
    parent_span_id: span.parentSpanContext ? hexId(span.parentSpanContext.spanId) : null,
    name: span.name,
    start_time: nanoseconds(span.startTime),
    end_time: nanoseconds(span.endTime),
    duration_ms: span.duration[0] * 1000 + span.duration[1] / 1e6,
    attributes,
    events: span.events.map((event) => ({ name: event.name, attributes: { ...(event.attributes ?? {}) }, timestamp: nanoseconds(event.time) })),
    status: { code: STATUS[span.status.code] ?? 'UNSET', description: span.status.message ?? null },
    kind: KINDS[span.kind] ?? 'INTERNAL',
    resource: { attributes: { ...span.resource.attributes } },
  };
  if (attributes[GEN_AI.operationName] === 'chat') {
    result.total_tokens = Number(attributes[GEN_AI.usageInputTokens] ?? 0) + Number(attributes[GEN_AI.usageOutputTokens] ?? 0);
  }
  const toolResult = attributes[GEN_AI.toolCallResult];
  if (typeof toolResult === 'string') result.tool_output = toolResult.slice(0, 200);
  return result;
}

/** Builds the trace document of one task from its finished spans (root first or anywhere). */
export function traceDocument(spans: readonly ReadableSpan[], runId: string): TraceDocument {
  const converted = spans.map(toSpan);
  const root = converted.find((span) => span.parent_span_id === null) ?? converted[0]!;
  const chats = converted.filter((span) => span.attributes[GEN_AI.operationName] === 'chat');
  const costs = chats.map((span) => span.attributes[GEN_AI.usageCost]);
  const unique = (key: string) => [...new Set(converted.map((span) => span.attributes[key]).filter((value): value is string => typeof value === 'string'))];
  return {
    trace_id: root.trace_id,
    run_id: runId,
    root_span_id: root.span_id,
    test_ids: unique(SMOLTRACE.testId),
    test_case_uids: unique(SMOLTRACE.testCaseUid),
    agent_type: (root.attributes[SMOLTRACE.agentType] as string | undefined) ?? null,
    spans: converted,
    total_tokens: chats.reduce((sum, span) => sum + (span.total_tokens ?? 0), 0),
    total_duration_ms: root.duration_ms,
    total_cost_usd: costs.every((cost) => typeof cost === 'number') ? costs.reduce((sum: number, cost) => sum + (cost as number), 0) : null,
  };
}
