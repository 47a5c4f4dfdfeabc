import { InputError } from '../errors.js';
import { SecretRedactor } from '../secrets/redactor.js';
import type { RunTracer } from '../telemetry/tracing.js';
import type { GenAiMetrics } from '../telemetry/genai-metrics.js';
import type { RunOptions } from './types.js';

/** Parses OTEL_EXPORTER_OTLP_HEADERS: `key=value,key2=value2`, values URL-encoded. */
export function parseOtlpHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const item of (text ?? '').split(',')) {
    const equals = item.indexOf('=');
    if (equals <= 0) continue;
    headers[decodeURIComponent(item.slice(0, equals).trim())] = decodeURIComponent(item.slice(equals + 1).trim());
  }
  return headers;
}

export interface TracingSetup {
  tracer: RunTracer;
  metrics: GenAiMetrics;
  endpoint?: string;
}

/**
 * Builds the run's tracer when tracing is on (`enableOtel`, or an explicit OTLP endpoint). OTLP export
 * goes to `otlpEndpoint` or OTEL_EXPORTER_OTLP_ENDPOINT; the resource honours OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES.
 */
export async function setUpTracing(
  options: RunOptions,
  runId: string,
  env: Record<string, string | undefined>,
  redactor: SecretRedactor = SecretRedactor.from({ env }),
): Promise<TracingSetup | undefined> {
  if (!options.enableOtel && !options.otlpEndpoint) return undefined;
  const endpoint = options.otlpEndpoint ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint && !/^https?:\/\//.test(endpoint)) throw new InputError(`--otlp-endpoint ${endpoint}: must be an http(s) URL`);
  // The OpenTelemetry packages load only when tracing is on: a run without it never pays for them.
  const [{ RunTracer }, { GenAiMetrics }, { telemetryResource }] = await Promise.all([
    import('../telemetry/tracing.js'),
    import('../telemetry/genai-metrics.js'),
    import('../telemetry/resource.js'),
  ]);
  const resource = telemetryResource(env, runId);
  const tracer = await RunTracer.create({
    runId,
    resource,
    otlpEndpoint: endpoint,
    otlpHeaders: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    captureContent: options.captureContent ?? true,
    redactor,
  });
  return { tracer, metrics: await GenAiMetrics.create(resource), endpoint };
}
