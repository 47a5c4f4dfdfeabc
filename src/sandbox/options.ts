import { InputError } from '../errors.js';
import { BASE_AUTHORIZED_IMPORTS, SANDBOX_DEFAULTS, type SandboxOptions, type SandboxToolSpec } from './types.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MODULE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const KEYWORDS = new Set(
  ('False None True and as assert async await break class continue def del elif else except finally for from ' +
    'global if import in is lambda nonlocal not or pass raise return try while with yield').split(' '),
);
/** Names the sandbox itself defines in the user's namespace. */
const RESERVED = new Set(['final_answer', 'ToolError']);

function isPythonName(name: string): boolean {
  return IDENTIFIER.test(name) && !KEYWORDS.has(name);
}

function checkTools(tools: SandboxToolSpec[]): SandboxToolSpec[] {
  const seen = new Set<string>();
  const out: SandboxToolSpec[] = [];
  for (const tool of tools) {
    // The built-in final_answer(answer) replaces a final_answer tool passed in with the others.
    if (RESERVED.has(tool.name)) continue;
    if (!isPythonName(tool.name)) throw new InputError(`tool name '${tool.name}' is not a valid Python identifier`);
    if (seen.has(tool.name)) throw new InputError(`tool '${tool.name}' is defined twice`);
    seen.add(tool.name);
    const bad = tool.parameters.find((parameter) => !isPythonName(parameter));
    if (bad !== undefined) throw new InputError(`tool '${tool.name}': parameter '${bad}' is not a valid Python identifier`);
    out.push({ name: tool.name, description: tool.description, parameters: [...tool.parameters] });
  }
  return out;
}

/** "pkg.*" means pkg and its submodules (smolagents' notation), which is what "pkg" already allows here. */
function checkImports(extra: string[]): string[] {
  const names = new Set(BASE_AUTHORIZED_IMPORTS);
  for (const raw of extra) {
    const name = raw.trim().replace(/\.\*$/, '');
    if (name !== '*' && !MODULE.test(name)) throw new InputError(`authorized import '${raw}' is not a module name`);
    names.add(name);
  }
  return [...names];
}

function positive(name: string, value: number | undefined, fallback: number, min: number, max = Infinity): number {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen < min || chosen > max) {
    throw new InputError(`sandbox ${name} must be between ${min} and ${max}, got ${chosen}`);
  }
  return chosen;
}

export interface NormalizedOptions {
  size: number;
  tools: SandboxToolSpec[];
  allowedImports: string[];
  stepTimeoutMs: number;
  memoryLimitMiB: number;
  outputLimitBytes: number;
  finalAnswerBytes: number;
  toolArgumentBytes: number;
  toolCallsPerStep: number;
  /** Stand-by processes held at most (standby.ts); default there. */
  standby?: number;
  /** Sessions expected in all, when the caller knows. */
  sessions?: number;
  /** Stand-by processes starting at the same time at most; default the number of cores. */
  startsAtOnce?: number;
}

export function normalizeOptions(options: SandboxOptions): NormalizedOptions {
  if (!Number.isInteger(options.size) || options.size < 1) {
    throw new InputError(`sandbox pool size must be a positive integer, got ${options.size}`);
  }
  return {
    size: options.size,
    tools: checkTools(options.tools),
    allowedImports: checkImports(options.authorizedImports ?? []),
    stepTimeoutMs: positive('stepTimeoutMs', options.stepTimeoutMs, SANDBOX_DEFAULTS.stepTimeoutMs, 1),
    memoryLimitMiB: Math.floor(positive('memoryLimitMiB', options.memoryLimitMiB, SANDBOX_DEFAULTS.memoryLimitMiB, 64, 4096)),
    outputLimitBytes: Math.floor(positive('outputLimitBytes', options.outputLimitBytes, SANDBOX_DEFAULTS.outputLimitBytes, 256)),
    finalAnswerBytes: Math.floor(positive('finalAnswerBytes', options.finalAnswerBytes, SANDBOX_DEFAULTS.finalAnswerBytes, 256)),
    toolArgumentBytes: Math.floor(positive('toolArgumentBytes', options.toolArgumentBytes, SANDBOX_DEFAULTS.toolArgumentBytes, 256)),
    toolCallsPerStep: Math.floor(positive('toolCallsPerStep', options.toolCallsPerStep, SANDBOX_DEFAULTS.toolCallsPerStep, 1)),
    ...(options.standby !== undefined && { standby: Math.floor(positive('standby', options.standby, 0, 0)) }),
    ...(options.sessions !== undefined && { sessions: Math.floor(positive('sessions', options.sessions, 0, 0)) }),
    ...(options.startsAtOnce !== undefined && { startsAtOnce: Math.floor(positive('startsAtOnce', options.startsAtOnce, 1, 1)) }),
  };
}
