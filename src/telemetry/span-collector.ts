// The run tracer's span processor that keeps each task's spans for its trace document, and the OTLP URL.
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Collects each task's spans synchronously as they end, so its trace document is built at once. */
export class CollectingProcessor implements SpanProcessor {
  private spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  take(): ReadableSpan[] {
    const taken = this.spans;
    this.spans = [];
    return taken;
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

export function otlpUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}
