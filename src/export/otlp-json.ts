/**
 * traces.json documents (ours or SMOLTRACE's) as one OTLP JSON document (`resourceSpans`), the shape
 * the OTLP file exporter writes: any OTLP-JSON reader, and `agent-eval import`, takes it back.
 */
import type { TraceFile } from '../report/run-reader.js';

type AnyValue = Record<string, unknown>;

function anyValue(value: unknown): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (typeof value === 'bigint') return { intValue: value.toString() };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (value && typeof value === 'object') return { kvlistValue: { values: keyValues(value as Record<string, unknown>) } };
  return {};
}

function keyValues(attributes: Record<string, unknown> | null | undefined): { key: string; value: AnyValue }[] {
  return Object.entries(attributes ?? {}).map(([key, value]) => ({ key, value: anyValue(value) }));
}

const hexId = (id: string | null | undefined, digits: number) => (id ? id.replace(/^0x/i, '').toLowerCase().padStart(digits, '0') : undefined);
const KINDS: Record<string, number> = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };
const STATUS: Record<string, number> = { UNSET: 0, OK: 1, ERROR: 2 };
const time = (value: unknown) => (value === null || value === undefined ? undefined : typeof value === 'number' ? BigInt(Math.round(value)).toString() : String(value));

export function otlpFromTraces(traces: readonly TraceFile[]): { resourceSpans: unknown[] } {
  const byResource = new Map<string, { attributes: Record<string, unknown>; spans: unknown[] }>();
  for (const trace of traces) {
    for (const span of trace.spans) {
      const resource = ((span as { resource?: { attributes?: Record<string, unknown> } }).resource?.attributes ?? {}) as Record<string, unknown>;
      const key = JSON.stringify(resource);
      const entry = byResource.get(key) ?? { attributes: resource, spans: [] };
      byResource.set(key, entry);
      const loose = span as { kind?: string; events?: { name: string; timestamp?: unknown; attributes?: Record<string, unknown> }[] };
      entry.spans.push({
        traceId: hexId(span.trace_id ?? trace.trace_id, 32),
        spanId: hexId(span.span_id, 16),
        ...(span.parent_span_id && { parentSpanId: hexId(span.parent_span_id, 16) }),
        name: span.name,
        kind: KINDS[loose.kind ?? 'INTERNAL'] ?? 1,
        startTimeUnixNano: time(span.start_time),
        endTimeUnixNano: time(span.end_time),
        attributes: keyValues(span.attributes),
        events: (loose.events ?? []).map((event) => ({ name: event.name, timeUnixNano: time(event.timestamp), attributes: keyValues(event.attributes) })),
        status: { code: STATUS[span.status?.code ?? 'UNSET'] ?? 0, ...(span.status?.description && { message: span.status.description }) },
      });
    }
  }
  return {
    resourceSpans: [...byResource.values()].map((entry) => ({
      resource: { attributes: keyValues(entry.attributes) },
      scopeSpans: [{ scope: { name: 'agent-eval' }, spans: entry.spans }],
    })),
  };
}
