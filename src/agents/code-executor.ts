/**
 * What the code agent needs from a Python sandbox: the types come from src/sandbox/, whose pool
 * implements `CodeExecutor`. Tools called from Python come back through `ToolHandler`, so every call
 * is recorded like a native tool call.
 */
import type { SandboxSession, ToolHandler } from '../sandbox/types.js';

export type { CodeStepResult, ToolHandler } from '../sandbox/types.js';
export type CodeSession = SandboxSession;

export interface CodeExecutor {
  acquire(handler: ToolHandler): Promise<CodeSession>;
}
