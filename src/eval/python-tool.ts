import { z } from 'zod';
import type { SandboxPool } from '../sandbox/pool.js';
import { ToolError, defineTool, type AnyTool } from '../tools/types.js';

export interface PythonInterpreterTool {
  tool: AnyTool;
  close(): Promise<void>;
}

/**
 * `python_interpreter` for the tool-calling agent (SMOLTRACE's optional tool): runs a snippet in the
 * code agent's Pyodide sandbox, started on first use, with a fresh interpreter per call.
 */
export function createPythonInterpreterTool(options: { size: number; authorizedImports: string[]; stepTimeoutMs: number; snapshotCacheDir?: string }): PythonInterpreterTool {
  let pool: Promise<SandboxPool> | undefined;
  const start = async () => {
    const { SandboxPool } = await import('../sandbox/pool.js');
    return SandboxPool.start({ ...options, tools: [] });
  };
  const tool = defineTool({
    name: 'python_interpreter',
    description:
      'Evaluates Python code in a sandbox (no files, network or subprocess) and returns what it prints and the value of its last expression. Only standard modules from the allow-list can be imported.',
    input: z.object({ code: z.string().min(1).describe('The Python code to run') }),
    outputType: 'string',
    async execute({ code }, context) {
      pool ??= start();
      const session = await (await pool).acquire(async () => ({ ok: false, error: 'tools are not available inside python_interpreter' }));
      try {
        const result = await session.run(code, { signal: context.signal });
        if (result.error) throw new ToolError(`${result.error.type}: ${result.error.message}${result.stdout ? `\nOutput:\n${result.stdout}` : ''}`);
        const value = result.finalAnswer?.text ?? result.result;
        return [result.stdout && `Stdout:\n${result.stdout.trimEnd()}`, value !== undefined && `Output: ${value}`].filter(Boolean).join('\n') || 'Output: None';
      } finally {
        await session.release();
      }
    },
  });
  return { tool, close: async () => (pool ? (await pool).close() : undefined) };
}
