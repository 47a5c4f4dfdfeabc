/**
 * What the code agent needs from a Python sandbox (implemented by src/sandbox/). Tools called from
 * Python come back through `ToolHandler`, so every call is recorded like a native tool call.
 */
export type ToolHandler = (name: string, args: Record<string, unknown>) => Promise<{ ok: true; output: string } | { ok: false; error: string }>;

export interface CodeStepResult {
  stdout: string;
  result?: string;
  error?: { type: string; message: string };
  finalAnswer?: { value: unknown; text: string };
  durationMs: number;
  interpreterRestarted?: boolean;
}

export interface CodeSession {
  run(code: string, options?: { signal?: AbortSignal }): Promise<CodeStepResult>;
  release(): Promise<void>;
}

export interface CodeExecutor {
  acquire(handler: ToolHandler): Promise<CodeSession>;
}
