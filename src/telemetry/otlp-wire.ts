/**
 * Decoding OTLP trace exports (ExportTraceServiceRequest) in both encodings OTLP/HTTP allows:
 * protobuf (what most SDKs send by default) and JSON. Only the fields agent-eval keeps are read;
 * anything malformed throws, and the receiver answers 400.
 */
import { z } from 'zod';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Integer nanoseconds since the epoch, as digits. */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  resource: Record<string, unknown>;
}

interface Field {
  number: number;
  wireType: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

class WireError extends Error {}

function readVarint(buffer: Uint8Array, start: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let offset = start; offset < buffer.length && shift < 70n; offset++) {
    const byte = buffer[offset]!;
    result |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [result, offset + 1];
    shift += 7n;
  }
  throw new WireError('truncated varint');
}

function fields(buffer: Uint8Array): Field[] {
  const out: Field[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [key, afterKey] = readVarint(buffer, offset);
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    offset = afterKey;
    let size: number;
    if (wireType === 0) {
      const [value, next] = readVarint(buffer, offset);
      out.push({ number, wireType, varint: value });
      offset = next;
      continue;
    } else if (wireType === 1) size = 8;
    else if (wireType === 5) size = 4;
    else if (wireType === 2) {
      const [length, next] = readVarint(buffer, offset);
      offset = next;
      size = Number(length);
    } else throw new WireError(`unsupported wire type ${wireType}`);
    if (offset + size > buffer.length) throw new WireError('truncated field');
    out.push({ number, wireType, bytes: buffer.subarray(offset, offset + size) });
    offset += size;
  }
  return out;
}

const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : '');
const hex = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : '');
const fixed64 = (bytes: Uint8Array | undefined) => (bytes && bytes.length === 8 ? Buffer.from(bytes).readBigUInt64LE(0).toString() : '0');
const children = (list: Field[], number: number) => list.filter((field) => field.number === number && field.bytes).map((field) => field.bytes!);

function anyValue(bytes: Uint8Array): unknown {
  const [field] = fields(bytes);
  if (!field) return null;
  switch (field.number) {
    case 1:
      return text(field.bytes);
    case 2:
      return field.varint === 1n;
    case 3:
      return Number(BigInt.asIntN(64, field.varint ?? 0n));
    case 4:
      return field.bytes && field.bytes.length === 8 ? Buffer.from(field.bytes).readDoubleLE(0) : null;
    case 5:
      return children(fields(field.bytes ?? new Uint8Array()), 1).map(anyValue);
    default:
      return null;
  }
}

function keyValues(list: Field[], number: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const pair of children(list, number)) {
    const parts = fields(pair);
    const value = children(parts, 2)[0];
    result[text(children(parts, 1)[0])] = value ? anyValue(value) : null;
  }
  return result;
}

/** ExportTraceServiceRequest in protobuf: resource_spans(1) -> resource(1), scope_spans(2) -> spans(2). */
export function decodeProtobufTraces(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of children(fields(body), 1)) {
    const parts = fields(resourceSpans);
    const resourceBytes = children(parts, 1)[0];
    const resource = resourceBytes ? keyValues(fields(resourceBytes), 1) : {};
    for (const scopeSpans of children(parts, 2)) {
      for (const spanBytes of children(fields(scopeSpans), 2)) {
        const span = fields(spanBytes);
        const one = (number: number) => span.find((field) => field.number === number);
        const status = children(span, 15)[0];
        const statusFields = status ? fields(status) : [];
        spans.push({
          traceId: hex(one(1)?.bytes),
          spanId: hex(one(2)?.bytes),
          parentSpanId: hex(one(4)?.bytes),
          name: text(one(5)?.bytes),
          kind: Number(one(6)?.varint ?? 0n),
          startTimeUnixNano: fixed64(one(7)?.bytes),
          endTimeUnixNano: fixed64(one(8)?.bytes),
          attributes: keyValues(span, 9),
          statusCode: Number(statusFields.find((field) => field.number === 3)?.varint ?? 0n),
          statusMessage: text(statusFields.find((field) => field.number === 2)?.bytes),
          resource,
        });
      }
    }
  }
  return spans;
}

const jsonAnyValue: z.ZodType<unknown> = z.lazy(() =>
  z
    .object({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: z.union([z.string(), z.number()]).optional(),
      doubleValue: z.number().optional(),
      arrayValue: z.object({ values: z.array(jsonAnyValue).optional() }).optional(),
    })
    .transform((value): unknown => {
      if (value.stringValue !== undefined) return value.stringValue;
      if (value.boolValue !== undefined) return value.boolValue;
      if (value.intValue !== undefined) return Number(value.intValue);
      if (value.doubleValue !== undefined) return value.doubleValue;
      if (value.arrayValue) return value.arrayValue.values ?? [];
      return null;
    }),
);
const jsonAttributes = z
  .array(z.object({ key: z.string(), value: jsonAnyValue.optional() }))
  .optional()
  .transform((list) => Object.fromEntries((list ?? []).map((pair) => [pair.key, pair.value ?? null])));
// 64-bit integers: OTLP/JSON writes them as strings; some exporters send (imprecise) numbers.
const nanos = z.union([z.string().regex(/^\d+$/), z.number().min(0)]).optional().transform((value) => (typeof value === 'number' ? BigInt(Math.round(value)).toString() : (value ?? '0')));
const jsonTraces = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: jsonAttributes }).optional(),
        scopeSpans: z
          .array(
            z.object({
              spans: z
                .array(
                  z.object({
                    traceId: z.string().regex(/^[0-9a-fA-F]{32}$/),
                    spanId: z.string().regex(/^[0-9a-fA-F]{16}$/),
                    parentSpanId: z.string().optional(),
                    name: z.string(),
                    kind: z.number().int().optional(),
                    startTimeUnixNano: nanos,
                    endTimeUnixNano: nanos,
                    attributes: jsonAttributes,
                    status: z.object({ code: z.number().int().optional(), message: z.string().optional() }).optional(),
                  }),
                )
                .optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});

/** ExportTraceServiceRequest in OTLP/JSON (ids as hex strings). */
export function decodeJsonTraces(body: string): ReceivedSpan[] {
  const parsed = jsonTraces.parse(JSON.parse(body));
  return (parsed.resourceSpans ?? []).flatMap((resourceSpans) =>
    (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: span.traceId.toLowerCase(),
        spanId: span.spanId.toLowerCase(),
        parentSpanId: (span.parentSpanId ?? '').toLowerCase(),
        name: span.name,
        kind: span.kind ?? 0,
        startTimeUnixNano: span.startTimeUnixNano,
        endTimeUnixNano: span.endTimeUnixNano,
        attributes: span.attributes,
        statusCode: span.status?.code ?? 0,
        statusMessage: span.status?.message ?? '',
        resource: resourceSpans.resource?.attributes ?? {},
      })),
    ),
  );
}
