import type { z } from 'zod';
import type { TextRedactor } from '../secrets/redactor.js';

/** What a tool may use while it runs. */
export interface ToolContext {
  signal: AbortSignal;
  /** Sandbox root for file tools (later issue); resolved absolute path. */
  workingDirectory: string;
  /** Current time source, injectable for tests. */
  now: () => Date;
  /** Overrides for network endpoints used by tools (tests point these at loopback servers). */
  endpoints?: { duckDuckGo?: string; wikipedia?: string };
  /** Scrubs the run's secrets from every observation (default: this environment's secrets and token shapes). */
  redactor?: TextRedactor;
  /** PIDs of the processes this task's tools started and that still run: the only ones `kill` may signal. */
  processes?: Set<number>;
  /** Bytes the task's tools may write to files in all (`--sandbox-limit written-per-task`, default 50 MiB). */
  writeLimitBytes?: number;
  /** Bytes this task's tools have written so far (one counter per task). */
  written?: { bytes: number };
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
  /**
   * JSON Schema of the arguments when the tool has no zod schema of its own (MCP tools). When set,
   * it is what the model sees, and `input` only checks that the arguments are an object.
   */
  jsonSchema?: Record<string, unknown>;
  /** `extension` for tools from MCP servers (traces tag them `gen_ai.tool.type = extension`); default `function`. */
  kind?: 'function' | 'extension';
  execute(input: Input, context: ToolContext): Promise<string>;
}

/** Erases the input type so heterogeneous tools fit in one list. */
export type AnyTool = Tool<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function defineTool<Input>(tool: Tool<Input>): AnyTool {
  return tool as AnyTool;
}
