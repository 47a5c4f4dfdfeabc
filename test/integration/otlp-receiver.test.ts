import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../../src/telemetry/otlp-receiver.js';

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';

describe('OtlpReceiver', () => {
  it("decodes the OpenTelemetry SDK's protobuf export and keeps only the expected traces", async () => {
    receiver = await OtlpReceiver.start();
    receiver.expect(TRACE_ID);
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'sdk-agent' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }))],
    });
    const tracer = provider.getTracer('test');
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 1, isRemote: true });
    const span = tracer.startSpan('chat gpt-4o-mini', { attributes: { 'gen_ai.usage.input_tokens': 12, 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.temperature': 0.5, flag: true, list: ['a', 'b'] } }, parent);
    span.end();
    tracer.startSpan('someone else').end();
    await provider.forceFlush();
    await provider.shutdown();
    const spans = receiver.take(TRACE_ID);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      traceId: TRACE_ID,
      parentSpanId: PARENT_ID,
      name: 'chat gpt-4o-mini',
      kind: 1,
      attributes: { 'gen_ai.usage.input_tokens': 12, 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.temperature': 0.5, flag: true, list: ['a', 'b'] },
      resource: { 'service.name': 'sdk-agent' },
    });
    expect(BigInt(spans[0]!.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(spans[0]!.startTimeUnixNano));
    expect(receiver.take(TRACE_ID)).toEqual([]);
  });

  it('takes OTLP/JSON, and refuses what is not an export', async () => {
    receiver = await OtlpReceiver.start();
    receiver.expect(TRACE_ID);
    const body = {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', name: 'tool', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: 1700000000500000000, attributes: [{ key: 'n', value: { intValue: '3' } }], status: { code: 2, message: 'failed' } }] }] }],
    };
    const post = (text: string, type: string) => fetch(`${receiver!.url}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body: text });
    expect((await post(JSON.stringify(body), 'application/json')).status).toBe(200);
    expect((await post('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}', 'application/json')).status).toBe(400);
    expect((await post('\xff\xff\xff', 'application/x-protobuf')).status).toBe(400);
    expect((await fetch(`${receiver.url}/other`)).status).toBe(404);
    expect(receiver.take(TRACE_ID)).toEqual([
      expect.objectContaining({ spanId: '00f067aa0ba902b7', name: 'tool', attributes: { n: 3 }, statusCode: 2, statusMessage: 'failed', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000500000000' }),
    ]);
  });
});
