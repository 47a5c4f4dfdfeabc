import { isBoringValue, looksSecretName, looksSecretValue } from '../../secrets/patterns.js';
import type { TextRedactor } from '../../secrets/redactor.js';

/** Variables that would send the agent's spans somewhere other than agent-eval's receiver. */
const TELEMETRY_OVERRIDES = /^OTEL_EXPORTER_OTLP_(?:TRACES_)?(?:ENDPOINT|HEADERS|PROTOCOL)$|^TRACEPARENT$/;

/**
 * The external agent's environment: the caller's without anything secret (a secret-looking name or
 * value, or a value the run's redactor scrubs), plus the variables passed with `--agent-env` as given,
 * plus the telemetry variables pointing at agent-eval's receiver.
 */
export function childEnvironment(
  env: Record<string, string | undefined>,
  options: { redactor?: TextRedactor; passed?: Record<string, string>; telemetry?: Record<string, string> },
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || TELEMETRY_OVERRIDES.test(name)) continue;
    if ((looksSecretName(name) && !isBoringValue(value)) || looksSecretValue(value)) continue;
    if (options.redactor && options.redactor.text(value) !== value) continue;
    result[name] = value;
  }
  return { ...result, ...options.passed, ...options.telemetry };
}
