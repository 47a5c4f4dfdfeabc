/**
 * Spans that join a task's trace after the tracer built it (the simulated user's, an external agent's
 * own) as ReadableSpans, so the run's OTLP exporter sends them as they stand in traces.json: same ids,
 * times, attributes and resource.
 */
import { SpanKind, SpanStatusCode, TraceFlags, type AttributeValue, type Attributes, type HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { TraceSpan } from './trace-document.js';

const KINDS: Record<string, SpanKind> = { INTERNAL: SpanKind.INTERNAL, SERVER: SpanKind.SERVER, CLIENT: SpanKind.CLIENT, PRODUCER: SpanKind.PRODUCER, CONSUMER: SpanKind.CONSUMER };
const STATUS = { UNSET: SpanStatusCode.UNSET, OK: SpanStatusCode.OK, ERROR: SpanStatusCode.ERROR };

const id = (value: string) => value.replace(/^0x/, '');

function hrTime(nanoseconds: string): HrTime {
  const value = BigInt(nanoseconds);
  return [Number(value / 1_000_000_000n), Number(value % 1_000_000_000n)];
}

function isPrimitive(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** OTel attribute values: primitives and arrays of them as they are, anything else as JSON text. */
function attributesOf(values: Record<string, unknown>): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined) continue;
    attributes[key] = (isPrimitive(value) || (Array.isArray(value) && value.every(isPrimitive)) ? value : JSON.stringify(value)) as AttributeValue;
  }
  return attributes;
}

/** One traces.json span as a finished span for an exporter; `resourceOf` builds its resource from its attributes. */
export function readableSpan(span: TraceSpan, resourceOf: (attributes: Attributes) => Resource): ReadableSpan {
  const traceId = id(span.trace_id);
  const startTime = hrTime(span.start_time);
  const endTime = hrTime(span.end_time);
  const durationNs = BigInt(span.end_time) - BigInt(span.start_time);
  const duration: HrTime = durationNs > 0n ? [Number(durationNs / 1_000_000_000n), Number(durationNs % 1_000_000_000n)] : [0, 0];
  return {
    name: span.name,
    kind: KINDS[span.kind] ?? SpanKind.INTERNAL,
    spanContext: () => ({ traceId, spanId: id(span.span_id), traceFlags: TraceFlags.SAMPLED }),
    ...(span.parent_span_id && { parentSpanContext: { traceId, spanId: id(span.parent_span_id), traceFlags: TraceFlags.SAMPLED } }),
    startTime,
    endTime,
    status: { code: STATUS[span.status.code], ...(span.status.description !== null && { message: span.status.description }) },
    attributes: attributesOf(span.attributes),
    links: [],
    events: span.events.map((event) => ({ name: event.name, attributes: attributesOf(event.attributes), time: hrTime(event.timestamp), droppedAttributesCount: 0 })),
    duration,
    ended: true,
    resource: resourceOf(attributesOf(span.resource.attributes)),
    instrumentationScope: { name: 'agent-eval' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
