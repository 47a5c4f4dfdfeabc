export { SandboxPool } from './pool.js';
export { BASE_AUTHORIZED_IMPORTS, SANDBOX_DEFAULTS } from './types.js';
export type { CodeStepResult, SandboxOptions, SandboxSession, SandboxToolSpec, ToolHandler } from './types.js';
