/** Span attribute strings are capped at this many characters (secrets are scrubbed by src/secrets/redactor.ts). */
export const STRING_LIMIT = 8192;
const TRUNCATED = '...[TRUNCATED]';

/** `value` cut to STRING_LIMIT characters, with a marker. */
export function capAttribute(value: string): string {
  return value.length > STRING_LIMIT ? `${value.slice(0, STRING_LIMIT)}${TRUNCATED}` : value;
}

const SECRET_KEY = /(^|_)(key|token|secret|password|authorization)$|^(key|token|secret|password|authorization)/i;

/** Model args for printing and metadata, with secret-looking keys shown as [REDACTED]. */
export function redactModelArgs(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).map(([key, value]) => [key, SECRET_KEY.test(key) ? '[REDACTED]' : value]));
}

/** Run options as saved in metadata: secret-looking model args and every MCP server env value redacted. */
export function redactRunOptions<T extends { modelArgs: Record<string, unknown>; mcpServerEnv?: Record<string, string>; agentEnv?: Record<string, string> }>(options: T): T {
  return {
    ...options,
    modelArgs: redactModelArgs(options.modelArgs),
    ...(options.mcpServerEnv && { mcpServerEnv: Object.fromEntries(Object.keys(options.mcpServerEnv).map((key) => [key, '[REDACTED]'])) }),
    ...(options.agentEnv && { agentEnv: Object.fromEntries(Object.keys(options.agentEnv).map((key) => [key, '[REDACTED]'])) }),
  };
}
