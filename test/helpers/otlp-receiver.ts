// A loopback OTLP/HTTP trace receiver that decodes the protobuf ExportTraceServiceRequest with a small
// wire-format reader (only the fields the tests look at), so tests see what a collector would see.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  statusCode: number;
  /** The attributes of the resource the span was sent with (service.name, ...). */
  resource: Record<string, unknown>;
}

interface Field {
  number: number;
  wireType: number;
  value: bigint | Buffer;
}

function readVarint(buffer: Buffer, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buffer[offset++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [result, offset];
    shift += 7n;
  }
}

function fields(buffer: Buffer): Field[] {
  const out: Field[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [key, afterKey] = readVarint(buffer, offset);
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    offset = afterKey;
    if (wireType === 0) {
      const [value, next] = readVarint(buffer, offset);
      out.push({ number, wireType, value });
      offset = next;
    } else if (wireType === 1) {
      out.push({ number, wireType, value: buffer.subarray(offset, offset + 8) });
      offset += 8;
    } else if (wireType === 2) {
      const [length, next] = readVarint(buffer, offset);
      out.push({ number, wireType, value: buffer.subarray(next, next + Number(length)) });
      offset = next + Number(length);
    } else if (wireType === 5) {
      out.push({ number, wireType, value: buffer.subarray(offset, offset + 4) });
      offset += 4;
    } else {
      throw new Error(`unsupported wire type ${wireType}`);
    }
  }
  return out;
}

const messages = (buffer: Buffer, number: number) => fields(buffer).filter((field) => field.number === number).map((field) => field.value as Buffer);

function anyValue(buffer: Buffer): unknown {
  const [field] = fields(buffer);
  if (!field) return null;
  switch (field.number) {
    case 1:
      return (field.value as Buffer).toString('utf8');
    case 2:
      return field.value === 1n;
    case 3:
      return Number(field.value as bigint);
    case 4:
      return (field.value as Buffer).readDoubleLE(0);
    case 5:
      return messages(field.value as Buffer, 1).map(anyValue);
    default:
      return null;
  }
}

function keyValues(buffer: Buffer, number: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const pair of messages(buffer, number)) {
    const key = messages(pair, 1)[0]?.toString('utf8') ?? '';
    const value = messages(pair, 2)[0];
    result[key] = value ? anyValue(value) : null;
  }
  return result;
}

/** Decodes ExportTraceServiceRequest -> resource_spans(1) -> {resource(1) -> attributes(1), scope_spans(2) -> spans(2)}. */
export function decodeTraceRequest(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of messages(body, 1)) {
    const resourceMessage = messages(resourceSpans, 1)[0];
    const resource = resourceMessage ? keyValues(resourceMessage, 1) : {};
    for (const scopeSpans of messages(resourceSpans, 2)) {
      for (const span of messages(scopeSpans, 2)) {
        const all = fields(span);
        const bytes = (number: number) => (all.find((field) => field.number === number)?.value as Buffer | undefined)?.toString('hex') ?? '';
        const status = messages(span, 15)[0];
        spans.push({
          traceId: bytes(1),
          spanId: bytes(2),
          parentSpanId: bytes(4),
          name: messages(span, 5)[0]?.toString('utf8') ?? '',
          kind: Number(all.find((field) => field.number === 6)?.value ?? 0n),
          attributes: keyValues(span, 9),
          statusCode: status ? Number(fields(status).find((field) => field.number === 3)?.value ?? 0n) : 0,
          resource,
        });
      }
    }
  }
  return spans;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  requests: { contentType: string | undefined; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: OtlpReceiver['requests'] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ contentType: request.headers['content-type'], headers: request.headers });
      if (request.method === 'POST' && request.url === '/v1/traces') spans.push(...decodeTraceRequest(Buffer.concat(chunks)));
      response.writeHead(200, { 'content-type': 'application/x-protobuf' });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
