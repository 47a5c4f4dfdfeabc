import type { z } from 'zod';

/** What a tool may use while it runs. */
export interface ToolContext {
  signal: AbortSignal;
  /** Sandbox root for file tools (later issue); resolved absolute path. */
  workingDirectory: string;
  /** Current time source, injectable for tests. */
  now: () => Date;
  /** Overrides for network endpoints used by tools (tests point these at loopback servers). */
  endpoints?: { duckDuckGo?: string };
}

/** Thrown by a tool for an expected failure; the message goes back to the model as an observation. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

export interface Tool<Input = unknown> {
  name: string;
  description: string;
  /** zod schema for the arguments; also the source of the JSON Schema sent to the model. */
  input: z.ZodType<Input>;
  /** smolagents-style output type name, shown in prompts ("string", "number", "any"). */
  outputType: string;
  execute(input: Input, context: ToolContext): Promise<string>;
}

/** Erases the input type so heterogeneous tools fit in one list. */
export type AnyTool = Tool<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function defineTool<Input>(tool: Tool<Input>): AnyTool {
  return tool as AnyTool;
}
