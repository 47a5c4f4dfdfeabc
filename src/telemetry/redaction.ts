/** Removes secrets from span attributes and caps long strings. */

export const STRING_LIMIT = 8192;
const TRUNCATED = '...[TRUNCATED]';
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE)/i;
const INLINE_SECRETS = [
  /\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(api[_-]?key|token|password|secret|authorization)(["']?\s*[:=]\s*["']?)[^\s"',}]{6,}/gi,
  /\b(sk-[A-Za-z0-9_-]{12,}|hf_[A-Za-z0-9]{12,}|sk-ant-[A-Za-z0-9_-]{12,})/g,
];

export class Redactor {
  private readonly secrets: string[];

  /** Collects the values of secret-looking environment variables (8+ characters) to scrub. */
  constructor(env: Record<string, string | undefined>) {
    this.secrets = Object.entries(env)
      .filter(([name, value]) => SECRET_NAME.test(name) && value && value.length >= 8)
      .map(([, value]) => value!)
      .sort((left, right) => right.length - left.length);
  }

  text(value: string): string {
    let result = value;
    for (const secret of this.secrets) if (result.includes(secret)) result = result.split(secret).join('[REDACTED]');
    result = result
      .replace(INLINE_SECRETS[0]!, '$1 [REDACTED]')
      .replace(INLINE_SECRETS[1]!, '$1$2[REDACTED]')
      .replace(INLINE_SECRETS[2]!, '[REDACTED]');
    return result.length > STRING_LIMIT ? `${result.slice(0, STRING_LIMIT)}${TRUNCATED}` : result;
  }
}

const SECRET_KEY = /(^|_)(key|token|secret|password|authorization)$|^(key|token|secret|password|authorization)/i;

/** Model args for printing and metadata, with secret-looking keys shown as [REDACTED]. */
export function redactModelArgs(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).map(([key, value]) => [key, SECRET_KEY.test(key) ? '[REDACTED]' : value]));
}

/** Run options as saved in metadata: secret-looking model args and every MCP server env value redacted. */
export function redactRunOptions<T extends { modelArgs: Record<string, unknown>; mcpServerEnv?: Record<string, string> }>(options: T): T {
  return {
    ...options,
    modelArgs: redactModelArgs(options.modelArgs),
    ...(options.mcpServerEnv && { mcpServerEnv: Object.fromEntries(Object.keys(options.mcpServerEnv).map((key) => [key, '[REDACTED]'])) }),
  };
}
