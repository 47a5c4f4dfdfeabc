import type { ToolCall } from '../models/types.js';
import { SecretRedactor } from '../secrets/redactor.js';
import { ToolError, type AnyTool, type ToolContext } from '../tools/types.js';
import { epochNow, type ResourceUsage } from './types.js';

export interface ToolOutcome {
  output: string;
  isError: boolean;
  startedAtMs: number;
  durationMs: number;
  resources: ResourceUsage;
}

/**
 * Resource usage between two `process.resourceUsage()` readings. Tools run in this process, so with
 * concurrent tasks the figures include whatever else ran meanwhile: an upper bound per call.
 */
function resourceDelta(before: NodeJS.ResourceUsage, after: NodeJS.ResourceUsage): ResourceUsage {
  return {
    cpuUserMs: (after.userCPUTime - before.userCPUTime) / 1000,
    cpuSystemMs: (after.systemCPUTime - before.systemCPUTime) / 1000,
    maxRssKiB: after.maxRSS,
    fsReadOps: after.fsRead - before.fsRead,
    fsWriteOps: after.fsWrite - before.fsWrite,
  };
}

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || 'arguments'}: ${issue.message}`)
    .join('; ');
}

let environmentRedactor: SecretRedactor | undefined;

/**
 * Runs one tool call: looks the tool up, validates the arguments with its zod schema, executes it.
 * Every failure becomes an error observation for the model; nothing here throws. The observation,
 * error or not, is scrubbed of the run's secrets before anything (the model, traces, results) sees it.
 */
export async function executeToolCall(
  call: ToolCall,
  tools: ReadonlyMap<string, AnyTool>,
  context: ToolContext,
): Promise<ToolOutcome> {
  const startedAtMs = epochNow();
  const started = performance.now();
  const usageBefore = process.resourceUsage();
  const redactor = context.redactor ?? (environmentRedactor ??= SecretRedactor.from({ env: process.env }));
  const finish = (output: string, isError: boolean): ToolOutcome => ({
    output: redactor.text(output),
    isError,
    startedAtMs,
    durationMs: performance.now() - started,
    resources: resourceDelta(usageBefore, process.resourceUsage()),
  });
  const tool = tools.get(call.name);
  if (!tool) {
    return finish(`Error: unknown tool '${call.name}'. Available tools: ${[...tools.keys()].join(', ')}`, true);
  }
  let rawArguments = call.arguments;
  if (typeof call.arguments === 'string') {
    try {
      rawArguments = JSON.parse(call.arguments);
    } catch {
      return finish(`Error: the arguments for '${call.name}' are not valid JSON: ${call.arguments.slice(0, 200)}`, true);
    }
  }
  const parsed = tool.input.safeParse(rawArguments ?? {});
  if (!parsed.success) {
    return finish(`Error: invalid arguments for '${call.name}': ${describeIssues(parsed.error)}`, true);
  }
  try {
    return finish(await tool.execute(parsed.data, context), false);
  } catch (error) {
    if (context.signal.aborted) throw error;
    if (error instanceof ToolError) return finish(`Error: ${error.message}`, true);
    const message = error instanceof Error ? error.message : String(error);
    return finish(`Error: tool '${call.name}' failed: ${message}`, true);
  }
}
