import type { Attributes } from '@opentelemetry/api';
import { OPENINFERENCE, SMOLTRACE } from './semconv.js';

/** OTEL_RESOURCE_ATTRIBUTES: `key=value,key2=value2`, values percent-encoded; malformed entries are skipped. */
export function parseResourceAttributes(text: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const item of (text ?? '').split(',')) {
    const equals = item.indexOf('=');
    if (equals <= 0) continue;
    try {
      const key = decodeURIComponent(item.slice(0, equals).trim());
      if (key) attributes[key] = decodeURIComponent(item.slice(equals + 1).trim());
    } catch {
      // a bad percent escape: skip the entry
    }
  }
  return attributes;
}

/**
 * The run's OpenTelemetry resource, the same for spans and metrics: OTEL_RESOURCE_ATTRIBUTES, then
 * `service.name` from OTEL_SERVICE_NAME (default agent-eval) and our `run.id`. Phoenix groups spans by
 * `openinference.project.name`: given in OTEL_RESOURCE_ATTRIBUTES, else PHOENIX_PROJECT_NAME, else the
 * service name (so runs no longer land in Phoenix's "default" project).
 */
export function telemetryResource(env: Record<string, string | undefined>, runId: string): Attributes {
  const given = parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || given['service.name'] || SMOLTRACE.serviceName;
  return {
    ...given,
    'service.name': serviceName,
    [SMOLTRACE.runId]: runId,
    [OPENINFERENCE.projectName]: given[OPENINFERENCE.projectName] || env.PHOENIX_PROJECT_NAME?.trim() || serviceName,
  };
}
