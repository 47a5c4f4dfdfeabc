/**
 * An OTLP/HTTP trace receiver on 127.0.0.1 for external agents' own spans: POST /v1/traces in
 * protobuf or JSON. Spans are kept only for the trace ids of running tasks (`expect`), taken when the
 * task ends (`take`); anything else is dropped, and a body over the limit is refused (413).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJsonTraces, decodeProtobufTraces, type ReceivedSpan } from './otlp-wire.js';

export type { ReceivedSpan } from './otlp-wire.js';

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_SPANS_PER_TRACE = 10_000;

export class OtlpReceiver {
  private readonly traces = new Map<string, ReceivedSpan[]>();
  private readonly server: Server;
  /** `http://127.0.0.1:PORT`, the value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url = '';

  private constructor() {
    this.server = createServer((request, response) => {
      const reply = (status: number, body = '{}') => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(body);
      };
      if (request.method !== 'POST' || !request.url?.startsWith('/v1/traces')) {
        request.resume();
        return reply(404);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          reply(413);
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      request.on('end', () => {
        if (size > MAX_BODY_BYTES) return;
        const body = Buffer.concat(chunks);
        const json = (request.headers['content-type'] ?? '').includes('json');
        let spans: ReceivedSpan[];
        try {
          spans = json ? decodeJsonTraces(body.toString('utf8')) : decodeProtobufTraces(body);
        } catch {
          return reply(400, JSON.stringify({ message: 'not an OTLP ExportTraceServiceRequest' }));
        }
        this.keep(spans);
        reply(200);
      });
    });
  }

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver();
    const server = receiver.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    // The receiver never keeps a finished program alive.
    server.unref();
    receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return receiver;
  }

  /** Starts keeping the spans of this trace (a running task's). */
  expect(traceId: string): void {
    this.traces.set(traceId, []);
  }

  /** The spans received for this trace, and forgets it. */
  take(traceId: string): ReceivedSpan[] {
    const spans = this.traces.get(traceId) ?? [];
    this.traces.delete(traceId);
    return spans;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private keep(spans: readonly ReceivedSpan[]): void {
    for (const span of spans) {
      const list = this.traces.get(span.traceId);
      if (list && list.length < MAX_SPANS_PER_TRACE) list.push(span);
    }
  }
}
