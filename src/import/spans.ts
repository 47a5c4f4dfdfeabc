/**
 * Spans from trace files, in one shape: OTLP JSON (`resourceSpans`, as the OTLP file exporter and a
 * collector's file exporter write it, one document or one per line), a JSON list of span objects
 * (SMOLTRACE's and our traces.json span dicts, Exgentic-style rows), or our traces.json documents.
 * zod checks each shape at the edge; ids become 32/16 lowercase hex digits, times integer nanoseconds.
 */
import { z } from 'zod';

export interface SourceSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startNs: bigint;
  endNs: bigint;
  kind: string;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown>; timeNs: bigint }[];
  status: { code: 'UNSET' | 'OK' | 'ERROR'; description: string | null };
  resource: Record<string, unknown>;
}

const timeValue = z.union([z.string(), z.number(), z.bigint()]).nullish();

/** An OTLP AnyValue: exactly one of its fields set. */
type AnyValue = { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number; arrayValue?: { values?: AnyValue[] }; kvlistValue?: { values?: KeyValue[] }; bytesValue?: string };
type KeyValue = { key: string; value?: AnyValue };

const anyValue: z.ZodType<AnyValue> = z.lazy(() =>
  z.looseObject({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: z.union([z.string(), z.number()]).optional(),
    doubleValue: z.number().optional(),
    arrayValue: z.looseObject({ values: z.array(anyValue).optional() }).optional(),
    kvlistValue: z.looseObject({ values: z.array(keyValue).optional() }).optional(),
    bytesValue: z.string().optional(),
  }),
);
const keyValue: z.ZodType<KeyValue> = z.lazy(() => z.looseObject({ key: z.string(), value: anyValue.optional() }));
const keyValues = z.array(keyValue).nullish();

const otlpSpan = z.looseObject({
  traceId: z.string().min(1),
  spanId: z.string().min(1),
  parentSpanId: z.string().nullish(),
  name: z.string(),
  kind: z.union([z.number(), z.string()]).nullish(),
  startTimeUnixNano: timeValue,
  endTimeUnixNano: timeValue,
  attributes: keyValues,
  events: z.array(z.looseObject({ name: z.string(), timeUnixNano: timeValue, attributes: keyValues })).nullish(),
  status: z.looseObject({ code: z.union([z.number(), z.string()]).nullish(), message: z.string().nullish() }).nullish(),
});

export const otlpDocumentSchema = z.looseObject({
  resourceSpans: z.array(
    z.looseObject({
      resource: z.looseObject({ attributes: keyValues }).nullish(),
      scopeSpans: z.array(z.looseObject({ spans: z.array(otlpSpan).nullish() })).nullish(),
    }),
  ),
});

/** A span dict: SMOLTRACE's, ours (traces.json), or the snake_case rows of trace datasets. */
const spanDict = z.looseObject({
  trace_id: z.string().nullish(),
  span_id: z.string().min(1),
  parent_span_id: z.string().nullish(),
  name: z.string(),
  kind: z.union([z.string(), z.number()]).nullish(),
  start_time: timeValue,
  end_time: timeValue,
  duration_ms: z.number().nullish(),
  attributes: z.record(z.string(), z.unknown()).nullish(),
  events: z.array(z.looseObject({ name: z.string(), timestamp: timeValue, attributes: z.record(z.string(), z.unknown()).nullish() })).nullish(),
  status: z.union([z.looseObject({ code: z.union([z.string(), z.number()]).nullish(), description: z.string().nullish(), message: z.string().nullish() }), z.string()]).nullish(),
  resource: z.looseObject({ attributes: z.record(z.string(), z.unknown()).nullish() }).nullish(),
});

export const spanListSchema = z.array(spanDict);
export const traceDocumentListSchema = z.array(z.looseObject({ trace_id: z.string(), spans: z.array(spanDict) }));

function decodeValue(value: AnyValue | undefined): unknown {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(decodeValue);
  if (value.kvlistValue) return decodeAttributes(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return null;
}

function decodeAttributes(values: readonly KeyValue[] | null | undefined): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const { key, value } of values ?? []) attributes[key] = decodeValue(value);
  return attributes;
}

/** Hex ids as lowercase digits (a `0x` prefix dropped, SMOLTRACE's unpadded ids padded; base64 decoded). */
export function normalizeId(id: string, digits: 16 | 32): string {
  let text = id.trim().replace(/^0x/i, '');
  if (!/^[0-9a-f]+$/i.test(text) && /^[A-Za-z0-9+/]+=*$/.test(text)) text = Buffer.from(text, 'base64').toString('hex');
  return text.toLowerCase().padStart(digits, '0');
}

/** Integer nanoseconds from a number or digit string (nanoseconds) or an ISO date (naive = UTC). */
export function nanoseconds(value: string | number | bigint | null | undefined): bigint | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.round(value)) : null;
  if (/^\d+$/.test(value)) return BigInt(value);
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const match = /\.(\d+)/.exec(iso);
  const milliseconds = Date.parse(iso);
  if (Number.isNaN(milliseconds)) return null;
  const fraction = match ? BigInt(match[1]!.padEnd(9, '0').slice(0, 9)) : 0n;
  return BigInt(Math.floor(milliseconds / 1000)) * 1_000_000_000n + fraction;
}

const OTLP_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

function kindName(kind: string | number | null | undefined, numbering: 'otlp' | 'api'): string {
  if (typeof kind === 'number') return (numbering === 'otlp' ? OTLP_KINDS[kind] : OTLP_KINDS[kind + 1]) ?? 'INTERNAL';
  return kind ? kind.replace(/^SPAN_KIND_/, '').toUpperCase() : 'INTERNAL';
}

function statusCode(code: string | number | null | undefined): SourceSpan['status']['code'] {
  if (code === 2 || (typeof code === 'string' && /ERROR/i.test(code))) return 'ERROR';
  if (code === 1 || (typeof code === 'string' && /OK/i.test(code))) return 'OK';
  return 'UNSET';
}

/** Spans of an OTLP JSON document. */
export function spansFromOtlp(document: z.infer<typeof otlpDocumentSchema>): SourceSpan[] {
  const spans: SourceSpan[] = [];
  for (const resourceSpans of document.resourceSpans) {
    const resource = decodeAttributes(resourceSpans.resource?.attributes);
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        const start = nanoseconds(span.startTimeUnixNano) ?? 0n;
        spans.push({
          traceId: normalizeId(span.traceId, 32),
          spanId: normalizeId(span.spanId, 16),
          parentSpanId: span.parentSpanId ? normalizeId(span.parentSpanId, 16) : null,
          name: span.name,
          startNs: start,
          endNs: nanoseconds(span.endTimeUnixNano) ?? start,
          kind: kindName(span.kind, 'otlp'),
          attributes: decodeAttributes(span.attributes),
          events: (span.events ?? []).map((event) => ({ name: event.name, attributes: decodeAttributes(event.attributes), timeNs: nanoseconds(event.timeUnixNano) ?? start })),
          status: { code: statusCode(span.status?.code), description: span.status?.message ?? null },
          resource,
        });
      }
    }
  }
  return spans;
}

/** Spans of a list of span dicts; `traceId` fills in spans that do not name their trace. */
export function spansFromDicts(dicts: z.infer<typeof spanListSchema>, traceId?: string): SourceSpan[] {
  return dicts.map((span) => {
    const start = nanoseconds(span.start_time) ?? 0n;
    const end = nanoseconds(span.end_time) ?? (span.duration_ms != null ? start + BigInt(Math.round(span.duration_ms * 1e6)) : start);
    const status = typeof span.status === 'string' ? { code: span.status } : span.status;
    const trace = span.trace_id ?? traceId ?? '';
    return {
      traceId: trace ? normalizeId(trace, 32) : '',
      spanId: normalizeId(span.span_id, 16),
      parentSpanId: span.parent_span_id ? normalizeId(span.parent_span_id, 16) : null,
      name: span.name,
      startNs: start,
      endNs: end,
      kind: kindName(span.kind, 'api'),
      attributes: span.attributes ?? {},
      events: (span.events ?? []).map((event) => ({ name: event.name, attributes: event.attributes ?? {}, timeNs: nanoseconds(event.timestamp) ?? start })),
      status: { code: statusCode(status?.code), description: status?.description ?? status?.message ?? null },
      resource: span.resource?.attributes ?? {},
    };
  });
}
